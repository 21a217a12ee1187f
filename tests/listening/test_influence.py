"""PageRank on graphs whose answers are known, and influence scores that put the
obviously influential author first."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from rapport.listening.influence import (
    AuthorActivity,
    InfluenceConfig,
    Interaction,
    influence_scores,
    pagerank,
)


def edges(*pairs: str) -> list[Interaction]:
    """``edges("a>b", "b>c")``."""
    ends = [pair.split(">") for pair in pairs]
    return [Interaction(source, target) for source, target in ends]


def reference_pagerank(graph: list[Interaction], damping: float = 0.85) -> dict[str, float]:
    """The textbook definition solved as a linear system, not iterated: the stationary
    distribution of the walk that follows an edge with probability d (a dangling node
    jumps anywhere) and jumps anywhere otherwise."""
    names = sorted({e.source for e in graph} | {e.target for e in graph})
    n = len(names)
    at = {name: i for i, name in enumerate(names)}
    walk = np.zeros((n, n))
    for e in graph:
        if e.source != e.target:
            walk[at[e.source], at[e.target]] += e.weight
    for i in range(n):
        total = walk[i].sum()
        walk[i] = walk[i] / total if total else 1.0 / n
    solution = np.linalg.solve(np.eye(n) - damping * walk.T, np.full(n, (1 - damping) / n))
    return {name: float(solution[at[name]]) for name in names}


KNOWN_GRAPHS = {
    "two-cycle": edges("a>b", "b>a"),
    "chain": edges("a>b", "b>c", "c>d"),
    "star in": edges("a>hub", "b>hub", "c>hub", "d>hub", "e>hub"),
    "star out": edges("hub>a", "hub>b", "hub>c"),
    "hub with a ring": edges("a>hub", "b>hub", "c>hub", "hub>a", "a>b", "b>c", "c>a"),
    "disconnected": edges("a>b", "b>c", "c>a", "x>y", "y>z", "z>x", "p>q"),
    "weighted": [Interaction("a", "b", 3.0), Interaction("a", "c", 1.0), Interaction("b", "a")],
}


@pytest.mark.parametrize("name", KNOWN_GRAPHS)
def test_pagerank_matches_the_linear_system(name: str) -> None:
    graph = KNOWN_GRAPHS[name]
    ranks = pagerank(graph)
    expected = reference_pagerank(graph)
    assert ranks.keys() == expected.keys()
    for node, value in expected.items():
        assert ranks[node] == pytest.approx(value, abs=1e-10), node
    assert sum(ranks.values()) == pytest.approx(1.0)


def test_symmetric_graphs_share_rank_evenly() -> None:
    assert pagerank(edges("a>b", "b>a")) == pytest.approx({"a": 0.5, "b": 0.5})
    ring = pagerank(edges("a>b", "b>c", "c>d", "d>a"))
    assert ring == pytest.approx(dict.fromkeys("abcd", 0.25))
    # No edges at all: nothing tells the nodes apart.
    assert pagerank([], nodes=["x", "y", "z", "w"]) == pytest.approx(dict.fromkeys("xyzw", 0.25))


def test_a_chain_ranks_its_end_highest() -> None:
    ranks = pagerank(edges("a>b", "b>c", "c>d"))
    assert ranks["d"] > ranks["c"] > ranks["b"] > ranks["a"]


def test_a_star_closed_form() -> None:
    """k leaves pointing at a hub that points nowhere (dangling): with d the damping
    and n = k + 1, leaf = (1 - d + d hub) / n and hub = 1 - k leaf."""
    k, d = 5, 0.85
    n = k + 1
    ranks = pagerank(KNOWN_GRAPHS["star in"], damping=d)
    leaf = 1 / (n + d * k)  # solving the two equations above
    hub = 1 - k * leaf
    assert ranks["hub"] == pytest.approx(hub)
    for name in "abcde":
        assert ranks[name] == pytest.approx(leaf)


def test_disconnected_parts_keep_to_themselves() -> None:
    ranks = pagerank(KNOWN_GRAPHS["disconnected"])
    # Two identical triangles: identical ranks, node for node.
    for mine, theirs in zip("abc", "xyz", strict=True):
        assert ranks[mine] == pytest.approx(ranks[theirs])
    # Inside the pair p -> q, q collects.
    assert ranks["q"] > ranks["p"]
    # A three-node part holds more of the total than a two-node one.
    assert sum(ranks[x] for x in "abc") > ranks["p"] + ranks["q"]


def test_self_mentions_endorse_nobody_and_duplicates_add_up() -> None:
    plain = pagerank(edges("a>b", "b>a", "c>a"))
    assert pagerank(edges("a>b", "b>a", "c>a", "c>c", "a>a")) == pytest.approx(plain)
    doubled = pagerank([*edges("a>b", "a>c"), Interaction("a", "b")])
    assert doubled == pytest.approx(
        pagerank([Interaction("a", "b", 2.0), Interaction("a", "c", 1.0)])
    )


def test_pagerank_does_not_depend_on_input_order() -> None:
    rng = random.Random(7)
    graph = [Interaction(f"u{rng.randrange(40)}", f"u{rng.randrange(40)}") for _ in range(300)]
    first = pagerank(graph)
    rng.shuffle(graph)
    assert pagerank(graph) == first  # bit for bit


def test_pagerank_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="weight"):
        pagerank([Interaction("a", "b", -1.0)])
    with pytest.raises(ValueError, match="damping"):
        pagerank(edges("a>b"), damping=1.0)
    assert pagerank([]) == {}


def crowd() -> tuple[list[AuthorActivity], list[Interaction]]:
    """A topic's week: a well-known journalist everyone replies to, a spammer who posts
    all day and mentions everyone, a one-hit wonder, and ordinary fans."""
    people = [
        AuthorActivity("journalist", posts=12, followers=250_000, likes=4_800, reposts=900,
                       replies=600),
        AuthorActivity("spammer", posts=80, followers=40, likes=3, reposts=0, replies=1),
        AuthorActivity("one hit", posts=1, followers=300, likes=900, reposts=120, replies=40),
        AuthorActivity("brand", posts=6, followers=30_000, likes=300, reposts=40, replies=80),
    ]  # fmt: skip
    fans = [f"fan{i}" for i in range(12)]
    people += [
        AuthorActivity(fan, posts=2 + i % 4, followers=100 + 50 * i, likes=5 + i, replies=1)
        for i, fan in enumerate(fans)
    ]
    graph = [Interaction(fan, "journalist") for fan in fans]
    graph += [Interaction(fan, "brand") for fan in fans[:4]]
    graph += [Interaction("journalist", "brand"), Interaction("brand", "journalist")]
    graph += [Interaction("spammer", target) for target in [*fans, "journalist", "brand"]]
    return people, graph


def test_the_obvious_influencer_comes_first() -> None:
    people, graph = crowd()
    scores = influence_scores(people, graph)
    ranking = [s.author for s in scores]
    assert ranking[:2] == ["journalist", "brand"]
    first = scores[0]
    assert first.centrality == 1.0
    assert first.reach is not None
    assert first.reach > 0.85
    # Posting a lot and mentioning everyone buys nothing.
    assert ranking[-1] == "spammer"
    # One lucky post is mostly smoothed away: behind the brand, though ahead of fans.
    assert ranking[2] == "one hit"
    one_hit = scores[2]
    assert one_hit.engagement_per_post < (900 + 2 * 120 + 2 * 40) / 2


def test_scores_and_components_stay_in_range() -> None:
    people, graph = crowd()
    for s in influence_scores(people, graph):
        assert 0.0 < s.score <= 100.0
        for part in (s.reach, s.engagement, s.frequency, s.centrality):
            assert part is not None
            assert 0.0 <= part <= 1.0
    # An author at the top of everything scores 100 (floors and all).
    [alone] = influence_scores(
        [AuthorActivity("max", posts=10**9, followers=10**7, likes=10)], edges("x>max")
    )
    assert alone.score == pytest.approx(100.0, abs=1e-6)


def test_missing_information_is_left_out_not_counted_as_zero() -> None:
    # No follower counts anywhere (a feed) and no replies or mentions: engagement and
    # frequency decide alone.
    people = [
        AuthorActivity("busy", posts=20, likes=200),
        AuthorActivity("quiet", posts=1, likes=1),
    ]
    scores = influence_scores(people)
    assert [s.author for s in scores] == ["busy", "quiet"]
    assert scores[0].reach is None
    assert scores[0].centrality is None
    # Self-mentions and weightless edges are no graph either.
    noise = [Interaction("busy", "busy"), Interaction("quiet", "busy", 0.0)]
    assert influence_scores(people, noise) == scores
    config = InfluenceConfig()
    weights = config.engagement_weight + config.frequency_weight
    expected = math.exp(
        config.engagement_weight / weights * math.log(1.0)
        + config.frequency_weight / weights * math.log(0.02 + 0.98 * 20 / 25)
    )
    assert scores[0].score == pytest.approx(100 * expected)
    # One network without follower counts among others: the typical reach, not zero.
    mixed = influence_scores(
        [
            AuthorActivity("a", posts=3, followers=10),
            AuthorActivity("b", posts=3, followers=10_000),
            AuthorActivity("c", posts=3, followers=1_000),
            AuthorActivity("feed", posts=3),
        ]
    )
    by_author = {s.author: s for s in mixed}
    assert by_author["feed"].reach == by_author["c"].reach


def test_rows_of_the_same_author_add_up() -> None:
    split = [
        AuthorActivity("a", posts=2, followers=100, likes=10),
        AuthorActivity("a", posts=3, followers=120, likes=5, reposts=1),
        AuthorActivity("b", posts=1, followers=5),
    ]
    whole = [
        AuthorActivity("a", posts=5, followers=120, likes=15, reposts=1),
        AuthorActivity("b", posts=1, followers=5),
    ]
    assert influence_scores(split) == influence_scores(whole)


def test_mentioned_accounts_count_in_the_graph_but_get_no_score() -> None:
    people = [AuthorActivity("a", posts=1, followers=10), AuthorActivity("b", posts=1)]
    scores = influence_scores(people, edges("a>celebrity", "b>celebrity"))
    assert {s.author for s in scores} == {"a", "b"}


def test_edges_and_nothing() -> None:
    assert influence_scores([]) == []
    assert influence_scores([], edges("a>b")) == []
    [only] = influence_scores([AuthorActivity("a", posts=0)])
    assert only.score > 0
    with pytest.raises(ValueError, match="negative"):
        influence_scores([AuthorActivity("a", posts=-1)])

"""Who matters in a topic's conversation: one 0-100 score per author over a window.

Four components, each brought to 0-1 (``docs/listening-alerts.md`` gives the formulas
and why):

- reach: followers on a log scale (a million followers is full reach);
- engagement: likes, reposts and replies per post, smoothed towards the typical author
  so one lucky post does not make an author, log-scaled against the topic's best;
- frequency: how many posts in the window, saturating (five posts is half);
- centrality: PageRank in the graph of who replies to or mentions whom, log-scaled
  against the topic's most central author.

The score is 100 times their weighted geometric mean, each component lifted by a small
floor first: an author has to be strong on several fronts to score high, and one empty
component drags a score down without zeroing it. A component nobody has information
for (no network in the window reports followers; nobody replied to or mentioned anyone)
is left out and the other weights are scaled up.

Pure functions over plain records; the pipeline maps database rows to them.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class AuthorActivity:
    """One author's posts in the window and the engagement they drew. ``followers`` is
    None when the network does not say (feeds, some forums)."""

    author: str
    posts: int
    followers: int | None = None
    likes: int = 0
    reposts: int = 0
    replies: int = 0


@dataclass(frozen=True, slots=True)
class Interaction:
    """``source`` replied to or mentioned ``target``; several of them add up."""

    source: str
    target: str
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class InfluenceConfig:
    reach_weight: float = 0.35
    engagement_weight: float = 0.25
    frequency_weight: float = 0.15
    centrality_weight: float = 0.25
    # Followers at which reach is full: log10(1 + followers) / 6.
    full_reach_followers: int = 1_000_000
    # A repost carries a post to a new audience and a reply takes effort: each counts
    # as two likes.
    repost_value: float = 2.0
    reply_value: float = 2.0
    # The typical author's engagement per post counts as this many of the author's own.
    engagement_prior_posts: float = 5.0
    # Posts in the window at which frequency is one half.
    half_frequency_posts: float = 5.0
    floor: float = 0.02
    damping: float = 0.85


DEFAULT_INFLUENCE = InfluenceConfig()


@dataclass(frozen=True, slots=True)
class InfluenceScore:
    """An author's score (0-100) and the components it came from (each 0-1, or None
    when nobody in the window had that information)."""

    author: str
    score: float
    reach: float | None
    engagement: float
    frequency: float
    centrality: float | None
    engagement_per_post: float
    pagerank: float


def influence_scores(
    activity: Iterable[AuthorActivity],
    interactions: Iterable[Interaction] = (),
    *,
    config: InfluenceConfig = DEFAULT_INFLUENCE,
) -> list[InfluenceScore]:
    """Scores for the authors in ``activity``, best first (ties by author key).
    Accounts that appear only in ``interactions`` take part in the graph (being
    mentioned by everyone makes them central) but get no score of their own: they
    did not post in the window."""
    authors = _merge(activity)
    if not authors:
        return []
    edges = list(interactions)
    ranks = pagerank(edges, nodes=authors, damping=config.damping)
    has_graph = any(e.source != e.target and e.weight > 0 for e in edges)
    centrality = _centrality(ranks) if has_graph else None
    reach = _reach(authors.values(), config)
    engagement, per_post = _engagement(authors.values(), config)

    weights = {
        "reach": config.reach_weight if reach is not None else 0.0,
        "engagement": config.engagement_weight,
        "frequency": config.frequency_weight,
        "centrality": config.centrality_weight if centrality is not None else 0.0,
    }
    total = sum(weights.values())
    scores = []
    for key, author in authors.items():
        frequency = author.posts / (author.posts + config.half_frequency_posts)
        components = {
            "reach": reach[key] if reach is not None else None,
            "engagement": engagement[key],
            "frequency": frequency,
            "centrality": centrality[key] if centrality is not None else None,
        }
        log_score = sum(
            weights[name] / total * math.log(config.floor + (1 - config.floor) * value)
            for name, value in components.items()
            if value is not None and weights[name] > 0
        )
        scores.append(
            InfluenceScore(
                author=key,
                score=100.0 * math.exp(log_score),
                reach=components["reach"],
                engagement=engagement[key],
                frequency=frequency,
                centrality=components["centrality"],
                engagement_per_post=per_post[key],
                pagerank=ranks[key],
            )
        )
    return sorted(scores, key=lambda s: (-s.score, s.author))


def _merge(activity: Iterable[AuthorActivity]) -> dict[str, AuthorActivity]:
    """One record per author: rows from several sources of the same window add up,
    and the largest follower count wins (counts are snapshots, not flows)."""
    merged: dict[str, AuthorActivity] = {}
    for row in activity:
        if min(row.posts, row.likes, row.reposts, row.replies) < 0:
            raise ValueError(f"author {row.author!r}: counts cannot be negative")
        if row.followers is not None and row.followers < 0:
            raise ValueError(f"author {row.author!r}: followers cannot be negative")
        seen = merged.get(row.author)
        if seen is None:
            merged[row.author] = row
            continue
        followers = [f for f in (seen.followers, row.followers) if f is not None]
        merged[row.author] = AuthorActivity(
            author=row.author,
            posts=seen.posts + row.posts,
            followers=max(followers) if followers else None,
            likes=seen.likes + row.likes,
            reposts=seen.reposts + row.reposts,
            replies=seen.replies + row.replies,
        )
    return merged


def _reach(authors: Iterable[AuthorActivity], config: InfluenceConfig) -> dict[str, float] | None:
    """``log(1 + followers) / log(1 + full_reach_followers)``, at most 1. An author
    whose network does not report followers gets the median of those that do."""
    scale = math.log1p(config.full_reach_followers)
    known = {
        a.author: min(1.0, math.log1p(a.followers) / scale)
        for a in authors
        if a.followers is not None
    }
    if not known:
        return None
    typical = statistics.median(known.values())
    return {a.author: known.get(a.author, typical) for a in authors}


def _engagement(
    authors: Iterable[AuthorActivity], config: InfluenceConfig
) -> tuple[dict[str, float], dict[str, float]]:
    """Per author, the smoothed engagement per post and its 0-1 component.

    Smoothed per post: ``(E + k m) / (posts + k)`` with E the author's weighted
    engagement, m the median author's engagement per post (the median, because one
    star would otherwise lift everybody) and k the prior's weight in posts: an author
    with one post is mostly the typical author, one with fifty mostly themself."""
    rows = list(authors)
    value = {
        a.author: a.likes + config.repost_value * a.reposts + config.reply_value * a.replies
        for a in rows
    }
    raw = [value[a.author] / a.posts for a in rows if a.posts > 0]
    typical = statistics.median(raw) if raw else 0.0
    k = config.engagement_prior_posts
    per_post = {a.author: (value[a.author] + k * typical) / (a.posts + k) for a in rows}
    best = max(per_post.values())
    if best <= 0:
        return dict.fromkeys(per_post, 0.0), per_post
    scale = math.log1p(best)
    return {key: math.log1p(v) / scale for key, v in per_post.items()}, per_post


def _centrality(ranks: dict[str, float]) -> dict[str, float]:
    """``log(1 + n PR) / log(1 + n max PR)``: n PR is 1 for an average node, so the
    scale reads "how many times more central than average", and the log keeps the
    second tier visible next to one dominant hub."""
    n = len(ranks)
    scale = math.log1p(n * max(ranks.values()))
    return {key: math.log1p(n * r) / scale for key, r in ranks.items()}


def pagerank(
    interactions: Iterable[Interaction],
    *,
    nodes: Iterable[str] = (),
    damping: float = 0.85,
    tolerance: float = 1e-12,
    max_iterations: int = 1000,
) -> dict[str, float]:
    """PageRank of every node (the ``nodes`` given and every edge's ends) by power
    iteration; the values sum to 1.

    An edge passes rank from who replies or mentions to who is replied to or
    mentioned, in proportion to its weight among the source's edges. Self-mentions are
    dropped (they endorse nobody). A node with no outgoing edges (dangling) hands its
    rank to every node evenly, the usual fix that keeps the total at 1. Nodes and
    edges are put in a fixed order first, so the result does not depend on the order
    the records came in."""
    if not 0 <= damping < 1:
        raise ValueError("damping must be in [0, 1)")
    weights: dict[tuple[str, str], float] = {}
    names = set(nodes)
    for edge in interactions:
        if edge.weight < 0 or not math.isfinite(edge.weight):
            raise ValueError(f"edge {edge.source!r} -> {edge.target!r}: weight {edge.weight}")
        names.update((edge.source, edge.target))
        if edge.source != edge.target and edge.weight > 0:
            key = (edge.source, edge.target)
            weights[key] = weights.get(key, 0.0) + edge.weight
    order = sorted(names)
    n = len(order)
    if n == 0:
        return {}
    index = {name: i for i, name in enumerate(order)}
    pairs = sorted(weights)
    src = np.array([index[s] for s, _ in pairs], dtype=np.int64)
    dst = np.array([index[t] for _, t in pairs], dtype=np.int64)
    w = np.array([weights[p] for p in pairs], dtype=np.float64)
    out = np.bincount(src, weights=w, minlength=n)
    share = w / out[src] if w.size else w  # each edge's part of its source's rank
    dangling = out == 0

    rank = np.full(n, 1.0 / n)
    for _ in range(max_iterations):
        passed = np.bincount(dst, weights=rank[src] * share, minlength=n)
        new = (1.0 - damping) / n + damping * (passed + rank[dangling].sum() / n)
        new /= new.sum()  # keeps rounding from drifting over many iterations
        converged = np.abs(new - rank).sum() < tolerance
        rank = new
        if converged:
            break
    return {name: float(rank[i]) for i, name in enumerate(order)}

"""The matcher: every topic at once, changes while posts flow."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Iterator

import pytest

from rapport.listening.query import Matcher, PostText, QuerySyntaxError, analyse
from rapport.listening.query.matcher import PENDING_LIMIT


@pytest.fixture(params=["automaton", "tokens"])
def matcher(request: pytest.FixtureRequest) -> Iterator[Matcher]:
    m = Matcher(finder=request.param, rebuild_delay=0.01)
    yield m
    m.close()


TOPICS = {
    1: '"ford focus"',
    2: "ford NOT bmw",
    3: "#ford OR @fordfan",
    4: "volvo* lang:pl",
    5: "(tesla OR rivian) AND (recall OR wypadek)",
    6: "author:@alice source:mastodon",
    7: '"новый бмв*"',
    8: "ford lang:en",
}

POSTS = [
    (PostText("Just bought a Ford Focus!"), {1, 2}),
    (PostText("ford focus vs bmw"), {1}),
    (PostText("focus on ford"), {2}),
    (PostText("#Ford rally", lang="en"), {2, 3, 8}),
    (PostText("#fordrally"), set()),
    (PostText("hi @FordFan@mastodon.social"), {3}),
    (PostText("mail fordfan@example.com"), set()),
    (PostText("Nowe Volvo XC40", lang="pl"), {4}),
    (PostText("Nowe Volvo XC40", lang="pl-PL"), {4}),
    (PostText("Nowe Volvo XC40", lang="en"), set()),
    (PostText("Tesla recall announced"), {5}),
    (PostText("Rivian: wypadek na A4"), {5}),
    (PostText("tesla and rivian"), set()),
    (PostText("anything", source="mastodon", author="alice@mastodon.social"), {6}),
    (PostText("anything", source="Mastodon", author="@Alice"), {6}),
    (PostText("anything", source="bluesky", author="alice"), set()),
    (PostText("Вот НОВЫЙ БМВшка приехал"), {7}),
    (PostText("новый и бмв"), set()),
    (PostText(""), set()),
]


def test_every_topic_at_once_before_and_after_the_rebuild(matcher: Matcher) -> None:
    for topic_id, query in TOPICS.items():
        matcher.set_topic(topic_id, query)
    assert matcher.pending == len(TOPICS)
    direct = [matcher.match(post) for post, _ in POSTS]
    assert matcher.sync(5)
    assert matcher.pending == 0
    compiled = [matcher.match(post) for post, _ in POSTS]
    assert direct == compiled == [expected for _, expected in POSTS]


def test_change_and_remove(matcher: Matcher) -> None:
    matcher.load([(1, "ford", False), (2, "bmw", False)])
    post = PostText("ford and bmw")
    assert matcher.match(post) == {1, 2}
    matcher.set_topic(1, "audi")
    assert matcher.match(post) == {2}  # before the rebuild: the pending path
    assert matcher.remove_topic(2)
    assert not matcher.remove_topic(2)
    assert matcher.match(post) == set()
    assert matcher.sync(5)
    assert matcher.match(post) == set()
    assert matcher.match(PostText("new audi")) == {1}
    assert len(matcher) == 1
    assert 1 in matcher
    assert 2 not in matcher


def test_a_bad_query_changes_nothing(matcher: Matcher) -> None:
    matcher.set_topic(1, "ford")
    with pytest.raises(QuerySyntaxError):
        matcher.set_topic(1, "ford OR")
    with pytest.raises(QuerySyntaxError):
        matcher.load([(1, "bmw", False), (2, "NOT audi", False)])
    assert matcher.match(PostText("ford")) == {1}


def test_terms_shared_by_topics_survive_one_topic_leaving(matcher: Matcher) -> None:
    matcher.load([(1, "ford focus", False), (2, "ford", False)])
    matcher.remove_topic(1)
    assert matcher.sync(5)
    matcher.set_topic(3, "kia")
    assert matcher.sync(5)
    assert matcher.match(PostText("ford")) == {2}
    assert matcher.match(PostText("kia focus")) == {3}


def test_topics_with_diacritics_significant_sit_beside_the_others(matcher: Matcher) -> None:
    matcher.load([(1, "łódź", True), (2, "łódź", False), (3, "#łódź", True)])
    assert matcher.match(PostText("lodz")) == {2}
    assert matcher.match(PostText("ŁÓDŹ")) == {1, 2}
    assert matcher.match(PostText("#Łódź")) == {1, 2, 3}


def test_hostile_posts_are_just_text(matcher: Matcher) -> None:
    matcher.load([(1, "script", False), (2, "alert", False)])
    assert matcher.match(PostText("<script>alert('x')</script>" * 1000)) == {1, 2}
    assert matcher.match(PostText("\x00\ud800 @ # @@ ##" * 100)) == set()


def test_a_change_is_visible_within_a_second_while_another_thread_matches() -> None:
    matcher = Matcher()
    matcher.load([(i, f'brand{i} OR "brand{i} phone"', False) for i in range(2_000)])
    stop = threading.Event()
    matched = [0]
    errors: list[BaseException] = []

    def ingest() -> None:
        post = PostText("brand7 phone brand8 review")
        try:
            while not stop.is_set():
                assert matcher.match(post) >= {7, 8}
                matched[0] += 1
        except BaseException as exc:
            errors.append(exc)
            raise

    reader = threading.Thread(target=ingest)
    reader.start()
    try:
        probe = PostText("the newbrand launch")
        started = time.monotonic()
        matcher.set_topic(5_000, "newbrand")
        while matcher.match(probe) != {5_000}:
            assert time.monotonic() - started < 1.0
        visible = time.monotonic() - started
        assert matcher.sync(30)  # folded into the automaton (its time is the bench's)
        assert matcher.match(probe) == {5_000}
        count = matched[0]
        time.sleep(0.05)
        assert matched[0] > count, "ingestion stopped"
    finally:
        stop.set()
        reader.join()
        matcher.close()
    assert not errors
    assert visible < 1.0


def test_saving_a_topic_unchanged_does_not_rebuild() -> None:
    matcher = Matcher(rebuild_delay=60)
    try:
        matcher.load([(1, "ford OR bmw", False)])
        matcher.set_topic(1, "ford  OR  bmw")  # the same tree
        assert matcher.pending == 0
        matcher.set_topic(1, "ford OR bmw", diacritics=True)
        assert matcher.pending == 1
    finally:
        matcher.close()


def test_an_and_is_a_candidate_through_its_rarest_operand() -> None:
    """Many topics say "price"; each names its own brand. A post about prices and no
    brand makes no topic a candidate, so no predicate runs for it."""
    matcher = Matcher()
    try:
        matcher.load([(i, f"brand{i} AND (price OR cena)", False) for i in range(100)])
        index = matcher._state.index  # the compiled snapshot, to count candidates
        price = index.terms_in(analyse(PostText("what a price, cena")))
        assert price
        assert all(index.anchors.get(t) is None for t in price)
        assert matcher.match(PostText("brand7 price")) == {7}
    finally:
        matcher.close()


def test_a_burst_of_changes_beyond_the_pending_limit_waits_for_the_build() -> None:
    matcher = Matcher(rebuild_delay=60)
    try:
        for i in range(PENDING_LIMIT + 10):
            matcher.set_topic(i, f"brand{i}")
        assert matcher.pending == PENDING_LIMIT
        assert matcher.match(PostText("brand0 brand1")) == {0, 1}
        assert matcher.match(PostText(f"brand{PENDING_LIMIT + 5}")) == set()  # not yet
        matcher.set_topic(0, "other")  # a pending topic changed again: still at once
        assert matcher.match(PostText("brand0 other")) == {0}
    finally:
        matcher.close()
    fast = Matcher(rebuild_delay=0)
    try:
        for i in range(PENDING_LIMIT + 10):
            fast.set_topic(i, f"brand{i}")
        assert fast.sync(10)
        assert fast.match(PostText(f"brand{PENDING_LIMIT + 5}")) == {PENDING_LIMIT + 5}
    finally:
        fast.close()


def test_stats_say_what_the_matcher_holds() -> None:
    matcher = Matcher(rebuild_delay=60)
    try:
        matcher.load([(1, '"ford focus" OR ford', False), (2, "ford lang:pl", False)])
        matcher.set_topic(3, "kia")
        stats = matcher.stats()
        assert stats["topics"] == 3
        assert stats["terms"] == 3  # "ford focus", ford, lang:pl; kia is not built yet
        assert stats["pending"] == 1
        assert stats["builds"] == 1
        assert stats["last_build_cpu_s"] > 0
    finally:
        matcher.close()


def test_query_text_never_becomes_code() -> None:
    """Predicates are generated Python; only term ids reach them, never query text."""
    matcher = Matcher()
    try:
        matcher.load(
            [
                (1, "__import__ AND (os OR system) NOT lambda", False),
                (2, '"True or s" AND NOT False', False),
            ]
        )
        assert matcher.match(PostText("__import__('os').system('x')")) == {1}
        assert matcher.match(PostText("__import__ lambda os")) == set()
        assert matcher.match(PostText("true or s")) == {2}
        assert matcher.match(PostText("nothing here")) == set()
    finally:
        matcher.close()


def test_an_idle_builder_ends_and_the_next_change_starts_another() -> None:
    matcher = Matcher(rebuild_delay=0, idle_exit=0.05)
    matcher.set_topic(1, "ford")
    assert matcher.sync(5)
    time.sleep(0.3)  # idle: the builder thread has ended
    matcher.set_topic(2, "kia")
    assert matcher.sync(5)
    assert matcher.pending == 0
    assert matcher.match(PostText("ford kia")) == {1, 2}
    ref = weakref.ref(matcher)
    del matcher
    deadline = time.monotonic() + 5
    while ref() is not None and time.monotonic() < deadline:  # no thread keeps it alive
        gc.collect()
        time.sleep(0.05)
    assert ref() is None


def test_a_matcher_closes_as_a_context_manager() -> None:
    with Matcher(rebuild_delay=0) as matcher:
        matcher.set_topic(1, "ford")
        assert matcher.sync(5)
    assert matcher.match(PostText("ford")) == {1}

"""The compiled matcher against the reference evaluator, on random queries, random
posts and random sequences of topic changes."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rapport.listening.query import (
    And,
    Field,
    Handle,
    Hashtag,
    Matcher,
    Not,
    Or,
    Phrase,
    PostText,
    Prefix,
    Query,
    QuerySyntaxError,
    Word,
    fold,
    parse,
    to_text,
)
from tests.listening.query.reference import evaluate

WORDS = [
    "ford", "focus", "afford", "fo", "łódź", "lodz", "straße", "strasse", "ørsted",
    "orsted", "бмв", "бмвшка", "полина", "ёлка", "елка", "crème", "creme", "and",
]  # fmt: skip
TAGS = ["ford", "łódź", "ford_focus", "бмв"]
HANDLES = ["alice", "Alice", "alice@mastodon.social", "bob.bsky.social"]

terms = st.one_of(
    st.sampled_from(WORDS).map(Word),
    st.sampled_from([w for w in WORDS if len(w) > 2]).map(lambda w: Prefix(w[:-1])),
    st.builds(
        lambda ws, p: Phrase(tuple(ws), p),
        st.lists(st.sampled_from(WORDS), min_size=2, max_size=3),
        st.booleans(),
    ),
    st.sampled_from(TAGS).map(Hashtag),
    st.sampled_from(HANDLES).map(Handle),
    st.sampled_from(["en", "pl", "pt-br"]).map(lambda v: Field("lang", v)),
    st.sampled_from(["reddit", "mastodon"]).map(lambda v: Field("source", v)),
    st.sampled_from(["alice", "bob.bsky.social"]).map(lambda v: Field("author", v)),
)
trees: st.SearchStrategy[Query] = st.recursive(
    terms,
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda c: And(tuple(c))),
        st.lists(children, min_size=2, max_size=3).map(lambda c: Or(tuple(c))),
        children.map(Not),
    ),
    max_leaves=6,
)


def _variant(word: str, how: int) -> str:
    return [word, word.upper(), word.capitalize(), fold(word)][how]


pieces = st.one_of(
    st.builds(_variant, st.sampled_from(WORDS), st.integers(0, 3)),
    st.sampled_from(TAGS).map(lambda t: f"#{t}"),
    st.sampled_from([*HANDLES, "fordfan"]).map(lambda h: f"@{h}"),
    st.sampled_from(["bob@example.com", "https://ford.com/x", "!", "x#y", "ŁÓDŹ", "_"]),
)
posts = st.builds(
    PostText,
    st.builds(
        lambda ps, seps: "".join(p + s for p, s in zip(ps, seps, strict=False)),
        st.lists(pieces, max_size=8),
        st.lists(st.sampled_from([" ", ", ", "-", "_", ".", "\n", ""]), min_size=8, max_size=8),
    ),
    st.sampled_from(["", "en", "pl", "pt-BR", "PL"]),
    st.sampled_from(["", "reddit", "Mastodon"]),
    st.sampled_from(["", "alice", "@Alice@mastodon.social", "bob.bsky.social", "bob"]),
)


def _query(tree: Query) -> Query:
    try:
        return parse(to_text(tree))
    except QuerySyntaxError:
        assume(False)
        raise


@settings(max_examples=300, deadline=None)
@given(tree=trees)
def test_a_written_query_parses_back_to_itself(tree: Query) -> None:
    query = _query(tree)
    assert parse(to_text(query)) == query


# Random queries that cannot be evaluated are skipped with assume(); some seeds skip
# many in a row, which is not a failure of the matcher.
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    topics=st.lists(st.tuples(trees, st.booleans()), min_size=1, max_size=8),
    batch=st.lists(posts, min_size=1, max_size=6),
    finder=st.sampled_from(["automaton", "tokens"]),
)
def test_the_matcher_agrees_with_the_reference(
    topics: list[tuple[Query, bool]], batch: list[PostText], finder: str
) -> None:
    queries = {i: (_query(tree), d) for i, (tree, d) in enumerate(topics)}
    matcher = Matcher(finder=finder, rebuild_delay=60)  # no rebuild: the pending path
    try:
        for topic_id, (query, diacritics) in queries.items():
            matcher.set_topic(topic_id, query, diacritics=diacritics)
        for post in batch:
            expected = {t for t, (q, d) in queries.items() if evaluate(q, post, diacritics=d)}
            assert matcher.match(post) == expected, post
        matcher.load((t, q, d) for t, (q, d) in queries.items())  # the compiled path
        assert matcher.pending == 0
        for post in batch:
            expected = {t for t, (q, d) in queries.items() if evaluate(q, post, diacritics=d)}
            assert matcher.match(post) == expected, post
    finally:
        matcher.close()


changes = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.integers(0, 5), trees, st.booleans()),
        st.tuples(st.just("remove"), st.integers(0, 5)),
        st.tuples(st.just("sync")),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=100, deadline=None)
@given(steps=changes, batch=st.lists(posts, min_size=1, max_size=4))
def test_changes_while_the_builder_runs_never_give_a_wrong_answer(
    steps: list[tuple[object, ...]], batch: list[PostText]
) -> None:
    model: dict[int, tuple[Query, bool]] = {}
    matcher = Matcher(rebuild_delay=0)  # the builder races the checks
    try:
        for step in steps:
            if step[0] == "set":
                _, topic_id, tree, diacritics = step
                assert isinstance(topic_id, int)
                assert isinstance(diacritics, bool)
                query = _query(tree)  # type: ignore[arg-type]
                matcher.set_topic(topic_id, query, diacritics=diacritics)
                model[topic_id] = (query, diacritics)
            elif step[0] == "remove":
                topic_id = step[1]
                assert isinstance(topic_id, int)
                assert matcher.remove_topic(topic_id) == (topic_id in model)
                model.pop(topic_id, None)
            else:
                assert matcher.sync(5)
            for post in batch:
                expected = {t for t, (q, d) in model.items() if evaluate(q, post, diacritics=d)}
                assert matcher.match(post) == expected, (step, post)
    finally:
        matcher.close()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_folding_is_stable(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_folding_with_diacritics_significant_is_stable(text: str) -> None:
    once = fold(text, diacritics=True)
    assert fold(once, diacritics=True) == once


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(exclude_characters='"*'), max_size=30), d=st.booleans())
def test_any_text_as_a_phrase_matches_itself(text: str, d: bool) -> None:
    try:
        query = parse(f'"{text}"')
    except QuerySyntaxError:
        assume(False)
        raise
    matcher = Matcher(rebuild_delay=60)
    try:
        matcher.set_topic(1, query, diacritics=d)
        assert matcher.match(PostText(f"before {text} after")) == {1}
        matcher.load([(1, query, d)])
        assert matcher.match(PostText(f"before {text} after")) == {1}
        assert evaluate(query, PostText(text), diacritics=d)
    finally:
        matcher.close()


query_chars = st.one_of(
    st.sampled_from(['"', "(", ")", "*", "#", "@", ":", " ", "AND ", "OR ", "NOT ", "lang:"]),
    st.characters(),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(query_chars, max_size=40).map("".join))
def test_any_text_parses_or_fails_with_a_position_inside_it(text: str) -> None:
    position: int | None = None
    try:
        query = parse(text)
    except QuerySyntaxError as error:
        position = error.position
    if position is None:
        assert parse(to_text(query)) == query
    else:
        assert 0 <= position <= len(text)

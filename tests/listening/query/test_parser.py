"""The grammar: what parses to which tree, and what fails where."""

from __future__ import annotations

import pytest

from rapport.listening.query import (
    MAX_CHARS,
    MAX_DEPTH,
    MAX_TERMS,
    And,
    Field,
    Handle,
    Hashtag,
    Not,
    Or,
    Phrase,
    Prefix,
    QuerySyntaxError,
    Word,
    parse,
    to_text,
    validate,
)

VALID = [
    ("ford", Word("ford")),
    ("Ford", Word("Ford")),
    ("ford bmw", And((Word("ford"), Word("bmw")))),
    ("ford AND bmw", And((Word("ford"), Word("bmw")))),
    ("ford OR bmw", Or((Word("ford"), Word("bmw")))),
    ("ford and bmw", And((Word("ford"), Word("and"), Word("bmw")))),  # operators are upper case
    ("a OR b c", Or((Word("a"), And((Word("b"), Word("c")))))),  # AND binds tighter
    ("a b OR c", Or((And((Word("a"), Word("b"))), Word("c")))),
    ("(a OR b) c", And((Or((Word("a"), Word("b"))), Word("c")))),
    ("a AND (b AND c)", And((Word("a"), Word("b"), Word("c")))),  # flattened
    ("a OR (b OR c)", Or((Word("a"), Word("b"), Word("c")))),
    ("ford NOT bmw", And((Word("ford"), Not(Word("bmw"))))),
    ("ford AND NOT (bmw OR audi)", And((Word("ford"), Not(Or((Word("bmw"), Word("audi"))))))),
    ("NOT bmw ford", And((Not(Word("bmw")), Word("ford")))),  # NOT binds tighter than AND
    ("NOT NOT ford", Word("ford")),
    ('"ford focus"', Phrase(("ford", "focus"))),
    ('"Ford  Focus!"', Phrase(("Ford", "Focus"))),
    ('"ford"', Word("ford")),
    ('"AND"', Word("AND")),
    ('"ford foc*"', Phrase(("ford", "foc"), prefix=True)),
    ('"ford*"', Prefix("ford")),
    ("ford-focus", Phrase(("ford", "focus"))),
    ("ford's", Phrase(("ford", "s"))),
    ("ford*", Prefix("ford")),
    ("ford-fo*", Phrase(("ford", "fo"), prefix=True)),
    ("#Ford", Hashtag("Ford")),
    ("#ford_focus", Hashtag("ford_focus")),
    ("@ford", Handle("ford")),
    ("@alice.bsky.social", Handle("alice.bsky.social")),
    ("@alice@mastodon.social", Handle("alice@mastodon.social")),
    ("lang:pl", Field("lang", "pl")),
    ("LANG:PT-BR", Field("lang", "pt-br")),
    ("source:reddit", Field("source", "reddit")),
    ("author:@Alice", Field("author", "alice")),
    ("Łódź", Word("Łódź")),
    ('бмв OR "новый бмв"', Or((Word("бмв"), Phrase(("новый", "бмв"))))),
    ("https://ford.com", Phrase(("https", "ford", "com"))),
    ("10:30", Phrase(("10", "30"))),
    ("  ford  ", Word("ford")),
    ("ford OR NOT bmw AND audi", Or((Word("ford"), And((Not(Word("bmw")), Word("audi")))))),
    ("(((ford)))", Word("ford")),
    ("\u201cford focus\u201d", Phrase(("ford", "focus"))),
    ("\u201enowy fiat\u201c OR fiat", Or((Phrase(("nowy", "fiat")), Word("fiat")))),
    ("lang:en NOT ford", And((Field("lang", "en"), Not(Word("ford"))))),
]


@pytest.mark.parametrize(("text", "tree"), VALID)
def test_valid_queries_parse_to_their_tree(text: str, tree: object) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(("text", "tree"), VALID)
def test_a_tree_written_back_parses_to_itself(text: str, tree: object) -> None:
    query = parse(text)
    assert parse(to_text(query)) == query


INVALID = [
    ("", 0, "empty query"),
    ("   ", 0, "empty query"),
    ("(ford", 0, "unclosed parenthesis"),
    ("ford (bmw OR audi", 5, "unclosed parenthesis"),
    ("(", 0, "unclosed parenthesis"),
    ("ford)", 4, "unmatched )"),
    (") ford", 0, "unmatched )"),
    ("()", 0, "empty parentheses"),
    ("ford ()", 5, "empty parentheses"),
    ("ford OR", 5, "OR has nothing after it"),
    ("ford AND", 5, "AND has nothing after it"),
    ("NOT", 0, "NOT has nothing after it"),
    ("ford NOT", 5, "NOT has nothing after it"),
    ("OR ford", 0, "OR needs a term on each side"),
    ("AND ford", 0, "AND needs a term on each side"),
    ("ford AND OR bmw", 9, "OR needs a term on each side"),
    ("ford OR OR bmw", 8, "OR needs a term on each side"),
    ("(ford OR)", 6, "OR has nothing after it"),
    ('ford "bmw', 5, "unclosed quote"),
    ("ford \u201cbmw", 5, "unclosed quote"),
    ('""', 0, "empty phrase"),
    ('ford "  "', 5, "empty phrase"),
    ('"!!"', 0, "empty phrase"),
    ("!!", 0, "'!!' has no letters or digits"),
    ("ford *", 5, "* must follow a letter or digit"),
    ("fo*rd", 2, "* is allowed only at the end of a word"),
    ("f*", 0, "a prefix needs at least 2 letters"),
    ("ford-*", 5, "* must follow a letter or digit"),
    ("#", 0, "a hashtag is # then letters, digits or _"),
    ("#ford-focus", 0, "a hashtag is # then letters, digits or _"),
    ("ford @", 5, "a handle is @ then a name such as alice or alice.bsky.social"),
    ("color:red", 0, "unknown field 'color': use lang:, source: or author:"),
    ("ford lang:", 10, "lang: needs a value"),
    ("lang:english", 5, "lang: takes a language code such as en or pt-br"),
    ("source:a/b", 7, "source: takes a source name such as reddit or rss"),
    ("ford !!", 5, "'!!' has no letters or digits"),
    ("author:a.b!", 7, "author: takes a handle such as alice or @alice"),
    ("NOT ford", 0, "only NOT"),
    ("NOT ford NOT bmw", 0, "only NOT"),
    ("ford OR NOT bmw", 8, "only NOT"),
    ("ford OR (NOT bmw NOT audi)", 9, "only NOT"),
]


@pytest.mark.parametrize(("text", "position", "message"), INVALID)
def test_invalid_queries_say_what_and_where(text: str, position: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as error:
        parse(text)
    assert error.value.position == position
    assert message in error.value.message


def test_limits_keep_a_hostile_query_cheap() -> None:
    with pytest.raises(QuerySyntaxError) as error:
        parse("a" * (MAX_CHARS + 1))
    assert error.value.position == MAX_CHARS
    many = " OR ".join(f"w{i}" for i in range(MAX_TERMS + 1))
    with pytest.raises(QuerySyntaxError) as error:
        parse(many)
    assert error.value.position == many.index(f"w{MAX_TERMS}")
    assert "200 terms" in error.value.message
    parse(" OR ".join(f"w{i}" for i in range(MAX_TERMS)))
    deep = "(" * (MAX_DEPTH + 1) + "ford" + ")" * (MAX_DEPTH + 1)
    with pytest.raises(QuerySyntaxError) as error:
        parse(deep)
    assert error.value.position == MAX_DEPTH
    nots = "NOT " * 450 + "ford"  # would blow the recursion limit without the depth cap
    with pytest.raises(QuerySyntaxError) as error:
        parse(nots)
    assert error.value.position == 4 * MAX_DEPTH


def test_script_payloads_are_just_text() -> None:
    query = parse("<script>alert(1)</script>")
    # "<script>alert" is one bare term (a phrase of its words), "(1)" a group.
    assert query == And((Phrase(("script", "alert")), Word("1"), Word("script")))


def test_a_tree_built_in_code_is_checked_too() -> None:
    assert validate(Or((Word("a"), Word("b")))) == Or((Word("a"), Word("b")))
    with pytest.raises(QuerySyntaxError):
        validate(Not(Word("a")))

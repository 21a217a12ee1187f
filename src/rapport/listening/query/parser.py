"""Query text to a tree, or a ``QuerySyntaxError`` that says what and where.

Grammar (docs/listening-query.md has it with examples); NOT binds tighter than AND,
AND tighter than OR, and two terms side by side are ANDed::

    query   := or EOF
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*
    unary   := "NOT" unary | primary
    primary := "(" or ")" | PHRASE | TERM

Operators are upper-case words; "and" in lower case is a word to look for. Limits keep
a hostile query cheap: 2,000 characters, 200 terms, 32 levels of nesting.

Every query must need a positive term: a query that is only NOT (or has an OR branch
that is only NOT) would match almost every post, and the matcher finds candidate
topics through their positive terms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from .nodes import FIELDS, And, Field, Handle, Hashtag, Not, Or, Phrase, Prefix, Query, Word
from .text import HANDLE_BODY, QUERY_WORD, WORD

MAX_CHARS = 2_000
MAX_TERMS = 200
MAX_DEPTH = 32
MIN_PREFIX = 2

_FIELD = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_LANG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
_SOURCE = re.compile(r"[\w.\-]+")
_HASHTAG_BODY = re.compile(r"\w+")


class QuerySyntaxError(ValueError):
    """``position`` is the 0-based index in the query text the message is about."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at {position})")
        self.message = message
        self.position = position


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "(", ")", "AND", "OR", "NOT", "PHRASE", "TERM"
    text: str
    pos: int


# Typographic quotes too: a query pasted from a document or typed on a phone has them.
_QUOTES = {'"': '"', "\u201c": "\u201d\u201c", "\u201e": "\u201c\u201d"}
_STOPS = frozenset('()"\u201c\u201d\u201e')


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            tokens.append(_Token(c, c, i))
            i += 1
        elif c in _QUOTES:
            closing = _QUOTES[c]
            end = min((p for q in closing if (p := text.find(q, i + 1)) >= 0), default=-1)
            if end < 0:
                raise QuerySyntaxError("unclosed quote", i)
            tokens.append(_Token("PHRASE", text[i + 1 : end], i))
            i = end + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in _STOPS:
                j += 1
            word = text[i:j]
            tokens.append(_Token(word if word in ("AND", "OR", "NOT") else "TERM", word, i))
            i = j
    return tokens


def _words(text: str) -> list[str]:
    # NFKC, as folding will: "ﬁ" is "fi", a full-width or a radical form is a letter.
    return QUERY_WORD.findall(unicodedata.normalize("NFKC", text))


def _text_term(raw: str, pos: int, *, quoted: bool) -> Query:
    """A bare or quoted run of words; several words make a phrase ("ford-focus" is
    "ford focus"), a trailing ``*`` makes the last word a prefix."""
    body = raw.rstrip()
    prefix = body.endswith("*")
    if prefix:
        body = body[:-1]
        if not quoted and "*" in body:
            raise QuerySyntaxError("* is allowed only at the end of a word", pos + body.index("*"))
        if not body or not WORD.fullmatch(body[-1]):
            raise QuerySyntaxError("* must follow a letter or digit", pos + len(body) + quoted)
    elif not quoted and "*" in body:
        raise QuerySyntaxError("* is allowed only at the end of a word", pos + body.index("*"))
    found = tuple(_words(body))
    if not found:
        what = "empty phrase" if quoted else f"{raw!r} has no letters or digits"
        raise QuerySyntaxError(what, pos)
    if prefix and len(found[-1]) < MIN_PREFIX:
        raise QuerySyntaxError(f"a prefix needs at least {MIN_PREFIX} letters", pos)
    if len(found) > 1:
        return Phrase(found, prefix)
    return Prefix(found[0]) if prefix else Word(found[0])


def _field(name: str, value: str, pos: int) -> Field:
    key = name.lower()
    if key not in FIELDS:
        raise QuerySyntaxError(f"unknown field {name!r}: use lang:, source: or author:", pos)
    at = pos + len(name) + 1
    if not value:
        raise QuerySyntaxError(f"{key}: needs a value", at)
    folded = unicodedata.normalize("NFC", value).casefold()
    if key == "lang":
        if not _LANG.fullmatch(folded):
            raise QuerySyntaxError("lang: takes a language code such as en or pt-br", at)
    elif key == "source":
        if not _SOURCE.fullmatch(folded):
            raise QuerySyntaxError("source: takes a source name such as reddit or rss", at)
    else:
        folded = folded.removeprefix("@")
        if not HANDLE_BODY.fullmatch(folded):
            raise QuerySyntaxError("author: takes a handle such as alice or @alice", at)
    return Field(key, folded)


def _term(token: _Token) -> Query:
    raw, pos = token.text, token.pos
    if token.kind == "PHRASE":
        if not raw.strip():
            raise QuerySyntaxError("empty phrase", pos)
        return _text_term(raw, pos, quoted=True)
    if raw.startswith("#"):
        if not _HASHTAG_BODY.fullmatch(raw[1:]):
            raise QuerySyntaxError("a hashtag is # then letters, digits or _", pos)
        return Hashtag(unicodedata.normalize("NFC", raw[1:]))
    if raw.startswith("@"):
        if not HANDLE_BODY.fullmatch(raw[1:]):
            raise QuerySyntaxError(
                "a handle is @ then a name such as alice or alice.bsky.social", pos
            )
        return Handle(unicodedata.normalize("NFC", raw[1:]))
    field = _FIELD.fullmatch(raw)
    if field and not field.group(2).startswith("//"):  # "https://…" is text, not a field
        return _field(field.group(1), field.group(2), pos)
    return _text_term(raw, pos, quoted=False)


_STARTS_UNARY = ("TERM", "PHRASE", "(", "NOT")


class _Parser:
    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0
        self.terms = 0
        self.depth = 0
        self.pos: dict[int, int] = {}  # id(node) -> where it starts, for error messages

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def at(self, node: Query, pos: int) -> Query:
        self.pos.setdefault(id(node), pos)
        return node

    def parse_or(self, after: _Token | None) -> Query:
        items = [self.parse_and(after)]
        while (token := self.peek()) is not None and token.kind == "OR":
            items.append(self.parse_and(self.take()))
        return self.combine(Or, items)

    def parse_and(self, after: _Token | None) -> Query:
        items = [self.parse_unary(after)]
        while (token := self.peek()) is not None:
            if token.kind == "AND":
                items.append(self.parse_unary(self.take()))
            elif token.kind in _STARTS_UNARY:
                items.append(self.parse_unary(None))
            else:
                break
        return self.combine(And, items)

    def combine(self, kind: type[And] | type[Or], items: list[Query]) -> Query:
        if len(items) == 1:
            return items[0]
        flat: list[Query] = []
        for item in items:
            flat.extend(item.operands if isinstance(item, kind) else (item,))
        return self.at(kind(tuple(flat)), self.pos[id(items[0])])

    def parse_unary(self, after: _Token | None) -> Query:
        token = self.peek()
        if token is None:
            if after is None:
                raise QuerySyntaxError("empty query", 0)
            if after.kind == "(":
                raise QuerySyntaxError("unclosed parenthesis", after.pos)
            raise QuerySyntaxError(f"{after.text} has nothing after it", after.pos)
        if token.kind in ("AND", "OR"):
            raise QuerySyntaxError(f"{token.kind} needs a term on each side", token.pos)
        if token.kind == ")":
            if after is None:
                raise QuerySyntaxError("unmatched )", token.pos)
            if after.kind == "(":
                raise QuerySyntaxError("empty parentheses", after.pos)
            raise QuerySyntaxError(f"{after.text} has nothing after it", after.pos)
        self.take()
        if token.kind == "NOT":
            operand = self.nested(token, lambda: self.parse_unary(token))
            if isinstance(operand, Not):  # NOT NOT x is x
                return operand.operand
            return self.at(Not(operand), token.pos)
        if token.kind == "(":
            inner = self.nested(token, lambda: self.parse_or(token))
            close = self.peek()
            if close is None or close.kind != ")":
                raise QuerySyntaxError("unclosed parenthesis", token.pos)
            self.take()
            return inner
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QuerySyntaxError(f"more than {MAX_TERMS} terms", token.pos)
        return self.at(_term(token), token.pos)

    def nested(self, token: _Token, inner: Callable[[], Query]) -> Query:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError(f"nested more than {MAX_DEPTH} levels deep", token.pos)
        try:
            return inner()
        finally:
            self.depth -= 1


def _without_positive_term(query: Query) -> Query | None:
    """The part of the query that could be true with none of its positive terms in the
    post (a NOT, an AND of NOTs, an OR with such a branch), or None if there is none."""
    if isinstance(query, Not):
        return query
    if isinstance(query, And):
        loose = [_without_positive_term(o) for o in query.operands]
        return query if all(f is not None for f in loose) else None
    if isinstance(query, Or):
        for operand in query.operands:
            if (found := _without_positive_term(operand)) is not None:
                return found
    return None


_ONLY_NOT = (
    "this part of the query has only NOT terms and would match almost every post; "
    "add a word, phrase, hashtag, handle or field it must contain"
)


def parse(text: str) -> Query:
    """The query's tree; raises ``QuerySyntaxError`` with the position of the problem."""
    if len(text) > MAX_CHARS:
        raise QuerySyntaxError(f"a query is at most {MAX_CHARS:,} characters", MAX_CHARS)
    parser = _Parser(text, _lex(text))
    query = parser.parse_or(None)
    if (extra := parser.peek()) is not None:  # only a stray ")" can stop the loops early
        raise QuerySyntaxError("unmatched )", extra.pos)
    if (loose := _without_positive_term(query)) is not None:
        raise QuerySyntaxError(_ONLY_NOT, parser.pos.get(id(loose), 0))
    return query


def validate(query: Query) -> Query:
    """A tree built in code (not parsed) checked the same way; position 0."""
    if _without_positive_term(query) is not None:
        raise QuerySyntaxError(_ONLY_NOT, 0)
    return query

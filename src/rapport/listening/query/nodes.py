"""The parsed query: frozen dataclasses, compared and hashed by value.

Terms keep the text as the user wrote it (NFC, case kept) so a query can be shown
back; folding happens when a topic is compiled, because it depends on the topic's
diacritics setting. ``And`` and ``Or`` are flat (``a AND (b AND c)`` is one ``And``
of three) and a double ``NOT`` is gone, so equal queries have equal trees."""

from __future__ import annotations

from dataclasses import dataclass

FIELDS = ("lang", "source", "author")
OPERATORS = ("AND", "OR", "NOT")


@dataclass(frozen=True, slots=True)
class Word:
    """One word: matches that word, whole (``ford`` is not in ``afford``)."""

    text: str


@dataclass(frozen=True, slots=True)
class Prefix:
    """``ford*``: any word starting with ``ford``, ``ford`` included."""

    text: str


@dataclass(frozen=True, slots=True)
class Phrase:
    """``"ford focus"``: the words next to each other in this order; with ``prefix``
    (``"ford foc*"``) the last one only has to start the post's word."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Hashtag:
    """``#ford``: the hashtag, not the plain word (``ford`` matches both)."""

    tag: str


@dataclass(frozen=True, slots=True)
class Handle:
    """``@ford``: a mention of the account (on any instance, for a bare name)."""

    handle: str


@dataclass(frozen=True, slots=True)
class Field:
    """``lang:pl``, ``source:reddit``, ``author:alice``: the post's metadata, not its text."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Not:
    operand: Query


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Query, ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Query, ...]


Term = Word | Prefix | Phrase | Hashtag | Handle | Field
Query = Word | Prefix | Phrase | Hashtag | Handle | Field | Not | And | Or
TERM_TYPES = (Word, Prefix, Phrase, Hashtag, Handle, Field)


def to_text(query: Query) -> str:
    """The query written back in the language; ``parse(to_text(q)) == q``."""
    if isinstance(query, Word):
        return f'"{query.text}"' if query.text in OPERATORS else query.text
    if isinstance(query, Prefix):
        return f"{query.text}*"
    if isinstance(query, Phrase):
        return '"' + " ".join(query.words) + ("*" if query.prefix else "") + '"'
    if isinstance(query, Hashtag):
        return f"#{query.tag}"
    if isinstance(query, Handle):
        return f"@{query.handle}"
    if isinstance(query, Field):
        return f"{query.name}:{query.value}"
    if isinstance(query, Not):
        inner = to_text(query.operand)
        return f"NOT ({inner})" if isinstance(query.operand, And | Or) else f"NOT {inner}"
    if isinstance(query, And):
        return " AND ".join(
            f"({to_text(o)})" if isinstance(o, Or) else to_text(o) for o in query.operands
        )
    return " OR ".join(to_text(o) for o in query.operands)


def terms(query: Query) -> list[Term]:
    """Every term of the query, in order, under NOT or not."""
    if isinstance(query, Not):
        return terms(query.operand)
    if isinstance(query, And | Or):
        return [t for o in query.operands for t in terms(o)]
    return [query]

"""A topic's query turned into what the matcher runs: keys for its terms (folded the
topic's way), a predicate over the set of terms a post contains, and the few terms
that can make the topic a candidate at all (its anchors).

Anchors: a topic can be true only if one of its anchors is in the post. A term is its
own anchor; an OR needs all its branches' anchors; an AND needs only one operand's,
so it takes the operand whose terms look rarest. Rarity is guessed from the other
topics: a term many topics use ("price", "cena") is a word many posts use, a brand
name is used by a few; a field (``lang:en``) comes last. ``ford AND (price OR cena)``
becomes a candidate only on posts that say "ford", not on every post about prices."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import partial

from .nodes import And, Handle, Hashtag, Not, Or, Phrase, Prefix, Query, Term, Word
from .post import CASED, FOLDED, PostTokens
from .text import WORD, fold, handle_keys, intern

# A term key: its kind ("t" text, "#", "@", "f" field), then what identifies it.
Key = tuple[object, ...]
Predicate = Callable[[AbstractSet[int]], bool]


def mode_of(diacritics: bool) -> int:
    return CASED if diacritics else FOLDED


def _fold_words(parts: Iterable[str], mode: int) -> tuple[str, ...]:
    return tuple(
        intern(w) for part in parts for w in WORD.findall(fold(part, diacritics=mode == CASED))
    )


def term_key(term: Term, mode: int) -> Key | None:
    """The term's identity after folding; None for a term that folds to nothing and so
    can never match."""
    if isinstance(term, Word | Prefix | Phrase):
        parts = term.words if isinstance(term, Phrase) else (term.text,)
        found = _fold_words(parts, mode)
        prefix = isinstance(term, Prefix) or (isinstance(term, Phrase) and term.prefix)
        return ("t", mode, found, prefix) if found else None
    if isinstance(term, Hashtag):
        return ("#", mode, intern(fold(term.tag, diacritics=mode == CASED)))
    if isinstance(term, Handle):
        keys = handle_keys(fold(term.handle, diacritics=mode == CASED))
        return ("@", mode, intern(keys[0])) if keys else None
    return ("f", term.name, intern(fold(term.value)))


class Interner:
    """Term keys to small ints, shared by all topics and stable while a topic that uses
    the term lives, so a rebuild recompiles only the topics that changed."""

    def __init__(self) -> None:
        self._ids: dict[Key, int] = {}
        self._keys: list[Key | None] = []
        self._refs: list[int] = []
        self._free: list[int] = []

    def acquire(self, key: Key) -> int:
        found = self._ids.get(key)
        if found is None:
            if self._free:
                found = self._free.pop()
                self._keys[found] = key
                self._refs[found] = 0
            else:
                found = len(self._keys)
                self._keys.append(key)
                self._refs.append(0)
            self._ids[key] = found
        self._refs[found] += 1
        return found

    def release(self, ids: Iterable[int]) -> None:
        for term_id in ids:
            self._refs[term_id] -= 1
            if self._refs[term_id] == 0:
                key = self._keys[term_id]
                assert key is not None
                del self._ids[key]
                self._keys[term_id] = None
                self._free.append(term_id)

    def refs(self, term_id: int) -> int:
        """How many topics use the term."""
        return self._refs[term_id]

    def live(self) -> Iterator[tuple[int, Key]]:
        for term_id, key in enumerate(self._keys):
            if key is not None:
                yield term_id, key

    def __len__(self) -> int:
        return len(self._ids)


@dataclass(frozen=True, slots=True)
class CompiledTopic:
    predicate: Predicate | None  # None: any anchor in the post makes the topic true
    anchors: tuple[int, ...]
    term_ids: tuple[int, ...]  # every acquired id, for Interner.release


def _cost(key: Key, term_id: int, interner: Interner) -> float:
    """Lower for terms likely to be in fewer posts."""
    kind = key[0]
    if kind == "f":
        return 10_000.0 + interner.refs(term_id)
    return interner.refs(term_id) - _specificity(key) / 1_000


def _specificity(key: Key) -> int:
    kind = key[0]
    if kind == "t":
        found = key[2]
        assert isinstance(found, tuple)
        chars = sum(len(w) for w in found) + 3 * (len(found) - 1)
        return chars - 1 if key[3] else chars
    if kind in ("#", "@"):
        return len(str(key[2])) + 3
    return 0


def _anchors(query: Query, terms: Acquired, interner: Interner) -> list[int] | None:
    if isinstance(query, Not):
        return None
    if isinstance(query, Or):
        found: list[int] = []
        for operand in query.operands:
            sub = _anchors(operand, terms, interner)
            if sub is None:
                return None
            found.extend(sub)
        return found
    if isinstance(query, And):
        options = [a for o in query.operands if (a := _anchors(o, terms, interner)) is not None]
        if not options:
            return None
        keys = terms.key_of
        return min(options, key=lambda ids: sum(_cost(keys[i], i, interner) for i in ids))
    term_id = terms.ids[id(query)]
    return [] if term_id is None else [term_id]


def _expression(query: Query, ids: dict[int, int | None], args: list[int]) -> str:
    """The query as a Python expression over ``s`` (the set of term ids in the post)
    whose only names are ``s`` and ``t0``, ``t1`` …, bound to ``args``."""
    if isinstance(query, Not):
        return f"not {_expression(query.operand, ids, args)}"
    if isinstance(query, And | Or):
        joint = " and " if isinstance(query, And) else " or "
        return "(" + joint.join(_expression(o, ids, args) for o in query.operands) + ")"
    term_id = ids[id(query)]
    if term_id is None:
        return "False"
    args.append(term_id)
    return f"(t{len(args) - 1} in s)"


# Topics share shapes ("a AND (b OR c) NOT d"), so one function per shape serves all.
_SHAPES: dict[str, Callable[..., bool]] = {}
_MAX_SHAPES = 10_000


def _predicate(query: Query, ids: dict[int, int | None]) -> Predicate:
    """One generated function per shape, its term ids bound with ``partial``: a
    candidate costs one call of plain ``in`` tests, not a tree of closures (three times
    faster, and it runs for every candidate of every post)."""
    args: list[int] = []
    body = _expression(query, ids, args)
    shape = _SHAPES.get(body)
    if shape is None:
        params = "".join(f"t{i}, " for i in range(len(args)))
        # The source is made here from "t<n> in s", not, and, or, parentheses and
        # False: no text of the query reaches it.
        shape = eval(f"lambda {params}s: {body}")  # noqa: S307
        if len(_SHAPES) < _MAX_SHAPES:
            _SHAPES[body] = shape
    return partial(shape, *args)


def _is_disjunction(query: Query) -> bool:
    if isinstance(query, Or):
        return all(not isinstance(o, And | Or | Not) for o in query.operands)
    return not isinstance(query, And | Not)


def _walk_terms(query: Query) -> Iterator[Term]:
    if isinstance(query, Not):
        yield from _walk_terms(query.operand)
    elif isinstance(query, And | Or):
        for operand in query.operands:
            yield from _walk_terms(operand)
    else:
        yield query


@dataclass(frozen=True, slots=True)
class Acquired:
    """A topic's terms interned (by the term objects' ids within its tree)."""

    ids: dict[int, int | None]
    key_of: dict[int, Key]  # term id -> key
    term_ids: tuple[int, ...]


def acquire(query: Query, diacritics: bool, interner: Interner) -> Acquired:
    mode = mode_of(diacritics)
    ids: dict[int, int | None] = {}
    key_of: dict[int, Key] = {}
    acquired: list[int] = []
    for term in _walk_terms(query):
        key = term_key(term, mode)
        if key is None:
            ids[id(term)] = None
            continue
        term_id = ids[id(term)] = interner.acquire(key)
        key_of[term_id] = key
        acquired.append(term_id)
    return Acquired(ids, key_of, tuple(acquired))


def finish(query: Query, terms: Acquired, interner: Interner) -> CompiledTopic:
    """Anchors and predicate, once every topic of the build has acquired its terms (so
    the interner's counts say how common each term is)."""
    anchors = tuple(sorted(set(_anchors(query, terms, interner) or ())))
    predicate = None if _is_disjunction(query) else _predicate(query, terms.ids)
    return CompiledTopic(predicate, anchors, terms.term_ids)


def compile_topic(query: Query, diacritics: bool, interner: Interner) -> CompiledTopic:
    return finish(query, acquire(query, diacritics, interner), interner)


# The direct path: a topic evaluated on its own against a post's tokens. Slower per
# topic than the shared index, but ready the moment a topic is saved.
Direct = Callable[[PostTokens], bool]


def _text_direct(found: tuple[str, ...], prefix: bool, mode: int) -> Direct:
    if len(found) == 1:
        word = found[0]
        if prefix:
            return lambda p: any(w.startswith(word) for w in p.words(mode))
        return lambda p: word in p.word_set(mode)
    *head, last = found
    size = len(found)

    def phrase(p: PostTokens) -> bool:
        ws = p.words(mode)
        for i in range(len(ws) - size + 1):
            if ws[i : i + size - 1] == head and (
                ws[i + size - 1].startswith(last) if prefix else ws[i + size - 1] == last
            ):
                return True
        return False

    return phrase


def compile_direct(query: Query, diacritics: bool) -> Direct:
    mode = mode_of(diacritics)
    if isinstance(query, Not):
        inner = compile_direct(query.operand, diacritics)
        return lambda p: not inner(p)
    if isinstance(query, And):
        parts = [compile_direct(o, diacritics) for o in query.operands]
        return lambda p: all(f(p) for f in parts)
    if isinstance(query, Or):
        parts = [compile_direct(o, diacritics) for o in query.operands]
        return lambda p: any(f(p) for f in parts)
    key = term_key(query, mode)
    if key is None:
        return lambda _: False
    kind, value = key[0], key[2]
    if kind == "t":
        assert isinstance(value, tuple)
        return _text_direct(value, bool(key[3]), mode)
    if kind == "#":
        return lambda p: value in p.tokens(mode)[1]
    if kind == "@":
        return lambda p: value in p.tokens(mode)[2]
    field = (str(key[1]), str(key[2]))
    return lambda p: field in p.fields

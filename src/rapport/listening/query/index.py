"""One immutable snapshot of every topic, compiled: the finders for text terms, dicts
for hashtags, handles and fields, which topics each term can make candidates, and the
topics' predicates. Readers use a snapshot without locks; the matcher builds a new one
and swaps it in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .compile import CompiledTopic, Interner, Predicate
from .post import PostTokens
from .terms import FINDERS, Finder, TextTerm

_MODES = (0, 1)


@dataclass(frozen=True, slots=True)
class Index:
    finders: tuple[Finder | None, Finder | None]  # by mode
    hashtags: tuple[dict[str, int], dict[str, int]]  # by mode
    handles: tuple[dict[str, int], dict[str, int]]
    fields: dict[tuple[str, str], int]
    anchors: dict[int, tuple[int, ...]]  # term id -> topic ids it makes candidates
    predicates: dict[int, Predicate | None]  # topic id -> predicate

    def terms_in(self, post: PostTokens) -> set[int]:
        present: set[int] = set()
        for mode in _MODES:
            finder, tags, names = self.finders[mode], self.hashtags[mode], self.handles[mode]
            if finder is None and not tags and not names:
                continue
            words, post_tags, post_names = post.tokens(mode)
            if finder is not None:
                finder.find(words, present)
            if tags:
                present.update(t for tag in post_tags if (t := tags.get(tag)) is not None)
            if names:
                present.update(t for name in post_names if (t := names.get(name)) is not None)
        if self.fields:
            fields = self.fields
            present.update(t for key in post.fields if (t := fields.get(key)) is not None)
        return present

    def match(self, post: PostTokens) -> set[int]:
        present = self.terms_in(post)
        if not present:
            return set()
        candidates: set[int] = set()
        for topics in map(self.anchors.get, present):
            if topics is not None:
                candidates.update(topics)
        predicates = self.predicates
        return {t for t in candidates if (p := predicates[t]) is None or p(present)}


EMPTY = Index((None, None), ({}, {}), ({}, {}), {}, {}, {})


def build_index(
    topics: Mapping[int, CompiledTopic], interner: Interner, finder: str = "automaton"
) -> Index:
    text: tuple[list[TextTerm], list[TextTerm]] = ([], [])
    hashtags: tuple[dict[str, int], dict[str, int]] = ({}, {})
    handles: tuple[dict[str, int], dict[str, int]] = ({}, {})
    fields: dict[tuple[str, str], int] = {}
    for term_id, key in interner.live():
        kind = key[0]
        if kind == "t":
            mode, found, prefix = key[1], key[2], key[3]
            assert isinstance(mode, int)
            assert isinstance(found, tuple)
            text[mode].append((found, bool(prefix), term_id))
        elif kind == "#":
            hashtags[int(key[1])][str(key[2])] = term_id  # type: ignore[call-overload]
        elif kind == "@":
            handles[int(key[1])][str(key[2])] = term_id  # type: ignore[call-overload]
        else:
            fields[(str(key[1]), str(key[2]))] = term_id
    anchors: dict[int, list[int]] = {}
    for topic_id, compiled in topics.items():
        for term_id in compiled.anchors:
            anchors.setdefault(term_id, []).append(topic_id)
    make = FINDERS[finder]
    return Index(
        finders=(make(text[0]) if text[0] else None, make(text[1]) if text[1] else None),
        hashtags=hashtags,
        handles=handles,
        fields=fields,
        anchors={term_id: tuple(ids) for term_id, ids in anchors.items()},
        predicates={topic_id: c.predicate for topic_id, c in topics.items()},
    )

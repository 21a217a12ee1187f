"""Finding which text terms (words, prefixes, phrases) a post's words contain, for all
topics at once. Two ways, same answers; bench/bench_matcher.py measures both.

- ``AutomatonFinder``: one Aho-Corasick automaton over the terms written with spaces
  around them (" ford " a word, " ford" a prefix, " ford focus " a phrase), run over
  the post's words joined the same way; the scan is in C and its cost does not grow
  with the number of terms.
- ``TokenSetFinder``: a dict lookup per word, per prefix length and per phrase start,
  in Python."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from operator import itemgetter
from typing import Protocol

import ahocorasick

_second = itemgetter(1)  # (end, term id) -> term id

# (words, prefix, term id)
TextTerm = tuple[tuple[str, ...], bool, int]


class Finder(Protocol):
    def find(self, words: list[str], out: set[int]) -> None: ...


class AutomatonFinder:
    def __init__(self, terms: Iterable[TextTerm]) -> None:
        automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for found, prefix, term_id in terms:
            automaton.add_word(" " + " ".join(found) + ("" if prefix else " "), term_id)
        self._empty = len(automaton) == 0
        if not self._empty:
            automaton.make_automaton()
        self._automaton = automaton

    def find(self, words: list[str], out: set[int]) -> None:
        if self._empty or not words:
            return
        out.update(map(_second, self._automaton.iter(" " + " ".join(words) + " ")))


class TokenSetFinder:
    def __init__(self, terms: Iterable[TextTerm]) -> None:
        self._words: dict[str, int] = {}
        self._prefixes: dict[str, int] = {}
        phrases: defaultdict[str, list[TextTerm]] = defaultdict(list)
        for found, prefix, term_id in terms:
            if len(found) > 1:
                phrases[found[0]].append((found, prefix, term_id))
            elif prefix:
                self._prefixes[found[0]] = term_id
            else:
                self._words[found[0]] = term_id
        self._phrases = dict(phrases)
        lengths = [len(p) for p in self._prefixes]
        self._shortest = min(lengths, default=0)
        self._longest = max(lengths, default=0)

    def find(self, words: list[str], out: set[int]) -> None:
        exact, prefixes, phrases = self._words, self._prefixes, self._phrases
        for i, word in enumerate(words):
            if (term_id := exact.get(word)) is not None:
                out.add(term_id)
            if prefixes:
                for size in range(self._shortest, min(len(word), self._longest) + 1):
                    if (term_id := prefixes.get(word[:size])) is not None:
                        out.add(term_id)
            for found, prefix, term_id in phrases.get(word, ()):
                end = i + len(found)
                if end > len(words):
                    continue
                tail = words[end - 1]
                if words[i + 1 : end - 1] == list(found[1:-1]) and (
                    tail.startswith(found[-1]) if prefix else tail == found[-1]
                ):
                    out.add(term_id)


FINDERS: dict[str, type[AutomatonFinder] | type[TokenSetFinder]] = {
    "automaton": AutomatonFinder,
    "tokens": TokenSetFinder,
}

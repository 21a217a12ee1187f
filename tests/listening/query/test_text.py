"""Folding and word boundaries, directly and through the matcher."""

from __future__ import annotations

import pytest

from rapport.listening.query import Matcher, PostText, fold
from rapport.listening.query.text import handles, hashtags, words


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Łódź", "lodz"),
        ("Straße", "strasse"),
        ("STRASSE", "strasse"),
        ("Ørsted", "orsted"),
        ("Polska Żółć", "polska zolc"),
        ("Đorđe Þór Æsir Œuvre", "dorde thor aesir oeuvre"),
        ("Iğdır", "igdir"),
        ("Ħamrun", "hamrun"),
        ("Crème brûlée", "creme brulee"),
        ("ﬁne ＦＯＲＤ", "fine ford"),
        ("Полина", "полина"),
        ("ЁЖИК ёлка", "ежик елка"),
        ("Йогурт мой", "йогурт мой"),  # й is a letter, not an accented и
        ("Ўзбек", "ўзбек"),
        ("Їжак", "їжак"),
    ],
)
def test_fold_ignores_case_and_diacritics(written: str, folded: str) -> None:
    assert fold(written) == folded


def test_cyrillic_is_not_transliterated() -> None:
    assert fold("БМВ") == "бмв"
    assert fold("БМВ") != "bmv"


def test_with_diacritics_significant_only_case_folds() -> None:
    assert fold("Łódź", diacritics=True) == "łódź"
    assert fold("Straße", diacritics=True) == "strasse"
    assert fold("Ёлка", diacritics=True) == "ёлка"
    assert fold("e\u0301", diacritics=True) == "é"  # composed, so one word


def test_words_hashtags_and_handles_are_separate_tokens() -> None:
    text = fold("RT @Alice@mastodon.social: #Ford_Focus beats BMW! mail bob@example.com #1")
    assert words(text)[:4] == ["rt", "alice", "mastodon", "social"]
    assert "ford" in words(text)  # a plain word inside the hashtag counts
    assert hashtags(text) == ["ford_focus", "1"]
    assert handles(text) == ["alice@mastodon.social", "alice"]  # not bob: an email


def _matches(query: str, text: str, **kwargs: bool) -> bool:
    matcher = Matcher()
    try:
        matcher.set_topic(1, query, **kwargs)
        direct = matcher.match(PostText(text)) == {1}
        assert matcher.sync(5)
        compiled = matcher.match(PostText(text)) == {1}
        assert direct == compiled, "the direct and the compiled path disagree"
        return compiled
    finally:
        matcher.close()


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("ford", "I can't afford it", False),
        ("ford", "Ford's new model", True),
        ("ford", "fords everywhere", False),
        ("ford*", "fords everywhere", True),
        ("ford", "the_ford_fan", True),  # "_" separates words, as in #ford_focus
        ("ford", "FORD!!!", True),
        ("ford", "#fordfiesta", False),
        ("бмв", "новая бмвшка", False),
        ("бмв*", "новая бмвшка", True),
        ("бмв", "Новая БМВ, 2024", True),
        ("полина", "Полина пишет", True),
        ("lodz", "Wracam do Łodzi", False),
        ("łódź", "Festiwal w ŁÓDŹ", True),
        ("lodz", "Festiwal w Łódź", True),
        ("Łódź", "lodz today", True),
        ("strasse", "Hauptstraße 5", False),
        ("straße", "Straße gesperrt", True),
        ("strasse", "Straße gesperrt", True),
        ("orsted", "Ørsted wind farm", True),
        ("ørsted", "ORSTED wind farm", True),
    ],
)
def test_word_boundaries_and_folding(query: str, text: str, expected: bool) -> None:
    assert _matches(query, text) is expected


def test_a_topic_can_make_diacritics_significant() -> None:
    assert _matches("łódź", "lodz", diacritics=False)
    assert not _matches("łódź", "lodz", diacritics=True)
    assert _matches("łódź", "ŁÓDŹ", diacritics=True)
    assert not _matches("lodz", "Łódź", diacritics=True)
    assert not _matches("елка", "ёлка", diacritics=True)
    assert _matches("елка", "ёлка")

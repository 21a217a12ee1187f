"""Language id on short social posts, restricted to a workspace's languages or not."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from rapport.nlp.language import UNDETERMINED, detect

WORKSPACE = ("en", "pl", "ru", "nl", "de")
POSTS = [
    ("en", "@DeltaAir 3 hours on the tarmac and not one update, pathetic"),
    ("en", "anyone know if the new pixel is worth it?"),
    ("pl", "paczka miała być wczoraj, a dzisiaj status zwrócona do nadawcy. serio??"),
    ("pl", "najlepsza kawa w mieście, polecam 😍"),
    ("ru", "связь пропадает каждый раз, как захожу на кухню"),
    ("ru", "спасибо за быструю доставку!"),
    ("nl", "Ziggo ligt er weer uit, derde keer deze week"),
    ("nl", "eindelijk thuis, niks beter dan je eigen bed"),
    ("de", "die neue Sparkassen App ist eine Katastrophe"),
    ("de", "Flüge nach Barcelona für Mai gebucht, so happy 🇪🇸"),
]


@pytest.mark.parametrize(("expected", "text"), POSTS)
def test_short_posts_in_the_workspace_languages(expected: str, text: str) -> None:
    language, confidence = detect(text, WORKSPACE)
    assert language == expected
    assert 0.5 < confidence <= 1.0


def test_unrestricted_detection_still_names_the_language() -> None:
    assert detect("Die Bahn hat schon wieder Verspätung, ich komme zu spät zur Arbeit")[0] == "de"
    assert detect("Почта России, вы вообще работаете? посылка идёт месяц")[0] == "ru"


@pytest.mark.parametrize("text", ["", "   ", "😡😡🔥", "@user http://t.co/x #42 !!!"])
def test_no_words_is_undetermined(text: str) -> None:
    assert detect(text, WORKSPACE) == (UNDETERMINED, 0.0)


def test_one_allowed_language_is_the_answer() -> None:
    assert detect("ok", ["nl"]) == ("nl", 1.0)


def test_unknown_codes_are_refused() -> None:
    with pytest.raises(ValueError, match="xx"):
        detect("hello there", ["en", "xx"])


def test_restrictions_do_not_leak_between_threads() -> None:
    text = "dank je wel voor de snelle hulp"  # Dutch, close enough to German and English
    jobs = [(text, ("nl", "de", "en")), (text, ("de", "en"))] * 50
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda job: detect(*job)[0], jobs))
    assert results[::2] == ["nl"] * 50
    assert all(language in {"de", "en"} for language in results[1::2])

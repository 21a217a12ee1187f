"""Folding and tokenising, the same for a topic's terms and for a post's text, so the
two meet on equal terms.

``fold`` case-folds and, unless diacritics are significant, strips them: NFKD splits
"ó" into "o" + a combining accent, the accent is dropped, and a table handles the
letters that do not decompose (ł, ø, ß, đ, æ …). Cyrillic is case-folded, never
transliterated; ё loses its diaeresis like any accented letter, but й, ў and ї are letters of
their own in Russian, Belarusian and Ukrainian and are kept.

A word is a run of letters and digits (``[^\\W_]+``), so word boundaries hold in every
script Python's ``re`` knows: "ford" is not in "afford", "бмв" is not in "бмвшка".
Hashtags and @handles are tokens of their own kind besides the words they contain."""

from __future__ import annotations

import re
import sys
import unicodedata

WORD = re.compile(r"[^\W_]+")
HASHTAG = re.compile(r"(?<![\w#&])#(\w+)")
# "@alice", "@alice.bsky.social", "@alice@mastodon.social"; an email is not a handle
# because its "@" follows a letter.
HANDLE = re.compile(r"(?<![\w@])@(\w[\w.\-]*(?:@\w[\w\-]*(?:\.[\w\-]+)+)?)")
HANDLE_BODY = re.compile(r"\w(?:[\w.\-]*\w)?(?:@\w[\w\-]*(?:\.[\w\-]+)+)?")

# Letters with no decomposition, after case folding (casefold already made ß "ss").
_UNDECOMPOSED = {
    "ł": "l", "ø": "o", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i",
    "ħ": "h", "ŧ": "t", "ŀ": "l", "ĸ": "k", "ŋ": "n", "ƀ": "b", "ɨ": "i", "ʉ": "u",
    "ɍ": "r", "ȼ": "c", "ɇ": "e", "ɉ": "j", "ƶ": "z", "ꝁ": "k",
}  # fmt: skip
_MARK_RANGES = (
    (0x0300, 0x036F), (0x0483, 0x0489), (0x0591, 0x05C7), (0x0610, 0x061A),
    (0x064B, 0x065F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)  # fmt: skip


def _mark_class() -> str:
    cps = [
        cp
        for low, high in _MARK_RANGES
        for cp in range(low, high + 1)
        if unicodedata.combining(chr(cp)) or unicodedata.category(chr(cp)) == "Mn"
    ]
    runs: list[list[int]] = []
    for cp in cps:
        if runs and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return "".join(f"{chr(a)}-{chr(b)}" for a, b in runs)


_MARK_CLASS = _mark_class()
# Regular expressions rather than str.translate: translate looks every character up
# in a dict, three times slower on a post.
_MARKS = re.compile(f"[{_MARK_CLASS}]+")
# A query's words are cut before folding (to keep the user's spelling), so a combining
# mark that has no precomposed letter must stay inside its word, as it will in the
# post once folding has removed it (or, with diacritics significant, split it there
# as it splits the post).
QUERY_WORD = re.compile(f"[^\\W_](?:[^\\W_]|[{_MARK_CLASS}])*")
_SPECIAL = re.compile("[" + "".join(_UNDECOMPOSED) + "]")
# NFKD splits these Cyrillic letters too; they are letters, not accented ones.
_KEEP = (("и\u0306", "й"), ("у\u0306", "ў"), ("і\u0308", "ї"))


def _special(match: re.Match[str]) -> str:
    return _UNDECOMPOSED[match.group()]


def fold(text: str, *, diacritics: bool = False) -> str:
    """Case-folded text; with ``diacritics=False`` (the default) also without
    diacritics, so "Łódź" and "LODZ" both become "lodz". With ``diacritics=True`` they
    are significant: only case and compatibility forms (ﬁ, full-width letters) fold."""
    if text.isascii():
        return text.lower()
    # Normalised on both sides of casefold: bold mathematical A has no case until NFKD,
    # and casefold can make letters that decompose ("ǅ" -> "ǆ").
    if diacritics:
        return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    if "\u0306" in text or "\u0308" in text:
        for split, letter in _KEEP:
            text = text.replace(split, letter)
    text = _MARKS.sub("", text)
    return text if text.isascii() else _SPECIAL.sub(_special, text)


def words(folded: str) -> list[str]:
    return WORD.findall(folded)


def hashtags(folded: str) -> list[str]:
    return HASHTAG.findall(folded) if "#" in folded else []


def handle_keys(handle: str) -> tuple[str, ...]:
    """The names a folded handle answers to: "alice@mastodon.social" is also "alice"
    (a query for @alice matches her on any instance); "alice.bsky.social" is itself."""
    handle = handle.lstrip("@").rstrip(".-")
    if "@" in handle:
        return (handle, handle.split("@", 1)[0])
    return (handle,) if handle else ()


def handles(folded: str) -> list[str]:
    if "@" not in folded:
        return []
    return [key for found in HANDLE.findall(folded) for key in handle_keys(found)]


def intern(value: str) -> str:
    """Terms repeat across thousands of topics; one string each keeps memory down."""
    return sys.intern(value)

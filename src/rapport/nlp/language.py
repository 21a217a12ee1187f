"""Language of a post: py3langid, restricted to the workspace's languages when it has some.

py3langid's ``set_languages`` changes the identifier it is called on, so the module-level
one cannot be shared by threads that want different restrictions. Instead one full model
is loaded once and each distinct restriction gets its own shallow copy (the big arrays are
shared, the restricted columns are the copy's own), built once under a lock and never
changed afterwards, so ``detect`` itself needs no lock.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Sequence
from typing import Any

UNDETERMINED = "und"

# What says nothing about a language: links, handles, hashtag signs, digits, emoji, marks.
_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+|[#\d_]")
_HAS_LETTER = re.compile(r"[^\W\d_]")

_lock = threading.Lock()
_identifiers: dict[tuple[str, ...], Any] = {}


def _identifier(allowed: tuple[str, ...]) -> Any:
    found = _identifiers.get(allowed)
    if found is not None:
        return found
    with _lock:
        if allowed in _identifiers:
            return _identifiers[allowed]
        if () not in _identifiers:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifiers[()] = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        identifier = _identifiers[()]
        if allowed:
            identifier = copy.copy(identifier)
            identifier.set_languages(list(allowed))
            _identifiers[allowed] = identifier
        return identifier


def supported() -> list[str]:
    """Every ISO 639-1 code the identifier knows."""
    return list(_identifier(()).labels)


def detect(text: str, allowed: Sequence[str] = ()) -> tuple[str, float]:
    """ISO 639-1 code and a confidence in [0, 1]; ``("und", 0.0)`` when there are no words.

    ``allowed`` restricts the answer to those languages (a workspace's languages): on short
    posts that is most of the accuracy. Codes py3langid does not know raise ``ValueError``.
    """
    cleaned = _NOISE.sub(" ", text)
    if not _HAS_LETTER.search(cleaned):
        return UNDETERMINED, 0.0
    key = tuple(sorted(set(allowed)))
    if len(key) == 1:
        _identifier(key)  # still validates the code
        return key[0], 1.0
    language, confidence = _identifier(key).classify(cleaned)
    return str(language), min(1.0, max(0.0, float(confidence)))

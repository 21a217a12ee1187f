"""Reading single values out of a network's JSON, the same careful way in every
parser: a count is a non-negative integer or nothing, a link is http(s) or nothing, a
time carries its zone or is not a time, and text loses the characters that hide or
reorder what a person sees."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

# C0/C1 controls except tab and newline, and the bidi overrides that can disguise text.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def plain(text: str) -> str:
    return _INVISIBLE.sub("", text)


def count(value: object) -> int:
    """A metric: 0 when absent, negative or not an integer."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def optional_count(value: object) -> int | None:
    """A count the network may leave out (followers): None then, not 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def web_link(value: object) -> str:
    """``value`` if it is an http(s) URL, else "" (``javascript:`` and friends)."""
    if not isinstance(value, str):
        return ""
    try:
        scheme = urlsplit(value.strip()).scheme.lower()
    except ValueError:  # an unbalanced [ in the host, for one
        return ""
    return value.strip() if scheme in ("http", "https") else ""


def aware_time(value: object) -> datetime | None:
    """An ISO 8601 time with its zone (``Z`` included), or None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None

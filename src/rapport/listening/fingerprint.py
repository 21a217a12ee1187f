"""Near-duplicate text: the same words posted again (copies, reposts with a link
swapped, spam waves) share a fingerprint, so they are stored but not counted twice.

The fingerprint is a hash of the folded text with links, handles and digits removed
and whitespace collapsed: cheap (one pass, no shingle sets), and exact on what
copies keep while the things copies change (a tracking link, a counter) drop out."""

from __future__ import annotations

import hashlib
import re

_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w[\w.\-]*|\d+", re.UNICODE)
_SPACE = re.compile(r"[\W_]+", re.UNICODE)
MIN_CHARS = 12  # shorter texts ("lol", "+1") are too common to call copies


def fingerprint(text: str) -> str:
    """16 hex characters, or "" for text too short to tell copies from coincidence."""
    core = _SPACE.sub(" ", _NOISE.sub(" ", text.casefold())).strip()
    if len(core) < MIN_CHARS:
        return ""
    return hashlib.blake2b(core.encode(), digest_size=8).hexdigest()

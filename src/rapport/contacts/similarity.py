"""Duplicate suggestions by similarity: contacts that are probably one person but
share no identity (so resolution could not merge them). Candidates are found by
blocking keys — never by comparing every pair — and scored from the evidence.

Evidence and weights (the score is their sum, capped at 1):
  same name after folding case, diacritics and word order   0.45
  same email local part (dots and +tags ignored)            0.35
  same phone number apart from the country code             0.50
  same handle on different networks                         0.30
  same company                                              0.10
A pair is suggested from 0.5 up: a name alone is not enough, a name and anything
else is.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from itertools import combinations

from rapport.core.models import Workspace

from .models import Contact, ContactStatus, DuplicateSuggestion, Identity
from .resolution import suggest_duplicate

WEIGHTS = {"name": 0.45, "email": 0.35, "phone": 0.50, "handle": 0.30, "company": 0.10}
THRESHOLD = 0.5
MAX_BLOCK = 50  # a key shared by more people than this ("info@", "Anna") proves nothing
_FOLD = str.maketrans({"ł": "l", "ß": "ss", "ø": "o", "đ": "d", "ё": "е"})
HANDLE_KINDS = {"bluesky", "mastodon", "reddit", "x", "instagram"}


def fold(text: str) -> str:
    text = text.lower().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def name_key(name: str) -> str:
    words = sorted(w for w in fold(name).replace("-", " ").split() if len(w) > 1)
    return " ".join(words) if len(words) >= 2 else ""


def email_key(email: str) -> str:
    local = email.split("@", 1)[0].split("+", 1)[0].replace(".", "")
    return local if len(local) >= 4 else ""


def handle_key(kind: str, value: str) -> str:
    base = value.split("@", 1)[0].split(".", 1)[0].replace("_", "").replace("-", "")
    return base if len(base) >= 4 else ""


def keys_by_contact(workspace: Workspace) -> dict[int, dict[str, set[str]]]:
    keys: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    active = Contact.objects.for_workspace(workspace).filter(status=ContactStatus.ACTIVE)
    for pk, name, company in active.values_list("pk", "full_name", "company_id"):
        if key := name_key(name):
            keys[pk]["name"].add(key)
        if company:
            keys[pk]["company"].add(str(company))
    identities = Identity.objects.for_workspace(workspace).filter(
        contact__status=ContactStatus.ACTIVE
    )
    for pk, kind, value in identities.values_list("contact_id", "kind", "value"):
        if kind == "email" and (key := email_key(value)):
            keys[pk]["email"].add(key)
        elif kind == "phone":
            keys[pk]["phone"].add(value[-9:])
        elif kind in HANDLE_KINDS and (key := handle_key(kind, value)):
            keys[pk]["handle"].add(key)
    return keys


def find_duplicates(workspace: Workspace) -> list[tuple[int, int, float, list[dict[str, object]]]]:
    keys = keys_by_contact(workspace)
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pk, kinds in keys.items():
        for kind, values in kinds.items():
            if kind == "company":
                continue  # colleagues share a company: only evidence, never a block
            for value in values:
                blocks[(kind, value)].append(pk)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if 2 <= len(members) <= MAX_BLOCK:
            pairs.update(combinations(sorted(members), 2))
    found = []
    for a, b in sorted(pairs):
        evidence: list[dict[str, object]] = [
            {"rule": kind, "value": sorted(keys[a][kind] & keys[b][kind])[0]}
            for kind in WEIGHTS
            if keys[a][kind] & keys[b][kind]
        ]
        score = min(1.0, sum(WEIGHTS[str(e["rule"])] for e in evidence))
        if score >= THRESHOLD:
            found.append((a, b, round(score, 2), evidence))
    return found


def refresh_suggestions(workspace: Workspace) -> int:
    """Record new suggestions; dismissed ones stay dismissed."""
    created = 0
    existing = set(
        DuplicateSuggestion.objects.for_workspace(workspace).values_list("first_id", "second_id")
    )
    for a, b, score, evidence in find_duplicates(workspace):
        if (a, b) not in existing:
            suggest_duplicate(workspace, a, b, score, evidence)
            created += 1
    return created

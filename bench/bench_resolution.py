"""Identity resolution: a batch of observations against existing contacts (30 %
hit an existing identity, 5 % bridge two existing contacts; of the rest, which are
new people, half are a first page view with one anonymous id and half a sign-up
with a browser id and an email), resolved in bulk and
persisted with undoable merge records; beside it the obvious way, one
``resolve`` (a query per identity, a save per change) per observation. The bulk
result is checked against a plain union-find over the same observations.

Sizes default to 500k contacts / 1M observations as the issue asks; set
RAPPORT_BENCH_SCALE=0.1 for a quicker run.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from typing import Any

from bench.seed import bench_actor
from rapport.contacts.bulk import resolve_bulk
from rapport.contacts.models import Identity, MergeRecord, Observation
from rapport.contacts.resolution import Claim, _observations_touching, resolve

SCALE = float(os.environ.get("RAPPORT_BENCH_SCALE", "1"))
CONTACTS = int(500_000 * SCALE)
OBSERVATIONS = int(1_000_000 * SCALE)
NAIVE = 3_000


def _observations(rng: random.Random) -> list[tuple[list[Claim], bool]]:
    out = []
    for n in range(OBSERVATIONS):
        roll = rng.random()
        new = Claim("anonymous", f"web-{n}")
        if roll < 0.05:  # bridges two existing people
            a, b = rng.randrange(CONTACTS), rng.randrange(CONTACTS)
            out.append(
                ([Claim("email", f"p{a}@example.com"), Claim("email", f"p{b}@example.com")], True)
            )
        elif roll < 0.30:  # an existing person seen again, with a new browser
            out.append(([Claim("email", f"p{rng.randrange(CONTACTS)}@example.com"), new], False))
        elif roll < 0.65:  # a new visitor's first page view: one anonymous id
            out.append(([new], False))
        else:  # someone new signs up: their browser and their email
            out.append(([new, Claim("email", f"n{n}@example.com")], rng.random() < 0.5))
    return out


def _reference(seed: list[list[Claim]], batch: list[tuple[list[Claim], bool]]) -> int:
    """Number of people by the documented rules, over identity keys (test model)."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}
    known: dict[tuple[str, str], bool] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for claims, trusted in [(c, True) for c in seed] + batch:
        keys = [(c.kind, c.value) for c in claims]
        roots = list(dict.fromkeys(find(k) for k in keys if k in parent))
        new = [k for k in keys if k not in parent]
        for k in new:
            parent[k], known[k] = k, k[0] != "anonymous"
        knowns = [r for r in roots if known[r]]
        group = roots + new if trusted or len(knowns) <= 1 else (
            [knowns[0]] + [r for r in roots if not known[r]] + new)  # fmt: skip
        for other in group[1:]:
            a, b = find(group[0]), find(other)
            if a != b:
                parent[b], known[a] = a, known[a] or known[b]
    return len({find(k) for k in parent})


def run() -> Iterator[dict[str, Any]]:
    rng = random.Random(5)
    actor = bench_actor("Resolution bench")
    ws = actor.workspace
    seed = [[Claim("email", f"p{n}@example.com")] for n in range(CONTACTS)]
    resolve_bulk(ws, [(c, True) for c in seed], source="seed")
    batch = _observations(rng)
    start = time.perf_counter()
    stats = resolve_bulk(ws, batch, source="bench")
    bulk_s = time.perf_counter() - start
    people = len(set(Identity.objects.for_workspace(ws).values_list("contact_id", flat=True)))
    expected = _reference(seed, batch)

    naive = bench_actor("Naive resolution bench").workspace
    resolve_bulk(naive, [(c, True) for c in seed[: NAIVE * 2]], source="seed")
    sample = [(claims, trusted) for claims, trusted in _observations(random.Random(6))][:NAIVE]
    start = time.perf_counter()
    for claims, trusted in sample:
        resolve(naive, claims, trusted=trusted, source="bench", actor_label="bench")
    naive_s = time.perf_counter() - start
    yield {
        "case": f"{OBSERVATIONS:,} observations against {CONTACTS:,} contacts",
        "bulk_observations_per_s": round(OBSERVATIONS / bulk_s),
        "bulk_s": round(bulk_s, 2),
        "merges": stats.merges,
        "new_contacts": stats.new_contacts,
        "matches_reference_model": people == expected,
        "naive_observations": NAIVE,
        "naive_observations_per_s": round(NAIVE / naive_s),
        "speedup": round((OBSERVATIONS / bulk_s) / (NAIVE / naive_s), 1),
        "target_observations_per_s": 100_000,
    }

    # An unmerge replays the log's observations of the merged person's identities:
    # found by the database inside the JSON lists, against reading the whole log.
    records = list(MergeRecord.objects.for_workspace(ws).order_by("-id")[:20])
    groups = [
        set(Identity.objects.for_workspace(ws).filter(contact_id=r.winner_id).values_list(
            "pk", flat=True))
        for r in records
    ]  # fmt: skip
    start = time.perf_counter()
    found = [_observations_touching(ws.pk, g) for g in groups]
    indexed_ms = (time.perf_counter() - start) * 1000 / len(groups)
    start = time.perf_counter()
    for group in groups[:3]:
        scanned = [
            o
            for o in Observation.objects.for_workspace(ws).order_by("id").iterator(10_000)
            if group & set(o.identity_ids)
        ]
    scan_ms = (time.perf_counter() - start) * 1000 / 3
    assert [o.pk for o in scanned] == [o.pk for o in found[2]]
    yield {
        "case": f"unmerge replay lookup in a log of {OBSERVATIONS + CONTACTS:,} observations",
        "in_database_ms": round(indexed_ms, 1),
        "python_scan_ms": round(scan_ms, 1),
        "speedup": round(scan_ms / indexed_ms, 1),
    }

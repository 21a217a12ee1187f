"""CSV import end to end (parse, validate, resolve, write, report) of 100k rows,
beside the obvious way: one full ``resolve`` and ORM save per row."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from bench.seed import PEOPLE_MAPPING, bench_actor, import_job, people_csv_lines
from rapport.contacts.models import Contact
from rapport.contacts.resolution import resolve
from rapport.contacts.transfer.importer import parse_row, run_import
from rapport.demo.people import generate_people

ROWS = 100_000
NAIVE_ROWS = 5_000


def _csv(n: int, seed: int) -> bytes:
    lines = people_csv_lines(generate_people(n, seed=seed))
    # 5 % of rows repeat an earlier person (same email, other spelling of the name).
    lines += [line.replace(";", " Jr;", 1) for line in lines[1 : 1 + n // 20]]
    return ("\n".join(lines) + "\n").encode("utf-8")


def run() -> Iterator[dict[str, Any]]:
    actor = bench_actor("Import bench")
    raw = _csv(ROWS, seed=1)
    mapping = PEOPLE_MAPPING
    job = import_job(actor, raw, ROWS)
    start = time.perf_counter()
    done = run_import(job, actor_label="bench")
    fast_s = time.perf_counter() - start
    rows = done.processed_rows

    naive_actor = bench_actor("Naive import bench")
    headers = list(mapping)
    lines = raw.decode().splitlines()[1 : NAIVE_ROWS + 1]
    start = time.perf_counter()
    for n, line in enumerate(lines, start=2):
        row = parse_row(n, line.split(";"), headers, mapping, "")
        if isinstance(row, list):
            continue
        result = resolve(naive_actor.workspace, row.claims, trusted=True, source="import",
                         actor_label="bench")  # fmt: skip
        for key, value in row.profile.items():
            setattr(result.contact, key, value)
        result.contact.save()
    naive_s = time.perf_counter() - start
    yield {
        "case": f"CSV import of {rows:,} rows (5 % repeats)",
        "rows": rows,
        "contacts": Contact.objects.for_workspace(actor.workspace).count(),
        "errors": done.error_count,
        "chunked_rows_per_s": round(rows / fast_s),
        "naive_rows": len(lines),
        "naive_rows_per_s": round(len(lines) / naive_s),
        "speedup": round((rows / fast_s) / (len(lines) / naive_s), 1),
        "target_rows_per_s": 5_000,
    }

"""Contact search on a big workspace: the first page of ``queries.list_contacts``
for a name, an email fragment, a phone typed with spaces, and a term nobody has
(the worst case: nothing stops the scan early). Beside it, the obvious way a list
page is often written: the same query plus a COUNT(*) of all matches for
"n results", which has to visit every match.

100,000 people imported from CSV (names, emails, phones); RAPPORT_BENCH_SCALE=0.1
for a quicker run. Target: a page of results in < 100 ms at p95.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from bench.seed import bench_actor, import_job, people_csv_lines
from bench.timing import percentiles, sample
from rapport.contacts import queries
from rapport.contacts.models import Contact
from rapport.contacts.transfer.importer import run_import
from rapport.demo.people import generate_people

SCALE = float(os.environ.get("RAPPORT_BENCH_SCALE", "1"))
PEOPLE = max(2_000, int(100_000 * SCALE))
PAGE = 30
REPEAT = 30
TARGET_P95_MS = 100.0


def run() -> Iterator[dict[str, Any]]:
    actor = bench_actor("Search bench")
    people = generate_people(PEOPLE, seed=3)
    raw = ("\n".join(people_csv_lines(people)) + "\n").encode()
    job = import_job(actor, raw, PEOPLE)
    run_import(job, actor_label="bench")
    someone = people[PEOPLE // 2]
    cases = {
        "name": someone.full_name.split()[-1],
        "email fragment": someone.email.split("@")[0][2:],
        "phone with spaces": someone.phone[:9],
        "no match": "zzqx-nobody",
    }
    for case, term in cases.items():
        qs = queries.list_contacts(actor, search=term)

        def first_page(qs: QuerySet[Contact] = qs) -> list[Contact]:
            return list(qs.order_by("-id")[:PAGE])

        def page_and_count(qs: QuerySet[Contact] = qs) -> tuple[list[Contact], int]:
            return first_page(qs), qs.count()

        found = len(first_page())
        page = percentiles(sample(first_page, REPEAT))
        counted = percentiles(sample(page_and_count, REPEAT // 3))
        yield {
            "case": f"contact search, {case}, {PEOPLE:,} contacts",
            "term": term,
            "first_page_rows": found,
            "page": page,
            "page_plus_count": counted,
            "meets_target": page["p95_ms"] < TARGET_P95_MS,
            "target_p95_ms": TARGET_P95_MS,
        }

"""Audit log pages deep into 100k entries: keyset cursor vs OFFSET.

The cursor reads one page through the (workspace, created_at, id) index however
deep the page is; OFFSET re-reads every skipped row, so its cost grows with depth.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from bench.timing import percentiles, sample
from rapport.core.actions.workspaces import do_create_workspace
from rapport.core.actor import Actor
from rapport.core.models import AuditEntry, Membership, User
from rapport.core.pagination import encode_cursor
from rapport.core.queries import audit_page

ROWS = 100_000
PAGE = 50
DEPTHS = (100, 1_000, 90_000)


def _seed() -> Actor:
    user = User.objects.create(email="bench@example.com", username="bench@example.com")
    workspace = do_create_workspace(name="Bench", owner=user)
    membership = Membership.objects.for_workspace(workspace).get(user=user)
    start = timezone.now() - timedelta(days=365)
    batch = [
        AuditEntry(
            workspace=workspace,
            actor_label="bench@example.com",
            action="member.update",
            object_type="membership",
            object_id=str(i),
            object_repr=f"member {i}",
            created_at=start + timedelta(seconds=i * 300),
        )
        for i in range(ROWS)
    ]
    AuditEntry.objects.for_workspace(workspace).bulk_create(batch, batch_size=5_000)
    if connection.vendor == "postgresql":
        # What autovacuum would do soon after a bulk load: fresh planner statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE core_auditentry")
    return Actor(workspace=workspace, membership=membership)


def run() -> Iterator[dict[str, Any]]:
    actor = _seed()
    qs = AuditEntry.objects.for_workspace(actor.workspace).order_by("-created_at", "-id")
    for depth in DEPTHS:
        anchor = qs.values_list("created_at", "id")[depth - 1]
        cursor = encode_cursor(anchor[0], anchor[1])

        def by_cursor(cursor: str = cursor) -> object:
            return audit_page(actor, cursor=cursor, limit=PAGE).items

        def by_offset(depth: int = depth) -> object:
            return list(qs[depth : depth + PAGE])

        fast = percentiles(sample(by_cursor, 50))
        slow = percentiles(sample(by_offset, 50))
        yield {
            "case": f"audit page at row {depth:,} of {ROWS:,}",
            "rows": ROWS,
            "depth": depth,
            "cursor": fast,
            "offset": slow,
            "speedup_p50": round(slow["p50_ms"] / max(fast["p50_ms"], 1e-6), 1),
        }

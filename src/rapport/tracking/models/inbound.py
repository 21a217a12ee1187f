"""The durable log of accepted requests, and how far processing has read it."""

from __future__ import annotations

from django.db import models


class InboundBatch(models.Model):
    """One accepted request, as received (decompressed JSON), before any event in it
    is looked at. The ingest server writes these with raw SQL in group commits; this
    model only gives the table a migration (on PostgreSQL the log lives here; the
    embedded setup keeps it in a SQLite file of its own, see ``ingest.log``).

    Not workspace-scoped on purpose: the log is system plumbing read in id order by
    the processing worker, which scopes every row by its ``workspace_id``."""

    id = models.BigAutoField(primary_key=True)
    workspace_id = models.BigIntegerField()
    source_id = models.BigIntegerField()
    received_at = models.FloatField()  # Unix seconds: cheap to write, exact enough
    call = models.CharField(max_length=8, blank=True)  # the endpoint's type; "" for /v1/batch
    ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    body = models.BinaryField()

    def __str__(self) -> str:
        return f"inbound #{self.id}"


class IngestCursor(models.Model):
    """The last inbound id whose events are processed. Moved in the same transaction
    as the events it covers, so a worker killed mid-batch redoes exactly that batch."""

    name = models.CharField(max_length=40, primary_key=True)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}@{self.position}"

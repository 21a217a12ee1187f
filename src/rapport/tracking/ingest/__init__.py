"""The ingest server: Segment's tracking API, answered by a small ASGI app that
writes accepted requests to a durable log in group commits (ADR 0008)."""

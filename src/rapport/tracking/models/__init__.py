"""Tracking's tables: sources, the inbound log, processed events, sessions, the
quarantine and per-contact activity."""

from .events import ContactActivity, QuarantinedEvent, Session, TrackedEvent
from .inbound import InboundBatch, IngestCursor
from .settings import TrackingSettings
from .sources import Source, SourceKind

__all__ = [
    "ContactActivity",
    "InboundBatch",
    "IngestCursor",
    "QuarantinedEvent",
    "Session",
    "Source",
    "SourceKind",
    "TrackedEvent",
    "TrackingSettings",
]

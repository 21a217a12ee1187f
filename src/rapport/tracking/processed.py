"""What the processing pipeline hands to other apps: each newly stored event, with
the contact it was resolved to, inside the transaction that stored it.

Apps that build on behaviour (commerce: catalogue, carts, orders) register a
processor at start-up; the pipeline calls every processor once per batch, with the
events of that batch in order, so a processor can work in bulk. A processor runs in
the pipeline's transaction: if it raises, the batch is rolled back and retried, and
nothing it wrote is kept, so it must not call out to the network.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple


class Processed(NamedTuple):
    """A named tuple, read-only like the frozen dataclass it was, made in C: the
    pipeline makes one per event, and a frozen dataclass's ``__init__`` (a
    ``object.__setattr__`` per field) cost five times as much."""

    workspace_id: int
    source_id: int
    event_id: int  # the TrackedEvent's primary key
    contact_id: int | None
    identity_id: int | None  # the identity the event came through
    session_id: int | None
    type: str  # track, identify, page, screen, group, alias
    name: str  # the track event's name ("Order Completed"), or the page / screen name
    user_id: str
    anonymous_id: str
    properties: dict[str, Any]
    traits: dict[str, Any]
    context: dict[str, Any]
    timestamp: datetime  # corrected for the device's clock
    message_id: str = ""
    received_at: datetime | None = None


Processor = Callable[[Sequence[Processed]], None]
_processors: list[Processor] = []


def register_processor(fn: Processor) -> Processor:
    """Use as a decorator in an app's ``ready()`` import path."""
    if fn not in _processors:
        _processors.append(fn)
    return fn


def processors() -> list[Processor]:
    return list(_processors)

"""Events as the Segment tracking spec defines them: the six call types, the common
fields, validation with a reason a person can read (an invalid event goes to the
quarantine with it), and the receive-time correction for device clocks.

Pure functions over parsed JSON, shared by the ingest API and the processing
pipeline, so both agree on what a valid event is.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from django.utils.dateparse import parse_datetime

MAX_EVENT_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
TYPES = ("track", "identify", "page", "screen", "group", "alias")
# The one-letter paths analytics.js uses (/v1/t, /v1/p …), sent as text/plain.
SHORT_PATHS = {"t": "track", "i": "identify", "p": "page", "s": "screen", "g": "group",
               "a": "alias"}  # fmt: skip
MAX_ID = 200
MAX_NAME = 200


class InvalidEvent(ValueError):
    """Why an event cannot be taken; the reason is shown in the quarantine."""


@dataclass(slots=True)  # not frozen: a frozen one costs four times as much to make
class Event:
    type: str
    message_id: str
    anonymous_id: str | None
    user_id: str | None
    timestamp: datetime  # when it happened, corrected for the device's clock
    received_at: datetime
    original_timestamp: datetime | None = None
    sent_at: datetime | None = None
    event: str | None = None  # track
    name: str | None = None  # page, screen
    group_id: str | None = None  # group
    previous_id: str | None = None  # alias
    properties: dict[str, Any] = field(default_factory=dict)
    traits: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)


def _id(payload: dict[str, Any], key: str) -> str | None:
    """Ids may be strings or numbers (Segment accepts both); stored as text."""
    value = payload.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidEvent(f"{key} must be a string or a number")
    text = str(value).strip()
    if not text:
        return None
    if len(text) > MAX_ID:
        raise InvalidEvent(f"{key} is longer than {MAX_ID} characters")
    return text


def _object(payload: dict[str, Any], key: str) -> dict[str, Any]:
    value = payload.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidEvent(f"{key} must be an object")
    return value


def _time(payload: dict[str, Any], key: str) -> datetime | None:
    value = payload.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidEvent(f"{key} must be an ISO-8601 date and time")
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidEvent(f"{key} is not an ISO-8601 date and time: {value[:40]!r}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_time(value: Any) -> datetime | None:
    """An ISO-8601 date and time (UTC when it names no zone), None when absent."""
    return _time({"t": value}, "t")


def _name(payload: dict[str, Any], key: str, *, required: bool) -> str | None:
    value = payload.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidEvent(f"a {payload.get('type', 'track')} call needs {key}")
        return None
    if not isinstance(value, str):
        raise InvalidEvent(f"{key} must be a string")
    if len(value) > MAX_NAME:
        raise InvalidEvent(f"{key} is longer than {MAX_NAME} characters")
    return value.strip()


def corrected_timestamp(
    original: datetime | None, sent_at: datetime | None, received_at: datetime
) -> datetime:
    """When the event happened, by the server's clock. A device whose clock is off
    stamps both the event and the send with the same error, so the event's age
    (sentAt - timestamp) is right and is counted back from when we received it.
    Without sentAt the device's own time stands; nothing is dated in the future."""
    if original is None:
        return received_at
    moment = received_at - (sent_at - original) if sent_at is not None else original
    return min(moment, received_at)


def _size(payload: dict[str, Any]) -> int:
    """The event's size as compact JSON. orjson is ten times faster than the standard
    module here; what it refuses (integers past 64 bits) the standard module sizes."""
    try:
        return len(orjson.dumps(payload, default=str))
    except TypeError:
        return len(json.dumps(payload, separators=(",", ":"), default=str).encode())


def parse_event(
    payload: Any,
    *,
    received_at: datetime,
    call: str | None = None,
    batch_sent_at: datetime | None = None,
) -> Event:
    """One event from the JSON of a call (``call``: the endpoint's type, if any) or
    of a batch item. Raises ``InvalidEvent`` with the reason."""
    if not isinstance(payload, dict):
        raise InvalidEvent("an event must be a JSON object")
    size = _size(payload)
    if size > MAX_EVENT_BYTES:
        raise InvalidEvent(f"the event is {size:,} bytes; at most {MAX_EVENT_BYTES:,} are taken")
    kind = call or payload.get("type")
    if kind not in TYPES:
        raise InvalidEvent(f"type must be one of {', '.join(TYPES)}")
    user_id, anonymous_id = _id(payload, "userId"), _id(payload, "anonymousId")
    if user_id is None and anonymous_id is None:
        raise InvalidEvent("every call needs a userId or an anonymousId")
    message_id = _id(payload, "messageId") or f"rapport-{uuid.uuid4()}"
    original = _time(payload, "timestamp") or _time(payload, "originalTimestamp")
    sent_at = _time(payload, "sentAt") or batch_sent_at
    event = Event(
        type=kind,
        message_id=message_id,
        anonymous_id=anonymous_id,
        user_id=user_id,
        timestamp=corrected_timestamp(original, sent_at, received_at),
        received_at=received_at,
        original_timestamp=original,
        sent_at=sent_at,
        event=_name(payload, "event", required=kind == "track"),
        name=_name(payload, "name", required=False) if kind in ("page", "screen") else None,
        group_id=_id(payload, "groupId"),
        previous_id=_id(payload, "previousId"),
        properties=_object(payload, "properties"),
        traits=_object(payload, "traits"),
        context=_object(payload, "context"),
    )
    if kind == "group" and event.group_id is None:
        raise InvalidEvent("a group call needs groupId")
    if kind == "alias" and (event.previous_id is None or event.user_id is None):
        raise InvalidEvent("an alias call needs previousId and userId")
    return event

"""Rows of processed events, quarantined events, sessions and activity, written
straight to the tables the pipeline fills, for the tests of what reads them."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from rapport.tracking.models import (
    ContactActivity,
    QuarantinedEvent,
    Session,
    Source,
    TrackedEvent,
)

_seq = itertools.count(1)

# Event text as an attacker would send it: every one must render as inert text.
HOSTILE_NAME = '<script>alert("name")</script>'
HOSTILE_PROPERTIES: dict[str, Any] = {
    "url": "javascript:alert('url')",
    "<svg onload=alert('key')>": '"><img src=x onerror=alert("value")>',
    "nested": {"html": "</pre><script>alert('nested')</script>"},
}
HOSTILE_ID = "\"><svg onload=alert('id')>"


def event(
    source: Source,
    *,
    name: str = "Product Viewed",
    kind: str = "track",
    contact_id: int | None = None,
    at: datetime | None = None,
    properties: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    user_id: str = "",
    anonymous_id: str = "anon-1",
    session: Session | None = None,
) -> TrackedEvent:
    n = next(_seq)
    at = at or timezone.now()
    return TrackedEvent.objects.create(
        workspace_id=source.workspace_id,
        source=source,
        contact_id=contact_id,
        session=session,
        message_id=f"msg-{n}",
        type=kind,
        name=name,
        anonymous_id=anonymous_id,
        user_id=user_id,
        properties=properties if properties is not None else {"sku": f"SKU-{n}"},
        context=context if context is not None else {"page": {"path": "/shop"}},
        timestamp=at,
        received_at=at,
    )


def quarantined(
    source: Source,
    *,
    reason: str = "a track call needs event",
    payload: str = '{"type": "track", "userId": "u1"}',
    at: datetime | None = None,
) -> QuarantinedEvent:
    return QuarantinedEvent.objects.create(
        workspace_id=source.workspace_id,
        source=source,
        inbound_id=next(_seq),
        received_at=at or timezone.now(),
        reason=reason,
        payload=payload,
    )


def session(
    source: Source,
    contact_id: int,
    *,
    started: datetime,
    minutes: int = 12,
    page_views: int = 4,
    landing: str = "https://shop.example/",
    referrer: str = "https://news.example/post",
    campaign: dict[str, Any] | None = None,
    device: str = "Firefox on Linux",
) -> Session:
    return Session.objects.create(
        workspace_id=source.workspace_id,
        source=source,
        contact_id=contact_id,
        visitor="anon-1",
        started_at=started,
        last_at=started + timedelta(minutes=minutes),
        events=page_views + 1,
        page_views=page_views,
        landing=landing,
        referrer=referrer,
        campaign=campaign or {},
        device=device,
    )


def activity(workspace_id: int, contact_id: int, **fields: Any) -> ContactActivity:
    now = timezone.now()
    values: dict[str, Any] = {
        "first_seen": now - timedelta(days=30),
        "last_seen": now - timedelta(hours=2),
        "sessions": 7,
        "page_views": 31,
        "events": 58,
        "features": {"export": 9, "search": 14},
        **fields,
    }
    return ContactActivity.objects.create(
        workspace_id=workspace_id, contact_id=contact_id, **values
    )

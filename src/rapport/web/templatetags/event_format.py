"""Tracked events as people read them. Every filter here returns plain text, never
marked safe: event names, properties and payloads come from browsers anyone can
script, so the template's autoescaping must still apply to what these return."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django import template

register = template.Library()

# The pipeline keeps a session's utm_* parameters; Segment's context.campaign names
# the same values source, medium and name.
CAMPAIGN_KEYS = ("utm_source", "source", "utm_medium", "medium", "utm_campaign", "name")


@register.filter
def pretty_json(value: Any) -> str:
    """An object as indented JSON (keys sorted, so two events compare by eye)."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


@register.filter
def pretty_payload(text: str) -> str:
    """A quarantined payload, indented when it is JSON; as received when it is not
    (an event can be quarantined precisely because it does not parse)."""
    try:
        return pretty_json(json.loads(text))
    except ValueError:
        return text


@register.filter
def visit_length(session: Any) -> str:
    """From a session's first event to its last: "45 s", "12 min", "2 h 5 min"."""
    delta: timedelta = session.last_at - session.started_at
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


@register.filter
def campaign(utm: Any) -> str:
    """A session's utm_* values as "source / medium / campaign"."""
    if not isinstance(utm, dict):
        return ""
    parts = [str(utm[k]) for k in CAMPAIGN_KEYS if utm.get(k)]
    return " / ".join(dict.fromkeys(parts))


@register.filter
def most_used(features: Any, limit: int = 10) -> list[tuple[str, Any]]:
    """Feature name and count, the most used first."""
    if not isinstance(features, dict):
        return []
    counted = [(str(k), v) for k, v in features.items() if isinstance(v, int | float)]
    return sorted(counted, key=lambda kv: (-kv[1], kv[0]))[:limit]

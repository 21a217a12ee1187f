"""The Segment tracking spec as Rapport reads it: valid calls, the reasons an event
is refused, the device-clock correction, and bots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from rapport.tracking.bots import is_bot
from rapport.tracking.spec import SHORT_PATHS, InvalidEvent, corrected_timestamp, parse_event

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def test_a_track_call_from_analytics_js() -> None:
    event = parse_event(
        {
            "type": "track",
            "event": "Product Added",
            "properties": {"product_id": "507f1f77", "price": 18.99, "quantity": 1},
            "anonymousId": "a6c1c4b2-6f0e-4f1b-9c44-4a5d2b8f1e10",
            "messageId": "ajs-next-1733140800000-2",
            "context": {"page": {"path": "/shop/polar-espresso"}, "userAgent": "Mozilla/5.0"},
            "timestamp": "2026-12-02T11:59:58.120Z",
            "sentAt": "2026-12-02T11:59:59.000Z",
        },
        received_at=NOW,
    )
    assert event.type == "track"
    assert event.event == "Product Added"
    assert event.properties["price"] == 18.99
    assert event.message_id == "ajs-next-1733140800000-2"
    assert event.user_id is None
    assert event.timestamp == NOW - timedelta(milliseconds=880)  # its age, from receipt


@pytest.mark.parametrize(
    ("call", "payload"),
    [
        ("identify", {"userId": 42, "traits": {"email": "ann@example.com"}}),
        ("page", {"anonymousId": "a1", "name": "Home", "properties": {"path": "/"}}),
        ("screen", {"userId": "u1", "name": "Basket"}),
        ("group", {"userId": "u1", "groupId": "acme", "traits": {"plan": "pro"}}),
        ("alias", {"userId": "u1", "previousId": "a1"}),
    ],
)
def test_every_call_type(call: str, payload: dict[str, Any]) -> None:
    event = parse_event(payload, received_at=NOW, call=call)
    assert event.type == call
    assert event.timestamp == NOW  # no device time: when we received it
    assert event.message_id.startswith("rapport-")  # one is made when missing
    if call == "identify":
        assert event.user_id == "42"  # numbers are ids too


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ([1, 2], "must be a JSON object"),
        ({"type": "purchase", "userId": "u"}, "type must be one of"),
        ({"type": "track", "event": "X"}, "needs a userId or an anonymousId"),
        ({"type": "track", "userId": "u"}, "needs event"),
        ({"type": "track", "userId": "u", "event": 7}, "event must be a string"),
        ({"type": "track", "userId": {"id": 1}, "event": "X"}, "userId must be a string"),
        ({"type": "track", "userId": "u" * 201, "event": "X"}, "longer than 200"),
        ({"type": "identify", "userId": "u", "traits": ["a"]}, "traits must be an object"),
        ({"type": "page", "userId": "u", "timestamp": "yesterday"}, "not an ISO-8601"),
        ({"type": "group", "userId": "u"}, "needs groupId"),
        ({"type": "alias", "userId": "u"}, "needs previousId and userId"),
        (
            {"type": "track", "userId": "u", "event": "X", "properties": {"x": "y" * 33_000}},
            "at most 32,768 are taken",
        ),
    ],
)
def test_invalid_events_say_why(payload: Any, reason: str) -> None:
    with pytest.raises(InvalidEvent, match=reason):
        parse_event(payload, received_at=NOW)


def test_device_clock_errors_are_corrected() -> None:
    # The phone's clock runs an hour fast: the event and the send carry the same error.
    happened, sent = NOW + timedelta(hours=1) - timedelta(minutes=5), NOW + timedelta(hours=1)
    assert corrected_timestamp(happened, sent, NOW) == NOW - timedelta(minutes=5)
    # A batch queued offline for a day still dates its events a day back.
    assert corrected_timestamp(NOW - timedelta(days=1), NOW, NOW) == NOW - timedelta(days=1)
    # Without sentAt the device time stands, but never in the future.
    assert corrected_timestamp(NOW - timedelta(hours=2), None, NOW) == NOW - timedelta(hours=2)
    assert corrected_timestamp(NOW + timedelta(hours=2), None, NOW) == NOW
    event = parse_event(
        {"type": "page", "anonymousId": "a", "timestamp": "2026-12-02T13:00:00Z"},
        received_at=NOW,
        batch_sent_at=datetime(2026, 12, 2, 13, 0, 30, tzinfo=UTC),
    )
    assert event.timestamp == NOW - timedelta(seconds=30)  # the batch's sentAt applies


def test_short_paths_name_the_call_types() -> None:
    assert SHORT_PATHS == {"t": "track", "i": "identify", "p": "page", "s": "screen",
                           "g": "group", "a": "alias"}  # fmt: skip


@pytest.mark.parametrize(
    ("ua", "bot"),
    [
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", True),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", True),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/131.0.0.0 Safari/537.36",
            True,
        ),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", True),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            False,
        ),
        (
            "Mozilla/5.0 (Linux; Android 9; CUBOT X19) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            False,
        ),
        ("okhttp/4.12.0", False),
        ("", False),
    ],
)
def test_bots_are_told_from_people(ua: str, bot: bool) -> None:
    assert is_bot(ua) is bot

"""The processing pipeline over the durable log: validation and the quarantine,
dedupe by messageId, clock correction, bots, enrichment, identity stitching,
lifecycle, sessions and per-contact activity."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from rapport.contacts.models import Contact, Identity
from rapport.tracking.actions import do_create_source
from rapport.tracking.models import (
    ContactActivity,
    IngestCursor,
    QuarantinedEvent,
    Session,
    Source,
    TrackedEvent,
    TrackingSettings,
)
from rapport.tracking.pipeline import process_pending
from tests.factories import World
from tests.tracking.pipeline_helpers import append, append_many

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_log")]


@pytest.fixture
def web(world: World) -> Source:
    return do_create_source(world.actor(), name="Shop", kind="website")


@pytest.fixture
def backend(world: World) -> Source:
    return do_create_source(world.actor(), name="Backend", kind="server")


def events_of(source: Source) -> list[TrackedEvent]:
    return list(TrackedEvent.objects.for_workspace(source.workspace_id).order_by("timestamp", "id"))


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def test_a_batch_with_one_invalid_event_keeps_the_others_and_quarantines_it(web: Source) -> None:
    batch = {
        "writeKey": web.write_key,
        "batch": [
            {"type": "page", "anonymousId": "a1", "name": "Home", "messageId": "m1"},
            {"type": "track", "anonymousId": "a1", "messageId": "m2"},  # no event name
            {"type": "track", "anonymousId": "a1", "event": "Product Viewed", "messageId": "m3"},
        ],
    }
    append(web, batch)
    report = process_pending()
    assert (report.events, report.stored, report.quarantined) == (3, 2, 1)
    assert [e.message_id for e in events_of(web)] == ["m1", "m3"]
    bad = QuarantinedEvent.objects.for_workspace(web.workspace_id).get()
    assert bad.reason == "a track call needs event"
    assert '"messageId":"m2"' in bad.payload
    assert web.write_key not in bad.payload  # the key in the body is not kept


def test_every_kind_of_invalid_event_is_quarantined_with_a_reason(web: Source) -> None:
    bad_items = [
        "not an object",
        {"type": "jump", "anonymousId": "a"},
        {"type": "page"},
        {"type": "track", "anonymousId": {"x": 1}, "event": "E"},
        {"type": "track", "anonymousId": "a", "event": "E", "properties": [1]},
        {"type": "track", "anonymousId": "a", "event": "E", "timestamp": "yesterday"},
        {"type": "track", "anonymousId": "a", "event": "E", "properties": {"x": "y" * 40_000}},
        {"type": "alias", "userId": "u"},
    ]
    append(web, {"batch": bad_items})
    process_pending()
    reasons = sorted(
        QuarantinedEvent.objects.for_workspace(web.workspace_id).values_list("reason", flat=True)
    )
    assert len(reasons) == len(bad_items)
    assert any("32,768" in r for r in reasons)
    assert any("ISO-8601" in r for r in reasons)
    assert events_of(web) == []


def test_a_message_id_is_stored_once_however_often_it_arrives(web: Source) -> None:
    event = {"type": "track", "anonymousId": "a1", "event": "E", "messageId": "same"}
    append_many(web, [{"batch": [event, event]}, {"batch": [event]}])
    first = process_pending()
    append(web, {"batch": [event]})
    second = process_pending()
    assert first.stored == 1
    assert first.duplicates == 2
    assert second.duplicates == 1
    assert len(events_of(web)) == 1


def test_device_clocks_are_corrected_from_sent_at(web: Source) -> None:
    received = time.time()
    # The phone's clock is two hours fast: it stamps the event 10 s before sending.
    fast = datetime.fromtimestamp(received, UTC) + timedelta(hours=2)
    event = {
        "type": "track",
        "anonymousId": "a",
        "event": "E",
        "timestamp": iso(fast - timedelta(seconds=10)),
    }
    append(web, {"batch": [event], "sentAt": iso(fast)}, received_at=received)
    process_pending()
    stored = events_of(web)[0]
    assert abs(stored.timestamp.timestamp() - (received - 10)) < 0.01


def test_bots_are_dropped_and_devices_and_countries_derived(web: Source) -> None:
    page = {"type": "page", "anonymousId": "a", "name": "Home"}
    append(web, {"batch": [page]}, user_agent="Mozilla/5.0 (compatible; Googlebot/2.1)")
    append(web, {"batch": [{**page, "anonymousId": "b"}]})
    report = process_pending()
    assert report.bots == 1
    [event] = events_of(web)
    assert event.context["derived"] == {
        "browser": "Chrome",
        "os": "Mac OS X",
        "device": "Mac",
        "country": "GB",
    }
    assert "ip" not in event.context  # not kept unless the workspace opts in


def test_a_workspace_that_opts_in_keeps_the_ip(world: World, web: Source) -> None:
    TrackingSettings.objects.create(workspace=world.workspace, store_ip=True)
    append(web, {"batch": [{"type": "page", "anonymousId": "a"}]}, ip="81.2.69.160")
    process_pending()
    assert events_of(web)[0].context["ip"] == "81.2.69.160"


def test_identify_stitches_the_anonymous_visitor_and_makes_a_lead(web: Source) -> None:
    now = datetime.now(UTC)
    append(
        web,
        {
            "batch": [
                {"type": "page", "anonymousId": "anon-1", "name": "Home", "timestamp": iso(now)},
                {
                    "type": "track",
                    "anonymousId": "anon-1",
                    "event": "Product Added",
                    "timestamp": iso(now + timedelta(seconds=5)),
                },
            ]
        },
    )
    process_pending()
    [prospect] = Contact.objects.for_workspace(web.workspace_id).filter(status="active")
    assert prospect.lifecycle == "prospect"
    append(
        web,
        {
            "batch": [
                {
                    "type": "identify",
                    "anonymousId": "anon-1",
                    "userId": "cust-9",
                    "traits": {"email": "Ada@Example.com"},
                    "timestamp": iso(now + timedelta(seconds=9)),
                }
            ]
        },
    )
    process_pending()
    contact = Contact.objects.for_workspace(web.workspace_id).get(pk=prospect.pk)
    assert contact.lifecycle == "lead"
    kinds = set(
        Identity.objects.for_workspace(web.workspace_id)
        .filter(contact=contact)
        .values_list("kind", "value")
    )
    assert kinds == {("anonymous", "anon-1"), ("user_id", "cust-9"), ("email", "ada@example.com")}
    history = events_of(web)
    assert [e.type for e in history] == ["page", "track", "identify"]
    assert {e.contact_id for e in history} == {contact.pk}
    assert contact.last_activity_at == history[-1].timestamp


def test_an_identify_from_the_browser_joins_a_known_customer(
    world: World, web: Source, backend: Source
) -> None:
    append(
        backend,
        {
            "batch": [
                {"type": "identify", "userId": "cust-1", "traits": {"email": "bo@example.com"}}
            ]
        },
    )
    append(web, {"batch": [{"type": "page", "anonymousId": "anon-7"}]})
    process_pending()
    assert Contact.objects.for_workspace(world.workspace).filter(status="active").count() == 2
    append(
        web,
        {
            "batch": [
                {"type": "identify", "anonymousId": "anon-7", "traits": {"email": "bo@example.com"}}
            ]
        },
    )
    process_pending()
    [contact] = Contact.objects.for_workspace(world.workspace).filter(status="active")
    assert {e.contact_id for e in events_of(web)} == {contact.pk}
    activity = ContactActivity.objects.for_workspace(world.workspace).get()
    assert activity.contact_id == contact.pk
    assert activity.events == 3


def test_alias_links_the_previous_id(web: Source, backend: Source) -> None:
    append(
        backend,
        {
            "batch": [
                {"type": "identify", "userId": "old-id", "traits": {"email": "cy@example.com"}}
            ]
        },
    )
    append(backend, {"batch": [{"type": "alias", "previousId": "old-id", "userId": "new-id"}]})
    process_pending()
    [contact] = Contact.objects.for_workspace(web.workspace_id).filter(status="active")
    ids = set(
        Identity.objects.for_workspace(web.workspace_id)
        .filter(contact=contact)
        .values_list("kind", "value")
    )
    assert {("user_id", "old-id"), ("user_id", "new-id")} <= ids


def test_sessions_end_after_thirty_quiet_minutes(world: World, web: Source) -> None:
    start = datetime.now(UTC) - timedelta(hours=3)
    times = [
        start,
        start + timedelta(minutes=10),
        start + timedelta(minutes=35),
        start + timedelta(minutes=90),
    ]
    pages = [
        {
            "type": "page",
            "anonymousId": "v",
            "timestamp": iso(t),
            "context": {
                "page": {"url": f"https://shop.example/{n}"},
                "campaign": {"source": "newsletter"},
            },
        }
        for n, t in enumerate(times)
    ]
    append(web, {"batch": pages[:2]})
    process_pending()
    append(web, {"batch": pages[2:]})
    process_pending()
    sessions = list(Session.objects.for_workspace(world.workspace).order_by("started_at"))
    assert [(s.events, s.page_views) for s in sessions] == [(3, 3), (1, 1)]
    assert sessions[0].landing == "https://shop.example/0"
    assert sessions[0].campaign == {"source": "newsletter"}
    assert sessions[0].last_at == times[2]
    activity = ContactActivity.objects.for_workspace(world.workspace).get()
    assert (activity.sessions, activity.page_views, activity.events) == (2, 4, 4)
    assert {e.session_id for e in events_of(web)} == {s.pk for s in sessions}


def test_the_cursor_moves_with_the_batch(web: Source) -> None:
    append_many(web, [{"batch": [{"type": "page", "anonymousId": f"a{i}"}]} for i in range(5)])
    report = process_pending()
    cursor = IngestCursor.objects.get(name="pipeline")
    assert cursor.position == report.position
    assert report.requests == 5
    assert process_pending().requests == 0

"""A new topic finds the stored posts of the last 30 days; a spike in a topic's
mentions becomes one alert with the posts that caused it, extended while it lasts,
and its people hear of it by a Slack-compatible webhook (a real HTTP server on
127.0.0.1) and by email."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from rapport.channels.registry import Fetched
from rapport.listening import alerting
from rapport.listening.actions import do_create_topic
from rapport.listening.backfill import backfill
from rapport.listening.models import Alert, AlertRule, Mention, Post, Topic
from rapport.listening.store import store
from rapport.listening.topics_index import TopicIndex
from tests.factories import World

from .conftest import RuleNlp, make_source, post

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_topic_is_backfilled_over_stored_posts(world: World, nlp: RuleNlp) -> None:
    source = make_source(world.workspace)
    old = [post("Kaffeewerk espresso is broken again", ago=60 * 24 * 3),
           post("kaffeewerk opened a shop in Łódź", ago=60),
           post("unrelated chatter about tea", ago=10)]  # fmt: skip
    store(source, Fetched(old, "c"), TopicIndex(), nlp)
    assert Mention.objects.for_workspace(world.workspace).count() == 0
    topic = do_create_topic(world.actor(), name="Kaffeewerk", query="kaffeewerk", kind="competitor")
    assert backfill(topic, nlp) == 2
    assert backfill(topic, nlp) == 0  # idempotent
    texts = set(Mention.objects.for_workspace(world.workspace).values_list("post__text", flat=True))
    assert texts == {"Kaffeewerk espresso is broken again", "kaffeewerk opened a shop in Łódź"}
    broken = Post.objects.for_workspace(world.workspace).get(
        text="Kaffeewerk espresso is broken again"
    )
    assert broken.sentiment == "negative"  # classified on the way in
    topic.refresh_from_db()
    assert topic.backfilled_at is not None


def _history(world: World, topic: Topic, now: datetime, spike: int) -> None:
    """Five weeks of a quiet topic (3 mentions an hour by day, 1 by night), then a
    burst of ``spike`` negative mentions in the last hour."""
    source = make_source(world.workspace, name="History")
    rows: list[Post] = []
    start = now - timedelta(days=35)
    hour = start
    n = 0
    while hour < now - timedelta(hours=1):
        for _ in range(3 if 8 <= hour.hour < 22 else 1):
            n += 1
            rows.append(_stored(world, source.pk, f"h{n}", hour, "neutral"))
        hour += timedelta(hours=1)
    for k in range(spike):
        rows.append(_stored(world, source.pk, f"s{k}", now - timedelta(minutes=50 - k % 40),
                            "negative", likes=k))  # fmt: skip
    Post.unscoped.bulk_create(rows)
    Mention.unscoped.bulk_create(
        Mention(workspace=world.workspace, topic=topic, post=p, posted_at=p.posted_at,
                sentiment=p.sentiment, network="bluesky")
        for p in Post.objects.for_workspace(world.workspace)
    )  # fmt: skip


def _stored(world: World, source_id: int, key: str, at: datetime, sentiment: str, *,
            likes: int = 0) -> Post:  # fmt: skip
    from rapport.listening.models import Author

    author, _ = Author.objects.for_workspace(world.workspace).get_or_create(
        workspace=world.workspace, network="bluesky", handle="someone.bsky.social",
        defaults={"first_seen": at, "last_seen": at},
    )  # fmt: skip
    return Post(workspace=world.workspace, source_id=source_id, network="bluesky",
                external_id=key, text=f"nordlicht {key}", author=author, posted_at=at,
                received_at=at, fingerprint="", sentiment=sentiment, likes=likes)  # fmt: skip


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def hook(settings: Any) -> Iterator[str]:
    settings.RAPPORT_EGRESS_ALLOW = "127.0.0.0/8"
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hook.received = []
    yield f"http://127.0.0.1:{server.server_port}/hooks/slack"
    server.shutdown()


def test_a_spike_becomes_one_alert_with_its_posts_and_people_are_told(
    world: World, hook: str
) -> None:
    topic = do_create_topic(world.actor(), name="Nordlicht", query="nordlicht")
    AlertRule.objects.create(workspace=world.workspace, topic=topic, emails=["care@acme.test"],
                             webhook_url=hook)  # fmt: skip
    now = datetime.now(UTC).replace(minute=55)
    _history(world, topic, now, spike=60)

    found = alerting.check_topic(topic, now)
    kinds = {a.kind for a in found}
    assert "volume" in kinds, found
    volume = next(a for a in found if a.kind == "volume")
    assert volume.observed >= 60
    assert volume.expected < 10
    causes = Post.objects.for_workspace(world.workspace).filter(pk__in=volume.post_ids)
    assert {p.external_id[0] for p in causes} == {"s"}  # the burst's posts, not history
    assert causes.order_by("-likes")[0].pk == volume.post_ids[0]  # most engaging first

    again = alerting.check_topic(topic, now + timedelta(minutes=3))
    assert {a.pk for a in again} <= {a.pk for a in found}  # the same alert, not a new one
    assert Alert.objects.for_workspace(world.workspace).filter(kind="volume").count() == 1

    alerting.notify(Alert.objects.for_workspace(world.workspace).get(pk=volume.pk))
    assert _Hook.received
    assert "Nordlicht" in _Hook.received[0]["text"]
    assert _Hook.received[0]["blocks"][0]["type"] == "section"
    assert [m.to for m in mail.outbox] == [["care@acme.test"]]
    volume.refresh_from_db()
    assert volume.notified_at is not None
    assert volume.notify_error == ""


def test_a_quiet_topic_raises_nothing(world: World) -> None:
    topic = do_create_topic(world.actor(), name="Nordlicht", query="nordlicht")
    now = timezone.now().replace(minute=55)
    _history(world, topic, now, spike=3)
    assert alerting.check_topic(topic, now) == []


def test_a_webhook_to_a_private_address_is_refused_and_shown(world: World) -> None:
    topic = do_create_topic(world.actor(), name="Nordlicht", query="nordlicht")
    AlertRule.objects.create(workspace=world.workspace, topic=topic,
                             webhook_url="http://169.254.169.254/latest/meta-data/")  # fmt: skip
    alert = Alert.objects.create(workspace=world.workspace, topic=topic, kind="volume",
                                 started_at=timezone.now(), ended_at=timezone.now(),
                                 observed=50, expected=3, score=9)  # fmt: skip
    alerting.notify(alert)
    alert.refresh_from_db()
    assert alert.notify_error.startswith("webhook:")

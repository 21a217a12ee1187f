"""Listening rows for the route walkers: a topic, a source, a post that mentions the
topic (with an author) and an alert, as URL parameter values."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from rapport.listening.actions import do_create_topic
from rapport.listening.models import (
    Alert,
    AlertKind,
    Author,
    ListeningSource,
    Mention,
    Post,
    SourceState,
)
from tests.factories import World


def make_listening_ids(world: World) -> dict[str, str]:
    actor = world.actor()
    tag = world.workspace.slug
    now = timezone.now()
    topic = do_create_topic(actor, name=f"Brand {tag}", query=f"acme OR {tag}")
    source = ListeningSource.objects.create(
        workspace=world.workspace,
        name=f"Feed {tag}",
        network="rss",
        config={"url": "https://example.com/feed.xml", "api_token": f"secret-{tag}"},
        state=SourceState.ERROR,
        last_error="HTTP 503 from example.com",
        last_error_at=now,
        cursor="c" * 60,
    )
    author = Author.objects.create(
        workspace=world.workspace,
        network="bluesky",
        handle=f"fan.{tag}.example",
        name="A Fan",
        followers=1200,
        verified=True,
        first_seen=now,
        last_seen=now,
    )
    post = Post.objects.create(
        workspace=world.workspace,
        source=source,
        network="bluesky",
        external_id=f"at://{tag}/1",
        url="https://bsky.app/profile/fan/post/1",
        text="acme is broken again",
        author=author,
        posted_at=now - timedelta(hours=1),
        received_at=now,
        fingerprint="f" * 16,
        lang="en",
        sentiment="negative",
        sentiment_score=0.9,
        intent="complaint",
        intent_score=0.8,
        likes=3,
    )
    Mention.objects.create(
        workspace=world.workspace,
        topic=topic,
        post=post,
        posted_at=post.posted_at,
        sentiment=post.sentiment,
        intent=post.intent,
        lang=post.lang,
        network=post.network,
    )
    Alert.objects.create(
        workspace=world.workspace,
        topic=topic,
        kind=AlertKind.VOLUME,
        started_at=now - timedelta(hours=1),
        ended_at=now,
        observed=40,
        expected=4.5,
        score=1e-6,
        post_ids=[post.pk],
    )
    return {
        "topic_id": str(topic.pk),
        "post_id": str(post.pk),
        "listening_source_id": str(source.pk),
    }

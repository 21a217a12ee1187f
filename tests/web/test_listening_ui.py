"""The Listen pages: every one renders for the roles that may see it (403 for the
others), post text and names are hostile input shown inert, the stream's filters,
live arrival and "load more", agents' actions on a mention, the query editor's live
check and preview, topic dashboards, sources with credentials masked, alerts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.models import Contact
from rapport.contacts.resolution import Claim
from rapport.core.models import Role
from rapport.core.permissions import Perm, role_allows
from rapport.listening.models import (
    AlertRule,
    Author,
    Correction,
    ListeningSource,
    Mention,
    Post,
    Topic,
)
from tests.factories import World
from tests.factories_listening import make_listening_ids
from tests.web.helpers import client_for
from tests.web.test_pages import inline_code

HX = {"HX-Request": "true"}


def listen(world: World, rest: str = "") -> str:
    return f"/w/{world.workspace.slug}/listen/{rest}"


@pytest.fixture
def ids(world: World) -> dict[str, str]:
    return make_listening_ids(world)


def add_post(
    world: World,
    text: str,
    *,
    topic: Topic | None = None,
    sentiment: str = "neutral",
    url: str = "",
    name: str = "Someone",
    handle: str = "someone.example",
    ago: float = 0,
    followers: int = 10,
) -> Post:
    now = timezone.now()
    author, _ = Author.objects.for_workspace(world.workspace).get_or_create(
        workspace=world.workspace,
        network="bluesky",
        handle=handle,
        defaults={"name": name, "followers": followers, "first_seen": now, "last_seen": now},
    )
    post = Post.objects.create(
        workspace=world.workspace,
        network="bluesky",
        external_id=f"at://{handle}/{Post.objects.for_workspace(world.workspace).count()}-{text[:8]}",
        url=url,
        text=text,
        author=author,
        posted_at=now - timedelta(minutes=ago),
        received_at=now,
        fingerprint="0" * 16,
        lang="en",
        sentiment=sentiment,
        intent="other",
    )
    topic = topic or Topic.objects.for_workspace(world.workspace).first()
    if topic is not None:
        Mention.objects.create(
            workspace=world.workspace,
            topic=topic,
            post=post,
            posted_at=post.posted_at,
            sentiment=sentiment,
            intent="other",
            lang="en",
            network="bluesky",
        )
    return post


PAGES = {
    "": Perm.LISTEN_VIEW,
    "topics/": Perm.LISTEN_VIEW,
    "topics/new/": Perm.LISTEN_MANAGE,
    "topics/preview/?query=acme": Perm.LISTEN_MANAGE,
    "topics/{topic_id}/": Perm.LISTEN_VIEW,
    "topics/{topic_id}/?period=24h": Perm.LISTEN_VIEW,
    "topics/{topic_id}/?period=30d": Perm.LISTEN_VIEW,
    "topics/{topic_id}/edit/": Perm.LISTEN_MANAGE,
    "posts/{post_id}/link/?q=kept": Perm.MENTIONS_MANAGE,
    "sources/": Perm.LISTEN_VIEW,
    "sources/new/": Perm.LISTEN_MANAGE,
    "alerts/": Perm.LISTEN_VIEW,
}


def test_every_listen_page_follows_the_roles(world: World, ids: dict[str, str]) -> None:
    for role in Role:
        client = client_for(world.members[role.value])
        for page, perm in PAGES.items():
            url = listen(world, page.format(**ids))
            response = client.get(url)
            expected = 200 if role_allows(role.value, perm) else 403
            assert response.status_code == expected, (role.value, url, response.status_code)
            if expected == 200:
                assert inline_code(response.content.decode()) == [], url


def test_hostile_post_text_names_and_links_are_inert(
    world: World, owner: Client, ids: dict[str, str]
) -> None:
    topic = Topic.objects.for_workspace(world.workspace).get()
    topic.name = "<img src=x onerror=alert(2)>"
    topic.save()
    add_post(
        world,
        "<script>alert(1)</script> acme",
        url="javascript:alert(3)",
        name="<svg onload=alert(4)>",
        handle="evil<b>handle</b>",
    )
    pages = ["", "topics/", f"topics/{ids['topic_id']}/", "alerts/", "topics/preview/?query=acme"]
    for page in pages:
        html = owner.get(listen(world, page)).content.decode()
        assert "<script>alert(1)" not in html, page
        assert "<svg onload" not in html, page
        assert "<img src=x" not in html, page
        assert 'href="javascript:' not in html.lower(), page
        assert inline_code(html) == [], page
    html = owner.get(listen(world)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;svg onload=alert(4)&gt;" in html
    # The only links to originals are http(s), opened without an opener.
    for tag in re.findall(r'<a [^>]*data-action="open"[^>]*>', html):
        assert 'href="https://' in tag
        assert 'rel="noopener noreferrer"' in tag
        assert 'target="_blank"' in tag


def test_stream_filters_live_arrival_and_load_more(
    world: World, owner: Client, ids: dict[str, str]
) -> None:
    happy = add_post(world, "acme is lovely", sentiment="positive", followers=50_000)
    page = owner.get(listen(world)).content.decode()
    assert "acme is lovely" in page
    assert "acme is broken again" in page
    negative = owner.get(listen(world, "?sentiment=negative"), headers=HX).content.decode()
    assert "acme is broken again" in negative
    assert "acme is lovely" not in negative
    reach = owner.get(listen(world, "?min_reach=10000"), headers=HX).content.decode()
    assert "acme is lovely" in reach
    assert "acme is broken again" not in reach
    assert (
        "data-mention " not in owner.get(listen(world, "?handled=yes"), headers=HX).content.decode()
    )

    # The poller asks for posts newer than the first shown: none yet, then one.
    poll = re.search(r'id="mention-poller"[^>]*hx-get="([^"]+)"', page)
    assert poll is not None
    poll_url = poll.group(1).replace("&amp;", "&")
    assert f"after_id={happy.pk}" in poll_url
    assert owner.get(poll_url, headers=HX).status_code == 204
    add_post(world, "acme arrived just now")
    fresh = owner.get(poll_url, headers=HX).content.decode()
    assert "acme arrived just now" in fresh
    assert "1 new" in fresh
    assert "acme is lovely" not in fresh

    # Load more: a page of 50, then the older ones.
    for i in range(50):
        add_post(world, f"acme bulk {i}", ago=100 + i)
    first = owner.get(listen(world)).content.decode()
    more = re.search(r'id="mentions-more"><button[^>]*hx-get="([^"]+)"', first)
    assert more is not None
    older = owner.get(more.group(1).replace("&amp;", "&"), headers=HX).content.decode()
    assert older.count("data-mention ") >= 1
    assert "mentions-more" not in older


def test_agent_corrects_tags_handles_and_links_a_mention(world: World, ids: dict[str, str]) -> None:
    agent = client_for(world.members[Role.AGENT.value])
    post_id = ids["post_id"]
    row = agent.post(
        listen(world, f"posts/{post_id}/correct/"),
        {"field": "sentiment", "value": "positive"},
        headers=HX,
    ).content.decode()
    assert 'data-sentiment="positive"' in row
    assert "corrected" in row
    assert Correction.objects.for_workspace(world.workspace).get().before == "negative"
    bad = agent.post(
        listen(world, f"posts/{post_id}/correct/"),
        {"field": "intent", "value": "angry"},
        headers=HX,
    )
    assert bad.status_code == 400
    assert "Choose one of" in bad.content.decode()
    tagged = agent.post(listen(world, f"posts/{post_id}/tag/"), {"tags": "vip, bug"}, headers=HX)
    assert "#vip" in tagged.content.decode()
    done = agent.post(listen(world, f"posts/{post_id}/handled/"), {"handled": "1"}, headers=HX)
    assert "data-handled" in done.content.decode()
    assert Post.objects.for_workspace(world.workspace).get(pk=post_id).handled

    kept = do_create_contact(
        world.actor(), identities=[Claim("email", "ann@example.com")], full_name="Ann Example"
    ).contact
    found = agent.get(listen(world, f"posts/{post_id}/link/?q=Ann"), headers=HX).content.decode()
    assert f'data-link-contact="{kept.pk}"' in found
    linked = agent.post(
        listen(world, f"posts/{post_id}/link/"), {"contact_id": kept.pk}, headers=HX
    )
    assert "Ann Example" in linked.content.decode()
    author = Post.objects.for_workspace(world.workspace).get(pk=post_id).author
    assert author.contact_id == kept.pk

    # A new contact from an author who is nobody yet.
    other = add_post(world, "acme who am I", handle="new.person.example", name="New Person")
    made = agent.post(listen(world, f"posts/{other.pk}/link/"), {"create": "1"}, headers=HX)
    assert made.status_code == 200
    contact = Contact.objects.for_workspace(world.workspace).get(full_name="New Person")
    assert Post.objects.for_workspace(world.workspace).get(pk=other.pk).contact_id == contact.pk

    # An analyst sees the stream but cannot act on it.
    analyst = client_for(world.members[Role.ANALYST.value])
    assert "Mark handled" not in analyst.get(listen(world)).content.decode()
    assert analyst.post(listen(world, f"posts/{post_id}/handled/")).status_code == 403


def test_query_editor_checks_as_you_type_and_previews(
    world: World, owner: Client, ids: dict[str, str]
) -> None:
    add_post(world, "Łódź coffee is great")
    bad = owner.get(
        listen(world, "topics/preview/?query=coffee AND ("), headers=HX
    ).content.decode()
    assert "data-query-error" in bad
    caret = re.search(r'data-position="(\d+)"', bad)
    assert caret is not None
    assert int(caret.group(1)) > 0
    assert '<mark class="caret-at">' in bad
    good = owner.get(listen(world, "topics/preview/?query=lodz"), headers=HX).content.decode()
    assert "data-query-ok" in good
    assert "Łódź coffee is great" in good
    assert "<strong>1</strong>" in good

    refused = owner.post(
        listen(world, "topics/new/"), {"name": "Coffee", "kind": "brand", "query": "coffee OR"}
    )
    assert refused.status_code == 400
    assert "data-query-error" in refused.content.decode()
    created = owner.post(
        listen(world, "topics/new/"),
        {"name": "Coffee", "kind": "competitor", "query": "coffee", "active": "on"},
    )
    assert created.status_code == 302
    topic = Topic.objects.for_workspace(world.workspace).get(name="Coffee")
    assert created["Location"] == listen(world, f"topics/{topic.pk}/")
    edited = owner.post(
        listen(world, f"topics/{topic.pk}/edit/"),
        {"name": "Coffee!", "kind": "competitor", "query": "coffee OR tea", "active": "on"},
    )
    assert edited.status_code == 302
    topic.refresh_from_db()
    assert (topic.name, topic.query) == ("Coffee!", "coffee OR tea")
    listed = owner.get(listen(world, "topics/")).content.decode()
    assert "Coffee!" in listed
    assert "sentiment-bar" in listed
    assert owner.post(listen(world, f"topics/{topic.pk}/delete/")).status_code == 302
    assert not Topic.objects.for_workspace(world.workspace).filter(pk=topic.pk).exists()


def test_topic_dashboard_charts(world: World, owner: Client, ids: dict[str, str]) -> None:
    add_post(world, "acme #launch is great", sentiment="positive")
    for period in ("24h", "7d", "30d"):
        html = owner.get(listen(world, f"topics/{ids['topic_id']}/?period={period}")).content
        text = html.decode()
        assert "chart-volume" in text
        assert 'class="s-negative"' in text
        assert "chart-share" in text
        assert "fan." in text  # a top author


def test_sources_mask_credentials_add_and_pause(
    world: World, owner: Client, ids: dict[str, str]
) -> None:
    html = owner.get(listen(world, "sources/")).content.decode()
    assert f"secret-{world.workspace.slug}" not in html
    assert "••••••" in html
    assert "HTTP 503 from example.com" in html
    assert ">" + "c" * 20 + "…</code>" in html  # the cursor is shortened
    bad = owner.post(
        listen(world, "sources/new/"), {"name": "Demo", "network": "replay", "config": "{nope"}
    )
    assert bad.status_code == 400
    assert "Not valid JSON" in bad.content.decode()
    refused = owner.post(
        listen(world, "sources/new/"),
        {"name": "Demo", "network": "replay", "config": '{"speed": -1}'},
    )
    assert refused.status_code == 400
    assert "speed" in refused.content.decode()
    added = owner.post(
        listen(world, "sources/new/"),
        {"name": "Demo", "network": "replay", "cfg_replay_speed": "30", "config": ""},
    )
    assert added.status_code == 302
    # Per-network fields: a Mastodon token is kept, and never shown again.
    token = "mastodon-token-0123456789abcdef"
    masto = owner.post(
        listen(world, "sources/new/"),
        {
            "name": "Fediverse",
            "network": "mastodon",
            "cfg_mastodon_instance": "https://mastodon.social",
            "cfg_mastodon_hashtags": "acme, #coffee",
            "cfg_mastodon_mode": "poll",
            "cfg_mastodon_token": token,
        },
    )
    assert masto.status_code == 302, masto.content.decode()[-2000:]
    saved = ListeningSource.objects.for_workspace(world.workspace).get(name="Fediverse")
    assert saved.config["hashtags"] == ["acme", "coffee"]
    assert saved.config["token"] == token
    assert token not in owner.get(listen(world, "sources/")).content.decode()
    form = owner.get(listen(world, "sources/new/?network=mastodon")).content.decode()
    assert 'data-network-fields="mastodon"' in form
    source = ListeningSource.objects.for_workspace(world.workspace).get(name="Demo")
    assert source.config["speed"] == 30.0
    assert owner.post(listen(world, f"sources/{source.pk}/toggle/")).status_code == 302
    source.refresh_from_db()
    assert not source.enabled


def test_alerts_show_their_posts_and_rules_save(
    world: World, owner: Client, ids: dict[str, str]
) -> None:
    html = owner.get(listen(world, "alerts/")).content.decode()
    assert "Volume spike" in html
    assert "acme is broken again" in html
    url = listen(world, f"topics/{ids['topic_id']}/alerts/")
    saved = owner.post(
        url,
        {
            "enabled": "on",
            "sensitivity": "0.01",
            "min_mentions": "5",
            "emails": "a@example.com, b@example.com",
            "webhook_url": "https://hooks.example.com/x",
        },
    )
    assert saved.status_code == 302
    rule = AlertRule.objects.for_workspace(world.workspace).get()
    assert (rule.sensitivity, rule.min_mentions, rule.emails) == (
        0.01,
        5,
        ["a@example.com", "b@example.com"],
    )
    owner.post(url, {"sensitivity": "0.01", "min_mentions": "5", "emails": "not-an-email"})
    rule.refresh_from_db()
    assert rule.enabled  # the bad form changed nothing


def test_foreign_rows_are_not_found(world: World, other_world: World, owner: Client) -> None:
    theirs = make_listening_ids(other_world)
    for page in (f"topics/{theirs['topic_id']}/", f"posts/{theirs['post_id']}/link/"):
        assert owner.get(listen(world, page)).status_code == 404
    resp: Any = owner.post(listen(world, f"posts/{theirs['post_id']}/handled/"))
    assert resp.status_code == 404

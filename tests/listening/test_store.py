"""The listening pipeline from a source's posts to stored mentions: dedupe by id and
by copied text, matching against the workspace's topics only, NLP only on matched
posts, authors, contact links, the cursor, and hostile text kept inert."""

from __future__ import annotations

from typing import Any

import pytest

from rapport.channels.registry import Fetched
from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.resolution import Claim
from rapport.core.events import Event, subscribe
from rapport.listening.actions import do_create_topic
from rapport.listening.models import Author, Mention, Post
from rapport.listening.store import store
from rapport.listening.topics_index import TopicIndex
from tests.factories import World

from .conftest import RuleNlp, make_source, post

pytestmark = pytest.mark.django_db(transaction=True)


def _index() -> TopicIndex:
    index = TopicIndex()
    index.refresh()
    return index


def test_matched_posts_become_mentions_with_sentiment_and_the_rest_is_stored_plain(
    world: World, nlp: RuleNlp
) -> None:
    actor = world.actor("marketer")
    brand = do_create_topic(actor, name="Nordlicht", query='nordlicht OR "northern light"')
    rival = do_create_topic(actor, name="Kaffeewerk", query="kaffeewerk", kind="competitor")
    source = make_source(world.workspace)
    posts = [
        post("My Nordlicht grinder arrived broken, awful"),
        post("Is Kaffeewerk open on Sunday?"),
        post("Lovely weather today"),
        post("Nordlicht vs Kaffeewerk: I love both"),
    ]
    report = store(source, Fetched(posts, cursor="c-1"), _index(), nlp)

    assert (report.stored, report.mentions) == (4, 4)
    stored = {p.text: p for p in Post.objects.for_workspace(world.workspace)}
    assert stored["My Nordlicht grinder arrived broken, awful"].sentiment == "negative"
    assert stored["Is Kaffeewerk open on Sunday?"].intent == "question"
    assert stored["Lovely weather today"].sentiment == ""  # no topic: no NLP
    assert "Lovely weather today" not in nlp.classified
    both = stored["Nordlicht vs Kaffeewerk: I love both"]
    topics = set(Mention.objects.for_workspace(world.workspace).filter(post=both)
                 .values_list("topic_id", flat=True))  # fmt: skip
    assert topics == {brand.pk, rival.pk}
    source.refresh_from_db()
    assert (source.cursor, source.state, source.posts_seen) == ("c-1", "connected", 4)


def test_the_same_post_twice_and_copied_text_are_not_counted_again(
    world: World, nlp: RuleNlp
) -> None:
    do_create_topic(world.actor(), name="Nordlicht", query="nordlicht")
    source = make_source(world.workspace)
    index = _index()
    first = post("Nordlicht beans are the best thing this winter", external_id="at://1")
    store(source, Fetched([first], "1"), index, nlp)
    again = store(source, Fetched([first], "2"), index, nlp)  # redelivered after a resume
    assert (again.duplicates, again.stored) == (1, 0)
    copies = [
        post("Nordlicht beans are the best thing this winter https://t.co/abc", handle="bot1"),
        post("nordlicht BEANS are the best thing this winter!!", handle="bot2"),
    ]
    report = store(source, Fetched(copies, "3"), index, nlp)
    assert (report.stored, report.copies, report.mentions) == (2, 2, 0)
    original = Post.objects.for_workspace(world.workspace).get(external_id="at://1")
    assert set(
        Post.objects.for_workspace(world.workspace)
        .filter(duplicate_of=original)
        .values_list("author__handle", flat=True)
    ) == {"bot1", "bot2"}
    assert Mention.objects.for_workspace(world.workspace).count() == 1


def test_topics_of_another_workspace_never_match(
    world: World, other_world: World, nlp: RuleNlp
) -> None:
    do_create_topic(other_world.actor(), name="Nordlicht", query="nordlicht")
    source = make_source(world.workspace)
    report = store(source, Fetched([post("nordlicht everywhere")], "c"), _index(), nlp)
    assert report.mentions == 0
    assert nlp.classified == []


def test_authors_are_kept_once_and_linked_to_the_contact_holding_their_handle(
    world: World, nlp: RuleNlp
) -> None:
    actor = world.actor()
    do_create_topic(actor, name="Nordlicht", query="nordlicht")
    known = do_create_contact(
        actor, identities=[Claim("bluesky", "bob.bsky.social")], full_name="Bob Known"
    ).contact
    namesake = do_create_contact(actor, full_name="Carol Namesake").contact
    source = make_source(world.workspace)
    posts = [
        post("nordlicht 1", handle="bob.bsky.social", name="Bobby", followers=10),
        post("nordlicht 2", handle="bob.bsky.social", name="Bobby", followers=12),
        post("nordlicht 3", handle="carol.bsky.social", name="Carol Namesake"),
    ]
    store(source, Fetched(posts, "c"), _index(), nlp)
    bob = Author.objects.for_workspace(world.workspace).get(handle="bob.bsky.social")
    assert (bob.posts, bob.followers, bob.name) == (2, 12, "Bobby")
    by_author = {p.author.handle: p for p in Post.objects.for_workspace(world.workspace)
                 .select_related("author")}  # fmt: skip
    assert by_author["bob.bsky.social"].contact_id == known.pk
    carol = by_author["carol.bsky.social"]
    assert carol.contact_id is None
    assert (carol.suggested_contact_id, carol.suggestion_confidence) == (namesake.pk, 0.5)


def test_hostile_text_and_links_are_stored_inert(world: World, nlp: RuleNlp) -> None:
    do_create_topic(world.actor(), name="Nordlicht", query="nordlicht")
    source = make_source(world.workspace)
    evil = post(
        "nordlicht <script>alert(1)</script>\x00\x1b[31m",
        url="javascript:alert(document.cookie)",
    )
    store(source, Fetched([evil], "c"), _index(), nlp)
    stored = Post.objects.for_workspace(world.workspace).get()
    assert stored.url == ""  # never an "open the original" link that runs script
    assert "\x00" not in stored.text
    assert "\x1b" not in stored.text
    assert stored.text.startswith("nordlicht <script>")  # kept as text; templates escape it


def test_each_mention_is_published_for_the_inbox_and_automation(world: World, nlp: RuleNlp) -> None:
    seen: list[dict[str, Any]] = []
    subscribe(Event.MENTION_CREATED)(lambda e: seen.append(e.payload))
    do_create_topic(world.actor(), name="Nordlicht", query="nordlicht")
    store(make_source(world.workspace), Fetched([post("nordlicht is broken")], "c"), _index(), nlp)
    assert [(p["sentiment"], p["intent"]) for p in seen] == [("negative", "complaint")]


def test_a_firehose_keeps_only_posts_that_match_and_saves_its_cursor_now_and_then(
    world: World, nlp: RuleNlp
) -> None:
    do_create_topic(world.actor(), name="Nordlicht", query="nordlicht")
    source = make_source(world.workspace)
    source.keep_unmatched = False
    source.save()
    index = _index()
    chatter = [post(f"chatter about the weather, day {'x' * n}") for n in range(50)]
    report = store(source, Fetched([*chatter, post("nordlicht at last")], "c-1"), index, nlp)
    assert (report.stored, report.mentions) == (1, 1)
    assert list(Post.objects.for_workspace(world.workspace).values_list("text", flat=True)) == [
        "nordlicht at last"
    ]
    store(source, Fetched(chatter[:3], "c-2"), index, nlp)  # nothing kept, cursor not due
    source.refresh_from_db()
    assert source.cursor == "c-1"

"""Reddit: listings parsed from real-shaped payloads, and the provider polling a fake
Reddit on 127.0.0.1 through the egress guard."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from hypothesis import given, settings

from rapport.channels.connectors.reddit.parse import RedditPayloadError, parse_listing
from rapport.channels.connectors.reddit.provider import RedditProvider
from rapport.channels.egress import EgressPolicy
from rapport.channels.http import HttpError, RateLimited
from rapport.channels.registry import Fetched, provider

from .fakes import Sleeps, damaged, ids, rate_limited, take
from .fakes.http_server import Disconnect, Reply, Request, StreamReply
from .fakes.reddit import FakeReddit, fixture, submission


def config(server_url: str, **extra: Any) -> dict[str, Any]:
    return {"token": "tok-123", "subreddits": ["selfhosted"], "base_url": server_url, **extra}


def test_submissions_and_comments_become_posts() -> None:
    posts = parse_listing(fixture("new.json")).posts
    link_post = posts[1]
    assert link_post.external_id == "t3_1h4k2a2"
    assert link_post.title == "Rapport 1.4 released & it's open source"
    assert link_post.links == ("https://rapport.example/blog/1-4",)
    assert (link_post.likes, link_post.replies) == (42, 7)
    assert link_post.url == "https://www.reddit.com/r/selfhosted/comments/1h4k2a2/slug/"
    question = posts[2]
    assert question.text.endswith(
        "Tried Rapport, see https://rapport.example/docs. Thanks u/bob_dev!"
    )
    assert question.mentions == ("u/bob_dev",)
    assert question.links == ("https://rapport.example/docs",)
    assert question.author.handle == "u/alice_admin"
    assert question.created_at.isoformat() == "2026-12-02T10:40:00+00:00"

    comments = parse_listing(fixture("comments.json")).posts
    assert [c.reply_to for c in comments] == ["t1_m0abc01", "t3_1h4k2a1"]
    assert comments[0].text == "Same here > 6 months, no regrets"
    assert comments[1].title == "Which self-hosted CRM do you use?"


def test_hostile_text_is_plain_text_and_script_links_are_not_links() -> None:
    hostile = parse_listing(fixture("new.json")).posts[0]
    assert hostile.title == "<script>alert(1)</script> look"
    assert "[click](javascript:alert(1)) <svg onload=alert(2)> & more" in hostile.text
    assert hostile.links == ()


def test_a_listing_of_something_else_is_a_clear_error() -> None:
    with pytest.raises(RedditPayloadError, match="expected a Listing"):
        parse_listing({"kind": "t3", "data": {}})
    with pytest.raises(RedditPayloadError, match=r"without data\.children"):
        parse_listing({"kind": "Listing", "data": {"children": {}}})


def test_a_thing_that_cannot_be_read_is_kept_as_a_problem_with_its_name() -> None:
    listing = parse_listing(
        {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {"name": "t1_a1"}}]}}
    )
    assert listing.posts == []
    assert [(t.name, t.problem) for t in listing.things] == [
        ("t1_a1", "t1_a1 was skipped: t1_a1 without created_utc")
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"token": ""}, "credentials are missing"),
        ({"token": "", "client_id": "app-id"}, "credentials are missing"),
        ({"token": "two words"}, "spaces"),
        ({"subreddits": [], "query": ""}, "at least one subreddit"),
        ({"subreddits": ["no spaces allowed"]}, "not a subreddit name"),
        ({"base_url": "ftp://oauth.reddit.com"}, "only http and https"),
        ({"base_url": "http://10.0.0.7"}, "private address"),
        ({"interval_seconds": "soon"}, "number of seconds"),
    ],
)
def test_settings_a_person_can_fix(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RedditProvider().validate({"token": "t", "subreddits": "selfhosted", **change})


def test_the_provider_is_registered() -> None:
    assert isinstance(provider("reddit"), RedditProvider)
    cleaned = provider("reddit").validate({"token": "t", "subreddits": "r/selfhosted, crm"})
    assert cleaned["subreddits"] == ["selfhosted", "crm"]


def test_validated_settings_validate_to_themselves() -> None:
    # A source stores what validate gave and its stream validates it again.
    for config in (
        {"token": "t", "subreddits": "selfhosted", "username": "acme_ops"},
        {"client_id": "i", "client_secret": "s", "query": "rapport crm", "interval_seconds": 30},
    ):
        cleaned = RedditProvider().validate(config)
        assert RedditProvider().validate(cleaned) == cleaned


def test_polls_posts_and_comments_with_token_and_user_agent(loopback: EgressPolicy) -> None:
    reddit = FakeReddit()
    reddit.posts = fixture("new.json")["data"]["children"][::-1]
    reddit.comments = fixture("comments.json")["data"]["children"][::-1]

    async def scenario() -> list[Any]:
        async with reddit.server:
            source = RedditProvider(policy=loopback, sleep=Sleeps())
            return await take(source.stream(config(reddit.server.url, username="acme_ops"), ""), 5)

    steps = asyncio.run(scenario())
    assert ids(steps) == ["t3_1h4k2a1", "t3_1h4k2a2", "t3_1h4k2a3", "t1_m0abc01", "t1_m0abc02"]
    assert orjson.loads(steps[-1].cursor) == {"comments": "t1_m0abc02", "posts": "t3_1h4k2a3"}
    first = reddit.requests[0]
    assert first.path == "/r/selfhosted/new.json"
    assert first.headers["authorization"] == "bearer tok-123"
    assert first.headers["user-agent"] == "server:rapport-listening:0.1 (by /u/acme_ops)"


def test_a_restart_reads_what_came_meanwhile_across_pages_without_gap_or_duplicate(
    loopback: EgressPolicy,
) -> None:
    reddit = FakeReddit()
    reddit.posts = [submission(n) for n in range(1, 4)]
    settings = config("", include_comments=False)

    async def scenario() -> tuple[list[Any], list[Any]]:
        async with reddit.server:
            settings["base_url"] = reddit.server.url
            source = RedditProvider(policy=loopback, sleep=Sleeps())
            first = await take(source.stream(settings, ""), 3)
            # The worker stops; 150 posts arrive, more than one page of 100.
            reddit.posts += [submission(n) for n in range(4, 154)]
            second = await take(source.stream(settings, first[-1].cursor), 150)
            return first, second

    first, second = asyncio.run(scenario())
    assert ids(first) == [submission(n)["data"]["name"] for n in range(1, 4)]
    assert ids(second) == [submission(n)["data"]["name"] for n in range(4, 154)]
    assert any(r.arg("after") for r in reddit.requests)  # the gap took a second page


def test_a_429_goes_up_with_reddit_s_wait_and_a_restart_from_the_cursor_loses_nothing(
    loopback: EgressPolicy,
) -> None:
    reddit = FakeReddit()
    reddit.posts = [submission(1)]
    settings = config("", include_comments=False)

    async def scenario() -> tuple[list[Fetched], RateLimited, list[Fetched]]:
        async with reddit.server:
            settings["base_url"] = reddit.server.url
            source = RedditProvider(policy=loopback, sleep=Sleeps())
            first = await take(source.stream(settings, ""), 1)
            reddit.posts.append(submission(2))
            reddit.interrupts.append(
                Reply(
                    429,
                    b"Too Many Requests",
                    {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "37"},
                )
            )
            before, limited = await rate_limited(source.stream(settings, first[-1].cursor))
            # The runner waits as long as Reddit said, then restarts from the stored cursor.
            again = await take(source.stream(settings, first[-1].cursor), 1)
            return before, limited, again

    before, limited, again = asyncio.run(scenario())
    assert before == []
    assert limited.retry_after_seconds == 37
    assert ids(again) == [submission(2)["data"]["name"]]


def test_a_spent_window_is_waited_out_before_the_next_request(loopback: EgressPolicy) -> None:
    reddit = FakeReddit()
    reddit.posts = [submission(1)]
    reddit.remaining = 1  # the next answer says 0 remaining, reset in 412 s
    sleeps = Sleeps()

    async def scenario() -> None:
        async with reddit.server:
            source = RedditProvider(policy=loopback, sleep=sleeps)
            await take(source.stream(config(reddit.server.url, include_comments=False), ""), 1)

    asyncio.run(scenario())
    assert sleeps.calls[0] == 412


def test_garbage_is_a_clear_error_and_the_stored_cursor_still_resumes(
    loopback: EgressPolicy,
) -> None:
    reddit = FakeReddit()
    reddit.posts = [submission(1)]
    settings = config("", include_comments=False)

    async def scenario() -> list[Any]:
        async with reddit.server:
            settings["base_url"] = reddit.server.url
            source = RedditProvider(policy=loopback, sleep=Sleeps())
            first = await take(source.stream(settings, ""), 1)
            reddit.posts.append(submission(2))
            reddit.interrupts.append(Reply(200, b"<html>we are down</html>"))
            with pytest.raises(HttpError, match="not JSON"):
                await take(source.stream(settings, first[-1].cursor), 1)
            reddit.interrupts.append(Reply.json({"kind": "Listing", "data": {"children": "x"}}))
            with pytest.raises(RedditPayloadError, match=r"without data\.children"):
                await take(source.stream(settings, first[-1].cursor), 1)
            return await take(source.stream(settings, first[-1].cursor), 1)

    assert ids(asyncio.run(scenario())) == [submission(2)["data"]["name"]]


def test_an_application_token_is_fetched_and_renewed_when_reddit_refuses_it(
    loopback: EgressPolicy,
) -> None:
    reddit = FakeReddit()
    reddit.tokens = []
    reddit.posts = [submission(1)]

    async def scenario() -> tuple[list[Any], list[Any]]:
        async with reddit.server:
            settings = config(
                reddit.server.url,
                token="",
                client_id="app-id",
                client_secret="app-secret",
                auth_url=reddit.server.url,
                include_comments=False,
            )
            source = RedditProvider(policy=loopback, sleep=Sleeps())
            stream = source.stream(settings, "")
            first = [await anext(stream)]
            reddit.tokens.clear()  # revoked before its time
            reddit.posts.append(submission(2))
            second = await take(stream, 1)
            return first, second

    first, second = asyncio.run(scenario())
    assert ids(first) == [submission(1)["data"]["name"]]
    assert ids(second) == [submission(2)["data"]["name"]]
    assert reddit.issued == 2
    token_requests = [r for r in reddit.requests if r.path == "/api/v1/access_token"]
    assert [r.method for r in token_requests] == ["POST", "POST"]


@settings(max_examples=150, deadline=None)
@given(damaged(fixture("new.json")))
def test_any_damage_to_a_listing_is_a_reddit_payload_error_or_harmless(listing: Any) -> None:
    with contextlib.suppress(RedditPayloadError):
        parse_listing(listing)


@settings(max_examples=150, deadline=None)
@given(damaged(fixture("comments.json")))
def test_any_damage_to_comments_is_a_reddit_payload_error_or_harmless(listing: Any) -> None:
    with contextlib.suppress(RedditPayloadError):
        parse_listing(listing)


def test_one_unreadable_thing_is_reported_once_and_the_rest_goes_on(loopback: EgressPolicy) -> None:
    reddit = FakeReddit()
    broken = submission(2)
    del broken["data"]["created_utc"]
    name = broken["data"]["name"]
    reddit.posts = [submission(1), broken, submission(3)]
    settings = config("", include_comments=False)

    async def scenario() -> tuple[list[Any], list[Any]]:
        async with reddit.server:
            settings["base_url"] = reddit.server.url
            source = RedditProvider(policy=loopback, sleep=Sleeps())
            first = await take(source.stream(settings, ""), 2)
            reddit.posts.append(submission(4))
            second = await take(source.stream(settings, first[-1].cursor), 1)
            return first, second

    first, second = asyncio.run(scenario())
    assert ids(first) == [submission(1)["data"]["name"], submission(3)["data"]["name"]]
    assert first[0].problems == (f"{name} was skipped: {name} without created_utc",)
    assert ids(second) == [submission(4)["data"]["name"]]
    assert second[0].problems == ()


def test_a_connection_cut_mid_answer_is_retried_and_nothing_is_lost(
    loopback: EgressPolicy,
) -> None:
    reddit = FakeReddit()
    reddit.posts = [submission(1)]
    sleeps = Sleeps()

    async def cut_short() -> AsyncIterator[bytes]:
        yield b'{"kind": "Listing", "data": {"children": [{"kind": "t3", "da'
        raise Disconnect

    async def scenario() -> list[Fetched]:
        async with reddit.server:
            original = reddit.handle

            async def first_cut(request: Request) -> Reply | StreamReply:
                reddit.server.handler = original
                return StreamReply(cut_short())

            reddit.server.handler = first_cut
            source = RedditProvider(policy=loopback, sleep=sleeps)
            settings = config(reddit.server.url, include_comments=False)
            return await take(source.stream(settings, ""), 1)

    assert ids(asyncio.run(scenario())) == [submission(1)["data"]["name"]]
    assert sleeps.calls[0] == 1.0  # one pause, then the same request again

"""Bluesky: Jetstream events parsed from real-shaped payloads, and the provider
following a fake Jetstream (a WebSocket server on 127.0.0.1) through the egress rules."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, TypeVar

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.asyncio.server import ServerConnection

from rapport.channels.connectors.bluesky.parse import JetstreamPayloadError, parse_message
from rapport.channels.connectors.bluesky.provider import CURSOR_RECENT, BlueskyProvider, _Place
from rapport.channels.egress import EgressDenied, EgressPolicy
from rapport.channels.http import RateLimited
from rapport.channels.posts import Author, RawPost
from rapport.channels.registry import Fetched, provider

from .fakes import Sleeps, damaged, ids, rate_limited, take
from .fakes.http_server import FakeHttpServer, Reply, Request
from .fakes.jetstream import FakeJetstream, fixture_events, replay_and_wait

T = TypeVar("T")
EVENTS = fixture_events()
POSTS = [0, 1, 4, 7]  # the events that create posts
REWIND_US = 5_000_000


def uri(index: int) -> str:
    event = EVENTS[index]
    return f"at://{event['did']}/app.bsky.feed.post/{event['commit']['rkey']}"


def later_post(index: int, seconds: int) -> dict[str, Any]:
    """Event ``index`` again as a new post, ``seconds`` later."""
    event = copy.deepcopy(EVENTS[index])
    event["time_us"] += seconds * 1_000_000
    event["commit"]["rkey"] += f"x{seconds}"
    return event


def source(policy: EgressPolicy, sleeps: Sleeps | None = None) -> BlueskyProvider:
    return BlueskyProvider(policy=policy, sleep=sleeps or Sleeps(), batch_seconds=0.05)


def serving(fake: FakeJetstream, scenario: Callable[[], Awaitable[T]]) -> T:
    async def inside() -> T:
        async with fake:
            return await scenario()

    return asyncio.run(inside())


def test_post_commits_become_posts_and_other_events_only_move_time() -> None:
    events = [parse_message(line) for line in map(orjson.dumps, EVENTS)]
    assert [i for i, e in enumerate(events) if e.post] == POSTS
    assert [e.time_us for e in events] == [e["time_us"] for e in EVENTS]
    first = events[0].post
    assert first is not None
    assert first.external_id == uri(0)
    assert (
        first.url == "https://bsky.app/profile/did:plc:eygmaihciaxprqvxpfvl6flk/post/3lcw5xq6hyk2a"
    )
    assert first.mentions == ("bsky.app",)
    assert first.hashtags == ("opensource",)
    assert first.links == ("https://rapport.example/blog/1-4",)
    assert (first.lang, first.created_at.isoformat()) == ("en", "2026-12-02T10:39:59.812000+00:00")
    reply = events[1].post
    assert reply is not None
    assert reply.reply_to == uri(0)
    assert reply.lang == "fr"
    quote = events[7].post
    assert quote is not None
    assert quote.hashtags == ("atproto",)
    assert quote.links == ("https://docs.bsky.app/docs/advanced-guides/firehose",)


def test_hostile_text_stays_text_and_script_links_are_not_links() -> None:
    hostile = parse_message(orjson.dumps(EVENTS[4])).post
    assert hostile is not None
    assert hostile.text == (
        'click me now <script>alert(1)</script> <svg onload=alert(2)><a href="javascript:alert(3)">'
        "x</a></svg>"
    )
    assert hostile.links == ()


def test_characters_that_hide_or_reorder_text_are_removed() -> None:
    event = copy.deepcopy(EVENTS[1])
    event["commit"]["record"]["text"] = "pay\u202egnp.exe\x00 now"
    post = parse_message(orjson.dumps(event)).post
    assert post is not None
    assert post.text == "paygnp.exe now"


def test_an_author_clock_in_the_future_gives_way_to_jetstream_time() -> None:
    event = copy.deepcopy(EVENTS[0])
    event["commit"]["record"]["createdAt"] = "2099-01-01T00:00:00Z"
    post = parse_message(orjson.dumps(event)).post
    assert post is not None
    assert post.created_at.timestamp() == event["time_us"] / 1_000_000


@pytest.mark.parametrize(
    ("message", "error"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"did": "did:plc:x", "time_us": "soon", "kind": "commit"}', "time_us"),
        (b'{"time_us": 5, "kind": "commit"}', "without a did"),
    ],
)
def test_a_message_that_is_not_an_event_is_a_clear_error(message: bytes, error: str) -> None:
    with pytest.raises(JetstreamPayloadError, match=error):
        parse_message(message)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"endpoints": ["https://jetstream2.us-east.bsky.network/subscribe"]}, "wss:// URL"),
        ({"endpoints": ["wss://10.1.2.3/subscribe"]}, "private address"),
        ({"dids": ["alice.bsky.social"]}, "not an account DID"),
        ({"rewind_seconds": -1}, "between 0 and 600"),
    ],
)
def test_settings_a_person_can_fix(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BlueskyProvider().validate(change)


def test_the_provider_is_registered_with_bluesky_s_public_instances() -> None:
    assert isinstance(provider("bluesky"), BlueskyProvider)
    endpoints = provider("bluesky").validate({})["endpoints"]
    assert endpoints[0] == "wss://jetstream2.us-east.bsky.network/subscribe"
    # A source stores what validate gave and its stream validates it again.
    cleaned = provider("bluesky").validate({"rewind_seconds": 9, "dids": "did:web:example.com"})
    assert provider("bluesky").validate(cleaned) == cleaned


def test_follows_jetstream_and_keeps_its_place_in_time(loopback: EgressPolicy) -> None:
    fake = FakeJetstream(EVENTS)

    async def scenario() -> list[Fetched]:
        return await take(
            source(loopback).stream({"endpoints": [fake.url], "profiles": False}, ""), 4
        )

    steps = serving(fake, scenario)
    assert ids(steps) == [uri(i) for i in POSTS]
    cursor = orjson.loads(steps[-1].cursor)
    assert cursor["time_us"] == EVENTS[7]["time_us"]
    assert len(cursor["recent"]) == 4  # the posts of the last five seconds, as digests
    assert fake.asked[0] == {"wantedCollections": ["app.bsky.feed.post"]}


def test_a_firehose_cursor_lists_the_newest_posts_the_process_remembers_all() -> None:
    """Thousands of posts in the rewind window: the saved cursor keeps the newest
    CURSOR_RECENT digests (a restart hands the older ones over again and the store
    knows them by at-uri); the running process still refuses every one it has seen."""
    place = _Place(0, [], rewind_us=5_000_000)
    start = 1_796_208_000_000_000
    posts = [
        RawPost(network="bluesky", external_id=f"at://did:plc:x/app.bsky.feed.post/k{n}",
                text="hi", created_at=datetime(2026, 12, 1, tzinfo=UTC), author=Author("x"))
        for n in range(3 * CURSOR_RECENT)
    ]  # fmt: skip
    for n, post in enumerate(posts):
        assert place.hand_over(post, start + n * 500)
        place.advance(start + n * 500)
    cursor = orjson.loads(place.dump())
    assert cursor["time_us"] == start + (len(posts) - 1) * 500
    assert len(cursor["recent"]) == CURSOR_RECENT
    assert [t for t, _d in cursor["recent"]] == [
        start + n * 500 for n in range(2 * CURSOR_RECENT, 3 * CURSOR_RECENT)
    ]
    assert not place.hand_over(posts[0], start)  # the process remembers the whole window
    restarted = _Place.load(place.dump(), 5_000_000)
    assert not restarted.hand_over(posts[-1], start + len(posts) * 500)
    assert restarted.hand_over(posts[0], start)
    # Past the window, digests expire from the front.
    place.advance(start + 60_000_000)
    assert orjson.loads(place.dump())["recent"] == []
    assert len(place.recent) == 0


def test_a_drop_mid_stream_resumes_a_few_seconds_back_without_duplicates(
    loopback: EgressPolicy,
) -> None:
    fake = FakeJetstream(EVENTS)
    dropped_at = EVENTS[4]["time_us"]

    async def then_drop(fake: FakeJetstream, connection: ServerConnection, cursor: int) -> None:
        for event in fake.replayed(cursor):
            if event["time_us"] > dropped_at:
                break
            await connection.send(orjson.dumps(event).decode())
        await asyncio.sleep(0.1)
        connection.transport.abort()

    fake.connections = [then_drop, replay_and_wait]
    sleeps = Sleeps()

    async def scenario() -> tuple[list[Fetched], list[Fetched]]:
        settings = {"endpoints": [fake.url], "profiles": False}
        first = await take(source(loopback, sleeps).stream(settings, ""), 4)
        # Stopped and started again later: two new posts meanwhile.
        fake.events += [later_post(0, 2), later_post(1, 3)]
        second = await take(source(loopback).stream(settings, first[-1].cursor), 2)
        return first, second

    first, second = serving(fake, scenario)
    assert ids(first) == [uri(i) for i in POSTS]
    assert fake.asked[1]["cursor"] == [str(dropped_at - REWIND_US)]
    assert sleeps.calls == [1.0]  # one pause before reconnecting
    assert ids(second) == [
        f"{uri(0)}x2",
        f"{uri(1)}x3",
    ]
    assert fake.asked[2]["cursor"] == [str(EVENTS[7]["time_us"] - REWIND_US)]


def test_garbage_messages_are_skipped_and_logged_and_the_stream_goes_on(
    loopback: EgressPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeJetstream(EVENTS)

    async def garbage_first(fake: FakeJetstream, connection: ServerConnection, cursor: int) -> None:
        await connection.send("not json at all")
        await connection.send('{"did": "did:plc:x", "time_us": "soon"}')
        await connection.send(orjson.dumps(EVENTS[0]).decode())
        await connection.wait_closed()

    fake.connections = [garbage_first]

    async def scenario() -> list[Fetched]:
        return await take(
            source(loopback).stream({"endpoints": [fake.url], "profiles": False}, ""), 1
        )

    with caplog.at_level(logging.WARNING):
        steps = serving(fake, scenario)
    assert ids(steps) == [uri(0)]
    assert orjson.loads(steps[-1].cursor)["time_us"] == EVENTS[0]["time_us"]
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == 2
    problems = [p for step in steps for p in step.problems]
    assert len(problems) == 2
    assert problems[0].startswith("a Jetstream message was skipped: not JSON")
    assert (
        problems[1] == "a Jetstream message was skipped: event without a positive integer time_us"
    )


def test_a_429_at_the_handshake_goes_up_with_its_retry_after(loopback: EgressPolicy) -> None:
    fake = FakeJetstream(EVENTS)
    fake.refuse(HTTPStatus.TOO_MANY_REQUESTS, {"Retry-After": "7"})

    async def scenario() -> tuple[RateLimited, list[Fetched]]:
        settings = {"endpoints": [fake.url], "profiles": False}
        _, limited = await rate_limited(source(loopback).stream(settings, ""))
        return limited, await take(source(loopback).stream(settings, ""), 4)

    limited, again = serving(fake, scenario)
    assert limited.retry_after_seconds == 7.0
    assert ids(again) == [uri(i) for i in POSTS]


def test_a_name_resolving_to_this_machine_is_refused_before_connecting() -> None:
    fake = FakeJetstream(EVENTS)
    public_only = EgressPolicy()

    async def scenario() -> None:
        endpoint = fake.url.replace("127.0.0.1", "localhost")
        with pytest.raises(EgressDenied, match="loopback"):
            await take(
                source(public_only).stream({"endpoints": [endpoint], "profiles": False}, ""), 1
            )

    serving(fake, scenario)
    assert fake.asked == []


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(EVENTS).flatmap(damaged))
def test_any_damage_to_an_event_is_a_jetstream_payload_error_or_harmless(event: Any) -> None:
    with contextlib.suppress(JetstreamPayloadError):
        parse_message(orjson.dumps(event))


ALICE = {
    "did": "did:plc:eygmaihciaxprqvxpfvl6flk",
    "handle": "alice.bsky.social",
    "displayName": "Alice <b>🌱</b>",
    "avatar": "https://cdn.bsky.app/img/avatar/plain/did:plc:eygmaihciaxprqvxpfvl6flk/bafkreia@jpeg",
    "followersCount": 1520,
    "followsCount": 210,
    "postsCount": 3301,
    "verification": {
        "verifications": [],
        "verifiedStatus": "valid",
        "trustedVerifierStatus": "none",
    },
    "createdAt": "2023-04-12T10:00:00.000Z",
}


def test_authors_are_named_from_the_appview_once_and_a_refusal_never_holds_posts(
    loopback: EgressPolicy,
) -> None:
    fake = FakeJetstream(EVENTS)
    answers = [
        Reply.json({"error": "RateLimitExceeded"}, 429, {"ratelimit-reset": "0"}),
        Reply.json({"profiles": [ALICE]}),
    ]

    async def appview_handler(request: Request) -> Reply:
        return answers.pop(0) if answers else Reply.json({"profiles": []})

    appview = FakeHttpServer(appview_handler)

    async def scenario() -> tuple[list[Fetched], list[Fetched]]:
        async with appview:
            settings = {"endpoints": [fake.url], "appview_url": appview.url, "profiles": True}
            refused = await take(source(loopback).stream(settings, ""), 1)
            named = await take(source(loopback).stream(settings, ""), 4)
            return refused, named

    refused, named = serving(fake, scenario)
    assert refused[0].posts[0].author.handle == "did:plc:eygmaihciaxprqvxpfvl6flk"
    alice = named[0].posts[0].author
    assert (alice.handle, alice.name, alice.followers, alice.following, alice.verified) == (
        "alice.bsky.social",
        "Alice <b>🌱</b>",
        1520,
        210,
        True,
    )
    assert alice.url == "https://bsky.app/profile/alice.bsky.social"
    unknown = [p.author.handle for step in named for p in step.posts][1]
    assert unknown == "did:plc:ewvi7nxzyoun6zhxrhs64oiz"  # not returned: the DID stays
    # After the refusal, each author is asked for once, whatever the batches were.
    asked = [did for r in appview.requests[1:] for did in r.query["actors"]]
    assert sorted(asked) == sorted({e["did"] for e in (EVENTS[i] for i in POSTS)})


@pytest.mark.parametrize(
    "cursor", ["1796208000000000", '{"time_us": "x"}', '{"recent": [["a", "b"]]}']
)
def test_a_cursor_that_is_not_ours_is_an_error_not_a_fresh_start(cursor: str) -> None:
    async def scenario() -> None:
        with pytest.raises(ValueError, match="not a bluesky cursor"):
            await anext(BlueskyProvider().stream({"profiles": False}, cursor))

    asyncio.run(scenario())


def test_many_accounts_are_sent_in_the_hello_message_not_the_url(loopback: EgressPolicy) -> None:
    fake = FakeJetstream(EVENTS)
    base32 = "abcdefghijklmnopqrstuvwxyz234567"
    dids = [f"did:plc:{'a' * 22}{base32[n // 32]}{base32[n % 32]}" for n in range(150)]

    async def scenario() -> list[Fetched]:
        settings = {"endpoints": [fake.url], "profiles": False, "dids": dids}
        return await take(source(loopback).stream(settings, ""), 4)

    serving(fake, scenario)
    assert "wantedDids" not in fake.asked[0]
    assert fake.asked[0]["requireHello"] == ["true"]
    assert fake.hellos == [
        {
            "type": "options_update",
            "payload": {"wantedCollections": ["app.bsky.feed.post"], "wantedDids": dids},
        }
    ]


def test_the_whole_firehose_looks_up_no_profiles_unless_asked(loopback: EgressPolicy) -> None:
    provider = source(loopback)
    assert provider.validate({})["profiles"] is False
    assert provider.validate({"dids": ["did:plc:ewvi7nxzyoun6zhxrhs64oiz"]})["profiles"] is True
    assert provider.validate({"profiles": True})["profiles"] is True

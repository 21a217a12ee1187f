"""Mastodon: statuses parsed from real-shaped payloads, and the provider reading a fake
instance on 127.0.0.1 by timelines and by the streaming API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import orjson
import pytest
from hypothesis import given, settings

from rapport.channels.connectors.mastodon.parse import MastodonPayloadError, parse_statuses
from rapport.channels.connectors.mastodon.provider import MastodonProvider
from rapport.channels.egress import EgressPolicy
from rapport.channels.http import HttpError, RateLimited
from rapport.channels.registry import Fetched, provider

from .fakes import Sleeps, damaged, ids, rate_limited, take
from .fakes.http_server import Disconnect, Reply
from .fakes.mastodon import FIRST_ID, FakeMastodon, status, timeline_fixture, update_event

T = TypeVar("T")


def config(server_url: str, **extra: Any) -> dict[str, Any]:
    return {"instance": server_url, "hashtags": ["rapport"], "token": "m-token", **extra}


def serving(fake: FakeMastodon, scenario: Callable[[], Awaitable[T]]) -> T:
    async def inside() -> T:
        async with fake.server:
            return await scenario()

    return asyncio.run(inside())


def uri(number: int) -> str:
    return str(status(number)["uri"])


def test_statuses_become_posts() -> None:
    hostile, reply, launch = parse_statuses(timeline_fixture(), "mastodon.example")
    assert launch.external_id == "https://mastodon.example/users/alice/statuses/113590000000000001"
    assert launch.text == (
        "Rapport 1.4 is out: segments, journeys and listening! #rapport #OpenSource\n\n"
        "Notes: https://rapport.example/blog/1-4"
    )
    assert launch.hashtags == ("rapport", "OpenSource")
    assert launch.links == ("https://rapport.example/blog/1-4",)
    assert (launch.likes, launch.reposts, launch.replies) == (12, 4, 1)
    assert launch.author.handle == "@alice@mastodon.example"
    assert launch.author.followers == 1520
    assert launch.url == "https://mastodon.example/@alice/113590000000000001"
    assert reply.author.handle == "@bob@fosstodon.org"
    assert reply.mentions == ("@alice@mastodon.example",)
    assert reply.links == ()  # its mention and hashtag are links in the markup only
    assert (reply.lang, reply.text) == ("fr", "@alice Ça marche ! #Rapport")
    assert hostile.lang == ""


def test_hostile_markup_comes_out_as_inert_text() -> None:
    hostile = parse_statuses(timeline_fixture(), "mastodon.example")[0]
    # Escaped by the server: the words stay, as words.
    assert hostile.text.startswith("<script>alert(1)</script> free #rapport")
    # Script-like elements (SVG among them) lose their content.
    assert "steal()" not in hostile.text
    assert "svg words" not in hostile.text
    assert hostile.links == ()  # javascript: is no link
    assert hostile.author.name == "<img src=x onerror=alert(1)>"


def test_something_else_than_statuses_is_a_clear_error() -> None:
    with pytest.raises(MastodonPayloadError, match="JSON array"):
        parse_statuses({"error": "This action is not allowed"}, "mastodon.example")
    with pytest.raises(MastodonPayloadError, match="created_at"):
        parse_statuses([{**timeline_fixture()[2], "created_at": "yesterday"}], "mastodon.example")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"instance": ""}, "instance is missing"),
        ({"instance": "https://mastodon.social/@alice"}, "the server alone"),
        ({"instance": "http://192.168.1.20"}, "private address"),
        ({"instance": "gopher://mastodon.social"}, "only http and https"),
        ({"hashtags": []}, "at least one"),
        ({"hashtags": ["c++"]}, "not a hashtag"),
        ({"mode": "push"}, "mode must be"),
    ],
)
def test_settings_a_person_can_fix(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MastodonProvider().validate(
            {"instance": "mastodon.social", "hashtags": "rapport", **change}
        )


def test_the_provider_is_registered() -> None:
    assert isinstance(provider("mastodon"), MastodonProvider)
    cleaned = provider("mastodon").validate({"instance": "mastodon.social", "hashtags": "#a, b"})
    assert (cleaned["instance"], cleaned["hashtags"]) == ("https://mastodon.social", ["a", "b"])
    # A source stores what validate gave and its stream validates it again.
    assert provider("mastodon").validate(cleaned) == cleaned


def test_streams_after_catching_up_and_survives_a_disconnect(loopback: EgressPolicy) -> None:
    fake = FakeMastodon()
    fake.statuses = [status(1), status(2)]

    async def first_connection() -> AsyncIterator[bytes]:
        yield b":thump\n\n"
        yield update_event(status(3))
        yield b"event: delete\ndata: 113590000000001001\n\n"
        yield b"event: update\ndata: {not json\n\n"
        fake.statuses += [status(3), status(4)]  # 4 is posted while the stream drops
        raise Disconnect

    async def second_connection() -> AsyncIterator[bytes]:
        yield update_event(status(4))  # the catch-up already handed it over
        yield update_event(status(5))

    fake.connections["rapport"] = [first_connection, second_connection]
    sleeps = Sleeps()

    async def scenario() -> list[Fetched]:
        source = MastodonProvider(policy=loopback, sleep=sleeps)
        return await take(source.stream(config(fake.server.url), ""), 5)

    steps = serving(fake, scenario)
    assert ids(steps) == [uri(n) for n in range(1, 6)]
    assert orjson.loads(steps[-1].cursor) == {"rapport": status(5)["id"]}
    streams = [r for r in fake.requests if r.path == "/api/v1/streaming/hashtag"]
    assert len(streams) == 2
    assert streams[0].arg("tag") == "rapport"
    assert streams[0].headers["authorization"] == "Bearer m-token"
    pages = [r.arg("min_id") for r in fake.requests if r.path.startswith("/api/v1/timelines")]
    assert pages == ["", status(3)["id"], status(4)["id"]]
    assert sleeps.calls == [1.0]
    problems = [p for step in steps for p in step.problems]
    assert len(problems) == 1
    assert problems[0].startswith("#rapport stream: an update that is not a status was skipped")


def test_a_restart_walks_forwards_through_a_long_gap(loopback: EgressPolicy) -> None:
    fake = FakeMastodon()
    fake.statuses = [status(1)]

    async def scenario() -> tuple[list[Fetched], list[Fetched]]:
        source = MastodonProvider(policy=loopback, sleep=Sleeps())
        first = await take(source.stream(config(fake.server.url, mode="poll"), ""), 1)
        fake.statuses += [status(n) for n in range(2, 92)]  # 90: three pages of 40
        second = await take(
            source.stream(config(fake.server.url, mode="poll"), first[-1].cursor), 90
        )
        return first, second

    first, second = serving(fake, scenario)
    assert ids(first) == [uri(1)]
    assert ids(second) == [uri(n) for n in range(2, 92)]
    assert [len(step.posts) for step in second] == [40, 40, 10]


def test_a_429_goes_up_with_mastodon_s_reset_time_and_the_cursor_holds(
    loopback: EgressPolicy,
) -> None:
    fake = FakeMastodon()
    fake.statuses = [status(1)]
    reset = (datetime.now(UTC) + timedelta(seconds=20)).isoformat().replace("+00:00", "Z")
    settings = config("", mode="poll")

    async def scenario() -> tuple[list[Fetched], RateLimited, list[Fetched]]:
        settings["instance"] = fake.server.url
        source = MastodonProvider(policy=loopback, sleep=Sleeps())
        first = await take(source.stream(settings, ""), 1)
        fake.statuses.append(status(2))
        fake.interrupts.append(
            Reply.json(
                {"error": "Too many requests"},
                429,
                {
                    "x-ratelimit-limit": "300",
                    "x-ratelimit-remaining": "0",
                    "x-ratelimit-reset": reset,
                },
            )
        )
        before, limited = await rate_limited(source.stream(settings, first[-1].cursor))
        # The runner waits that long, then restarts from the stored cursor.
        return before, limited, await take(source.stream(settings, first[-1].cursor), 1)

    before, limited, again = serving(fake, scenario)
    assert before == []
    assert 15 <= limited.retry_after_seconds <= 21
    assert ids(again) == [uri(2)]


def test_a_server_error_is_retried_and_goes_up_once_it_persists(loopback: EgressPolicy) -> None:
    fake = FakeMastodon()
    fake.statuses = [status(1)]
    fake.interrupts = [Reply(502, b"Bad Gateway")] * 2
    sleeps = Sleeps()

    async def scenario() -> list[Fetched]:
        source = MastodonProvider(policy=loopback, sleep=sleeps)
        steps = await take(source.stream(config(fake.server.url, mode="poll"), ""), 1)
        fake.interrupts = [Reply(503, b"Service Unavailable")] * 10
        with pytest.raises(HttpError, match="HTTP 503"):
            await take(source.stream(config(fake.server.url, mode="poll"), steps[-1].cursor), 1)
        return steps

    assert ids(serving(fake, scenario)) == [uri(1)]  # two 502s were only a blip
    assert sleeps.calls == [1.0, 2.0, 1.0, 2.0, 4.0]  # then three pauses, and it goes up


def test_a_status_with_two_followed_hashtags_is_handed_over_once(loopback: EgressPolicy) -> None:
    fake = FakeMastodon()
    fake.statuses = [status(1, "rapport", "crm"), status(2, "crm")]

    async def scenario() -> list[Fetched]:
        source = MastodonProvider(policy=loopback, sleep=Sleeps())
        settings = config(fake.server.url, hashtags=["rapport", "crm"], mode="poll")
        return await take(source.stream(settings, ""), 2)

    steps = serving(fake, scenario)
    assert ids(steps) == [uri(1), uri(2)]
    assert orjson.loads(steps[-1].cursor) == {"crm": status(2)["id"], "rapport": status(1)["id"]}


def test_garbage_is_a_clear_error_and_the_cursor_still_resumes(loopback: EgressPolicy) -> None:
    fake = FakeMastodon()
    fake.statuses = [status(1)]

    async def scenario() -> list[Fetched]:
        source = MastodonProvider(policy=loopback, sleep=Sleeps())
        settings = config(fake.server.url, mode="poll")
        cursor = (await take(source.stream(settings, ""), 1))[-1].cursor
        fake.statuses.append(status(2))
        fake.interrupts.append(Reply.json({"statuses": []}))
        with pytest.raises(MastodonPayloadError, match="JSON array of statuses"):
            await take(source.stream(settings, cursor), 1)
        return await take(source.stream(settings, cursor), 1)

    assert ids(serving(fake, scenario)) == [uri(2)]


@settings(max_examples=150, deadline=None)
@given(damaged(timeline_fixture()))
def test_any_damage_to_statuses_is_a_mastodon_payload_error_or_harmless(page: Any) -> None:
    with contextlib.suppress(MastodonPayloadError):
        parse_statuses(page, "mastodon.example")


def test_an_unreadable_status_is_reported_once_and_the_rest_goes_on(loopback: EgressPolicy) -> None:
    fake = FakeMastodon()
    broken = {**status(2), "created_at": "yesterday"}
    fake.statuses = [status(1), broken, status(3)]

    async def scenario() -> tuple[list[Fetched], list[Fetched]]:
        source = MastodonProvider(policy=loopback, sleep=Sleeps())
        settings = config(fake.server.url, mode="poll")
        first = await take(source.stream(settings, ""), 2)
        fake.statuses.append(status(4))
        second = await take(source.stream(settings, first[-1].cursor), 1)
        return first, second

    first, second = serving(fake, scenario)
    assert ids(first) == [uri(1), uri(3)]
    assert first[0].problems == (
        f"#rapport: status {broken['id']} was skipped: status {broken['uri']} has no readable"
        " created_at",
    )
    assert ids(second) == [uri(4)]
    assert second[0].problems == ()


def test_a_status_federated_late_is_still_handed_over(loopback: EgressPolicy) -> None:
    fake = FakeMastodon()
    fake.statuses = [status(5)]

    async def connection() -> AsyncIterator[bytes]:
        # Remote statuses get ids from their publication time: this one arrives after
        # status 5 with an older id.
        yield update_event(status(3))
        yield update_event(status(5))  # already handed over by the catch-up
        yield update_event(status(6))

    fake.connections["rapport"] = [connection]

    async def scenario() -> list[Fetched]:
        source = MastodonProvider(policy=loopback, sleep=Sleeps())
        return await take(source.stream(config(fake.server.url), ""), 3)

    steps = serving(fake, scenario)
    assert ids(steps) == [uri(5), uri(3), uri(6)]
    assert orjson.loads(steps[-1].cursor) == {"rapport": status(6)["id"]}


def test_replies_name_their_parent_by_uri_looked_up_once(loopback: EgressPolicy) -> None:
    fake = FakeMastodon()
    parent_elsewhere = status(1)  # not tagged: only a lookup finds it
    fake.elsewhere = [parent_elsewhere]
    fake.statuses = [
        status(2),
        {**status(3), "in_reply_to_id": status(2)["id"]},  # parent seen on the page
        {**status(4), "in_reply_to_id": parent_elsewhere["id"]},
        {**status(5), "in_reply_to_id": parent_elsewhere["id"]},
        {**status(6), "in_reply_to_id": str(FIRST_ID + 99)},  # deleted parent
    ]

    async def scenario() -> list[Fetched]:
        source = MastodonProvider(policy=loopback, sleep=Sleeps())
        return await take(source.stream(config(fake.server.url, mode="poll"), ""), 5)

    steps = serving(fake, scenario)
    replies = {p.external_id: p.reply_to for step in steps for p in step.posts}
    assert replies == {uri(2): "", uri(3): uri(2), uri(4): uri(1), uri(5): uri(1), uri(6): ""}
    lookups = [r.path for r in fake.requests if r.path.startswith("/api/v1/statuses/")]
    assert lookups == [f"/api/v1/statuses/{FIRST_ID + 1}", f"/api/v1/statuses/{FIRST_ID + 99}"]

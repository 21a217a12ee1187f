"""X API v2: responses parsed from real-shaped payloads, and the provider following a
fake X on 127.0.0.1 by recent search and by the filtered stream."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from hypothesis import given, settings

from rapport.channels.connectors.x.parse import XPayloadError, parse_search_page
from rapport.channels.connectors.x.provider import XProvider
from rapport.channels.egress import EgressPolicy
from rapport.channels.http import HttpError, RateLimited
from rapport.channels.registry import Fetched, provider

from .fakes import Sleeps, damaged, ids, rate_limited, take
from .fakes.http_server import Disconnect, Reply
from .fakes.x import FakeX, search_fixture, stream_line, tweet


def config(server_url: str, **extra: Any) -> dict[str, Any]:
    return {"token": "x-token", "query": "#rapport -is:retweet", "base_url": server_url, **extra}


def test_a_search_page_becomes_posts_with_their_authors() -> None:
    page = parse_search_page(search_fixture())
    assert (page.newest_id, page.oldest_id, page.more) == (
        "1863612345678901003",
        "1863612345678901001",
        False,
    )
    launch = page.posts[2]
    assert launch.author.handle == "@rapportdev"
    assert (launch.author.followers, launch.author.verified) == (58210, True)
    assert launch.hashtags == ("rapport", "opensource")
    assert launch.links == ("https://rapport.example/blog/1-4",)
    assert (launch.likes, launch.reposts, launch.replies) == (130, 28, 4)
    assert launch.url == "https://x.com/rapportdev/status/1863612345678901001"
    reply = page.posts[1]
    assert reply.reply_to == "1863612345678901001"
    assert reply.mentions == ("@rapportdev",)
    assert reply.text == "@rapportdev Works great with PostgreSQL & SQLite, thanks! #selfhosted"


def test_hostile_text_is_plain_text_and_script_links_are_not_links() -> None:
    hostile = parse_search_page(search_fixture()).posts[0]
    assert hostile.text.startswith(
        '<script>alert(1)</script> <a href="javascript:alert(2)">win</a>'
    )
    assert hostile.links == ()
    assert hostile.lang == ""  # "und": X could not tell
    assert hostile.author.name == "<script>alert(1)</script>"


def test_an_error_document_is_a_clear_error() -> None:
    with pytest.raises(XPayloadError, match="Invalid Request"):
        parse_search_page({"errors": [{"title": "Invalid Request", "detail": "bad query"}]})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"token": " "}, "bearer token"),
        ({"query": ""}, "query is missing"),
        ({"mode": "firehose"}, "mode must be"),
        ({"base_url": "https://169.254.169.254"}, "metadata"),
    ],
)
def test_settings_a_person_can_fix(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        XProvider().validate({"token": "t", "query": "rapport", **change})


def test_the_provider_is_registered() -> None:
    assert isinstance(provider("x"), XProvider)


def test_validated_settings_validate_to_themselves() -> None:
    # A source stores what validate gave and its stream validates it again.
    cleaned = XProvider().validate({"token": "t", "query": " rapport ", "mode": "stream"})
    assert XProvider().validate(cleaned) == cleaned


def serving(x: FakeX, scenario: Any) -> Any:
    async def inside() -> Any:
        async with x.server:
            return await scenario()

    return asyncio.run(inside())


def test_search_hands_over_the_newest_page_with_fields_and_token(loopback: EgressPolicy) -> None:
    x = FakeX()
    x.posts = search_fixture()["data"][::-1]

    async def scenario() -> list[Fetched]:
        source = XProvider(policy=loopback, sleep=Sleeps())
        return await take(source.stream(config(x.server.url), ""), 3)

    steps = serving(x, scenario)
    assert ids(steps) == ["1863612345678901001", "1863612345678901002", "1863612345678901003"]
    assert orjson.loads(steps[-1].cursor) == {"since_id": "1863612345678901003"}
    asked = x.requests[0]
    assert asked.arg("query") == "#rapport -is:retweet"
    assert "public_metrics" in asked.arg("tweet.fields")
    assert asked.arg("expansions") == "author_id"


def test_a_restart_in_the_middle_of_a_long_gap_neither_repeats_nor_skips(
    loopback: EgressPolicy,
) -> None:
    x = FakeX()
    x.posts = [tweet(n) for n in range(1, 3)]

    async def scenario() -> tuple[list[Fetched], list[Fetched], list[Fetched]]:
        source = XProvider(policy=loopback, sleep=Sleeps())
        first = await take(source.stream(config(x.server.url), ""), 2)
        x.posts += [tweet(n) for n in range(3, 253)]  # 250 while stopped: three pages
        # Stopped again after the first page of the gap (the newest 100).
        middle = await take(source.stream(config(x.server.url), first[-1].cursor), 100)
        rest = await take(source.stream(config(x.server.url), middle[-1].cursor), 150)
        return first, middle, rest

    first, middle, rest = serving(x, scenario)
    assert ids(first) == [tweet(1)["id"], tweet(2)["id"]]
    assert sorted(ids(middle)) == [tweet(n)["id"] for n in range(153, 253)]
    assert "until_id" in orjson.loads(middle[-1].cursor)
    assert sorted(ids(rest)) == [tweet(n)["id"] for n in range(3, 153)]
    assert orjson.loads(rest[-1].cursor) == {"since_id": tweet(252)["id"]}


def test_a_429_goes_up_with_the_time_the_window_reopens_and_the_cursor_holds(
    loopback: EgressPolicy,
) -> None:
    x = FakeX()
    x.posts = [tweet(1)]
    reopens = int(time.time()) + 30

    async def scenario() -> tuple[list[Fetched], RateLimited, list[Fetched]]:
        source = XProvider(policy=loopback, sleep=Sleeps())
        first = await take(source.stream(config(x.server.url), ""), 1)
        x.posts.append(tweet(2))
        x.interrupts.append(
            Reply.json(
                {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429},
                429,
                {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reopens)},
            )
        )
        before, limited = await rate_limited(source.stream(config(x.server.url), first[-1].cursor))
        # The runner waits that long, then restarts from the stored cursor.
        again = await take(source.stream(config(x.server.url), first[-1].cursor), 1)
        return before, limited, again

    before, limited, again = serving(x, scenario)
    assert before == []
    assert 25 <= limited.retry_after_seconds <= 31
    assert ids(again) == [tweet(2)["id"]]


def test_garbage_is_a_clear_error_and_the_cursor_still_resumes(loopback: EgressPolicy) -> None:
    x = FakeX()
    x.posts = [tweet(1)]

    async def scenario() -> list[Fetched]:
        source = XProvider(policy=loopback, sleep=Sleeps())
        cursor = (await take(source.stream(config(x.server.url), ""), 1))[-1].cursor
        x.posts.append(tweet(2))
        x.interrupts.append(Reply(200, b"\x00\xffnot json"))
        with pytest.raises(HttpError, match="not JSON"):
            await take(source.stream(config(x.server.url), cursor), 1)
        x.interrupts.append(Reply.json({"errors": [{"title": "Service Unavailable"}]}))
        with pytest.raises(XPayloadError, match="Service Unavailable"):
            await take(source.stream(config(x.server.url), cursor), 1)
        return await take(source.stream(config(x.server.url), cursor), 1)

    assert ids(serving(x, scenario)) == [tweet(2)["id"]]


def test_the_filtered_stream_survives_a_disconnect_without_gap_or_duplicate(
    loopback: EgressPolicy,
) -> None:
    x = FakeX()
    rule_id = "1866000000000000000"  # the first rule the fake creates
    x.posts = [tweet(1)]

    async def first_connection() -> AsyncIterator[bytes]:
        yield b"\r\n"  # keep-alive
        yield stream_line(tweet(1), rule_id)
        yield b'{"data": {"id": "not a post"}}\r\n'
        yield stream_line(tweet(90), "1866999999999999999")  # another source's rule
        yield b"\r\n"
        x.posts.append(tweet(2))  # posted while the connection is dropping
        await asyncio.sleep(0.05)
        raise Disconnect

    async def second_connection() -> AsyncIterator[bytes]:
        yield stream_line(tweet(2), rule_id)  # already caught up by search: dropped
        yield stream_line(tweet(3), rule_id)

    x.connections = [first_connection, second_connection]
    sleeps = Sleeps()

    async def scenario() -> list[Fetched]:
        source = XProvider(policy=loopback, sleep=sleeps)
        return await take(source.stream(config(x.server.url, mode="stream"), ""), 3)

    steps = serving(x, scenario)
    assert ids(steps) == [tweet(1)["id"], tweet(2)["id"], tweet(3)["id"]]
    assert orjson.loads(steps[-1].cursor) == {"since_id": tweet(3)["id"]}
    assert x.rules == [{"value": "#rapport -is:retweet", "tag": "rapport", "id": rule_id}]
    stream_requests = [r for r in x.requests if r.path == "/2/tweets/search/stream"]
    assert len(stream_requests) == 2
    assert stream_requests[0].headers["accept-encoding"] == "identity"
    assert sleeps.calls == [1.0]  # one pause before reconnecting
    problems = [p for step in steps for p in step.problems]
    assert problems == ["a filtered-stream line was skipped: a post without a numeric id"]


def test_too_many_stream_connections_goes_up_with_the_window_s_reset(
    loopback: EgressPolicy,
) -> None:
    x = FakeX()
    reopens = int(time.time()) + 60
    x.interrupts.append(
        Reply.json(
            {"title": "ConnectionException", "connection_issue": "TooManyConnections"},
            429,
            {"x-rate-limit-reset": str(reopens)},
        )
    )

    async def connection() -> AsyncIterator[bytes]:
        yield stream_line(tweet(5), "1866000000000000000")

    x.connections = [connection]

    async def scenario() -> tuple[RateLimited, list[Fetched]]:
        source = XProvider(policy=loopback, sleep=Sleeps())
        _, limited = await rate_limited(source.stream(config(x.server.url, mode="stream"), ""))
        return limited, await take(source.stream(config(x.server.url, mode="stream"), ""), 1)

    limited, again = serving(x, scenario)
    assert 55 <= limited.retry_after_seconds <= 61
    assert ids(again) == [tweet(5)["id"]]


def test_a_cursor_older_than_the_search_window_restarts_from_the_newest_and_says_so(
    loopback: EgressPolicy,
) -> None:
    x = FakeX()
    x.posts = [tweet(n) for n in range(1, 4)]
    x.oldest_searchable = int(tweet(2)["id"])
    stale = orjson.dumps({"since_id": tweet(1)["id"]}).decode()

    async def scenario() -> list[Fetched]:
        source = XProvider(policy=loopback, sleep=Sleeps())
        return await take(source.stream(config(x.server.url), stale), 3)

    steps = serving(x, scenario)
    assert len(steps[0].problems) == 1
    assert "older than the 7 days" in steps[0].problems[0]
    assert ids(steps) == [tweet(n)["id"] for n in range(1, 4)]
    assert orjson.loads(steps[-1].cursor) == {"since_id": tweet(3)["id"]}


@settings(max_examples=150, deadline=None)
@given(damaged(search_fixture()))
def test_any_damage_to_a_search_page_is_an_x_payload_error_or_harmless(page: Any) -> None:
    with contextlib.suppress(XPayloadError):
        parse_search_page(page)


def test_an_unreadable_post_on_a_page_is_reported_and_the_rest_goes_on(
    loopback: EgressPolicy,
) -> None:
    x = FakeX()
    broken = {**tweet(2), "created_at": None}
    x.posts = [tweet(1), broken, tweet(3)]

    async def scenario() -> list[Fetched]:
        source = XProvider(policy=loopback, sleep=Sleeps())
        return await take(source.stream(config(x.server.url), ""), 2)

    steps = serving(x, scenario)
    assert ids(steps) == [tweet(1)["id"], tweet(3)["id"]]
    assert steps[0].problems == (
        f"a post was skipped: post {broken['id']} without a readable created_at",
    )
    assert orjson.loads(steps[0].cursor) == {"since_id": tweet(3)["id"]}


def test_stream_posts_a_little_out_of_order_are_all_handed_over(loopback: EgressPolicy) -> None:
    x = FakeX()
    rule_id = "1866000000000000000"

    async def connection() -> AsyncIterator[bytes]:
        for number in (3, 2, 4):
            yield stream_line(tweet(number), rule_id)

    x.connections = [connection]

    async def scenario() -> list[Fetched]:
        source = XProvider(policy=loopback, sleep=Sleeps())
        return await take(source.stream(config(x.server.url, mode="stream"), ""), 3)

    steps = serving(x, scenario)
    assert ids(steps) == [tweet(3)["id"], tweet(2)["id"], tweet(4)["id"]]
    assert [orjson.loads(s.cursor)["since_id"] for s in steps] == [tweet(3)["id"]] * 2 + [
        tweet(4)["id"]
    ]

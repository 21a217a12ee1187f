"""The connectors' HTTP client against a real server on 127.0.0.1: rate limits in both
Retry-After forms, conditional GET, redirects that drop credentials, broken
connections as errors a person can read."""

from __future__ import annotations

import asyncio
import email.utils
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from rapport.channels.egress import EgressDenied, EgressPolicy, EgressTooLarge
from rapport.channels.http import (
    USER_AGENT,
    HttpClient,
    HttpError,
    RateLimited,
    Response,
    get_sync,
    retry_after_seconds,
)
from tests.channels.conftest import FakeServer, Reply, Seen


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def get(server: FakeServer, path: str, policy: EgressPolicy, **kwargs: Any) -> Response:
    async with HttpClient(policy=policy) as http:
        return await http.get(server.url + path, **kwargs)


def http_date(when: datetime) -> str:
    return email.utils.format_datetime(when, usegmt=True)


def test_retry_after_reads_seconds_and_dates() -> None:
    now = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now=now) == 120
    assert retry_after_seconds(http_date(now + timedelta(minutes=5)), now=now) == 300
    assert retry_after_seconds(http_date(now - timedelta(minutes=5)), now=now) == 0
    assert retry_after_seconds("soon", now=now) is None
    assert retry_after_seconds("", now=now) is None


@pytest.mark.parametrize(
    ("reply", "low", "high"),
    [
        (Reply(429, headers={"retry-after": "42"}), 42, 42),
        (Reply(503, headers={"retry-after": "7"}), 7, 7),
        (Reply(429), 60, 60),  # no header: a minute
    ],
)
def test_rate_limits_become_rate_limited_with_the_wait(
    reply: Reply, low: float, high: float, loopback: EgressPolicy
) -> None:
    async def scenario() -> None:
        async with FakeServer({"/api": reply}) as server:
            with pytest.raises(RateLimited) as limited:
                await get(server, "/api", loopback)
            assert low <= limited.value.retry_after_seconds <= high
            assert limited.value.status == reply.status
            assert "retry after" in str(limited.value)

    run(scenario())


def test_a_retry_after_date_is_turned_into_seconds(loopback: EgressPolicy) -> None:
    later = http_date(datetime.now(UTC) + timedelta(seconds=90))

    async def scenario() -> None:
        async with FakeServer({"/api": Reply(429, headers={"retry-after": later})}) as server:
            with pytest.raises(RateLimited) as limited:
                await get(server, "/api", loopback)
            assert 80 <= limited.value.retry_after_seconds <= 90

    run(scenario())


def test_a_503_without_retry_after_is_an_error_not_a_rate_limit(loopback: EgressPolicy) -> None:
    async def scenario() -> None:
        async with FakeServer({"/api": Reply(503, b"maintenance")}) as server:
            with pytest.raises(HttpError, match="HTTP 503: maintenance") as failed:
                await get(server, "/api", loopback)
            assert not isinstance(failed.value, RateLimited)
            response = await get(server, "/api", loopback, check=False)
            assert response.status == 503

    run(scenario())


def test_conditional_get_sends_validators_and_handles_304(loopback: EgressPolicy) -> None:
    def feed(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == '"v1"':
            return Reply(304, headers={"etag": '"v1"'})
        return Reply(body=b"<rss/>", headers={"etag": '"v1"', "last-modified": "x"})

    async def scenario() -> None:
        async with FakeServer({"/feed": feed}) as server:
            first = await get(server, "/feed", loopback)
            assert (first.status, first.body, first.etag) == (200, b"<rss/>", '"v1"')
            again = await get(server, "/feed", loopback, etag=first.etag, last_modified="x")
            assert again.not_modified
            assert again.body == b""
            assert server.seen[1].headers["if-modified-since"] == "x"
            assert server.seen[0].headers["user-agent"] == USER_AGENT
            assert "Rapport" in USER_AGENT

    run(scenario())


def test_credentials_do_not_follow_a_redirect_to_another_origin(loopback: EgressPolicy) -> None:
    async def scenario() -> None:
        async with (
            FakeServer({"/landing": Reply(body=b"here")}) as elsewhere,
            FakeServer({}) as api,
        ):
            api.routes["/start"] = Reply(307, headers={"location": f"{elsewhere.url}/landing"})
            api.routes["/moved"] = Reply(308, headers={"location": "/landing"})
            api.routes["/landing"] = Reply(body=b"same")
            async with HttpClient(
                policy=loopback, headers={"Authorization": "Bearer secret"}
            ) as http:
                assert (await http.get(f"{api.url}/start")).body == b"here"
                assert (await http.get(f"{api.url}/moved")).body == b"same"
            assert "authorization" not in elsewhere.seen[0].headers
            assert api.seen[-1].headers["authorization"] == "Bearer secret"

    run(scenario())


def test_a_connection_cut_mid_body_is_an_error(loopback: EgressPolicy) -> None:
    async def scenario() -> None:
        cut = Reply(body=b"<rss>" + b"x" * 10_000, hang_up_after=100)
        async with FakeServer({"/feed": cut}) as server:
            with pytest.raises(HttpError, match="connection failed"):
                await get(server, "/feed", loopback)

    run(scenario())


def test_nothing_listening_is_an_error(loopback: EgressPolicy) -> None:
    async def scenario() -> None:
        async with FakeServer({}) as server:
            url = server.url
        async with HttpClient(policy=loopback) as http:
            with pytest.raises(HttpError, match="connection failed"):
                await http.get(url + "/gone")

    run(scenario())


def test_json_bodies_and_bad_json(loopback: EgressPolicy) -> None:
    async def scenario() -> None:
        routes = {"/ok": Reply(body=b'{"a": [1]}'), "/bad": Reply(body=b"<html>")}
        async with FakeServer(routes) as server:
            assert (await get(server, "/ok", loopback)).json() == {"a": [1]}
            with pytest.raises(HttpError, match="not JSON"):
                (await get(server, "/bad", loopback)).json()

    run(scenario())


def test_an_injected_transport_still_gets_url_checks() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"mocked")

    async def scenario() -> None:
        async with HttpClient(transport=httpx.MockTransport(answer)) as http:
            assert (await http.get("https://feeds.example/rss")).body == b"mocked"
            with pytest.raises(EgressDenied):
                await http.get("http://127.0.0.1/")

    run(scenario())


def test_get_sync_for_code_outside_an_event_loop(loopback: EgressPolicy) -> None:
    class Hello(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"hi")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hello"
        assert get_sync(url, policy=loopback).body == b"hi"
    finally:
        server.shutdown()
        server.server_close()


def test_a_long_lived_response_line_by_line(loopback: EgressPolicy) -> None:
    events = b'event: update\r\ndata: {"id": 1}\r\n\r\n:thump\ndata: {"id": 2}\n'

    async def scenario() -> None:
        routes = {
            "/stream": Reply(body=events, piece=7, drip=0.01, content_length=None),
            "/long": Reply(body=b"x" * 5000, content_length=None),
            "/gone": Reply(429, headers={"retry-after": "5"}),
        }
        async with FakeServer(routes) as server, HttpClient(policy=loopback) as http:
            lines = [line async for line in http.lines(f"{server.url}/stream")]
            assert lines == ["event: update", 'data: {"id": 1}', "", ":thump", 'data: {"id": 2}']
            with pytest.raises(EgressTooLarge, match="a line longer than 1,000 bytes"):
                async for _ in http.lines(f"{server.url}/long", max_line_bytes=1000):
                    pass
            with pytest.raises(RateLimited):
                async for _ in http.lines(f"{server.url}/gone"):
                    pass

    run(scenario())

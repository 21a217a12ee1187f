"""The tracking API over real HTTP: what a request gets back, and what reaches the
durable log. Request-level problems are refused with the reason; valid requests are
in the log before their 200."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rapport.tracking.actions import do_rotate_write_key
from rapport.tracking.ingest.app import IngestApp
from rapport.tracking.ingest.committer import GroupCommitter
from rapport.tracking.ingest.keys import KeyCache
from rapport.tracking.ingest.log import open_log
from rapport.tracking.ingest.server import Host, build
from rapport.tracking.models import QuarantinedEvent, Source, TrackedEvent
from rapport.tracking.pipeline import process_pending
from tests.factories import World
from tests.tracking.server import RunningHost, serve_rapport

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def host(world: World) -> Iterator[RunningHost]:
    with serve_rapport() as running:
        yield running


def logged() -> list[tuple[int, int, str, dict[str, Any]]]:
    log = open_log()
    try:
        rows = log.read(0, 10_000)
    finally:
        log.close()
    return [(r.workspace_id, r.source_id, r.call, json.loads(r.body)) for _, r in rows]


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def test_a_track_call_with_basic_auth_is_logged_before_its_200(
    host: RunningHost, shop: Source
) -> None:
    event = {"userId": "u1", "event": "Product Viewed", "properties": {"sku": "A1"}}
    r = httpx.post(f"{host.url}/v1/track", json=event, headers=basic(shop.write_key))
    assert r.status_code == 200
    assert r.json() == {"success": True}
    assert r.headers["access-control-allow-origin"] == "*"
    assert logged() == [(shop.workspace_id, shop.pk, "track", event)]


def test_short_paths_take_text_plain_with_the_key_in_the_body(
    host: RunningHost, shop: Source
) -> None:
    for path in ("t", "p", "i", "a", "g", "s"):  # track, page, identify, alias, group, screen
        body = json.dumps({"anonymousId": "a1", "writeKey": shop.write_key, "event": "X"})
        r = httpx.post(f"{host.url}/v1/{path}", content=body,
                       headers={"Content-Type": "text/plain"})  # fmt: skip
        assert r.status_code == 200, (path, r.text)
    assert [call for _, _, call, _ in logged()] == [
        "track", "page", "identify", "alias", "group", "screen"
    ]  # fmt: skip


def test_gzip_batches_are_taken_and_stored_decompressed(host: RunningHost, shop: Source) -> None:
    batch = {"batch": [{"type": "page", "anonymousId": f"a{i}"} for i in range(50)]}
    r = httpx.post(
        f"{host.url}/v1/batch",
        content=gzip.compress(json.dumps(batch).encode()),
        headers={**basic(shop.write_key), "Content-Encoding": "gzip",
                 "Content-Type": "application/json"},
    )  # fmt: skip
    assert r.status_code == 200
    assert logged() == [(shop.workspace_id, shop.pk, "", batch)]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "invalid_json"),
        (b"[1, 2]", 400, "invalid_json"),
        (b'{"batch": {"type": "track"}}', 400, "invalid_batch"),
        (b'{"batch": []}', 401, "no_write_key"),
    ],
)
def test_request_level_problems_get_a_4xx_with_the_reason(
    host: RunningHost, body: bytes, status: int, code: str, shop: Source
) -> None:
    headers = {} if code == "no_write_key" else basic(shop.write_key)
    r = httpx.post(f"{host.url}/v1/batch", content=body, headers=headers)
    assert r.status_code == status
    assert r.json()["error"]["code"] == code
    assert r.json()["error"]["message"]
    assert logged() == []


def test_unknown_and_disabled_keys_get_401(host: RunningHost, shop: Source) -> None:
    event = {"anonymousId": "a", "event": "X"}
    r = httpx.post(f"{host.url}/v1/track", json=event, headers=basic("wk_web_madeup"))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unknown_write_key"
    Source.objects.for_workspace(shop.workspace_id).filter(pk=shop.pk).update(enabled=False)
    fresh = build(threads=2)  # a fresh key cache: a cached answer lives 5 s
    with serve_rapport(fresh) as other:
        r = httpx.post(f"{other.url}/v1/track", json=event, headers=basic(shop.write_key))
    assert r.status_code == 401
    assert logged() == []


def test_a_rotated_key_keeps_working_during_its_grace(world: World, shop: Source) -> None:
    old = shop.write_key
    do_rotate_write_key(world.actor(), shop)
    with serve_rapport() as host:
        for key in (old, shop.write_key):
            r = httpx.post(f"{host.url}/v1/track", json={"userId": "u", "event": "E"},
                           headers=basic(key))  # fmt: skip
            assert r.status_code == 200
    assert len(logged()) == 2


def test_oversized_bodies_get_413_after_decompression(host: RunningHost, shop: Source) -> None:
    big_event = {"userId": "u", "event": "E", "properties": {"blob": "x" * 33_000}}
    r = httpx.post(f"{host.url}/v1/track", json=big_event, headers=basic(shop.write_key))
    assert r.status_code == 413
    assert "32,768" in r.json()["error"]["message"]
    big_batch = {"batch": [{"type": "page", "anonymousId": "a", "properties":
                            {"blob": "x" * 30_000}} for _ in range(20)]}  # fmt: skip
    r = httpx.post(f"{host.url}/v1/batch", json=big_batch, headers=basic(shop.write_key))
    assert r.status_code == 413
    # A gzip bomb: 40 KB on the wire, 50 MB inflated. Refused without inflating it all.
    bomb = gzip.compress(b'{"batch": ["' + b"x" * 50_000_000 + b'"]}')
    r = httpx.post(f"{host.url}/v1/batch", content=bomb,
                   headers={**basic(shop.write_key), "Content-Encoding": "gzip"})  # fmt: skip
    assert r.status_code == 413
    assert "after decompression" in r.json()["error"]["message"]
    r = httpx.post(f"{host.url}/v1/batch", content=b"\x1f\x8bnot gzip",
                   headers={**basic(shop.write_key), "Content-Encoding": "gzip"})  # fmt: skip
    assert r.status_code == 400
    assert logged() == []


def test_an_oversized_event_inside_a_valid_batch_is_accepted_for_the_quarantine(
    host: RunningHost, shop: Source
) -> None:
    batch = {"batch": [{"type": "page", "anonymousId": "a"},
                       {"type": "track", "anonymousId": "a", "event": "E",
                        "properties": {"blob": "x" * 40_000}}]}  # fmt: skip
    r = httpx.post(f"{host.url}/v1/batch", json=batch, headers=basic(shop.write_key))
    assert r.status_code == 200
    assert len(logged()) == 1


def test_rate_limits_answer_429_with_retry_after(world: World, shop: Source) -> None:
    app = IngestApp(GroupCommitter(open_log), KeyCache(), rate_per_key=50, rate_per_ip=1_000)
    host = Host(app, build(threads=2).django)
    batch = {"batch": [{"type": "page", "anonymousId": "a"}] * 60}
    with serve_rapport(host) as running:
        first = httpx.post(f"{running.url}/v1/batch", json=batch, headers=basic(shop.write_key))
        second = httpx.post(f"{running.url}/v1/batch", json=batch, headers=basic(shop.write_key))
        huge = {"batch": [{"type": "page", "anonymousId": "a"}] * 150}
        third = httpx.post(f"{running.url}/v1/batch", json=huge, headers=basic(shop.write_key))
    assert first.status_code == 200
    assert second.status_code == 429
    assert int(second.headers["retry-after"]) >= 1
    assert third.status_code == 429
    assert "split the batch" in third.json()["error"]["message"]
    assert len(logged()) == 1


def test_cors_preflight_settings_and_unknown_paths(host: RunningHost, shop: Source) -> None:
    r = httpx.options(f"{host.url}/v1/batch", headers={"Origin": "https://shop.example",
                      "Access-Control-Request-Method": "POST"})  # fmt: skip
    assert r.status_code == 204
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "Content-Encoding" in r.headers["access-control-allow-headers"]
    r = httpx.get(f"{host.url}/v1/projects/{shop.write_key}/settings")
    assert r.json() == {"requireConsent": False, "respectDnt": True}
    assert httpx.get(f"{host.url}/v1/projects/wk_web_nope/settings").status_code == 404
    assert httpx.post(f"{host.url}/v1/nothing", json={}).status_code == 404
    assert httpx.get(f"{host.url}/v1/batch").status_code == 405
    # Everything else is the web app, on the same host.
    assert httpx.get(f"{host.url}/login/").status_code == 200


def test_one_invalid_event_in_a_batch_gets_200_and_only_it_is_quarantined(
    host: RunningHost, shop: Source
) -> None:
    batch = {
        "batch": [
            {"type": "page", "anonymousId": "a1", "name": "Home", "messageId": "ok-1"},
            {
                "type": "identify",
                "anonymousId": "a1",
                "traits": "not an object",
                "messageId": "bad",
            },
            {"type": "track", "anonymousId": "a1", "event": "Product Added", "messageId": "ok-2"},
        ]
    }
    r = httpx.post(f"{host.url}/v1/batch", json=batch, headers=basic(shop.write_key))
    assert r.status_code == 200
    process_pending()
    stored = TrackedEvent.objects.for_workspace(shop.workspace_id).order_by("id")
    assert [e.message_id for e in stored] == ["ok-1", "ok-2"]
    [bad] = QuarantinedEvent.objects.for_workspace(shop.workspace_id)
    assert bad.reason == "traits must be an object"
    assert bad.source_id == shop.pk
    assert '"messageId":"bad"' in bad.payload

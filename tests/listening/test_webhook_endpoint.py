"""The generic webhook's endpoint: signed bodies become posts and mentions through the
listening pipeline; unsigned, wrongly signed, malformed and oversized bodies get a
clear 4xx and store nothing."""

from __future__ import annotations

import orjson
import pytest
from django.test import Client

from rapport.channels.connectors.webhook.signature import HEADER, sign
from rapport.listening import webhook as endpoint
from rapport.listening.actions import do_create_listening_source, do_create_topic
from rapport.listening.models import Mention, Post
from tests.factories import World

from .conftest import RuleNlp

pytestmark = pytest.mark.django_db(transaction=True)

BODY = orjson.dumps({"posts": [
    {"id": "r-1", "text": "Nordlicht beans arrived broken", "created_at": "2026-12-01T09:00:00Z",
     "author": {"handle": "reviewer1", "name": "Rita Reviewer"}},
    {"id": "r-2", "text": "Ordered tea today", "created_at": "2026-12-01T09:05:00Z",
     "author": {"handle": "reviewer2"}},
]})  # fmt: skip


@pytest.fixture
def hook(world: World, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setattr(endpoint, "_nlp", RuleNlp())
    actor = world.actor()
    do_create_topic(actor, name="Nordlicht", query="nordlicht")
    source = do_create_listening_source(actor, name="Reviews", network="webhook",
                                        config={"mapping": {"posts": "posts"}})  # fmt: skip
    return f"/hooks/listening/{source.pk}", str(source.config["secret"])


def _post(url: str, body: bytes, signature: str) -> tuple[int, dict[str, object]]:
    response = Client().post(url, body, content_type="application/json",
                             headers={HEADER: signature})  # fmt: skip
    return response.status_code, orjson.loads(response.content)


def test_a_signed_body_is_stored_and_matched(world: World, hook: tuple[str, str]) -> None:
    url, secret = hook
    status, body = _post(url, BODY, sign(BODY, secret))
    assert status == 202
    assert body == {"received": 2, "stored": 2, "duplicates": 0, "mentions": 1}
    broken = Post.objects.for_workspace(world.workspace).get(external_id="r-1")
    assert broken.sentiment == "negative"
    assert Mention.objects.for_workspace(world.workspace).count() == 1
    status, body = _post(url, BODY, sign(BODY, secret))  # the sender retries
    assert (status, body["stored"], body["duplicates"]) == (202, 0, 2)


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ((BODY, ""), 401, "unauthenticated"),
        ((BODY, "sha256=" + "0" * 64), 401, "unauthenticated"),
        ((b"{not json", None), 400, "invalid"),
        ((orjson.dumps({"posts": [{"id": "x"}]}), None), 400, "invalid"),
    ],
)
def test_bad_bodies_get_a_clear_4xx_and_store_nothing(
    world: World, hook: tuple[str, str], case: tuple[bytes, str | None], status: int, code: str
) -> None:
    """``case`` is the body and its signature (None: signed properly)."""
    url, secret = hook
    body, signature = case
    got, answer = _post(url, body, sign(body, secret) if signature is None else signature)
    assert got == status
    assert answer["error"]["code"] == code  # type: ignore[index]
    assert not Post.objects.for_workspace(world.workspace).exists()


def test_refusals_say_which_field_is_wrong(hook: tuple[str, str]) -> None:
    url, secret = hook
    body = orjson.dumps({"posts": [{"id": "x", "text": "hi", "author": {"handle": "a"}}]})
    status, answer = _post(url, body, sign(body, secret))
    assert status == 400
    assert any("created_at" in d for d in answer["error"]["details"])  # type: ignore[index]


def test_an_unknown_or_other_network_source_is_not_found(world: World) -> None:
    status, answer = _post("/hooks/listening/999999", BODY, "sha256=00")
    assert (status, answer["error"]["code"]) == (404, "not_found")  # type: ignore[index]

"""``rapport listen``'s loop: sources run side by side; one that is rate-limited or
fails shows it on its status and retries from its cursor, while the others go on;
a topic saved while it runs matches the next posts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Mapping
from typing import Any

import pytest

from rapport.channels.http import RateLimited
from rapport.channels.registry import Fetched, register
from rapport.listening import runner as runner_module
from rapport.listening.actions import do_create_topic
from rapport.listening.models import ListeningSource, Mention, Post
from rapport.listening.runner import Runner, Selection, redact
from tests.factories import World

from .conftest import RuleNlp, make_source, post

pytestmark = pytest.mark.django_db(transaction=True)


class Scripted:
    """A provider whose streams follow a script per source: posts, then a failure.
    Records the cursor each stream started from."""

    network = "scripted"
    label = "Scripted (tests)"

    def __init__(self) -> None:
        self.started_from: dict[str, list[str]] = {}
        self.fail_once: dict[str, BaseException] = {}

    def validate(self, config: Mapping[str, Any]) -> dict[str, Any]:
        return dict(config)

    async def stream(self, config: Mapping[str, Any], cursor: str) -> AsyncGenerator[Fetched, None]:
        name = str(config["name"])
        self.started_from.setdefault(name, []).append(cursor)
        n = int(cursor or 0)
        failure = self.fail_once.pop(name, None)
        yield Fetched([_post(name, n + 1)], str(n + 1))
        if failure is not None:
            raise failure
        while True:
            await asyncio.sleep(0.05)
            n += 1
            yield Fetched([_post(name, n + 1)], str(n + 1))


def _post(source: str, n: int) -> Any:
    # Words, not digits, tell the posts apart: digits do not count for copied text.
    return post(f"nordlicht {source} {'again ' * n}", external_id=f"{source}-{n}")


SCRIPTED = register(Scripted())


def _source(world: World, name: str) -> ListeningSource:
    source = make_source(world.workspace, network="scripted", name=name)
    source.config = {"name": name, "api_token": "sekret-token-123"}
    source.save()
    return source


def test_a_failing_source_retries_from_its_cursor_while_the_others_go_on(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner_module, "SOURCE_RESCAN", 0.1)
    monkeypatch.setattr(runner_module, "MAX_BACKOFF", 0.2)
    do_create_topic(world.actor(), name="Nordlicht", query="nordlicht")
    steady, flaky, limited = (_source(world, n) for n in ("steady", "flaky", "limited"))
    assert isinstance(SCRIPTED, Scripted)
    SCRIPTED.fail_once["flaky"] = ValueError("garbage payload from sekret-token-123")
    SCRIPTED.fail_once["limited"] = RateLimited(0.3)
    seen: dict[str, str] = {}

    def watch() -> bool:
        flaky.refresh_from_db()
        limited.refresh_from_db()
        if flaky.last_error:
            seen["flaky"] = flaky.last_error
        if limited.state == "rate_limited":
            seen["limited"] = limited.last_error
        restarted = all(len(SCRIPTED.started_from.get(n, [])) >= 2 for n in ("flaky", "limited"))
        return (
            restarted
            and len(seen) == 2
            and Post.objects.for_workspace(world.workspace).count() >= 12
        )

    deadline = time.monotonic() + 30
    asyncio.run(Runner(RuleNlp(), Selection()).run(
        until=lambda: watch() or time.monotonic() > deadline))  # fmt: skip

    assert "ValueError: garbage payload" in seen["flaky"]
    assert "sekret-token-123" not in seen["flaky"]  # credentials never shown
    assert "Rate-limited" in seen["limited"]
    # Each restart resumed after the last stored post: no gap, no duplicate.
    assert SCRIPTED.started_from["flaky"][:2] == ["", "1"]
    assert SCRIPTED.started_from["limited"][:2] == ["", "1"]
    for source in (steady, flaky, limited):
        ids = sorted(
            int(i.split("-")[1])
            for i in Post.objects.for_workspace(world.workspace)
            .filter(external_id__startswith=source.name)
            .values_list("external_id", flat=True)
        )
        assert ids == list(range(1, len(ids) + 1))
    assert Mention.objects.for_workspace(world.workspace).count() >= 12


def test_a_topic_saved_while_listening_matches_the_next_posts(world: World) -> None:
    _source(world, "live")
    created: dict[str, float] = {}

    def step() -> bool:
        if "at" not in created:
            do_create_topic(world.actor(), name="Live", query="live")
            created["at"] = time.time()
        return Mention.objects.for_workspace(world.workspace).exists() or (
            time.time() - created["at"] > 10
        )

    asyncio.run(Runner(RuleNlp()).run(until=step))
    first = Mention.objects.for_workspace(world.workspace).order_by("pk").first()
    assert first is not None
    assert first.posted_at.timestamp() - created["at"] < 2  # the next posts, not later ones


def test_redact_hides_every_credential_of_the_settings() -> None:
    config = {"bearer_token": "abcdef123456", "client_secret": "zzz999zzz", "tag": "coffee"}
    message = "GET /x?token=abcdef123456 failed for coffee with zzz999zzz"
    assert redact(message, config) == "GET /x?token=••• failed for coffee with •••"

"""No accepted event is lost or stored twice: events are accepted over HTTP, the
processing worker is killed with SIGKILL in the middle of its batches, twice, and
restarted; in the end every accepted event is stored exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from rapport.tracking.actions import do_create_source
from rapport.tracking.models import IngestCursor, TrackedEvent
from tests.conftest import database_url_for_subprocess
from tests.factories import World
from tests.tracking.server import serve_rapport

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REQUESTS, PER_REQUEST = 1_000, 10


def position() -> int:
    cursor = IngestCursor.objects.filter(name="pipeline").first()
    return cursor.position if cursor else 0


@pytest.fixture
def start_pipeline() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def spawn(started: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        RAPPORT_PIPELINE_ROWS="40",  # about 25 batches: each kill lands inside one
        DJANGO_SETTINGS_MODULE="rapport.settings.test",
        DATABASE_URL=database_url_for_subprocess(),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "rapport.cli", "pipeline"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    started.append(proc)
    return proc


def wait_for(check: object, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_sigkill_mid_batch_loses_nothing_and_stores_nothing_twice(
    world: World, start_pipeline: list[subprocess.Popen[bytes]]
) -> None:
    source = do_create_source(world.actor(), name="Backend", kind="server")
    accepted: set[str] = set()
    with serve_rapport() as host, httpx.Client(auth=(source.write_key, "")) as http:
        for r in range(REQUESTS):
            ids = [f"m-{r}-{n}" for n in range(PER_REQUEST)]
            batch = [
                {
                    "type": "track",
                    "userId": f"u{r % 97}",
                    "event": "Product Viewed",
                    "messageId": mid,
                    "properties": {"n": r},
                }
                for mid in ids
            ]
            # A client that did not hear back resends the same batch: also exactly once.
            for _ in range(2 if r % 100 == 0 else 1):
                response = http.post(f"{host.url}/v1/batch", json={"batch": batch})
                if response.status_code == 200:
                    accepted.update(ids)
    assert len(accepted) == REQUESTS * PER_REQUEST

    kills = []
    for _ in range(2):
        before = position()
        proc = spawn(start_pipeline)
        wait_for(lambda before=before: position() > before)  # one batch committed …
        proc.send_signal(signal.SIGKILL)  # … and the next one under way
        proc.wait(timeout=10)
        kills.append(position())
    assert kills[0] < kills[1]

    final = spawn(start_pipeline)
    wait_for(lambda: TrackedEvent.objects.for_workspace(world.workspace).count() >= len(accepted))
    time.sleep(0.5)  # anything stored twice would show up now
    final.send_signal(signal.SIGTERM)
    assert final.wait(timeout=30) == 0

    stored = list(
        TrackedEvent.objects.for_workspace(world.workspace).values_list("message_id", flat=True)
    )
    assert len(stored) == len(accepted)
    assert set(stored) == accepted

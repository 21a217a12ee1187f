"""Shared fixtures: two complete workspaces (so every test can check isolation)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.factories import World, make_world

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Playwright's sync API runs an event loop; Django must still allow ORM calls in
# the test thread while it does.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(db: Any) -> World:
    return make_world("Acme")


@pytest.fixture
def other_world(db: Any) -> World:
    return make_world("Globex")


@pytest.fixture
def api(world: World) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {world.token_secret}")


def database_url_for_subprocess() -> str:
    """The URL of the test database, for worker processes started by a test."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.fixture
def fresh_log() -> Iterator[None]:
    """The tracking log without what earlier tests accepted (on SQLite it is a file of
    its own, outside the test database)."""
    from tests.tracking.server import empty_log

    empty_log()
    yield
    empty_log()

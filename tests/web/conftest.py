"""Fixtures of the web tests."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import World
from tests.web.helpers import client_for


@pytest.fixture
def owner(world: World) -> Client:
    return client_for(world.owner)

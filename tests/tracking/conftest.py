"""Fixtures of the tracking tests: a website source and a known contact."""

from __future__ import annotations

import pytest

from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.models import Contact
from rapport.contacts.resolution import Claim
from rapport.tracking.actions import do_create_source
from rapport.tracking.models import Source
from tests.factories import World


@pytest.fixture
def shop(world: World) -> Source:
    return do_create_source(world.actor(), name="Web shop", kind="website")


@pytest.fixture
def ann(world: World) -> Contact:
    return do_create_contact(
        world.actor(), identities=[Claim("email", "ann@example.com")], full_name="Ann Example"
    ).contact

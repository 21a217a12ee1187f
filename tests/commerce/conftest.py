"""Builders for commerce tests: processed events as the pipeline hands them over,
and a recorder of the domain events published on commit."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.models import Contact, Identity
from rapport.contacts.resolution import Claim
from rapport.core.events import DomainEvent, Event, subscribe, unsubscribe
from rapport.tracking.actions import do_create_source
from rapport.tracking.models import Source
from rapport.tracking.processed import Processed
from tests.factories import World

_event_ids = itertools.count(1)


class Shop:
    """Sends events for one workspace the way the pipeline would hand them over."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.source: Source = do_create_source(world.actor(), name="Shop", kind="server")
        self.clock = timezone.now() - timedelta(days=1)

    def person(self, email: str | None = None, anonymous: str | None = None) -> Contact:
        claims = [Claim("email", email)] if email else []
        claims += [Claim("anonymous", anonymous)] if anonymous else []
        return do_create_contact(self.world.actor(), identities=claims).contact

    def event(
        self,
        contact: Contact | None,
        name: str,
        properties: dict[str, Any] | None = None,
        *,
        at: datetime | None = None,
        kind: str = "track",
        identity: Identity | None = None,
    ) -> Processed:
        if at is None:
            self.clock += timedelta(minutes=1)
            at = self.clock
        return Processed(
            workspace_id=self.world.workspace.pk,
            source_id=self.source.pk,
            event_id=next(_event_ids),
            contact_id=contact.pk if contact else None,
            identity_id=identity.pk if identity else None,
            session_id=None,
            type=kind,
            name=name,
            user_id="",
            anonymous_id=f"browser-{contact.pk if contact else 0}",
            properties=properties or {},
            traits={},
            context={},
            timestamp=at,
        )


@pytest.fixture
def shop(world: World) -> Shop:
    return Shop(world)


class Recorder:
    """Domain events of commerce and tracking signals, as listeners receive them."""

    def __init__(self, capture: Callable[..., Any]) -> None:
        self.events: list[DomainEvent] = []
        self._capture = capture

    def deliver(self) -> Any:
        """Run what is inside and deliver what it published, as a commit would."""
        return self._capture(execute=True)

    def named(self, name: Event) -> list[DomainEvent]:
        return [e for e in self.events if e.name == name]


NAMES = (Event.CART_ABANDONED, Event.ORDER_COMPLETED, Event.FIRST_PURCHASE,
         Event.LONG_ABSENCE, Event.USAGE_DROPPING)  # fmt: skip


@pytest.fixture
def published(django_capture_on_commit_callbacks: Any) -> Iterator[Recorder]:
    recorder = Recorder(django_capture_on_commit_callbacks)
    listener: Callable[[DomainEvent], None] = recorder.events.append
    subscribe(*NAMES)(listener)
    try:
        yield recorder
    finally:
        for name in NAMES:
            unsubscribe(name, listener)


ESPRESSO = {
    "product_id": "p-espresso",
    "sku": "NL-ESP-250",
    "name": "Polar Espresso",
    "brand": "Nordlicht",
    "category": "Coffee/Beans",
    "price": 12.9,
    "currency": "EUR",
    "url": "https://shop.example/espresso",
    "image_url": "https://shop.example/e.jpg",
}
FILTER = {"product_id": "p-filter", "sku": "NL-FIL-500", "name": "Aurora Filter",
          "brand": "Nordlicht", "category": "Coffee/Beans", "price": "24.50",
          "currency": "EUR"}  # fmt: skip

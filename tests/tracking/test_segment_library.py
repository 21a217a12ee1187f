"""Segment's own Python library (segment-analytics-python from PyPI), pointed at a
live Rapport host, with gzip on and off: identify, track (e-commerce events too),
page, group and alias are stored, the contact is resolved and its lifecycle moves
prospect → lead → customer, and the alias links both user ids."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from segment.analytics.client import Client

from rapport.contacts.models import Contact, Identity
from rapport.tracking.actions import do_create_source
from rapport.tracking.models import Source, TrackedEvent
from rapport.tracking.pipeline import process_pending
from tests.factories import World
from tests.tracking.server import RunningHost, serve_rapport

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def host(world: World) -> Iterator[RunningHost]:
    with serve_rapport() as running:
        yield running


def segment_client(
    host: RunningHost, source: Source, errors: list[Exception], *, gzip: bool
) -> Client:
    return Client(
        write_key=source.write_key,
        host=host.url,
        gzip=gzip,
        sync_mode=True,
        max_retries=0,
        on_error=lambda exc, _batch: errors.append(exc),
    )


def contact_of(source: Source, kind: str, value: str) -> Contact:
    identity = Identity.objects.for_workspace(source.workspace_id).get(kind=kind, value=value)
    return Contact.objects.for_workspace(source.workspace_id).get(pk=identity.contact_id)


@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
def test_segment_python_sends_every_call_and_rapport_resolves_the_customer(
    world: World, host: RunningHost, gzip: bool
) -> None:
    backend = do_create_source(world.actor(), name="Backend", kind="server")
    errors: list[Exception] = []
    analytics = segment_client(host, backend, errors, gzip=gzip)

    analytics.page(anonymous_id="anon-42", name="Home", properties={"path": "/"})
    analytics.track(
        anonymous_id="anon-42",
        event="Product Viewed",
        properties={
            "product_id": "p-1",
            "sku": "NL-ESP-1",
            "name": "Espresso",
            "price": 14.5,
            "currency": "EUR",
        },
    )
    process_pending()
    prospect = contact_of(backend, "anonymous", "anon-42")
    assert prospect.lifecycle == "prospect"

    analytics.identify(
        user_id="cust-42",
        anonymous_id="anon-42",
        traits={"email": "ada@example.com", "name": "Ada"},
    )
    process_pending()
    assert contact_of(backend, "user_id", "cust-42").pk == prospect.pk
    assert contact_of(backend, "email", "ada@example.com").lifecycle == "lead"

    analytics.track(
        user_id="cust-42",
        event="Order Completed",
        properties={
            "order_id": "o-1",
            "total": 29.0,
            "revenue": 25.0,
            "currency": "EUR",
            "products": [
                {
                    "product_id": "p-1",
                    "sku": "NL-ESP-1",
                    "name": "Espresso",
                    "price": 14.5,
                    "quantity": 2,
                }
            ],
        },
    )
    analytics.group(
        user_id="cust-42",
        group_id="acme",
        traits={"name": "Acme GmbH", "website": "https://www.acme.example/"},
    )
    analytics.alias(previous_id="cust-42", user_id="ada-2027")
    assert errors == []
    process_pending()

    contact = contact_of(backend, "user_id", "ada-2027")
    assert contact.pk == prospect.pk  # the alias joined the new id to the same person
    assert contact.lifecycle == "customer"
    assert contact.order_count == 1
    assert contact.company is not None
    assert contact.company.name == "Acme GmbH"  # the group call named the account
    assert contact.company.domain == "acme.example"
    stored = list(
        TrackedEvent.objects.for_workspace(world.workspace)
        .filter(contact=contact)
        .order_by("timestamp", "id")
        .values_list("type", "name")
    )
    assert stored == [
        ("page", "Home"),
        ("track", "Product Viewed"),
        ("identify", ""),
        ("track", "Order Completed"),
        ("group", ""),
        ("alias", ""),
    ]
    order = TrackedEvent.objects.for_workspace(world.workspace).get(name="Order Completed")
    assert order.properties["products"][0]["quantity"] == 2
    assert order.context["library"]["name"] == "analytics-python"

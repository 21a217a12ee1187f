"""The commerce processor on a shop's event stream: the batch as the pipeline hands
it over (one call per 1,000 events) vs one call per event (what a processor that
reads and writes per event costs, since every call pays its own reads and writes).

The stream is what a shop sends: 80 % page views, then product views, adds,
removals, checkouts and orders over 2,000 shoppers. Both runs start from the same
state and must leave the same orders, carts and counters behind. Reported: events
per second through the processor alone (the pipeline's own work is measured by
the ingest bench).

RAPPORT_BENCH_SCALE=0.1 runs a tenth of the events.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from bench.seed import bench_actor
from rapport.commerce.models import Cart, Order, Product
from rapport.commerce.processor import process_events
from rapport.contacts.models import Contact
from rapport.core.actor import Actor
from rapport.tracking.models import Source
from rapport.tracking.processed import Processed

SCALE = float(os.environ.get("RAPPORT_BENCH_SCALE", "1"))
EVENTS = max(2_000, int(50_000 * SCALE))
SHOPPERS = 2_000
BATCH = 1_000
PRODUCTS = 200
# (event, share of the stream); the rest are page views.
MIX = (("Product Viewed", 0.10), ("Product Added", 0.05), ("Product Removed", 0.02),
       ("Checkout Started", 0.015), ("Order Completed", 0.015))  # fmt: skip


def _stream(actor: Actor, seed: int) -> list[Processed]:
    rng = random.Random(seed)
    ws = actor.workspace
    source = Source.objects.create(workspace=ws, name=f"bench {seed}", kind="server",
                                   write_key=f"wk_srv_bench_commerce_{ws.pk}_{seed}")  # fmt: skip
    contacts = Contact.objects.for_workspace(ws).bulk_create(
        [Contact(workspace=ws) for _ in range(SHOPPERS)]
    )
    start = timezone.now() - timedelta(days=1)
    names = [name for name, _ in MIX]
    weights = [share for _, share in MIX]
    out = []
    for n in range(EVENTS):
        contact = rng.choice(contacts)
        kind, name = "page", "Product page"
        props: dict[str, Any] = {"path": "/shop"}
        if rng.random() < sum(weights):
            kind, name = "track", rng.choices(names, weights)[0]
            product: dict[str, Any] = {
                "product_id": f"p-{rng.randrange(PRODUCTS)}",
                "name": "Coffee",
                "price": 10 + rng.randrange(30),
                "currency": "EUR",
            }
            props = {**product, "quantity": 1 + rng.randrange(3)}
            if name in ("Checkout Started", "Order Completed"):
                props = {"order_id": f"o-{n}", "revenue": 25, "currency": "EUR",
                         "products": [product]}  # fmt: skip
        out.append(
            Processed(
                workspace_id=ws.pk,
                source_id=source.pk,
                event_id=n,
                contact_id=contact.pk,
                identity_id=None,
                session_id=None,
                type=kind,
                name=name,
                user_id="",
                anonymous_id=f"a-{contact.pk}",
                properties=props,
                traits={},
                context={},
                timestamp=start + timedelta(seconds=n),
            )
        )
    return out


def _state(actor: Actor) -> tuple[int, int, int, int]:
    ws = actor.workspace
    return (
        Order.objects.for_workspace(ws).count(),
        Cart.objects.for_workspace(ws).count(),
        sum(Product.objects.for_workspace(ws).values_list("views", flat=True)),
        sum(Product.objects.for_workspace(ws).values_list("purchases", flat=True)),
    )


def _run(stream: list[Processed], size: int) -> float:
    start = time.perf_counter()
    for first in range(0, len(stream), size):
        with transaction.atomic():  # the pipeline's transaction around each batch
            process_events(stream[first : first + size])
    return time.perf_counter() - start


def run() -> Iterator[dict[str, Any]]:
    batched, single = bench_actor("Commerce batched"), bench_actor("Commerce per event")
    fast_stream, slow_stream = _stream(batched, 1), _stream(single, 1)
    fast = _run(fast_stream, BATCH)
    slow = _run(slow_stream, 1)
    commerce = sum(1 for p in fast_stream if p.type == "track")
    yield {
        "case": f"{EVENTS:,} events ({commerce:,} e-commerce) over {SHOPPERS:,} shoppers",
        "batched_events_per_s": round(EVENTS / fast),
        "per_event_events_per_s": round(EVENTS / slow),
        "speedup": round(slow / fast, 1),
        "same_result": _state(batched) == _state(single),
        "orders_carts_views_units": _state(batched),
    }

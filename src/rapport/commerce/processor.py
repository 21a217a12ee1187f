"""The tracking processor: e-commerce events become catalogue, carts and orders.

The pipeline calls ``process_events`` once per batch, inside its transaction.
Page views and every other event are dropped with two comparisons and no query.
For a batch with e-commerce events, each workspace in it costs a fixed number of
statements however many events it has: products, carts and orders are read once,
changed in memory in event order, and written back in bulk. Only completed orders
cost a few statements each (the contact's count, timeline and lifecycle).

Events without a contact (a bot, a visitor who could not be resolved) are skipped:
a cart or an order belongs to a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from rapport.contacts.facade import (
    OrderEntry,
    current_contact_ids,
    record_orders,
    record_refunds,
    withdraw_orders,
)
from rapport.core.events import Event, publish
from rapport.tracking.processed import Processed, register_processor

from . import metrics, spec
from .carts import Carts
from .catalogue import Catalogue
from .models import COUNTED, Order, OrderStatus
from .orders import Orders, OrderState


@dataclass(frozen=True)
class _Event:
    raw: Processed
    contact_id: int
    item: spec.Line | None  # the event's own product (viewed, added, removed)
    items: list[spec.Line] | None  # its ``products`` list, when it has one
    order: spec.OrderFacts | None


@register_processor
def process_events(batch: Sequence[Processed]) -> None:
    by_workspace: dict[int, list[Processed]] = {}
    for p in batch:
        if p.type != "track" or p.name not in spec.HANDLED or p.contact_id is None:
            continue
        by_workspace.setdefault(p.workspace_id, []).append(p)
    for workspace_id, events in by_workspace.items():
        with transaction.atomic():
            _apply(workspace_id, events)


def _parse(p: Processed, contact_id: int) -> _Event:
    props = p.properties if isinstance(p.properties, dict) else {}
    own = p.name in (spec.PRODUCT_VIEWED, spec.PRODUCT_ADDED, spec.PRODUCT_REMOVED)
    facts = spec.order(props) if p.name in spec.ORDER_EVENTS else None
    return _Event(
        raw=p,
        contact_id=contact_id,
        item=spec.line(props) if own else None,
        items=facts.lines if facts else spec.lines(props),
        order=facts,
    )


def _apply(workspace_id: int, batch: list[Processed]) -> None:
    current = current_contact_ids(workspace_id, {p.contact_id for p in batch if p.contact_id})
    events = [_parse(p, current[p.contact_id]) for p in batch if p.contact_id]

    catalogue = Catalogue(workspace_id)
    orders = Orders(workspace_id, catalogue)
    orders.load(e.order.order_id for e in events if e.order)
    mentioned = [
        (line, e.raw.timestamp)
        for e in events
        for line in ([e.item] if e.item else []) + (e.items or [])
    ]
    # The known orders' lines too: replacing or cancelling them gives units back.
    catalogue.load(mentioned + orders.known_lines())
    carts = Carts(workspace_id)
    carts.load(
        e.contact_id
        for e in events
        if e.raw.name in spec.CART_ACTIVITY or e.raw.name == spec.ORDER_COMPLETED
    )
    buyers = {e.contact_id for e in events if e.raw.name == spec.ORDER_COMPLETED}
    had_orders = set(
        Order.objects.for_workspace(workspace_id)
        .filter(contact_id__in=buyers, status__in=COUNTED)
        .values_list("contact_id", flat=True)
        .distinct()
    ) if buyers else set()  # fmt: skip

    refunds: list[OrderState] = []
    for e in events:
        _dispatch(e, catalogue, carts, orders, refunds)

    catalogue.save()
    orders.save()
    carts.save()
    _tell_contacts(workspace_id, orders, refunds)
    metrics.refresh(workspace_id, orders.touched_contacts)
    for state in orders.completed:
        o = state.order
        first = o.contact_id not in had_orders
        had_orders.add(o.contact_id)
        payload = {"contact_id": o.contact_id, "order_id": o.pk, "external_id": o.order_id,
                   "total": str(o.total), "revenue": str(o.revenue), "currency": o.currency,
                   "placed_at": o.placed_at.isoformat()}  # fmt: skip
        publish(Event.ORDER_COMPLETED, workspace_id, **payload)
        if first:
            publish(Event.FIRST_PURCHASE, workspace_id, **payload)


def _dispatch(
    e: _Event, catalogue: Catalogue, carts: Carts, orders: Orders, refunds: list[OrderState]
) -> None:
    name, at = e.raw.name, e.raw.timestamp
    for line in ([e.item] if e.item else []) + (e.items or []):
        catalogue.seen(line, at)
    props = e.raw.properties if isinstance(e.raw.properties, dict) else {}
    checkout = spec.text(props.get("checkout_id")) or spec.text(props.get("order_id"))
    if name == spec.PRODUCT_VIEWED and e.item:
        catalogue.viewed(e.item.key)
    elif name == spec.PRODUCT_ADDED and e.item:
        catalogue.added(e.item.key)
        carts.add(e.raw, e.contact_id, e.item, catalogue.get(e.item.key))
    elif name == spec.PRODUCT_REMOVED and e.item:
        carts.remove(e.raw, e.contact_id, e.item)
    elif name in (spec.CART_VIEWED, spec.CHECKOUT_STARTED) and e.items is not None:
        carts.replace(e.raw, e.contact_id, e.items, catalogue.products)
        carts.touch(e.raw, e.contact_id, checkout if name == spec.CHECKOUT_STARTED else "")
    elif name in spec.CART_ACTIVITY:
        carts.touch(e.raw, e.contact_id, "" if name == spec.CART_VIEWED else checkout)
    elif name == spec.ORDER_COMPLETED and e.order:
        state = orders.complete(e.raw, e.contact_id, e.order)
        if state is not None:
            carts.convert(e.raw, e.contact_id, state.order)
    elif name == spec.ORDER_UPDATED and e.order:
        orders.update(e.raw, e.order)
    elif name == spec.ORDER_REFUNDED and e.order:
        state = orders.orders.get(e.order.order_id)
        before = state.order.refunded if state else None
        orders.refund(e.raw, e.order)
        if state is not None and state.order.refunded != before:
            refunds.append(state)
    elif name == spec.ORDER_CANCELLED and e.order:
        orders.cancel(e.raw, e.order)


def _tell_contacts(workspace_id: int, orders: Orders, refunds: list[OrderState]) -> None:
    """The contacts app counts orders and writes the timeline; it moves the stage."""

    def entry(state: OrderState, verb: str, amount: str, when: str) -> OrderEntry:
        o = state.order
        at = getattr(o, when) or o.placed_at
        money = spec.money_text(getattr(o, amount), o.currency)
        summary = f"Order {o.order_id} {verb}" + (f" · {money}" if money else "")
        data = {"order": o.pk, "order_id": o.order_id, "total": str(o.total),
                "revenue": str(o.revenue), "refunded": str(o.refunded),
                "currency": o.currency, "items": o.item_count}  # fmt: skip
        return OrderEntry(o.contact_id, at, summary, o.identity_id, data)

    record_orders(workspace_id, [entry(s, "placed", "total", "placed_at")
                                 for s in orders.completed])  # fmt: skip
    withdraw_orders(workspace_id, [entry(s, "cancelled", "total", "cancelled_at")
                                   for s in orders.cancelled])  # fmt: skip
    once = {id(s): s for s in refunds}  # an order refunded twice in a batch: one entry
    refunded = [s for s in once.values() if s.order.status == OrderStatus.REFUNDED]
    record_refunds(workspace_id, [entry(s, "refunded", "refunded", "refunded_at")
                                  for s in refunded])  # fmt: skip

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
from typing import NamedTuple

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

# The events whose work needs the contact as it is now (merges followed): carts and
# new orders belong to a person. Views only count and describe products, so a
# stream of views costs no look-up of its contacts.
_NEEDS_CONTACT = spec.CART_ACTIVITY | {spec.ORDER_COMPLETED}
_OWN_PRODUCT = frozenset({spec.PRODUCT_VIEWED, spec.PRODUCT_ADDED, spec.PRODUCT_REMOVED})


class _Event(NamedTuple):  # a tuple: thousands are made per batch
    raw: Processed
    contact_id: int  # the current contact for _NEEDS_CONTACT events, else the event's own
    item: spec.Line | None  # the event's own product (viewed, added, removed)
    items: list[spec.Line] | None  # its ``products`` list, when it has one
    order: spec.OrderFacts | None
    mentioned: Sequence[spec.Line]  # item and items: every product the event describes


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


def _parse_all(workspace_id: int, batch: list[Processed]) -> list[_Event]:
    needing = {p.contact_id for p in batch if p.contact_id and p.name in _NEEDS_CONTACT}
    current = current_contact_ids(workspace_id, needing) if needing else {}
    reader = spec.LineReader()
    return [
        _parse(p, current.get(p.contact_id, p.contact_id), reader) for p in batch if p.contact_id
    ]


def _parse(p: Processed, contact_id: int, reader: spec.LineReader) -> _Event:
    props = p.properties if isinstance(p.properties, dict) else {}
    item = reader.line(props) if p.name in _OWN_PRODUCT else None
    facts = spec.order(props) if p.name in spec.ORDER_EVENTS else None
    items = facts.lines if facts else spec.lines(props, reader.line)
    if items is None:
        mentioned: Sequence[spec.Line] = (item,) if item else ()
    else:
        mentioned = [item, *items] if item else items
    return _Event(p, contact_id, item, items, facts, mentioned)


def _apply(workspace_id: int, batch: list[Processed]) -> None:
    events = _parse_all(workspace_id, batch)

    catalogue = Catalogue(workspace_id)
    orders = Orders(workspace_id, catalogue)
    orders.load(e.order.order_id for e in events if e.order)
    mentioned = [(line, e.raw.timestamp) for e in events for line in e.mentioned]
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
    for line in e.mentioned:
        catalogue.seen(line, at)
    if name == spec.PRODUCT_VIEWED and e.item:
        catalogue.viewed(e.item.key)
    elif name == spec.PRODUCT_ADDED and e.item:
        catalogue.added(e.item.key)
        carts.add(e.raw, e.contact_id, e.item, catalogue.get(e.item.key))
    elif name == spec.PRODUCT_REMOVED and e.item:
        carts.remove(e.raw, e.contact_id, e.item)
    elif name in (spec.CART_VIEWED, spec.CHECKOUT_STARTED) and e.items is not None:
        carts.replace(e.raw, e.contact_id, e.items, catalogue.products)
        carts.touch(e.raw, e.contact_id, _checkout_id(e) if name == spec.CHECKOUT_STARTED else "")
    elif name in spec.CART_ACTIVITY:
        carts.touch(e.raw, e.contact_id, "" if name == spec.CART_VIEWED else _checkout_id(e))
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


def _checkout_id(e: _Event) -> str:
    """Read only by the cart events that use it: most events are views."""
    props = e.raw.properties if isinstance(e.raw.properties, dict) else {}
    return spec.text(props.get("checkout_id")) or spec.text(props.get("order_id"))


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

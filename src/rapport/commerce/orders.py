"""The order side of a batch: the orders a batch names are read once (by the shop's
order id, whoever the event came from), changed in memory, and written back at
the end. Product counters move with the order's lines: a completed order adds its
units and revenue, a cancelled one takes them back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from rapport.tracking.processed import Processed

from .bulk import write
from .catalogue import Catalogue
from .models import Order, OrderItem, OrderStatus
from .spec import Line, OrderFacts

CHANGING = ["status", "currency", "total", "revenue", "shipping", "tax", "discount", "refunded",
            "net_revenue", "coupon", "affiliation", "item_count", "updated_at", "refunded_at",
            "cancelled_at", "checkout_id"]  # fmt: skip


@dataclass
class OrderState:
    order: Order
    lines: list[Line] = field(default_factory=list)
    new: bool = False
    lines_changed: bool = False
    changed: bool = False


class Orders:
    def __init__(self, workspace_id: int, catalogue: Catalogue) -> None:
        self.workspace_id = workspace_id
        self.catalogue = catalogue
        self.orders: dict[str, OrderState] = {}
        self.completed: list[OrderState] = []  # new orders, in event order
        self.cancelled: list[OrderState] = []  # counted orders this batch cancelled
        self.touched_contacts: set[int] = set()

    def load(self, order_ids: Iterable[str]) -> None:
        ids = list(set(order_ids))
        if not ids:
            return
        rows = Order.objects.for_workspace(self.workspace_id).select_for_update()
        for o in rows.filter(order_id__in=ids):
            self.orders[o.order_id] = OrderState(o)
        by_pk = {s.order.pk: s for s in self.orders.values()}
        items = OrderItem.objects.for_workspace(self.workspace_id).filter(order_id__in=list(by_pk))
        for i in items:
            by_pk[i.order_id].lines.append(
                Line(key=i.product_key, product_id="", sku=i.sku, name=i.name, brand="",
                     category="", price=i.price, quantity=i.quantity, quantity_given=True,
                     currency=by_pk[i.order_id].order.currency, url="", image_url="")
            )  # fmt: skip

    def known_lines(self) -> list[tuple[Line, datetime]]:
        return [(p, s.order.placed_at) for s in self.orders.values() for p in s.lines]

    def complete(self, event: Processed, contact_id: int, facts: OrderFacts) -> OrderState | None:
        """Order Completed: a new order, or the same order again (updated, not
        counted twice). A cancelled or refunded order is not brought back by a
        late report of its completion. Returns the state when the order is new."""
        state = self.orders.get(facts.order_id)
        if state is not None:
            if state.order.status == OrderStatus.COMPLETED:
                self._update(state, event, facts)
            return None
        at = event.timestamp
        order = Order(
            workspace_id=self.workspace_id, contact_id=contact_id, identity_id=event.identity_id,
            order_id=facts.order_id, status=OrderStatus.COMPLETED, placed_at=at, updated_at=at,
            event_id=event.event_id,
        )  # fmt: skip
        state = OrderState(order, new=True, changed=True)
        self._amounts(state, facts)
        self._replace_lines(state, facts.lines or [])
        self.orders[facts.order_id] = state
        self.completed.append(state)
        self._settle(state, event)
        return state

    def update(self, event: Processed, facts: OrderFacts) -> None:
        """Order Updated: new amounts or lines for an order Rapport has. An update of
        an order never reported completed is not an order, and is ignored."""
        state = self.orders.get(facts.order_id)
        if state is not None and state.order.status != OrderStatus.CANCELLED:
            self._update(state, event, facts)

    def refund(self, event: Processed, facts: OrderFacts) -> None:
        """Order Refunded: ``total`` is the amount given back; without it, the listed
        products' price x quantity; without those, the whole order."""
        state = self.orders.get(facts.order_id)
        if state is None or state.order.status == OrderStatus.CANCELLED:
            return
        o = state.order
        whole = max(o.total, o.revenue)
        given = facts.total if facts.total is not None else facts.revenue
        if given is None and facts.lines:
            given = sum((p.value for p in facts.lines), Decimal(0))
        o.refunded = min(whole, o.refunded + (given if given is not None else whole))
        o.status, o.refunded_at = OrderStatus.REFUNDED, event.timestamp
        self._settle(state, event)

    def cancel(self, event: Processed, facts: OrderFacts) -> None:
        """Order Cancelled: the order never happened; its units go back."""
        state = self.orders.get(facts.order_id)
        if state is None or state.order.status == OrderStatus.CANCELLED:
            return
        self._count(state, -1)
        state.order.status, state.order.cancelled_at = OrderStatus.CANCELLED, event.timestamp
        if not state.new:
            self.cancelled.append(state)
        else:  # completed and cancelled within one batch: never counted anywhere
            self.completed.remove(state)
        self._settle(state, event)

    # -- in memory -------------------------------------------------------------------

    def _update(self, state: OrderState, event: Processed, facts: OrderFacts) -> None:
        self._amounts(state, facts)
        if facts.lines is not None:
            self._count(state, -1)
            self._replace_lines(state, facts.lines)
        self._settle(state, event)

    def _amounts(self, state: OrderState, facts: OrderFacts) -> None:
        o = state.order
        if facts.total is not None or facts.revenue is not None or facts.lines:
            o.revenue, o.total = facts.resolved_revenue(), facts.resolved_total()
        for name in ("shipping", "tax", "discount"):
            if getattr(facts, name) is not None:
                setattr(o, name, getattr(facts, name))
        o.currency = facts.currency or o.currency
        o.coupon = facts.coupon or o.coupon
        o.affiliation = facts.affiliation or o.affiliation
        o.checkout_id = facts.checkout_id or o.checkout_id

    def _replace_lines(self, state: OrderState, lines: list[Line]) -> None:
        state.lines = list(lines)
        state.lines_changed = True
        state.order.item_count = sum(p.quantity for p in lines)
        self._count(state, +1)

    def _count(self, state: OrderState, sign: int) -> None:
        for p in state.lines:
            self.catalogue.sold(p.key, p.quantity, p.value, p.currency or state.order.currency,
                                sign)  # fmt: skip

    def _settle(self, state: OrderState, event: Processed) -> None:
        o = state.order
        o.net_revenue = (
            Decimal(0)
            if o.status == OrderStatus.CANCELLED
            else max(Decimal(0), o.revenue - o.refunded)
        )
        o.updated_at = max(o.updated_at, event.timestamp)
        state.changed = True
        self.touched_contacts.add(o.contact_id)

    # -- writing -------------------------------------------------------------------

    def save(self) -> None:
        manager = Order.objects.for_workspace(self.workspace_id)
        states = list(self.orders.values())
        manager.bulk_create([s.order for s in states if s.new])
        write(Order, [s.order for s in states if s.changed and not s.new], CHANGING)
        rewrite = [s for s in states if s.lines_changed]
        items = OrderItem.objects.for_workspace(self.workspace_id)
        items.filter(order_id__in=[s.order.pk for s in rewrite if not s.new]).delete()
        items.bulk_create(
            [
                OrderItem(
                    workspace_id=self.workspace_id, order_id=s.order.pk,
                    product_id=_pk(self.catalogue, p.key), product_key=p.key, name=p.name,
                    sku=p.sku, price=p.price, quantity=p.quantity,
                )
                for s in rewrite
                for p in s.lines
            ]
        )  # fmt: skip


def _pk(catalogue: Catalogue, key: str) -> int | None:
    product = catalogue.get(key)
    return product.pk if product else None

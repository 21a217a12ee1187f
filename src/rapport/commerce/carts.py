"""The cart side of a batch. Each contact's current cart (open, or abandoned and not
yet picked up again) is read once with its items, changed in memory event by event,
and written back at the end: carts with two statements, items with two (the
touched carts' items are replaced)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from rapport.tracking.processed import Processed

from .bulk import write
from .models import Cart, CartItem, CartStatus, Order, Product
from .spec import Line

CHANGING = ["identity", "visitor", "cart_id", "checkout_id", "status", "currency", "value",
            "item_count", "updated_at", "abandoned_at", "converted_at", "order"]  # fmt: skip


@dataclass
class _Item:
    key: str
    name: str
    price: Decimal | None
    quantity: int
    added_at: datetime
    product: Product | None = None
    product_id: int | None = None


@dataclass
class _State:
    cart: Cart
    items: dict[str, _Item] = field(default_factory=dict)
    new: bool = False
    items_changed: bool = False
    order: Order | None = None


class Carts:
    def __init__(self, workspace_id: int) -> None:
        self.workspace_id = workspace_id
        self.current: dict[int, _State] = {}  # contact id → their current cart
        self._states: list[_State] = []

    def load(self, contact_ids: Iterable[int]) -> None:
        ids = list(set(contact_ids))
        if not ids:
            return
        rows = (
            Cart.objects.for_workspace(self.workspace_id)
            .select_for_update()
            .filter(contact_id__in=ids, status__in=[CartStatus.OPEN, CartStatus.ABANDONED])
            .order_by("updated_at", "id")
        )
        for cart in rows:  # after a merge a contact may have two: the latest is current
            self.current[cart.contact_id] = _State(cart)
        by_pk = {s.cart.pk: s for s in self.current.values()}
        self._states = list(by_pk.values())
        items = CartItem.objects.for_workspace(self.workspace_id).filter(cart_id__in=list(by_pk))
        for i in items:
            by_pk[i.cart_id].items[i.product_key] = _Item(
                i.product_key, i.name, i.price, i.quantity, i.added_at, product_id=i.product_id
            )

    # -- what the events do ------------------------------------------------------

    def add(self, event: Processed, contact_id: int, item: Line, product: Product | None) -> None:
        state = self._open(event, contact_id)
        existing = state.items.get(item.key)
        if existing is None:
            state.items[item.key] = _Item(item.key, item.name, item.price, item.quantity,
                                          event.timestamp, product)  # fmt: skip
        else:
            existing.quantity += item.quantity
            existing.price = item.price if item.price is not None else existing.price
            existing.name = item.name or existing.name
            existing.product = existing.product or product
        state.cart.currency = item.currency or state.cart.currency
        state.items_changed = True
        self._touch(state, event)

    def remove(self, event: Processed, contact_id: int, item: Line) -> None:
        """Product Removed takes ``quantity`` units off; without one, the line goes."""
        state = self.current.get(contact_id)
        if state is None:
            return
        existing = state.items.get(item.key)
        if existing is not None:
            if item.quantity_given and existing.quantity > item.quantity:
                existing.quantity -= item.quantity
            else:
                del state.items[item.key]
            state.items_changed = True
        self._touch(state, event)

    def replace(
        self, event: Processed, contact_id: int, items: list[Line], products: dict[str, Product]
    ) -> None:
        """Cart Viewed and Checkout Started list the whole cart: the shop knows it
        better than a replay of adds and removals, so its list replaces ours."""
        state = self.current.get(contact_id)
        if state is None and not items:
            return
        state = self._open(event, contact_id)
        kept = state.items
        state.items = {}
        for item in items:
            if item.key in state.items:
                state.items[item.key].quantity += item.quantity
                continue
            before = kept.get(item.key)
            state.items[item.key] = _Item(
                item.key, item.name or (before.name if before else ""),
                item.price if item.price is not None else (before.price if before else None),
                item.quantity, before.added_at if before else event.timestamp,
                products.get(item.key), before.product_id if before else None,
            )  # fmt: skip
            state.cart.currency = item.currency or state.cart.currency
        state.items_changed = True
        self._touch(state, event)

    def touch(self, event: Processed, contact_id: int, checkout_id: str = "") -> None:
        """A checkout step or a coupon: the shopper is still there."""
        state = self.current.get(contact_id)
        if state is not None:
            state.cart.checkout_id = checkout_id or state.cart.checkout_id
            self._touch(state, event)

    def convert(self, event: Processed, contact_id: int, order: Order) -> None:
        state = self.current.pop(contact_id, None)
        if state is None:
            return
        state.cart.status = CartStatus.CONVERTED
        state.cart.converted_at = event.timestamp
        state.cart.abandoned_at = None
        state.order = order

    def _open(self, event: Processed, contact_id: int) -> _State:
        state = self.current.get(contact_id)
        if state is None:
            at = event.timestamp
            state = _State(
                Cart(
                    workspace_id=self.workspace_id, contact_id=contact_id,
                    identity_id=event.identity_id,
                    visitor=(event.anonymous_id or event.user_id)[:200],
                    status=CartStatus.OPEN, created_at=at, updated_at=at,
                ),
                new=True,
            )  # fmt: skip
            self.current[contact_id] = state
            self._states.append(state)
        return state

    def _touch(self, state: _State, event: Processed) -> None:
        cart = state.cart
        if cart.status == CartStatus.ABANDONED:  # they came back to it
            cart.status, cart.abandoned_at = CartStatus.OPEN, None
        cart.updated_at = max(cart.updated_at, event.timestamp)
        cart_id = event.properties.get("cart_id")
        if isinstance(cart_id, str | int) and not isinstance(cart_id, bool):
            cart.cart_id = str(cart_id)[:200]

    # -- writing -------------------------------------------------------------------

    def save(self) -> None:
        for s in self._states:
            lines = s.items.values()
            s.cart.item_count = sum(i.quantity for i in lines)
            s.cart.value = sum(((i.price or Decimal(0)) * i.quantity for i in lines), Decimal(0))
            if s.order is not None:
                s.cart.order_id = s.order.pk
        manager = Cart.objects.for_workspace(self.workspace_id)
        manager.bulk_create([s.cart for s in self._states if s.new])
        write(Cart, [s.cart for s in self._states if not s.new], CHANGING)
        rewrite = [s for s in self._states if s.items_changed]
        items = CartItem.objects.for_workspace(self.workspace_id)
        items.filter(cart_id__in=[s.cart.pk for s in rewrite if not s.new]).delete()
        items.bulk_create(
            [
                CartItem(
                    workspace_id=self.workspace_id, cart_id=s.cart.pk,
                    product_id=i.product.pk if i.product else i.product_id,
                    product_key=i.key, name=i.name, price=i.price, quantity=i.quantity,
                    added_at=i.added_at,
                )
                for s in rewrite
                for i in s.items.values()
            ]
        )  # fmt: skip

"""The Segment e-commerce spec (v2) as pure functions: which events matter and how
to read their properties. Shops send what they send — numbers as strings, ids as
numbers, missing fields — so every reader is forgiving and never raises: a value
that does not parse is treated as absent."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

PRODUCT_VIEWED = "Product Viewed"
PRODUCT_LIST_VIEWED = "Product List Viewed"
PRODUCT_ADDED = "Product Added"
PRODUCT_REMOVED = "Product Removed"
CART_VIEWED = "Cart Viewed"
CHECKOUT_STARTED = "Checkout Started"
CHECKOUT_STEP_COMPLETED = "Checkout Step Completed"
PAYMENT_INFO_ENTERED = "Payment Info Entered"
ORDER_COMPLETED = "Order Completed"
ORDER_UPDATED = "Order Updated"
ORDER_REFUNDED = "Order Refunded"
ORDER_CANCELLED = "Order Cancelled"
COUPON_APPLIED = "Coupon Applied"

# Events that show the shopper is still at it: the cart's abandonment clock restarts.
CART_ACTIVITY = frozenset(
    {
        PRODUCT_ADDED,
        PRODUCT_REMOVED,
        CART_VIEWED,
        CHECKOUT_STARTED,
        CHECKOUT_STEP_COMPLETED,
        PAYMENT_INFO_ENTERED,
        COUPON_APPLIED,
    }
)
ORDER_EVENTS = frozenset({ORDER_COMPLETED, ORDER_UPDATED, ORDER_REFUNDED, ORDER_CANCELLED})
HANDLED = frozenset({PRODUCT_VIEWED, PRODUCT_LIST_VIEWED}) | CART_ACTIVITY | ORDER_EVENTS

# Larger amounts do not fit the money columns (14 digits before the point).
MAX_AMOUNT = Decimal(10) ** 13
MAX_QUANTITY = 1_000_000
FOUR_PLACES = Decimal("0.0001")
CENTS = Decimal("0.01")


def text(value: Any, limit: int = 200) -> str:
    """Ids and names as text: numbers are allowed (shops send numeric ids)."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        value = format(value, "f") if isinstance(value, Decimal) else str(value)
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").strip()[:limit]


def amount(value: Any) -> Decimal | None:
    """A non-negative amount of money, to four places, or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        value = value.strip().replace(",", ".") if value.count(",") == 1 else value.strip()
    elif not isinstance(value, int | float | Decimal):
        return None
    try:
        parsed = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    if not parsed.is_finite() or parsed < 0 or parsed >= MAX_AMOUNT:
        return None
    return parsed.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def quantity(value: Any, default: int = 1) -> int:
    """A positive whole number of units; ``default`` when absent or nonsense."""
    if isinstance(value, bool):
        return default
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return default
    if isinstance(value, float):
        if not math.isfinite(value):
            return default
        value = round(value)
    if not isinstance(value, int) or value < 1:
        return default
    return min(value, MAX_QUANTITY)


def currency(value: Any) -> str:
    """ISO 4217: three letters, upper-cased; "" when it is anything else."""
    code = text(value, 10).upper()
    return code if len(code) == 3 and code.isascii() and code.isalpha() else ""


def link(value: Any) -> str:
    """Only http(s) links are kept: the catalogue page links to them."""
    url = text(value, 1000)
    return url if url.lower().startswith(("https://", "http://")) else ""


@dataclass(frozen=True)
class Line:
    """One product as an event mentions it (the event's own properties, or one
    entry of its ``products`` list)."""

    key: str  # product_id, else sku
    product_id: str
    sku: str
    name: str
    brand: str
    category: str
    price: Decimal | None
    quantity: int
    quantity_given: bool
    currency: str
    url: str
    image_url: str

    @property
    def value(self) -> Decimal:
        return (self.price or Decimal(0)) * self.quantity


def line(props: Mapping[str, Any], default_currency: str = "") -> Line | None:
    """The product in ``props``, or None when it names none (no id, no sku)."""
    product_id = text(props.get("product_id"))
    sku = text(props.get("sku"))
    key = product_id or sku
    if not key:
        return None
    return Line(
        key=key,
        product_id=product_id,
        sku=sku,
        name=text(props.get("name"), 300),
        brand=text(props.get("brand")),
        category=text(props.get("category")),
        price=amount(props.get("price")),
        quantity=quantity(props.get("quantity")),
        quantity_given="quantity" in props and quantity(props.get("quantity"), 0) > 0,
        currency=currency(props.get("currency")) or default_currency,
        url=link(props.get("url")),
        image_url=link(props.get("image_url")),
    )


def lines(
    props: Mapping[str, Any], read: Callable[[Mapping[str, Any], str], Line | None] = line
) -> list[Line] | None:
    """The event's ``products`` list; None when it has none (which is not the same
    as an empty list: an empty cart). ``read`` reads one entry (``LineReader.line``
    remembers them)."""
    products = props.get("products")
    if not isinstance(products, list):
        return None
    default = currency(props.get("currency"))
    found = [read(p, default) for p in products[:500] if isinstance(p, dict)]
    return [p for p in found if p is not None]


# Values whose equality means the readers above give the same result: equal str,
# int and non-zero float values are the same value (the key holds each value's
# type too: 1 and 1.0 read differently as ids). Not bool (True == 1, but
# ``text`` reads them differently), not Decimal (1.0 == 1.00, but ``text`` keeps the
# places), not 0.0 (-0.0 == 0.0, but ``text`` and ``amount`` keep the sign).
_PLAIN = frozenset({str, int, float, type(None)})


class LineReader:
    """``line`` for one batch, remembered by the properties it was given: a shop
    (or a load test) sends the same product's properties event after event, and
    reading them is most of what a product view costs. Lines are immutable, so
    events with equal properties share one. Live for one batch only: the memory is
    bounded by the batch."""

    def __init__(self) -> None:
        self._read: dict[tuple[Any, ...], Line | None] = {}

    def line(self, props: Mapping[str, Any], default_currency: str = "") -> Line | None:
        values = tuple(props.values())
        types = tuple(map(type, values))
        if not _PLAIN.issuperset(types) or 0 in values:
            return line(props, default_currency)  # a value equality would not tell apart
        key = (default_currency, tuple(props.keys()), values, types)
        try:
            return self._read[key]
        except KeyError:
            found = self._read[key] = line(props, default_currency)
            return found


@dataclass(frozen=True)
class OrderFacts:
    """What an order event says about the order."""

    order_id: str
    checkout_id: str
    currency: str
    total: Decimal | None
    revenue: Decimal | None
    shipping: Decimal | None
    tax: Decimal | None
    discount: Decimal | None
    coupon: str
    affiliation: str
    lines: list[Line] | None

    def resolved_revenue(self) -> Decimal:
        """Revenue as the spec has it (without shipping and tax): ``revenue``, else
        ``subtotal`` (read into revenue by ``order``), else ``total`` less shipping
        and tax, else the products' price x quantity."""
        if self.revenue is not None:
            return self.revenue
        if self.total is not None:
            return max(Decimal(0), self.total - (self.shipping or 0) - (self.tax or 0))
        return sum((p.value for p in self.lines or []), Decimal(0))

    def resolved_total(self) -> Decimal:
        """What was paid: ``total``, else revenue plus shipping and tax."""
        if self.total is not None:
            return self.total
        return self.resolved_revenue() + (self.shipping or 0) + (self.tax or 0)


def order(props: Mapping[str, Any]) -> OrderFacts | None:
    """The order an event is about, or None without ``order_id`` or ``checkout_id``:
    an order with no id could not be told apart from a second report of itself."""
    order_id = text(props.get("order_id"))
    checkout_id = text(props.get("checkout_id"))
    if not (order_id or checkout_id):
        return None
    revenue = amount(props.get("revenue"))
    if revenue is None:
        revenue = amount(props.get("subtotal"))
    return OrderFacts(
        order_id=order_id or checkout_id,
        checkout_id=checkout_id,
        currency=currency(props.get("currency")),
        total=amount(props.get("total")),
        revenue=revenue,
        shipping=amount(props.get("shipping")),
        tax=amount(props.get("tax")),
        discount=amount(props.get("discount")),
        coupon=text(props.get("coupon")),
        affiliation=text(props.get("affiliation")),
        lines=lines(props),
    )


def money_text(value: Decimal | None, code: str = "") -> str:
    """ "27.50 EUR": two places, as a person reads it."""
    if value is None:
        return ""
    shown = f"{value.quantize(CENTS, rounding=ROUND_HALF_UP):,.2f}"
    return f"{shown} {code}".strip()

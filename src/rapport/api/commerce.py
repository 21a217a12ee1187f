"""Commerce: the product catalogue, orders, and one contact's shopping (metrics,
RFM, next purchase, their cart and latest orders). Read-only: the shop writes
through its events. Amounts are decimal strings ("12.9000") in the order's or
product's currency; Rapport converts no currencies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from rapport.commerce import facade, queries
from rapport.commerce.models import Cart, CartItem, CustomerMetrics, Order, OrderItem, OrderStatus
from rapport.commerce.models import Product as ProductRow
from rapport.contacts import queries as contact_queries
from rapport.core.pagination import MAX_LIMIT, paginate
from rapport.core.permissions import Perm

from .auth import actor_of
from .guard import guarded
from .schemas import ERRORS, CursorPage, QueryIn

router = Router(tags=["commerce"])


class ProductOut(Schema):
    id: int
    key: str = Field(description="product_id, or the SKU when the shop sent no id")
    product_id: str
    sku: str
    name: str
    brand: str
    category: str
    price: Decimal | None
    currency: str
    url: str
    image_url: str
    first_seen: datetime
    last_seen: datetime
    views: int
    adds: int
    purchases: int = Field(description="units in completed orders")
    revenue: Decimal
    revenue_currency: str
    other_revenue: dict[str, Decimal] = Field(description="units sold in other currencies")

    @staticmethod
    def of(p: ProductRow) -> ProductOut:
        return ProductOut(
            id=p.pk, key=p.key, product_id=p.product_id, sku=p.sku, name=p.name, brand=p.brand,
            category=p.category, price=p.price, currency=p.currency, url=p.url,
            image_url=p.image_url, first_seen=p.first_seen, last_seen=p.last_seen, views=p.views,
            adds=p.adds, purchases=p.purchases, revenue=p.revenue,
            revenue_currency=p.revenue_currency,
            other_revenue={k: Decimal(v) for k, v in p.other_revenue.items()},
        )  # fmt: skip


class ProductQuery(QueryIn):
    search: str | None = Field(default=None, max_length=200)
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


class LineOut(Schema):
    product_key: str
    name: str
    price: Decimal | None
    quantity: int

    @staticmethod
    def of(item: OrderItem | CartItem) -> LineOut:
        return LineOut(
            product_key=item.product_key, name=item.name, price=item.price, quantity=item.quantity
        )


class OrderOut(Schema):
    id: int
    order_id: str
    checkout_id: str
    contact_id: int
    status: OrderStatus
    currency: str
    total: Decimal
    revenue: Decimal = Field(description="without shipping and tax")
    shipping: Decimal | None
    tax: Decimal | None
    discount: Decimal | None
    refunded: Decimal
    net_revenue: Decimal = Field(description="revenue less refunds; 0 when cancelled")
    coupon: str
    item_count: int
    placed_at: datetime
    updated_at: datetime
    refunded_at: datetime | None
    cancelled_at: datetime | None
    items: list[LineOut]

    @staticmethod
    def of(o: Order, items: list[OrderItem]) -> OrderOut:
        return OrderOut(
            id=o.pk, order_id=o.order_id, checkout_id=o.checkout_id, contact_id=o.contact_id,
            status=OrderStatus(o.status), currency=o.currency, total=o.total, revenue=o.revenue,
            shipping=o.shipping, tax=o.tax, discount=o.discount, refunded=o.refunded,
            net_revenue=o.net_revenue, coupon=o.coupon, item_count=o.item_count,
            placed_at=o.placed_at, updated_at=o.updated_at, refunded_at=o.refunded_at,
            cancelled_at=o.cancelled_at, items=[LineOut.of(i) for i in items],
        )  # fmt: skip


class OrderQuery(QueryIn):
    contact: int | None = Field(default=None, ge=1, description="only this contact's orders")
    status: OrderStatus | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


class MetricsOut(Schema):
    order_count: int = Field(description="completed and refunded orders; cancelled ones not")
    currency: str = Field(description="the currency most of their orders were paid in")
    revenue: Decimal
    revenue_by_currency: dict[str, Decimal]
    average_order_value: Decimal | None
    first_order_at: datetime | None
    last_order_at: datetime | None
    mean_gap_days: float | None
    next_purchase_at: datetime | None = Field(description="last order + their mean gap")
    recency: int | None = Field(description="1-5; null until the daily job ran")
    frequency: int | None
    monetary: int | None
    rfm_at: datetime | None

    @staticmethod
    def of(m: CustomerMetrics) -> MetricsOut:
        return MetricsOut(
            order_count=m.order_count, currency=m.currency, revenue=m.revenue,
            revenue_by_currency={k: Decimal(v) for k, v in m.revenue_by_currency.items()},
            average_order_value=m.average_order_value, first_order_at=m.first_order_at,
            last_order_at=m.last_order_at, mean_gap_days=m.mean_gap_days,
            next_purchase_at=m.next_purchase_at, recency=m.recency, frequency=m.frequency,
            monetary=m.monetary, rfm_at=m.rfm_at,
        )  # fmt: skip


class CartOut(Schema):
    id: int
    status: str
    currency: str
    value: Decimal
    item_count: int
    updated_at: datetime
    abandoned_at: datetime | None
    items: list[LineOut]

    @staticmethod
    def of(cart: Cart, items: list[CartItem]) -> CartOut:
        return CartOut(
            id=cart.pk, status=cart.status, currency=cart.currency, value=cart.value,
            item_count=cart.item_count, updated_at=cart.updated_at,
            abandoned_at=cart.abandoned_at, items=[LineOut.of(i) for i in items],
        )  # fmt: skip


class CommerceOut(Schema):
    contact_id: int
    metrics: MetricsOut | None
    cart: CartOut | None = Field(description="the open or abandoned cart")
    orders: list[OrderOut] = Field(description="the latest orders, newest first")


@router.get(
    "/products", response={200: CursorPage[ProductOut], **ERRORS}, **guarded(Perm.CONTACTS_VIEW)
)
def list_products(request: HttpRequest, q: Query[ProductQuery]) -> CursorPage[ProductOut]:
    qs = queries.list_products(actor_of(request), search=q.search or "")
    page = paginate(qs, key="id", descending=False, cursor=q.cursor, limit=q.limit)
    return CursorPage[ProductOut](
        items=[ProductOut.of(p) for p in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/orders", response={200: CursorPage[OrderOut], **ERRORS}, **guarded(Perm.CONTACTS_VIEW)
)
def list_orders(request: HttpRequest, q: Query[OrderQuery]) -> CursorPage[OrderOut]:
    """Newest first. A contact of another workspace is 404, as everywhere."""
    actor = actor_of(request)
    contact_id = None
    if q.contact is not None:
        contact_id = contact_queries.access_contact(actor, q.contact).pk
    qs = queries.list_orders(actor, contact_id=contact_id, status=q.status)
    page = paginate(qs, key="placed_at", descending=True, cursor=q.cursor, limit=q.limit)
    items = queries.items_of(actor, page.items)
    return CursorPage[OrderOut](
        items=[OrderOut.of(o, items[o.pk]) for o in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/contacts/{contact_id}/commerce",
    response={200: CommerceOut, **ERRORS},
    **guarded(Perm.CONTACTS_VIEW),
)
def contact_commerce(request: HttpRequest, contact_id: int) -> CommerceOut:
    actor = actor_of(request)
    contact = contact_queries.access_contact(actor, contact_id)
    shop = facade.shopping(actor, contact.pk)
    return CommerceOut(
        contact_id=contact.pk,
        metrics=MetricsOut.of(shop.metrics) if shop.metrics else None,
        cart=CartOut.of(shop.cart.cart, shop.cart.items) if shop.cart else None,
        orders=[OrderOut.of(v.order, v.lines) for v in shop.orders],
    )

"""Abandoned carts: an open cart with something in it, untouched for the workspace's
``cart_abandoned_after_minutes`` (``tracking.TrackingSettings``; 60 when the
workspace has no settings row), is marked abandoned and announced with
``commerce.cart_abandoned`` — once per cart: a shopper who comes back reopens the
cart, and leaving it again marks it abandoned without a second announcement."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from rapport.core.events import Event, publish
from rapport.tracking.models import TrackingSettings

from .models import Cart, CartStatus

DEFAULT_MINUTES = TrackingSettings._meta.get_field("cart_abandoned_after_minutes").get_default()
BATCH = 1_000


def minutes_for(workspace_ids: list[int]) -> dict[int, int]:
    configured = dict(
        TrackingSettings.unscoped.filter(workspace_id__in=workspace_ids).values_list(
            "workspace_id", "cart_abandoned_after_minutes"
        )
    )
    return {ws: configured.get(ws, DEFAULT_MINUTES) for ws in workspace_ids}


def sweep(now: datetime) -> int:
    """Mark the carts that were left; returns how many."""
    workspaces = list(
        Cart.unscoped.filter(status=CartStatus.OPEN, item_count__gt=0)
        .values_list("workspace_id", flat=True)
        .distinct()
    )
    marked = 0
    for ws, minutes in minutes_for(workspaces).items():
        cutoff = now - timedelta(minutes=minutes)
        while True:
            with transaction.atomic():
                left = list(
                    Cart.objects.for_workspace(ws)
                    .select_for_update()
                    .filter(status=CartStatus.OPEN, item_count__gt=0, updated_at__lt=cutoff)
                    .order_by("updated_at", "id")[:BATCH]
                )
                for cart in left:
                    _abandon(cart, now, minutes)
                Cart.objects.for_workspace(ws).bulk_update(
                    left, ["status", "abandoned_at", "announced_at"]
                )
            marked += len(left)
            if len(left) < BATCH:
                break
    return marked


def _abandon(cart: Cart, now: datetime, minutes: int) -> None:
    cart.status, cart.abandoned_at = CartStatus.ABANDONED, now
    if cart.announced_at is not None:
        return
    cart.announced_at = now
    publish(
        Event.CART_ABANDONED,
        cart.workspace_id,
        cart_id=cart.pk,
        contact_id=cart.contact_id,
        value=str(cart.value),
        currency=cart.currency,
        items=cart.item_count,
        last_activity_at=cart.updated_at.isoformat(),
        after_minutes=minutes,
    )

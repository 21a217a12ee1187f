"""Commerce and contacts: orders move the lifecycle, merges and unmerges move
carts and orders (and recount), erasure takes them away, workspaces stay apart."""

from __future__ import annotations

from typing import Any

from rapport.commerce.models import Cart, CustomerMetrics, Order, Product
from rapport.commerce.processor import process_events
from rapport.contacts.actions.merges import do_merge_contacts, do_unmerge
from rapport.contacts.models import Contact, Identity, Lifecycle, TimelineEntry
from rapport.contacts.privacy import erase_contact
from tests.factories import World

from .conftest import ESPRESSO, FILTER, Shop


def _order(shop: Shop, who: Contact, order_id: str, **extra: Any) -> None:
    process_events([shop.event(who, "Order Completed",
                               {"order_id": order_id, "total": 10, "currency": "EUR"},
                               **extra)])  # fmt: skip
    who.refresh_from_db()


def test_a_prospect_becomes_a_customer_then_a_repeat_customer(shop: Shop) -> None:
    visitor = shop.person(anonymous="browser-77")
    assert visitor.lifecycle == Lifecycle.PROSPECT
    _order(shop, visitor, "P-1")
    assert (visitor.order_count, visitor.lifecycle) == (1, Lifecycle.CUSTOMER)
    _order(shop, visitor, "P-2")
    assert (visitor.order_count, visitor.lifecycle) == (2, Lifecycle.REPEAT)
    changes = (
        TimelineEntry.objects.for_workspace(shop.world.workspace)
        .filter(contact=visitor, kind="lifecycle")
        .order_by("id")
        .values_list("summary", flat=True)
    )
    assert list(changes) == ["Lifecycle: Prospect → Customer",
                             "Lifecycle: Customer → Repeat customer"]  # fmt: skip


def test_a_lead_becomes_a_customer_and_orders_reach_the_timeline(shop: Shop) -> None:
    lead = shop.person("lead@example.com")
    assert lead.lifecycle == Lifecycle.LEAD
    email = Identity.objects.for_workspace(shop.world.workspace).get(contact=lead)
    _order(shop, lead, "L-1", identity=email)
    assert lead.lifecycle == Lifecycle.CUSTOMER
    entry = TimelineEntry.objects.for_workspace(shop.world.workspace).get(kind="order")
    assert (entry.contact_id, entry.identity_id, entry.source) == (lead.pk, email.pk, "commerce")
    assert lead.last_activity_at == entry.occurred_at


def test_merge_moves_carts_and_orders_and_recounts(
    shop: Shop, django_capture_on_commit_callbacks: Any
) -> None:
    ws = shop.world.workspace
    ann = shop.person("ann@example.com")
    guest = shop.person(anonymous="guest-1")
    browser = Identity.objects.for_workspace(ws).get(contact=guest)
    _order(shop, ann, "A-1")
    _order(shop, guest, "G-1", identity=browser)
    process_events([shop.event(guest, "Product Added", ESPRESSO, identity=browser)])
    actor = shop.world.actor()

    with django_capture_on_commit_callbacks(execute=True):
        record = do_merge_contacts(actor, ann, guest)
    assert set(Order.objects.for_workspace(ws).values_list("contact_id", flat=True)) == {ann.pk}
    assert Cart.objects.for_workspace(ws).get().contact_id == ann.pk
    ann.refresh_from_db()
    assert (ann.order_count, ann.lifecycle) == (2, Lifecycle.REPEAT)
    counts = dict(CustomerMetrics.objects.for_workspace(ws).values_list("contact", "order_count"))
    assert counts == {ann.pk: 2, guest.pk: 0}

    # After the merge, the guest's browser keeps shopping as Ann.
    process_events([shop.event(ann, "Product Added", FILTER, identity=browser),
                    shop.event(ann, "Order Completed", {"order_id": "G-2", "total": 4},
                               identity=browser)])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        do_unmerge(actor, record)
    owners = dict(Order.objects.for_workspace(ws).values_list("order_id", "contact_id"))
    assert owners == {"A-1": ann.pk, "G-1": guest.pk, "G-2": guest.pk}  # G-2 follows its browser
    ann.refresh_from_db()
    guest.refresh_from_db()
    assert (ann.order_count, ann.lifecycle) == (1, Lifecycle.CUSTOMER)
    assert (guest.order_count, guest.lifecycle) == (2, Lifecycle.REPEAT)
    counts = dict(CustomerMetrics.objects.for_workspace(ws).values_list("contact", "order_count"))
    assert counts == {ann.pk: 1, guest.pk: 2}
    assert set(Cart.objects.for_workspace(ws).values_list("contact_id", flat=True)) == {guest.pk}


def test_erasure_takes_carts_orders_and_metrics(shop: Shop) -> None:
    ws = shop.world.workspace
    gone, kept = shop.person("gone@example.com"), shop.person("kept@example.com")
    process_events([shop.event(gone, "Product Added", ESPRESSO)])
    _order(shop, gone, "GONE-123456")
    _order(shop, kept, "KEPT-1")
    erase_contact(gone)
    assert list(Order.objects.for_workspace(ws).values_list("order_id", flat=True)) == ["KEPT-1"]
    assert not Cart.objects.for_workspace(ws).exists()
    assert list(CustomerMetrics.objects.for_workspace(ws).values_list("contact", flat=True)) == [
        kept.pk]  # fmt: skip
    assert Product.objects.for_workspace(ws).exists()  # the catalogue is the shop's, not theirs


def test_workspaces_keep_their_own_orders_and_catalogue(shop: Shop, other_world: World) -> None:
    from .conftest import Shop as OtherShop

    other = OtherShop(other_world)
    here, there = shop.person("a@example.com"), other.person("a@example.com")
    process_events([
        shop.event(here, "Order Completed", {"order_id": "1001", "total": 10,
                                             "products": [ESPRESSO]}),
        other.event(there, "Order Completed", {"order_id": "1001", "total": 99,
                                               "products": [ESPRESSO]}),
    ])  # fmt: skip
    mine = Order.objects.for_workspace(shop.world.workspace).get()
    theirs = Order.objects.for_workspace(other_world.workspace).get()
    assert (mine.contact_id, theirs.contact_id) == (here.pk, there.pk)
    assert (str(mine.total), str(theirs.total)) == ("10.0000", "99.0000")
    for ws in (shop.world.workspace, other_world.workspace):
        assert Product.objects.for_workspace(ws).get().purchases == 1

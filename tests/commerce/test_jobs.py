"""The scheduled jobs: abandoned carts (announced once), RFM and the next purchase
date, long absences (once per absence) and dropping usage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from rapport.commerce import abandonment, metrics, rfm, signals
from rapport.commerce.models import Cart, CustomerMetrics
from rapport.commerce.processor import process_events
from rapport.commerce.tasks import score_customers, sweep_abandoned_carts
from rapport.contacts.models import Contact
from rapport.core.events import Event
from rapport.jobs.schedule import registered
from rapport.tracking.models import ContactActivity, TrackingSettings

from .conftest import ESPRESSO, FILTER, Recorder, Shop


def test_the_jobs_are_scheduled() -> None:
    every = {p.name: p.every for p in registered()}
    assert every["commerce.abandoned_carts"] == timedelta(minutes=5)
    for name in ("commerce.rfm", "commerce.long_absence", "commerce.usage_dropping"):
        assert every[name] == timedelta(days=1)


def test_a_cart_left_alone_is_abandoned_and_announced_once(shop: Shop, published: Recorder) -> None:
    ann, bob = shop.person("ann@example.com"), shop.person("bob@example.com")
    now = timezone.now()
    two = {**ESPRESSO, "quantity": 2}
    process_events([
        shop.event(ann, "Product Added", two, at=now - timedelta(minutes=61)),
        shop.event(bob, "Product Added", FILTER, at=now - timedelta(minutes=59)),
    ])  # fmt: skip
    with published.deliver():
        assert sweep_abandoned_carts.call() == 1
    ann_cart = Cart.objects.for_workspace(shop.world.workspace).get(contact=ann)
    assert (ann_cart.status, ann_cart.announced_at is not None) == ("abandoned", True)
    (event,) = published.named(Event.CART_ABANDONED)
    assert event.payload["contact_id"] == ann.pk
    assert (event.payload["value"], event.payload["items"]) == ("25.8000", 2)
    assert Cart.objects.for_workspace(shop.world.workspace).get(contact=bob).status == "open"

    with published.deliver():
        assert abandonment.sweep(now + timedelta(minutes=2)) == 1  # bob's turn
        assert abandonment.sweep(now + timedelta(minutes=3)) == 0  # nothing new
    assert [e.payload["contact_id"] for e in published.named(Event.CART_ABANDONED)] == [
        ann.pk, bob.pk]  # fmt: skip

    # Ann comes back: the cart is open again; leaving again is not announced twice.
    process_events([shop.event(ann, "Product Added", FILTER, at=now)])
    ann_cart.refresh_from_db()
    assert (ann_cart.status, ann_cart.abandoned_at) == ("open", None)
    with published.deliver():
        assert abandonment.sweep(now + timedelta(hours=2)) == 1
    ann_cart.refresh_from_db()
    assert ann_cart.status == "abandoned"
    assert len(published.named(Event.CART_ABANDONED)) == 2


def test_the_workspace_sets_how_long_a_cart_waits(shop: Shop, published: Recorder) -> None:
    TrackingSettings.objects.create(workspace=shop.world.workspace, cart_abandoned_after_minutes=15)
    cy = shop.person("cy@example.com")
    now = timezone.now()
    process_events([shop.event(cy, "Product Added", ESPRESSO, at=now - timedelta(minutes=20))])
    with published.deliver():
        assert abandonment.sweep(now) == 1
    assert published.named(Event.CART_ABANDONED)[0].payload["after_minutes"] == 15


def test_empty_and_converted_carts_are_never_abandoned(shop: Shop) -> None:
    dan, eve = shop.person("dan@example.com"), shop.person("eve@example.com")
    long_ago = timezone.now() - timedelta(days=1)
    process_events([
        shop.event(dan, "Product Added", ESPRESSO, at=long_ago),
        shop.event(dan, "Product Removed", ESPRESSO, at=long_ago),
        shop.event(eve, "Product Added", ESPRESSO, at=long_ago),
        shop.event(eve, "Order Completed", {"order_id": "E-1", "total": 9}, at=long_ago),
    ])  # fmt: skip
    assert abandonment.sweep(timezone.now()) == 0
    statuses = dict(Cart.objects.for_workspace(shop.world.workspace).values_list(
        "contact_id", "status"))  # fmt: skip
    assert statuses == {dan.pk: "open", eve.pk: "converted"}


def _orders(shop: Shop, who: Contact, prefix: str, days_ago: list[int], revenue: float) -> None:
    now = timezone.now()
    process_events([
        shop.event(who, "Order Completed", {"order_id": f"{prefix}-{n}", "revenue": revenue,
                                            "currency": "EUR"}, at=now - timedelta(days=d))
        for n, d in enumerate(days_ago)
    ])  # fmt: skip


def test_next_purchase_is_the_last_order_plus_the_mean_gap(shop: Shop) -> None:
    fay, gil = shop.person("fay@example.com"), shop.person("gil@example.com")
    _orders(shop, fay, "F", [70, 40, 10], 20)  # every 30 days
    _orders(shop, gil, "G", [5], 20)
    fay_m = CustomerMetrics.objects.for_workspace(shop.world.workspace).get(contact=fay)
    assert fay_m.mean_gap_days is not None
    assert round(fay_m.mean_gap_days, 3) == 30
    assert fay_m.last_order_at is not None
    assert fay_m.next_purchase_at == fay_m.last_order_at + timedelta(days=30)
    gil_m = CustomerMetrics.objects.for_workspace(shop.world.workspace).get(contact=gil)
    assert (gil_m.order_count, gil_m.next_purchase_at) == (1, None)  # no rhythm yet


def test_rfm_scores_are_quintiles_within_the_workspace(shop: Shop) -> None:
    people = [shop.person(f"c{n}@example.com") for n in range(5)]
    # c0 ordered longest ago, least often, for least money; c4 the opposite.
    for n, who in enumerate(people):
        _orders(shop, who, f"R{n}", [100 - 20 * n - k for k in range(n + 1)], 10 * (n + 1))
    assert score_customers.call() == 5
    scores = {
        m.contact_id: (m.recency, m.frequency, m.monetary)
        for m in CustomerMetrics.objects.for_workspace(shop.world.workspace)
    }
    assert [scores[p.pk] for p in people] == [(s, s, s) for s in range(1, 6)]
    assert score_customers.call() == 0  # nothing changed since


def test_quintiles_share_a_score_between_equals() -> None:
    assert rfm.quintiles([1, 1, 1, 1, 1, 1, 1, 2, 3, 4]) == [2, 2, 2, 2, 2, 2, 2, 4, 5, 5]
    assert rfm.quintiles([Decimal(7)]) == [3]  # alone: in the middle
    assert rfm.quintiles(list(range(10))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_monetary_compares_customers_paying_in_the_same_currency(shop: Shop) -> None:
    eur = [shop.person(f"e{n}@example.com") for n in range(2)]
    pln = shop.person("pln@example.com")
    _orders(shop, eur[0], "E0", [3], 10)
    _orders(shop, eur[1], "E1", [3], 30)
    process_events([shop.event(pln, "Order Completed",
                               {"order_id": "P-1", "revenue": 15, "currency": "PLN"})])  # fmt: skip
    score_customers.call()
    monetary = dict(CustomerMetrics.objects.for_workspace(shop.world.workspace).values_list(
        "contact_id", "monetary"))  # fmt: skip
    # 15 PLN is not "between" 10 and 30 EUR: it is the only PLN customer.
    assert (monetary[eur[0].pk], monetary[eur[1].pk], monetary[pln.pk]) == (2, 4, 3)


def test_the_daily_job_repairs_counts_after_a_merge_without_an_event(shop: Shop) -> None:
    from rapport.contacts.resolution import merge

    known, guest = shop.person("known@example.com"), shop.person(anonymous="guest")
    _orders(shop, guest, "M", [2], 10)
    # The event stream's bulk resolution merges without publishing contact.merged.
    merge(known, guest, observation=None, reason="test", actor_label="test")
    known.refresh_from_db()
    assert known.order_count == 0
    score_customers.call()
    known.refresh_from_db()
    assert (known.order_count, known.lifecycle) == (1, "customer")
    rows = CustomerMetrics.objects.for_workspace(shop.world.workspace)
    assert dict(rows.values_list("contact_id", "order_count")) == {known.pk: 1, guest.pk: 0}


def _activity(shop: Shop, who: Contact, last_seen: datetime, weekly: dict[str, int]) -> None:
    ContactActivity.objects.create(
        workspace=shop.world.workspace, contact=who, first_seen=last_seen - timedelta(days=300),
        last_seen=last_seen, weekly_sessions=weekly,
    )  # fmt: skip


def test_a_customer_away_too_long_is_announced_once_per_absence(
    shop: Shop, published: Recorder
) -> None:
    now = timezone.now()
    gone, here, lead = (shop.person(f"{n}@example.com") for n in ("gone", "here", "lead"))
    _orders(shop, gone, "G", [90], 10)
    _orders(shop, here, "H", [90], 10)
    _activity(shop, gone, now - timedelta(days=61), {})
    _activity(shop, here, now - timedelta(days=59), {})
    _activity(shop, lead, now - timedelta(days=200), {})  # no order: not a customer
    with published.deliver():
        assert signals.long_absences(now) == 1
        assert signals.long_absences(now + timedelta(days=2)) == 1  # "here" is past 60 days
        assert signals.long_absences(now + timedelta(days=3)) == 0
    assert [e.payload["contact_id"] for e in published.named(Event.LONG_ABSENCE)] == [
        gone.pk, here.pk]  # fmt: skip
    # Back, then away again: a new absence.
    ContactActivity.objects.for_workspace(shop.world.workspace).filter(contact=gone).update(
        last_seen=now - timedelta(days=1)
    )
    TrackingSettings.objects.create(workspace=shop.world.workspace, long_absence_days=7)
    with published.deliver():
        # "gone" is away again; "here" is still on the absence already announced.
        assert signals.long_absences(now + timedelta(days=10)) == 1
    assert [e.payload["contact_id"] for e in published.named(Event.LONG_ABSENCE)][2:] == [gone.pk]


def test_usage_windows_are_the_last_full_weeks() -> None:
    recent, earlier = signals.windows(date(2026, 12, 2))  # a Wednesday in 2026-W49
    assert recent == ["2026-W48", "2026-W47"]
    assert earlier == ["2026-W46", "2026-W45", "2026-W44", "2026-W43"]
    assert signals.windows(date(2027, 1, 6))[0] == ["2026-W53", "2026-W52"]  # 2026 has 53


def test_usage_dropping_is_under_half_the_earlier_average(shop: Shop, published: Recorder) -> None:
    now = datetime(2026, 12, 2, 12, tzinfo=UTC)
    earlier = {"2026-W46": 4, "2026-W45": 5, "2026-W44": 3, "2026-W43": 4}  # 4 a week
    dropping, steady, rare = (shop.person(f"{n}@example.com") for n in ("d", "s", "r"))
    _activity(shop, dropping, now, {**earlier, "2026-W48": 1, "2026-W47": 2, "2026-W49": 9})
    _activity(shop, steady, now, {**earlier, "2026-W48": 2, "2026-W47": 2, "2026-W49": 2})
    _activity(shop, rare, now, {"2026-W45": 1, "2026-W43": 2})  # too little to drop from
    with published.deliver():
        assert signals.usage_dropping(now) == (1, 0)
        assert signals.usage_dropping(now) == (0, 0)  # still dropping: not announced again
    flagged = ContactActivity.objects.for_workspace(shop.world.workspace).filter(
        usage_dropping=True)  # fmt: skip
    assert [a.contact_id for a in flagged] == [dropping.pk]
    (event,) = published.named(Event.USAGE_DROPPING)
    assert event.payload["recent_weeks"] == {"2026-W48": 1, "2026-W47": 2}
    # "steady" is at exactly half (2 against 4): not under it. A week later the
    # recent weeks are W49 (9) and W48 (1) against 3.5 a week: recovered.
    assert signals.usage_dropping(now + timedelta(days=7)) == (0, 1)
    assert not flagged.all().exists()  # (all(): a fresh query, not the list read above)


def test_metrics_of_every_customer_come_in_chunks(shop: Shop) -> None:
    people = [shop.person(f"k{n}@example.com") for n in range(3)]
    for n, who in enumerate(people):
        _orders(shop, who, f"K{n}", [1], 5)
    chunks = list(metrics.customers(shop.world.workspace.pk))
    assert chunks == [sorted(p.pk for p in people)]

"""Lifecycle from behaviour: the lapsed rules (quiet for N days, or well past one's
own ordering rhythm) are configurable, and a daily job moves people in and out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rapport.contacts import lifecycle
from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.actions.privacy import do_set_lifecycle_policy
from rapport.contacts.facade import record_timeline
from rapport.contacts.models import Contact, Lifecycle, TimelineEntry
from rapport.contacts.resolution import Claim
from rapport.contacts.tasks import recompute_lapsing
from rapport.core.errors import DomainError
from rapport.core.permissions import Forbidden
from tests.factories import World


def _customer(world: World, order_gaps_days: list[int], last_order_days_ago: int) -> Contact:
    contact = do_create_contact(world.actor(), identities=[Claim("email", "c@example.com")]).contact
    when = timezone.now() - timedelta(days=last_order_days_ago)
    moments = [when]
    for gap in order_gaps_days:
        moments.append(moments[-1] - timedelta(days=gap))
    for at in moments:
        record_timeline(world.workspace, contact=contact, kind="order", occurred_at=at,
                        summary="Order")  # fmt: skip
    Contact.objects.for_workspace(world.workspace).filter(pk=contact.pk).update(
        order_count=len(moments)
    )
    contact.refresh_from_db()
    return contact


def test_lapsed_after_the_configured_quiet_days(world: World) -> None:
    contact = _customer(world, [], last_order_days_ago=40)  # one order, 40 days ago
    assert lifecycle.stage_of(contact) == Lifecycle.CUSTOMER
    do_set_lifecycle_policy(world.actor(), lapsed_after_days=30, cadence_factor=3)
    assert lifecycle.stage_of(contact) == Lifecycle.LAPSED


def test_repeat_customers_lapse_well_past_their_own_cadence(world: World) -> None:
    # orders every 10 days; the last one 40 days ago: 4 times their rhythm
    contact = _customer(world, [10, 10, 10], last_order_days_ago=40)
    assert lifecycle.stage_of(contact) == Lifecycle.LAPSED
    do_set_lifecycle_policy(world.actor(), lapsed_after_days=180, cadence_factor=5)
    assert lifecycle.stage_of(contact) == Lifecycle.REPEAT  # 4 times is not past 5 times
    do_set_lifecycle_policy(world.actor(), lapsed_after_days=180, cadence_factor=0)
    assert lifecycle.stage_of(contact) == Lifecycle.REPEAT  # the rule is off


def test_the_daily_job_lapses_and_revives_with_timeline_entries(world: World) -> None:
    contact = _customer(world, [10, 10], last_order_days_ago=45)
    Contact.objects.for_workspace(world.workspace).filter(pk=contact.pk).update(
        lifecycle=Lifecycle.REPEAT
    )
    assert recompute_lapsing.call() >= 1
    contact.refresh_from_db()
    assert contact.lifecycle == Lifecycle.LAPSED
    record_timeline(world.workspace, contact=contact, kind="order",
                    occurred_at=timezone.now(), summary="Order")  # fmt: skip
    Contact.objects.for_workspace(world.workspace).filter(pk=contact.pk).update(order_count=4)
    assert recompute_lapsing.call() >= 1
    contact.refresh_from_db()
    assert contact.lifecycle == Lifecycle.REPEAT
    summaries = list(
        TimelineEntry.objects.for_workspace(world.workspace)
        .filter(contact=contact, kind="lifecycle")
        .values_list("summary", flat=True)
    )
    assert "Lifecycle: Repeat customer → Lapsed" in summaries
    assert "Lifecycle: Lapsed → Repeat customer" in summaries


def test_policy_is_validated_and_admin_only(world: World) -> None:
    with pytest.raises(DomainError):
        do_set_lifecycle_policy(world.actor(), lapsed_after_days=0, cadence_factor=3)
    with pytest.raises(DomainError):
        do_set_lifecycle_policy(world.actor(), lapsed_after_days=30, cadence_factor=-1)
    with pytest.raises(Forbidden):
        do_set_lifecycle_policy(world.actor("agent"), lapsed_after_days=30, cadence_factor=3)


def test_policy_form_on_the_contacts_page(world: World) -> None:
    client = Client()
    client.force_login(world.owner.user)
    base = f"/w/{world.workspace.slug}/contacts/"
    saved = client.post(f"{base}lifecycle/", {"lapsed_after_days": "90", "cadence_factor": "2.5"},
                        follow=True).content.decode()  # fmt: skip
    assert "Lifecycle policy saved" in saved
    assert 'value="90"' in saved
    bad = client.post(f"{base}lifecycle/", {"lapsed_after_days": "x", "cadence_factor": "2"},
                      follow=True)  # fmt: skip
    assert bad.status_code == 200
    assert "Give whole days and a number." in bad.content.decode()


def test_policies_in_the_api(world: World, api: Client) -> None:
    assert api.get("/api/v1/contacts/policies").json() == {
        "retention_months": 0,
        "lapsed_after_days": 180,
        "cadence_factor": 3.0,
    }
    put = api.put(
        "/api/v1/contacts/policies/lifecycle",
        {"lapsed_after_days": 60, "cadence_factor": 2},
        content_type="application/json",
    )
    assert put.status_code == 200
    assert put.json()["lapsed_after_days"] == 60
    kept = api.put(
        "/api/v1/contacts/policies/retention", {"inactive_months": 24},
        content_type="application/json",
    )  # fmt: skip
    assert kept.json()["retention_months"] == 24
    bad = api.put(
        "/api/v1/contacts/policies/lifecycle",
        {"lapsed_after_days": 0, "cadence_factor": 2},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert lifecycle.policy_for(world.workspace.pk).lapsed_after_days == 60

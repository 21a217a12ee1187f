"""The resolution rules one by one, normalisation, and the merge/unmerge round trip."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from rapport.contacts.actions.merges import do_merge_contacts, do_unmerge
from rapport.contacts.actions.people import (
    do_add_identity,
    do_add_note,
    do_add_task,
    do_create_contact,
)
from rapport.contacts.actions.privacy import do_record_consent
from rapport.contacts.facade import observe, record_timeline
from rapport.contacts.models import (
    Contact,
    ContactStatus,
    DuplicateSuggestion,
    Identity,
    Lifecycle,
    TimelineEntry,
)
from rapport.contacts.normalize import InvalidIdentity, normalise
from rapport.contacts.ownership import owned_tables
from rapport.contacts.resolution import Claim
from rapport.core.errors import Conflict
from rapport.enrichment.facade import enrich_from_signals, record_social_profile
from rapport.enrichment.providers.social import SocialProfile
from tests.factories import World


@pytest.mark.parametrize(
    ("kind", "raw", "region", "expected"),
    [
        ("email", "  Ann.Smith@EXAMPLE.com ", "", "ann.smith@example.com"),
        ("email", "Joerg@Bücher.de", "", "joerg@xn--bcher-kva.de"),
        ("phone", "0600 100 200", "", None),
        ("phone", "600 100 200", "PL", "+48600100200"),
        ("phone", "+49 (151) 2345-6789", "", "+4915123456789"),
        ("bluesky", "@Ann.bsky.social", "", "ann.bsky.social"),
        ("mastodon", "@Ann@Mastodon.Social", "", "ann@mastodon.social"),
        ("reddit", "/u/Ann_X", "", "ann_x"),
        ("x", "@Ann_X", "", "ann_x"),
        ("telegram", "123456789", "", "123456789"),
        ("whatsapp", "48600100200", "", "48600100200"),
        ("bluesky_did", "did:plc:abcdefghijklmnopqrstuvwx", "", "did:plc:abcdefghijklmnopqrstuvwx"),
        ("x", "not a handle!", "", None),
        ("fax", "123", "", None),
    ],
)
def test_normalisation(kind: str, raw: str, region: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(InvalidIdentity):
            normalise(kind, raw, region)
    else:
        assert normalise(kind, raw, region) == expected


def test_untrusted_claims_never_merge_two_known_contacts(world: World) -> None:
    ws = world.workspace
    ann = observe(ws, [Claim("email", "ann@example.com")], trusted=True, source="shop").contact
    bob = observe(ws, [Claim("email", "bob@example.com")], trusted=True, source="shop").contact
    # A browser write key says the two emails are one person: a suggestion, no merge.
    result = observe(
        ws,
        [Claim("email", "ann@example.com"), Claim("email", "bob@example.com")],
        trusted=False,
        source="browser",
    )
    assert result.merges == []
    assert Contact.objects.for_workspace(ws).get(pk=bob.pk).status == ContactStatus.ACTIVE
    suggestion = DuplicateSuggestion.objects.for_workspace(ws).get()
    assert {suggestion.first_id, suggestion.second_id} == {ann.pk, bob.pk}
    # The same claim from a trusted server merges them into the older contact.
    trusted = observe(
        ws,
        [Claim("email", "bob@example.com"), Claim("email", "ann@example.com")],
        trusted=True,
        source="server",
    )
    assert trusted.contact.pk == ann.pk
    assert Contact.objects.for_workspace(ws).get(pk=bob.pk).merged_into_id == ann.pk


def test_anonymous_visitor_is_stitched_to_the_known_person(world: World) -> None:
    ws = world.workspace
    visitor = observe(ws, [Claim("anonymous", "a-1")], trusted=False, source="browser").contact
    seen = record_timeline(
        ws,
        identity=Identity.objects.for_workspace(ws).get(value="a-1"),
        kind="page",
        occurred_at=timezone.now(),
        summary="Viewed /coffee",
    )
    assert visitor.lifecycle == Lifecycle.PROSPECT
    known = observe(ws, [Claim("email", "eve@example.com")], trusted=True, source="shop").contact
    identified = observe(
        ws,
        [Claim("anonymous", "a-1"), Claim("email", "eve@example.com")],
        trusted=False,
        source="browser",
    )
    assert identified.contact.pk == min(visitor.pk, known.pk)
    entry = TimelineEntry.objects.for_workspace(ws).get(pk=seen.pk)
    assert entry.contact_id == identified.contact.pk  # the history joined the known person


def _state(ws_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every contacts table, without timestamps that record 'now'."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    # The contacts app's tables and every other app's contact-owned table (consents,
    # enrichment, and whatever registers later).
    owned = [o.model for o in owned_tables()]
    for model in dict.fromkeys([*apps.get_app_config("contacts").get_models(), *owned]):
        if model.__name__ in {"MergeRecord", "Observation"}:
            continue  # the log itself grows by design
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if not (isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add))
        ]
        rows = model._base_manager.filter(workspace_id=ws_id).order_by("pk")
        state[model.__name__] = [tuple(r) for r in rows.values_list(*fields)]
    return state


def test_merge_then_unmerge_restores_every_table_exactly(world: World) -> None:
    actor = world.actor("agent")
    ws = world.workspace
    ann = do_create_contact(
        actor, identities=[Claim("email", "ann@example.com")], full_name="", tags=["vip"]
    ).contact
    twin = do_create_contact(
        actor,
        identities=[Claim("phone", "+48600100200"), Claim("x", "ann_x")],
        full_name="Ann Smith",
        city="Kraków",
        tags=["newsletter"],
    ).contact
    for contact in (ann, twin):
        do_add_note(actor, contact, body=f"note on {contact.pk}")
        do_add_task(actor, contact, title=f"call {contact.pk}", due_at=timezone.now())
        record_timeline(
            ws, contact=contact, kind="order", occurred_at=timezone.now() - timedelta(days=1),
            summary="Order #1",
        )  # fmt: skip
        do_record_consent(actor, contact, channel="email", purpose="marketing", granted=True,
                          source="form", wording=f"yes from {contact.pk}")  # fmt: skip
        first = Identity.objects.for_workspace(ws).filter(contact=contact).order_by("pk")[0]
        record_social_profile(ws.pk, contact.pk, SocialProfile("x", f"h{contact.pk}", 10), first.pk)
        enrich_from_signals(ws.pk, contact.pk, user_agent="Mozilla/5.0 (X11; Linux x86_64) "
                            "Gecko/20100101 Firefox/133.0")  # fmt: skip
    before = _state(ws.pk)
    assert len(before["EnrichedValue"]) == 6  # a profile and two device facts each

    record = do_merge_contacts(actor, twin, ann)
    merged = Contact.objects.for_workspace(ws).get(pk=ann.pk)
    assert merged.full_name == "Ann Smith"  # filled from the twin
    assert set(merged.tags) == {"vip", "newsletter"}
    assert Identity.objects.for_workspace(ws).filter(contact=merged).count() == 3
    assert _state(ws.pk) != before

    do_unmerge(actor, record)
    after = _state(ws.pk)
    # Lifecycle entries written by recompute are new rows; everything else is as it was.
    after["TimelineEntry"] = [r for r in after["TimelineEntry"] if "lifecycle" not in r]
    before["TimelineEntry"] = [r for r in before["TimelineEntry"] if "lifecycle" not in r]
    assert after == before
    with pytest.raises(Conflict):
        do_unmerge(actor, record)


def test_after_unmerge_new_activity_follows_its_identity(world: World) -> None:
    actor = world.actor("agent")
    ws = world.workspace
    ann = do_create_contact(actor, identities=[Claim("email", "ann@example.com")]).contact
    twin = do_create_contact(actor, identities=[Claim("anonymous", "browser-9")]).contact
    record = do_merge_contacts(actor, ann, twin)
    browser = Identity.objects.for_workspace(ws).get(value="browser-9")
    later = record_timeline(
        ws, identity=browser, kind="page", occurred_at=timezone.now(), summary="Viewed /tea"
    )
    assert later.contact_id == ann.pk
    do_unmerge(actor, record)
    assert TimelineEntry.objects.for_workspace(ws).get(pk=later.pk).contact_id == twin.pk


def test_agent_adding_an_identity_of_another_contact_merges(world: World) -> None:
    actor = world.actor("agent")
    ann = do_create_contact(actor, identities=[Claim("email", "ann@example.com")]).contact
    other = do_create_contact(actor, identities=[Claim("x", "ann_x")]).contact
    result = do_add_identity(actor, other, kind="email", value="ANN@example.com")
    assert result.contact.pk == ann.pk
    assert len(result.merges) == 1
    assert Contact.objects.for_workspace(world.workspace).get(pk=other.pk).merged_into_id == ann.pk


def test_lifecycle_follows_behaviour(world: World) -> None:
    actor = world.actor("agent")
    ws = world.workspace
    prospect = observe(ws, [Claim("bluesky", "ann.bsky.social")], trusted=True, source="listen")
    contact = prospect.contact
    assert contact.lifecycle == Lifecycle.PROSPECT
    do_add_identity(actor, contact, kind="email", value="ann@example.com")
    contact.refresh_from_db()
    assert contact.lifecycle == Lifecycle.LEAD
    entries = TimelineEntry.objects.for_workspace(ws).filter(contact=contact)
    kinds = list(entries.values_list("kind", flat=True))
    assert "lifecycle" in kinds

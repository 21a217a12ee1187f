"""The enrichment API: values with provenance, influence, refresh; other
workspaces' contacts are 404."""

from __future__ import annotations

from typing import Any

from django.test import Client

from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.resolution import Claim
from rapport.enrichment import facade
from rapport.enrichment.providers.social import SocialProfile
from rapport.enrichment.runner import run_queue
from tests.factories import World

from .fake_apis import ANN, FakeState


def test_enrichment_api_round_trip(world: World, api: Client, apis: FakeState) -> None:
    contact = do_create_contact(world.actor(), identities=[Claim("email", ANN)]).contact
    refreshed = api.post(f"/api/v1/contacts/{contact.pk}/enrichment/refresh")
    assert refreshed.status_code == 202
    assert refreshed.json() == {"queued": 4, "network_enabled": True}
    run_queue()
    facade.record_social_profile(
        world.workspace.pk, contact.pk, SocialProfile("mastodon", "ann@mastodon.social", 2_000)
    )
    body: dict[str, Any] = api.get(f"/api/v1/contacts/{contact.pk}/enrichment").json()
    by_key = {f"{v['provider']}.{v['field']}": v for v in body["values"]}
    assert by_key["gravatar.company"]["value"] == "Kawiarnia Ania"
    assert by_key["gravatar.company"]["lawful_basis"] == "legitimate_interest"
    assert by_key["gravatar.company"]["source_ref"].startswith(apis.base)
    assert by_key["gravatar.company"]["expired"] is False
    assert by_key["social.profile.mastodon"]["value"]["followers"] == 2_000
    assert body["influence"]["networks"] == 1
    assert body["influence"]["score"] == round(100 * (0.6 * 3.3012 / 6 + 0.1 / 3))
    assert {p["provider"] for p in body["providers"]} == {
        "gravatar",
        "location",
        "weather",
        "social",
    }


def test_other_workspaces_contacts_are_404(world: World, other_world: World, api: Client) -> None:
    theirs = do_create_contact(other_world.actor(), identities=[Claim("email", ANN)]).contact
    assert api.get(f"/api/v1/contacts/{theirs.pk}/enrichment").status_code == 404
    assert api.post(f"/api/v1/contacts/{theirs.pk}/enrichment/refresh").status_code == 404

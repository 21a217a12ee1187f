"""The enrichment panel on the contact page: values with their sources, influence,
failures in view, refresh, and hostile provider values kept inert."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.models import Contact
from rapport.contacts.resolution import Claim
from rapport.enrichment import facade
from rapport.enrichment.models import EnrichmentRequest, RequestStatus
from rapport.enrichment.providers.gravatar import Gravatar
from rapport.enrichment.providers.social import SocialProfile
from rapport.enrichment.store import save_facts
from tests.factories import World

UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.members[role].user)
    return client


def _contact(world: World) -> Contact:
    return do_create_contact(
        world.actor(), full_name="Ola", identities=[Claim("email", "ola@example.com")]
    ).contact


def test_panel_shows_values_sources_and_influence(world: World) -> None:
    contact = _contact(world)
    facade.enrich_from_signals(world.workspace.pk, contact.pk, user_agent=UA, ip="8.8.8.8")
    facade.record_social_profile(
        world.workspace.pk,
        contact.pk,
        SocialProfile(
            "bluesky", "ola.bsky.social", 10_000, interactions_per_post=300,
            url="https://bsky.app/profile/ola.bsky.social",
        ),
    )  # fmt: skip
    base = f"/w/{world.workspace.slug}/contacts/{contact.pk}/"
    page = _client(world, "analyst").get(base).content.decode()
    assert f'hx-get="{base}enrichment/"' in page
    panel = (
        _client(world, "analyst").get(f"{base}enrichment/", HTTP_HX_REQUEST="true").content.decode()
    )
    assert "<html" not in panel  # a partial for the contact page
    assert "Firefox 133" in panel
    assert "Windows 10" in panel
    assert "United States (US)" in panel
    assert "Device (user agent)" in panel  # the provider, as provenance
    assert "Legitimate interest" in panel
    assert '<strong class="influence-score">58</strong>' in panel
    assert "10,000 followers" in panel
    assert "8.8.8.8" not in panel  # the source of an IP fact is its network
    assert "Refresh" not in panel  # an analyst reads; only managers refresh


def test_failures_are_shown_and_refresh_queues_again(world: World, settings: Any) -> None:
    settings.RAPPORT_ENRICHMENT = {**settings.RAPPORT_ENRICHMENT, "NETWORK": True}
    contact = _contact(world)
    EnrichmentRequest.objects.create(
        workspace=world.workspace,
        contact=contact,
        provider="gravatar",
        status=RequestStatus.FAILED,
        not_before=timezone.now(),
        attempts=3,
        error="HTTP 503 from api.gravatar.com",
        finished_at=timezone.now(),
    )
    client = _client(world, "agent")
    base = f"/w/{world.workspace.slug}/contacts/{contact.pk}/enrichment/"
    panel = client.get(base).content.decode()
    assert "Gravatar</strong> failed" in panel
    assert "HTTP 503 from api.gravatar.com" in panel
    assert "gave up; Refresh to try again" in panel
    response = client.post(f"{base}refresh/", follow=True)
    assert "Asked 4 provider(s) again" in response.content.decode()
    assert (
        EnrichmentRequest.objects.for_workspace(world.workspace)
        .filter(contact=contact, status=RequestStatus.PENDING)
        .count()
        == 4
    )
    assert _client(world, "analyst").post(f"{base}refresh/").status_code == 403


def test_refresh_says_when_network_enrichment_is_off(world: World) -> None:
    contact = _contact(world)
    base = f"/w/{world.workspace.slug}/contacts/{contact.pk}/enrichment/"
    response = _client(world, "agent").post(f"{base}refresh/", follow=True)
    assert "Network enrichment is off" in response.content.decode()


def test_hostile_provider_values_stay_inert(world: World) -> None:
    contact = _contact(world)
    facts = Gravatar.facts_from(
        {
            "display_name": "<script>alert(1)</script>",
            "avatar_url": "javascript:alert(1)",
            "description": '"><img src=x onerror=alert(1)>',
            "verified_accounts": [{"service_label": "Evil", "url": "javascript:alert(2)"}],
        },
        "https://api.gravatar.com/v3/profiles/x",
        None,
    )
    save_facts(world.workspace.pk, contact.pk, Gravatar, facts, timezone.now())
    facade.record_social_profile(
        world.workspace.pk, contact.pk, SocialProfile("x", "evil", 5, url="javascript:alert(3)")
    )
    panel = (
        _client(world, "agent")
        .get(f"/w/{world.workspace.slug}/contacts/{contact.pk}/enrichment/")
        .content.decode()
    )
    assert "<script>alert(1)" not in panel
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in panel
    assert "<img src=x" not in panel
    assert "javascript:" not in panel


def test_provider_status_on_the_jobs_page(world: World) -> None:
    from rapport.enrichment.models import ProviderHealth, RateWindow

    now = timezone.now()
    RateWindow.objects.create(provider="gravatar", window_start=now, used=37,
                              blocked_until=now + timedelta(minutes=30))  # fmt: skip
    ProviderHealth.objects.create(provider="gravatar", last_error="HTTP 503 from api.gravatar.com",
                                  last_error_at=now, consecutive_failures=2)  # fmt: skip
    page = _client(world, "owner").get(f"/w/{world.workspace.slug}/settings/jobs/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "100 per hour" in html
    assert "<td>37</td>" in html
    assert "paused until" in html
    assert "2 in a row" in html
    assert "HTTP 503 from api.gravatar.com" in html
    assert "600 per minute" in html  # Open-Meteo


def test_jobs_page_says_when_network_providers_are_off(world: World, settings: Any) -> None:
    url = f"/w/{world.workspace.slug}/settings/jobs/"
    assert "RAPPORT_ENRICHMENT_NETWORK=1" in _client(world, "owner").get(url).content.decode()
    settings.RAPPORT_ENRICHMENT = {**settings.RAPPORT_ENRICHMENT, "NETWORK": True}
    assert "RAPPORT_ENRICHMENT_NETWORK=1" not in _client(world, "owner").get(url).content.decode()

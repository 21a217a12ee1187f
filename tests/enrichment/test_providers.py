"""Each provider against the fake servers: values with provenance, the rate-limited
queue, failures that are visible and never fatal, and local signal providers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.models import Contact
from rapport.contacts.resolution import Claim
from rapport.enrichment import facade
from rapport.enrichment.models import (
    EnrichedValue,
    EnrichmentRequest,
    LawfulBasis,
    ProviderHealth,
    RequestStatus,
)
from rapport.enrichment.providers.base import RateLimit
from rapport.enrichment.providers.gravatar import Gravatar, email_hash
from rapport.enrichment.runner import request_enrichment, run_queue
from tests.factories import World

from .fake_apis import ANN, FakeState


def _contact(world: World, email: str = ANN, **fields: Any) -> Contact:
    contact = do_create_contact(world.actor(), identities=[Claim("email", email)], **fields).contact
    # What the contact.created listener does once the transaction commits.
    request_enrichment(world.workspace.pk, contact.pk)
    return contact


def _values(contact: Contact) -> dict[str, EnrichedValue]:
    rows = EnrichedValue.objects.for_workspace(contact.workspace_id).filter(contact=contact)
    return {f"{v.provider}.{v.field}": v for v in rows}


def test_new_contacts_are_queued_by_the_event_listener(
    world: World, apis: FakeState, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        contact = do_create_contact(world.actor(), identities=[Claim("email", ANN)]).contact
    assert set(
        EnrichmentRequest.objects.for_workspace(world.workspace)
        .filter(contact=contact, status=RequestStatus.PENDING)
        .values_list("provider", flat=True)
    ) == {"gravatar", "location", "weather", "social"}


def test_gravatar_profile_is_kept_with_its_provenance(world: World, apis: FakeState) -> None:
    contact = _contact(world, "  Ann@Example.com ")
    assert (
        EnrichmentRequest.objects.for_workspace(world.workspace)
        .filter(contact=contact, status=RequestStatus.PENDING)
        .count()
        == 4
    )  # gravatar, location, weather, social
    run_queue()
    (path, _, headers) = apis.hits("/gravatar/")[0]
    assert path == f"/gravatar/v3/profiles/{email_hash(ANN)}"  # SHA-256 of the normalised address
    assert "Authorization" not in headers  # no key configured
    values = _values(contact)
    avatar = values["gravatar.avatar_url"]
    assert avatar.value.endswith(email_hash(ANN))
    assert avatar.lawful_basis == LawfulBasis.LEGITIMATE_INTEREST
    assert avatar.source_ref.endswith(f"/profiles/{email_hash(ANN)}")
    assert avatar.expires_at - avatar.fetched_at == timedelta(days=30)
    assert avatar.identity_id is not None
    assert values["gravatar.job_title"].value == "Barista trainer"
    # hidden verified accounts are not kept
    assert values["gravatar.verified_accounts"].value == [
        {"service": "Mastodon", "url": "https://mastodon.social/@ann"}
    ]
    # nothing else to look up: no city, no IP country, no social source
    statuses = dict(
        EnrichmentRequest.objects.for_workspace(world.workspace).values_list("provider", "status")
    )
    assert statuses == {
        "gravatar": "done",
        "location": "skipped",
        "weather": "skipped",
        "social": "skipped",
    }


def test_an_address_without_a_profile_is_not_an_error(world: World, apis: FakeState) -> None:
    contact = _contact(world, "nobody@example.com")
    run_queue()
    assert not _values(contact)
    assert ProviderHealth.objects.get(provider="gravatar").consecutive_failures == 0


def test_api_key_is_sent_as_a_bearer_token(world: World, apis: FakeState, settings: Any) -> None:
    settings.RAPPORT_ENRICHMENT = {**settings.RAPPORT_ENRICHMENT, "GRAVATAR_API_KEY": "k-123"}
    _contact(world)
    run_queue()
    assert apis.hits("/gravatar/")[0][2]["Authorization"] == "Bearer k-123"


def test_rate_limit_defers_requests_to_the_next_window(
    world: World, apis: FakeState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Gravatar, "rate_limit", RateLimit(requests=2, per=timedelta(hours=1)))
    contacts = [_contact(world, f"p{i}@example.com") for i in range(3)]
    now = timezone.now()
    report = run_queue(now=now)
    assert len(apis.hits("/gravatar/")) == 2
    assert report.deferred == 1
    waiting = EnrichmentRequest.objects.for_workspace(world.workspace).get(
        contact=contacts[2], provider="gravatar"
    )
    assert waiting.status == RequestStatus.PENDING
    assert waiting.not_before >= now + timedelta(minutes=59)
    run_queue(now=now + timedelta(minutes=30))  # still inside the window: nothing goes out
    assert len(apis.hits("/gravatar/")) == 2
    run_queue(now=now + timedelta(hours=1, seconds=1))
    assert len(apis.hits("/gravatar/")) == 3
    waiting.refresh_from_db()
    assert waiting.status == RequestStatus.SKIPPED  # answered: no profile for that address


def test_a_failing_provider_is_visible_and_others_still_run(world: World, apis: FakeState) -> None:
    apis.fail["/gravatar/"] = (503, {})
    contact = _contact(world, city="Kraków", country="PL")
    now = timezone.now()
    report = run_queue(now=now)
    assert report.retrying == 1
    values = _values(contact)
    assert values["location.place"].value["timezone"] == "Europe/Warsaw"
    assert values["weather.current"].value["summary"] == "light snow"
    panel = facade.panel(world.actor("analyst"), contact.pk)
    (gravatar,) = [p for p in panel.providers if p.name == "gravatar"]
    assert gravatar.error == "HTTP 503 from 127.0.0.1"
    assert gravatar.pending
    assert gravatar.retry_at is not None
    health = ProviderHealth.objects.get(provider="gravatar")
    assert health.consecutive_failures == 1
    assert health.last_error.startswith("HTTP 503")
    # three attempts, with backoff, then it gives up and says so
    run_queue(now=now + timedelta(hours=1))
    run_queue(now=now + timedelta(hours=3))
    request = EnrichmentRequest.objects.for_workspace(world.workspace).get(provider="gravatar")
    assert request.status == RequestStatus.FAILED
    assert request.attempts == 3
    # the service is back: an agent asks again and it works
    del apis.fail["/gravatar/"]
    assert facade.refresh(world.actor("agent"), contact.pk) >= 1
    run_queue(now=now + timedelta(hours=4))
    assert "gravatar.avatar_url" in _values(contact)
    assert not [p for p in facade.panel(world.actor(), contact.pk).providers if p.error]


def test_a_429_blocks_the_provider_until_retry_after(world: World, apis: FakeState) -> None:
    apis.fail["/gravatar/"] = (429, {"Retry-After": "120"})
    _contact(world, "a@example.com")
    _contact(world, "b@example.com")
    now = timezone.now()
    run_queue(now=now)
    assert len(apis.hits("/gravatar/")) == 1  # the second waits for the block to lift
    del apis.fail["/gravatar/"]
    run_queue(now=now + timedelta(seconds=60))
    assert len(apis.hits("/gravatar/")) == 1
    run_queue(now=now + timedelta(seconds=121))
    # the refused request is retried after Retry-After, and the waiting one goes out
    assert len(apis.hits("/gravatar/")) == 3
    assert not EnrichmentRequest.objects.for_workspace(world.workspace).filter(
        provider="gravatar", status=RequestStatus.PENDING
    )


def test_malformed_answers_are_failures_not_crashes(world: World, apis: FakeState) -> None:
    apis.fail["/geocoding/"] = (200, {})  # a JSON error body where results belong
    contact = _contact(world, city="Kraków")
    report = run_queue()
    assert report.failed == 0  # "no results" is an answer, not a failure
    assert "location.place" not in _values(contact)


def test_city_is_geocoded_with_the_country_filter(world: World, apis: FakeState) -> None:
    contact = _contact(world, "x@example.com", city="Kraków", country="PL")
    run_queue()
    (_, query, _) = apis.hits("/geocoding/")[0]
    assert query["name"] == ["Kraków"]
    assert query["countryCode"] == ["PL"]
    place = _values(contact)["location.place"]
    assert place.value["precision"] == "city"
    assert place.value["latitude"] == pytest.approx(50.06143)
    (_, forecast, _) = apis.hits("/forecast/")[0]
    assert forecast["latitude"] == ["50.06"]
    assert "temperature_2m" in forecast["current"][0]
    weather = _values(contact)["weather.current"]
    assert weather.value["temperature_c"] == -1.4
    assert weather.expires_at - weather.fetched_at == timedelta(hours=1)


def test_without_a_city_the_ip_country_is_the_location(world: World, apis: FakeState) -> None:
    contact = _contact(world, "y@example.com")
    run_queue()
    facade.enrich_from_signals(world.workspace.pk, contact.pk, ip="81.2.69.142")
    run_queue()
    place = _values(contact)["location.place"].value
    assert place["precision"] == "country"
    assert place["country_code"] == "GB"
    assert _values(contact)["weather.current"].value["place"] == "United Kingdom"


def test_user_agent_and_ip_are_local_and_the_ip_is_not_kept(world: World) -> None:
    contact = _contact(world, "z@example.com")
    ua = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
    )
    facade.enrich_from_signals(world.workspace.pk, contact.pk, user_agent=ua, ip="8.8.8.8")
    values = _values(contact)
    assert values["user-agent.browser"].value == "Mobile Safari 17"
    assert values["user-agent.os"].value == "iOS 17.1"
    assert values["user-agent.device"].value == "Apple iPhone"
    assert values["geoip.country"].value == {"code": "US", "name": "United States"}
    assert values["geoip.network"].value["name"] == "GOOGLE"
    for row in values.values():
        assert "8.8.8.8" not in f"{row.value} {row.source_ref}"
    # private and loopback addresses say nothing
    other = _contact(world, "w@example.com")
    assert not facade.enrich_from_signals(world.workspace.pk, other.pk, ip="192.168.1.20")


def test_network_off_queues_nothing(world: World, settings: Any) -> None:
    settings.RAPPORT_ENRICHMENT = {**settings.RAPPORT_ENRICHMENT, "NETWORK": False}
    contact = _contact(world)
    assert request_enrichment(world.workspace.pk, contact.pk) == 0
    assert not EnrichmentRequest.objects.for_workspace(world.workspace).exists()


def test_open_meteo_providers_share_one_window(world: World, apis: FakeState) -> None:
    from rapport.enrichment.models import RateWindow
    from rapport.enrichment.providers.location import Geocoding, Weather

    assert Geocoding.rate_key == Weather.rate_key == "open-meteo"
    _contact(world, "m@example.com", city="Kraków", country="PL")
    run_queue()
    window = RateWindow.objects.get(provider="open-meteo")
    assert window.used == 2  # one geocoding and one forecast call, in the same window
    assert not RateWindow.objects.filter(provider__in=["location", "weather"]).exists()


def test_an_api_key_raises_the_gravatar_limit(settings: Any) -> None:
    assert Gravatar.effective_rate_limit() == RateLimit(100, timedelta(hours=1))
    settings.RAPPORT_ENRICHMENT = {**settings.RAPPORT_ENRICHMENT, "GRAVATAR_API_KEY": "k"}
    assert Gravatar.effective_rate_limit() == RateLimit(1_000, timedelta(hours=1))


def test_contacts_made_without_an_event_are_queued_by_the_hourly_job(
    world: World, apis: FakeState
) -> None:
    from rapport.contacts.facade import observe
    from rapport.enrichment.tasks import enrich_newcomers

    made = observe(world.workspace, [Claim("email", "quiet@example.com")], trusted=True,
                   source="import")  # fmt: skip
    assert not EnrichmentRequest.objects.for_workspace(world.workspace).exists()
    assert enrich_newcomers.call() == 1  # one contact, every provider queued
    assert enrich_newcomers.call() == 0  # asked once, not every hour
    assert (
        EnrichmentRequest.objects.for_workspace(world.workspace)
        .filter(contact=made.contact)
        .count()
        == 4
    )


def test_newcomers_beyond_one_run_are_reached_by_the_next(world: World, apis: FakeState) -> None:
    from rapport.contacts.facade import observe
    from rapport.enrichment.tasks import enrich_newcomers

    made = [
        observe(
            world.workspace, [Claim("email", f"n{i}@example.com")], trusted=True, source="import"
        ).contact
        for i in range(5)
    ]
    assert enrich_newcomers.call(most=2) == 2
    assert enrich_newcomers.call(most=2) == 2
    assert enrich_newcomers.call(most=2) == 1
    asked = set(
        EnrichmentRequest.objects.for_workspace(world.workspace).values_list(
            "contact_id", flat=True
        )
    )
    assert asked == {c.pk for c in made}


def test_contacts_with_nothing_to_look_up_spend_no_rate_limit(
    world: World, apis: FakeState, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rapport.enrichment.models import RateWindow

    monkeypatch.setattr(Gravatar, "rate_limit", RateLimit(requests=1, per=timedelta(hours=1)))
    for n in range(3):  # phone-only people: Gravatar has nothing to ask about
        contact = do_create_contact(
            world.actor(), identities=[Claim("phone", f"+4860010020{n}")]
        ).contact
        request_enrichment(world.workspace.pk, contact.pk)
    emailed = _contact(world)
    report = run_queue()
    assert report.deferred == 0
    assert RateWindow.objects.get(provider="gravatar").used == 1  # only the one with an email
    assert "gravatar.avatar_url" in _values(emailed)
    assert not RateWindow.objects.filter(provider="open-meteo").exists()  # no city, no country

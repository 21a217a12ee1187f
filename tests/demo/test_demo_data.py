"""The demo loads once, has every role, two workspaces, and multilingual data."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db.models import Count

from rapport.core.models import (
    ApiToken,
    AuditEntry,
    Membership,
    Role,
    Team,
    TeamMembership,
    Workspace,
)
from rapport.demo.brand import BRANDS, LANGUAGES
from rapport.demo.loader import DEMO_EMAIL, SECOND_SLUG, load_demo
from rapport.demo.people import ascii_slug, generate_people
from rapport.demo.texts import SENTIMENTS, generate_posts

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
POLISH = re.compile(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")


def counts(ws: Workspace) -> tuple[int, int, int, int]:
    return (
        Membership.objects.for_workspace(ws).count(),
        Team.objects.for_workspace(ws).count(),
        ApiToken.objects.for_workspace(ws).count(),
        AuditEntry.objects.for_workspace(ws).count(),
    )


def test_demo_loads_once(db: Any) -> None:
    first = load_demo()
    assert first.created
    before = counts(first.workspace)
    again = load_demo()
    assert not again.created
    assert counts(again.workspace) == before
    assert Workspace.objects.count() == 2


def test_demo_has_every_role_teams_and_a_second_workspace(db: Any) -> None:
    ws = load_demo().workspace
    roles = set(Membership.objects.for_workspace(ws).values_list("role", flat=True))
    assert roles == {r.value for r in Role}
    teams = Team.objects.for_workspace(ws)
    assert {t.name for t in teams} == {"Customer Care", "Community"}
    care = teams.get(name="Customer Care")
    assert TeamMembership.objects.for_workspace(ws).filter(team=care).count() == 3
    tea = Workspace.objects.get(slug=SECOND_SLUG)
    demo_in_tea = Membership.objects.for_workspace(tea).get(user__email=DEMO_EMAIL)
    assert demo_in_tea.role == Role.ADMIN
    # Written through actions, so the history is in the audit log.
    actions = set(AuditEntry.objects.for_workspace(ws).values_list("action", flat=True))
    assert {"workspace.create", "member.add", "team.create", "token.create"} <= actions


def test_large_size_makes_longer_lists(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Only the member list is checked here; thousands of contacts would just be slow.
    from rapport.demo import loader

    monkeypatch.setitem(loader.SIZES, "large", loader.DemoSize(extra_members=500, contacts=12))
    ws = load_demo("large").workspace
    assert Membership.objects.for_workspace(ws).count() > 500


def test_people_are_deterministic_and_speak_five_languages() -> None:
    people = generate_people(50, seed=1)
    assert people == generate_people(50, seed=1)
    assert people != generate_people(50, seed=2)
    assert {p.language for p in people} == set(LANGUAGES)
    ru = [p for p in people if p.language == "ru"]
    assert all(CYRILLIC.search(p.full_name) for p in ru)
    assert any(POLISH.search(p.full_name) for p in people if p.language == "pl")
    # Emails are ASCII even for Cyrillic and Polish names, and unique.
    assert all(p.email.isascii() for p in people)
    assert len({p.email for p in people}) == len(people)


def test_ascii_slug_folds_letters_decomposition_misses() -> None:
    assert ascii_slug("Łukasz Żółć") == "lukasz.zolc"
    assert ascii_slug("Jörg Weiß") == "jorg.weiss"
    assert ascii_slug("Дмитрий Соколов") == "dmitriy.sokolov"


def test_posts_cover_languages_sentiments_and_every_brand() -> None:
    posts = generate_posts(600, seed=5)
    assert posts == generate_posts(600, seed=5)
    assert {(p.language, p.sentiment) for p in posts} == {
        (lang, s) for lang in LANGUAGES for s in SENTIMENTS
    }
    assert {p.brand for p in posts} == {b.name for b in BRANDS}
    assert all(CYRILLIC.search(p.text) for p in posts if p.language == "ru")
    assert len({p.text for p in posts}) > 300  # templates with slots vary
    assert all("{" not in p.text for p in posts)  # every slot filled


def test_demo_contacts_cover_every_stage_networks_and_duplicates(db: Any) -> None:
    from rapport.contacts.models import Contact, DuplicateSuggestion, Identity, Lifecycle

    ws = load_demo().workspace
    stages = set(Contact.objects.for_workspace(ws).values_list("lifecycle", flat=True))
    assert stages == {s.value for s in Lifecycle}
    kinds = set(Identity.objects.for_workspace(ws).values_list("kind", flat=True))
    assert {"email", "phone", "bluesky", "anonymous"} <= kinds
    assert DuplicateSuggestion.objects.for_workspace(ws).count() == 3
    # The anonymous visitor was stitched to the person who signed up.
    browser = Identity.objects.for_workspace(ws).get(value="demo-browser-1")
    signed = Identity.objects.for_workspace(ws).get(value="signed.up@example.com")
    assert browser.contact_id == signed.contact_id


def test_demo_contacts_are_enriched_with_provenance(db: Any) -> None:
    from rapport.enrichment.influence import influence
    from rapport.enrichment.models import EnrichedValue

    ws = load_demo().workspace
    values = EnrichedValue.objects.for_workspace(ws)
    providers = set(values.values_list("provider", flat=True))
    assert {"user-agent", "geoip", "location", "weather", "gravatar", "social"} <= providers
    assert not values.filter(source_ref="").exists()  # every value says where it came from
    countries = {v["code"] for v in values.filter(field="country").values_list("value", flat=True)}
    assert countries <= {"GB", "PL", "RU", "NL", "DE"}
    assert len(countries) >= 4
    profiles = [v.value for v in values.filter(provider="social")]
    score = influence(profiles)
    assert score is not None
    assert 0 < score.score <= 100


@pytest.mark.django_db
def test_the_demo_listens_to_the_brand_its_competitors_and_a_replayed_stream() -> None:
    from rapport.listening.models import ListeningSource, Mention, Topic

    summary = load_demo("small")
    ws = summary.workspace
    kinds = dict(Topic.objects.for_workspace(ws).values_list("name", "kind"))
    assert kinds["Nordlicht Coffee"] == "brand"
    assert kinds["Kaffeewerk"] == kinds["Bean & Barrel"] == "competitor"
    # Two weeks of history for the dashboards, on every brand.
    per_topic = dict(
        Mention.objects.for_workspace(ws).values_list("topic__name").annotate(n=Count("id"))
    )
    assert all(per_topic[name] > 50 for name in ("Nordlicht Coffee", "Kaffeewerk", "Bean & Barrel"))
    replay = ListeningSource.objects.for_workspace(ws).get()
    assert (replay.network, replay.enabled) == ("replay", True)

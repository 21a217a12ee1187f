"""Social profiles from connected networks, the influence score, and enriched values
through merges, unmerges and erasure."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from rapport.contacts.actions.merges import do_merge_contacts, do_unmerge
from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.models import Contact, Identity
from rapport.contacts.privacy import erase_contact
from rapport.contacts.resolution import Claim
from rapport.enrichment import facade
from rapport.enrichment.influence import influence
from rapport.enrichment.models import EnrichedValue
from rapport.enrichment.providers.base import IdentityRef
from rapport.enrichment.providers.social import SocialProfile, register_source, unregister_source
from rapport.enrichment.runner import request_enrichment, run_queue
from tests.factories import World

from .fake_apis import FakeState


@pytest.mark.parametrize(
    ("profiles", "expected"),
    [
        ([], None),
        # 10k followers, 300 interactions a post: R = log10(10001)/6, E = 0.03/0.06, B = 1/3
        ([{"network": "bluesky", "followers": 10_000, "interactions_per_post": 300}], 58),
        # a million followers on three networks with 6 % engagement saturate everything
        (
            [
                {"network": n, "followers": 1_000_000 // 3 + 1, "interactions_per_post": 20_001}
                for n in ("bluesky", "mastodon", "reddit")
            ],
            100,
        ),
        ([{"network": "x", "followers": 0}], 3),  # present, unheard
        # the same network twice counts once, with its larger profile
        (
            [
                {"network": "x", "followers": 10, "interactions_per_post": 0},
                {"network": "x", "followers": 10_000, "interactions_per_post": 300},
            ],
            58,
        ),
    ],
)
def test_influence_formula(profiles: list[dict[str, Any]], expected: int | None) -> None:
    result = influence(profiles)
    assert (result.score if result else None) == expected
    if result:
        assert 0 <= result.score <= 100


@pytest.fixture
def bluesky_source() -> Iterator[list[IdentityRef]]:
    asked: list[IdentityRef] = []

    def describe(identity: IdentityRef) -> SocialProfile | None:
        asked.append(identity)
        if identity.value != "ann.bsky.social":
            return None
        return SocialProfile(
            network="bluesky",
            handle=identity.value,
            followers=10_000,
            following=300,
            posts=1_200,
            interactions_per_post=300,
            url="https://bsky.app/profile/ann.bsky.social",
        )

    register_source("bluesky", describe)
    yield asked
    unregister_source("bluesky")


def test_connected_networks_fill_social_profiles(
    world: World, apis: FakeState, bluesky_source: list[IdentityRef]
) -> None:
    contact = do_create_contact(
        world.actor(), identities=[Claim("bluesky", "@Ann.bsky.social"), Claim("reddit", "ann_r")]
    ).contact
    request_enrichment(world.workspace.pk, contact.pk, ["social"])
    run_queue()
    assert [i.value for i in bluesky_source] == ["ann.bsky.social"]  # no reddit source yet
    panel = facade.panel(world.actor(), contact.pk)
    assert panel.influence is not None
    assert panel.influence.score == 58
    (row,) = [v for v in panel.values if v.provider == "social"]
    assert row.field == "profile.bluesky"
    assert row.source_ref.startswith("https://bsky.app/")
    assert row.identity_id == Identity.objects.for_workspace(world.workspace).get(kind="bluesky").pk


def _with_avatar(world: World, email: str) -> Contact:
    contact = do_create_contact(world.actor(), identities=[Claim("email", email)]).contact
    identity = Identity.objects.for_workspace(world.workspace).get(value=email)
    facade.record_social_profile(
        world.workspace.pk,
        contact.pk,
        SocialProfile("mastodon", email.split("@", maxsplit=1)[0], followers=len(email) * 100),
        identity.pk,
    )
    return contact


def _state(world: World) -> set[tuple[int, str, Any]]:
    return {
        (v.contact_id, v.field, str(v.value))
        for v in EnrichedValue.objects.for_workspace(world.workspace)
    }


def test_enrichment_follows_its_identity_through_merge_and_unmerge(world: World) -> None:
    a = _with_avatar(world, "ann@example.com")
    b = _with_avatar(world, "anna.n@example.org")
    before = _state(world)
    record = do_merge_contacts(world.actor(), a, b)
    merged = facade.panel(world.actor(), a.pk)
    assert {v.contact_id for v in EnrichedValue.objects.for_workspace(world.workspace)} == {a.pk}
    assert merged.influence is not None
    assert merged.influence.followers > 0
    do_unmerge(world.actor(), record)
    assert _state(world) == before


def test_erasure_removes_enrichment(world: World) -> None:
    a = _with_avatar(world, "erase-me@example.com")
    erase_contact(a)
    assert not EnrichedValue.objects.for_workspace(world.workspace).exists()

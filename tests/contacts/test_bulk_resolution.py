"""Bulk resolution follows the same rules as one-at-a-time resolution: checked
against the reference model, and its merges can be undone."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.contacts.actions.merges import do_unmerge
from rapport.contacts.bulk import resolve_bulk
from rapport.contacts.facade import observe
from rapport.contacts.models import Contact, MergeRecord
from rapport.contacts.resolution import Claim
from tests.contacts.test_resolution_model import POOL, Model, db_people
from tests.factories import World, make_world

observation = st.tuples(
    st.lists(st.sampled_from(POOL), min_size=1, max_size=3, unique=True), st.booleans()
)


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))  # fmt: skip
@given(
    before=st.lists(observation, max_size=4),
    batch=st.lists(observation, min_size=1, max_size=12),
)
def test_bulk_matches_the_reference_model(
    before: list[tuple[list[tuple[str, str]], bool]],
    batch: list[tuple[list[tuple[str, str]], bool]],
    db: Any,
) -> None:
    ws = make_world("Bulk").workspace
    model = Model()
    for keys, trusted in before:  # some people exist before the batch
        observe(ws, [Claim(k, v) for k, v in keys], trusted=trusted, source="online")
        model.log.append((list(keys), trusted))
    resolve_bulk(ws, [([Claim(k, v) for k, v in keys], t) for keys, t in batch], source="bulk")
    model.log += [(list(keys), t) for keys, t in batch]
    assert db_people(ws) == model.people()


def test_a_bulk_merge_can_be_undone(world: World) -> None:
    ws = world.workspace
    ann = observe(ws, [Claim("email", "ann@ex.com")], trusted=True, source="shop").contact
    phone = observe(ws, [Claim("phone", "+48600100200")], trusted=True, source="shop").contact
    stats = resolve_bulk(
        ws,
        [([Claim("email", "ann@ex.com"), Claim("phone", "+48600100200")], True),
         ([Claim("anonymous", "browser-1"), Claim("email", "new@ex.com")], False)],
        source="backfill",
    )  # fmt: skip
    assert (stats.merges, stats.new_contacts, stats.new_identities) == (1, 1, 2)
    record = MergeRecord.objects.for_workspace(ws).get()
    assert (record.winner_id, record.loser_id) == (ann.pk, phone.pk)
    do_unmerge(world.actor("agent"), record)
    assert Contact.objects.for_workspace(ws).get(pk=phone.pk).status == "active"


def test_bulk_does_not_recreate_an_erased_person(world: World) -> None:
    from rapport.contacts.actions.people import do_create_contact
    from rapport.contacts.actions.privacy import do_erase_contact
    from rapport.contacts.models import Identity

    gone = do_create_contact(world.actor(), identities=[Claim("email", "gone@example.com")])
    do_erase_contact(world.actor(), gone.contact)
    stats = resolve_bulk(
        world.workspace,
        [([Claim("email", "gone@example.com"), Claim("anonymous", "web-9")], True),
         ([Claim("email", "gone@example.com")], False)],
        source="replay",
    )  # fmt: skip
    assert stats.erased_claims == 2
    assert not Identity.objects.for_workspace(world.workspace).filter(value="gone@example.com")
    assert Identity.objects.for_workspace(world.workspace).filter(value="web-9").exists()

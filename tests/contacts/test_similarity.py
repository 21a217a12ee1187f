"""Duplicate suggestions by similarity, with their score and evidence."""

from __future__ import annotations

from rapport.contacts.actions.merges import do_dismiss_suggestion
from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.models import DuplicateSuggestion
from rapport.contacts.resolution import Claim
from rapport.contacts.similarity import find_duplicates, name_key, refresh_suggestions
from tests.factories import World


def test_name_keys_fold_case_diacritics_and_order() -> None:
    assert name_key("Łukasz Żółć") == name_key("zolc lukasz") == "lukasz zolc"
    assert name_key("Jörg MÜLLER") == name_key("jorg muller")
    assert name_key("Anna") == ""  # one word is too common to block on


def test_pairs_are_scored_from_their_evidence(world: World) -> None:
    actor = world.actor("agent")

    def make(name: str, *claims: Claim) -> int:
        return do_create_contact(actor, full_name=name, identities=list(claims)).contact.pk

    a = make("Małgorzata Wiśniewska", Claim("email", "m.wisniewska@gmail.com"))
    b = make("Wiśniewska Malgorzata", Claim("email", "mwisniewska+shop@example.pl"))
    c = make("Piotr Nowak", Claim("phone", "+48 600 100 200"))
    d = make("P. Nowak", Claim("phone", "+48600100200"), Claim("x", "pnowak"))
    same_name_only = make("Piotr Nowak")
    found = {(x, y): (score, {e["rule"] for e in ev}) for x, y, score, ev in
             find_duplicates(world.workspace)}  # fmt: skip
    assert found[(a, b)] == (0.8, {"name", "email"})
    assert (c, d) not in found  # c and d share a phone number: that is an identity
    assert (c, same_name_only) not in found  # a name alone is not enough
    assert all(score >= 0.5 for score, _ in found.values())


def test_refresh_records_suggestions_once_and_respects_dismissals(world: World) -> None:
    actor = world.actor("agent")
    do_create_contact(
        actor, full_name="Jan de Vries", identities=[Claim("email", "jan.devries@a.nl")]
    )
    do_create_contact(
        actor, full_name="de Vries Jan", identities=[Claim("email", "jandevries@b.nl")]
    )
    assert refresh_suggestions(world.workspace) == 1
    assert refresh_suggestions(world.workspace) == 0
    suggestion = DuplicateSuggestion.objects.for_workspace(world.workspace).get()
    assert suggestion.score == 0.8
    do_dismiss_suggestion(actor, suggestion)
    assert refresh_suggestions(world.workspace) == 0

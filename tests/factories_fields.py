"""Builders for companies and contact fields, used by ``factories.make_contact_ids``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rapport.contacts.models import Contact
    from tests.factories import World


def make_field_and_company_ids(world: World, contact: Contact) -> dict[str, str]:
    """A company with ``contact`` in it and a choice field set on ``contact``."""
    from rapport.contacts.actions.companies import do_create_company
    from rapport.contacts.actions.fields import do_create_field
    from rapport.contacts.actions.people import do_update_contact

    actor = world.actor()
    tag = world.workspace.slug
    company = do_create_company(actor, name=f"Kept {tag} Ltd", domain=f"{tag}.example")
    field = do_create_field(
        actor, key="favourite_roast", label="Favourite roast", type="choice",
        choices=["Espresso", "Filter"],
    )  # fmt: skip
    do_update_contact(actor, contact, company_id=company.pk, custom={"favourite_roast": "Espresso"})
    return {"company_id": str(company.pk), "field_id": str(field.pk)}

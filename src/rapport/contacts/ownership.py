"""Which tables hold rows that belong to a contact. A merge moves every such row to
the surviving contact and records it; an unmerge moves exactly those back. Apps
register their tables here (consents, enrichment, carts, orders …) so merges cover
them without the contacts app knowing them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Owned:
    model: type[models.Model]
    contact_field: str = "contact"
    # When set, rows added after a merge follow the contact that holds this identity.
    identity_field: str | None = None

    @property
    def label(self) -> str:
        """The key merges record moved rows under: the model, and the field when a
        model points at contacts more than once (a post's author and its suggestion)."""
        base = self.model._meta.label_lower
        return base if self.contact_field == "contact" else f"{base}.{self.contact_field}"


_registry: dict[str, Owned] = {}


def register(
    model: type[models.Model], *, contact_field: str = "contact", identity_field: str | None = None
) -> None:
    owned = Owned(model, contact_field, identity_field)
    _registry[owned.label] = owned


def owned_tables() -> list[Owned]:
    return list(_registry.values())

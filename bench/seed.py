"""Shared set-up for benches: a workspace with an owner, acting through actions."""

from __future__ import annotations

import itertools

from rapport.contacts.models import ContactImport
from rapport.core.actions.workspaces import do_create_workspace
from rapport.core.actor import Actor
from rapport.core.models import Membership, User
from rapport.demo.people import Person

_n = itertools.count(1)


def bench_actor(name: str) -> Actor:
    n = next(_n)
    email = f"bench{n}@example.com"
    user = User.objects.create(email=email, username=email)
    workspace = do_create_workspace(name=f"{name} {n}", owner=user)
    return Actor(
        workspace=workspace, membership=Membership.objects.for_workspace(workspace).get(user=user)
    )


# A people CSV as the import benches write it, and how its columns map.
PEOPLE_MAPPING = {"name": "full_name", "email": "email", "phone": "phone", "city": "city",
                  "country": "country"}  # fmt: skip


def people_csv_lines(people: list[Person]) -> list[str]:
    """Header and one semicolon-separated line per person."""
    return ["name;email;phone;city;country"] + [
        f"{p.full_name};{p.email};{p.phone};{p.city};{p.country}" for p in people
    ]


def import_job(actor: Actor, raw: bytes, rows: int) -> ContactImport:
    """A mapped import of ``raw`` (UTF-8, semicolons), ready for ``run_import``."""
    return ContactImport.objects.create(
        workspace=actor.workspace, file_name="bench.csv", raw=raw, encoding="utf-8",
        delimiter=";", headers=list(PEOPLE_MAPPING), mapping=PEOPLE_MAPPING, policy={},
        total_rows=rows,
    )  # fmt: skip

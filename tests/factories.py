"""Builders for test data, all going through the real actions."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from rapport.core.actions.members import do_add_member
from rapport.core.actions.teams import do_create_team
from rapport.core.actions.tokens import do_create_token
from rapport.core.actions.workspaces import do_create_workspace
from rapport.core.actor import Actor
from rapport.core.models import Membership, Role, Scope, Team, User, Workspace

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def make_user(email: str | None = None, name: str = "") -> User:
    n = next(_seq)
    email = email or f"user{n}@example.com"
    user = User(email=email, username=email, full_name=name or f"User {n}")
    user.set_password(PASSWORD)
    user.save()
    return user


@dataclass
class World:
    """A workspace with an owner, one member of every other role, a team and a token."""

    workspace: Workspace
    owner: Membership
    members: dict[str, Membership]
    team: Team
    token_secret: str

    def actor(self, role: str = "owner") -> Actor:
        return Actor(workspace=self.workspace, membership=self.members[role])


def make_world(name: str = "Acme") -> World:
    owner_user = make_user(name=f"{name} Owner")
    workspace = do_create_workspace(name=name, owner=owner_user)
    owner = Membership.objects.for_workspace(workspace).get(user=owner_user)
    owner_actor = Actor(workspace=workspace, membership=owner)
    members: dict[str, Membership] = {Role.OWNER.value: owner}
    for role in Role:
        if role == Role.OWNER:
            continue
        user = make_user(name=f"{name} {role.label}")
        members[role.value] = do_add_member(owner_actor, email=user.email, role=role.value)
    team = do_create_team(owner_actor, name=f"{name} Care")
    issued = do_create_token(owner_actor, name="ci", scopes=[s.value for s in Scope])
    return World(
        workspace=workspace, owner=owner, members=members, team=team, token_secret=issued.secret
    )


def make_contact_ids(world: World) -> dict[str, str]:
    """A contact, an (active) merge and an open duplicate suggestion in ``world``,
    as URL parameter values."""
    from rapport.contacts.actions.imports import do_upload_import
    from rapport.contacts.actions.merges import do_merge_contacts
    from rapport.contacts.actions.people import do_add_task, do_create_contact
    from rapport.contacts.resolution import Claim, suggest_duplicate
    from rapport.tracking.actions import do_create_source
    from tests.factories_fields import make_field_and_company_ids

    actor = world.actor()
    tag = world.workspace.slug
    kept = do_create_contact(
        actor, identities=[Claim("email", f"kept@{tag}.example")], full_name=f"Kept {tag}"
    ).contact
    twin = do_create_contact(actor, identities=[Claim("x", "twin_x")]).contact
    merge = do_merge_contacts(actor, kept, twin)
    other = do_create_contact(actor, identities=[Claim("email", f"o@{tag}.example")]).contact
    suggestion = suggest_duplicate(world.workspace, kept.pk, other.pk, 0.9, [{"rule": "test"}])
    task = do_add_task(actor, kept, title=f"Call Kept {tag}")
    upload = do_upload_import(
        actor, file_name=f"kept-{tag}.csv", raw=f"email\nkept@{tag}.example\n".encode()
    )
    source = do_create_source(actor, name=f"Shop {tag}", kind="website")
    return {
        "source_id": str(source.pk),
        "import_id": str(upload.pk),
        "task_id": str(task.pk),
        "contact_id": str(kept.pk),
        "merge_id": str(merge.pk),
        "suggestion_id": str(suggestion.pk),
        **make_field_and_company_ids(world, kept),
    }

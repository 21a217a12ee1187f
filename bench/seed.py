"""Shared set-up for benches: a workspace with an owner, acting through actions."""

from __future__ import annotations

import itertools

from rapport.core.actions.workspaces import do_create_workspace
from rapport.core.actor import Actor
from rapport.core.models import Membership, User

_n = itertools.count(1)


def bench_actor(name: str) -> Actor:
    n = next(_n)
    email = f"bench{n}@example.com"
    user = User.objects.create(email=email, username=email)
    workspace = do_create_workspace(name=f"{name} {n}", owner=user)
    return Actor(
        workspace=workspace, membership=Membership.objects.for_workspace(workspace).get(user=user)
    )

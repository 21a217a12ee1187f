from __future__ import annotations

import pytest

from rapport.core.models import AuditEntry, Team, WorkspaceScopeError
from tests.factories import World


def test_unscoped_query_raises(world: World) -> None:
    with pytest.raises(WorkspaceScopeError):
        list(Team.objects.all())
    with pytest.raises(WorkspaceScopeError):
        Team.objects.filter(name="x")


def test_create_without_workspace_raises(world: World) -> None:
    with pytest.raises(WorkspaceScopeError):
        Team.objects.create(name="Orphans")


def test_scoped_query_sees_only_its_workspace(world: World, other_world: World) -> None:
    names = set(Team.objects.for_workspace(world.workspace).values_list("name", flat=True))
    assert names == {"Acme Care"}
    other = set(Team.objects.for_workspace(other_world.workspace).values_list("name", flat=True))
    assert other == {"Globex Care"}


def test_every_write_is_audited(world: World) -> None:
    actions = list(
        AuditEntry.objects.for_workspace(world.workspace)
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )
    assert actions[0] == "workspace.create"
    assert actions.count("member.add") == 5
    assert "team.create" in actions
    assert "token.create" in actions

"""Settings → Members and Teams: the forms do what they say through the real
actions, show a domain error on the page (4xx, never a 500), and refuse what a role
may not do."""

from __future__ import annotations

import pytest
from django.test import Client

from rapport.core.actions.teams import do_create_team
from rapport.core.models import Membership, Team, TeamMembership
from tests.factories import World
from tests.web.helpers import client_for, settings_url

# Members


def test_owner_adds_a_member_by_email(world: World, owner: Client) -> None:
    response = owner.post(
        settings_url(world, "members/add/"),
        {"email": "new.person@example.com", "full_name": "New Person", "role": "marketer"},
        follow=True,
    )
    assert response.status_code == 200
    assert "new.person@example.com added as marketer" in response.content.decode()
    added = Membership.objects.for_workspace(world.workspace).get(
        user__email="new.person@example.com"
    )
    assert added.role == "marketer"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email", "role": "agent"}, "Enter a valid email address."),
        ({"email": "", "role": "agent"}, "This field is required."),
        ({"email": "x@example.com", "role": "emperor"}, "Select a valid choice."),
    ],
)
def test_member_add_shows_field_errors(
    world: World, owner: Client, data: dict[str, str], message: str
) -> None:
    response = owner.post(settings_url(world, "members/add/"), data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_adding_an_existing_member_is_a_form_error_not_a_crash(world: World, owner: Client) -> None:
    email = world.members["agent"].user.email
    response = owner.post(settings_url(world, "members/add/"), {"email": email, "role": "agent"})
    assert response.status_code == 400
    assert f"{email} is already a member." in response.content.decode()


def test_owner_changes_a_role_and_the_last_owner_cannot_step_down(
    world: World, owner: Client
) -> None:
    analyst = world.members["analyst"]
    response = owner.post(settings_url(world, f"members/{analyst.pk}/role/"), {"role": "manager"})
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert analyst.role == "manager"

    last = owner.post(settings_url(world, f"members/{world.owner.pk}/role/"), {"role": "agent"})
    assert last.status_code == 409
    assert "at least one owner" in last.content.decode()
    world.owner.refresh_from_db()
    assert world.owner.role == "owner"

    unknown = owner.post(settings_url(world, f"members/{analyst.pk}/role/"), {"role": "king"})
    assert unknown.status_code == 400


def test_owner_removes_a_member(world: World, owner: Client) -> None:
    agent = world.members["agent"]
    response = owner.post(settings_url(world, f"members/{agent.pk}/remove/"), follow=True)
    assert response.status_code == 200
    assert "removed" in response.content.decode()
    assert not Membership.objects.for_workspace(world.workspace).filter(pk=agent.pk).exists()


def test_an_admin_cannot_grant_ownership(world: World) -> None:
    admin = client_for(world.members["admin"])
    response = admin.post(
        settings_url(world, "members/add/"), {"email": "boss@example.com", "role": "owner"}
    )
    assert response.status_code == 403
    assert not Membership.unscoped.filter(user__email="boss@example.com").exists()


def test_roles_without_members_manage_cannot_change_members(world: World) -> None:
    agent = client_for(world.members["agent"])
    analyst = world.members["analyst"]
    assert (
        agent.post(settings_url(world, "members/add/"), {"email": "a@b.co", "role": "agent"})
    ).status_code == 403
    assert (
        agent.post(settings_url(world, f"members/{analyst.pk}/role/"), {"role": "owner"})
    ).status_code == 403
    assert agent.post(settings_url(world, f"members/{analyst.pk}/remove/")).status_code == 403
    analyst.refresh_from_db()
    assert analyst.role == "analyst"


def test_another_workspaces_member_is_not_found(
    world: World, other_world: World, owner: Client
) -> None:
    stranger = other_world.members["agent"]
    response = owner.post(settings_url(world, f"members/{stranger.pk}/remove/"))
    assert response.status_code == 404
    assert Membership.unscoped.filter(pk=stranger.pk).exists()


# Teams


def test_team_lifecycle_create_rename_staff_and_delete(world: World, owner: Client) -> None:
    created = owner.post(settings_url(world, "teams/create/"), {"name": "Night shift"})
    assert created.status_code == 302
    team = Team.objects.for_workspace(world.workspace).get(name="Night shift")
    assert created["Location"] == settings_url(world, f"teams/{team.pk}/")

    renamed = owner.post(
        settings_url(world, f"teams/{team.pk}/edit/"),
        {"name": "Night care", "description": "Answers between 22:00 and 06:00"},
    )
    assert renamed.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.description) == ("Night care", "Answers between 22:00 and 06:00")

    agent = world.members["agent"]
    added = owner.post(settings_url(world, f"teams/{team.pk}/members/add/"), {"member": agent.pk})
    assert added.status_code == 302
    page = owner.get(settings_url(world, f"teams/{team.pk}/")).content.decode()
    assert agent.user.email in page
    assert TeamMembership.objects.for_workspace(world.workspace).filter(team=team).count() == 1

    removed = owner.post(settings_url(world, f"teams/{team.pk}/members/{agent.pk}/remove/"))
    assert removed.status_code == 302
    assert not TeamMembership.objects.for_workspace(world.workspace).filter(team=team).exists()

    deleted = owner.post(settings_url(world, f"teams/{team.pk}/delete/"), follow=True)
    assert "Team Night care deleted." in deleted.content.decode()
    assert not Team.objects.for_workspace(world.workspace).filter(pk=team.pk).exists()


def test_team_name_errors_are_shown_on_the_form(world: World, owner: Client) -> None:
    taken = owner.post(settings_url(world, "teams/create/"), {"name": world.team.name})
    assert taken.status_code == 400
    assert "exists" in taken.content.decode()

    blank = owner.post(settings_url(world, "teams/create/"), {"name": ""})
    assert blank.status_code == 400
    assert "This field is required." in blank.content.decode()

    other = do_create_team(world.actor(), name="Escalations")
    clash = owner.post(settings_url(world, f"teams/{other.pk}/edit/"), {"name": world.team.name})
    assert clash.status_code == 400
    assert "exists" in clash.content.decode()
    other.refresh_from_db()
    assert other.name == "Escalations"

    no_member = owner.post(settings_url(world, f"teams/{other.pk}/members/add/"), {"member": ""})
    assert no_member.status_code == 400
    assert "Choose a member" in no_member.content.decode()


def test_teams_of_another_workspace_and_their_members_are_not_found(
    world: World, other_world: World, owner: Client
) -> None:
    assert owner.get(settings_url(world, f"teams/{other_world.team.pk}/")).status_code == 404
    stranger = other_world.members["agent"]
    response = owner.post(
        settings_url(world, f"teams/{world.team.pk}/members/add/"), {"member": stranger.pk}
    )
    assert response.status_code == 404
    assert not TeamMembership.unscoped.filter(membership=stranger).exists()


def test_an_agent_sees_teams_but_cannot_change_them(world: World) -> None:
    agent = client_for(world.members["agent"])
    page = agent.get(settings_url(world, f"teams/{world.team.pk}/"))
    assert page.status_code == 200
    assert "/delete/" not in page.content.decode()
    assert agent.post(settings_url(world, f"teams/{world.team.pk}/delete/")).status_code == 403
    assert Team.unscoped.filter(pk=world.team.pk).exists()

"""Load the demo: the Nordlicht Coffee workspace with a member of every role, two
teams and an API token, and a second workspace (Nordlicht Tea) for the switcher.

Idempotent: a second run finds the workspace and changes nothing. Every write goes
through the actions, so the demo's audit log reads like a real history.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from rapport.core.actions.members import do_add_member
from rapport.core.actions.teams import do_add_team_member, do_create_team
from rapport.core.actions.tokens import do_create_token
from rapport.core.actions.workspaces import do_create_workspace, do_update_workspace
from rapport.core.actor import Actor
from rapport.core.models import Membership, Role, Scope, User, Workspace
from rapport.tracking.actions import do_create_source

from .brand import LANGUAGES, NORDLICHT
from .commerce import load_commerce
from .contacts import load_contacts
from .enrichment import load_enrichment
from .listening import load_listening
from .people import generate_people

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo login
DEMO_SLUG = "nordlicht"
SECOND_SLUG = "nordlicht-tea"

# The brand's own staff: (full name, email, role, team)
STAFF: tuple[tuple[str, str, Role, str], ...] = (
    ("Katarzyna Wiśniewska", "kasia@nordlicht.example", Role.ADMIN, ""),
    ("Jürgen Köhler", "juergen@nordlicht.example", Role.MANAGER, "Customer Care"),
    ("Sanne de Vries", "sanne@nordlicht.example", Role.AGENT, "Customer Care"),
    ("Дмитрий Соколов", "dmitry@nordlicht.example", Role.AGENT, "Customer Care"),
    ("Olivia Walker", "olivia@nordlicht.example", Role.MARKETER, "Community"),
    ("Łukasz Zieliński", "lukasz@nordlicht.example", Role.ANALYST, ""),
)
TEAMS = (
    ("Customer Care", "Answers mentions, DMs and mail in every language."),
    ("Community", "Runs the ideas portal, contests and the advocate programme."),
)


@dataclass(frozen=True)
class DemoSize:
    extra_members: int  # generated people added as agents, to make lists long
    contacts: int


SIZES = {
    "small": DemoSize(extra_members=0, contacts=60),
    "large": DemoSize(extra_members=500, contacts=3_000),
}


@dataclass(frozen=True)
class DemoSummary:
    workspace: Workspace
    created: bool
    workspaces: int = 0
    members: int = 0
    teams: int = 0


def demo_user() -> User:
    user = User.objects.filter(email=DEMO_EMAIL).first()
    if user is None:
        user = User(email=DEMO_EMAIL, username=DEMO_EMAIL, full_name="Demo Owner")
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _staff(actor: Actor, size: DemoSize) -> None:
    teams = {
        name: do_create_team(actor, name=name, description=description)
        for name, description in TEAMS
    }
    for full_name, email, role, team in STAFF:
        membership = do_add_member(actor, email=email, role=role.value, full_name=full_name)
        if team:
            do_add_team_member(actor, teams[team], membership)
    for person in generate_people(size.extra_members, seed=3):
        do_add_member(actor, email=person.email, role=Role.AGENT.value, full_name=person.full_name)
    do_create_token(
        actor, name="Shop integration", scopes=[Scope.WORKSPACE_READ, Scope.MEMBERS_READ]
    )


def _summary(workspace: Workspace, created: bool) -> DemoSummary:
    from rapport.core.models import Team

    return DemoSummary(
        workspace=workspace,
        created=created,
        workspaces=Workspace.objects.filter(slug__in=[DEMO_SLUG, SECOND_SLUG]).count(),
        members=Membership.objects.for_workspace(workspace).count(),
        teams=Team.objects.for_workspace(workspace).count(),
    )


def load_demo(size: str = "small") -> DemoSummary:
    sizing = SIZES[size]
    with transaction.atomic():
        owner = demo_user()
        existing = Workspace.objects.filter(slug=DEMO_SLUG).first()
        if existing is not None:
            return _summary(existing, created=False)
        workspace = do_create_workspace(
            name=NORDLICHT.name, owner=owner, slug=DEMO_SLUG, languages=list(LANGUAGES)
        )
        actor = Actor(
            workspace=workspace,
            membership=Membership.objects.for_workspace(workspace).get(user=owner),
        )
        do_update_workspace(actor, timezone="Europe/Berlin", default_language="en")
        _staff(actor, sizing)

        load_contacts(workspace, sizing.contacts)
        load_enrichment(workspace)
        load_commerce(workspace)
        do_create_source(actor, name="Nordlicht web shop", kind="website")
        do_create_source(actor, name="Order backend", kind="server")
        load_listening(actor)

        # A second brand of the same company, where the demo user is an admin.
        tea_owner = User.objects.filter(email="kasia@nordlicht.example").get()
        tea = do_create_workspace(
            name="Nordlicht Tea", owner=tea_owner, slug=SECOND_SLUG, languages=["en", "de"]
        )
        tea_actor = Actor(
            workspace=tea, membership=Membership.objects.for_workspace(tea).get(user=tea_owner)
        )
        do_add_member(tea_actor, email=DEMO_EMAIL, role=Role.ADMIN.value)
    return _summary(workspace, created=True)

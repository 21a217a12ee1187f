"""Load the demo workspace and its people."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from rapport.core.actions.workspaces import do_create_workspace
from rapport.core.models import User, Workspace

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo login
DEMO_SLUG = "nordlicht"


@dataclass(frozen=True)
class DemoSummary:
    workspace: Workspace
    created: bool


def demo_user() -> User:
    user = User.objects.filter(email=DEMO_EMAIL).first()
    if user is None:
        user = User(email=DEMO_EMAIL, username=DEMO_EMAIL, full_name="Demo Owner")
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def load_demo(size: str = "small") -> DemoSummary:
    with transaction.atomic():
        owner = demo_user()
        existing = Workspace.objects.filter(slug=DEMO_SLUG).first()
        if existing is not None:
            return DemoSummary(workspace=existing, created=False)
        workspace = do_create_workspace(
            name="Nordlicht Coffee",
            owner=owner,
            slug=DEMO_SLUG,
            languages=["en", "pl", "ru", "nl", "de"],
        )
    return DemoSummary(workspace=workspace, created=True)

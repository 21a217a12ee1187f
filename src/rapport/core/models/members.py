"""Users, their memberships (a role in a workspace) and teams."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from .tenancy import WorkspaceOwned


class User(AbstractUser):
    """A person who logs in. Identified by email; ``username`` mirrors it."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    locale = models.CharField(max_length=8, default="en")

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]

    @property
    def initials(self) -> str:
        parts = self.display_name.split()
        return "".join(p[0] for p in parts[:2]).upper() or "?"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    AGENT = "agent", "Agent"
    MARKETER = "marketer", "Marketer"
    ANALYST = "analyst", "Analyst"


class Membership(WorkspaceOwned):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(WorkspaceOwned.Meta):
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workspace", "user"], name="uniq_membership")
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Team(WorkspaceOwned):
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=240, blank=True)
    members = models.ManyToManyField(Membership, through="TeamMembership", related_name="teams")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(WorkspaceOwned.Meta):
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workspace", "name"], name="uniq_team_name")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMembership(WorkspaceOwned):
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE)

    class Meta(WorkspaceOwned.Meta):
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["team", "membership"], name="uniq_team_member")
        ]

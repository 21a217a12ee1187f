"""Who is acting: a member through the UI, a member's API token, or the system."""

from __future__ import annotations

from dataclasses import dataclass

from .models import ApiToken, Membership, Workspace
from .permissions import SCOPE_FOR, Forbidden, Perm, role_allows


@dataclass(frozen=True)
class Actor:
    workspace: Workspace
    membership: Membership | None = None
    token: ApiToken | None = None

    @classmethod
    def system(cls, workspace: Workspace) -> Actor:
        return cls(workspace=workspace)

    @property
    def is_system(self) -> bool:
        return self.membership is None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def label(self) -> str:
        if self.membership is None:
            return "system"
        who = self.membership.user.email
        return f"{who} via token {self.token.prefix}" if self.token else who

    def can(self, perm: Perm) -> bool:
        if self.membership is None:
            return True
        if not role_allows(self.membership.role, perm):
            return False
        if self.token is not None:
            scope = SCOPE_FOR.get(perm)
            return scope is not None and scope in self.token.scopes
        return True

    def require(self, perm: Perm) -> None:
        if not self.can(perm):
            if self.token is not None and role_allows(self.membership.role, perm):  # type: ignore[union-attr]
                raise Forbidden(perm, f"This token lacks the scope for '{perm}'.")
            raise Forbidden(perm)

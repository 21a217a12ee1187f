"""Core models, one module per concept; imported here so Django finds them."""

from .audit import AuditEntry
from .members import Membership, Role, Team, TeamMembership, User
from .tenancy import Workspace, WorkspaceOwned, WorkspaceScopeError
from .throttle import LoginThrottle
from .tokens import ApiToken, Scope

__all__ = [
    "ApiToken",
    "AuditEntry",
    "LoginThrottle",
    "Membership",
    "Role",
    "Scope",
    "Team",
    "TeamMembership",
    "User",
    "Workspace",
    "WorkspaceOwned",
    "WorkspaceScopeError",
]

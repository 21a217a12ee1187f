"""Adding people to a workspace, changing their role, removing them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from ..actor import Actor
from ..audit import record
from ..errors import Conflict, DomainError
from ..events import Event, publish
from ..models import Membership, Role, User
from ..permissions import Forbidden, Perm, can_grant


def _check_role(actor: Actor, role: str) -> Role:
    try:
        parsed = Role(role)
    except ValueError as exc:
        raise DomainError(f"Unknown role '{role}'.", field="role") from exc
    if actor.role is not None and not can_grant(actor.role, parsed):
        raise Forbidden(Perm.MEMBERS_MANAGE, f"A {actor.role} cannot grant the {parsed} role.")
    return parsed


def _owners_left(membership: Membership) -> int:
    return (
        Membership.objects.for_workspace(membership.workspace_id)
        .filter(role=Role.OWNER)
        .exclude(pk=membership.pk)
        .count()
    )


def do_add_member(actor: Actor, *, email: str, role: str, full_name: str = "") -> Membership:
    """Add a person by email; a new person gets an account with no usable password
    (they set one through the password-reset mail)."""
    actor.require(Perm.MEMBERS_MANAGE)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(f"'{email}' is not an email address.", field="email") from exc
    parsed = _check_role(actor, role)
    with transaction.atomic():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, username=email, full_name=full_name.strip()[:150])
            user.set_unusable_password()
            user.save()
        elif Membership.objects.for_workspace(actor.workspace).filter(user=user).exists():
            raise Conflict(f"{email} is already a member.", field="email")
        membership = Membership.objects.create(workspace=actor.workspace, user=user, role=parsed)
        record(actor, "member.add", membership, after={"email": email, "role": parsed.value})
        publish(Event.MEMBER_ADDED, actor.workspace.pk, membership_id=membership.pk)
    return membership


def do_change_role(actor: Actor, membership: Membership, *, role: str) -> Membership:
    actor.require(Perm.MEMBERS_MANAGE)
    parsed = _check_role(actor, role)
    if actor.role is not None and not can_grant(actor.role, membership.role):
        raise Forbidden(Perm.MEMBERS_MANAGE, f"A {actor.role} cannot change an {membership.role}.")
    with transaction.atomic():
        locked = (
            Membership.objects.for_workspace(actor.workspace)
            .select_for_update()
            .get(pk=membership.pk)
        )
        before = locked.role
        if before == parsed:
            return locked
        if before == Role.OWNER and _owners_left(locked) == 0:
            raise Conflict("A workspace needs at least one owner.", field="role")
        locked.role = parsed
        locked.save(update_fields=["role"])
        record(actor, "member.role", locked, before={"role": before}, after={"role": parsed.value})
        publish(
            Event.MEMBER_ROLE_CHANGED,
            actor.workspace.pk,
            membership_id=locked.pk,
            role=parsed.value,
        )
    return locked


def do_remove_member(actor: Actor, membership: Membership) -> None:
    actor.require(Perm.MEMBERS_MANAGE)
    if actor.role is not None and not can_grant(actor.role, membership.role):
        raise Forbidden(Perm.MEMBERS_MANAGE, f"A {actor.role} cannot remove an {membership.role}.")
    with transaction.atomic():
        if membership.role == Role.OWNER and _owners_left(membership) == 0:
            raise Conflict("A workspace needs at least one owner.")
        record(
            actor,
            "member.remove",
            membership,
            before={"email": membership.user.email, "role": membership.role},
        )
        member_id = membership.pk
        membership.delete()
        publish(Event.MEMBER_REMOVED, actor.workspace.pk, membership_id=member_id)

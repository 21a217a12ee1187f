"""Workspace policies for contacts: how long inactive people are kept (retention)
and when they count as lapsed (lifecycle)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from rapport.contacts import queries
from rapport.contacts.actions.privacy import do_set_lifecycle_policy, do_set_retention
from rapport.core.permissions import Perm

from .auth import actor_of
from .guard import guarded
from .schemas import ERRORS, StrictIn

router = Router(tags=["contacts"])


class PoliciesOut(Schema):
    retention_months: int = Field(description="erase contacts inactive this long (0 = keep)")
    lapsed_after_days: int
    cadence_factor: float = Field(description="repeat customers lapse at this × their gap")


class RetentionIn(StrictIn):
    inactive_months: int = Field(ge=0, le=1200)


class LifecycleIn(StrictIn):
    lapsed_after_days: int = Field(ge=1, le=3650)
    cadence_factor: float = Field(ge=0, le=50)


def _policies(request: HttpRequest) -> PoliciesOut:
    actor = actor_of(request)
    policy = queries.lifecycle_policy(actor)
    return PoliciesOut(
        retention_months=queries.retention_months(actor),
        lapsed_after_days=policy.lapsed_after_days,
        cadence_factor=policy.cadence_factor,
    )


@router.get(
    "/contacts/policies", response={200: PoliciesOut, **ERRORS}, **guarded(Perm.CONTACTS_VIEW)
)
def get_policies(request: HttpRequest) -> PoliciesOut:
    return _policies(request)


@router.put(
    "/contacts/policies/retention",
    response={200: PoliciesOut, **ERRORS},
    summary="Erase contacts inactive for this many months, daily (0 keeps everyone)",
    **guarded(Perm.CONTACTS_ERASE),
)
def put_retention(request: HttpRequest, body: RetentionIn) -> PoliciesOut:
    do_set_retention(actor_of(request), inactive_months=body.inactive_months)
    return _policies(request)


@router.put(
    "/contacts/policies/lifecycle",
    response={200: PoliciesOut, **ERRORS},
    summary="When contacts count as lapsed",
    **guarded(Perm.WORKSPACE_MANAGE),
)
def put_lifecycle(request: HttpRequest, body: LifecycleIn) -> PoliciesOut:
    do_set_lifecycle_policy(
        actor_of(request),
        lapsed_after_days=body.lapsed_after_days,
        cadence_factor=body.cadence_factor,
    )
    return _policies(request)

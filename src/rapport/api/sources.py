"""Event sources and their write keys."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from rapport.core.permissions import Perm
from rapport.tracking.actions import do_create_source, do_rotate_write_key, do_set_source_enabled
from rapport.tracking.facade import access_source, list_sources
from rapport.tracking.models import Source, SourceKind

from .auth import actor_of
from .guard import guarded
from .schemas import ERRORS, StrictIn

router = Router(tags=["sources"])


class SourceIn(StrictIn):
    name: str = Field(min_length=1, max_length=80)
    kind: SourceKind


class SourcePatch(StrictIn):
    enabled: bool


class SourceOut(Schema):
    id: int
    name: str
    kind: str
    write_key: str
    enabled: bool
    previous_valid_until: datetime | None
    created_at: datetime
    rotated_at: datetime | None

    @staticmethod
    def of(source: Source) -> SourceOut:
        return SourceOut(
            id=source.pk,
            name=source.name,
            kind=source.kind,
            write_key=source.write_key,
            enabled=source.enabled,
            previous_valid_until=source.previous_valid_until,
            created_at=source.created_at,
            rotated_at=source.rotated_at,
        )


@router.get("", response={200: list[SourceOut], **ERRORS}, **guarded(Perm.SOURCES_VIEW))
def get_sources(request: HttpRequest) -> list[SourceOut]:
    return [SourceOut.of(s) for s in list_sources(actor_of(request))]


@router.post("", response={201: SourceOut, **ERRORS}, **guarded(Perm.SOURCES_MANAGE))
def create_source(request: HttpRequest, body: SourceIn) -> Status[SourceOut]:
    source = do_create_source(actor_of(request), name=body.name, kind=body.kind.value)
    return Status(201, SourceOut.of(source))


@router.get("/{source_id}", response={200: SourceOut, **ERRORS}, **guarded(Perm.SOURCES_VIEW))
def get_source(request: HttpRequest, source_id: int) -> SourceOut:
    return SourceOut.of(access_source(actor_of(request), source_id))


@router.patch("/{source_id}", response={200: SourceOut, **ERRORS}, **guarded(Perm.SOURCES_MANAGE))
def patch_source(request: HttpRequest, source_id: int, body: SourcePatch) -> SourceOut:
    actor = actor_of(request)
    return SourceOut.of(
        do_set_source_enabled(actor, access_source(actor, source_id), enabled=body.enabled)
    )


@router.post(
    "/{source_id}/rotate",
    response={200: SourceOut, **ERRORS},
    summary="A new write key; the previous one keeps working for 24 hours",
    **guarded(Perm.SOURCES_MANAGE),
)
def rotate_source(request: HttpRequest, source_id: int) -> SourceOut:
    actor = actor_of(request)
    return SourceOut.of(do_rotate_write_key(actor, access_source(actor, source_id)))

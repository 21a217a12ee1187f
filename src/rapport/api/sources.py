"""Event sources and their write keys; the workspace's tracking settings."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from rapport.core.permissions import Perm
from rapport.tracking.actions import (
    do_create_source,
    do_rotate_write_key,
    do_set_source_enabled,
    do_update_tracking_settings,
)
from rapport.tracking.facade import access_source, list_sources, tracking_settings
from rapport.tracking.models import Source, SourceKind, TrackingSettings

from .auth import actor_of
from .guard import guarded
from .schemas import ERRORS, StrictIn

router = Router(tags=["sources"])
# Mounted at /tracking-settings: one object per workspace, beside its sources.
settings_router = Router(tags=["sources"])


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


class TrackingSettingsBody(StrictIn):
    require_consent: bool = Field(description="rapport.js sends nothing until the visitor consents")
    respect_dnt: bool = Field(
        description="rapport.js sends nothing when the browser says Do-Not-Track"
    )
    store_ip: bool = Field(
        description="keep the raw IP address on events (the country is kept anyway)"
    )
    cart_abandoned_after_minutes: int = Field(ge=1, le=43_200)
    long_absence_days: int = Field(ge=1, le=3_650)


class TrackingSettingsOut(Schema):
    require_consent: bool
    respect_dnt: bool
    store_ip: bool
    cart_abandoned_after_minutes: int
    long_absence_days: int

    @staticmethod
    def of(prefs: TrackingSettings) -> TrackingSettingsOut:
        return TrackingSettingsOut.model_validate(prefs, from_attributes=True)


@settings_router.get(
    "",
    response={200: TrackingSettingsOut, **ERRORS},
    summary="How tracking behaves in this workspace (consent, Do-Not-Track, IP, timings)",
    **guarded(Perm.SOURCES_VIEW),
)
def get_tracking_settings(request: HttpRequest) -> TrackingSettingsOut:
    return TrackingSettingsOut.of(tracking_settings(actor_of(request)))


@settings_router.put(
    "",
    response={200: TrackingSettingsOut, **ERRORS},
    summary="Replace the tracking settings",
    **guarded(Perm.SOURCES_MANAGE),
)
def put_tracking_settings(request: HttpRequest, body: TrackingSettingsBody) -> TrackingSettingsOut:
    return TrackingSettingsOut.of(
        do_update_tracking_settings(actor_of(request), **body.model_dump())
    )

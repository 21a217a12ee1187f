"""A contact's enrichment: every value with its provenance, the influence score and
each provider's state; and asking the providers again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from rapport.contacts import queries
from rapport.core.permissions import Perm
from rapport.enrichment import facade

from .auth import actor_of
from .guard import guarded
from .schemas import ERRORS

router = Router(tags=["enrichment"])


class EnrichedValueOut(Schema):
    provider: str
    field: str
    value: Any
    fetched_at: datetime
    expires_at: datetime
    expired: bool
    lawful_basis: str
    source_ref: str
    identity_id: int | None


class InfluenceOut(Schema):
    score: int
    followers: int
    networks: int
    engagement_rate: float
    reach: float
    engagement: float
    breadth: float


class ProviderStateOut(Schema):
    provider: str
    label: str
    pending: bool
    error: str
    error_at: datetime | None
    retry_at: datetime | None


class EnrichmentOut(Schema):
    values: list[EnrichedValueOut]
    influence: InfluenceOut | None
    providers: list[ProviderStateOut]


class RefreshOut(Schema):
    queued: int
    network_enabled: bool


@router.get(
    "/contacts/{contact_id}/enrichment",
    response={200: EnrichmentOut, **ERRORS},
    **guarded(Perm.CONTACTS_VIEW),
)
def get_enrichment(request: HttpRequest, contact_id: int) -> EnrichmentOut:
    actor = actor_of(request)
    contact = queries.access_contact(actor, contact_id)
    panel = facade.panel(actor, contact.pk)
    return EnrichmentOut(
        values=[
            EnrichedValueOut(
                provider=v.provider,
                field=v.field,
                value=v.value,
                fetched_at=v.fetched_at,
                expires_at=v.expires_at,
                expired=v.expires_at < panel.now,
                lawful_basis=v.lawful_basis,
                source_ref=v.source_ref,
                identity_id=v.identity_id,
            )
            for v in panel.values
        ],
        influence=InfluenceOut(**vars(panel.influence)) if panel.influence else None,
        providers=[
            ProviderStateOut(
                provider=p.name,
                label=p.label,
                pending=p.pending,
                error=p.error,
                error_at=p.error_at,
                retry_at=p.retry_at,
            )
            for p in panel.providers
        ],
    )


@router.post(
    "/contacts/{contact_id}/enrichment/refresh",
    response={202: RefreshOut, **ERRORS},
    summary="Ask every network provider about this contact again (in the background)",
    **guarded(Perm.CONTACTS_MANAGE),
)
def refresh_enrichment(request: HttpRequest, contact_id: int) -> Status[RefreshOut]:
    actor = actor_of(request)
    contact = queries.access_contact(actor, contact_id)
    queued = facade.refresh(actor, contact.pk)
    return Status(202, RefreshOut(queued=queued, network_enabled=facade.network_enabled()))

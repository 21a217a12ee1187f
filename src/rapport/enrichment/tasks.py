"""Background work of enrichment: drain the rate-limited queue, refresh what expired."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from rapport.contacts.facade import contacts_created_since
from rapport.jobs.schedule import periodic

from .models import EnrichedValue, EnrichmentRequest, RequestStatus
from .runner import network_enabled, queued_providers, request_enrichment, run_queue


@task()
def run_enrichment_queue() -> dict[str, int]:
    report = run_queue()
    return vars(report)


@periodic(every=timedelta(minutes=5), name="enrichment.queue")
@task()
def drain_enrichment_queue() -> dict[str, int]:
    """Requests that waited for a rate-limit window or a retry go out here."""
    if not EnrichmentRequest.unscoped.filter(
        status=RequestStatus.PENDING, not_before__lte=timezone.now()
    ).exists():
        return {}
    return vars(run_queue())


@periodic(every=timedelta(hours=1), name="enrichment.refresh")
@task()
def refresh_expired_enrichment() -> int:
    """Expired values of network providers are asked for again, in the background."""
    if not network_enabled():
        return 0
    names = [p.name for p in queued_providers()]
    stale = (
        EnrichedValue.unscoped.filter(expires_at__lt=timezone.now(), provider__in=names)
        .values_list("workspace_id", "contact_id", "provider")
        .distinct()[:1000]
    )
    return sum(request_enrichment(ws, contact, [provider]) for ws, contact, provider in stale)


@periodic(every=timedelta(hours=1), name="enrichment.newcomers")
@task()
def enrich_newcomers(most: int = 5_000) -> int:
    """Contacts made by imports and event streams publish no per-contact event:
    newcomers of the last day that no provider was asked about are queued here, up
    to ``most`` a run (the rate limits would not get through more in an hour)."""
    if not network_enabled():
        return 0
    since, after, queued = timezone.now() - timedelta(days=1), 0, 0
    while queued < most:
        page = contacts_created_since(since, after_id=after, limit=2_000)
        if not page:
            break
        after = page[-1][1]
        asked = set(
            EnrichmentRequest.unscoped.filter(contact_id__in=[c for _, c in page])
            .values_list("contact_id", flat=True)
            .distinct()
        )
        fresh = [(ws, c) for ws, c in page if c not in asked][: most - queued]
        queued += len(fresh)
        for ws, contact in fresh:
            request_enrichment(ws, contact)
    return queued

"""The rate-limited queue: which providers to ask about whom, and asking them.

Each provider declares its limit; all providers sharing an API (``rate_key``) share
one window. When a window is used up, the provider's pending requests wait for the
next one; a 429 blocks the provider until its ``Retry-After``. A failure is
recorded on the request and on the provider's health and retried with backoff
(three attempts); it never stops other providers or other contacts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from rapport.contacts import facade as contacts

from .models import EnrichmentRequest, ProviderHealth, RateWindow, RequestStatus
from .providers import provider_class
from .providers.base import IdentityRef, Provider, ProviderError, Subject, provider_classes
from .store import current_facts, save_facts

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


def network_enabled() -> bool:
    return bool(settings.RAPPORT_ENRICHMENT["NETWORK"])


def queued_providers() -> list[type[Provider]]:
    return [p for p in provider_classes() if p.queued]


def request_enrichment(
    workspace_id: int, contact_id: int, providers: list[str] | None = None
) -> int:
    """Queue the providers (all queued ones by default) for a contact. Returns how
    many requests were added; one already pending for a provider is kept."""
    if not network_enabled():
        return 0
    names = providers or [p.name for p in queued_providers()]
    now, added = timezone.now(), 0
    for name in names:
        if provider_class(name) is None:
            continue
        try:
            with transaction.atomic():
                _, created = EnrichmentRequest.objects.for_workspace(workspace_id).get_or_create(
                    contact_id=contact_id,
                    provider=name,
                    status=RequestStatus.PENDING,
                    defaults={"workspace_id": workspace_id, "not_before": now},
                )
        except IntegrityError:  # a concurrent request won the race: one is pending
            created = False
        added += int(created)
    if added:
        from rapport.jobs.facade import enqueue_once

        from .tasks import run_enrichment_queue

        enqueue_once(run_enrichment_queue, "enrichment:queue")
    return added


def rate_key(provider: type[Provider]) -> str:
    return provider.rate_key or provider.name


def acquire(provider: type[Provider], now: datetime) -> datetime | None:
    """Take one request from the provider's window: None when granted, else the
    time the next request may go out."""
    limit = provider.effective_rate_limit()
    if limit is None:
        return None
    with transaction.atomic():
        window, _ = RateWindow.objects.select_for_update().get_or_create(
            provider=rate_key(provider), defaults={"window_start": now}
        )
        if window.blocked_until and window.blocked_until > now:
            return window.blocked_until
        if now - window.window_start >= limit.per:
            window.window_start, window.used = now, 0
        if window.used >= limit.requests:
            return window.window_start + limit.per
        window.used += 1
        window.save(update_fields=["window_start", "used"])
    return None


def _block(provider: type[Provider], until: datetime) -> None:
    RateWindow.objects.filter(provider=rate_key(provider)).update(blocked_until=until)


def subject_for(request: EnrichmentRequest) -> Subject | None:
    person = contacts.enrichment_subject(request.workspace_id, request.contact_id)
    if person is None:
        return None
    return Subject(
        workspace_id=request.workspace_id,
        contact_id=request.contact_id,
        city=person.city,
        country=person.country,
        identities=[IdentityRef(i.id, i.kind, i.value) for i in person.identities],
        facts=current_facts(request.workspace_id, request.contact_id),
    )


@dataclass
class RunReport:
    done: int = 0
    skipped: int = 0
    failed: int = 0
    deferred: int = 0
    retrying: int = 0


def _health(provider: str, now: datetime, error: str = "") -> None:
    health, _ = ProviderHealth.objects.get_or_create(provider=provider)
    if error:
        health.last_error, health.last_error_at = error[:500], now
        health.consecutive_failures += 1
    else:
        health.last_success_at, health.consecutive_failures = now, 0
    health.save()


def run_queue(
    *, limit: int = 200, transport: httpx.BaseTransport | None = None, now: datetime | None = None
) -> RunReport:
    report = RunReport()
    now = now or timezone.now()
    due = list(
        EnrichmentRequest.unscoped.filter(
            status=RequestStatus.PENDING, not_before__lte=now
        ).order_by("id")[:limit]
    )
    waiting: dict[str, datetime] = {}
    for request in due:
        provider = provider_class(request.provider)
        if provider is None:
            _finish(request, RequestStatus.FAILED, now, "no such provider")
            report.failed += 1
            continue
        if request.provider in waiting:
            report.deferred += 1
            continue
        subject = subject_for(request)
        if subject is None:  # erased, or merged into another contact meanwhile
            _finish(request, RequestStatus.SKIPPED, now, "the contact is gone")
            report.skipped += 1
            continue
        if not provider.applies(subject):  # nothing to ask: no rate-limited call spent
            _finish(request, RequestStatus.SKIPPED, now, "")
            report.skipped += 1
            continue
        next_at = acquire(provider, now)
        if next_at is not None:
            waiting[request.provider] = next_at
            report.deferred += 1
            continue
        try:
            facts = provider(transport).lookup(subject)
        except Exception as exc:  # a provider's failure is its own, never the caller's
            _failed(request, provider, exc, now, report)
            continue
        if facts:
            save_facts(request.workspace_id, request.contact_id, provider, facts, now)
        _health(provider.name, now)
        _finish(request, RequestStatus.DONE if facts else RequestStatus.SKIPPED, now, "")
        report.done += bool(facts)
        report.skipped += not facts
    for name, next_at in waiting.items():
        EnrichmentRequest.unscoped.filter(
            status=RequestStatus.PENDING, provider=name, not_before__lt=next_at
        ).update(not_before=next_at)
    return report


def _failed(
    request: EnrichmentRequest,
    provider: type[Provider],
    exc: Exception,
    now: datetime,
    report: RunReport,
) -> None:
    """Record the failure where people see it; retry with backoff, or give up."""
    if not isinstance(exc, ProviderError):
        logger.exception("enrichment provider %s crashed", provider.name)
    message = str(exc) or type(exc).__name__
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        _block(provider, now + timedelta(seconds=retry_after))
    _health(provider.name, now, message)
    request.attempts += 1
    if request.attempts >= MAX_ATTEMPTS:
        _finish(request, RequestStatus.FAILED, now, message)
        report.failed += 1
    else:
        delay = timedelta(seconds=retry_after or 60 * 4**request.attempts)
        request.not_before, request.error = now + delay, message[:500]
        request.save(update_fields=["attempts", "not_before", "error"])
        report.retrying += 1


def _finish(request: EnrichmentRequest, status: str, now: datetime, error: str) -> None:
    request.status, request.finished_at, request.error = status, now, error[:500]
    request.save(update_fields=["status", "finished_at", "error", "attempts"])

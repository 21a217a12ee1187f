"""What other apps use from enrichment: feed it signals (a user agent, an IP, a
social profile), ask for a refresh, and read a contact's enrichment panel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from rapport.core.actor import Actor
from rapport.core.permissions import Perm

from . import runner
from .influence import Influence, influence
from .models import EnrichedValue, EnrichmentRequest, ProviderHealth, RateWindow, RequestStatus
from .providers import device
from .providers.base import Subject, provider_class, provider_classes
from .providers.social import SocialProfile, profile_fact
from .runner import request_enrichment
from .store import current_facts, current_values, save_facts


def enrich_from_signals(
    workspace_id: int,
    contact_id: int,
    *,
    user_agent: str = "",
    ip: str = "",
    identity_id: int | None = None,
) -> list[EnrichedValue]:
    """Device from a user agent and country / network from an IP, right away (both
    are local lookups). The IP itself is not kept; the source is its network."""
    now = timezone.now()
    subject = Subject(
        workspace_id, contact_id, facts={"signal.user_agent": user_agent, "signal.ip": ip}
    )
    saved: list[EnrichedValue] = []
    for provider in (device.UserAgent, device.GeoIP):
        facts = [
            type(f)(f.field, f.value, f.source_ref, identity_id) for f in provider().lookup(subject)
        ]
        if facts:
            saved += save_facts(workspace_id, contact_id, provider, facts, now)
    if any(v.provider == "geoip" for v in saved):
        known = current_facts(workspace_id, contact_id)
        if "location.place" not in known:
            request_enrichment(workspace_id, contact_id, ["location", "weather"])
    return saved


def record_social_profile(
    workspace_id: int, contact_id: int, profile: SocialProfile, identity_id: int | None = None
) -> EnrichedValue:
    """A connector saw a profile (followers, engagement): keep it with provenance."""
    social = provider_class("social")
    assert social is not None  # registered on import of .providers
    (row,) = save_facts(
        workspace_id, contact_id, social, [profile_fact(profile, identity_id)], timezone.now()
    )
    return row


def refresh(actor: Actor, contact_id: int) -> int:
    """An agent asks for fresh enrichment of one contact."""
    actor.require(Perm.CONTACTS_MANAGE)
    return request_enrichment(actor.workspace.pk, contact_id)


@dataclass
class ProviderState:
    name: str
    label: str
    pending: bool = False
    error: str = ""
    error_at: datetime | None = None
    retry_at: datetime | None = None


@dataclass
class Panel:
    values: list[EnrichedValue]
    influence: Influence | None
    avatar_url: str
    providers: list[ProviderState] = field(default_factory=list)
    now: datetime = field(default_factory=timezone.now)


def panel(actor: Actor, contact_id: int) -> Panel:
    """The contact page's enrichment section: values with their sources, the
    influence score, and each provider's state (pending, failing) for this contact."""
    actor.require(Perm.CONTACTS_VIEW)
    ws = actor.workspace.pk
    values = current_values(ws, contact_id)
    profiles = [v.value for v in values if v.provider == "social" and isinstance(v.value, dict)]
    avatar = next(
        (str(v.value) for v in values if v.provider == "gravatar" and v.field == "avatar_url"), ""
    )
    states: dict[str, ProviderState] = {}
    for request in (
        EnrichmentRequest.objects.for_workspace(ws).filter(contact_id=contact_id).order_by("id")
    ):
        cls = provider_class(request.provider)
        state = states.setdefault(
            request.provider,
            ProviderState(request.provider, cls.label if cls else request.provider),
        )
        state.pending = request.status == RequestStatus.PENDING
        if request.error:
            state.error, state.error_at = request.error, request.finished_at
            state.retry_at = request.not_before if state.pending else None
        elif request.status in (RequestStatus.DONE, RequestStatus.SKIPPED):
            state.error, state.error_at, state.retry_at = "", None, None
    return Panel(values, influence(profiles), avatar, list(states.values()))


@dataclass
class ProviderStatus:
    """One provider on the status page: its limit, how much of its window is used,
    whether it is blocked, and its last success and failure (deployment-wide)."""

    name: str
    label: str
    network: bool
    limit: str
    used: int | None
    blocked_until: datetime | None
    health: ProviderHealth | None
    pending: int


def provider_status(actor: Actor) -> list[ProviderStatus]:
    actor.require(Perm.JOBS_VIEW)
    health = {h.provider: h for h in ProviderHealth.objects.all()}
    windows = {w.provider: w for w in RateWindow.objects.all()}
    pending = dict(
        EnrichmentRequest.objects.for_workspace(actor.workspace)
        .filter(status=RequestStatus.PENDING)
        .values_list("provider")
        .annotate(n=Count("id"))
        .values_list("provider", "n")
    )
    now, out = timezone.now(), []
    for cls in provider_classes():
        limit = cls.effective_rate_limit()
        window = windows.get(runner.rate_key(cls))
        fresh = window is not None and limit is not None and now - window.window_start < limit.per
        blocked = window.blocked_until if window and window.blocked_until and (
            window.blocked_until > now) else None  # fmt: skip
        out.append(
            ProviderStatus(
                name=cls.name,
                label=cls.label,
                network=cls.queued,
                limit=f"{limit.requests:,} per {_period(limit.per)}" if limit else "no limit",
                used=window.used if fresh and window else None,
                blocked_until=blocked,
                health=health.get(cls.name),
                pending=pending.get(cls.name, 0),
            )
        )
    return out


def _period(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for size, name in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if seconds % size == 0:
            count = seconds // size
            return name if count == 1 else f"{count} {name}s"
    return f"{seconds} s"


def network_enabled() -> bool:
    """Whether providers that call out to the network run on this server."""
    return runner.network_enabled()

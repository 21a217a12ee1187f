"""What a provider is: a registered class that turns what we know about a contact
(its identities, its city, earlier facts) into new facts, each with provenance."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar

import httpx
from django.conf import settings

from rapport.enrichment.models import LawfulBasis


class ProviderError(Exception):
    """A provider could not answer. Recorded and shown; never breaks anything else."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RateLimit:
    requests: int
    per: timedelta


@dataclass(frozen=True)
class IdentityRef:
    id: int
    kind: str
    value: str


@dataclass
class Subject:
    """Everything a provider may read about one contact."""

    workspace_id: int
    contact_id: int
    city: str = ""
    country: str = ""
    identities: list[IdentityRef] = field(default_factory=list)
    # Current facts by "provider.field", so one provider can build on another's.
    facts: dict[str, Any] = field(default_factory=dict)

    def of_kind(self, *kinds: str) -> list[IdentityRef]:
        return [i for i in self.identities if i.kind in kinds]


@dataclass(frozen=True)
class Fact:
    field: str
    value: Any
    source_ref: str = ""
    identity_id: int | None = None


class Provider(ABC):
    """Subclasses set the class attributes and implement ``lookup``.

    ``queued`` providers call the network and run through the rate-limited queue;
    the others (user agent, IP) are local and run inline when a signal arrives.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    ttl: ClassVar[timedelta] = timedelta(days=30)
    lawful_basis: ClassVar[str] = LawfulBasis.LEGITIMATE_INTEREST
    rate_limit: ClassVar[RateLimit | None] = None
    # Providers calling the same API share one window under this key (default: name).
    rate_key: ClassVar[str] = ""
    queued: ClassVar[bool] = True

    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        # Injectable so tests and deployments can route requests (a fake server,
        # a proxy) without the provider knowing.
        self.transport = transport

    @classmethod
    def effective_rate_limit(cls) -> RateLimit | None:
        """The limit that applies with this deployment's settings (an API key may
        buy a higher one)."""
        return cls.rate_limit

    def client(self, base_url: str) -> httpx.Client:
        return httpx.Client(
            base_url=base_url,
            transport=self.transport,
            timeout=httpx.Timeout(5.0, connect=3.0),
            follow_redirects=False,
            headers={"User-Agent": "Rapport enrichment (+https://github.com/rapport-crm)"},
        )

    @classmethod
    def applies(cls, subject: Subject) -> bool:
        """Whether there is anything to look up, checked before a rate-limited request
        is spent: a contact without an email costs Gravatar nothing."""
        return True

    @abstractmethod
    def lookup(self, subject: Subject) -> list[Fact]:
        """Facts about the subject; [] when there is nothing to look up."""


MAX_BODY = 1_000_000


def setting(key: str) -> str:
    """A string from ``settings.RAPPORT_ENRICHMENT`` (URLs and keys)."""
    return str(settings.RAPPORT_ENRICHMENT[key])


def get_json(client: httpx.Client, url: str, **params: Any) -> Any:
    """GET a JSON document; 404 is None; other failures raise ProviderError."""
    try:
        with client.stream("GET", url, params=params or None) as response:
            if response.status_code == 404:
                return None
            if response.status_code == 429:
                retry = response.headers.get("Retry-After", "")
                raise ProviderError(
                    "rate limited by the provider (HTTP 429)",
                    retry_after=float(retry) if retry.isdigit() else 3600.0,
                )
            if response.status_code >= 400:
                raise ProviderError(f"HTTP {response.status_code} from {response.url.host}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BODY:
                    raise ProviderError("response larger than 1 MB")
    except httpx.HTTPError as exc:
        raise ProviderError(f"{type(exc).__name__}: {exc}") from exc
    try:
        return httpx.Response(200, content=bytes(body)).json()
    except ValueError as exc:
        raise ProviderError("the provider answered with something that is not JSON") from exc


def safe_url(url: Any) -> str:
    """A link we may show an agent: http(s) only, so no ``javascript:`` ever lands
    in an href, whatever a provider sends."""
    text = str(url or "").strip()[:300]
    return text if text.lower().startswith(("https://", "http://")) else ""


_registry: dict[str, type[Provider]] = {}


def register(cls: type[Provider]) -> type[Provider]:
    _registry[cls.name] = cls
    return cls


def provider_classes() -> list[type[Provider]]:
    return list(_registry.values())


def provider_class(name: str) -> type[Provider] | None:
    return _registry.get(name)

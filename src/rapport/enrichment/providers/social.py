"""Social profiles: followers and engagement per network, from whatever connected
networks supply. Listening and channel connectors register a ``ProfileSource`` for
their network; this provider asks each one about the contact's handles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta

from .base import Fact, IdentityRef, Provider, Subject, register, safe_url


@dataclass(frozen=True)
class SocialProfile:
    network: str
    handle: str
    followers: int
    following: int = 0
    posts: int = 0
    # Average interactions (likes, reposts, replies) per post over recent posts.
    interactions_per_post: float = 0.0
    url: str = ""
    verified: bool = False


ProfileSource = Callable[[IdentityRef], SocialProfile | None]
_sources: dict[str, ProfileSource] = {}


def register_source(identity_kind: str, source: ProfileSource) -> None:
    """A network connector tells us it can describe handles of this identity kind."""
    _sources[identity_kind] = source


def unregister_source(identity_kind: str) -> None:
    _sources.pop(identity_kind, None)


def profile_fact(profile: SocialProfile, identity_id: int | None) -> Fact:
    value = {**asdict(profile), "url": safe_url(profile.url)}
    return Fact(f"profile.{profile.network[:40]}", value, value["url"], identity_id)


@register
class SocialProfiles(Provider):
    name = "social"
    label = "Social profiles"
    ttl = timedelta(days=7)

    @classmethod
    def applies(cls, subject: Subject) -> bool:
        return any(i.kind in _sources for i in subject.identities)

    def lookup(self, subject: Subject) -> list[Fact]:
        facts = []
        for identity in subject.identities:
            source = _sources.get(identity.kind)
            if source is None:
                continue
            profile = source(identity)
            if profile is not None:
                facts.append(profile_fact(profile, identity.id))
        return facts

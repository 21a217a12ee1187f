"""Gravatar: a public profile and photo keyed by the SHA-256 of an email address
(REST API v3, ``GET /profiles/{hash}``; 404 when the address has no profile)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from .base import Fact, Provider, RateLimit, Subject, get_json, register, safe_url, setting

# The profile fields kept, by Gravatar's names.
KEPT = ("display_name", "avatar_url", "location", "job_title", "company", "description")


def email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


@register
class Gravatar(Provider):
    name = "gravatar"
    label = "Gravatar"
    ttl = timedelta(days=30)
    # Unauthenticated profile requests are limited to 100 an hour (1,000 with a key).
    rate_limit = RateLimit(requests=100, per=timedelta(hours=1))

    @classmethod
    def effective_rate_limit(cls) -> RateLimit | None:
        # Requests with an API key may make 1,000 an hour.
        if setting("GRAVATAR_API_KEY") and cls.rate_limit is not None:
            return RateLimit(requests=cls.rate_limit.requests * 10, per=cls.rate_limit.per)
        return cls.rate_limit

    @classmethod
    def applies(cls, subject: Subject) -> bool:
        return bool(subject.of_kind("email"))

    def lookup(self, subject: Subject) -> list[Fact]:
        base_url, api_key = setting("GRAVATAR_URL"), setting("GRAVATAR_API_KEY")
        facts: list[Fact] = []
        emails = subject.of_kind("email")[:3]  # one request each against a tight limit
        if not emails:
            return []
        headers = {"Authorization": f"Bearer {api_key}"}
        with self.client(base_url) as client:
            if api_key:
                client.headers.update(headers)
            for identity in emails:
                digest = email_hash(identity.value)
                profile = get_json(client, f"/profiles/{digest}")
                ref = f"{base_url.rstrip('/')}/profiles/{digest}"
                facts += self.facts_from(profile, ref, identity.id)
                if facts:
                    break  # the first address with a profile is the person's
        return facts

    @staticmethod
    def facts_from(profile: Any, ref: str, identity_id: int | None) -> list[Fact]:
        if not isinstance(profile, dict):
            return []
        facts = [
            Fact(key, str(profile[key])[:500], ref, identity_id)
            for key in KEPT
            if isinstance(profile.get(key), str) and profile[key].strip()
        ]
        # The photo is shown as an <img>: only an http(s) address may stay.
        facts = [f for f in facts if f.field != "avatar_url" or safe_url(f.value)]
        accounts = [
            {"service": str(a.get("service_label", ""))[:60], "url": safe_url(a.get("url"))}
            for a in profile.get("verified_accounts") or []
            if isinstance(a, dict) and not a.get("is_hidden") and safe_url(a.get("url"))
        ]
        if accounts:
            facts.append(Fact("verified_accounts", accounts[:10], ref, identity_id))
        return facts

"""Providers by network name. A provider knows how to reach one network (its client),
read its payloads (its parser) and keep its place (the cursor it returns); the
``listen`` command and the source pages find them here."""

from __future__ import annotations

import importlib
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .posts import RawPost


@dataclass(frozen=True, slots=True)
class Fetched:
    """What one step of a source gives: new posts, and the cursor to resume after
    them (stored only once the posts are stored, so a crash re-reads, never skips)."""

    posts: list[RawPost]
    cursor: str
    # What this step could not read, each saying where and why ("line 12: created_at
    # ..."), for the source's page; the step's good posts are not held back by them.
    problems: tuple[str, ...] = ()


class Provider(Protocol):
    """One network. ``config`` is the source's settings as the user saved them
    (instance URL, hashtags, feed URL, credentials); ``cursor`` is where the last
    run stopped ("" the first time)."""

    network: str
    label: str

    def validate(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The config cleaned, or ``ValueError`` with a message a person can act on."""
        ...

    def stream(self, config: Mapping[str, Any], cursor: str) -> AsyncGenerator[Fetched, None]:
        """Posts as they come, each step with its cursor; runs until cancelled.
        Polling providers sleep between polls inside it."""
        ...


_providers: dict[str, Provider] = {}

# The networks Rapport ships a connector for: ``rapport.channels.connectors.<name>``
# registers its provider when imported.
NETWORKS = ("bluesky", "mastodon", "reddit", "x", "rss", "webhook", "jsonl", "replay")


def register(provider: Provider) -> Provider:
    if provider.network in _providers and _providers[provider.network] is not provider:
        raise ValueError(f"a provider for {provider.network!r} is already registered")
    _providers[provider.network] = provider
    return provider


def provider(network: str) -> Provider:
    try:
        return _providers[network]
    except KeyError:
        raise LookupError(f"no provider for {network!r}") from None


def providers() -> dict[str, Provider]:
    return dict(_providers)


def load_providers() -> dict[str, Provider]:
    """Every shipped provider, registered (the web app and ``listen`` call this)."""
    for name in NETWORKS:
        importlib.import_module(f"rapport.channels.connectors.{name}")
    return providers()

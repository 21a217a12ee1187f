"""The webhook as a source the source pages can create: its settings are the signing
secret and the field mapping. Posts arrive through the web app's endpoint, not through
``stream``, which has nothing to poll and only waits."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from rapport.channels.registry import Fetched

from .shape import FieldMapping

MIN_SECRET = 16


class WebhookProvider:
    network = "webhook"
    label = "JSON webhook"

    def validate(self, config: Mapping[str, Any]) -> dict[str, Any]:
        secret = config.get("secret") or secrets.token_urlsafe(32)
        if not isinstance(secret, str) or len(secret) < MIN_SECRET:
            raise ValueError(f"secret must be text of at least {MIN_SECRET} characters")
        mapping = FieldMapping.from_config(config.get("mapping"))
        return {
            "secret": secret,
            "mapping": {"posts": mapping.posts, "fields": dict(mapping.fields)},
        }

    async def stream(self, config: Mapping[str, Any], cursor: str) -> AsyncGenerator[Fetched, None]:
        self.validate(config)
        await asyncio.Event().wait()  # pushed, never polled: wait to be cancelled
        yield Fetched([], cursor)  # pragma: no cover - unreachable; makes this a generator

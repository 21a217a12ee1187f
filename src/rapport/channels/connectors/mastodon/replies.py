"""What a reply answers. A status names its parent by the instance's own id
(``in_reply_to_id``) while posts are known by their URI everywhere, so the parent's
URI is found among the statuses this run has seen, or asked of the instance
(``GET /api/v1/statuses/:id``) and remembered. Lookups share the instance's rate
limit with the timelines, so they get at most a third of it; one that fails or is
refused leaves ``reply_to`` empty for a while: posts are never held back for it."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from rapport.channels.egress import EgressError
from rapport.channels.http import HttpError, RateLimited
from rapport.channels.posts import RawPost

from ..social import bounded_wait

log = logging.getLogger(__name__)
FAILURE_PAUSE_SECONDS = 60.0
# Mastodon allows 300 requests in 5 minutes; the timelines need far fewer than 200.
LOOKUPS_PER_MINUTE = 20


class Parents:
    def __init__(
        self,
        fetch: Callable[[str], Awaitable[object]],
        *,
        size: int = 20_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch  # a status by the instance's id, as JSON
        self._size = size
        self._clock = clock
        self._uris: OrderedDict[str, str] = OrderedDict()  # instance id -> URI ("" unknown)
        self._quiet_until = 0.0
        self._window = (0.0, 0)  # (minute started, lookups in it)

    def saw(self, status_id: str, uri: str) -> None:
        self._remember(status_id, uri)

    async def with_parents(self, posts: list[RawPost]) -> list[RawPost]:
        """``posts`` with ``reply_to`` filled in where the parent can be found."""
        answered = []
        for post in posts:
            parent_id = post.raw.get("in_reply_to_id")
            uri = await self._uri(parent_id) if isinstance(parent_id, str) and parent_id else ""
            answered.append(dataclasses.replace(post, reply_to=uri) if uri else post)
        return answered

    async def _uri(self, status_id: str) -> str:
        if status_id in self._uris:
            self._uris.move_to_end(status_id)
            return self._uris[status_id]
        if self._clock() < self._quiet_until or not status_id.isalnum() or not self._budget():
            return ""
        try:
            status = await self._fetch(status_id)
        except RateLimited as limited:
            self._quiet_until = self._clock() + bounded_wait(limited.retry_after_seconds)
            return ""
        except HttpError as error:
            if error.status == 404:  # deleted, or not visible to us: stop asking
                self._remember(status_id, "")
            else:
                self._quiet_until = self._clock() + FAILURE_PAUSE_SECONDS
            return ""
        except EgressError as error:
            log.info("Mastodon reply parents unavailable for now (%s)", error)
            self._quiet_until = self._clock() + FAILURE_PAUSE_SECONDS
            return ""
        uri = status.get("uri") if isinstance(status, dict) else None
        self._remember(status_id, uri if isinstance(uri, str) else "")
        return self._uris[status_id]

    def _budget(self) -> bool:
        started, spent = self._window
        if self._clock() - started >= 60.0:
            started, spent = self._clock(), 0
        if spent >= LOOKUPS_PER_MINUTE:
            return False
        self._window = (started, spent + 1)
        return True

    def _remember(self, status_id: str, uri: str) -> None:
        self._uris[status_id] = uri
        self._uris.move_to_end(status_id)
        while len(self._uris) > self._size:
            self._uris.popitem(last=False)

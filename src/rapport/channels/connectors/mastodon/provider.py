"""Mastodon as a listening source: statuses with some hashtags, as one instance sees
them (its own and those federated to it). The cursor keeps, per hashtag, the
instance's id of the last status handed over.

The streaming API has no replay, so every (re)connection first walks the hashtag
timeline forwards from the cursor (``min_id``); a streamed status this run already
handed over (the catch-up and the stream overlap) is dropped. ``mode: "poll"`` walks
the timelines every ``interval_seconds`` instead of streaming."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from functools import partial
from typing import Any, TypeVar

from rapport.channels.egress import EgressError, EgressPolicy
from rapport.channels.http import HttpError
from rapport.channels.registry import Fetched

from ..social import (
    Backoff,
    NetworkProvider,
    RecentKeys,
    checked_base_url,
    dump_cursor,
    later_id,
    load_cursor,
    patiently,
    positive_seconds,
    required_token,
    transient,
)
from .client import MastodonClient, Page
from .replies import Parents

log = logging.getLogger(__name__)
T = TypeVar("T")
_HASHTAG = re.compile(r"^\w{1,100}$")
MAX_PAGES_PER_CATCH_UP = 25  # 1,000 statuses; a longer gap continues on the next round


class MastodonProvider(NetworkProvider):
    network = "mastodon"
    label = "Mastodon"

    def validate(self, config: Mapping[str, Any]) -> dict[str, Any]:
        instance = config.get("instance")
        if isinstance(instance, str) and instance.strip() and "://" not in instance:
            instance = f"https://{instance.strip()}"
        if not isinstance(instance, str) or not instance.strip():
            raise ValueError(
                "instance is missing: the server to listen on, like https://mastodon.social"
            )
        instance = _server_url(instance, "instance", self.policy)
        streaming = config.get("streaming_url") or ""
        mode = config.get("mode") or "stream"
        if mode not in ("stream", "poll"):
            raise ValueError("mode must be 'stream' (streaming API) or 'poll' (timelines)")
        token = config.get("token")
        return {
            "instance": instance,
            "streaming_url": _server_url(streaming, "streaming_url", self.policy)
            if streaming
            else "",
            "hashtags": _hashtags(config.get("hashtags")),
            "token": required_token(token, "token") if token else "",
            "mode": mode,
            "interval_seconds": positive_seconds(
                config.get("interval_seconds"), "interval_seconds", 60.0, minimum=1.0
            ),
        }

    async def stream(self, config: Mapping[str, Any], cursor: str) -> AsyncGenerator[Fetched, None]:
        settings = self.validate(config)
        state = load_cursor(cursor, self.network)
        handed_over = RecentKeys()  # a status with two followed hashtags comes twice
        async with MastodonClient.open(settings, self.policy) as client:
            parents = Parents(client.status)
            backoff = Backoff(self._sleep)
            while True:
                for tag in settings["hashtags"]:
                    async for step in self._catch_up(client, tag, state, handed_over, parents):
                        yield step
                if settings["mode"] == "poll":
                    await self._sleep(settings["interval_seconds"])
                    continue
                streams = {tag: client.hashtag_stream(tag) for tag in settings["hashtags"]}
                try:
                    async for tag, entry in _merged(streams):
                        if isinstance(entry, str):
                            log.warning("Mastodon: %s", entry)
                            yield Fetched([], dump_cursor(state), (entry,))
                            continue
                        # A status federated late has an id older than the cursor and
                        # still is new: only what this run handed over is dropped.
                        if later_id(entry.id, str(state.get(tag, ""))):
                            state[tag] = entry.id
                        backoff.reset()
                        if entry.post is not None and handed_over.add(entry.post.external_id):
                            parents.saw(entry.id, entry.post.external_id)
                            posts = await parents.with_parents([entry.post])
                            yield Fetched(posts, dump_cursor(state))
                    ended: Exception = HttpError("the streaming API ended the stream")
                except (HttpError, EgressError) as error:
                    if not transient(error):
                        raise  # a 429 among them: the runner waits as long as asked
                    ended = error
                log.info("Mastodon stream interrupted (%s); catching up and reconnecting", ended)
                await backoff.wait(ended)

    async def _catch_up(
        self,
        client: MastodonClient,
        tag: str,
        state: dict[str, Any],
        handed_over: RecentKeys,
        parents: Parents,
    ) -> AsyncGenerator[Fetched, None]:
        """The hashtag's timeline from the cursor forwards, a page a step; the first
        time, its newest page."""
        for _ in range(MAX_PAGES_PER_CATCH_UP):
            last = str(state.get(tag, ""))
            page: Page = await patiently(partial(client.tag_page, tag, last), self._sleep)
            fresh = [e for e in page.entries if not last or later_id(e.id, last)]
            problems = tuple(page.problems + [e.problem for e in fresh if e.problem])
            if fresh:
                state[tag] = fresh[-1].id
            for entry in fresh:
                if entry.post is not None:
                    parents.saw(entry.id, entry.post.external_id)
            posts = [
                e.post for e in fresh if e.post is not None and handed_over.add(e.post.external_id)
            ]
            if fresh or problems:
                yield Fetched(await parents.with_parents(posts), dump_cursor(state), problems)
            if not fresh or not last:
                return


async def _merged(streams: Mapping[str, AsyncIterator[T]]) -> AsyncIterator[tuple[str, T]]:
    """Items of several streams as they come, tagged with their key. When one stream
    ends or fails, all are closed: the caller catches up and reconnects them together."""
    queue: asyncio.Queue[tuple[str, T] | BaseException | None] = asyncio.Queue()

    async def pump(key: str, stream: AsyncIterator[T]) -> None:
        try:
            async for item in stream:
                await queue.put((key, item))
        except Exception as error:
            await queue.put(error)
        else:
            await queue.put(None)

    tasks = [asyncio.create_task(pump(key, stream)) for key, stream in streams.items()]
    try:
        while (item := await queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _server_url(value: str, what: str, policy: EgressPolicy) -> str:
    url = checked_base_url(value, what, "https://mastodon.social", policy)
    path = url.split("://", 1)[1].partition("/")[2]
    if path:
        raise ValueError(
            f"{what} must be the server alone, like https://mastodon.social (no /{path})"
        )
    return url


def _hashtags(value: object) -> list[str]:
    names = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(names, list | tuple):
        raise ValueError("hashtags must be a list like ['rapport', 'opensource']")
    cleaned = []
    for name in names:
        bare = str(name).strip().lstrip("#")
        if not _HASHTAG.match(bare):
            raise ValueError(f"{name!r} is not a hashtag (letters, digits and _ only)")
        cleaned.append(bare)
    if not cleaned:
        raise ValueError("hashtags is empty: give at least one, like 'rapport'")
    return list(dict.fromkeys(cleaned))

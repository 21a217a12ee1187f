"""X as a listening source. Two ways to follow a query: polling recent search
(``mode: "search"``, any paid tier) or the filtered stream (``mode: "stream"``). Both
keep the same cursor, so a source can switch: ``{"since_id"}`` is the newest post
handed over; while a poll walks back through more than one page it also keeps
``until_id`` (the oldest post of the last page) and ``newest_id`` (the since_id to
take once the walk is done), so a restart mid-walk neither repeats nor skips.

The filtered stream has no replay, so each (re)connection first catches up through
recent search from the cursor; a stream post this run already handed over (the
catch-up and the stream overlap) is dropped."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Mapping
from functools import partial
from typing import Any

import orjson

from rapport.channels.egress import EgressError
from rapport.channels.http import HttpError
from rapport.channels.posts import RawPost
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
from .client import API, XClient
from .parse import XPayloadError, parse_stream_line

log = logging.getLogger(__name__)
TOO_OLD = (
    "the cursor is older than the 7 days recent search reaches back: restarted from the"
    " newest posts; the ones in between are out of reach"
)
MAX_QUERY = 1024  # the Pro tier's limit; X answers 400 with the tier's own if lower


class XProvider(NetworkProvider):
    network = "x"
    label = "X (Twitter)"

    def validate(self, config: Mapping[str, Any]) -> dict[str, Any]:
        query = config.get("query")
        if not isinstance(query, str) or not query.strip():
            raise ValueError(
                "query is missing: the X search query to follow, like 'rapport -is:retweet'"
            )
        if len(query) > MAX_QUERY:
            raise ValueError(f"query is longer than {MAX_QUERY} characters")
        mode = config.get("mode") or "search"
        if mode not in ("search", "stream"):
            raise ValueError(
                "mode must be 'search' (poll recent search) or 'stream' (filtered stream)"
            )
        return {
            "token": required_token(config.get("token"), "the X API bearer token (token)"),
            "query": query.strip(),
            "mode": mode,
            "interval_seconds": positive_seconds(
                config.get("interval_seconds"), "interval_seconds", 60.0, minimum=1.0
            ),
            "base_url": checked_base_url(config.get("base_url"), "base_url", API, self.policy),
            "rule_tag": str(config.get("rule_tag") or "rapport")[:128],
        }

    async def stream(self, config: Mapping[str, Any], cursor: str) -> AsyncGenerator[Fetched, None]:
        settings = self.validate(config)
        state = load_cursor(cursor, self.network)
        async with XClient.open(settings, self.policy, self._sleep) as client:
            if settings["mode"] == "stream":
                async for step in self._follow_stream(client, settings, state):
                    yield step
                return
            while True:
                async for step in self._catch_up(client, settings["query"], state):
                    state = load_cursor(step.cursor, self.network)
                    yield step
                await self._sleep(settings["interval_seconds"])

    async def _catch_up(
        self, client: XClient, query: str, state: dict[str, Any]
    ) -> AsyncGenerator[Fetched, None]:
        """Recent search from the cursor until nothing newer remains; the first time,
        the newest page only."""
        while True:
            since = str(state.get("since_id", ""))
            until = str(state.get("until_id", ""))
            try:
                page = await patiently(partial(client.search, query, since, until), self._sleep)
            except HttpError as error:
                if error.status != 400 or not since or "since_id" not in str(error):
                    raise
                log.warning("X: %s (%s)", TOO_OLD, error)
                state = {}
                yield Fetched([], dump_cursor(state), (TOO_OLD,))
                continue
            newest = str(state.get("newest_id", "")) or page.newest_id or since
            if since and page.more and page.oldest_id:
                next_state = {"since_id": since, "until_id": page.oldest_id, "newest_id": newest}
            else:
                next_state = {"since_id": newest} if newest else {}
            if page.posts or page.problems or next_state != state:
                yield Fetched(page.posts[::-1], dump_cursor(next_state), tuple(page.problems))
            state = next_state
            if "until_id" not in state:
                return

    async def _follow_stream(
        self, client: XClient, settings: dict[str, Any], state: dict[str, Any]
    ) -> AsyncGenerator[Fetched, None]:
        rule = partial(client.ensure_rule, settings["query"], settings["rule_tag"])
        rule_id = await patiently(rule, self._sleep)
        backoff = Backoff(self._sleep)
        handed_over = RecentKeys()
        while True:
            if state.get("since_id"):
                async for step in self._catch_up(client, settings["query"], state):
                    state = load_cursor(step.cursor, self.network)
                    for caught in step.posts:
                        handed_over.add(caught.external_id)
                    yield step
            try:
                async for line in client.stream():
                    try:
                        post = _stream_post(line, rule_id)
                    except (orjson.JSONDecodeError, XPayloadError) as error:
                        problem = f"a filtered-stream line was skipped: {error}"
                        log.warning("X: %s", problem)
                        yield Fetched([], dump_cursor(state), (problem,))
                        continue
                    if post is None or not handed_over.add(post.external_id):
                        continue
                    # Posts arrive a little out of order: the cursor keeps the newest.
                    if later_id(post.external_id, str(state.get("since_id", ""))):
                        state = {"since_id": post.external_id}
                    backoff.reset()
                    yield Fetched([post], dump_cursor(state))
                ended: Exception = HttpError("X ended the filtered stream")
            except (HttpError, EgressError) as error:
                if not transient(error):
                    raise  # a 429 (too many connections) among them: the runner waits
                ended = error
            log.info("X filtered stream interrupted (%s); catching up and reconnecting", ended)
            await backoff.wait(ended)


def _stream_post(line: str, rule_id: str) -> RawPost | None:
    """The post on one stream line; None for keep-alives and other sources' rules.
    A line that is not a post raises: the stream reports it and reads on."""
    if not line.strip():
        return None
    payload = orjson.loads(line)
    post = parse_stream_line(payload)
    rules = payload.get("matching_rules")
    if (
        isinstance(rules, list)
        and rules
        and not any(isinstance(r, dict) and str(r.get("id")) == rule_id for r in rules)
    ):
        return None  # another source's rule on the same app
    return post

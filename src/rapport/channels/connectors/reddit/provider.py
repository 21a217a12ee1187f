"""Reddit as a listening source: new submissions and comments of some subreddits, or
a search, polled. The cursor remembers the newest fullname seen in each listing."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Mapping
from functools import partial
from typing import Any

from rapport.channels.registry import Fetched

from ..social import (
    NetworkProvider,
    checked_base_url,
    dump_cursor,
    load_cursor,
    patiently,
    positive_seconds,
    required_token,
)
from .client import API, AUTH, Feed, RedditClient

_SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")
_CREDENTIALS = ("token", "client_id", "client_secret")
DEFAULT_USER_AGENT = "server:rapport-listening:0.1 (self-hosted Rapport social CRM)"


class RedditProvider(NetworkProvider):
    network = "reddit"
    label = "Reddit"

    def validate(self, config: Mapping[str, Any]) -> dict[str, Any]:
        subreddits = _subreddits(config.get("subreddits"))
        query = config.get("query") or ""
        if not isinstance(query, str) or len(query) > 512:
            raise ValueError("query must be text of at most 512 characters")
        if not subreddits and not query.strip():
            raise ValueError("give at least one subreddit (like 'selfhosted') or a search query")
        username = config.get("username") or ""
        if not isinstance(username, str) or (
            username and not re.fullmatch(r"[\w-]{3,20}", username)
        ):
            raise ValueError("username must be the Reddit account's name, like 'alice_admin'")
        token, client_id, client_secret = (config.get(k) or "" for k in _CREDENTIALS)
        if not token and not (client_id and client_secret):
            raise ValueError(
                "Reddit credentials are missing: give client_id and client_secret (a Reddit"
                " app of type 'script' or 'web'), or an OAuth access token (token)"
            )
        return {
            "token": required_token(token, "token") if token else "",
            "client_id": required_token(client_id, "client_id") if client_id else "",
            "client_secret": required_token(client_secret, "client_secret")
            if client_secret
            else "",
            "auth_url": checked_base_url(config.get("auth_url"), "auth_url", AUTH, self.policy),
            "subreddits": subreddits,
            "query": query.strip(),
            "include_comments": bool(config.get("include_comments", True)),
            "interval_seconds": positive_seconds(
                config.get("interval_seconds"), "interval_seconds", 60.0, minimum=1.0
            ),
            "base_url": checked_base_url(config.get("base_url"), "base_url", API, self.policy),
            "username": username,
            # Reddit asks for "<platform>:<app id>:<version> (by /u/<operator>)".
            "user_agent": (
                f"server:rapport-listening:0.1 (by /u/{username})"
                if username
                else DEFAULT_USER_AGENT
            ),
        }

    async def stream(self, config: Mapping[str, Any], cursor: str) -> AsyncGenerator[Fetched, None]:
        settings = self.validate(config)
        state = load_cursor(cursor, self.network)
        async with RedditClient.open(settings, self.policy, self._sleep) as client:
            while True:
                for feed in feeds(settings):
                    newest = str(state.get(feed.key, ""))
                    catch = await patiently(partial(client.since, feed, newest), self._sleep)
                    if catch.posts or catch.problems or catch.newest != newest:
                        state[feed.key] = catch.newest
                        yield Fetched(catch.posts, dump_cursor(state), tuple(catch.problems))
                await self._sleep(settings["interval_seconds"])


def feeds(settings: Mapping[str, Any]) -> list[Feed]:
    subreddits = "+".join(settings["subreddits"])
    if settings["query"]:
        search = {"q": settings["query"], "sort": "new", "type": "link"}
        if subreddits:
            return [Feed("search", f"r/{subreddits}/search", {**search, "restrict_sr": "on"})]
        return [Feed("search", "search", search)]
    listings = [Feed("posts", f"r/{subreddits}/new", {})]
    if settings["include_comments"]:
        listings.append(Feed("comments", f"r/{subreddits}/comments", {}))
    return listings


def _subreddits(value: object) -> list[str]:
    if value in (None, ""):
        return []
    names = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(names, list | tuple):
        raise ValueError("subreddits must be a list of names like ['selfhosted', 'crm']")
    cleaned = []
    for name in names:
        bare = str(name).strip().removeprefix("/").removeprefix("r/")
        if not _SUBREDDIT.match(bare):
            raise ValueError(f"{name!r} is not a subreddit name (letters, digits, _; 2-21 long)")
        cleaned.append(bare)
    if not cleaned and value:
        raise ValueError("subreddits is empty: give at least one name like 'selfhosted'")
    return list(dict.fromkeys(cleaned))

"""Mastodon Status JSON to posts. The same entity comes from timelines, search and the
streaming API's ``update`` events, from whichever server federated it to the instance
being read."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from rapport.channels.posts import Author, RawPost

from ..payload import aware_time, count, optional_count, web_link
from ..rss.markup import html_to_text

_PROFILE_OR_TAG = re.compile(r"^/(@[^/]+|tags/[^/]+|users/[^/]+)/?$")


class MastodonPayloadError(ValueError):
    """A response or event that is not what the Mastodon API documents."""


def parse_statuses(payload: object, instance_host: str) -> list[RawPost]:
    """A timeline or search page: a JSON array of statuses."""
    if not isinstance(payload, list):
        raise MastodonPayloadError("expected a JSON array of statuses")
    return [parse_status(status, instance_host) for status in payload]


def parse_status(payload: object, instance_host: str) -> RawPost:
    """``instance_host`` completes local handles: the API writes ``alice`` for an
    account on the instance itself and ``bob@other.social`` for everyone else."""
    if not isinstance(payload, dict):
        raise MastodonPayloadError("a status must be a JSON object")
    boosted = payload.get("reblog")
    status: dict[str, Any] = (
        boosted if isinstance(boosted, dict) else payload
    )  # a boost: the original
    uri, account = status.get("uri"), status.get("account")
    if not isinstance(uri, str) or not uri or not isinstance(account, dict):
        raise MastodonPayloadError("status without uri or account")
    content = status.get("content")
    if not isinstance(content, str):
        raise MastodonPayloadError(f"status {uri} without content")
    text, links = html_to_text(content)
    # Mentions and hashtags are links in the markup too; the status lists them itself.
    links = tuple(link for link in links if not _PROFILE_OR_TAG.match(urlsplit(link).path))
    warning = status.get("spoiler_text")
    if isinstance(warning, str) and warning.strip():
        text = f"{html_to_text(warning)[0]}\n\n{text}"
    card = status.get("card")
    if isinstance(card, dict) and web_link(card.get("url")):
        links += (web_link(card["url"]),)
    return RawPost(
        network="mastodon",
        external_id=uri,
        text=text,
        created_at=_timestamp(status.get("created_at"), uri),
        author=_author(account, instance_host),
        url=web_link(status.get("url")) or web_link(uri),
        lang=status.get("language") or "",
        mentions=tuple(
            _handle(m.get("acct"), instance_host)
            for m in _objects(status.get("mentions"))
            if isinstance(m.get("acct"), str)
        ),
        hashtags=tuple(
            t["name"] for t in _objects(status.get("tags")) if isinstance(t.get("name"), str)
        ),
        links=tuple(dict.fromkeys(links)),
        likes=count(status.get("favourites_count")),
        reposts=count(status.get("reblogs_count")),
        replies=count(status.get("replies_count")),
        raw=status,
    )


def _author(account: dict[str, Any], instance_host: str) -> Author:
    acct = account.get("acct")
    if not isinstance(acct, str) or not acct:
        raise MastodonPayloadError("account without acct")
    name = account.get("display_name")
    return Author(
        handle=_handle(acct, instance_host),
        name=name if isinstance(name, str) else "",
        url=web_link(account.get("url")),
        followers=optional_count(account.get("followers_count")),
        following=optional_count(account.get("following_count")),
        avatar_url=web_link(account.get("avatar")),
    )


def _handle(acct: object, instance_host: str) -> str:
    name = str(acct).lstrip("@")
    return f"@{name}" if "@" in name else f"@{name}@{instance_host}"


def _timestamp(value: object, uri: str) -> datetime:
    created = aware_time(value)
    if created is None:
        raise MastodonPayloadError(f"status {uri} has no readable created_at")
    return created


def _objects(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

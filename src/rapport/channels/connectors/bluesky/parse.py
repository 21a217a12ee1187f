"""Jetstream events to posts. Jetstream turns the AT Protocol firehose into one JSON
object per repository change: ``{did, time_us, kind, commit: {rev, operation,
collection, rkey, record, cid}}``. Only the creation of an ``app.bsky.feed.post``
record is a post; everything else still moves the cursor (``time_us``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson

from rapport.channels.posts import Author, RawPost

from ..payload import aware_time, plain, web_link

POST_COLLECTION = "app.bsky.feed.post"
_MENTION = "app.bsky.richtext.facet#mention"
_LINK = "app.bsky.richtext.facet#link"
_TAG = "app.bsky.richtext.facet#tag"


class JetstreamPayloadError(ValueError):
    """A message that is not a Jetstream event (the stream skips it and says so)."""


class Event(NamedTuple):
    """What the stream needs from any event: where it is in time, and the post if it
    is one. A tuple: built for every event of the firehose."""

    time_us: int
    post: RawPost | None


def parse_message(message: str | bytes) -> Event:
    try:
        event = orjson.loads(message)
    except orjson.JSONDecodeError as error:
        raise JetstreamPayloadError(f"not JSON: {error}") from None
    if not isinstance(event, dict):
        raise JetstreamPayloadError("an event must be a JSON object")
    time_us = event.get("time_us")
    did = event.get("did")
    if not isinstance(time_us, int) or isinstance(time_us, bool) or time_us <= 0:
        raise JetstreamPayloadError("event without a positive integer time_us")
    if not isinstance(did, str) or not did.startswith("did:"):
        raise JetstreamPayloadError("event without a did")
    commit = event.get("commit")
    if event.get("kind") != "commit" or not isinstance(commit, dict):
        return Event(time_us, None)  # identity and account changes: not posts
    if commit.get("collection") != POST_COLLECTION or commit.get("operation") != "create":
        return Event(time_us, None)
    return Event(time_us, post_from_commit(did, time_us, commit, event))


def at_uri(did: str, rkey: str) -> str:
    return f"at://{did}/{POST_COLLECTION}/{rkey}"


def post_from_commit(
    did: str, time_us: int, commit: dict[str, Any], event: dict[str, Any]
) -> RawPost:
    record = commit.get("record")
    rkey = commit.get("rkey")
    if not isinstance(record, dict) or not isinstance(rkey, str) or not rkey:
        raise JetstreamPayloadError("post commit without a record or rkey")
    text = record.get("text")
    if not isinstance(text, str):
        raise JetstreamPayloadError("post record without text")
    mentions, links, hashtags = _facets(text, record.get("facets"))
    links += _embedded_links(record.get("embed"))
    hashtags += tuple(t for t in _strings(record.get("tags")) if t not in hashtags)
    langs = _strings(record.get("langs"))
    return RawPost(
        network="bluesky",
        external_id=at_uri(did, rkey),
        text=plain(text),
        created_at=_created_at(record.get("createdAt"), time_us),
        # Jetstream carries the author's DID only; the handle needs a profile lookup.
        author=Author(handle=did, url=f"https://bsky.app/profile/{did}"),
        url=f"https://bsky.app/profile/{did}/post/{rkey}",
        lang=langs[0] if langs else "",
        reply_to=_reply_parent(record.get("reply")),
        mentions=mentions,
        hashtags=hashtags,
        links=_unique(links),
        raw=event,
    )


def _facets(text: str, facets: object) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Rich-text facets point into the text by UTF-8 byte offsets; a mention's handle
    is the text it covers (the feature carries only the DID)."""
    if not facets:  # most posts: the whole firehose goes through here
        return (), (), ()
    mentions: list[str] = []
    links: list[str] = []
    tags: list[str] = []
    encoded = text.encode()
    for facet in facets if isinstance(facets, list) else []:
        if not isinstance(facet, dict):
            continue
        index = facet.get("index") if isinstance(facet.get("index"), dict) else {}
        features = facet.get("features")
        for feature in features if isinstance(features, list) else []:
            if not isinstance(feature, dict):
                continue
            kind = feature.get("$type")
            if kind == _MENTION:
                covered = _slice(encoded, index).lstrip("@")
                mentions.append(covered or str(feature.get("did", "")))
            elif kind == _LINK and web_link(feature.get("uri")):
                links.append(web_link(feature["uri"]))
            elif kind == _TAG and isinstance(feature.get("tag"), str):
                tags.append(feature["tag"])
    return _unique(mentions), tuple(links), _unique(tags)


def _slice(encoded: bytes, index: object) -> str:
    if not isinstance(index, dict):
        return ""
    start, end = index.get("byteStart"), index.get("byteEnd")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end:
        return ""
    return encoded[start:end].decode(errors="replace")


def _embedded_links(embed: object) -> tuple[str, ...]:
    if not isinstance(embed, dict):
        return ()
    external = embed.get("external")
    if isinstance(external, dict) and web_link(external.get("uri")):
        return (web_link(external["uri"]),)
    media = embed.get("media")  # recordWithMedia wraps an external card too
    return _embedded_links(media) if isinstance(media, dict) else ()


def _reply_parent(reply: object) -> str:
    if isinstance(reply, dict) and isinstance(reply.get("parent"), dict):
        uri = reply["parent"].get("uri")
        return uri if isinstance(uri, str) else ""
    return ""


def _created_at(value: object, time_us: int) -> datetime:
    """The author's clock, unless it is unreadable or in the future: then the time
    Jetstream saw the commit."""
    try:
        seen = datetime.fromtimestamp(time_us / 1_000_000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise JetstreamPayloadError(f"time_us {time_us} is not a time") from None
    written = aware_time(value)
    return written if written is not None and written <= seen else seen


def _strings(value: object) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _unique(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    if not values:
        return ()
    return tuple(dict.fromkeys(v for v in values if v))

"""RSS 0.9x/1.0/2.0 and Atom (RFC 4287) documents to posts, through feedparser.

An entry's id is its guid (Atom ``id``), else its link; a guid that is not a URI is
made unique by the feed's URL, since two feeds both numbering their items from 1 is
common. Text is the entry's content (or summary) with the markup removed; dates are
aware UTC datetimes."""

from __future__ import annotations

import calendar
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser

from rapport.channels.posts import Author, RawPost

from .markup import html_to_text, tidy

MAX_TEXT = 20_000  # characters kept of an entry's text; whole books arrive in feeds
MAX_RAW_SUMMARY = 4_000
_URI = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


class FeedError(ValueError):
    """The document is not a feed feedparser can read."""


@dataclass(frozen=True, slots=True)
class Feed:
    title: str
    link: str
    posts: list[RawPost]


def parse_feed(
    body: bytes,
    feed_url: str,
    *,
    base_url: str = "",
    content_type: str = "",
    fetched_at: datetime | None = None,
) -> Feed:
    """The feed's entries as posts, in document order. ``feed_url`` is the source's
    address (it makes bare guids unique, so it must not change when the publisher
    redirects); relative links resolve against ``base_url``, where the document was
    finally fetched from. ``fetched_at`` dates entries that carry no date at all.
    Raises ``FeedError`` for a document that is no feed."""
    headers = {"content-location": base_url or feed_url}
    if content_type:
        headers["content-type"] = content_type
    # A stream, never bytes or a str: given those, feedparser tries them as a URL to
    # fetch or a local file name to open.
    document = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=True)
    version = document.get("version", "")
    entries = document.get("entries", [])
    if not version and not entries:
        reason = document.get("bozo_exception")
        detail = f" ({reason})" if reason else ""
        raise FeedError(f"{feed_url}: not an RSS or Atom feed{detail}")
    channel = document.get("feed", {})
    source = _Source(
        url=feed_url,
        title=_plain(channel.get("title", ""), channel.get("title_detail")),
        link=str(channel.get("link", "")) or feed_url,
        language=str(channel.get("language") or ""),
        fallback_date=_date(channel) or fetched_at or datetime.now(UTC),
    )
    return Feed(source.title, source.link, [_post(entry, source) for entry in entries])


@dataclass(frozen=True, slots=True)
class _Source:
    """What every entry of one document shares."""

    url: str
    title: str
    link: str
    language: str
    fallback_date: datetime


def _post(entry: Mapping[str, Any], source: _Source) -> RawPost:
    html, language = _body(entry)
    text, links = html_to_text(html)
    link = str(entry.get("link", "")).strip()
    if not link.lower().startswith(("http://", "https://")):
        link = ""  # a javascript: (or any other) link is never "the original"
    title = _plain(entry.get("title", ""), entry.get("title_detail"))
    extra_links = [link] if link else []
    extra_links += [
        str(e.get("href", ""))
        for e in entry.get("enclosures", [])
        if str(e.get("href", "")).lower().startswith(("http://", "https://"))
    ]
    return RawPost(
        network="rss",
        external_id=entry_id(entry, source.url),
        text=(text or title)[:MAX_TEXT],
        created_at=_date(entry) or source.fallback_date,
        author=_author(entry, source),
        url=link,
        title=title,
        lang=language or source.language,
        links=tuple(dict.fromkeys([*extra_links, *links])),
        raw=_raw(entry, source.url, html),
    )


def entry_id(entry: Mapping[str, Any], feed_url: str) -> str:
    guid = str(entry.get("id") or entry.get("link") or "").strip()
    if not guid:
        # No id and no link: what the entry says is its identity.
        digest = hashlib.sha256(
            "\x1f".join(
                str(_stored(entry, k) or "") for k in ("title", "published", "updated", "summary")
            ).encode()
        ).hexdigest()[:32]
        return f"{feed_url}#sha256:{digest}"
    if _URI.match(guid):
        return guid
    return f"{feed_url}#{guid}"


def _body(entry: Mapping[str, Any]) -> tuple[str, str]:
    """The fullest text the entry has (Atom content, content:encoded, then summary)
    and its language."""
    for content in entry.get("content", []):
        value = str(content.get("value", ""))
        if value.strip():
            return value, str(content.get("language") or "")
    detail = entry.get("summary_detail") or {}
    return str(entry.get("summary", "")), str(detail.get("language") or "")


def _plain(value: Any, detail: Mapping[str, Any] | None) -> str:
    value = str(value or "")
    if detail and "html" in str(detail.get("type", "")):
        return html_to_text(value)[0]
    return tidy(value)


def _date(item: Mapping[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = _stored(item, key)
        if parsed:
            # feedparser normalises every date it reads to UTC.
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    return None


def _author(entry: Mapping[str, Any], source: _Source) -> Author:
    detail = entry.get("author_detail") or {}
    name = tidy(str(detail.get("name") or entry.get("author") or ""))
    site = source.title or urlsplit(source.link).hostname or source.url
    if not name:
        return Author(handle=site, name=source.title, url=source.link)
    url = str(detail.get("href") or "")
    return Author(
        handle=f"{name} ({site})",
        name=name,
        url=url if url.lower().startswith(("http://", "https://")) else source.link,
    )


def _raw(entry: Mapping[str, Any], feed_url: str, html: str) -> dict[str, Any]:
    """What the entry said, JSON-safe and bounded, for the record."""
    return {
        "feed_url": feed_url,
        "id": str(entry.get("id", "")),
        "link": str(entry.get("link", "")),
        "title": str(entry.get("title", "")),
        "published": str(entry.get("published", "")),
        "updated": str(_stored(entry, "updated") or ""),
        "author": str(entry.get("author", "")),
        "tags": [str(t.get("term", "")) for t in entry.get("tags", []) if t.get("term")],
        "html": html[:MAX_RAW_SUMMARY],
    }


def _stored(item: Mapping[str, Any], key: str) -> Any:
    """The value feedparser stored under ``key``, without the fallbacks its dict adds on
    reading (``updated`` quietly answering with ``published``, and warning about it)."""
    return dict.get(item, key) if isinstance(item, dict) else item.get(key)

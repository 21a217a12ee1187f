"""Reddit Listings to posts. Every listing (``/r/<sub>/new``, ``/r/<sub>/comments``,
``/search``) is ``{kind: "Listing", data: {children: [{kind, data}], after, before}}``
with ``t3`` things for submissions and ``t1`` for comments. Reddit escapes ``&``, ``<``
and ``>`` in titles and bodies as HTML entities; the text here is unescaped, plain."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rapport.channels.posts import Author, RawPost

from ..payload import count, plain, web_link

SITE = "https://www.reddit.com"
_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+")
_USER = re.compile(r"(?<![\w/])/?u/([A-Za-z0-9_-]{3,20})")


class RedditPayloadError(ValueError):
    """A response that is not a Reddit Listing of t1/t3 things."""


@dataclass(frozen=True, slots=True)
class Thing:
    """One child of a listing: its fullname, and its post or why it could not be read
    (an unreadable thing still counts for the cursor, so it is reported once)."""

    name: str
    post: RawPost | None
    problem: str = ""


@dataclass(frozen=True, slots=True)
class Listing:
    things: list[Thing]  # in the listing's order: newest first for new, comments, search
    after: str  # the fullname to ask ``after=`` for the next (older) page; "" at the end

    @property
    def posts(self) -> list[RawPost]:
        return [t.post for t in self.things if t.post is not None]


def parse_listing(payload: object) -> Listing:
    """One listing page. A page that is no listing raises; a thing in it that cannot be
    read is kept as a problem, so one odd comment does not stop a subreddit."""
    if not isinstance(payload, dict) or payload.get("kind") != "Listing":
        raise RedditPayloadError("expected a Listing")
    data = payload.get("data")
    children = data.get("children") if isinstance(data, dict) else None
    if not isinstance(children, list):
        raise RedditPayloadError("a Listing without data.children")
    things = [thing for child in children if (thing := _thing(child)) is not None]
    after = data.get("after") if isinstance(data, dict) else None
    return Listing(things, after if isinstance(after, str) else "")


def _thing(child: object) -> Thing | None:
    if not isinstance(child, dict) or not isinstance(child.get("data"), dict):
        return Thing("", None, "a listing child without data")
    kind, data = child.get("kind"), child["data"]
    if kind not in ("t1", "t3"):
        return None  # "more" stubs and other kinds carry no text of their own
    name = data.get("name")
    name = name if isinstance(name, str) and _readable_fullname(name, str(kind)) else ""
    try:
        post = parse_submission(data) if kind == "t3" else parse_comment(data)
    except RedditPayloadError as error:
        return Thing(name, None, f"{name or f'a {kind}'} was skipped: {error}")
    return Thing(post.external_id, post)


def _readable_fullname(name: str, kind: str) -> bool:
    prefix, _, number = name.partition("_")
    return prefix == kind and number.isalnum() and number.isascii()


def parse_submission(data: dict[str, Any]) -> RawPost:
    fullname = _fullname(data, "t3")
    title = _text(data.get("title"))
    body = _text(data.get("selftext"))
    link = data.get("url_overridden_by_dest") or ("" if data.get("is_self") else data.get("url"))
    links = _links(body) + ((web_link(link),) if web_link(link) else ())
    return RawPost(
        network="reddit",
        external_id=fullname,
        # The matcher reads ``text``; a link post's words are all in its title.
        text=f"{title}\n\n{body}" if body else title,
        title=title,
        created_at=_created(data, fullname),
        author=_author(data),
        url=_permalink(data),
        mentions=_mentions(f"{title} {body}"),
        links=tuple(dict.fromkeys(links)),
        likes=count(data.get("score")),
        replies=count(data.get("num_comments")),
        raw=data,
    )


def parse_comment(data: dict[str, Any]) -> RawPost:
    fullname = _fullname(data, "t1")
    body = _text(data.get("body"))
    parent = data.get("parent_id")
    return RawPost(
        network="reddit",
        external_id=fullname,
        text=body,
        title=_text(data.get("link_title")),
        created_at=_created(data, fullname),
        author=_author(data),
        url=_permalink(data),
        reply_to=parent if isinstance(parent, str) and parent[:3] in ("t1_", "t3_") else "",
        mentions=_mentions(body),
        links=tuple(dict.fromkeys(_links(body))),
        likes=count(data.get("score")),
        raw=data,
    )


def fullname_order(fullname: str) -> int:
    """Reddit ids are base-36 counters, so they sort things of one kind by arrival."""
    try:
        return int(fullname.partition("_")[2], 36)
    except ValueError:
        raise RedditPayloadError(f"not a Reddit fullname: {fullname!r}") from None


def _fullname(data: dict[str, Any], kind: str) -> str:
    name = data.get("name")
    if not isinstance(name, str) or not name.startswith(f"{kind}_"):
        thing_id = data.get("id")
        if not isinstance(thing_id, str) or not thing_id.isalnum():
            raise RedditPayloadError(f"a {kind} without name or id")
        name = f"{kind}_{thing_id}"
    fullname_order(name)
    return name


def _author(data: dict[str, Any]) -> Author:
    name = data.get("author")
    if not isinstance(name, str) or not name or name == "[deleted]":
        return Author(handle="u/[deleted]")
    return Author(handle=f"u/{name}", url=f"{SITE}/user/{name}")


def _created(data: dict[str, Any], fullname: str) -> datetime:
    created = data.get("created_utc")
    if isinstance(created, int | float) and not isinstance(created, bool) and created > 0:
        try:
            return datetime.fromtimestamp(created, tz=UTC)
        except (OverflowError, OSError, ValueError):
            pass
    raise RedditPayloadError(f"{fullname} without created_utc")


def _permalink(data: dict[str, Any]) -> str:
    permalink = data.get("permalink")
    return f"{SITE}{permalink}" if isinstance(permalink, str) and permalink.startswith("/") else ""


def _text(value: object) -> str:
    return plain(html.unescape(value)).strip() if isinstance(value, str) else ""


def _links(text: str) -> tuple[str, ...]:
    return tuple(m.rstrip(".,;:!?") for m in _URL.findall(text))


def _mentions(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f"u/{name}" for name in _USER.findall(text)))

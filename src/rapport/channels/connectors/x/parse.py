"""X API v2 responses to posts. Recent search answers ``{data: [Tweet], includes:
{users: [User]}, meta: {newest_id, oldest_id, result_count, next_token}}``; the filtered
stream sends one ``{data: Tweet, includes, matching_rules}`` per line. Authors arrive in
``includes.users`` (``expansions=author_id``), joined to tweets by ``author_id``. The
API still escapes ``&``, ``<`` and ``>`` in ``text`` as HTML entities."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rapport.channels.posts import Author, RawPost

from ..payload import aware_time, count, optional_count, plain, web_link

TWEET_FIELDS = (
    "created_at,lang,public_metrics,author_id,entities,conversation_id,referenced_tweets,note_tweet"
)
USER_FIELDS = "public_metrics,verified,username,name,profile_image_url"
EXPANSIONS = "author_id"


class XPayloadError(ValueError):
    """A response that is not what the X API v2 documents."""


@dataclass(frozen=True, slots=True)
class SearchPage:
    posts: list[RawPost]  # newest first, as the API sends them
    newest_id: str
    oldest_id: str
    more: bool  # meta.next_token: older results remain in the window asked for
    problems: list[str]  # posts on the page that could not be read


def parse_search_page(payload: object) -> SearchPage:
    if not isinstance(payload, dict):
        raise XPayloadError("expected a JSON object")
    meta = payload.get("meta")
    if not isinstance(meta, dict):
        raise XPayloadError(_error_summary(payload) or "a search response without meta")
    tweets = payload.get("data", [])
    if not isinstance(tweets, list):
        raise XPayloadError("search data must be a list of posts")
    users = _users(payload.get("includes"))
    posts, problems = [], []
    for tweet in tweets:
        try:
            posts.append(parse_tweet(tweet, users))
        except XPayloadError as error:
            # One odd post does not hold back the page: meta still moves the cursor.
            problems.append(f"a post was skipped: {error}")
    return SearchPage(
        posts=posts,
        newest_id=str(meta.get("newest_id") or ""),
        oldest_id=str(meta.get("oldest_id") or ""),
        more=bool(meta.get("next_token")),
        problems=problems,
    )


def parse_stream_line(payload: object) -> RawPost:
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        summary = _error_summary(payload) if isinstance(payload, dict) else ""
        raise XPayloadError(summary or "a stream line without a post")
    return parse_tweet(payload["data"], _users(payload.get("includes")))


def parse_tweet(tweet: object, users: dict[str, dict[str, Any]]) -> RawPost:
    if not isinstance(tweet, dict):
        raise XPayloadError("a post must be a JSON object")
    tweet_id = tweet.get("id")
    if not isinstance(tweet_id, str) or not tweet_id.isdigit():
        raise XPayloadError("a post without a numeric id")
    note = tweet.get("note_tweet")  # posts over 280 characters carry the full text here
    text = note.get("text") if isinstance(note, dict) else None
    text = text if isinstance(text, str) else tweet.get("text")
    if not isinstance(text, str):
        raise XPayloadError(f"post {tweet_id} without text")
    user = users.get(str(tweet.get("author_id")), {})
    author = _author(user, str(tweet.get("author_id") or ""))
    entities = _object(tweet.get("entities"))
    metrics = _object(tweet.get("public_metrics"))
    username = author.handle.lstrip("@") if author.handle.startswith("@") else "i/web"
    return RawPost(
        network="x",
        external_id=tweet_id,
        text=plain(html.unescape(text)),
        created_at=_created(tweet.get("created_at"), tweet_id),
        author=author,
        url=f"https://x.com/{username}/status/{tweet_id}",
        lang=_lang(tweet.get("lang")),
        reply_to=_replied_to(tweet.get("referenced_tweets")),
        mentions=_entity_values(entities, "mentions", "username", prefix="@"),
        hashtags=_entity_values(entities, "hashtags", "tag"),
        links=tuple(
            link for link in _entity_values(entities, "urls", "expanded_url") if web_link(link)
        ),
        likes=count(metrics.get("like_count")),
        reposts=count(metrics.get("retweet_count")) + count(metrics.get("quote_count")),
        replies=count(metrics.get("reply_count")),
        raw={"data": tweet, "author": user},
    )


def _users(includes: object) -> dict[str, dict[str, Any]]:
    users = includes.get("users") if isinstance(includes, dict) else None
    if not isinstance(users, list):
        return {}
    return {str(u.get("id")): u for u in users if isinstance(u, dict)}


def _author(user: dict[str, Any], author_id: str) -> Author:
    username = user.get("username")
    if not isinstance(username, str) or not username:
        # The expansion can miss (suspended or protected author): keep the stable id.
        return Author(handle=f"id:{author_id}" if author_id else "id:unknown")
    metrics = _object(user.get("public_metrics"))
    name, image = user.get("name"), user.get("profile_image_url")
    return Author(
        handle=f"@{username}",
        name=name if isinstance(name, str) else "",
        url=f"https://x.com/{username}",
        followers=optional_count(metrics.get("followers_count")),
        following=optional_count(metrics.get("following_count")),
        verified=user.get("verified") is True,
        avatar_url=image if isinstance(image, str) and image.startswith("https://") else "",
    )


def _replied_to(references: object) -> str:
    for reference in references if isinstance(references, list) else []:
        if isinstance(reference, dict) and reference.get("type") == "replied_to":
            return str(reference.get("id") or "")
    return ""


def _entity_values(
    entities: dict[str, Any], kind: str, key: str, prefix: str = ""
) -> tuple[str, ...]:
    items = entities.get(kind)
    values = (
        f"{prefix}{item[key]}"
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and isinstance(item.get(key), str) and item[key]
    )
    return tuple(dict.fromkeys(values))


def _created(value: object, tweet_id: str) -> datetime:
    created = aware_time(value)
    if created is None:
        raise XPayloadError(f"post {tweet_id} without a readable created_at")
    return created


def _lang(value: object) -> str:
    # "und" is X saying it could not tell; "zxx" means no linguistic content.
    return value if isinstance(value, str) and value not in ("und", "zxx", "qme", "qst") else ""


def _error_summary(payload: dict[str, Any]) -> str:
    errors = payload.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return f"X API error: {first.get('title') or ''} {first.get('detail') or ''}".strip()
    detail = payload.get("detail") or payload.get("title")
    return f"X API error: {detail}" if isinstance(detail, str) else ""


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}

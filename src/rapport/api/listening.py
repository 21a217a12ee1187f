"""Listening: topics (a query that does not parse answers 400 with its position),
the mention stream with its filters, what agents do to a mention, listening sources
(credentials masked) and alerts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rapport.contacts import queries as contact_queries
from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.pagination import MAX_LIMIT, decode_cursor, encode_cursor, paginate
from rapport.core.permissions import Perm
from rapport.listening import queries
from rapport.listening.actions import (
    QueryError,
    do_correct_post,
    do_create_listening_source,
    do_create_topic,
    do_delete_topic,
    do_link_post,
    do_mark_handled,
    do_set_listening_source_enabled,
    do_tag_post,
    do_update_topic,
)
from rapport.listening.models import (
    Alert,
    AlertKind,
    Intent,
    ListeningSource,
    Post,
    Sentiment,
    Topic,
    TopicKind,
)
from rapport.listening.views_support import all_providers, masked

from .auth import actor_of
from .guard import guarded
from .schemas import ERRORS, CursorPage, QueryIn, StrictIn, UtcDatetime

router = Router(tags=["listening"])

MAX_ID = 2**63 - 1


class QueryProblem(DomainError):
    """A topic query that does not parse: 400, and the details say where."""

    def __init__(self, exc: QueryError) -> None:
        super().__init__(exc.message, field="query")
        self.details = [
            {"field": "query", "message": exc.message, "type": "query_syntax",
             "position": exc.position}
        ]  # fmt: skip


# Topics


class TopicOut(Schema):
    id: int
    name: str
    kind: TopicKind
    query: str
    match_diacritics: bool
    active: bool
    created_at: datetime
    updated_at: datetime
    backfilled_at: datetime | None

    @staticmethod
    def of(t: Topic) -> TopicOut:
        return TopicOut(
            id=t.pk,
            name=t.name,
            kind=TopicKind(t.kind),
            query=t.query,
            match_diacritics=t.match_diacritics,
            active=t.active,
            created_at=t.created_at,
            updated_at=t.updated_at,
            backfilled_at=t.backfilled_at,
        )


class TopicIn(StrictIn):
    name: str = Field(min_length=1, max_length=80)
    query: str = Field(
        min_length=1,
        max_length=4000,
        description="in the listening query language (docs/listening-query.md); a query "
        "that does not parse answers 400 with the 0-based position in error.details",
    )
    kind: TopicKind = TopicKind.BRAND
    match_diacritics: bool = False


class TopicPatch(StrictIn):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    query: str | None = Field(default=None, min_length=1, max_length=4000)
    kind: TopicKind | None = None
    match_diacritics: bool | None = None
    active: bool | None = None


@router.get("/topics", response={200: list[TopicOut], **ERRORS}, **guarded(Perm.LISTEN_VIEW))
def list_topics(request: HttpRequest) -> list[TopicOut]:
    return [TopicOut.of(t) for t in queries.topics(actor_of(request))[:1000]]


@router.post("/topics", response={201: TopicOut, **ERRORS}, **guarded(Perm.LISTEN_MANAGE))
def create_topic(request: HttpRequest, body: TopicIn) -> Status[TopicOut]:
    try:
        topic = do_create_topic(
            actor_of(request),
            name=body.name,
            query=body.query,
            kind=body.kind.value,
            match_diacritics=body.match_diacritics,
        )
    except QueryError as exc:
        raise QueryProblem(exc) from exc
    return Status(201, TopicOut.of(topic))


@router.get("/topics/{topic_id}", response={200: TopicOut, **ERRORS}, **guarded(Perm.LISTEN_VIEW))
def get_topic(request: HttpRequest, topic_id: int) -> TopicOut:
    return TopicOut.of(queries.access_topic(actor_of(request), topic_id))


@router.patch(
    "/topics/{topic_id}", response={200: TopicOut, **ERRORS}, **guarded(Perm.LISTEN_MANAGE)
)
def update_topic(request: HttpRequest, topic_id: int, body: TopicPatch) -> TopicOut:
    actor = actor_of(request)
    topic = queries.access_topic(actor, topic_id)
    fields: dict[str, Any] = {k: v for k, v in body.model_dump().items() if v is not None}
    if "kind" in fields:
        fields["kind"] = TopicKind(fields["kind"]).value
    try:
        return TopicOut.of(do_update_topic(actor, topic, **fields))
    except QueryError as exc:
        raise QueryProblem(exc) from exc


@router.delete("/topics/{topic_id}", response={204: None, **ERRORS}, **guarded(Perm.LISTEN_MANAGE))
def delete_topic(request: HttpRequest, topic_id: int) -> Status[None]:
    actor = actor_of(request)
    do_delete_topic(actor, queries.access_topic(actor, topic_id))
    return Status(204, None)


# Mentions


class AuthorOut(Schema):
    id: int
    network: str
    handle: str
    name: str
    url: str
    followers: int | None
    verified: bool
    contact_id: int | None


class MentionOut(Schema):
    id: int
    network: str
    external_id: str
    url: str
    title: str
    text: str
    author: AuthorOut
    posted_at: datetime
    received_at: datetime
    lang: str
    sentiment: str
    intent: str
    corrected: bool
    handled: bool
    tags: list[str]
    hashtags: list[str]
    likes: int
    reposts: int
    replies: int
    topic_ids: list[int]
    contact_id: int | None
    suggested_contact_id: int | None

    @staticmethod
    def of(p: Post, topic_ids: list[int]) -> MentionOut:
        a = p.author
        return MentionOut(
            id=p.pk,
            network=p.network,
            external_id=p.external_id,
            url=p.url if p.url.lower().startswith(("https://", "http://")) else "",
            title=p.title,
            text=p.text,
            author=AuthorOut(
                id=a.pk,
                network=a.network,
                handle=a.handle,
                name=a.name,
                url=a.url,
                followers=a.followers,
                verified=a.verified,
                contact_id=a.contact_id,
            ),
            posted_at=p.posted_at,
            received_at=p.received_at,
            lang=p.lang,
            sentiment=p.sentiment,
            intent=p.intent,
            corrected=p.corrected,
            handled=p.handled,
            tags=[str(t) for t in p.tags or []],
            hashtags=[str(h) for h in p.hashtags or []],
            likes=p.likes,
            reposts=p.reposts,
            replies=p.replies,
            topic_ids=topic_ids,
            contact_id=p.contact_id,
            suggested_contact_id=p.suggested_contact_id,
        )


def _mentions(request: HttpRequest, posts: list[Post]) -> list[MentionOut]:
    topics = queries.topics_of(actor_of(request), posts)
    return [MentionOut.of(p, [t.pk for t in topics.get(p.pk, [])]) for p in posts]


class MentionQuery(QueryIn):
    topic: int | None = Field(default=None, ge=1, le=MAX_ID, description="a topic id")
    sentiment: Sentiment | None = None
    intent: Intent | None = None
    lang: str | None = Field(default=None, max_length=8)
    network: str | None = Field(default=None, max_length=20)
    min_reach: int | None = Field(default=None, ge=0, le=MAX_ID, description="min. followers")
    since: UtcDatetime | None = None
    until: UtcDatetime | None = None
    handled: bool | None = None
    after_id: int | None = Field(
        default=None, ge=0, le=MAX_ID, description="only mentions newer than this post id"
    )
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


@router.get(
    "/mentions",
    response={200: CursorPage[MentionOut], **ERRORS},
    summary="Posts that mention a topic, newest first, with the stream's filters",
    **guarded(Perm.LISTEN_VIEW),
)
def list_mentions(request: HttpRequest, q: Query[MentionQuery]) -> CursorPage[MentionOut]:
    before = None
    if q.cursor:
        _key, before = decode_cursor(q.cursor)
    f = queries.StreamFilter(
        topic=q.topic,
        sentiment=q.sentiment.value if q.sentiment else "",
        intent=q.intent.value if q.intent else "",
        lang=q.lang or "",
        network=q.network or "",
        min_reach=q.min_reach,
        since=q.since,
        until=q.until,
        handled=q.handled,
        after_id=q.after_id,
        before_id=before,
    )
    posts = queries.stream(actor_of(request), f, limit=q.limit + 1)
    next_cursor = None
    if len(posts) > q.limit:
        posts = posts[: q.limit]
        next_cursor = encode_cursor(posts[-1].pk, posts[-1].pk)
    return CursorPage[MentionOut](items=_mentions(request, posts), next_cursor=next_cursor)


@router.get(
    "/mentions/{post_id}", response={200: MentionOut, **ERRORS}, **guarded(Perm.LISTEN_VIEW)
)
def get_mention(request: HttpRequest, post_id: int) -> MentionOut:
    return _mention(request, post_id)


def _mention(request: HttpRequest, post_id: int) -> MentionOut:
    """One mention the actor may see, read afresh (after an action, as it now stands)."""
    return _mentions(request, [queries.access_post(actor_of(request), post_id)])[0]


def _act_on_mention(
    request: HttpRequest, post_id: int, act: Callable[[Actor, Post], Post]
) -> MentionOut:
    """``act`` on a post the actor may reach; the answer is the mention after it."""
    actor = actor_of(request)
    post = act(actor, queries.access_post(actor, post_id))
    return _mention(request, post.pk)


class CorrectIn(StrictIn):
    field: Literal["sentiment", "intent"]
    value: str = Field(min_length=1, max_length=20, description="one of the field's choices")


class TagsIn(StrictIn):
    tags: list[str] = Field(max_length=20, description="replaces the post's tags")


class HandledIn(StrictIn):
    handled: bool = True


class LinkIn(StrictIn):
    contact_id: int = Field(ge=1, le=MAX_ID)


@router.post(
    "/mentions/{post_id}/correct",
    response={200: MentionOut, **ERRORS},
    summary="Correct the model's sentiment or intent (kept as training data)",
    **guarded(Perm.MENTIONS_MANAGE),
)
def correct_mention(request: HttpRequest, post_id: int, body: CorrectIn) -> MentionOut:
    correct = partial(do_correct_post, field=body.field, value=body.value)
    return _act_on_mention(request, post_id, correct)


@router.put(
    "/mentions/{post_id}/tags",
    response={200: MentionOut, **ERRORS},
    **guarded(Perm.MENTIONS_MANAGE),
)
def tag_mention(request: HttpRequest, post_id: int, body: TagsIn) -> MentionOut:
    return _act_on_mention(
        request, post_id, partial(do_tag_post, tags=[t[:200] for t in body.tags])
    )


@router.post(
    "/mentions/{post_id}/handled",
    response={200: MentionOut, **ERRORS},
    **guarded(Perm.MENTIONS_MANAGE),
)
def handle_mention(request: HttpRequest, post_id: int, body: HandledIn) -> MentionOut:
    return _act_on_mention(request, post_id, partial(do_mark_handled, handled=body.handled))


@router.post(
    "/mentions/{post_id}/link",
    response={200: MentionOut, **ERRORS},
    summary="The post's author is this contact: links the post and the author's next posts",
    **guarded(Perm.MENTIONS_MANAGE),
)
def link_mention(request: HttpRequest, post_id: int, body: LinkIn) -> MentionOut:
    def link(actor: Actor, post: Post) -> Post:
        return do_link_post(actor, post, contact_queries.access_contact(actor, body.contact_id))

    return _act_on_mention(request, post_id, link)


# Sources


class ListeningSourceOut(Schema):
    id: int
    name: str
    network: str
    config: dict[str, Any] = Field(description="credentials (token, secret, password, key) masked")
    enabled: bool
    state: str
    cursor: str
    last_error: str
    last_error_at: datetime | None
    last_post_at: datetime | None
    rate_limited_until: datetime | None
    posts_seen: int
    created_at: datetime

    @staticmethod
    def of(s: ListeningSource) -> ListeningSourceOut:
        return ListeningSourceOut(
            id=s.pk,
            name=s.name,
            network=s.network,
            config=masked(s.config if isinstance(s.config, dict) else {}),
            enabled=s.enabled,
            state=s.state,
            cursor=s.cursor,
            last_error=s.last_error,
            last_error_at=s.last_error_at,
            last_post_at=s.last_post_at,
            rate_limited_until=s.rate_limited_until,
            posts_seen=s.posts_seen,
            created_at=s.created_at,
        )


class ListeningSourceIn(StrictIn):
    name: str = Field(min_length=1, max_length=80)
    network: str = Field(min_length=1, max_length=20, description="a provider's name")
    config: dict[str, Any] = Field(
        default_factory=dict, description="the network's settings, checked by its provider"
    )


class ListeningSourcePatch(StrictIn):
    enabled: bool


@router.get(
    "/sources", response={200: list[ListeningSourceOut], **ERRORS}, **guarded(Perm.LISTEN_VIEW)
)
def list_sources(request: HttpRequest) -> list[ListeningSourceOut]:
    return [ListeningSourceOut.of(s) for s in queries.sources(actor_of(request))[:1000]]


@router.post(
    "/sources", response={201: ListeningSourceOut, **ERRORS}, **guarded(Perm.LISTEN_MANAGE)
)
def create_source(request: HttpRequest, body: ListeningSourceIn) -> Status[ListeningSourceOut]:
    all_providers()  # providers register when their packages are imported
    try:
        source = do_create_listening_source(
            actor_of(request), name=body.name, network=body.network, config=body.config
        )
    except (TypeError, KeyError, AttributeError) as exc:
        raise DomainError("These settings do not fit this network.", field="config") from exc
    return Status(201, ListeningSourceOut.of(source))


@router.patch(
    "/sources/{listening_source_id}",
    response={200: ListeningSourceOut, **ERRORS},
    summary="Enable or pause a source",
    **guarded(Perm.LISTEN_MANAGE),
)
def patch_source(
    request: HttpRequest, listening_source_id: int, body: ListeningSourcePatch
) -> ListeningSourceOut:
    actor = actor_of(request)
    source = queries.access_listening_source(actor, listening_source_id)
    return ListeningSourceOut.of(
        do_set_listening_source_enabled(actor, source, enabled=body.enabled)
    )


# Alerts


class AlertOut(Schema):
    id: int
    topic_id: int
    kind: AlertKind
    started_at: datetime
    ended_at: datetime
    observed: float
    expected: float
    score: float
    post_ids: list[int]
    created_at: datetime
    notified_at: datetime | None

    @staticmethod
    def of(a: Alert) -> AlertOut:
        return AlertOut(
            id=a.pk,
            topic_id=a.topic_id,
            kind=AlertKind(a.kind),
            started_at=a.started_at,
            ended_at=a.ended_at,
            observed=a.observed,
            expected=a.expected,
            score=a.score,
            post_ids=[int(i) for i in a.post_ids or [] if isinstance(i, int)],
            created_at=a.created_at,
            notified_at=a.notified_at,
        )


class AlertQuery(QueryIn):
    topic: int | None = Field(default=None, ge=1, le=MAX_ID)
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


@router.get("/alerts", response={200: CursorPage[AlertOut], **ERRORS}, **guarded(Perm.LISTEN_VIEW))
def list_alerts(request: HttpRequest, q: Query[AlertQuery]) -> CursorPage[AlertOut]:
    qs = queries.alerts(actor_of(request))
    if q.topic is not None:
        qs = qs.filter(topic_id=q.topic)
    page = paginate(qs, key="started_at", descending=True, cursor=q.cursor, limit=q.limit)
    return CursorPage[AlertOut](
        items=[AlertOut.of(a) for a in page.items], next_cursor=page.next_cursor
    )

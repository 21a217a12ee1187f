"""Topics: created, changed and removed. A query is parsed before it is saved, so a
saved topic always compiles; a new or changed query is backfilled over stored posts."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from rapport.core.actor import Actor
from rapport.core.audit import record, snapshot
from rapport.core.errors import Conflict, DomainError
from rapport.core.events import Event, publish
from rapport.core.permissions import Perm

from ..models import Topic, TopicKind
from ..query import QuerySyntaxError, parse

_FIELDS = ["name", "kind", "query", "match_diacritics", "active"]


class QueryError(DomainError):
    """A query that does not parse, with where (0-based) the editor should point."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, field="query")
        self.position = position


def validate_query(query: str) -> str:
    query = query.strip()
    if not query:
        raise QueryError('Write a query: a word, a "phrase", a #hashtag or an @handle.', 0)
    try:
        parse(query)
    except QuerySyntaxError as exc:
        raise QueryError(f"{exc.message} (at character {exc.position + 1})", exc.position) from exc
    return query


def _clean(name: str, kind: str) -> str:
    name = " ".join(name.split())[:80]
    if not name:
        raise DomainError("A topic needs a name.", field="name")
    if kind not in TopicKind.values:
        raise DomainError(f"Unknown kind '{kind[:20]}'.", field="kind")
    return name


def do_create_topic(
    actor: Actor, *, name: str, query: str, kind: str = TopicKind.BRAND,
    match_diacritics: bool = False,
) -> Topic:  # fmt: skip
    actor.require(Perm.LISTEN_MANAGE)
    name = _clean(name, kind)
    query = validate_query(query)
    try:
        with transaction.atomic():
            topic = Topic.objects.create(
                workspace=actor.workspace, name=name, kind=kind, query=query,
                match_diacritics=match_diacritics,
            )  # fmt: skip
            record(actor, "topic.create", topic, after=snapshot(topic, _FIELDS))
            publish(Event.TOPIC_CHANGED, actor.workspace.pk, topic_id=topic.pk, backfill=True)
    except IntegrityError as exc:
        raise Conflict(f"A topic called '{name}' exists already.", field="name") from exc
    return topic


def do_update_topic(actor: Actor, topic: Topic, **fields: object) -> Topic:
    actor.require(Perm.LISTEN_MANAGE)
    unknown = sorted(set(fields) - set(_FIELDS))
    if unknown:
        raise DomainError(f"Unknown field '{unknown[0][:40]}'.", field=unknown[0][:40])
    name = _clean(str(fields.get("name", topic.name)), str(fields.get("kind", topic.kind)))
    query = validate_query(str(fields["query"])) if "query" in fields else topic.query
    before = snapshot(topic, _FIELDS)
    topic.name, topic.kind, topic.query = name, str(fields.get("kind", topic.kind)), query
    for flag in ("match_diacritics", "active"):
        if flag in fields:
            setattr(topic, flag, bool(fields[flag]))
    after = snapshot(topic, _FIELDS)
    if after == before:
        return topic
    matching_changed = any(after[f] != before[f] for f in ("query", "match_diacritics", "active"))
    try:
        with transaction.atomic():
            if matching_changed:
                topic.backfilled_at = None
            topic.save()
            record(actor, "topic.update", topic, before=before, after=after)
            publish(Event.TOPIC_CHANGED, actor.workspace.pk, topic_id=topic.pk,
                    backfill=matching_changed and topic.active)  # fmt: skip
    except IntegrityError as exc:
        raise Conflict(f"A topic called '{name}' exists already.", field="name") from exc
    return topic


def do_delete_topic(actor: Actor, topic: Topic) -> None:
    actor.require(Perm.LISTEN_MANAGE)
    with transaction.atomic():
        record(actor, "topic.delete", topic, before=snapshot(topic, _FIELDS))
        topic_id = topic.pk
        topic.delete()
        publish(Event.TOPIC_CHANGED, actor.workspace.pk, topic_id=topic_id, backfill=False)

"""A source's posts into the database, in the order the issue's pipeline names:
normalise → dedupe (by id, then by near-duplicate text) → match → language →
sentiment and intent → author → contact → store → domain events.

One transaction per step of a source, together with the source's cursor: a crash
re-reads the step and the unique (network, external id) drops what was stored, so
nothing is lost and nothing is stored twice. Language, sentiment and intent run only
on posts that matched a topic and are not copies: they are the costly part."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from django.db import transaction
from django.utils import timezone

from rapport.channels.posts import RawPost
from rapport.channels.registry import Fetched
from rapport.contacts.behaviour import contacts_by_identity, contacts_by_name
from rapport.contacts.models import IdentityKind
from rapport.core.events import Event, publish
from rapport.core.models import Workspace

from .fingerprint import fingerprint
from .models import Author, ListeningSource, Mention, Post, SourceState
from .query import PostText
from .topics_index import TopicIndex

MAX_TEXT = 10_000  # characters kept of a post (articles are cut, not refused)
COPY_WINDOW = timedelta(hours=24)
NAME_MATCH_CONFIDENCE = 0.5


class Prediction(Protocol):
    @property
    def sentiment(self) -> str: ...

    @property
    def sentiment_score(self) -> float: ...

    @property
    def intent(self) -> str: ...

    @property
    def intent_score(self) -> float: ...


class Nlp(Protocol):
    """Language, sentiment and intent (``rapport.nlp`` behind a small seam, so the
    store can be tested with a fixed model)."""

    def language(self, text: str, allowed: list[str]) -> str: ...

    def classify(self, texts: list[str], workspace_id: int) -> Sequence[Prediction]:
        """With the workspace's own model when its agents' corrections made one."""
        ...


@dataclass
class StoreReport:
    received: int = 0
    stored: int = 0
    duplicates: int = 0  # same id as a stored post
    copies: int = 0  # same text as a recent post
    mentions: int = 0
    mention_ids: list[int] = field(default_factory=list)


def clean_text(text: str) -> str:
    """Control characters out (they break terminals and CSV exports), NFC so the same
    word is stored one way, and a length cap."""
    text = unicodedata.normalize("NFC", text)
    if text.isprintable():  # no control or format character (the usual case): done
        return text.strip()[:MAX_TEXT]
    kept = "".join(c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C")
    return kept.strip()[:MAX_TEXT]


def store(source: ListeningSource, fetched: Fetched, index: TopicIndex, nlp: Nlp) -> StoreReport:
    report = StoreReport(received=len(fetched.posts))
    ws = source.workspace_id
    now = timezone.now()
    candidates = fetched.posts
    if not source.keep_unmatched:
        # A firehose: posts that match no topic are not kept, and cost only the match.
        candidates = [p for p in candidates if _matches(index, source, p)]
        if not candidates and not _cursor_due(source):
            return report
    with transaction.atomic():
        posts = _fresh(source, candidates, report)
        rows = [_row(source, p, now) for p in posts]
        copies = _copies(ws, [r.fingerprint for r in rows if r.fingerprint], now)
        matched: list[tuple[Post, RawPost, list[int]]] = []
        first_in_step: dict[str, Post] = {}
        late: list[tuple[Post, Post]] = []  # copies of a post of this same step
        for row, raw in zip(rows, posts, strict=True):
            if row.fingerprint in copies:
                row.duplicate_of_id = copies[row.fingerprint]
                report.copies += 1
                continue
            if row.fingerprint in first_in_step:
                late.append((row, first_in_step[row.fingerprint]))
                report.copies += 1
                continue
            if row.fingerprint:
                first_in_step[row.fingerprint] = row
            topics = index.match(ws, PostText(row.text, raw.lang, source.network, row_handle(raw)))
            if topics:
                matched.append((row, raw, topics))
        _classify(ws, matched, nlp)
        authors = _authors(source, posts, now)
        for row, raw in zip(rows, posts, strict=True):
            row.author_id = authors[row_handle(raw)]
        _link_contacts(ws, source.network, rows, posts)
        Post.unscoped.bulk_create(rows)
        # Copies within this step point at the first of them, now that it has an id.
        for copy, original in late:
            copy.duplicate_of_id = original.pk
        Post.unscoped.bulk_update([c for c, _ in late], ["duplicate_of"])
        mentions = [mention_of(row, t) for row, _raw, topics in matched for t in topics]
        Mention.unscoped.bulk_create(mentions)
        report.stored, report.mentions = len(rows), len(mentions)
        report.mention_ids = [m.pk for m in mentions]
        _advance(source, fetched.cursor, rows, now)
        for m in mentions:
            publish(Event.MENTION_CREATED, ws, mention_id=m.pk, topic_id=m.topic_id,
                    post_id=m.post_id, sentiment=m.sentiment, intent=m.intent)  # fmt: skip
    return report


def _matches(index: TopicIndex, source: ListeningSource, p: RawPost) -> bool:
    text = clean_text(p.text or p.title)
    return bool(index.match(source.workspace_id, PostText(text, p.lang, source.network,
                                                          row_handle(p))))  # fmt: skip


CURSOR_EVERY = 5.0  # seconds: a firehose's cursor is saved this often when nothing matched
_cursor_saved: dict[int, float] = {}


def _cursor_due(source: ListeningSource) -> bool:
    """Whether a step with nothing to store should still save the cursor. A restart
    re-reads at most these seconds of the stream, and the unique post ids drop what
    was stored already; saving every step would cost a commit each."""
    return time.monotonic() - _cursor_saved.get(source.pk, 0.0) >= CURSOR_EVERY


def mention_of(row: Post, topic_id: int) -> Mention:
    """A post's mention of a topic, with the post's verdicts copied for the charts."""
    return Mention(
        workspace_id=row.workspace_id,
        topic_id=topic_id,
        post=row,
        posted_at=row.posted_at,
        sentiment=row.sentiment,
        intent=row.intent,
        lang=row.lang,
        network=row.network,
    )


def row_handle(raw: RawPost) -> str:
    return raw.author.handle[:200] or "unknown"


def _fresh(source: ListeningSource, posts: list[RawPost], report: StoreReport) -> list[RawPost]:
    """Posts not stored yet (by network and id), once each, with some text."""
    by_id: dict[str, RawPost] = {}
    for p in posts:
        if p.external_id and clean_text(p.text or p.title):
            by_id.setdefault(p.external_id[:300], p)
    stored = set(
        Post.objects.for_workspace(source.workspace_id)
        .filter(network=source.network, external_id__any=list(by_id))
        .values_list("external_id", flat=True)
    )
    report.duplicates = len(posts) - len(by_id) + len(stored)
    return [p for key, p in by_id.items() if key not in stored]


def _row(source: ListeningSource, p: RawPost, now: datetime) -> Post:
    text = clean_text(p.text or p.title)
    posted = p.created_at if p.created_at.tzinfo else p.created_at.replace(tzinfo=UTC)
    return Post(
        workspace_id=source.workspace_id,
        source_id=source.pk,
        network=post_network(source, p),
        external_id=p.external_id[:300],
        url=_safe_url(p.url),
        title=clean_text(p.title)[:300],
        text=text,
        posted_at=min(posted, now),  # a clock in the future does not sort first for days
        received_at=now,
        reply_to=p.reply_to[:300],
        hashtags=[h[:100] for h in p.hashtags[:50]],
        mentions=[m[:200] for m in p.mentions[:50]],
        likes=max(0, p.likes),
        reposts=max(0, p.reposts),
        replies=max(0, p.replies),
        fingerprint=fingerprint(text),
    )


# Sources that carry posts recorded elsewhere: the post says which network it is from.
_CARRIERS = ("replay", "jsonl", "webhook")


def post_network(source: ListeningSource, p: RawPost) -> str:
    if source.network in _CARRIERS and p.network:
        return p.network[:20]
    return source.network


def _safe_url(url: str) -> str:
    """Only web links are kept: a ``javascript:`` or ``data:`` URL in a payload must
    never become an "open the original" link."""
    url = url.strip()[:1000]
    return url if url.lower().startswith(("https://", "http://")) else ""


def _copies(workspace_id: int, prints: list[str], now: datetime) -> dict[str, int]:
    if not prints:
        return {}
    return dict(
        Post.objects.for_workspace(workspace_id)
        .filter(
            fingerprint__any=list(set(prints)),
            received_at__gte=now - COPY_WINDOW,
            duplicate_of__isnull=True,
        )
        .values_list("fingerprint", "pk")
    )


def _classify(workspace_id: int, matched: list[tuple[Post, RawPost, list[int]]], nlp: Nlp) -> None:
    for row, raw, _ in matched:
        row.lang = raw.lang[:8]  # the network's hint, until the text says otherwise
    classify_rows(workspace_id, [row for row, _, _ in matched], nlp)


def classify_rows(workspace_id: int, rows: list[Post], nlp: Nlp) -> None:
    """Language, sentiment and intent on these posts (one model call for all)."""
    if not rows:
        return
    allowed = _languages(workspace_id)
    for row in rows:
        row.lang = (nlp.language(row.text, allowed) or row.lang or "")[:8]
    for row, p in zip(rows, nlp.classify([r.text for r in rows], workspace_id), strict=True):
        row.sentiment, row.sentiment_score = p.sentiment, round(p.sentiment_score, 4)
        row.intent, row.intent_score = p.intent, round(p.intent_score, 4)


def _languages(workspace_id: int) -> list[str]:
    ws = Workspace.objects.filter(pk=workspace_id).values_list("languages", "default_language")
    languages, default = ws.first() or ([], "en")
    return sorted({*(languages or []), default})


def _authors(source: ListeningSource, posts: list[RawPost], now: datetime) -> dict[str, int]:
    """Each author's row, made or refreshed with what the newest post says of them."""
    ws = source.workspace_id
    latest: dict[str, RawPost] = {}
    counts: dict[str, int] = {}
    for p in posts:
        handle = row_handle(p)
        latest[handle] = p
        counts[handle] = counts.get(handle, 0) + 1
    network = post_network(source, posts[0]) if posts else source.network
    known = {
        a.handle: a
        for a in Author.objects.for_workspace(ws).filter(network=network, handle__any=list(latest))
    }
    new, changed = [], []
    for handle, p in latest.items():
        a = known.get(handle)
        if a is None:
            a = Author(workspace_id=ws, network=network, handle=handle, first_seen=now, posts=0)
            new.append(a)
        else:
            changed.append(a)
        a.name = p.author.name[:200] or a.name
        a.url = _safe_url(p.author.url) or a.url
        a.followers = p.author.followers if p.author.followers is not None else a.followers
        a.verified = p.author.verified or a.verified
        a.posts += counts[handle]
        a.last_seen = now
    # Two sources of one workspace can meet the same new author at the same moment:
    # the second insert is skipped, and every id is read back after.
    Author.unscoped.bulk_create(new, ignore_conflicts=True)
    Author.unscoped.bulk_update(changed, ["name", "url", "followers", "verified", "posts",
                                         "last_seen"])  # fmt: skip
    return dict(
        Author.objects.for_workspace(ws)
        .filter(network=network, handle__any=list(latest))
        .values_list("handle", "pk")
    )


def _link_contacts(workspace_id: int, network: str, rows: list[Post], posts: list[RawPost]) -> None:
    """A post's author is a contact when the contact holds the author's identity on
    the network; otherwise a contact with the author's exact full name is suggested,
    with a confidence, for an agent to confirm."""
    handles = {row_handle(p) for p in posts}
    linked: dict[str, int] = {}
    for kind in {identity_kind(r.network, row_handle(p)) for r, p in zip(rows, posts, strict=True)}:
        if kind:
            linked.update(contacts_by_identity(workspace_id, kind, handles))
    names = contacts_by_name(workspace_id, {p.author.name for p in posts if p.author.name})
    for row, p in zip(rows, posts, strict=True):
        handle = row_handle(p)
        if handle in linked:
            row.contact_id = linked[handle]
        elif (suggested := names.get(" ".join(p.author.name.split()).lower())) is not None:
            row.suggested_contact_id = suggested
            row.suggestion_confidence = NAME_MATCH_CONFIDENCE


def identity_kind(network: str, handle: str) -> str:
    """The contacts identity an author's handle is, on its network ("" for feeds and
    webhooks, which have none). Jetstream names Bluesky authors by their DID."""
    if network == "bluesky" and handle.startswith("did:"):
        return str(IdentityKind.BLUESKY_DID)
    return network if network in IdentityKind.values else ""


def _advance(source: ListeningSource, cursor: str, rows: list[Post], now: datetime) -> None:
    _cursor_saved[source.pk] = time.monotonic()
    source.cursor = cursor
    source.state = SourceState.CONNECTED
    source.posts_seen += len(rows)
    if rows:
        source.last_post_at = now
    source.rate_limited_until = None
    source.save(update_fields=["cursor", "state", "posts_seen", "last_post_at",
                               "rate_limited_until"])  # fmt: skip

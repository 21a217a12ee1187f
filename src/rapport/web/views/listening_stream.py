"""Listen → the mention stream: filters (htmx), live arrival (a poll every 5 s for
posts newer than the first shown), "Load more", and what an agent does to a mention
(correct sentiment or intent, tag, mark handled, link to a contact).

Post text, names and handles are whatever a stranger wrote: the templates show them
only as escaped text, and a post's link only when it is http(s)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rapport.contacts import queries as contact_queries
from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.models import Contact, IdentityKind
from rapport.contacts.resolution import Claim
from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm
from rapport.listening import queries, views_support
from rapport.listening.actions import do_correct_post, do_link_post, do_mark_handled, do_tag_post
from rapport.listening.models import Intent, Post, Sentiment
from rapport.web.decorators import workspace_view

MAX_ID = 2**63 - 1
POLL_SECONDS = 5
FILTER_KEYS = ("topic", "sentiment", "intent", "lang", "network", "min_reach", "since", "until",
               "handled")  # fmt: skip


def _int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return min(int(raw), MAX_ID) if raw.isdigit() else None


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return None


def stream_filter(request: HttpRequest) -> queries.StreamFilter:
    g = request.GET
    since, until = _day(g.get("since")), _day(g.get("until"))
    handled = {"yes": True, "no": False}.get(g.get("handled", ""))
    return queries.StreamFilter(
        topic=_int(g.get("topic")),
        sentiment=g.get("sentiment", "")[:16],
        intent=g.get("intent", "")[:16],
        lang=g.get("lang", "")[:8].strip(),
        network=g.get("network", "")[:20].strip(),
        min_reach=_int(g.get("min_reach")),
        since=datetime.combine(since, time(), UTC) if since else None,
        until=datetime.combine(until, time(), UTC) + timedelta(days=1) if until else None,
        handled=handled,
        after_id=_int(g.get("after_id")),
        before_id=_int(g.get("before_id")),
    )


def _filter_query(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET[k][:40] for k in FILTER_KEYS if request.GET.get(k)}


def safe_url(url: str) -> str:
    """A post's link only when it is http(s) (the store keeps only those; this holds
    whatever wrote the row)."""
    return url if url.lower().startswith(("https://", "http://")) else ""


def _rows(actor: Actor, posts: list[Post]) -> list[dict[str, Any]]:
    topics = queries.topics_of(actor, posts)
    return [{"post": p, "topics": topics.get(p.pk, []), "url": safe_url(p.url)} for p in posts]


def _list_context(request: HttpRequest, actor: Actor) -> dict[str, Any]:
    f = stream_filter(request)
    posts = queries.stream(actor, f)
    base = reverse("listen", args=[actor.workspace.slug])
    filters = _filter_query(request)
    first = str(posts[0].pk if posts else f.after_id or _newest_id(actor))
    context: dict[str, Any] = {
        "rows": _rows(actor, posts),
        "can_act": actor.can(Perm.MENTIONS_MANAGE),
        "sentiments": Sentiment.choices,
        "intents": Intent.choices,
        "poll_url": f"{base}?{urlencode({**filters, 'after_id': first})}",
        "more_url": (
            f"{base}?{urlencode({**filters, 'before_id': str(posts[-1].pk)})}"
            if len(posts) >= queries.STREAM_PAGE
            else ""
        ),
        "poll_seconds": POLL_SECONDS,
    }
    return context


def _newest_id(actor: Actor) -> int:
    newest = (
        Post.objects.for_workspace(actor.workspace).order_by("-pk").values_list("pk", flat=True)[:1]
    )
    return int(newest[0]) if newest else 0


def _hx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@never_cache
@workspace_view(Perm.LISTEN_VIEW)
def stream(request: HttpRequest, actor: Actor) -> HttpResponse:
    if _hx(request) and request.GET.get("after_id"):
        context = _list_context(request, actor)
        if not context["rows"]:
            return HttpResponse(status=204)  # nothing new: the poller stays and asks again
        return render(request, "web/listening/_poll.html", context)
    if _hx(request) and request.GET.get("before_id"):
        return render(request, "web/listening/_more.html", _list_context(request, actor))
    context = _list_context(request, actor)
    if _hx(request):
        return render(request, "web/listening/_list.html", context)
    g = request.GET
    context.update(
        {
            "section": "listen",
            "tab": "stream",
            "topics": queries.topics(actor),
            "f": {k: g.get(k, "")[:40] for k in FILTER_KEYS},
            # The networks there are (no scan of the posts for their distinct values).
            "networks": sorted(
                set(views_support.all_providers())
                | set(queries.sources(actor).values_list("network", flat=True))
            ),
        }
    )
    return render(request, "web/listening/stream.html", context)


def _row_response(
    request: HttpRequest, actor: Actor, post: Post, *, error: str = ""
) -> HttpResponse:
    post = queries.access_post(actor, post.pk)
    context = {
        "row": _rows(actor, [post])[0],
        "can_act": actor.can(Perm.MENTIONS_MANAGE),
        "sentiments": Sentiment.choices,
        "intents": Intent.choices,
        "error": error,
    }
    return render(request, "web/listening/_row.html", context, status=400 if error else 200)


def _done(request: HttpRequest, actor: Actor, post: Post, error: str = "") -> HttpResponseBase:
    if _hx(request):
        return _row_response(request, actor, post, error=error)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    return redirect(f"{reverse('listen', args=[actor.workspace.slug])}#post-{post.pk}")


@require_POST
@workspace_view(Perm.MENTIONS_MANAGE)
def post_correct(request: HttpRequest, actor: Actor, post_id: int) -> HttpResponseBase:
    post = queries.access_post(actor, post_id)
    try:
        do_correct_post(
            actor,
            post,
            field=request.POST.get("field", "")[:20],
            value=request.POST.get("value", "")[:20],
        )
    except DomainError as exc:
        return _done(request, actor, post, exc.message)
    return _done(request, actor, post)


@require_POST
@workspace_view(Perm.MENTIONS_MANAGE)
def post_tag(request: HttpRequest, actor: Actor, post_id: int) -> HttpResponseBase:
    post = queries.access_post(actor, post_id)
    tags = request.POST.get("tags", "")[:2000].split(",")
    try:
        do_tag_post(actor, post, tags=tags)
    except DomainError as exc:
        return _done(request, actor, post, exc.message)
    return _done(request, actor, post)


@require_POST
@workspace_view(Perm.MENTIONS_MANAGE)
def post_handled(request: HttpRequest, actor: Actor, post_id: int) -> HttpResponseBase:
    post = queries.access_post(actor, post_id)
    handled = request.POST.get("handled", "1") != "0"
    do_mark_handled(actor, post, handled=handled)
    return _done(request, actor, post)


@never_cache
@workspace_view(Perm.MENTIONS_MANAGE)
def post_link(request: HttpRequest, actor: Actor, post_id: int) -> HttpResponseBase:
    """GET: contacts matching ?q= to link the post's author to. POST: link to
    ``contact_id``, or ``create=1`` a contact from the author first."""
    post = queries.access_post(actor, post_id)
    if request.method == "POST":
        try:
            contact = _link_target(request, actor, post)
            do_link_post(actor, post, contact)
        except DomainError as exc:
            return _done(request, actor, post, exc.message)
        return _done(request, actor, post)
    q = request.GET.get("q", "")[:200].strip()
    found: list[Contact] = []
    if q and actor.can(Perm.CONTACTS_VIEW):
        found = list(contact_queries.list_contacts(actor, search=q).order_by("-id")[:8])
    context = {
        "post": post,
        "q": q,
        "found": found,
        "can_create": actor.can(Perm.CONTACTS_MANAGE),
        "can_search": actor.can(Perm.CONTACTS_VIEW),
    }
    if _hx(request):
        return render(request, "web/listening/_link.html", context)
    context.update({"section": "listen", "tab": "stream"})
    return render(request, "web/listening/link.html", context)


def _link_target(request: HttpRequest, actor: Actor, post: Post) -> Contact:
    if request.POST.get("create"):
        author = post.author
        claims = [Claim(post.network, author.handle)] if post.network in IdentityKind.values else []
        return do_create_contact(
            actor, identities=claims, full_name=(author.name or author.handle)[:200]
        ).contact
    contact_id = _int(request.POST.get("contact_id"))
    if contact_id is None:
        raise DomainError("Choose a contact to link to.", field="contact")
    actor.require(Perm.CONTACTS_VIEW)
    return contact_queries.access_contact(actor, contact_id)

"""Listen → topics: the list with a week's mentions, the editor (the query checked and
previewed against stored posts as it is typed), delete, and a topic's dashboard."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm
from rapport.listening import analytics, charts, queries, views_support
from rapport.listening.actions import (
    QueryError,
    do_create_topic,
    do_delete_topic,
    do_update_topic,
)
from rapport.listening.models import Topic, TopicKind
from rapport.web.decorators import workspace_view
from rapport.web.forms import show_error

PERIODS = (("24h", "24 hours"), ("7d", "7 days"), ("30d", "30 days"))


class TopicForm(forms.Form):
    name = forms.CharField(max_length=80)
    kind = forms.ChoiceField(choices=TopicKind.choices, initial=TopicKind.BRAND)
    query = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text='Words, "phrases", prefix*, #hashtags, @handles, AND / OR / NOT, '
        "lang:, source:, author:.",
    )
    match_diacritics = forms.BooleanField(
        required=False, label="Accents must match as written (off: “lodz” finds “Łódź”)"
    )
    active = forms.BooleanField(required=False, initial=True, label="Active")


@workspace_view(Perm.LISTEN_VIEW)
def topic_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    stats = views_support.topic_stats(actor)
    rows = []
    for t in queries.topics(actor):
        s = stats.get(t.pk, views_support.TopicStats(0, 0, 0, 0))
        rows.append(
            {
                "topic": t,
                "stats": s,
                "bar": charts.sentiment_bar(s.negative, s.neutral, s.positive),
            }
        )
    return render(
        request,
        "web/listening/topics.html",
        {
            "section": "listen",
            "tab": "topics",
            "rows": rows,
            "can_manage": actor.can(Perm.LISTEN_MANAGE),
        },
    )


def _editor(
    request: HttpRequest,
    actor: Actor,
    form: TopicForm,
    topic: Topic | None,
    *,
    status: int = 200,
    preview: views_support.Preview | None = None,
) -> HttpResponse:
    return render(
        request,
        "web/listening/topic_form.html",
        {
            "section": "listen",
            "tab": "topics",
            "form": form,
            "topic": topic,
            "preview": preview,
        },
        status=status,
    )


def _save(request: HttpRequest, actor: Actor, topic: Topic | None) -> HttpResponseBase:
    form = TopicForm(request.POST)
    preview = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            if topic is None:
                topic = do_create_topic(
                    actor,
                    name=data["name"],
                    query=data["query"],
                    kind=data["kind"],
                    match_diacritics=data["match_diacritics"],
                )
                if not data["active"]:
                    do_update_topic(actor, topic, active=False)
                messages.success(request, f"Topic “{topic.name}” created.")
            else:
                do_update_topic(actor, topic, **data)
                messages.success(request, f"Topic “{topic.name}” saved.")
        except QueryError as exc:
            show_error(form, exc)  # takes the field out of cleaned_data
            preview = views_support.preview(actor, request.POST.get("query", "")[:4000])
        except DomainError as exc:
            show_error(form, exc)
        else:
            assert topic is not None
            return redirect("listen_topic", slug=actor.workspace.slug, topic_id=topic.pk)
    elif "query" in request.POST:
        preview = views_support.preview(actor, request.POST.get("query", "")[:4000])
    return _editor(request, actor, form, topic, status=400, preview=preview)


@never_cache
@workspace_view(Perm.LISTEN_MANAGE)
def topic_create(request: HttpRequest, actor: Actor) -> HttpResponseBase:
    if request.method == "POST":
        return _save(request, actor, None)
    return _editor(request, actor, TopicForm(), None)


@never_cache
@workspace_view(Perm.LISTEN_MANAGE)
def topic_edit(request: HttpRequest, actor: Actor, topic_id: int) -> HttpResponseBase:
    topic = queries.access_topic(actor, topic_id)
    if request.method == "POST":
        return _save(request, actor, topic)
    form = TopicForm(
        initial={
            "name": topic.name,
            "kind": topic.kind,
            "query": topic.query,
            "match_diacritics": topic.match_diacritics,
            "active": topic.active,
        }
    )
    return _editor(request, actor, form, topic, preview=views_support.preview(actor, topic.query))


@never_cache
@workspace_view(Perm.LISTEN_MANAGE)
def topic_preview(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The editor's live check: the query's error with where it is, or the stored
    posts of the last 30 days it matches."""
    query = request.GET.get("query", "")[:4000]
    diacritics = request.GET.get("match_diacritics") in ("on", "1", "true")
    context: dict[str, Any] = {
        "preview": views_support.preview(actor, query, diacritics=diacritics),
        "section": "listen",
        "tab": "topics",
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "web/listening/_preview.html", context)
    return render(request, "web/listening/preview.html", context)


@require_POST
@workspace_view(Perm.LISTEN_MANAGE)
def topic_delete(request: HttpRequest, actor: Actor, topic_id: int) -> HttpResponseBase:
    topic = queries.access_topic(actor, topic_id)
    name = topic.name
    do_delete_topic(actor, topic)
    messages.success(request, f"Topic “{name}” deleted.")
    return redirect("listen_topics", slug=actor.workspace.slug)


@workspace_view(Perm.LISTEN_VIEW)
def topic_dashboard(request: HttpRequest, actor: Actor, topic_id: int) -> HttpResponse:
    topic = queries.access_topic(actor, topic_id)
    period = request.GET.get("period", "7d")
    if period not in dict(PERIODS):
        period = "7d"
    since, hourly = views_support.since_for(period)
    buckets = analytics.volume(actor, topic, since, hourly=hourly)
    shares = analytics.share_of_voice(actor, since)
    authors = analytics.top_authors(actor, topic, since)
    influence = views_support.topic_influence(actor, topic, since) if authors else {}
    terms, hashtags = analytics.top_terms(actor, topic, since)
    context: dict[str, Any] = {
        "section": "listen",
        "tab": "topics",
        "topic": topic,
        "period": period,
        "periods": PERIODS,
        "total": sum(b.total for b in buckets),
        "negative": sum(b.negative for b in buckets),
        "volume_svg": charts.volume_chart(buckets, hourly=hourly),
        "spark": charts.sparkline([b.total for b in buckets]),
        "shares": shares,
        "share_svg": charts.share_chart(shares) if shares else "",
        "authors": [(a, influence.get(a.author.pk)) for a in authors],
        "terms": terms,
        "hashtags": hashtags,
        "languages": analytics.breakdown(actor, topic, since, "lang"),
        "networks": analytics.breakdown(actor, topic, since, "network"),
        "intents": analytics.breakdown(actor, topic, since, "intent"),
        "can_manage": actor.can(Perm.LISTEN_MANAGE),
    }
    return render(request, "web/listening/topic.html", context)

"""Listen → sources (status, where each stopped, add, pause) and alerts (spikes with
the posts behind them, and each topic's alert rule). A source's settings can hold
credentials: pages show them masked, never in full."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm
from rapport.listening import queries, views_support
from rapport.listening.actions import (
    do_create_listening_source,
    do_save_alert_rule,
    do_set_listening_source_enabled,
)
from rapport.listening.models import AlertRule
from rapport.web.decorators import workspace_view
from rapport.web.forms import show_error

ALERTS_SHOWN = 100


@dataclass(frozen=True)
class ConfigField:
    """One setting of a network, as a form field; what the provider's validate()
    accepts. Networks not listed here (and anything more) take JSON."""

    key: str
    label: str
    kind: str = "text"  # text, secret, list, number, bool, choice
    help: str = ""
    choices: tuple[str, ...] = ()

    def name(self, network: str) -> str:
        return f"cfg_{network}_{self.key}"


NETWORK_FIELDS: dict[str, tuple[ConfigField, ...]] = {
    "bluesky": (
        ConfigField("dids", "Only these accounts (DIDs)", "list", "comma separated; empty: all"),
        ConfigField("profiles", "Look up authors' profiles", "bool"),
    ),
    "mastodon": (
        ConfigField("instance", "Instance", help="like https://mastodon.social"),
        ConfigField("hashtags", "Hashtags", "list", "comma separated, without #"),
        ConfigField("mode", "Mode", "choice", choices=("stream", "poll")),
        ConfigField("token", "Access token", "secret", "optional; never shown again"),
    ),
    "reddit": (
        ConfigField("subreddits", "Subreddits", "list", "comma separated, like selfhosted"),
        ConfigField("query", "Search query", help="optional"),
        ConfigField("client_id", "Client id", "secret"),
        ConfigField("client_secret", "Client secret", "secret", "never shown again"),
        ConfigField("username", "Reddit account (for the user agent)"),
        ConfigField("include_comments", "Include comments", "bool"),
    ),
    "rss": (
        ConfigField("url", "Feed URL", help="like https://example.com/feed.xml"),
        ConfigField("interval_seconds", "Check every (seconds)", "number"),
    ),
    "x": (
        ConfigField("query", "Search query", help="like acme -is:retweet"),
        ConfigField("mode", "Mode", "choice", choices=("search", "stream")),
        ConfigField("token", "API bearer token", "secret", "never shown again"),
    ),
    "replay": (
        ConfigField("speed", "Speed", "number", "30 plays 30 recorded seconds a second"),
        ConfigField("loop", "Loop", "bool"),
    ),
}


def config_from_fields(data: Any, network: str, base: dict[str, Any]) -> dict[str, Any]:
    """The JSON settings, with the network's form fields on top (blank ones left out)."""
    config = dict(base)
    for f in NETWORK_FIELDS.get(network, ()):
        raw = str(data.get(f.name(network), "")).strip()[:2000]
        if f.kind == "bool":
            config[f.key] = bool(raw)
        elif not raw:
            continue
        elif f.kind == "list":
            config[f.key] = [v.strip() for v in raw.split(",") if v.strip()]
        elif f.kind == "number":
            try:
                config[f.key] = float(raw)
            except ValueError:
                config[f.key] = raw  # the provider says what it wants
        else:
            config[f.key] = raw
    return config


def source_rows(actor: Actor) -> list[dict[str, Any]]:
    rows = []
    for s in queries.sources(actor):
        cursor = s.cursor or ""
        rows.append(
            {
                "source": s,
                "cursor": cursor if len(cursor) <= 24 else f"{cursor[:20]}…",
                "config": json.dumps(views_support.masked(s.config), ensure_ascii=False)[:300],
            }
        )
    return rows


@never_cache
@workspace_view(Perm.LISTEN_VIEW)
def sources(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(
        request,
        "web/listening/sources.html",
        {
            "section": "listen",
            "tab": "sources",
            "rows": source_rows(actor),
            "can_manage": actor.can(Perm.LISTEN_MANAGE),
        },
    )


class SourceForm(forms.Form):
    name = forms.CharField(max_length=80)
    network = forms.ChoiceField(choices=())
    config = forms.CharField(
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "mono"}),
        label="Other settings (JSON)",
        help_text="Anything the fields above do not cover, as a JSON object; checked by "
        "the network's connector. Credentials are stored but never shown again.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        network = self.fields["network"]
        assert isinstance(network, forms.ChoiceField)
        network.choices = [
            (name, f"{getattr(p, 'label', name)} ({name})")
            for name, p in views_support.all_providers().items()
        ]

    def clean_config(self) -> dict[str, Any]:
        raw = self.cleaned_data.get("config", "").strip() or "{}"
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise ValidationError(f"Not valid JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise ValidationError("Write a JSON object: {…}.")
        return value


@never_cache
@workspace_view(Perm.LISTEN_MANAGE)
def source_create(request: HttpRequest, actor: Actor) -> HttpResponseBase:
    if request.method == "POST":
        form = SourceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                config = config_from_fields(request.POST, data["network"], data["config"])
                source = do_create_listening_source(
                    actor, name=data["name"], network=data["network"], config=config
                )
            except DomainError as exc:
                show_error(form, exc)
            except (TypeError, KeyError, AttributeError) as exc:
                form.add_error("config", f"These settings do not fit this network ({exc}).")
            else:
                messages.success(request, f"Source “{source.name}” added.")
                return redirect("listen_sources", slug=actor.workspace.slug)
        status = 400
    else:
        form = SourceForm(initial={"network": request.GET.get("network", "")[:20]})
        status = 200
    chosen = str(form["network"].value() or "")
    groups = [
        {
            "network": network,
            "hidden": network != chosen,
            "fields": [
                {
                    "f": f,
                    "name": f.name(network),
                    "value": "" if f.kind == "secret" else request.POST.get(f.name(network), ""),
                }
                for f in fields
            ],
        }
        for network, fields in NETWORK_FIELDS.items()
        if network in views_support.all_providers()
    ]
    return render(
        request,
        "web/listening/source_form.html",
        {"section": "listen", "tab": "sources", "form": form, "groups": groups},
        status=status,
    )


@require_POST
@workspace_view(Perm.LISTEN_MANAGE)
def source_toggle(request: HttpRequest, actor: Actor, listening_source_id: int) -> HttpResponseBase:
    source = queries.access_listening_source(actor, listening_source_id)
    do_set_listening_source_enabled(actor, source, enabled=not source.enabled)
    messages.success(
        request, f"Source “{source.name}” {'enabled' if source.enabled else 'paused'}."
    )
    return redirect("listen_sources", slug=actor.workspace.slug)


@never_cache
@workspace_view(Perm.LISTEN_VIEW)
def alerts(request: HttpRequest, actor: Actor) -> HttpResponse:
    shown = list(queries.alerts(actor)[:ALERTS_SHOWN])
    posts = views_support.alert_posts(actor, shown)
    rules = views_support.alert_rules(actor)
    topics = list(queries.topics(actor))
    return render(
        request,
        "web/listening/alerts.html",
        {
            "section": "listen",
            "tab": "alerts",
            "alerts": [(a, posts.get(a.pk, [])) for a in shown],
            "rules": [(t, rules.get(t.pk) or AlertRule(topic=t)) for t in topics],
            "can_manage": actor.can(Perm.LISTEN_MANAGE),
        },
    )


class AlertRuleForm(forms.Form):
    enabled = forms.BooleanField(required=False)
    sensitivity = forms.FloatField(min_value=1e-9, max_value=0.49, initial=0.001)
    min_mentions = forms.IntegerField(min_value=0, max_value=1_000_000, initial=10)
    emails = forms.CharField(required=False, max_length=2000)
    webhook_url = forms.URLField(required=False, max_length=500, assume_scheme="https")

    def clean_emails(self) -> list[str]:
        found = [e.strip() for e in self.cleaned_data.get("emails", "").split(",") if e.strip()]
        for e in found:
            validate_email(e)
        return found[:20]


@require_POST
@workspace_view(Perm.LISTEN_MANAGE)
def alert_rule(request: HttpRequest, actor: Actor, topic_id: int) -> HttpResponseBase:
    topic = queries.access_topic(actor, topic_id)
    form = AlertRuleForm(request.POST)
    if form.is_valid():
        try:
            do_save_alert_rule(actor, topic, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, f"{topic.name}: {exc.message}")
        else:
            messages.success(request, f"Alert rule of “{topic.name}” saved.")
    else:
        problems = "; ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items())
        messages.error(request, f"{topic.name}: {problems}")
    return redirect("listen_alerts", slug=actor.workspace.slug)

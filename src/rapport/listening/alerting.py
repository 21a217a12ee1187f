"""Alerts: each active topic's hourly mentions checked for spikes (``spikes``: a
baseline that knows the hour of the week; docs/listening-alerts.md), one alert per
run of spike hours, extended while the spike goes on, with the posts that caused it;
then the rule's people are told by email and by a Slack-compatible webhook."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncHour
from django.utils import timezone

from rapport.channels.http import HttpClient
from rapport.core.events import Event, publish

from .models import Alert, AlertKind, AlertRule, Mention, Topic
from .spikes import DEFAULT_CONFIG, HOUR, detect_spikes, group_alerts
from .spikes import Alert as Run

logger = logging.getLogger(__name__)

HISTORY = timedelta(days=36)  # four weeks of the same hour, and a few days for the level
LOOK_BACK = timedelta(hours=3)  # hours checked each run (the job runs every few minutes)
CAUSES = 20  # posts kept as the alert's cause
_KIND = {"volume": AlertKind.VOLUME, "negative_share": AlertKind.NEGATIVE}


def hourly(topic: Topic, since: datetime) -> list[tuple[datetime, int, int]]:
    rows = (
        Mention.objects.for_workspace(topic.workspace_id)
        .filter(topic=topic, posted_at__gte=since)
        .annotate(hour=TruncHour("posted_at"))
        .values("hour")
        .annotate(n=Count("id"), negative=Count("id", filter=Q(sentiment="negative")))
    )
    return [(r["hour"], int(r["n"]), int(r["negative"])) for r in rows]


def check_topic(topic: Topic, now: datetime) -> list[Alert]:
    """New or extended alerts of this topic (the latest hour included)."""
    rule = AlertRule.objects.for_workspace(topic.workspace_id).filter(topic=topic).first()
    if rule is not None and not rule.enabled:
        return []
    config = DEFAULT_CONFIG
    if rule is not None:
        config = replace(config, p_value=rule.sensitivity, share_p_value=rule.sensitivity,
                         min_count=rule.min_mentions)  # fmt: skip
    current = now.replace(minute=0, second=0, microsecond=0)
    # The history starts where the window starts, not at the first hour with posts:
    # a quiet topic's silent hours are its baseline too.
    spikes = detect_spikes(hourly(topic, current - HISTORY), bucket=HOUR,
                           since=current - LOOK_BACK, config=config,
                           history_from=current - HISTORY)  # fmt: skip
    return [_record(topic, run) for run in group_alerts(spikes, bucket=HOUR)]


def _record(topic: Topic, run: Run) -> Alert:
    kind = _KIND[run.kind]
    causes = list(
        Mention.objects.for_workspace(topic.workspace_id)
        .filter(topic=topic, posted_at__gte=run.start, posted_at__lt=run.end)
        .filter(Q(sentiment="negative") if kind == AlertKind.NEGATIVE else Q())
        .annotate(engagement=F("post__likes") + F("post__reposts") + F("post__replies"))
        .order_by("-engagement", "-posted_at")
        .values_list("post_id", flat=True)[:CAUSES]
    )
    with transaction.atomic():
        # An alert that ended at most an hour before this run began goes on.
        ongoing = (
            Alert.objects.for_workspace(topic.workspace_id)
            .select_for_update()
            .filter(topic=topic, kind=kind, ended_at__gte=run.start - HOUR)
            .order_by("-started_at")
            .first()
        )
        if ongoing is not None:
            ongoing.ended_at = max(ongoing.ended_at, run.end)
            ongoing.observed = max(ongoing.observed, run.peak.observed)
            ongoing.score = max(ongoing.score, run.peak.score)
            ongoing.post_ids = list(dict.fromkeys([*ongoing.post_ids, *causes]))[:CAUSES]
            ongoing.save(update_fields=["ended_at", "observed", "score", "post_ids"])
            return ongoing
        alert = Alert.objects.create(
            workspace_id=topic.workspace_id, topic=topic, kind=kind, started_at=run.start,
            ended_at=run.end, observed=run.peak.observed, expected=run.peak.expected,
            score=run.peak.score, post_ids=causes,
        )  # fmt: skip
        publish(Event.LISTENING_ALERT, topic.workspace_id, alert_id=alert.pk, topic_id=topic.pk,
                kind=kind)  # fmt: skip
    return alert


def check_all(now: datetime | None = None) -> list[Alert]:
    now = now or timezone.now()
    found: list[Alert] = []
    for topic in Topic.unscoped.filter(active=True):
        try:
            found += check_topic(topic, now)
        except Exception:  # one topic's failure does not stop the others' alerts
            logger.exception("alerts: checking topic %s failed", topic.pk)
    return found


def message(alert: Alert) -> str:
    what = "mentions" if alert.kind == AlertKind.VOLUME else "negative share"
    if alert.kind == AlertKind.VOLUME:
        amount = f"{alert.observed:.0f} mentions in an hour against {alert.expected:.1f} expected"
    else:
        amount = f"{alert.observed:.0%} negative against {alert.expected:.0%} usually"
    return (f"Rapport alert: {what} spike on topic “{alert.topic.name}” since "
            f"{alert.started_at:%Y-%m-%d %H:%M} UTC — {amount}.")  # fmt: skip


def slack_payload(alert: Alert, link: str) -> dict[str, object]:
    """Slack's incoming-webhook JSON (``text`` and ``blocks``), which Mattermost,
    Rocket.Chat and Teams' Slack-compatible hooks also take."""
    text = message(alert)
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"<{link}|Open in Rapport>"}],
            },
        ],
    }


def notify(alert: Alert) -> None:
    """Email and webhook; a failure is kept on the alert (shown on its page), not raised
    into the job: the alert itself is recorded either way."""
    rule = (
        AlertRule.objects.for_workspace(alert.workspace_id).filter(topic_id=alert.topic_id).first()
    )
    if rule is None:
        return
    errors: list[str] = []
    base = str(settings.RAPPORT_BASE_URL).rstrip("/")
    link = f"{base}/w/{alert.topic.workspace.slug}/listen/alerts/"
    if rule.emails:
        try:
            send_mail(message(alert)[:150], f"{message(alert)}\n\n{link}",
                      None, [str(e) for e in rule.emails])  # fmt: skip
        except Exception as exc:  # SMTP down: say so on the alert
            errors.append(f"email: {type(exc).__name__}: {exc}"[:300])
    if rule.webhook_url:
        try:
            asyncio.run(_post(rule.webhook_url, slack_payload(alert, link)))
        except Exception as exc:
            errors.append(f"webhook: {type(exc).__name__}: {exc}"[:300])
    Alert.objects.for_workspace(alert.workspace_id).filter(pk=alert.pk).update(
        notified_at=timezone.now(), notify_error="; ".join(errors)
    )


async def _post(url: str, payload: dict[str, object]) -> None:
    # Through the egress guard: a webhook URL is user input and must not reach
    # the deployment's private network.
    async with HttpClient() as http:
        await http.request("POST", url, json=payload)

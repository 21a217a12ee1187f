"""A topic's alert rule: whether it alerts, how sensitive it is, who hears of it."""

from __future__ import annotations

from django.db import transaction

from rapport.core.actor import Actor
from rapport.core.audit import record
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm

from ..models import AlertRule, Topic

MAX_SENSITIVITY = 0.5  # a probability: past a coin toss every hour would alert


def do_save_alert_rule(
    actor: Actor,
    topic: Topic,
    *,
    enabled: bool,
    sensitivity: float,
    min_mentions: int,
    emails: list[str],
    webhook_url: str,
) -> AlertRule:
    """Create or replace the topic's rule. The recipients are audited as a count: the
    audit log is read more widely than alert settings."""
    actor.require(Perm.LISTEN_MANAGE)
    if topic.workspace_id != actor.workspace.pk:
        raise DomainError("That topic is not in this workspace.", field="topic")
    if not 0 < sensitivity < MAX_SENSITIVITY:
        raise DomainError("Sensitivity is a probability between 0 and 0.5.", field="sensitivity")
    if webhook_url and not webhook_url.lower().startswith("https://"):
        raise DomainError("The webhook must be an https:// URL.", field="webhook_url")
    with transaction.atomic():
        rule, _ = AlertRule.objects.for_workspace(actor.workspace).get_or_create(
            workspace=actor.workspace, topic=topic
        )
        rule.enabled, rule.sensitivity, rule.min_mentions = enabled, sensitivity, min_mentions
        rule.emails, rule.webhook_url = emails, webhook_url
        rule.save()
        record(actor, "alert_rule.update", rule,
               after={"enabled": enabled, "sensitivity": sensitivity,
                      "min_mentions": min_mentions, "emails": len(emails),
                      "webhook": bool(webhook_url)})  # fmt: skip
    return rule

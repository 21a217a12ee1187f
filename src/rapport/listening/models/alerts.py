"""Alerts: a spike in a topic's volume or negative share, and where to tell people."""

from __future__ import annotations

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned

from .topics import Topic


class AlertKind(models.TextChoices):
    VOLUME = "volume", "Volume spike"
    NEGATIVE = "negative", "Negative share spike"


class AlertRule(WorkspaceOwned):
    """Per topic: whether to alert, how sensitive, and who hears about it."""

    topic = models.OneToOneField(Topic, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=True)
    # Probability below which a bucket counts as a spike (see docs/listening-alerts.md).
    sensitivity = models.FloatField(default=1e-4)
    min_mentions = models.PositiveIntegerField(default=10)
    emails = models.JSONField(default=list, blank=True)
    webhook_url = models.URLField(max_length=500, blank=True)  # Slack-compatible JSON

    def __str__(self) -> str:
        return f"alerts for {self.topic_id}"


class Alert(WorkspaceOwned):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    observed = models.FloatField()
    expected = models.FloatField()
    score = models.FloatField()
    # The posts that caused it: the bucket's mentions, most engaging first.
    post_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    notify_error = models.TextField(blank=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.topic_id} at {self.started_at:%Y-%m-%d %H:%M}"

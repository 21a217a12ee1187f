"""Listening sources: a network connection (a Bluesky firehose, hashtags on a Mastodon
instance, a subreddit, a feed …) configured per workspace, with where it stopped."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned


class SourceState(models.TextChoices):
    IDLE = "idle", "Not started"
    CONNECTED = "connected", "Connected"
    RATE_LIMITED = "rate_limited", "Rate-limited"
    ERROR = "error", "Error"
    PAUSED = "paused", "Paused"


class ListeningSource(WorkspaceOwned):
    name = models.CharField(max_length=80)
    network = models.CharField(max_length=20)  # a provider's name in channels.registry
    # The provider's settings as validated by it. Credentials in here are never shown
    # back in full, never logged and never audited.
    config = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)
    # Where the stream stopped; written in the transaction that stores the posts.
    cursor = models.TextField(blank=True)
    state = models.CharField(max_length=14, choices=SourceState.choices, default=SourceState.IDLE)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_post_at = models.DateTimeField(null=True, blank=True)
    rate_limited_until = models.DateTimeField(null=True, blank=True)
    posts_seen = models.PositiveBigIntegerField(default=0)
    # Keep posts that match no topic (so a new topic can be backfilled over them)?
    # Yes for sources that are already about the brand (its hashtag, a subreddit, a
    # feed); no for a whole network's firehose, where only matches are worth a row.
    keep_unmatched = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workspace", "name"], name="uniq_listening_source")
        ]

    def __str__(self) -> str:
        return self.name

"""Processed events, the sessions they fall into, the quarantine, and what a
contact's behaviour adds up to."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned


class Session(WorkspaceOwned):
    """A visit: events of one visitor with no gap longer than 30 minutes."""

    # The composite indexes below lead with the workspace; a lone one is dead weight
    # on the hottest insert path.
    workspace = models.ForeignKey(
        "core.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.ForeignKey("tracking.Source", on_delete=models.CASCADE, related_name="+",
                               db_index=False)  # fmt: skip
    # The anonymous id, or the user id for server events that have none.
    visitor = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    last_at = models.DateTimeField()
    events = models.PositiveIntegerField(default=0)
    page_views = models.PositiveIntegerField(default=0)
    landing = models.CharField(max_length=500, blank=True)
    referrer = models.CharField(max_length=500, blank=True)
    campaign = models.JSONField(default=dict, blank=True)  # utm_* of the first event
    device = models.CharField(max_length=120, blank=True)

    class Meta(WorkspaceOwned.Meta):
        indexes: ClassVar = [
            models.Index(fields=["workspace", "visitor", "-last_at"]),
            models.Index(fields=["workspace", "contact", "-started_at"]),
        ]

    def __str__(self) -> str:
        return f"session {self.pk} of {self.visitor}"


class TrackedEvent(WorkspaceOwned):
    """One processed call (track, page, screen, identify, group, alias), stored once
    per ``message_id``. ``timestamp`` is corrected for the device's clock."""

    # The composite indexes below lead with the workspace; a lone one is dead weight
    # on the hottest insert path. No foreign key constraint in the database for the
    # workspace and the source either: PostgreSQL checks one with a query per
    # inserted row (at commit), and the pipeline inserts thousands a second. Both
    # come from the log record of an accepted request, whose source the pipeline has
    # just read; neither is deleted anywhere but through the ORM, whose cascade
    # (Django's, not the database's) still deletes the events. The contact, identity
    # and session keep theirs: an erasure can delete those while a batch is open.
    workspace = models.ForeignKey(
        "core.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    source = models.ForeignKey("tracking.Source", on_delete=models.CASCADE, related_name="+",
                               db_index=False, db_constraint=False)  # fmt: skip
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )  # fmt: skip
    # The identity the event came through: after an unmerge the event follows it.
    identity = models.ForeignKey(
        "contacts.Identity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )  # fmt: skip
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    message_id = models.CharField(max_length=200)
    type = models.CharField(max_length=8)
    # The track event's name ("Order Completed"), or the page / screen name.
    name = models.CharField(max_length=200, blank=True)
    anonymous_id = models.CharField(max_length=200, blank=True)
    user_id = models.CharField(max_length=200, blank=True)
    properties = models.JSONField(default=dict, blank=True)
    traits = models.JSONField(default=dict, blank=True)
    context = models.JSONField(default=dict, blank=True)
    timestamp = models.DateTimeField()
    received_at = models.DateTimeField()

    class Meta(WorkspaceOwned.Meta):
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workspace", "message_id"], name="uniq_event_message")
        ]
        indexes: ClassVar = [
            models.Index(fields=["workspace", "contact", "-timestamp", "-id"]),
            models.Index(fields=["workspace", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.name}".strip()


class QuarantinedEvent(WorkspaceOwned):
    """An event that was accepted with its request but is not valid: kept with the
    reason, never silently dropped, visible in Settings → Sources."""

    source = models.ForeignKey("tracking.Source", on_delete=models.CASCADE, related_name="+",
                               db_index=False)  # fmt: skip
    inbound_id = models.BigIntegerField()
    received_at = models.DateTimeField()
    reason = models.CharField(max_length=300)
    # The event as received, cut to 32 KB (an oversized event is why it is here).
    payload = models.TextField()

    class Meta(WorkspaceOwned.Meta):
        ordering = ["-id"]
        indexes: ClassVar = [models.Index(fields=["workspace", "-id"])]

    def __str__(self) -> str:
        return self.reason


class ContactActivity(WorkspaceOwned):
    """What a contact's tracked behaviour adds up to, kept current by the pipeline."""

    contact = models.OneToOneField("contacts.Contact", on_delete=models.CASCADE,
                                   related_name="+", primary_key=True)  # fmt: skip
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    sessions = models.PositiveIntegerField(default=0)
    page_views = models.PositiveIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)
    first_login_at = models.DateTimeField(null=True, blank=True)
    # App usage: feature name → times used, and sessions per ISO week ("2026-W48").
    features = models.JSONField(default=dict, blank=True)
    weekly_sessions = models.JSONField(default=dict, blank=True)
    usage_dropping = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"activity of contact {self.contact_id}"

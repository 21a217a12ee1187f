"""How a workspace wants tracking to behave."""

from __future__ import annotations

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned


class TrackingSettings(WorkspaceOwned):
    """One row per workspace; absent means the defaults below."""

    # rapport.js sends nothing until the visitor consents.
    require_consent = models.BooleanField(default=False)
    # rapport.js sends nothing when the browser says Do-Not-Track.
    respect_dnt = models.BooleanField(default=True)
    # The raw IP address is kept on events only when the workspace opts in; the
    # country is derived either way.
    store_ip = models.BooleanField(default=False)
    # An open cart untouched this long is abandoned.
    cart_abandoned_after_minutes = models.PositiveIntegerField(default=60)
    # A known customer unseen this long has a "long absence" event.
    long_absence_days = models.PositiveIntegerField(default=60)

    class Meta(WorkspaceOwned.Meta):
        constraints = [models.UniqueConstraint(fields=["workspace"], name="uniq_tracking_settings")]

    def __str__(self) -> str:
        return f"tracking settings of workspace {self.workspace_id}"

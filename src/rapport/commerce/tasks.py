"""Background work of commerce: abandoned carts every few minutes; metrics, RFM and
next purchase dates, long absences and dropping usage once a day."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from rapport.core.models import Workspace
from rapport.jobs.schedule import periodic

from . import abandonment, metrics, rfm, signals


@periodic(every=timedelta(minutes=5), name="commerce.abandoned_carts")
@task()
def sweep_abandoned_carts() -> int:
    return abandonment.sweep(timezone.now())


@periodic(every=timedelta(hours=24), name="commerce.rfm")
@task()
def score_customers() -> int:
    """Recompute every customer's metrics from their orders (which also catches
    merges made without an event, e.g. by the event stream's identity
    resolution), then their RFM scores within the workspace."""
    changed = 0
    now = timezone.now()
    for workspace_id in Workspace.objects.values_list("pk", flat=True):
        for chunk in metrics.customers(workspace_id):
            with transaction.atomic():
                metrics.refresh(workspace_id, chunk)
        with transaction.atomic():
            changed += rfm.score_workspace(workspace_id, now)
    return changed


@periodic(every=timedelta(hours=24), name="commerce.long_absence")
@task()
def announce_long_absences() -> int:
    return signals.long_absences(timezone.now())


@periodic(every=timedelta(hours=24), name="commerce.usage_dropping")
@task()
def flag_dropping_usage() -> dict[str, int]:
    dropped, recovered = signals.usage_dropping(timezone.now())
    return {"dropping": dropped, "recovered": recovered}

"""Background work of listening: backfilling a new topic, checking for spikes every
few minutes, telling people about an alert."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from rapport.jobs.schedule import periodic

from . import alerting, learning
from .backfill import backfill
from .models import Alert, Topic
from .nlp import ModelNlp


@task(queue_name="listening")
def backfill_topic(workspace_id: int, topic_id: int) -> int:
    topic = Topic.objects.for_workspace(workspace_id).filter(pk=topic_id, active=True).first()
    return 0 if topic is None else backfill(topic, ModelNlp())


@periodic(every=timedelta(minutes=5), name="listening.alerts")
@task(queue_name="listening")
def check_alerts() -> int:
    alerts = alerting.check_all()
    for alert in alerts:
        if alert.notified_at is None:
            notify_alert.enqueue(workspace_id=alert.workspace_id, alert_id=alert.pk)
    return len(alerts)


@task(queue_name="listening")
def notify_alert(workspace_id: int, alert_id: int) -> bool:
    alert = (
        Alert.objects.for_workspace(workspace_id).select_related("topic__workspace")
        .filter(pk=alert_id).first()
    )  # fmt: skip
    if alert is None:
        return False
    alerting.notify(alert)
    return True


@task(queue_name="listening")
def retrain_model(workspace_id: int) -> int:
    """The workspace's model, fine-tuned again on all its corrections."""
    return learning.retrain(workspace_id)

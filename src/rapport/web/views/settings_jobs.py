"""Settings → Background jobs: what is queued, running, done or failed, with the
error of each failed job and a button to run it again."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm
from rapport.enrichment.facade import network_enabled, provider_status
from rapport.jobs.actions import do_retry_job
from rapport.jobs.facade import worker_health
from rapport.jobs.models import JobStatus
from rapport.jobs.queries import access_job, job_counts, list_jobs
from rapport.web.decorators import workspace_view

LIMIT = 100


@workspace_view(Perm.JOBS_VIEW)
def jobs(request: HttpRequest, actor: Actor) -> HttpResponse:
    status = request.GET.get("status") or ""
    if status not in JobStatus.values:
        status = ""
    counts = job_counts(actor)
    context = {
        "section": "settings",
        "page": "settings_jobs",
        "jobs": list_jobs(actor, status=status or None)[:LIMIT],
        "status": status,
        "tabs": [(value, label, counts.get(value, 0)) for value, label in JobStatus.choices],
        "health": worker_health(),
        "providers": provider_status(actor),
        "network_enrichment": network_enabled(),
        "can_manage": actor.can(Perm.JOBS_MANAGE),
    }
    return render(request, "web/settings/jobs.html", context)


@require_POST
@workspace_view(Perm.JOBS_MANAGE)
def job_retry(request: HttpRequest, actor: Actor, job_id: str) -> HttpResponse:
    job = access_job(actor, job_id)
    try:
        do_retry_job(actor, job)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{job.short_name} queued again.")
    return redirect("settings_jobs", slug=actor.workspace.slug)

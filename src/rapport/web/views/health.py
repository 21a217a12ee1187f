"""/healthz: JSON with database and worker status, for load balancers and people."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rapport.jobs.facade import worker_health


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    body: dict[str, Any] = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = {"ok": True, "vendor": connection.vendor}
        body["worker"] = worker_health()
    except DatabaseError as exc:
        body["status"] = "error"
        body["database"] = {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__}
        body["worker"] = {"ok": False}
        return JsonResponse(body, status=503)
    if not body["worker"]["ok"]:
        body["status"] = "degraded"
    return JsonResponse(body)

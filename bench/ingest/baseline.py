"""The obvious way, for comparison: a plain Django view that saves each event with
the ORM (one INSERT and one commit per event), served by waitress with Django's
whole request cycle. Run as ``python -m bench.ingest.baseline PORT``."""

from __future__ import annotations

import base64
import json
import sys
import uuid
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def track(request: HttpRequest) -> HttpResponse:
    # Imported here: this module is also the entry point, run before Django is set up.
    from rapport.tracking.facade import source_for_key
    from rapport.tracking.models import TrackedEvent

    try:
        data = json.loads(request.body)
    except ValueError:
        return JsonResponse({"success": False}, status=400)
    auth = request.headers.get("Authorization", "")
    key = base64.b64decode(auth[6:]).decode().rstrip(":") if auth.startswith("Basic ") else ""
    source = source_for_key(key or str(data.get("writeKey", "")))
    if source is None:
        return JsonResponse({"success": False}, status=401)
    items = data.get("batch", [data])
    now = datetime.now(UTC)
    for item in items:
        TrackedEvent.unscoped.create(
            workspace_id=source.workspace_id,
            source=source,
            message_id=str(item.get("messageId") or uuid.uuid4()),
            type=str(item.get("type", "track")),
            name=str(item.get("event", "")),
            user_id=str(item.get("userId", "")),
            anonymous_id=str(item.get("anonymousId", "")),
            properties=item.get("properties") or {},
            context=item.get("context") or {},
            timestamp=now,
            received_at=now,
        )
    return JsonResponse({"success": True})


urlpatterns = [path("v1/track", track), path("v1/batch", track)]


def main(port: int) -> None:
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "bench.ingest.baseline"
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "Csrf" not in m]
    from django.core.wsgi import get_wsgi_application
    from waitress import serve

    serve(get_wsgi_application(), host="127.0.0.1", port=port, threads=8, _quiet=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))

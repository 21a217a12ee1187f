"""The generic JSON webhook's endpoint: ``POST /hooks/listening/<source id>``, signed
with the source's secret (``X-Rapport-Signature: sha256=<hex HMAC of the body>``).

The signature is checked before the body is read as JSON, in constant time; a body is
taken whole or refused whole with every problem listed (400), and the posts go through
the same pipeline as streamed ones, cursor and all, in one transaction."""

from __future__ import annotations

import threading

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from rapport.channels.connectors.webhook.parse import MAX_BODY_BYTES, WebhookError, parse_webhook
from rapport.channels.connectors.webhook.signature import HEADER, verify
from rapport.channels.registry import Fetched

from .models import ListeningSource
from .nlp import ModelNlp
from .store import store
from .topics_index import TopicIndex

_index = TopicIndex()
_index_lock = threading.Lock()
_nlp = ModelNlp()


def _error(status: int, code: str, message: str, details: list[str] | None = None) -> JsonResponse:
    """The API's error envelope: ``{"error": {"code", "message", "details"}}``."""
    error: dict[str, object] = {"code": code, "message": message}
    if details:
        error["details"] = details[:20]
    return JsonResponse({"error": error}, status=status)


@csrf_exempt
@require_POST
def receive(request: HttpRequest, source_id: int) -> HttpResponse:
    source = ListeningSource.unscoped.filter(pk=source_id, network="webhook").first()
    if source is None or not source.enabled:
        return _error(404, "not_found", "No such webhook source, or it is paused.")
    length = int(request.headers.get("Content-Length") or 0)
    if length > MAX_BODY_BYTES:
        return _error(
            413,
            "payload_too_large",
            f"The body is {length:,} bytes; at most {MAX_BODY_BYTES:,} are taken.",
        )
    body = request.body
    if not verify(body, str(source.config.get("secret", "")), request.headers.get(HEADER, "")):
        return _error(
            401,
            "unauthenticated",
            f"Missing or wrong {HEADER}: sign the body with the source's secret.",
        )
    try:
        posts = parse_webhook(body, source.config.get("mapping"))
    except WebhookError as exc:
        return _error(400, "invalid", "The body was refused; nothing was stored.", exc.problems)
    with _index_lock:
        _index.refresh()
    report = store(source, Fetched(posts, source.cursor), _index, _nlp)
    return JsonResponse(
        {"received": report.received, "stored": report.stored, "duplicates": report.duplicates,
         "mentions": report.mentions},
        status=202,
    )  # fmt: skip

"""One error envelope for every API error:

{"error": {"code": "validation_error", "message": "…", "details": [...]}}
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from rapport.core.errors import DomainError

logger = logging.getLogger(__name__)


def envelope(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return api.create_response(request, body, status=status)


def _clean_validation(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    details = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", [])]
        details.append(
            {
                "field": ".".join(loc),
                "message": err.get("msg", "invalid"),
                "type": err.get("type", "invalid"),
            }
        )
    return details


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details = _clean_validation(list(exc.errors))
        first = details[0] if details else {"field": "", "message": "invalid"}
        message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        return envelope(
            api, request, status=422, code="validation_error", message=message, details=details
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return envelope(
            api,
            request,
            status=401,
            code="unauthenticated",
            message="Send a valid API token: 'Authorization: Bearer rpt_…'.",
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return envelope(
            api, request, status=403, code="forbidden", message=str(exc) or "Not allowed."
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return envelope(
            api, request, status=404, code="not_found", message=str(exc) or "Not found."
        )

    @api.exception_handler(DomainError)
    def domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        details = getattr(exc, "details", None) or (
            [{"field": exc.field, "message": exc.message}] if exc.field else None
        )
        return envelope(
            api, request, status=exc.status, code=exc.code, message=exc.message, details=details
        )

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return envelope(
            api,
            request,
            status=413,
            code="payload_too_large",
            message="The request body is too large.",
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {400: "bad_request", 405: "method_not_allowed", 413: "payload_too_large"}.get(
            exc.status_code, "error"
        )
        message = str(exc)
        if exc.status_code == 400 and message == "Cannot parse request body":
            # ninja's wording for a body that is not JSON (or not in the declared type).
            code = "malformed_body"
            message = "The request body is not valid JSON; send a JSON object."
        return envelope(api, request, status=exc.status_code, code=code, message=message)

    @api.exception_handler(Exception)
    def crash(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return envelope(
            api,
            request,
            status=500,
            code="server_error",
            message="Something went wrong on our side.",
        )

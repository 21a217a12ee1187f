"""Error pages: JSON envelope for API paths, a friendly page everywhere else."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/healthz")


def _error(request: HttpRequest, status: int, code: str, title: str, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": {"code": code, "message": message}}, status=status)
    return render(
        request,
        "web/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "bad_request", "Bad request", "The request could not be read.")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "You are not allowed to do this."
    return _error(request, 403, "forbidden", "Not allowed", message)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found", "There is nothing at this address.")


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        "server_error",
        "Something went wrong",
        "We logged the problem. Try again in a moment.",
    )

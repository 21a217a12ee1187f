"""The NinjaAPI instance, its auth and error handlers, and its routers."""

from __future__ import annotations

from ninja import NinjaAPI

from . import errors
from .auth import TokenAuth
from .routers import register_routers

api = NinjaAPI(
    title="Rapport API",
    version="1",
    description=(
        "The Rapport REST API. Authenticate with a workspace API token: "
        "`Authorization: Bearer rpt_…`. Lists use cursor pagination: pass the "
        "`next_cursor` of one page as `cursor` to get the next. Every error has the "
        'shape `{"error": {"code", "message", "details"}}`.'
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
register_routers(api)

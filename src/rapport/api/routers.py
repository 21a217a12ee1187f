"""Every API router, mounted in one place."""

from __future__ import annotations

from ninja import NinjaAPI

from . import workspace


def register_routers(api: NinjaAPI) -> None:
    api.add_router("/workspace", workspace.router)

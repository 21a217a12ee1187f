"""Writing requests into the durable log the way the ingest server does, for tests
of what the pipeline makes of them."""

from __future__ import annotations

import time
from typing import Any

import orjson

from rapport.tracking.ingest.log import InboundRecord, open_log
from rapport.tracking.models import Source

BROWSER_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def append(
    source: Source,
    body: dict[str, Any],
    *,
    call: str = "",
    received_at: float | None = None,
    ip: str = "81.2.69.160",
    user_agent: str = BROWSER_UA,
) -> None:
    append_many(source, [body], call=call, received_at=received_at, ip=ip, user_agent=user_agent)


def append_many(
    source: Source,
    bodies: list[dict[str, Any]],
    *,
    call: str = "",
    received_at: float | None = None,
    ip: str = "81.2.69.160",
    user_agent: str = BROWSER_UA,
) -> None:
    log = open_log()
    try:
        log.append(
            [
                InboundRecord(
                    source.workspace_id,
                    source.pk,
                    received_at or time.time(),
                    call,
                    ip,
                    user_agent,
                    orjson.dumps(body),
                )
                for body in bodies
            ]
        )
    finally:
        log.close()

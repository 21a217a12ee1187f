"""Segment's tracking API as a plain ASGI app, without Django's request cycle.

Request-level problems get a 4xx with the reason, as Segment answers them: bad JSON
400, no or unknown write key 401, a body too large after decompression 413, too
many events 429 with Retry-After. The events inside a valid request are not looked
at here: the processing worker validates each, and an invalid one goes to the
quarantine while the others are kept. A 200 is sent only once the request is in the
durable log.
"""

from __future__ import annotations

import base64
import binascii
import math
import time
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson
from django.conf import settings

from rapport.tracking.spec import MAX_BATCH_BYTES, MAX_EVENT_BYTES, SHORT_PATHS, TYPES

from .committer import GroupCommitter, StoreUnavailable
from .keys import KeyCache, SourceInfo
from .limits import TokenBuckets
from .log import InboundRecord, open_log

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# path -> the call type the endpoint implies ("" for a batch, whose items say it).
ROUTES: dict[str, str] = {"/v1/batch": "", "/v1/import": ""}
ROUTES.update({f"/v1/{t}": t for t in TYPES})
ROUTES.update({f"/v1/{short}": t for short, t in SHORT_PATHS.items()})

_CORS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"POST, GET, OPTIONS"),
    (b"access-control-allow-headers", b"Content-Type, Authorization, Content-Encoding"),
    (b"access-control-max-age", b"86400"),
    # So rapport.js on a shop's own domain can honour a 429's Retry-After.
    (b"access-control-expose-headers", b"Retry-After"),
]
_JSON = (b"content-type", b"application/json")
_OK = orjson.dumps({"success": True})


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: float = 0) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


def _basic_user(value: bytes) -> str | None:
    """The write key is the Basic user, the password empty (as Segment's libraries send)."""
    scheme, _, encoded = value.partition(b" ")
    if scheme.lower() != b"basic":
        return None
    try:
        user, _, _password = base64.b64decode(encoded.strip(), validate=True).partition(b":")
        return user.decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


def _gunzip(body: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits=47)  # gzip or zlib, told apart by the header
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise Refused(400, "invalid_gzip", f"the body is not valid gzip: {exc}") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise Refused(413, "too_large", f"the body is over {limit:,} bytes after decompression")
    return out


class IngestApp:
    def __init__(
        self,
        committer: GroupCommitter,
        keys: KeyCache,
        *,
        rate_per_key: float,
        rate_per_ip: float,
        trust_forwarded_for: bool = False,
    ) -> None:
        self.committer = committer
        self.keys = keys
        self.per_key = TokenBuckets(rate_per_key)
        self.per_ip = TokenBuckets(rate_per_ip)
        self.trust_forwarded_for = trust_forwarded_for

    @classmethod
    def from_settings(cls) -> IngestApp:
        conf = settings.RAPPORT_INGEST
        return cls(
            GroupCommitter(open_log),
            KeyCache(),
            rate_per_key=conf["RATE_PER_KEY"],
            rate_per_ip=conf["RATE_PER_IP"],
            trust_forwarded_for=conf["TRUST_FORWARDED_FOR"],
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            status, body, extra = await self._handle(scope, receive)
        except Refused as refused:
            status = refused.status
            error = {"code": refused.code, "message": refused.message}
            body = orjson.dumps({"success": False, "error": error})
            extra = []
            if refused.retry_after:
                extra.append((b"retry-after", str(math.ceil(refused.retry_after)).encode()))
        headers = [_JSON, (b"content-length", str(len(body)).encode()), *_CORS, *extra]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _handle(
        self, scope: Scope, receive: Receive
    ) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        method, path = scope["method"], scope["path"]
        if method == "OPTIONS":
            return 204, b"", []
        if path.startswith("/v1/projects/") and path.endswith("/settings"):
            if method not in ("GET", "HEAD"):
                raise Refused(405, "method_not_allowed", "use GET")
            return 200, await self._settings(path.split("/")[3]), []
        call = ROUTES.get(path.rstrip("/"))
        if call is None:
            raise Refused(404, "not_found", f"no endpoint {path[:100]}")
        if method != "POST":
            raise Refused(405, "method_not_allowed", "use POST")
        headers = dict(scope["headers"])
        limit = MAX_BATCH_BYTES if call == "" else MAX_EVENT_BYTES
        body = await self._body(headers, receive, limit)
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise Refused(400, "invalid_json", f"malformed JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise Refused(400, "invalid_json", "the body must be a JSON object")
        key = _basic_user(headers.get(b"authorization", b"")) or data.get("writeKey")
        if not isinstance(key, str) or not key.strip():
            raise Refused(401, "no_write_key", "send the write key as the Basic user or writeKey")
        source = await self.keys.lookup(key.strip())
        if source is None:
            raise Refused(401, "unknown_write_key", "unknown or disabled write key")
        count = 1
        if call == "":
            items = data.get("batch")
            if not isinstance(items, list):
                raise Refused(400, "invalid_batch", "batch must be a list of events")
            if not items:
                return 200, _OK, []
            count = len(items)
        ip = self._client_ip(scope, headers)
        self._limit(key, ip, count)
        await self._store(source, call, ip, headers, body)
        return 200, _OK, []

    async def _body(self, headers: dict[bytes, bytes], receive: Receive, limit: int) -> bytes:
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise Refused(413, "too_large", f"the body is over {limit:,} bytes")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise Refused(400, "disconnected", "the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise Refused(413, "too_large", f"the body is over {limit:,} bytes")
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        encoding = headers.get(b"content-encoding", b"").strip().lower()
        if encoding in (b"gzip", b"x-gzip", b"deflate"):
            return _gunzip(body, limit)
        if encoding not in (b"", b"identity"):
            raise Refused(415, "unsupported_encoding", "send the body plain or gzipped")
        return body

    def _client_ip(self, scope: Scope, headers: dict[bytes, bytes]) -> str:
        forwarded = headers.get(b"x-forwarded-for")
        if self.trust_forwarded_for and forwarded:
            return forwarded.decode("latin-1").split(",")[-1].strip()[:45]
        client = scope.get("client")
        return str(client[0])[:45] if client else ""

    def _limit(self, key: str, ip: str, count: int) -> None:
        for buckets, who, what in ((self.per_key, key, "write key"), (self.per_ip, ip, "address")):
            wait = buckets.take(who, count)
            if wait:
                if math.isinf(wait):
                    raise Refused(429, "rate_limited", f"more events at once than this {what} "
                                  "may send; split the batch", retry_after=60)  # fmt: skip
                raise Refused(429, "rate_limited", f"too many events from this {what}",
                              retry_after=max(wait, 1))  # fmt: skip

    async def _store(
        self, source: SourceInfo, call: str, ip: str, headers: dict[bytes, bytes], body: bytes
    ) -> None:
        record = InboundRecord(
            workspace_id=source.workspace_id,
            source_id=source.source_id,
            received_at=time.time(),
            call=call,
            ip=ip,
            user_agent=headers.get(b"user-agent", b"").decode("latin-1")[:400],
            body=body,
        )
        try:
            await self.committer.append(record)
        except StoreUnavailable as exc:
            raise Refused(503, "unavailable", "events could not be stored; retry",
                          retry_after=1) from exc  # fmt: skip

    async def _settings(self, write_key: str) -> bytes:
        """What rapport.js asks before sending anything: whether to wait for consent
        and whether to honour Do-Not-Track."""
        source = await self.keys.lookup(write_key)
        if source is None:
            raise Refused(404, "unknown_write_key", "unknown or disabled write key")
        return orjson.dumps(
            {"requireConsent": source.require_consent, "respectDnt": source.respect_dnt}
        )

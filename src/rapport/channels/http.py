"""The HTTP client every connector uses: httpx behind the egress guard.

What it adds to httpx, so no connector has to remember it:
- every request and every redirect hop passes ``egress.check_url``; connections go to
  vetted addresses only (``egress.GuardedTransport``); hops are counted;
- bodies are read with the wire and decompression limits, the whole fetch under one
  deadline;
- ``RateLimited`` on 429 (and 503 with ``Retry-After``), with the wait in seconds
  whichever form the server used; ``HttpError`` for other failures;
- conditional GET: pass the ``etag`` / ``last_modified`` you kept, get ``not_modified``;
- a User-Agent that says who is asking.

Tests inject ``transport=httpx.MockTransport(...)`` for parser-level checks; connector
tests run real servers on 127.0.0.1 with ``policy=EgressPolicy().allowing(*LOOPBACK)``.
"""

from __future__ import annotations

import asyncio
import email.utils
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from . import egress
from .egress import EgressPolicy, EgressTimeout

USER_AGENT = "Rapport/0.1 (open-source social CRM; +https://github.com/rapport-crm/rapport)"
DEFAULT_RETRY_AFTER = 60.0  # seconds, when a 429 does not say how long to wait
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class HttpError(Exception):
    """The server answered with an error, or the connection broke. ``status`` is 0
    when there was no answer."""

    def __init__(self, message: str, *, status: int = 0, url: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.url = url


class RateLimited(HttpError):
    """The server asks us to wait ``retry_after_seconds`` before asking again."""

    def __init__(self, retry_after_seconds: float, *, status: int = 429, url: str = "") -> None:
        super().__init__(
            f"{url}: rate limited (HTTP {status}); retry after {retry_after_seconds:g} s",
            status=status,
            url=url,
        )
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True, slots=True)
class Response:
    """A complete response: status, headers, the decoded body, and the URL it finally
    came from (after redirects)."""

    status: int
    headers: httpx.Headers
    body: bytes
    url: str

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str:
        return str(self.headers.get("etag", ""))

    @property
    def last_modified(self) -> str:
        return str(self.headers.get("last-modified", ""))

    @property
    def text(self) -> str:
        charset = "utf-8"
        content_type = self.headers.get("content-type", "")
        for param in content_type.split(";")[1:]:
            key, _, value = param.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip("\"' ")
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError as exc:
            raise HttpError(
                f"{self.url}: the response is not JSON ({exc})", status=self.status, url=self.url
            ) from None


def retry_after_seconds(value: str, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` in seconds: either form RFC 9110 allows (``120`` or an HTTP-date).
    None when absent or unreadable."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _raise_if_rate_limited(status: int, headers: httpx.Headers, url: httpx.URL) -> None:
    if status not in (429, 503):
        return
    wait = retry_after_seconds(headers.get("retry-after", ""))
    if status == 429:
        wait = DEFAULT_RETRY_AFTER if wait is None else wait
    if wait is not None:
        raise RateLimited(wait, status=status, url=_shown(url))


def _raise_for_status(status: int, headers: httpx.Headers, url: str, body: bytes = b"") -> None:
    if status < 400:
        return
    _raise_if_rate_limited(status, headers, httpx.URL(url))
    snippet = body[:200].decode("utf-8", errors="replace").strip()
    raise HttpError(
        f"{url}: HTTP {status}" + (f": {snippet}" if snippet else ""), status=status, url=url
    )


def _same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def _shown(url: httpx.URL) -> str:
    # Query strings carry tokens often enough that errors leave them out.
    return str(url.copy_with(query=None, fragment=None))


class HttpClient:
    """One client per source run; ``async with HttpClient() as http: await http.get(...)``.

    ``policy`` defaults to the deployment's (``EgressPolicy.from_settings()``);
    ``transport`` replaces the guarded transport (URL checks still apply, address
    checks happen only in the guarded transport); ``headers`` go on every request
    (an API token, an Accept)."""

    def __init__(
        self,
        *,
        policy: EgressPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
        verify: Any = True,
    ) -> None:
        self.policy = policy or EgressPolicy.from_settings()
        base_headers = {
            "User-Agent": USER_AGENT,
            # Only what limited_chunks can decode under its limit.
            "Accept-Encoding": "gzip, deflate",
        }
        base_headers.update(headers or {})
        # Kept here, not in httpx's client, so a redirect to another origin can leave
        # the credentials among them behind.
        self._headers = base_headers
        self._client = httpx.AsyncClient(
            transport=transport or egress.GuardedTransport(self.policy, verify=verify),
            timeout=self.policy.httpx_timeout,
            follow_redirects=False,
            trust_env=False,
        )

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        etag: str = "",
        last_modified: str = "",
        check: bool = True,
    ) -> Response:
        """GET ``url``. With ``etag`` / ``last_modified`` the request is conditional and
        a 304 comes back as ``Response.not_modified`` (never as an error). With
        ``check=False`` error statuses come back as responses too (``RateLimited`` is
        still raised)."""
        conditional = dict(headers or {})
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        return await self.request("GET", url, params=params, headers=conditional, check=check)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> Response:
        """Send a request and read the whole answer, redirects followed and checked,
        everything within the policy's total deadline."""
        try:
            async with asyncio.timeout(self.policy.total_timeout):
                response = await self._open(
                    method, url, params=params, headers=headers, json=json, data=data
                )
                try:
                    _raise_if_rate_limited(response.status_code, response.headers, response.url)
                    body = b"".join([c async for c in egress.limited_chunks(response, self.policy)])
                finally:
                    await response.aclose()
        except TimeoutError:
            raise EgressTimeout(
                f"{_shown(httpx.URL(url))}: not complete within {self.policy.total_timeout:g} s"
            ) from None
        except httpx.TimeoutException as exc:
            raise EgressTimeout(f"{_shown(exc.request.url)}: {_timeout_kind(exc)}") from None
        except httpx.TransportError as exc:
            raise HttpError(
                f"{_shown(exc.request.url)}: the connection failed ({exc or type(exc).__name__})",
                url=_shown(exc.request.url),
            ) from None
        final = _shown(response.url)
        if check and response.status_code != 304:
            _raise_for_status(response.status_code, response.headers, final, body)
        return Response(response.status_code, response.headers, body, str(response.url))

    async def lines(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        max_line_bytes: int = 1024 * 1024,
    ) -> AsyncIterator[str]:
        """A long-lived response line by line (server-sent events, JSON lines). No total
        deadline, but the read timeout still ends a silent stream, and each line is
        bounded; the wire limit counts per line so the stream may run for days."""
        try:
            response = await self._open(
                "GET", url, params=params, headers=headers, json=None, data=None
            )
        except httpx.TimeoutException as exc:
            raise EgressTimeout(f"{_shown(exc.request.url)}: {_timeout_kind(exc)}") from None
        except httpx.TransportError as exc:
            raise HttpError(
                f"{_shown(exc.request.url)}: the connection failed ({exc})", url=url
            ) from None
        try:
            _raise_for_status(response.status_code, response.headers, _shown(response.url))
            pending = b""
            async for raw in response.aiter_raw():
                pending += raw
                *complete, pending = pending.split(b"\n")
                for line in complete:
                    yield line.rstrip(b"\r").decode("utf-8", errors="replace")
                if len(pending) > max_line_bytes:
                    raise egress.EgressTooLarge(
                        f"{_shown(response.url)}: a line longer than {max_line_bytes:,} bytes"
                    )
            if pending:
                yield pending.rstrip(b"\r").decode("utf-8", errors="replace")
        except httpx.TimeoutException as exc:
            raise EgressTimeout(f"{_shown(exc.request.url)}: {_timeout_kind(exc)}") from None
        except httpx.TransportError as exc:
            raise HttpError(f"{_shown(response.url)}: the stream broke ({exc})", url=url) from None
        finally:
            await response.aclose()

    async def _open(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        json: Any,
        data: Mapping[str, str] | None,
    ) -> httpx.Response:
        """Send and follow redirects by hand, each hop checked; the response's headers
        are read, its body is not."""
        current = egress.check_url(url, self.policy)
        if params:
            current = current.copy_merge_params(dict(params))
        hop_headers = {**self._headers, **(headers or {})}
        content = orjson.dumps(json) if json is not None else None
        if content is not None:
            hop_headers.setdefault("Content-Type", "application/json")
        for hop in range(self.policy.max_redirects + 1):
            request = self._client.build_request(
                method, current, headers=hop_headers, content=content, data=data
            )
            response = await self._client.send(request, stream=True)
            location = response.headers.get("location", "")
            if response.status_code not in _REDIRECTS or not location:
                return response
            await response.aclose()
            if hop == self.policy.max_redirects:
                break
            target = egress.check_url(current.join(location), self.policy)
            if response.status_code == 303 or (
                response.status_code in (301, 302) and method == "POST"
            ):
                method, content, data = "GET", None, None
                hop_headers.pop("Content-Type", None)
            if not _same_origin(current, target):
                # Credentials were meant for the first host, not wherever it points.
                hop_headers = {
                    k: v
                    for k, v in hop_headers.items()
                    if k.lower() not in ("authorization", "cookie")
                }
            current = target
        raise egress.EgressDenied(
            f"{_shown(httpx.URL(url))}: more than {self.policy.max_redirects} redirects"
        )


def _timeout_kind(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "could not connect in time"
    if isinstance(exc, httpx.ReadTimeout):
        return "the server stopped sending (read timeout)"
    return f"timed out ({type(exc).__name__})"


def get_sync(url: str, **kwargs: Any) -> Response:
    """One guarded GET from synchronous code (a management command, a form's "test
    this feed" button). Not for use inside a running event loop. ``policy`` and
    ``transport`` go to the client, the rest to ``HttpClient.get``."""
    client_kwargs = {k: kwargs.pop(k) for k in ("policy", "transport") if k in kwargs}

    async def once() -> Response:
        async with HttpClient(**client_kwargs) as http:
            return await http.get(url, **kwargs)

    return asyncio.run(once())

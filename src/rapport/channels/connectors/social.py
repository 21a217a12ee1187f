"""What the social-network connectors (Bluesky, Mastodon, Reddit, X) share on top of
``channels.http``: the network's own rate-limit headers turned into ``Retry-After``,
cursors kept as JSON, and the pause between reconnections.

Who waits for what: a transient failure (no answer, a timeout, a 5xx, a dropped
stream) is retried here after a pause, until it looks persistent; a 429 is raised at
once as ``RateLimited`` carrying the network's own wait. The listen runner shows the
source as rate limited, sleeps that long and restarts the stream from the cursor it
stored, which every provider keeps so that a restart neither repeats nor skips."""

from __future__ import annotations

import asyncio
import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import orjson

from rapport.channels import egress
from rapport.channels.egress import EgressPolicy
from rapport.channels.http import HttpClient, HttpError, RateLimited

# A network that asks for a longer pause than this is treated as asking for this:
# the stream checks back, and a still-closed window answers 429 again.
MAX_WAIT_SECONDS = 15 * 60.0

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
RetryAfterFrom = Callable[[httpx.Headers], float | None]


async def real_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


class _NetworkRetryAfter(httpx.AsyncBaseTransport):
    """``HttpClient`` reads the standard ``Retry-After`` on a 429; Reddit, X and Mastodon
    say when to come back in headers of their own (seconds left, an epoch, an ISO time).
    Wrapped around the guarded transport, this writes the network's answer into
    ``Retry-After`` so ``RateLimited.retry_after_seconds`` carries the network's wait
    instead of a guess."""

    def __init__(self, inner: httpx.AsyncBaseTransport, retry_after_from: RetryAfterFrom):
        self._inner = inner
        self._retry_after_from = retry_after_from

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if response.status_code == 429 and "retry-after" not in response.headers:
            wait = self._retry_after_from(response.headers)
            if wait is not None:
                response.headers["Retry-After"] = str(max(0, math.ceil(wait)))
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def network_client(
    policy: EgressPolicy, headers: dict[str, str], retry_after_from: RetryAfterFrom
) -> HttpClient:
    """An ``HttpClient`` whose connections still go through the egress guard (the
    guarded transport is wrapped, not replaced)."""
    transport = _NetworkRetryAfter(egress.GuardedTransport(policy), retry_after_from)
    return HttpClient(policy=policy, transport=transport, headers=headers)


class NetworkProvider:
    """What the providers that fetch over the network (the four social networks and
    RSS) share: the egress policy they fetch under (the deployment's, unless a test
    gives one allowing its fake servers) and the sleep they wait with (one a test can
    watch)."""

    def __init__(self, *, policy: EgressPolicy | None = None, sleep: Sleep = real_sleep) -> None:
        self._policy = policy
        self._sleep = sleep

    @property
    def policy(self) -> EgressPolicy:
        return self._policy or EgressPolicy.from_settings()


def header_number(headers: httpx.Headers, name: str) -> float | None:
    try:
        value = float(headers.get(name, ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def bounded_wait(seconds: float) -> float:
    return min(max(seconds, 0.0), MAX_WAIT_SECONDS)


def load_cursor(cursor: str, network: str) -> dict[str, Any]:
    """The cursor a provider stored, or ``{}`` the first time. A cursor that is not
    ours is an error, not a fresh start: starting over would silently re-read or skip."""
    if not cursor:
        return {}
    try:
        state = orjson.loads(cursor)
    except orjson.JSONDecodeError:
        state = None
    if not isinstance(state, dict):
        raise ValueError(f"not a {network} cursor: {cursor[:80]!r}")
    return state


def dump_cursor(state: dict[str, Any]) -> str:
    return orjson.dumps(state, option=orjson.OPT_SORT_KEYS).decode()


class Backoff:
    """Pauses between attempts: 1 s, 2 s, 4 s … up to a minute, back to 1 s once an
    attempt delivered something. After ``give_up_after`` failures in a row the failure
    itself is raised, so the listen runner shows it on the source's page instead of
    the stream retrying out of sight."""

    def __init__(
        self, sleep: Sleep, first: float = 1.0, cap: float = 60.0, give_up_after: int = 6
    ) -> None:
        self._sleep = sleep
        self._first = first
        self._cap = cap
        self._give_up_after = give_up_after
        self._next = first
        self._failures = 0

    async def wait(self, failure: Exception) -> None:
        self._failures += 1
        if self._failures > self._give_up_after:
            raise failure
        await self._sleep(self._next)
        self._next = min(self._next * 2, self._cap)

    def reset(self) -> None:
        self._next = self._first
        self._failures = 0


class RecentKeys:
    """The last ``size`` keys seen (post ids handed over in this run); ``add`` says
    whether the key is new. Streams deliver a little out of order and overlap with
    the catch-up before them, so they dedupe by id rather than drop what is older
    than the cursor."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._keys: OrderedDict[str, None] = OrderedDict()

    def add(self, key: str) -> bool:
        if key in self._keys:
            return False
        self._keys[key] = None
        if len(self._keys) > self._size:
            self._keys.popitem(last=False)
        return True


def later_id(a: str, b: str) -> bool:
    """Whether id ``a`` came after id ``b``, for ids that grow with time and are sent as
    strings of digits (X snowflakes, Mastodon ids): longer is later, then by value."""
    return (len(a), a) > (len(b), b)


def transient(error: Exception) -> bool:
    """Failures worth retrying by themselves: no answer, a timeout, a server error.
    A refused address, a 401 or a 404 needs a person, so it is raised."""
    if isinstance(error, egress.EgressTimeout):
        return True
    if isinstance(error, HttpError) and not isinstance(error, RateLimited):
        return error.status == 0 or error.status >= 500
    return False


async def patiently(call: Callable[[], Awaitable[T]], sleep: Sleep) -> T:
    """``call()``, again after a pause while the failure is transient (no answer, a
    timeout, a server error) and not yet persistent. Anything else goes up: a 429 at
    once, as ``RateLimited`` with the network's own wait, for the listen runner to show
    the source as rate limited, wait, and restart the stream from its stored cursor."""
    backoff = Backoff(sleep, give_up_after=3)
    while True:
        try:
            return await call()
        except (HttpError, egress.EgressError) as error:
            if not transient(error):
                raise
            await backoff.wait(error)


def checked_base_url(value: object, what: str, default: str, policy: EgressPolicy) -> str:
    """A base URL from a source's settings, refused with a message a person can act on
    when the egress guard would refuse it anyway."""
    url = default if value in (None, "") else value
    if not isinstance(url, str):
        raise ValueError(f"{what} must be a URL like {default}")
    try:
        parsed = egress.check_url(url.strip(), policy)
    except egress.EgressDenied as denied:
        raise ValueError(f"{what}: {denied}") from None
    if parsed.query or parsed.fragment:
        raise ValueError(f"{what} must be a plain URL like {default}, without ?query or #part")
    return str(parsed).rstrip("/")


def positive_seconds(value: object, what: str, default: float, minimum: float) -> float:
    if value in (None, ""):
        return default
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number of seconds") from None
    if not math.isfinite(seconds) or seconds < minimum:
        raise ValueError(f"{what} must be at least {minimum:g} seconds")
    return seconds


def required_token(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} is missing")
    token = value.strip()
    if any(c.isspace() or not c.isprintable() for c in token):
        raise ValueError(f"{what} contains spaces or control characters; paste the token alone")
    return token

"""The one gate every outgoing fetch goes through.

A connector fetches URLs that users type (a feed, an instance) and URLs that servers
hand back (redirects, next pages), so each of them could point at the machine Rapport
runs on, its private network or a cloud metadata service. The guard refuses those:

- only ``http`` and ``https``; no ``user:password@`` in a URL;
- the address is checked *after* resolution, and the connection is opened to the very
  address that was checked (the TLS name and ``Host`` stay the URL's name), so a DNS
  answer that changes between the check and the connect cannot slip through;
- an address embedding an IPv4 address (``::ffff:a.b.c.d``, NAT64, 6to4, ``::a.b.c.d``)
  is judged by the IPv4 address it carries; the numeric spellings ``inet_aton`` accepts
  (``2130706433``, ``0x7f.1``, ``017700000001``, ``127.1``) are judged by the address they
  mean;
- connect, read and total time, bytes on the wire and bytes after decompression are all
  bounded, so a slow drip or a gzip bomb ends with an error instead of a stuck worker.

A deployment that must reach private addresses (a feed on the intranet) lists those
networks in ``RAPPORT_EGRESS_ALLOW``; tests allow loopback for their fake servers.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import socket
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]


class EgressError(Exception):
    """A fetch the guard stopped. The message names the URL and the reason."""


class EgressDenied(EgressError):
    """The URL or the address it leads to is not one Rapport may reach."""


class EgressTimeout(EgressError):
    """Connecting, waiting for data or the whole fetch took longer than allowed."""


class EgressTooLarge(EgressError):
    """The response is bigger than allowed, on the wire or once decompressed."""


# Addresses that hand out credentials: never reachable through a broad allowance, only
# when listed one by one (169.254.169.254: AWS, GCP, Azure, OpenStack; fd00:ec2::254:
# AWS over IPv6; 100.100.100.200: Alibaba; 168.63.129.16: Azure's wire server).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "168.63.129.16")
)

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
# Not public, though Python 3.11's ``is_global`` lets them through.
_IETF_PROTOCOL = ipaddress.ip_network("192.0.0.0/24")
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


def _allowances_from_environment() -> tuple[IPNetwork, ...]:
    raw: Any = None
    try:
        from django.conf import settings

        if settings.configured:
            raw = getattr(settings, "RAPPORT_EGRESS_ALLOW", None)
    except ImportError:  # pragma: no cover - Django is a dependency; kept for scripts
        raw = None
    if raw is None:
        raw = os.environ.get("RAPPORT_EGRESS_ALLOW", "")
    if isinstance(raw, str):
        raw = [part for part in raw.replace(",", " ").split() if part]
    networks = []
    for entry in raw:
        try:
            networks.append(ipaddress.ip_network(str(entry), strict=False))
        except ValueError:
            raise ValueError(
                f"RAPPORT_EGRESS_ALLOW: {entry!r} is not a network (like 10.20.0.0/16)"
            ) from None
    return tuple(networks)


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True, slots=True)
class EgressPolicy:
    """Limits for one fetch (all its redirects included). ``allow`` lists networks a
    deployment may reach although they are not public; ``resolver`` is injectable so a
    test can make a public-looking name resolve wherever it wants."""

    connect_timeout: float = 5.0
    read_timeout: float = 20.0  # longest silence between two pieces of the response
    total_timeout: float = 60.0  # the whole fetch, redirects and body included
    max_bytes: int = 10 * 1024 * 1024  # on the wire
    max_decoded_bytes: int = 25 * 1024 * 1024  # after gzip / deflate
    max_redirects: int = 5
    allow: tuple[IPNetwork, ...] = ()
    resolver: Resolver = field(default=system_resolver, compare=False)

    @classmethod
    def from_settings(cls, **overrides: Any) -> EgressPolicy:
        """The deployment's policy: defaults plus ``RAPPORT_EGRESS_ALLOW`` (a Django
        setting or environment variable; CIDRs separated by commas or spaces)."""
        overrides.setdefault("allow", _allowances_from_environment())
        return cls(**overrides)

    def allowing(self, *networks: str | IPNetwork) -> EgressPolicy:
        """The same policy reaching ``networks`` too (tests: ``allowing(*LOOPBACK)``)."""
        extra = tuple(ipaddress.ip_network(n, strict=False) for n in networks)
        return EgressPolicy(
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            total_timeout=self.total_timeout,
            max_bytes=self.max_bytes,
            max_decoded_bytes=self.max_decoded_bytes,
            max_redirects=self.max_redirects,
            allow=self.allow + extra,
            resolver=self.resolver,
        )

    @property
    def httpx_timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.read_timeout,
            pool=self.connect_timeout,
        )


# ---------------------------------------------------------------- addresses


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, when it carries one."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _IPV4_COMPATIBLE and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def why_not_public(ip: IPAddress) -> str | None:
    """The kind of non-public address ``ip`` is, or None when it is public."""
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "a scoped (link-local) address"
        inner = _embedded_ipv4(ip)
        if inner is not None:
            reason = why_not_public(inner)
            return f"an IPv6 form of {inner}, {reason}" if reason else None
        if ip in _NAT64_LOCAL:
            return "a local-use NAT64 address"
    checks = (
        (ip.is_loopback, "a loopback address"),
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "a carrier-grade NAT address"),
        (isinstance(ip, ipaddress.IPv6Address) and ip in _SITE_LOCAL, "a site-local address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _IETF_PROTOCOL, "a reserved address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private address"),
        (not ip.is_global, "not a public address"),
    )
    for hit, reason in checks:
        if hit:
            return reason
    return None


def _allowed(ip: IPAddress, policy: EgressPolicy) -> bool:
    if ip in METADATA_ADDRESSES:
        # A broad allowance (a whole link-local range) must not open the metadata
        # service by accident: only a network of exactly that one address does.
        return any(net.num_addresses == 1 and ip in net for net in policy.allow)
    candidates: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and (inner := _embedded_ipv4(ip)) is not None:
        candidates.append(inner)
    return any(c in net for c in candidates for net in policy.allow)


def vet_address(ip: IPAddress, policy: EgressPolicy, *, what: str) -> None:
    """Raise ``EgressDenied`` unless ``ip`` is public or allowed by the policy."""
    reason = why_not_public(ip)
    if reason is not None and not _allowed(ip, policy):
        raise EgressDenied(f"{what} is {ip}, {reason}; Rapport does not fetch from there")


_NUMERIC_PART = re.compile(r"^(0x[0-9a-f]+|[0-9]+)$", re.IGNORECASE)


def numeric_host(host: str) -> IPAddress | None:
    """The address a numeric host means, in any spelling a resolver accepts:
    dotted quads, IPv6 literals and the ``inet_aton`` forms (one to four parts,
    each decimal, octal with a leading 0 or hexadecimal with 0x; the last part
    fills the remaining bytes). None for a host name."""
    host = host.strip("[]").rstrip(".")
    if ":" in host:
        try:
            return ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return None
    parts = host.split(".")
    if not parts or len(parts) > 4 or not all(_NUMERIC_PART.match(p) for p in parts):
        if parts and _NUMERIC_PART.match(parts[-1]) and parts[-1].isdigit():
            # A name whose last label is a number is no name; resolvers disagree on
            # what it means, so it is refused rather than guessed.
            raise EgressDenied(f"{host!r} is neither a host name nor an IP address")
        return None
    values = []
    for part in parts:
        if part.lower().startswith("0x"):
            values.append(int(part[2:], 16))
        elif len(part) > 1 and part.startswith("0"):
            if not set(part) <= set("01234567"):
                raise EgressDenied(f"{host!r} is neither a host name nor an IP address")
            values.append(int(part, 8))
        else:
            values.append(int(part))
    *leading, last = values
    if any(v > 255 for v in leading) or last >= 256 ** (5 - len(values)):
        raise EgressDenied(f"{host!r} is neither a host name nor an IP address")
    number = last
    for i, value in enumerate(leading):
        number |= value << (8 * (3 - i))
    return ipaddress.IPv4Address(number)


def check_url(url: str | httpx.URL, policy: EgressPolicy) -> httpx.URL:
    """The parsed URL, or ``EgressDenied`` for what can be refused before any lookup:
    another scheme, credentials in the URL, a numeric host that is not public."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise EgressDenied(f"{str(url)!r} is not a valid URL ({exc})") from None
    shown = str(parsed.copy_with(query=None, fragment=None)) if parsed.host else str(url)
    if parsed.scheme not in ("http", "https"):
        raise EgressDenied(f"{shown}: only http and https URLs are fetched")
    if parsed.userinfo:
        raise EgressDenied(
            f"{parsed.scheme}://…@{parsed.host}: a user name or password in a URL is refused;"
            " put credentials in the source's settings"
        )
    if not parsed.host:
        raise EgressDenied(f"{shown}: the URL has no host")
    ip = numeric_host(parsed.host)
    if ip is not None:
        vet_address(ip, policy, what=f"{shown}")
    return parsed


async def resolve_checked(host: str, port: int, policy: EgressPolicy) -> list[str]:
    """The addresses to connect to for ``host``, every one of them vetted. Any
    forbidden answer refuses the host: a name that resolves partly inside the network
    is not a name to trust. For clients that are not ``httpx`` (websockets): connect to
    one of these with the TLS server name set to ``host``."""
    literal = numeric_host(host)
    if literal is not None:
        vet_address(literal, policy, what=host)
        return [str(literal)]
    try:
        async with asyncio.timeout(policy.connect_timeout):
            answers = await policy.resolver(host, port)
    except TimeoutError:
        raise EgressTimeout(f"{host}: no DNS answer within {policy.connect_timeout:g} s") from None
    except OSError as exc:
        raise EgressDenied(f"{host}: the name does not resolve ({exc})") from None
    if not answers:
        raise EgressDenied(f"{host}: the name does not resolve")
    addresses = []
    for answer in answers:
        if "%" in answer:
            raise EgressDenied(f"{host} resolves to {answer}, a scoped (link-local) address")
        ip = ipaddress.ip_address(answer)
        vet_address(ip, policy, what=f"{host} (resolved)")
        addresses.append(str(ip))
    return addresses


# ---------------------------------------------------------------- connections


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's own backend, told to connect to a vetted address instead of the name.
    TLS still verifies, and SNI still names, the URL's host: httpcore takes those from
    the request's origin, not from where the socket went."""

    def __init__(self, policy: EgressPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve_checked(host, port, self._policy)
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise EgressDenied("unix sockets are not an egress")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """An httpx transport whose every connection goes through the guard. Environment
    proxies are ignored on purpose: a proxy would resolve names where the guard cannot
    see them."""

    def __init__(self, policy: EgressPolicy, *, verify: Any = True) -> None:
        super().__init__(verify=verify, trust_env=False, retries=0)
        ssl_context = httpx.create_ssl_context(verify=verify, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=20,
            max_keepalive_connections=10,
            keepalive_expiry=5.0,
            http1=True,
            http2=False,
            retries=0,
            network_backend=_GuardedBackend(policy),
        )


# ---------------------------------------------------------------- bodies


class _Decoder:
    """gzip / deflate decompression that never produces more than the limit, however
    small the compressed input (zlib's ``max_length`` bounds each step)."""

    STEP = 64 * 1024

    def __init__(self, encoding: str, limit: int, what: str) -> None:
        self.encoding = encoding
        self.limit = limit
        self.what = what
        self.produced = 0
        self._raw_deflate_tried = False
        self._z = self._new()

    def _new(self) -> Any:
        if self.encoding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        return zlib.decompressobj(zlib.MAX_WBITS)

    def _count(self, out: bytes) -> bytes:
        self.produced += len(out)
        if self.produced > self.limit:
            raise EgressTooLarge(
                f"{self.what}: more than {self.limit:,} bytes once decompressed"
                " (a compression bomb?); the rest was not read"
            )
        return out

    def feed(self, data: bytes) -> Iterable[bytes]:
        while True:
            try:
                out = self._z.decompress(data, self.STEP)
            except zlib.error as exc:
                if self.encoding == "deflate" and not self._raw_deflate_tried and not self.produced:
                    # Some servers send raw deflate without the zlib header.
                    self._raw_deflate_tried = True
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise EgressError(
                    f"{self.what}: the {self.encoding} body is corrupt ({exc})"
                ) from None
            if out:
                yield self._count(out)
            data = self._z.unconsumed_tail
            if self._z.eof and self._z.unused_data:
                # Concatenated gzip members are one body.
                data = self._z.unused_data
                self._z = self._new()
                continue
            if not data and len(out) < self.STEP:
                return

    def flush(self) -> bytes:
        return self._count(self._z.flush())


async def limited_chunks(response: httpx.Response, policy: EgressPolicy) -> AsyncIterator[bytes]:
    """The decoded body of a streamed response, in pieces, refusing to read past the
    wire and decompressed limits. The response must have been sent with ``stream=True``
    by a client that does not decode (we decode here, with limits)."""
    what = str(response.request.url.copy_with(query=None))
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise EgressTooLarge(
            f"{what}: the server announces {int(declared):,} bytes, more than the"
            f" {policy.max_bytes:,} allowed"
        )
    encodings = [
        e.strip().lower()
        for e in response.headers.get("content-encoding", "").split(",")
        if e.strip() and e.strip().lower() != "identity"
    ]
    if len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "x-gzip", "deflate")):
        raise EgressError(f"{what}: unsupported content encoding {', '.join(encodings)!r}")
    decoder = _Decoder(encodings[0], policy.max_decoded_bytes, what) if encodings else None
    received = 0
    async for raw in _raw_pieces(response):
        received += len(raw)
        if received > policy.max_bytes:
            raise EgressTooLarge(
                f"{what}: more than {policy.max_bytes:,} bytes; the rest was not read"
            )
        if decoder is None:
            yield raw
        else:
            for piece in decoder.feed(raw):
                yield piece
    if decoder is not None:
        tail = decoder.flush()
        if tail:
            yield tail


async def _raw_pieces(response: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for raw in response.aiter_raw():
            yield raw
    except httpx.StreamConsumed:
        # A response built in memory (httpx.MockTransport in tests) has no stream left;
        # its body is already whole, so the limits are applied to it as one piece.
        yield response.content

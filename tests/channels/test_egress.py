"""The egress guard: no fetch reaches a loopback, private, link-local or metadata address,
however the address is spelled or reached (directly, through DNS, through a redirect);
every fetch ends in bounded time and memory."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import ipaddress
import shutil
import socket
import ssl
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapport.channels.egress import (
    LOOPBACK,
    EgressDenied,
    EgressPolicy,
    EgressTimeout,
    EgressTooLarge,
    numeric_host,
    vet_address,
    why_not_public,
)
from rapport.channels.http import HttpClient, HttpError
from tests.channels.conftest import FakeServer, Reply, fake_resolver

FORBIDDEN_ADDRESSES = [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("10.0.0.1", "private"),
    ("172.16.5.4", "private"),
    ("192.168.1.1", "private"),
    ("169.254.10.1", "link-local"),
    ("169.254.169.254", "metadata"),
    ("100.100.100.200", "metadata"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("0.0.0.0", "unspecified"),  # noqa: S104 - an address to refuse, not to bind
    ("224.0.0.251", "multicast"),
    ("240.0.0.1", "reserved"),
    ("198.18.0.1", "private"),
    ("192.0.0.8", "reserved"),
    ("fec0::1", "site-local"),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "private"),
    ("fd00:ec2::254", "metadata"),
    ("ff02::1", "multicast"),
    ("::ffff:127.0.0.1", "IPv6 form of 127.0.0.1"),
    ("::ffff:169.254.169.254", "IPv6 form of 169.254.169.254"),
    ("64:ff9b::a00:1", "IPv6 form of 10.0.0.1"),  # NAT64
    ("64:ff9b:1::1", "NAT64"),
    ("2002:c0a8:101::1", "IPv6 form of 192.168.1.1"),  # 6to4
    ("::7f00:1", "IPv6 form of 127.0.0.1"),  # IPv4-compatible
]

# URL spellings of forbidden hosts that resolvers turn into addresses.
FORBIDDEN_URLS = [
    "http://127.0.0.1/",
    "http://[::1]:8080/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[fe80::1%25eth0]/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://169.254.169.254/latest/meta-data/iam/",
    "http://2130706433/",  # 127.0.0.1 as one number
    "http://0x7f.1/",
    "http://0x7f000001/",
    "http://017700000001/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://10.1/",
    "http://2852039166/",  # 169.254.169.254
    "http://0xa9fea9fe/",
    "http://127.0.0.1./",
]

PUBLIC_ADDRESSES = ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808"]


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def fetch(url: str, policy: EgressPolicy | None = None) -> bytes:
    async with HttpClient(policy=policy or EgressPolicy()) as http:
        return (await http.get(url)).body


@pytest.mark.parametrize(("address", "kind"), FORBIDDEN_ADDRESSES)
def test_non_public_addresses_are_named_for_what_they_are(address: str, kind: str) -> None:
    reason = why_not_public(ipaddress.ip_address(address))
    assert reason is not None
    assert kind in reason


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_public_addresses_pass(address: str) -> None:
    assert why_not_public(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("host", "meant"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1.2", "10.1.0.2"),
        ("0xA9.0xFE.0xA9.0xFE", "169.254.169.254"),
        ("[::ffff:7f00:1]", "::ffff:127.0.0.1"),
        ("example.com", None),
        ("xn--nordlicht-kaffee-8kb.de", None),
    ],
)
def test_numeric_hosts_mean_what_a_resolver_makes_of_them(host: str, meant: str | None) -> None:
    expected = ipaddress.ip_address(meant) if meant else None
    assert numeric_host(host) == expected


@pytest.mark.parametrize("host", ["1.2.3.4.5", "256.1.1.1", "example.123", "0999.1.1.1"])
def test_hosts_that_are_neither_names_nor_addresses_are_refused(host: str) -> None:
    with pytest.raises(EgressDenied, match="neither a host name nor an IP address"):
        numeric_host(host)


@pytest.mark.parametrize("address", [a for a, _ in FORBIDDEN_ADDRESSES])
def test_forbidden_addresses_are_refused_as_url_hosts(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(EgressDenied, match="Rapport does not fetch from there"):
        run(fetch(f"http://{host}/"))


@pytest.mark.parametrize("url", FORBIDDEN_URLS)
def test_numeric_and_mapped_spellings_are_refused(url: str) -> None:
    with pytest.raises(EgressDenied):
        run(fetch(url))


@pytest.mark.parametrize("address", [a for a, _ in FORBIDDEN_ADDRESSES])
def test_a_public_looking_name_resolving_inside_is_refused(address: str) -> None:
    policy = EgressPolicy(resolver=fake_resolver({"news.example": [address]}))
    with pytest.raises(EgressDenied, match=r"news\.example \(resolved\) is"):
        run(fetch("http://news.example/feed.xml", policy))


def test_one_forbidden_answer_among_public_ones_refuses_the_name() -> None:
    policy = EgressPolicy(resolver=fake_resolver({"news.example": ["8.8.8.8", "10.0.0.7"]}))
    with pytest.raises(EgressDenied, match=r"10\.0\.0\.7"):
        run(fetch("http://news.example/", policy))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/feed", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://example.com/", "only http and https"),
        ("http://user:secret@example.com/", "user name or password"),
        ("https://token@example.com/", "user name or password"),
        ("http:///nohost", "no host"),
    ],
)
def test_other_schemes_and_credentials_in_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(EgressDenied, match=message) as refused:
        run(fetch(url))
    assert "secret" not in str(refused.value)


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host() -> None:
    """DNS rebinding: the name is resolved once, checked, and the socket opened to that
    very address; a second, different answer is never asked for."""

    async def scenario() -> None:
        async with FakeServer({"/feed": Reply(body=b"ok")}) as server:
            resolver = fake_resolver({"feed.example": ["127.0.0.1"]})
            policy = EgressPolicy(resolver=resolver).allowing(*LOOPBACK)
            body = await fetch(f"http://feed.example:{server.port}/feed", policy)
            assert body == b"ok"
            assert server.seen[0].headers["host"] == f"feed.example:{server.port}"
            assert resolver.calls == ["feed.example"]  # type: ignore[attr-defined]

    run(scenario())


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]:{port}/secret",
        "http://0x7f.1:{port}/secret",
        "http://inside.example:{port}/secret",
        "file:///etc/passwd",
        "http://admin:admin@feed.example:{port}/secret",
    ],
)
def test_a_redirect_to_a_forbidden_place_is_refused(target: str) -> None:
    async def scenario() -> None:
        async with (
            FakeServer({"/secret": Reply(body=b"internal")}) as inside,
            FakeServer({}, host="127.0.0.2") as outside,
        ):
            location = target.format(port=inside.port)
            outside.routes["/feed"] = Reply(302, headers={"location": location})
            resolver = fake_resolver(
                {"feed.example": ["127.0.0.2"], "inside.example": ["10.9.8.7"]}
            )
            # The first server is reachable (its one address is allowed); where it
            # points is judged on its own.
            policy = EgressPolicy(resolver=resolver).allowing("127.0.0.2/32")
            with pytest.raises(EgressDenied):
                await fetch(f"http://feed.example:{outside.port}/feed", policy)
            assert [s.path for s in outside.seen] == ["/feed"]

    run(scenario())


def test_an_allowance_for_link_local_does_not_open_the_metadata_service() -> None:
    broad = EgressPolicy().allowing("169.254.0.0/16")
    with pytest.raises(EgressDenied, match="metadata"):
        run(fetch("http://169.254.169.254/latest/meta-data/", broad))


def test_redirects_are_followed_and_counted() -> None:
    async def scenario() -> None:
        routes: dict[str, Any] = {
            f"/{i}": Reply(301, headers={"location": f"/{i + 1}"}) for i in range(9)
        }
        routes["/9"] = Reply(body=b"arrived")
        async with FakeServer(routes) as server:
            policy = EgressPolicy(max_redirects=9).allowing(*LOOPBACK)
            assert await fetch(f"{server.url}/0", policy) == b"arrived"
            strict = EgressPolicy(max_redirects=3).allowing(*LOOPBACK)
            with pytest.raises(EgressDenied, match="more than 3 redirects"):
                await fetch(f"{server.url}/0", strict)

    run(scenario())


def test_a_silent_server_ends_in_a_read_timeout() -> None:
    async def scenario() -> None:
        async with FakeServer({"/slow": Reply(body=b"late", pause=3)}) as server:
            policy = EgressPolicy(read_timeout=0.3).allowing(*LOOPBACK)
            with pytest.raises(EgressTimeout, match="read timeout"):
                await fetch(f"{server.url}/slow", policy)

    run(scenario())


def test_a_drip_that_never_pauses_long_still_meets_the_total_deadline() -> None:
    async def scenario() -> None:
        drip = Reply(body=b"x" * 200, piece=1, drip=0.05)
        async with FakeServer({"/drip": drip}) as server:
            policy = EgressPolicy(read_timeout=1, total_timeout=0.5).allowing(*LOOPBACK)
            with pytest.raises(EgressTimeout, match=r"not complete within 0\.5 s"):
                await fetch(f"{server.url}/drip", policy)

    run(scenario())


def test_a_slow_dns_answer_is_a_timeout() -> None:
    async def never(host: str, port: int) -> list[str]:
        await asyncio.sleep(5)
        return ["8.8.8.8"]

    policy = EgressPolicy(connect_timeout=0.2, resolver=never)
    with pytest.raises(EgressTimeout, match="no DNS answer"):
        run(fetch("http://slow-dns.example/", policy))


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=b"x" * 5000),  # announced
        Reply(body=b"x" * 5000, content_length=None),  # read until close
        Reply(body=b"x" * 10, content_length=10**12),  # a lie, refused before reading
    ],
)
def test_a_body_over_the_limit_is_cut_off(reply: Reply) -> None:
    async def scenario() -> None:
        async with FakeServer({"/big": reply}) as server:
            policy = EgressPolicy(max_bytes=4096).allowing(*LOOPBACK)
            with pytest.raises(EgressTooLarge, match="4,096"):
                await fetch(f"{server.url}/big", policy)

    run(scenario())


def test_a_gzip_bomb_is_cut_off_at_the_decompressed_limit() -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000

    async def scenario() -> None:
        reply = Reply(body=bomb, headers={"content-encoding": "gzip"})
        async with FakeServer({"/bomb": reply}) as server:
            policy = EgressPolicy(max_decoded_bytes=1024 * 1024).allowing(*LOOPBACK)
            with pytest.raises(EgressTooLarge, match="decompressed"):
                await fetch(f"{server.url}/bomb", policy)

    run(scenario())


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("gzip", lambda b: gzip.compress(b[:5]) + gzip.compress(b[5:])),  # two members
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, no zlib header
    ],
)
def test_compressed_bodies_within_the_limit_are_decoded(encoding: str, encode: Any) -> None:
    text = "Nordlicht Coffee — świeże ziarna, frische Bohnen ☕ ".encode() * 2000

    async def scenario() -> None:
        reply = Reply(body=encode(text), headers={"content-encoding": encoding})
        async with FakeServer({"/z": reply}) as server:
            assert await fetch(f"{server.url}/z", EgressPolicy().allowing(*LOOPBACK)) == text

    run(scenario())


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_an_ipv6_form_is_judged_by_the_ipv4_address_it_carries(number: int) -> None:
    v4 = ipaddress.IPv4Address(number)
    forbidden = why_not_public(v4) is not None
    for v6 in (
        ipaddress.IPv6Address(f"::ffff:{v4}"),
        ipaddress.IPv6Address((0x64FF9B << 96) | number),
        ipaddress.IPv6Address((0x2002 << 112) | (number << 80)),
    ):
        assert (why_not_public(v6) is not None) == forbidden, v6


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for feed.example (the test trusts it directly)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=feed.example",
            "-addext",
            "subjectAltName=DNS:feed.example",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_tls_names_and_verifies_the_host_while_connecting_to_the_checked_address(
    certificate: tuple[Path, Path],
) -> None:
    """The socket goes to the vetted 127.0.0.1, yet the TLS handshake asks for
    feed.example (SNI) and the certificate is checked against that name."""
    cert, key = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    names: list[str | None] = []
    server_tls.sni_callback = lambda sock, name, context: names.append(name)
    trusted = ssl.create_default_context(cafile=str(cert))

    async def scenario() -> None:
        async with FakeServer({"/feed": Reply(body=b"secure")}, tls=server_tls) as server:
            resolver = fake_resolver(
                {"feed.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]}
            )
            policy = EgressPolicy(resolver=resolver).allowing(*LOOPBACK)
            async with HttpClient(policy=policy, verify=trusted) as http:
                response = await http.get(f"https://feed.example:{server.port}/feed")
                assert response.body == b"secure"
                assert names == ["feed.example"]
                with pytest.raises(HttpError, match="connection failed"):
                    await http.get(f"https://other.example:{server.port}/feed")

    run(scenario())


_PART = st.one_of(
    st.integers(0, 2**32 + 10).map(str),
    st.integers(0, 2**32 + 10).map(lambda n: f"0{n:o}"),
    st.integers(0, 2**32 + 10).map(lambda n: f"0x{n:x}"),
    st.integers(0, 2**32 + 10).map(lambda n: f"0X{n:X}"),
)


@given(st.lists(_PART, min_size=1, max_size=5).map(".".join))
def test_numeric_hosts_mean_what_the_system_resolver_makes_of_them(host: str) -> None:
    """Against the C library's own inet_aton: whatever it turns into an address, the guard
    turns into the same one; whatever it refuses, the guard never takes for an address."""
    try:
        meant: ipaddress.IPv4Address | None = ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        meant = None
    try:
        found = numeric_host(host)
    except EgressDenied:
        found = None
    assert found == meant


def test_a_server_that_never_accepts_is_a_connect_timeout() -> None:
    # A listening socket with a full backlog: the kernel drops further handshakes.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    try:
        policy = EgressPolicy(connect_timeout=0.3).allowing(*LOOPBACK)
        with pytest.raises(EgressTimeout, match="could not connect in time"):
            run(fetch(f"http://127.0.0.1:{port}/", policy))
    finally:
        for s in [*fillers, listener]:
            s.close()


def test_a_deployment_allows_networks_by_setting(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.RAPPORT_EGRESS_ALLOW = ["10.20.0.0/16", "fd12:3456::/48"]
    policy = EgressPolicy.from_settings()
    vet_address(ipaddress.ip_address("10.20.1.2"), policy, what="intranet")
    with pytest.raises(EgressDenied):
        vet_address(ipaddress.ip_address("10.21.0.1"), policy, what="elsewhere")
    del settings.RAPPORT_EGRESS_ALLOW
    monkeypatch.setenv("RAPPORT_EGRESS_ALLOW", "192.168.7.0/24, 127.0.0.1")
    assert len(EgressPolicy.from_settings().allow) == 2
    monkeypatch.setenv("RAPPORT_EGRESS_ALLOW", "intranet")
    with pytest.raises(ValueError, match="'intranet' is not a network"):
        EgressPolicy.from_settings()

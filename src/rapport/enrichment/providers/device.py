"""Local providers fed by a signal (a request's user agent and IP address) rather
than by the queue: device / OS / browser from ua-parser, country and network from
geoip2fast's bundled data. The raw IP is never stored: the source is its network."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

from geoip2fast import GeoIP2Fast
from ua_parser import parse

from .base import Fact, Provider, Subject, register


def _version(*parts: str | None) -> str:
    return ".".join(p for p in parts if p)


@register
class UserAgent(Provider):
    name = "user-agent"
    label = "Device (user agent)"
    ttl = timedelta(days=90)
    queued = False

    def lookup(self, subject: Subject) -> list[Fact]:
        ua = str(subject.facts.get("signal.user_agent", ""))[:1000]
        if not ua:
            return []
        result = parse(ua)
        ref = ua[:300]
        facts: list[Fact] = []
        if result.user_agent:
            browser = result.user_agent
            facts.append(
                Fact("browser", f"{browser.family} {_version(browser.major)}".strip(), ref)
            )
        if result.os:
            os = result.os
            facts.append(Fact("os", f"{os.family} {_version(os.major, os.minor)}".strip(), ref))
        if result.device and result.device.family != "Other":
            device = result.device
            facts.append(
                Fact(
                    "device",
                    " ".join(p for p in (device.brand, device.model) if p) or device.family,
                    ref,
                )
            )
        return facts


@functools.cache
def _geoip() -> Any:
    # The ASN file adds the network's owner; both ship inside the package.
    return GeoIP2Fast(geoip2fast_data_file="geoip2fast-asn.dat.gz")


@register
class GeoIP(Provider):
    name = "geoip"
    label = "Country and network (IP)"
    ttl = timedelta(days=30)
    queued = False

    def lookup(self, subject: Subject) -> list[Fact]:
        ip = str(subject.facts.get("signal.ip", ""))
        if not ip:
            return []
        found = _geoip().lookup(ip)
        if getattr(found, "is_private", False) or not getattr(found, "country_code", ""):
            return []
        network = found.asn_cidr or found.cidr
        facts = [Fact("country", {"code": found.country_code, "name": found.country_name}, network)]
        if found.asn_name:
            facts.append(Fact("network", {"name": found.asn_name, "cidr": found.asn_cidr}, network))
        return facts

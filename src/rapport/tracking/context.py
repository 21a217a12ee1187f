"""What an event's context says about the device and the place, derived once here:
browser, OS and device from the user agent; country from the IP. The raw IP stays
on the event only when the workspace opts in."""

from __future__ import annotations

import functools
from typing import Any

from geoip2fast import GeoIP2Fast
from ua_parser import parse

from .bots import is_bot


@functools.lru_cache(maxsize=8192)
def device_of(user_agent: str) -> dict[str, str]:
    """{"browser", "os", "device"}, empty values left out; cached because a shop's
    visitors share a few hundred user agents."""
    if not user_agent:
        return {}
    parsed = parse(user_agent[:1000])
    out: dict[str, str] = {}
    if parsed.user_agent is not None and parsed.user_agent.family != "Other":
        out["browser"] = parsed.user_agent.family
    if parsed.os is not None and parsed.os.family != "Other":
        out["os"] = parsed.os.family
    if parsed.device is not None and parsed.device.family != "Other":
        out["device"] = parsed.device.family
    return out


@functools.cache
def _geoip() -> GeoIP2Fast:
    return GeoIP2Fast()


@functools.lru_cache(maxsize=65536)
def country_of(ip: str) -> str:
    """ISO country code, or "" for private, reserved and unknown addresses."""
    if not ip:
        return ""
    try:
        code = str(_geoip().lookup(ip).country_code or "")
    except Exception:  # a malformed address is no country, not a failed batch
        return ""
    return code if len(code) == 2 and code.isalpha() else ""


def signals(
    context: dict[str, Any], *, request_ua: str, request_ip: str, from_browser: bool
) -> tuple[str, str]:
    """The user agent and IP an event speaks for. A browser's request is the
    visitor's own; a server's request is the server's, so only the context counts."""
    ua = context.get("userAgent")
    ip = context.get("ip")
    ua = ua if isinstance(ua, str) else (request_ua if from_browser else "")
    ip = ip if isinstance(ip, str) else (request_ip if from_browser else "")
    return ua[:1000], ip[:45]


def enrich_context(
    context: dict[str, Any], *, user_agent: str, ip: str, keep_ip: bool
) -> dict[str, Any]:
    """The context as stored: without the IP unless kept, with what was derived."""
    out = {k: v for k, v in context.items() if k != "ip"}
    if keep_ip and ip:
        out["ip"] = ip
    derived = dict(device_of(user_agent))
    if country := country_of(ip):
        derived["country"] = country
    if derived:
        out["derived"] = derived
    return out


__all__ = ["country_of", "device_of", "enrich_context", "is_bot", "signals"]

"""Bots, crawlers and headless browsers, by user agent: their page views are not
people's and are dropped before they reach a contact."""

from __future__ import annotations

import functools
import re

from ua_parser import parse

# What ua-parser does not call a spider but is not a person either. "bot" must end a
# name ("Googlebot/2.1", "Slackbot-LinkExpanding") or stand alone, so phones such as
# the CUBOT X19 are not taken for one. Plain HTTP clients (okhttp, curl) are not
# listed: apps and servers send real events with them.
_MARKERS = re.compile(
    r"bot[/\-_;)]|\bbot\b|crawl|spider|slurp|headless|lighthouse|pingdom|uptimerobot|"
    r"statuscake|facebookexternalhit|embedly",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """No user agent is not a bot: server libraries send none."""
    ua = user_agent.strip()[:1000]
    if not ua:
        return False
    if _MARKERS.search(ua):
        return True
    device = parse(ua).device
    return device is not None and device.family == "Spider"

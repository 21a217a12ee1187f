"""The influence score, 0-100, from the social profiles we know of a contact.

    reach       R = min(1, log10(1 + followers summed over networks) / 6)
    engagement  E = min(1, engagement rate / 0.06), where the rate is the
                    follower-weighted mean of interactions per post / followers
    breadth     B = min(1, networks with a profile / 3)
    score       = round(100 * (0.6 R + 0.3 E + 0.1 B))

So a million followers saturate reach, a 6 % engagement rate (very high on every
network) saturates engagement, and being present on three networks saturates
breadth. Reach is logarithmic because going from 100 to 1,000 followers matters as
much as going from 100k to 1M. docs/contacts.md has worked examples.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

WEIGHTS = {"reach": 0.6, "engagement": 0.3, "breadth": 0.1}
REACH_SATURATION_DECADES = 6
ENGAGEMENT_SATURATION = 0.06
BREADTH_SATURATION = 3


@dataclass(frozen=True)
class Influence:
    score: int
    followers: int
    networks: int
    engagement_rate: float
    reach: float
    engagement: float
    breadth: float


def influence(profiles: Iterable[dict[str, Any]]) -> Influence | None:
    best: dict[str, dict[str, Any]] = {}
    for p in profiles:
        network = str(p.get("network", ""))
        followers = max(0, int(p.get("followers") or 0))
        if network and followers >= int((best.get(network) or {}).get("followers") or -1):
            best[network] = {**p, "followers": followers}
    if not best:
        return None
    followers = sum(p["followers"] for p in best.values())
    weighted = sum(
        float(p.get("interactions_per_post") or 0.0) for p in best.values() if p["followers"]
    )
    rate = weighted / followers if followers else 0.0
    reach = min(1.0, math.log10(1 + followers) / REACH_SATURATION_DECADES)
    engagement = min(1.0, rate / ENGAGEMENT_SATURATION)
    breadth = min(1.0, len(best) / BREADTH_SATURATION)
    score = round(
        100
        * (
            WEIGHTS["reach"] * reach
            + WEIGHTS["engagement"] * engagement
            + WEIGHTS["breadth"] * breadth
        )
    )
    return Influence(score, followers, len(best), rate, reach, engagement, breadth)

"""Demo enrichment. The demo runs offline, so the values network providers would
have fetched (Open-Meteo places and weather, Gravatar profile text, social
profiles) are recorded here and stored through the same code as live ones;
device and country come from the real local providers (ua-parser, geoip2fast)."""

from __future__ import annotations

import random
from datetime import datetime

from django.utils import timezone

from rapport.contacts.models import Contact, Identity
from rapport.core.models import Workspace
from rapport.enrichment.facade import enrich_from_signals, record_social_profile
from rapport.enrichment.providers.base import Fact
from rapport.enrichment.providers.gravatar import Gravatar, email_hash
from rapport.enrichment.providers.location import WMO, Geocoding, Weather
from rapport.enrichment.providers.social import SocialProfile
from rapport.enrichment.store import save_facts

USER_AGENTS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.0 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
)
# Public addresses of well-known networks in each demo country.
IPS = {
    "GB": "81.2.69.142",
    "PL": "212.77.98.9",
    "RU": "77.88.55.88",
    "NL": "145.100.190.243",
    "DE": "85.214.132.117",
}
# What Open-Meteo's geocoding answers for the demo cities: (latitude, longitude, tz).
PLACES = {
    "London": (51.50853, -0.12574, "Europe/London"),
    "Manchester": (53.48095, -2.23743, "Europe/London"),
    "Bristol": (51.45523, -2.59665, "Europe/London"),
    "Leeds": (53.79648, -1.54785, "Europe/London"),
    "Warszawa": (52.22977, 21.01178, "Europe/Warsaw"),
    "Kraków": (50.06143, 19.93658, "Europe/Warsaw"),
    "Łódź": (51.75, 19.46667, "Europe/Warsaw"),
    "Gdańsk": (54.35205, 18.64637, "Europe/Warsaw"),
    "Москва": (55.75222, 37.61556, "Europe/Moscow"),
    "Санкт-Петербург": (59.93863, 30.31413, "Europe/Moscow"),
    "Казань": (55.78874, 49.12214, "Europe/Moscow"),
    "Новосибирск": (55.0415, 82.9346, "Asia/Novosibirsk"),
    "Amsterdam": (52.37403, 4.88969, "Europe/Amsterdam"),
    "Rotterdam": (51.9225, 4.47917, "Europe/Amsterdam"),
    "Utrecht": (52.09083, 5.12222, "Europe/Amsterdam"),
    "Den Haag": (52.07667, 4.29861, "Europe/Amsterdam"),
    "Hamburg": (53.55073, 9.99302, "Europe/Berlin"),
    "München": (48.13743, 11.57549, "Europe/Berlin"),
    "Köln": (50.93333, 6.95, "Europe/Berlin"),
    "Düsseldorf": (51.22172, 6.77616, "Europe/Berlin"),
}
NETWORKS = {"bluesky": "https://bsky.app/profile/{}", "mastodon": "https://{host}/@{user}",
            "reddit": "https://www.reddit.com/user/{}"}  # fmt: skip
JOBS = ("Barista", "Product designer", "Food blogger", "Teacher", "Engineer", "Café owner")


def load_enrichment(workspace: Workspace, seed: int = 7) -> int:
    rng = random.Random(seed)
    now = timezone.now()
    people = list(Contact.objects.for_workspace(workspace).filter(status="active").order_by("pk"))
    identities: dict[int, list[Identity]] = {}
    for identity in Identity.objects.for_workspace(workspace):
        identities.setdefault(identity.contact_id, []).append(identity)
    for n, contact in enumerate(people[:80]):
        mine = identities.get(contact.pk, [])
        ip = IPS.get(contact.country, "")
        enrich_from_signals(
            workspace.pk, contact.pk, user_agent=USER_AGENTS[n % len(USER_AGENTS)], ip=ip
        )
        _place_and_weather(workspace, contact, rng, now)
        email = next((i for i in mine if i.kind == "email"), None)
        if email is not None and n % 3 == 0:
            ref = f"https://api.gravatar.com/v3/profiles/{email_hash(email.value)}"
            save_facts(workspace.pk, contact.pk, Gravatar, [
                Fact("display_name", contact.full_name, ref, email.pk),
                Fact("job_title", rng.choice(JOBS), ref, email.pk),
            ], now)  # fmt: skip
        for identity in mine:
            if identity.kind in NETWORKS:
                record_social_profile(
                    workspace.pk, contact.pk, _profile(identity, rng), identity.pk
                )
    return len(people)


def _place_and_weather(
    workspace: Workspace, contact: Contact, rng: random.Random, now: datetime
) -> None:
    place = PLACES.get(contact.city)
    if place is None:
        return
    lat, lon, tz = place
    value = {"name": contact.city, "admin1": "", "country": "", "country_code": contact.country,
             "latitude": lat, "longitude": lon, "timezone": tz, "precision": "city"}  # fmt: skip
    ref = f"https://geocoding-api.open-meteo.com/v1/search?name={contact.city}"
    save_facts(workspace.pk, contact.pk, Geocoding, [Fact("place", value, ref)], now)
    code = rng.choice([0, 2, 3, 61, 71])
    weather = {"temperature_c": round(rng.uniform(-6, 9), 1),
               "wind_kmh": round(rng.uniform(2, 30), 1), "code": code, "summary": WMO[code],
               "observed_at": f"{now:%Y-%m-%dT%H:00}", "place": contact.city}  # fmt: skip
    ref = f"https://api.open-meteo.com/v1/forecast?latitude={lat:.2f}&longitude={lon:.2f}"
    save_facts(workspace.pk, contact.pk, Weather, [Fact("current", weather, ref)], now)


def _profile(identity: Identity, rng: random.Random) -> SocialProfile:
    followers = int(10 ** rng.uniform(1.5, 5.3))
    if identity.kind == "mastodon":
        user, _, host = identity.value.partition("@")
        url = NETWORKS["mastodon"].format(host=host, user=user)
    else:
        url = NETWORKS[identity.kind].format(identity.value)
    return SocialProfile(
        network=identity.kind,
        handle=identity.value,
        followers=followers,
        following=rng.randint(50, 900),
        posts=rng.randint(20, 4_000),
        interactions_per_post=round(followers * rng.uniform(0.002, 0.05), 1),
        url=url,
    )

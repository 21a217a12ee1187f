"""Location and weather through Open-Meteo's public APIs.

Location: the contact's city (and country, when known) geocoded with the geocoding
API (``GET /search?name=…&count=1``); without a city, the country the IP places
them in, at country precision. Weather: the current conditions at that location
from the forecast API (``GET /forecast?latitude=…&longitude=…&current=…``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .base import Fact, Provider, ProviderError, RateLimit, Subject, get_json, register, setting

# WMO weather interpretation codes, as Open-Meteo documents them.
WMO = {
    0: "clear sky",
    1: "mainly clear",
    2: "partly cloudy",
    3: "overcast",
    45: "fog",
    48: "rime fog",
    51: "light drizzle",
    53: "drizzle",
    55: "dense drizzle",
    61: "light rain",
    63: "rain",
    65: "heavy rain",
    66: "freezing rain",
    67: "heavy freezing rain",
    71: "light snow",
    73: "snow",
    75: "heavy snow",
    77: "snow grains",
    80: "rain showers",
    81: "heavy rain showers",
    82: "violent rain showers",
    85: "snow showers",
    86: "heavy snow showers",
    95: "thunderstorm",
    96: "thunderstorm with hail",
    99: "thunderstorm with heavy hail",
}
# Open-Meteo's free tier allows 600 calls a minute.
OPEN_METEO_LIMIT = RateLimit(requests=600, per=timedelta(minutes=1))


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProviderError("the provider's answer lacks a number where one belongs")
    return float(value)


@register
class Geocoding(Provider):
    name = "location"
    label = "Location (Open-Meteo geocoding)"
    ttl = timedelta(days=90)
    rate_limit = OPEN_METEO_LIMIT
    rate_key = "open-meteo"

    @classmethod
    def applies(cls, subject: Subject) -> bool:
        return bool(subject.city.strip()) or isinstance(subject.facts.get("geoip.country"), dict)

    def lookup(self, subject: Subject) -> list[Fact]:
        query, precision, params = subject.city.strip(), "city", {}
        if query:
            if subject.country:
                params["countryCode"] = subject.country.upper()
        else:
            country = subject.facts.get("geoip.country")
            if not isinstance(country, dict) or not country.get("name"):
                return []
            query, precision = str(country["name"]), "country"
        url = setting("GEOCODING_URL")
        with self.client(url) as client:
            found = get_json(client, "/search", name=query[:100], count=1, format="json", **params)
        results = found.get("results") if isinstance(found, dict) else None
        if not results or not isinstance(results[0], dict):
            return []
        top = results[0]
        value = {
            "name": str(top.get("name", ""))[:120],
            "admin1": str(top.get("admin1", ""))[:120],
            "country": str(top.get("country", ""))[:80],
            "country_code": str(top.get("country_code", ""))[:2],
            "latitude": _number(top.get("latitude")),
            "longitude": _number(top.get("longitude")),
            "timezone": str(top.get("timezone", ""))[:64],
            "precision": precision,
        }
        ref = f"{url.rstrip('/')}/search?name={query[:100]}"
        return [Fact("place", value, ref)]


@register
class Weather(Provider):
    name = "weather"
    label = "Weather (Open-Meteo)"
    ttl = timedelta(hours=1)
    rate_limit = OPEN_METEO_LIMIT
    rate_key = "open-meteo"

    @classmethod
    def applies(cls, subject: Subject) -> bool:
        return isinstance(subject.facts.get("location.place"), dict)

    def lookup(self, subject: Subject) -> list[Fact]:
        place = subject.facts.get("location.place")
        if not isinstance(place, dict) or "latitude" not in place:
            return []
        url = setting("FORECAST_URL")
        lat, lon = round(place["latitude"], 2), round(place["longitude"], 2)
        with self.client(url) as client:
            found = get_json(
                client,
                "/forecast",
                latitude=lat,
                longitude=lon,
                current="temperature_2m,weather_code,wind_speed_10m",
                timezone="auto",
            )
        current = found.get("current") if isinstance(found, dict) else None
        if not isinstance(current, dict):
            raise ProviderError("the forecast has no current conditions")
        code = int(_number(current.get("weather_code")))
        value = {
            "temperature_c": _number(current.get("temperature_2m")),
            "wind_kmh": _number(current.get("wind_speed_10m", 0)),
            "code": code,
            "summary": WMO.get(code, "unknown"),
            "observed_at": str(current.get("time", ""))[:20],
            "place": place.get("name", ""),
        }
        return [
            Fact("current", value, f"{url.rstrip('/')}/forecast?latitude={lat}&longitude={lon}")
        ]

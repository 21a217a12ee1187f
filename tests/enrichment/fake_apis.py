"""A fake Gravatar and Open-Meteo on 127.0.0.1, answering with the documented
payload shapes (Gravatar REST v3 profiles; Open-Meteo geocoding search and
forecast ``current``). Tests switch failures on and read what was asked."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from rapport.enrichment.providers.gravatar import email_hash

ANN = "ann@example.com"
PROFILES = {
    email_hash(ANN): {
        "hash": email_hash(ANN),
        "display_name": "Ann Nowak",
        "profile_url": "https://gravatar.com/annnowak",
        "avatar_url": f"https://0.gravatar.com/avatar/{email_hash(ANN)}",
        "avatar_alt_text": "",
        "location": "Kraków, Poland",
        "description": "Coffee, bikes & <b>bold</b> opinions",
        "job_title": "Barista trainer",
        "company": "Kawiarnia Ania",
        "verified_accounts": [
            {
                "service_type": "mastodon",
                "service_label": "Mastodon",
                "service_icon": "https://gravatar.com/icons/mastodon.svg",
                "url": "https://mastodon.social/@ann",
                "is_hidden": False,
            },
            {
                "service_type": "x",
                "service_label": "X",
                "service_icon": "",
                "url": "https://x.com/secret",
                "is_hidden": True,
            },
        ],
        "pronunciation": "",
        "pronouns": "she/her",
    }
}
PLACES = {
    "kraków": {
        "id": 3094802,
        "name": "Kraków",
        "latitude": 50.06143,
        "longitude": 19.93658,
        "elevation": 219.0,
        "feature_code": "PPLA",
        "country_code": "PL",
        "admin1_id": 858787,
        "timezone": "Europe/Warsaw",
        "population": 755050,
        "country_id": 798544,
        "country": "Poland",
        "admin1": "Lesser Poland",
    },
    "united kingdom": {
        "id": 2635167,
        "name": "United Kingdom",
        "latitude": 54.75844,
        "longitude": -2.69531,
        "elevation": 0.0,
        "feature_code": "PCLI",
        "country_code": "GB",
        "timezone": "Europe/London",
        "country_id": 2635167,
        "country": "United Kingdom",
    },
}


@dataclass
class FakeState:
    requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = field(default_factory=list)
    # path prefix -> (status, extra headers) to answer instead of the real thing
    fail: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)
    base: str = ""

    def hits(self, prefix: str) -> list[tuple[str, dict[str, list[str]], dict[str, str]]]:
        return [r for r in self.requests if r[0].startswith(prefix)]


def _handler(state: FakeState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            return

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            state.requests.append((url.path, query, dict(self.headers)))
            for prefix, (status, headers) in state.fail.items():
                if url.path.startswith(prefix):
                    self._send(status, {"error": "simulated", "code": status}, headers)
                    return
            if url.path.startswith("/gravatar/v3/profiles/"):
                profile = PROFILES.get(url.path.rsplit("/", 1)[-1])
                if profile is None:
                    self._send(404, {"error": "Profile not found", "code": "not_found"})
                else:
                    self._send(200, profile)
            elif url.path == "/geocoding/v1/search":
                name = query.get("name", [""])[0].lower()
                place = PLACES.get(name)
                body: dict[str, Any] = {"generationtime_ms": 0.5}
                if (
                    place
                    and query.get("countryCode", [place["country_code"]])[0]
                    == (place["country_code"])
                ):
                    body["results"] = [place]
                self._send(200, body)
            elif url.path == "/forecast/v1/forecast":
                self._send(
                    200,
                    {
                        "latitude": float(query["latitude"][0]),
                        "longitude": float(query["longitude"][0]),
                        "generationtime_ms": 0.03,
                        "utc_offset_seconds": 3600,
                        "timezone": "Europe/Warsaw",
                        "timezone_abbreviation": "GMT+1",
                        "elevation": 219.0,
                        "current_units": {
                            "time": "iso8601",
                            "interval": "seconds",
                            "temperature_2m": "°C",
                            "weather_code": "wmo code",
                            "wind_speed_10m": "km/h",
                        },
                        "current": {
                            "time": "2026-12-02T04:00",
                            "interval": 900,
                            "temperature_2m": -1.4,
                            "weather_code": 71,
                            "wind_speed_10m": 9.7,
                        },
                    },
                )
            else:
                self._send(404, {"error": "no such endpoint"})

    return Handler


@contextmanager
def fake_apis() -> Iterator[FakeState]:
    state = FakeState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()

"""The fictional brand of the demo and its two competitors. Plain data: listening
topics, contacts and journeys of later releases are generated from it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Brand:
    name: str
    kind: str  # "brand" or "competitor"
    handles: tuple[str, ...]
    hashtags: tuple[str, ...]
    products: tuple[str, ...]
    home_city: str


NORDLICHT = Brand(
    name="Nordlicht Coffee",
    kind="brand",
    handles=("@nordlichtcoffee", "nordlicht.coffee"),
    hashtags=("#nordlicht", "#nordlichtcoffee"),
    products=("Polar Espresso", "Aurora Filter", "Fjord Cold Brew", "Midnight Decaf"),
    home_city="Hamburg",
)
KAFFEEWERK = Brand(
    name="Kaffeewerk",
    kind="competitor",
    handles=("@kaffeewerk",),
    hashtags=("#kaffeewerk",),
    products=("Werk Blend", "Industrial Roast"),
    home_city="Berlin",
)
BEAN_AND_BARREL = Brand(
    name="Bean & Barrel",
    kind="competitor",
    handles=("@beanandbarrel",),
    hashtags=("#beanandbarrel",),
    products=("Barrel Aged Beans", "Oak Espresso"),
    home_city="Amsterdam",
)

BRANDS: tuple[Brand, ...] = (NORDLICHT, KAFFEEWERK, BEAN_AND_BARREL)
LANGUAGES: tuple[str, ...] = ("en", "pl", "ru", "nl", "de")

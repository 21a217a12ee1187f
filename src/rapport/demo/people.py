"""Fictional people in the five demo languages, generated deterministically from a
seed: the same seed always gives the same people, so demo data and benchmarks are
reproducible."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

import phonenumbers

from .brand import LANGUAGES

FIRST = {
    "en": (
        "Olivia",
        "James",
        "Amelia",
        "Harry",
        "Isla",
        "Jack",
        "Emily",
        "George",
        "Grace",
        "Noah",
    ),
    "pl": (
        "Zofia",
        "Jakub",
        "Małgorzata",
        "Łukasz",
        "Agnieszka",
        "Paweł",
        "Katarzyna",
        "Michał",
        "Żaneta",
        "Wojciech",
    ),
    "ru": (
        "Анна",
        "Дмитрий",
        "Мария",
        "Сергей",
        "Елена",
        "Алексей",
        "Ольга",
        "Иван",
        "Татьяна",
        "Никита",
    ),
    "nl": ("Sanne", "Daan", "Femke", "Bram", "Lotte", "Sem", "Anouk", "Thijs", "Eva", "Joost"),
    "de": (
        "Lena",
        "Jürgen",
        "Anna",
        "Lukas",
        "Sophie",
        "Maximilian",
        "Jörg",
        "Grete",
        "Till",
        "Annegret",
    ),
}
LAST = {
    "en": ("Smith", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Walker"),
    "pl": (
        "Nowak",
        "Kowalska",
        "Wiśniewski",
        "Wójcik",
        "Kamińska",
        "Lewandowski",
        "Zieliński",
        "Szymańska",
    ),
    "ru": ("Иванов", "Смирнова", "Кузнецов", "Попова", "Соколов", "Лебедева", "Козлов", "Новикова"),
    "nl": ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer"),
    "de": ("Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Becker", "Schäfer", "Köhler"),
}
CITIES = {
    "en": ("London", "Manchester", "Bristol", "Leeds"),
    "pl": ("Warszawa", "Kraków", "Łódź", "Gdańsk"),
    "ru": ("Москва", "Санкт-Петербург", "Казань", "Новосибирск"),
    "nl": ("Amsterdam", "Rotterdam", "Utrecht", "Den Haag"),
    "de": ("Hamburg", "München", "Köln", "Düsseldorf"),
}
COUNTRY = {"en": "GB", "pl": "PL", "ru": "RU", "nl": "NL", "de": "DE"}
# Mobile prefixes and how many digits follow, so every generated number is valid.
PHONE_FORMAT = {
    "en": ("+44 7911 ", 6),
    "pl": ("+48 600 ", 6),
    "ru": ("+7 916 ", 7),
    "nl": ("+31 6 ", 8),
    "de": ("+49 151 ", 8),
}
MAIL_DOMAINS = ("example.com", "example.org", "example.net")
# Letters that Unicode decomposition does not fold to ASCII.
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "ø": "o", "Ø": "O", "đ": "d"})
_CYRILLIC = str.maketrans(
    dict(
        zip(
            "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
            [
                "a",
                "b",
                "v",
                "g",
                "d",
                "e",
                "e",
                "zh",
                "z",
                "i",
                "y",
                "k",
                "l",
                "m",
                "n",
                "o",
                "p",
                "r",
                "s",
                "t",
                "u",
                "f",
                "kh",
                "ts",
                "ch",
                "sh",
                "shch",
                "-",
                "y",
                "-",
                "e",
                "yu",
                "ya",
            ],
            strict=True,
        )
    )
)


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    language: str
    email: str
    phone: str
    city: str
    country: str
    handles: dict[str, str]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def ascii_slug(text: str) -> str:
    """'Małgorzata Wiśniewski' -> 'malgorzata.wisniewski'; Cyrillic is transliterated."""
    text = text.lower().translate(_CYRILLIC).replace("-", "").translate(_FOLD)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ".".join(part for part in text.replace("'", "").split() if part)


def _phone(lang: str, rng: random.Random) -> str:
    prefix, digits = PHONE_FORMAT[lang]
    while True:  # some sub-ranges of a prefix are unallocated; draw again
        number = f"{prefix}{rng.randrange(10 ** (digits - 1), 10**digits)}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number, None)):
            return number


def generate_people(n: int, seed: int = 7) -> list[Person]:
    rng = random.Random(seed)
    people = []
    for i in range(n):
        lang = LANGUAGES[i % len(LANGUAGES)]
        first, last = rng.choice(FIRST[lang]), rng.choice(LAST[lang])
        local = f"{ascii_slug(first + ' ' + last)}{i}"
        handle = local.replace(".", "_")
        # Bluesky handles are domain names: hyphens, never underscores.
        handles = {"bluesky": f"{handle.replace('_', '-')}.bsky.social"}
        if rng.random() < 0.5:
            handles["mastodon"] = f"{handle[:22]}_{i}@mastodon.social"
        if rng.random() < 0.3:
            handles["reddit"] = f"u/{handle[:12]}_{i}"  # Reddit names: at most 20
        people.append(
            Person(
                first_name=first,
                last_name=last,
                language=lang,
                email=f"{local}@{rng.choice(MAIL_DOMAINS)}",
                phone=_phone(lang, rng),
                city=rng.choice(CITIES[lang]),
                country=COUNTRY[lang],
                handles=handles,
            )
        )
    return people

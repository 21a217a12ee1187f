"""Short social posts about the demo brand and its competitors, in five languages,
positive, neutral and negative, written the way people post: emoji, slang, typos,
sarcasm. Templates with slots, so a few hundred lines give thousands of posts."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .brand import BRANDS, LANGUAGES, Brand

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "positive": (
            "honestly the {product} from {brand} is sooo good ☕😍",
            "{brand} never misses. {product} = my whole morning personality {tag}",
            "shoutout to {handle} for the fastest delivery ever, {product} arrived still warm lol",
            "ok I'm converted, {product} > everything else I've tried this year 🙌",
        ),
        "neutral": (
            "does anyone know if {brand} ships to {city}?",
            "trying {product} from {brand} tomorrow, will report back",
            "{brand} opened a pop-up in {city} apparently {tag}",
            "what grind do you use for {product}? asking for a friend",
        ),
        "negative": (
            "3rd time my {brand} order is late. great service 🙄",
            "{product} tasted like burnt cardboard today, what happened {handle}??",
            "paid 18 quid for {product} and the bag was half empty. never again",
            "@{brand_plain} support has been ignoring my emails for a week 😡",
        ),
    },
    "pl": {
        "positive": (
            "{product} od {brand} to jest sztos ☕🔥",
            "kocham {brand}, {product} ratuje mi każdy poranek {tag}",
            "dzięki {handle} za ekspresową dostawę do {city}, polecam!!",
            "no i jestem fanem, {product} najlepsza kawa jaką piłem w tym roku 😍",
        ),
        "neutral": (
            "czy {brand} wysyła do {city}? ktoś wie?",
            "jutro testuję {product} od {brand}, dam znać",
            "jakie mielenie do {product}? pytam dla znajomego",
            "{brand} ma nową promkę {tag}",
        ),
        "negative": (
            "trzeci raz zamówienie z {brand} spóźnione. brawo 🙄",
            "{product} dziś smakowała jak spalony karton, co się stało {handle}?",
            "zapłaciłam 70 zł za {product} a paczka w połowie pusta. nigdy więcej",
            "obsługa {brand} nie odpisuje od tygodnia 😡 żenada",
        ),
    },
    "ru": {
        "positive": (
            "{product} от {brand} просто огонь ☕🔥",
            "обожаю {brand}, {product} спасает каждое утро {tag}",
            "спасибо {handle} за быструю доставку в {city}, рекомендую!",
            "всё, я фанат. {product} лучший кофе в этом году 😍",
        ),
        "neutral": (
            "кто знает, {brand} доставляет в {city}?",
            "завтра пробую {product} от {brand}, расскажу",
            "какой помол нужен для {product}? спрашиваю для друга",
            "у {brand} новая акция {tag}",
        ),
        "negative": (
            "третий раз заказ от {brand} опаздывает. супер сервис 🙄",
            "{product} сегодня на вкус как горелый картон, что случилось {handle}?",
            "заплатила 1500 руб за {product}, а пачка наполовину пустая. больше никогда",
            "поддержка {brand} неделю не отвечает 😡",
        ),
    },
    "nl": {
        "positive": (
            "de {product} van {brand} is echt heerlijk ☕😍",
            "{brand} stelt nooit teleur, {product} is mijn ochtendritueel {tag}",
            "dank {handle} voor de supersnelle levering in {city}!",
            "oké ik ben fan, {product} is de beste koffie van dit jaar 🙌",
        ),
        "neutral": (
            "weet iemand of {brand} naar {city} verstuurt?",
            "morgen ga ik {product} van {brand} proberen, ik laat het weten",
            "welke maling gebruik je voor {product}?",
            "{brand} heeft een pop-up in {city} blijkbaar {tag}",
        ),
        "negative": (
            "voor de derde keer is mijn bestelling bij {brand} te laat. top service 🙄",
            "{product} smaakte vandaag naar verbrand karton, wat is er gebeurd {handle}?",
            "18 euro betaald voor {product} en de zak was half leeg. nooit meer",
            "klantenservice van {brand} reageert al een week niet 😡",
        ),
    },
    "de": {
        "positive": (
            "der {product} von {brand} ist einfach mega ☕😍",
            "{brand} enttäuscht nie, {product} rettet jeden Morgen {tag}",
            "danke {handle} für die superschnelle Lieferung nach {city}!",
            "ok ich bin Fan, {product} ist der beste Kaffee dieses Jahr 🙌",
        ),
        "neutral": (
            "weiß jemand ob {brand} nach {city} liefert?",
            "probiere morgen {product} von {brand}, sag dann bescheid",
            "welcher Mahlgrad für {product}? frage für einen Freund",
            "{brand} hat wohl einen Pop-up-Store in {city} {tag}",
        ),
        "negative": (
            "zum dritten mal kommt meine {brand} Bestellung zu spät. toller Service 🙄",
            "{product} schmeckte heute wie verbrannte Pappe, was ist los {handle}?",
            "18 Euro für {product} bezahlt und die Tüte war halb leer. nie wieder",
            "der Kundenservice von {brand} antwortet seit einer Woche nicht 😡",
        ),
    },
}

CITIES = {
    "en": ("London", "Leeds"),
    "pl": ("Kraków", "Łodzi"),
    "ru": ("Москву", "Казань"),
    "nl": ("Utrecht", "Rotterdam"),
    "de": ("München", "Köln"),
}
SENTIMENTS = ("positive", "neutral", "negative")


@dataclass(frozen=True)
class Post:
    text: str
    language: str
    sentiment: str
    brand: str
    author: str


def _fill(template: str, brand: Brand, rng: random.Random, lang: str) -> str:
    text = template.format(
        brand=brand.name,
        brand_plain=brand.name.replace(" ", "").replace("&", "and").lower(),
        product=rng.choice(brand.products),
        handle=brand.handles[0],
        tag=rng.choice(brand.hashtags),
        city=rng.choice(CITIES[lang]),
    )
    if rng.random() < 0.1:  # the odd typo, as in real posts
        i = rng.randrange(1, max(2, len(text) - 1))
        text = text[:i] + text[i + 1 :]
    return text


def generate_posts(n: int, seed: int = 11) -> list[Post]:
    rng = random.Random(seed)
    posts = []
    for i in range(n):
        lang = LANGUAGES[i % len(LANGUAGES)]
        sentiment = SENTIMENTS[(i // len(LANGUAGES)) % len(SENTIMENTS)]
        # Half the conversation is about the brand, the rest about its competitors.
        brand = BRANDS[0] if rng.random() < 0.5 else rng.choice(BRANDS[1:])
        template = rng.choice(TEMPLATES[lang][sentiment])
        posts.append(
            Post(
                text=_fill(template, brand, rng, lang),
                language=lang,
                sentiment=sentiment,
                brand=brand.name,
                author=f"user{rng.randrange(10**6)}",
            )
        )
    return posts

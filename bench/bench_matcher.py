"""Listening's matcher: a multilingual stream of short posts through decode →
normalise → dedupe → match against 10,000 topics, on one core.

Beside it, the obvious way: one compiled regular expression per topic (lookaheads
for AND and NOT), every regex tried on every post; measured on a few hundred posts
and checked to give the same answers. Also: the token-set finder instead of the
automaton, the memory of 50,000 topics (RSS delta), and how long a topic change takes
to reach ``match`` (and to be folded into the automaton) while another thread keeps
matching.

50,000 posts in en, pl, ru, nl, de (2 % redelivered with the same id, 3 % copies
with another id and link) written as JSON lines, then decoded in the timed loop.
RAPPORT_BENCH_SCALE=0.1 for a quicker run. Targets: ≥ 20,000 posts/s, < 500 MB for
50,000 topics, a change visible in < 1 s.
"""

from __future__ import annotations

import gc
import os
import random
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from rapport.listening.query import (
    And,
    Field,
    Handle,
    Hashtag,
    Matcher,
    Not,
    Or,
    Phrase,
    PostText,
    PostTokens,
    Prefix,
    Query,
    Word,
    analyse,
    parse,
)
from rapport.listening.query.text import WORD

SCALE = float(os.environ.get("RAPPORT_BENCH_SCALE", "1"))
POSTS = max(5_000, int(50_000 * SCALE))
TOPICS = max(1_000, int(10_000 * SCALE))
BIG_TOPICS = max(5_000, int(50_000 * SCALE))
REGEX_POSTS = 200
CHANGES = 10
TARGET_POSTS_PER_S = 20_000
TARGET_MB = 500
TARGET_CHANGE_S = 1.0

_VOCAB_TEXT = {
    "en": "the new phone is really good but price too high today love hate my car "
    "service support delivery late broken order refund great battery screen camera "
    "quality store bought again never ever awesome terrible review shop customer",
    "pl": "nowy telefon jest naprawdę dobry ale cena za wysoka dzisiaj kocham samochód "
    "obsługa dostawa spóźniona zepsuty zamówienie zwrot świetna bateria ekran aparat "
    "jakość sklep kupiłem znowu nigdy okropny opinia klient łódź kraków żółty",
    "ru": "новый телефон очень хороший но цена слишком высокая сегодня люблю машина "
    "сервис поддержка доставка опоздала сломан заказ возврат отличная батарея экран "
    "камера качество магазин купил снова никогда ужасный отзыв клиент ёлка",
    "nl": "de nieuwe telefoon is echt goed maar prijs te hoog vandaag hou van auto "
    "service klantenservice levering laat kapot bestelling terugbetaling geweldig "
    "accu scherm camera kwaliteit winkel gekocht nooit slecht recensie één",
    "de": "das neue Handy ist wirklich gut aber Preis zu hoch heute liebe Auto Service "
    "Kundendienst Lieferung spät kaputt Bestellung Rückerstattung großartig Akku "
    "Bildschirm Kamera Qualität Laden gekauft wieder nie schrecklich Straße Bewertung",
}
VOCAB = {lang: text.split() for lang, text in _VOCAB_TEXT.items()}
LANGS = list(VOCAB)
SOURCES = ["bluesky", "mastodon", "reddit", "rss"]
MODELS = ["pro", "max", "mini", "x1", "ultra", "lite", "s", "plus"]
SYLLABLES = [a + b for a in "kmrstvzln" for b in "aeiou"]


def _brands(rng: random.Random, n: int) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        names.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(names)


def _post(rng: random.Random, brands: list[str], i: int) -> dict[str, str]:
    lang = rng.choice(LANGS)
    words = rng.choices(VOCAB[lang], k=rng.randint(6, 20))
    if rng.random() < 0.6:
        brand = rng.choice(brands)
        words.insert(rng.randrange(len(words) + 1), brand.capitalize())
        if rng.random() < 0.3:
            words.insert(words.index(brand.capitalize()) + 1, rng.choice(MODELS))
    if rng.random() < 0.2:
        words.append("#" + rng.choice(brands if rng.random() < 0.5 else VOCAB[lang]))
    if rng.random() < 0.15:
        words.insert(0, "@" + (rng.choice(brands) if rng.random() < 0.5 else "someone"))
    if rng.random() < 0.1:
        words.append(f"https://example.com/p/{rng.randrange(10**6)}")
    text = " ".join(words).capitalize() + rng.choice([".", "!", "?", " :)", ""])
    return {
        "id": f"p{i}",
        "text": text,
        "lang": lang,
        "source": rng.choice(SOURCES),
        "author": f"user{rng.randrange(5_000)}",
    }


def write_stream(path: Path, n: int, brands: list[str], seed: int = 11) -> int:
    rng = random.Random(seed)
    made: list[dict[str, str]] = []
    with path.open("wb") as out:
        for i in range(n):
            roll = rng.random()
            if made and roll < 0.02:  # redelivered: same id
                post = dict(rng.choice(made))
            elif made and roll < 0.05:  # a copy: new id, another link, other case
                post = dict(rng.choice(made), id=f"p{i}")
                post["text"] = post["text"].upper() + f" https://t.co/{rng.randrange(10**6)}"
            else:
                post = _post(rng, brands, i)
                made.append(post)
            out.write(orjson.dumps(post) + b"\n")
    return path.stat().st_size


def _term(rng: random.Random, brands: list[str]) -> str:
    lang = rng.choice(LANGS)
    roll = rng.random()
    if roll < 0.6:
        return rng.choice(VOCAB[lang])
    if roll < 0.75:
        return f'"{rng.choice(VOCAB[lang])} {rng.choice(VOCAB[lang])}"'
    if roll < 0.9:
        return rng.choice(brands)
    return f"lang:{lang}"


def make_topic(rng: random.Random, brands: list[str]) -> str:
    """1-5 terms in 1-3 clauses: a brand clause, then context and exclusions."""
    brand = rng.choice(brands)
    roll = rng.random()
    if roll < 0.6:
        anchor = brand
    elif roll < 0.75:
        anchor = f'"{brand} {rng.choice(MODELS)}"'
    elif roll < 0.85:
        anchor = f"{brand[: max(3, len(brand) - 2)]}*"
    elif roll < 0.95:
        anchor = f"#{brand}"
    else:
        anchor = f"@{brand}"
    clauses = [anchor if rng.random() < 0.7 else f"({anchor} OR {rng.choice(brands)})"]
    terms = clauses[0].count(" OR ") + 1
    for _ in range(rng.randint(0, 2)):
        if terms >= 5:
            break
        if rng.random() < 0.35:
            clauses.append(f"NOT {_term(rng, brands)}")
            terms += 1
        elif terms <= 3 and rng.random() < 0.5:
            clauses.append(f"({_term(rng, brands)} OR {_term(rng, brands)})")
            terms += 2
        else:
            clauses.append(_term(rng, brands))
            terms += 1
    return " AND ".join(clauses)


# The obvious alternative: one regular expression per topic over the post's tokens
# written out as " w1 w2 … " + hashtags + handles + fields, with lookaheads.


def _pattern(query: Query) -> str:
    if isinstance(query, Not):
        return f"(?!{_pattern(query.operand)})"
    if isinstance(query, And):
        return "".join(_pattern(o) for o in query.operands)
    if isinstance(query, Or):
        return "(?:" + "|".join(_pattern(o) for o in query.operands) + ")"
    if isinstance(query, Word | Prefix | Phrase):
        words = query.words if isinstance(query, Phrase) else (query.text,)
        found = [w for part in words for w in WORD.findall(analyse(PostText(part)).text)]
        prefix = isinstance(query, Prefix) or (isinstance(query, Phrase) and query.prefix)
        literal = " " + " ".join(found) + ("" if prefix else " ")
    elif isinstance(query, Hashtag):
        literal = f" #{analyse(PostText(query.tag)).text} "
    elif isinstance(query, Handle):
        literal = f" @{analyse(PostText(query.handle)).text} "
    else:
        assert isinstance(query, Field)
        literal = f" {query.name}={query.value} "
    return f"(?=.*?{re.escape(literal)})"


def regex_per_topic(queries: dict[int, str]) -> list[tuple[int, re.Pattern[str]]]:
    return [(t, re.compile(r"\A" + _pattern(parse(q)), re.DOTALL)) for t, q in queries.items()]


def regex_match(regexes: list[tuple[int, re.Pattern[str]]], tokens: PostTokens) -> set[int]:
    words, tags, names = tokens.tokens(0)
    fields = " ".join(f"{k}={v}" for k, v in tokens.fields)
    flat = f" {' '.join(words)} \t #{' #'.join(tags)} \t @{' @'.join(names)} \t {fields} "
    return {t for t, rx in regexes if rx.match(flat)}


# Dedupe: by id, then by a near-duplicate key of the folded text (the 4 smallest
# hashes of its word 3-shingles, a bottom-k MinHash sketch; links, handles and numbers
# left out), both bounded. Python's str hash is per process, which is all an
# in-process dedupe needs.

_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w[\w.\-]*")


def near_key(tokens: PostTokens) -> tuple[int, ...] | None:
    folded = tokens.text
    if "http" in folded or "www." in folded or "@" in folded:
        found = WORD.findall(_NOISE.sub(" ", folded))
    else:
        found = tokens.words()  # already cut: nothing to leave out but numbers
    core = [w for w in found if not w.isdigit()]
    if len(core) < 3:
        return None
    return tuple(sorted({hash(s) for s in zip(core, core[1:], core[2:], strict=False)})[:4])


class Dedupe:
    def __init__(self, capacity: int = 200_000) -> None:
        self.capacity = capacity
        self.ids: dict[str, None] = {}
        self.texts: dict[tuple[int, ...], None] = {}

    def _remember(self, seen: dict[Any, None], key: object) -> None:
        seen[key] = None
        if len(seen) > self.capacity:
            del seen[next(iter(seen))]

    def duplicate(self, post_id: str, tokens: PostTokens) -> bool:
        if post_id in self.ids:
            return True
        self._remember(self.ids, post_id)
        key = near_key(tokens)
        if key is None:
            return False
        if key in self.texts:
            return True
        self._remember(self.texts, key)
        return False


def pipeline(path: Path, matcher: Matcher) -> dict[str, Any]:
    """decode → normalise → dedupe → match, one post at a time, on this thread."""
    dedupe = Dedupe()
    posts = duplicates = matched = 0
    gc.collect()
    start, cpu = time.perf_counter(), time.thread_time()
    with path.open("rb") as lines:
        for line in lines:
            row = orjson.loads(line)
            posts += 1
            tokens = PostTokens(PostText(row["text"], row["lang"], row["source"], row["author"]))
            if dedupe.duplicate(row["id"], tokens):
                duplicates += 1
                continue
            if matcher.match(tokens):
                matched += 1
    elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu
    return {
        "posts": posts,
        "duplicates": duplicates,
        "matched_posts": matched,
        "seconds": round(elapsed, 3),
        "posts_per_s": round(posts / elapsed),
        # The machine is shared: CPU time of this thread is the one-core figure.
        "cpu_posts_per_s": round(posts / cpu),
        "cpu_us_per_post": round(cpu / posts * 1e6, 2),
    }


def stages(path: Path, matcher: Matcher) -> dict[str, float]:
    """CPU µs per post of each stage, each over the whole stream."""
    raw = path.read_bytes().splitlines()
    rows = [orjson.loads(line) for line in raw]

    def timed(fn: Any) -> float:
        gc.collect()
        start = time.thread_time()
        fn()
        return (time.thread_time() - start) / len(raw) * 1e6

    decode = timed(lambda: [orjson.loads(line) for line in raw])
    posts = [PostText(r["text"], r["lang"], r["source"], r["author"]) for r in rows]
    normalise = timed(lambda: [PostTokens(p) for p in posts])
    tokens = [PostTokens(p) for p in posts]
    dedupe = Dedupe()
    dedup = timed(lambda: [dedupe.duplicate(r["id"], t) for r, t in zip(rows, tokens, strict=True)])
    match = timed(lambda: [matcher.match(t) for t in tokens])
    return {
        "decode_us": round(decode, 2),
        "normalise_us": round(normalise, 2),
        "dedupe_us": round(dedup, 2),
        "match_us": round(match, 2),
    }


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def change_latency(matcher: Matcher, path: Path) -> dict[str, Any]:
    """Topic changes while another thread matches the stream without pause."""
    sample = [
        PostText(r["text"], r["lang"], r["source"], r["author"])
        for r in map(orjson.loads, path.read_bytes().splitlines()[:5_000])
    ]
    stop = threading.Event()
    done = [0]

    def ingest() -> None:
        while not stop.is_set():
            for post in sample:
                matcher.match(post)
                done[0] += 1
                if stop.is_set():
                    return

    reader = threading.Thread(target=ingest)
    reader.start()
    time.sleep(0.5)
    before, t0 = done[0], time.perf_counter()
    time.sleep(1.0)
    idle_rate = (done[0] - before) / (time.perf_counter() - t0)
    visible: list[float] = []
    compiled: list[float] = []
    build_cpu: list[float] = []
    before, t0 = done[0], time.perf_counter()
    for i in range(CHANGES):
        word = f"zzchange{i}"
        probe = PostText(f"talking about {word} today")
        start = time.perf_counter()
        matcher.set_topic(10_000_000 + i, f'{word} OR "{word} phone"')
        while 10_000_000 + i not in matcher.match(probe):
            pass
        visible.append(time.perf_counter() - start)
        matcher.sync()
        compiled.append(time.perf_counter() - start)
        build_cpu.append(matcher.stats()["last_build_cpu_s"])
    busy_rate = (done[0] - before) / (time.perf_counter() - t0)
    stop.set()
    reader.join()
    for i in range(CHANGES):
        matcher.remove_topic(10_000_000 + i)
    return {
        "visible_max_ms": round(max(visible) * 1000, 3),
        "in_automaton_p50_s": round(sorted(compiled)[len(compiled) // 2], 3),
        "in_automaton_max_s": round(max(compiled), 3),
        "build_cpu_p50_s": round(sorted(build_cpu)[len(build_cpu) // 2], 3),
        "ingest_posts_per_s_before": round(idle_rate),
        "ingest_posts_per_s_during_changes": round(busy_rate),
        # Taking effect is the visible time; the build only moves the topic to the
        # faster path, on a shared machine competing with the ingest thread for the GIL.
        "meets_target": max(visible) < TARGET_CHANGE_S,
        "target_s": TARGET_CHANGE_S,
    }


def run() -> Iterator[dict[str, Any]]:
    rng = random.Random(5)
    brands = _brands(rng, 20_000)
    queries = {i: make_topic(rng, brands) for i in range(TOPICS)}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "posts.jsonl"
        size = write_stream(path, POSTS, brands)
        for finder in ("automaton", "tokens"):
            matcher = Matcher(finder=finder)
            start = time.perf_counter()
            matcher.load((t, q, False) for t, q in queries.items())
            built = time.perf_counter() - start
            result = pipeline(path, matcher)
            yield {
                "case": f"decode, normalise, dedupe, match; {TOPICS:,} topics, {finder}",
                "stream_mb": round(size / 2**20, 1),
                "load_s": round(built, 3),
                **result,
                **stages(path, matcher),
                "meets_target": result["cpu_posts_per_s"] >= TARGET_POSTS_PER_S,
                "target_posts_per_s": TARGET_POSTS_PER_S,
            }
            matcher.close()
        matcher = Matcher()
        matcher.load((t, q, False) for t, q in queries.items())
        start = time.perf_counter()
        regexes = regex_per_topic(queries)
        compiled_s = time.perf_counter() - start
        rows = [orjson.loads(line) for line in path.read_bytes().splitlines()[:REGEX_POSTS]]
        tokens = [
            PostTokens(PostText(r["text"], r["lang"], r["source"], r["author"])) for r in rows
        ]
        start = time.thread_time()
        by_regex = [regex_match(regexes, t) for t in tokens]
        elapsed = time.thread_time() - start
        agree = by_regex == [matcher.match(t) for t in tokens]
        yield {
            "case": f"one regular expression per topic; {TOPICS:,} topics",
            "posts": len(tokens),
            "compile_s": round(compiled_s, 3),
            "cpu_posts_per_s": round(len(tokens) / elapsed, 1),
            "cpu_us_per_post": round(elapsed / len(tokens) * 1e6),
            "same_answers_as_matcher": agree,
            "posts_matched": sum(1 for r in by_regex if r),
        }
        matcher.close()
        del regexes, matcher
        big = {i: make_topic(rng, brands) for i in range(BIG_TOPICS)}
        gc.collect()
        base = rss_mb()
        matcher = Matcher()
        start = time.perf_counter()
        matcher.load((t, q, False) for t, q in big.items())
        built = time.perf_counter() - start
        gc.collect()
        grown = rss_mb() - base
        result = pipeline(path, matcher)
        yield {
            "case": f"{BIG_TOPICS:,} topics: memory and throughput",
            "rss_delta_mb": round(grown, 1),
            "load_s": round(built, 3),
            "posts_per_s": result["posts_per_s"],
            "cpu_posts_per_s": result["cpu_posts_per_s"],
            "meets_target": grown < TARGET_MB,
            "target_mb": TARGET_MB,
        }
        yield {
            "case": f"topic change while matching; {BIG_TOPICS:,} topics",
            **change_latency(matcher, path),
        }
        matcher.close()

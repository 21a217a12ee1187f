"""Training and evaluation data: the labelled posts in the repo and the public UMSAB splits.

UMSAB (the Unified Multilingual Sentiment Analysis Benchmark of XLM-T, cardiffnlp,
Apache-2.0) is read from where the machine keeps it, never copied into the repo:
``$RAPPORT_UMSAB_DIR`` or ``../shared/data/sentiment/umsab`` beside the checkout.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LABELLED = Path(__file__).with_name("data") / "labelled.jsonl"
DEFAULT_UMSAB = Path(__file__).resolve().parents[4] / "shared" / "data" / "sentiment" / "umsab"
UMSAB_LANGUAGES = {
    "english": "en",
    "german": "de",
    "french": "fr",
    "spanish": "es",
    "italian": "it",
    "portuguese": "pt",
    "arabic": "ar",
    "hindi": "hi",
}
UMSAB_LABELS = ("negative", "neutral", "positive")  # the files' 0, 1, 2
# The tweets were exported with JSON-style escapes ("i\u2019m", "a\u002c b") left in the text.
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


@dataclass(frozen=True)
class Post:
    text: str
    lang: str
    sentiment: str
    intent: str | None = None
    split: str = "train"
    source: str = "labelled"


def labelled(path: Path = LABELLED) -> list[Post]:
    posts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            posts.append(
                Post(row["text"], row["lang"], row["sentiment"], row["intent"], row["split"])
            )
    return posts


def umsab_dir(override: Path | None = None) -> Path:
    if override is not None:
        return override
    return Path(os.environ.get("RAPPORT_UMSAB_DIR", DEFAULT_UMSAB))


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text).strip()


def umsab(split: str, root: Path | None = None) -> Iterator[Post]:
    """The ``train`` or ``val`` posts of every UMSAB language found under ``root``."""
    base = umsab_dir(root)
    for folder, lang in UMSAB_LANGUAGES.items():
        texts = base / folder / f"{split}_text.txt"
        labels = base / folder / f"{split}_labels.txt"
        if not texts.exists():
            continue
        text_lines = texts.read_text(encoding="utf-8").splitlines()
        label_lines = labels.read_text(encoding="utf-8").splitlines()
        if len(text_lines) != len(label_lines):
            raise ValueError(f"{texts}: {len(text_lines)} posts but {len(label_lines)} labels")
        for text, label in zip(text_lines, label_lines, strict=True):
            yield Post(_unescape(text), lang, UMSAB_LABELS[int(label)], None, split, "umsab")


def has_umsab(root: Path | None = None) -> bool:
    return (umsab_dir(root) / "english" / "train_text.txt").exists()

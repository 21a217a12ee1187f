"""Cheap features of a post: hashed character/word n-grams and a few counted signals.

Both are stateless functions of the text (the hashing needs no vocabulary), so the
committed model only has to carry coefficients, and a post costs no model look-up
before it is scored. The signal order is part of the model format: append, never reorder.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import HashingVectorizer

from rapport.nlp import lexicon

URL = re.compile(r"https?://\S+|www\.\S+")
MENTION = re.compile(r"@\w+")
HASHTAG = re.compile(r"#(\w+)")
ELONGATED = re.compile(r"(\w)\1{2,}")
TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
CURRENCY = re.compile(r"[$€£¥₽]|\b(?:zł|pln|eur|usd|руб)\b", re.IGNORECASE)

SIGNALS = (
    "positive_words",
    "negative_words",
    "positive_emoji",
    "negative_emoji",
    "exclamations",
    "question_marks",
    "ends_with_question",
    "opens_with_question_word",
    "purchase_cues",
    "lead_cues",
    "complaint_cues",
    "negators",
    "shouting",
    "mentions",
    "urls",
    "hashtags",
    "length",
    "elongations",
    "digits",
    "money",
)
NEGATION_SPAN = 3

# The hashing is murmurhash3 inside scikit-learn (pinned), so the bucket of an n-gram is the
# same in every process and on every machine; the model records the settings it was trained
# with and the loader checks them.
NGRAM_FEATURES = 2**16


def normalise(text: str) -> str:
    """The text the models see: links and handles made generic, long letter runs shortened."""
    text = URL.sub("http", text)
    text = MENTION.sub("@user", text)
    return ELONGATED.sub(r"\1\1\1", text).strip()


@functools.cache
def _char_vectorizer(n_features: int) -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        n_features=n_features,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )


@functools.cache
def _word_vectorizer(n_features: int) -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        token_pattern=r"(?u)[\w@#']+|[^\w\s]",  # noqa: S106 (a regex, not a secret)
        n_features=n_features,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )


def ngrams(texts: Sequence[str], n_features: int = NGRAM_FEATURES) -> sp.csr_matrix:
    """Char 2-5-grams within words plus word uni/bigrams, log-scaled, rows of unit length.

    Words and characters share one hashed space: a collision costs less than doubling the
    coefficients the model has to ship.
    """
    matrix = _char_vectorizer(n_features).transform(texts) + _word_vectorizer(n_features).transform(
        texts
    )
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    np.log1p(matrix.data, out=matrix.data)
    # Rows scaled on the CSR arrays themselves: scipy's multiply / sum / diags round trip
    # costs a millisecond a call, which the listener pays on every small batch.
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    norms = np.sqrt(np.bincount(rows, weights=matrix.data * matrix.data, minlength=matrix.shape[0]))
    norms[norms == 0] = 1.0
    matrix.data /= norms[rows].astype(np.float32)
    return matrix


def _polarity(tokens: list[str]) -> tuple[int, int, int]:
    """Positive and negative lexicon hits, a hit just after a negator counting the other way."""
    positive = negative = negators = 0
    flip_until = -1
    for i, token in enumerate(tokens):
        if token in lexicon.NEGATOR_WORDS:
            negators += 1
            flip_until = i + NEGATION_SPAN
            continue
        is_positive = lexicon.matches(token, lexicon.POSITIVE_STEMS)
        is_negative = lexicon.matches(token, lexicon.NEGATIVE_STEMS)
        if i <= flip_until:
            is_positive, is_negative = is_negative, is_positive
        positive += is_positive
        negative += is_negative
    return positive, negative, negators


def _count(tokens: list[str], stems: frozenset[str]) -> int:
    return sum(lexicon.matches(t, stems) for t in tokens)


def _opens_with_question(tokens: list[str]) -> bool:
    return bool(tokens) and tokens[0] in lexicon.QUESTION_WORDS


def signals_of(text: str) -> list[float]:
    # Links go first: "http://" holds the emoticon ":/".
    text = URL.sub(" http ", text)
    raw_tokens = TOKEN.findall(MENTION.sub(" ", text))
    tokens = [t.lower() for t in raw_tokens]
    positive, negative, negators = _polarity(tokens)
    emoji_positive = sum(ch in lexicon.EMOJI_POSITIVE for ch in text)
    emoji_negative = sum(ch in lexicon.EMOJI_NEGATIVE for ch in text)
    emoji_positive += sum(text.count(e) for e in lexicon.EMOTICONS_POSITIVE)
    emoji_negative += sum(text.count(e) for e in lexicon.EMOTICONS_NEGATIVE)
    stripped = text.rstrip(" .!)🙃🤔😅")
    shouting = sum(len(t) > 2 and t.isupper() for t in raw_tokens)
    counts = (
        positive,
        negative,
        emoji_positive,
        emoji_negative,
        text.count("!"),
        text.count("?"),
        stripped.endswith("?"),
        _opens_with_question(tokens),
        _count(tokens, lexicon.PURCHASE_STEMS),
        _count(tokens, lexicon.LEAD_STEMS),
        _count(tokens, lexicon.COMPLAINT_STEMS),
        negators,
        shouting,
        len(MENTION.findall(text)),
        text.count(" http "),
        len(HASHTAG.findall(text)),
        len(tokens),
        len(ELONGATED.findall(text)),
        any(ch.isdigit() for ch in text),
        len(CURRENCY.findall(text)),
    )
    # log1p: a post with nine exclamation marks is not nine times as excited as one with one.
    return [math.log1p(float(c)) for c in counts]


def signals(texts: Sequence[str]) -> np.ndarray:
    out = np.zeros((len(texts), len(SIGNALS)), dtype=np.float32)
    for i, text in enumerate(texts):
        out[i] = signals_of(text)
    return out

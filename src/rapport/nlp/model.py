"""The weights file: a NumPy ``.npz`` of plain float arrays and one JSON header, nothing else.

A workspace's retrained model is stored and loaded like the committed one, so the loader
treats every file as untrusted: no pickles (``allow_pickle=False``), only the members it
knows, a cap on the unpacked size before anything is read, and every array checked for
dtype, shape and finite values. Anything else is a ``ModelError`` that says what is wrong.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np

FORMAT = "rapport-nlp/1"
MAX_UNPACKED = 32 * 1024 * 1024
HEADS = ("sentiment", "intent", "fast_sentiment", "fast_intent")
# Which feature blocks a head reads; the fast heads skip the embedding, which is the cost.
BLOCKS = {
    "sentiment": ("embed", "ngram", "signal"),
    "intent": ("embed", "ngram", "signal"),
    "fast_sentiment": ("ngram", "signal"),
    "fast_intent": ("ngram", "signal"),
}


class ModelError(ValueError):
    """A weights file that is damaged, foreign or not what this code can run."""


@dataclass
class Head:
    """A linear softmax classifier over the feature blocks it reads."""

    labels: list[str]
    bias: np.ndarray
    weights: dict[str, np.ndarray] = field(default_factory=dict)

    # Each block's weights transposed into their own contiguous array, made on first use:
    # a sparse matrix times the transposed view copies the whole weight matrix (megabytes
    # for the n-gram block) on every call, 3.5 ms whether one post or fifty.
    _columns: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    def logits(self, blocks: dict[str, Any]) -> np.ndarray:
        out = np.tile(self.bias, (_rows(blocks), 1)).astype(np.float32)
        for name, weight in self.weights.items():
            columns = self._columns.get(name)
            if columns is None or columns.shape[::-1] != weight.shape:
                columns = self._columns[name] = np.ascontiguousarray(weight.T)
            out += np.asarray(blocks[name] @ columns, dtype=np.float32)
        return out

    def probabilities(self, blocks: dict[str, Any]) -> np.ndarray:
        z = self.logits(blocks)
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z


def _rows(blocks: dict[str, Any]) -> int:
    return int(next(iter(blocks.values())).shape[0])


@dataclass
class Weights:
    """Everything a classifier needs: heads, the signal scaling and the feature settings."""

    heads: dict[str, Head]
    signal_mean: np.ndarray
    signal_scale: np.ndarray
    scales: dict[str, float]
    ngram_features: int
    signals: list[str]
    info: dict[str, Any] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        header = {
            "format": FORMAT,
            "scales": self.scales,
            "ngram_features": self.ngram_features,
            "signals": self.signals,
            "labels": {name: head.labels for name, head in self.heads.items()},
            "info": self.info,
        }
        arrays: dict[str, np.ndarray] = {
            "header": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
            "signal_mean": self.signal_mean.astype(np.float32),
            "signal_scale": self.signal_scale.astype(np.float32),
        }
        for name, head in self.heads.items():
            arrays[f"{name}.bias"] = head.bias.astype(np.float32)
            for block, weight in head.weights.items():
                # The n-gram block is most of the file and does not need float32 precision.
                dtype = np.float16 if block == "ngram" else np.float32
                arrays[f"{name}.{block}"] = weight.astype(dtype)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
        return buffer.getvalue()


def _expected_members() -> set[str]:
    names = {"header.npy", "signal_mean.npy", "signal_scale.npy"}
    for head, blocks in BLOCKS.items():
        names.add(f"{head}.bias.npy")
        names.update(f"{head}.{block}.npy" for block in blocks)
    return names


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ModelError(f"not a Rapport NLP weights file (not an .npz archive: {exc})") from exc
    names = {m.filename for m in members}
    unknown = names - _expected_members()
    if unknown:
        raise ModelError(f"unexpected members in weights file: {sorted(unknown)}")
    missing = _expected_members() - names
    if missing:
        raise ModelError(f"weights file lacks {sorted(missing)}")
    if sum(m.file_size for m in members) > MAX_UNPACKED:
        raise ModelError("weights file unpacks to more than 32 MB; refusing it")


def _array(archive: Any, key: str, ndim: int) -> np.ndarray:
    try:
        value = archive[key]
    except ValueError as exc:  # an object array: NumPy refuses to unpickle it
        raise ModelError(f"{key}: {exc}") from exc
    if not isinstance(value, np.ndarray) or value.ndim != ndim:
        raise ModelError(f"{key}: expected a {ndim}-d array")
    if value.dtype.kind != "f" or not np.isfinite(value).all():
        raise ModelError(f"{key}: expected finite floats, got {value.dtype}")
    return np.asarray(value, dtype=np.float32)


def _header(archive: Any) -> dict[str, Any]:
    raw = archive["header"]
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise ModelError("header: expected JSON bytes")
    try:
        header = json.loads(raw.tobytes().decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"header is not JSON: {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelError(f"not a {FORMAT} weights file")
    return header


def load_bytes(data: bytes, *, embed_dim: int = 384) -> Weights:
    """Parse and validate a weights file; raise ``ModelError`` on anything unexpected."""
    _check_archive(data)
    try:
        archive = np.load(io.BytesIO(data), allow_pickle=False)
        header = _header(archive)
        signals = [str(s) for s in header["signals"]]
        n_features = int(header["ngram_features"])
        scales = {str(k): float(v) for k, v in header["scales"].items()}
        widths = {"embed": embed_dim, "ngram": n_features, "signal": len(signals)}
        heads = {}
        for name, blocks in BLOCKS.items():
            labels = [str(label) for label in header["labels"][name]]
            bias = _array(archive, f"{name}.bias", 1)
            if len(labels) < 2 or bias.shape != (len(labels),):
                raise ModelError(f"{name}: labels and bias disagree")
            weights = {}
            for block in blocks:
                weight = _array(archive, f"{name}.{block}", 2)
                if weight.shape != (len(labels), widths[block]):
                    raise ModelError(f"{name}.{block}: shape {weight.shape} is not what it reads")
                weights[block] = weight
            heads[name] = Head(labels, bias, weights)
        mean = _array(archive, "signal_mean", 1)
        scale = _array(archive, "signal_scale", 1)
        if mean.shape != (len(signals),) or scale.shape != mean.shape or (scale <= 0).any():
            raise ModelError("signal scaling does not match the signals")
    except ModelError:
        raise
    except (KeyError, TypeError, ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelError(f"damaged weights file: {exc!r}") from exc
    return Weights(
        heads=heads,
        signal_mean=mean,
        signal_scale=scale,
        scales=scales,
        ngram_features=n_features,
        signals=signals,
        info=dict(header.get("info", {})),
    )

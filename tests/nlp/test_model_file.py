"""The weights loader refuses anything that is not a well-formed model, saying why."""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from collections.abc import Callable

import numpy as np
import pytest

from rapport.nlp.classify import Classifier
from rapport.nlp.model import ModelError


def _arrays(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def _pack(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def _replace(name: str, value: np.ndarray) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        return _pack({**_arrays(data), name: value})

    return change


def _nan_weights(data: bytes) -> bytes:
    arrays = _arrays(data)
    weights = arrays["sentiment.embed"].copy()
    weights[0, 0] = np.nan
    return _pack({**arrays, "sentiment.embed": weights})


def _wrong_shape(data: bytes) -> bytes:
    arrays = _arrays(data)
    return _pack({**arrays, "intent.signal": arrays["intent.signal"][:, :3]})


def _foreign_header(data: bytes) -> bytes:
    header = json.dumps({"format": "something-else/9"}).encode()
    return _pack({**_arrays(data), "header": np.frombuffer(header, dtype=np.uint8)})


def _swap_member(data: bytes, name: str, payload: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            if member.filename != name:
                target.writestr(member, source.read(member))
        target.writestr(name, payload)
    return out.getvalue()


def _pickled_member(data: bytes) -> bytes:
    """A member holding a pickled object array: loading it would run code."""
    payload = io.BytesIO()
    np.save(payload, np.array([object()], dtype=object), allow_pickle=True)
    return _swap_member(data, "signal_mean.npy", payload.getvalue())


def _extra_member(data: bytes) -> bytes:
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("payload.pkl", pickle.dumps({"x": 1}))
    return buffer.getvalue()


def _zip_bomb(data: bytes) -> bytes:
    """A member that is a few kilobytes packed and 33 MB unpacked."""
    return _swap_member(data, "fast_intent.ngram.npy", bytes(33 * 1024 * 1024))


CORRUPTIONS: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "random bytes": (lambda _: b"\x00garbage" * 100, "not an .npz"),
    "truncated": (lambda data: data[: len(data) // 2], "not an .npz"),
    "a pickle": (lambda _: pickle.dumps({"weights": [1, 2, 3]}), "not an .npz"),
    "pickled object array": (_pickled_member, "signal_mean"),
    "unknown member": (_extra_member, "unexpected members"),
    "missing member": (
        lambda data: _pack({k: v for k, v in _arrays(data).items() if k != "intent.bias"}),
        "lacks",
    ),
    "NaN weights": (_nan_weights, "finite"),
    "wrong shape": (_wrong_shape, "shape"),
    "integer weights": (_replace("sentiment.bias", np.array([1, 2, 3])), "floats"),
    "foreign header": (_foreign_header, "rapport-nlp/1"),
    "huge when unpacked": (_zip_bomb, "32 MB"),
}


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_a_damaged_or_hostile_file_is_refused(model_bytes: bytes, case: str) -> None:
    corrupt, message = CORRUPTIONS[case]
    with pytest.raises(ModelError, match=message):
        Classifier.from_bytes(corrupt(model_bytes))


def test_the_committed_file_round_trips(model_bytes: bytes, classifier: Classifier) -> None:
    again = Classifier.from_bytes(classifier.weights.to_bytes())
    assert again.weights.heads["intent"].labels == classifier.weights.heads["intent"].labels
    np.testing.assert_allclose(
        again.weights.heads["sentiment"].weights["embed"],
        classifier.weights.heads["sentiment"].weights["embed"],
    )
    assert len(model_bytes) < 2_500_000


def test_a_missing_file_is_a_model_error(tmp_path: object) -> None:
    from pathlib import Path

    with pytest.raises(ModelError, match="cannot read"):
        Classifier.load(Path(str(tmp_path)) / "nope.npz")

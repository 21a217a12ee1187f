"""The batch's memory of product lines reads exactly what ``spec.line`` reads, and
reads equal properties once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from rapport.commerce import spec

# Values that are equal in Python but read differently, one after the other.
LOOKALIKES: list[Any] = [1, 1.0, True, Decimal("1.0"), Decimal("1.00"), 0.0, -0.0, 0, False,
                         "1", float("nan"), None]  # fmt: skip


@pytest.mark.parametrize("field", ["product_id", "price", "quantity", "name"])
def test_values_equal_in_python_but_read_differently_are_not_confused(field: str) -> None:
    reader = spec.LineReader()
    for value in LOOKALIKES * 2:
        props = {"product_id": "p-1", "price": 12.5, "currency": "EUR", field: value}
        assert reader.line(props) == spec.line(props)
        assert repr(reader.line(props)) == repr(spec.line(props))


def test_equal_properties_are_read_once_and_the_default_currency_counts() -> None:
    reader = spec.LineReader()
    first = reader.line({"product_id": "p-1", "price": 12.5, "currency": "EUR"})
    assert reader.line({"product_id": "p-1", "price": 12.5, "currency": "EUR"}) is first
    assert reader.line({"product_id": "p-1", "price": 12.5}, "USD") != reader.line(
        {"product_id": "p-1", "price": 12.5}, "EUR"
    )
    assert reader.line({"currency": "EUR"}) is None


def test_lines_read_through_the_reader_match() -> None:
    props = {"currency": "EUR", "products": [{"product_id": "a", "price": "2,5"}, {"sku": 7}, 3]}
    reader = spec.LineReader()
    assert spec.lines(props, reader.line) == spec.lines(props)

"""Shared API schemas. Inputs forbid unknown fields so typos fail loudly."""

from __future__ import annotations

from typing import Generic, TypeVar

from ninja import Schema
from pydantic import ConfigDict

T = TypeVar("T")


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Schema):
    field: str | None = None
    message: str
    type: str | None = None


class ErrorBody(Schema):
    code: str
    message: str
    details: list[ErrorDetail] | None = None


class ErrorOut(Schema):
    error: ErrorBody


class CursorPage(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None


ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}

"""Shared API schemas. Inputs forbid unknown fields so typos fail loudly."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from ninja import Schema
from pydantic import AfterValidator, ConfigDict

T = TypeVar("T")


def _to_utc(value: datetime) -> datetime:
    # PostgreSQL refuses offsets beyond +-15:59 that ISO 8601 allows, and naive
    # times are ambiguous: store and compare everything in UTC.
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the time is out of range once converted to UTC") from exc


UtcDatetime = Annotated[datetime, AfterValidator(_to_utc)]


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

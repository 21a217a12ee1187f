"""Shared API schemas. Inputs forbid unknown fields so typos fail loudly."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, model_validator

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


def _check_text(value: Any) -> None:
    """PostgreSQL stores neither NUL characters nor lone surrogates; refuse them
    here as a 422 instead of failing in the database with a 500."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text may not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("text must be valid Unicode (no lone surrogates)") from exc
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_text(item)


class CleanText(Schema):
    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: Any) -> Any:
        # Query strings arrive as ninja's wrapper of a QueryDict, bodies as dicts.
        values = getattr(data, "_obj", data)
        if hasattr(values, "lists"):
            _check_text(dict(values.lists()))
        elif isinstance(values, dict):
            _check_text(values)
        return data


class StrictIn(CleanText):
    model_config = ConfigDict(extra="forbid")


class QueryIn(CleanText):
    """Base of query-string schemas."""


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

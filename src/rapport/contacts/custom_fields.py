"""The one place custom field values are read: a dict of raw values (JSON from the
API, strings from a form) is checked against the workspace's definitions and
coerced to what ``Contact.custom`` stores.

Stored forms: text -> str, number -> int or float, date -> "YYYY-MM-DD",
choice -> one of the field's choices, boolean -> bool. An empty value (None or a
blank string) clears the field, unless the field is required.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from rapport.core.errors import DomainError
from rapport.core.models import Workspace

from .models import CustomField, FieldType

MAX_TEXT = 500
MAX_NUMBER = 10**15
MAX_FIELDS = 100
MAX_CHOICES = 100
MAX_CHOICE_LENGTH = 80
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TRUE_WORDS = frozenset({"true", "yes", "1", "on"})
FALSE_WORDS = frozenset({"false", "no", "0", "off"})


class CustomValuesInvalid(DomainError):
    """One message per field that did not pass, keyed by the field's key."""

    status = 422
    code = "validation_error"

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        first = next(iter(self.errors))
        summary = "; ".join(f"{key}: {message}" for key, message in self.errors.items())
        super().__init__(f"Check the custom fields: {summary}", field=f"custom.{first}")

    @property
    def details(self) -> list[dict[str, str]]:
        return [
            {"field": f"custom.{key}", "message": message, "type": "invalid"}
            for key, message in self.errors.items()
        ]


class _Invalid(ValueError):
    pass


def definitions(workspace: Workspace) -> list[CustomField]:
    return list(CustomField.objects.for_workspace(workspace))


def _is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise _Invalid("must be text")
    value = raw.strip()
    if "\x00" in value:
        raise _Invalid("may not contain NUL characters")
    if len(value) > MAX_TEXT:
        raise _Invalid(f"is too long (at most {MAX_TEXT} characters, got {len(value)})")
    return value


def _number(raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise _Invalid("must be a number, not true/false")
    if isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            raise _Invalid("must be a finite number")
        number = Decimal(repr(raw))
    elif isinstance(raw, str):
        text = raw.strip().replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # a decimal comma, as in 2,5
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise _Invalid(f"must be a number, e.g. 42 or 2.5 (got '{raw[:40]}')") from exc
        if not number.is_finite():
            raise _Invalid("must be a finite number")
    else:
        raise _Invalid("must be a number")
    if abs(number) >= MAX_NUMBER:
        raise _Invalid("is too large (at most 15 digits before the decimal point)")
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def _date(raw: Any) -> str:
    if not isinstance(raw, str) or not ISO_DATE.match(raw.strip()):
        raise _Invalid("must be a date written as YYYY-MM-DD")
    try:
        return date.fromisoformat(raw.strip()).isoformat()
    except ValueError as exc:
        raise _Invalid(f"is not a real date ('{raw.strip()}')") from exc


def _choice(raw: Any, choices: Iterable[str]) -> str:
    options = list(choices)
    if not isinstance(raw, str):
        raise _Invalid(f"must be one of: {', '.join(options)}")
    value = raw.strip()
    if value in options:
        return value
    folded = {o.casefold(): o for o in options}
    if value.casefold() in folded:
        return folded[value.casefold()]
    raise _Invalid(f"must be one of: {', '.join(options)} (got '{value[:40]}')")


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise _Invalid("must be yes or no (true/false)")


def coerce(field: CustomField, raw: Any) -> Any:
    """The stored form of ``raw`` for ``field``; None clears it. Raises
    ``ValueError`` with a message about the value (not naming the field)."""
    if _is_empty(raw):
        if field.required:
            raise _Invalid("is required")
        return None
    if field.type == FieldType.TEXT:
        return _text(raw)
    if field.type == FieldType.NUMBER:
        return _number(raw)
    if field.type == FieldType.DATE:
        return _date(raw)
    if field.type == FieldType.CHOICE:
        return _choice(raw, field.choices)
    if field.type == FieldType.BOOLEAN:
        return _boolean(raw)
    raise _Invalid(f"has an unknown type '{field.type}'")


def clean_values(
    workspace: Workspace,
    values: Mapping[str, Any],
    fields: list[CustomField] | None = None,
) -> dict[str, Any]:
    """Every value in ``values`` coerced for its field (None = clear it). Raises
    ``CustomValuesInvalid`` naming each unknown key and each bad value."""
    by_key = {f.key: f for f in (fields if fields is not None else definitions(workspace))}
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, raw in values.items():
        field = by_key.get(key) if isinstance(key, str) else None
        if field is None:
            errors[str(key)[:40]] = (
                "is not a contact field of this workspace; define it under "
                "Settings → Contact fields first"
            )
            continue
        try:
            cleaned[key] = coerce(field, raw)
        except ValueError as exc:
            errors[key] = f"{field.label} {exc}"
    if errors:
        raise CustomValuesInvalid(errors)
    return cleaned


def merged(current: Mapping[str, Any], cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` with ``cleaned`` written over it; None removes a key."""
    result = dict(current)
    for key, value in cleaned.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def display(field: CustomField, value: Any) -> str:
    """How a stored value reads on a page."""
    if value is None or value == "":
        return ""
    if field.type == FieldType.BOOLEAN:
        return "Yes" if value is True else "No" if value is False else str(value)
    return str(value)


def form_value(field: CustomField, value: Any) -> str:
    """A stored value as the string an HTML input holds."""
    if value is None:
        return ""
    if field.type == FieldType.BOOLEAN:
        return "true" if value is True else "false" if value is False else ""
    return str(value)


# ---- definitions ----------------------------------------------------------------


def clean_key(raw: str) -> str:
    key = raw.strip().lower()
    if not KEY_PATTERN.match(key) or len(key) > 40:
        raise DomainError(
            "A key is 1-40 lowercase letters, digits and single underscores, starting "
            "with a letter (e.g. favourite_roast).",
            field="key",
        )
    return key


def clean_label(raw: str) -> str:
    label = raw.strip()
    if not label:
        raise DomainError("A field needs a label.", field="label")
    if len(label) > 80:
        raise DomainError("Labels are at most 80 characters.", field="label")
    return label


def clean_choices(kind: str, raw: Iterable[str]) -> list[str]:
    if kind != FieldType.CHOICE:
        return []
    choices = list(dict.fromkeys(c.strip() for c in raw if c and c.strip()))
    if not choices:
        raise DomainError("A choice field needs at least one choice.", field="choices")
    if len(choices) > MAX_CHOICES:
        raise DomainError(f"At most {MAX_CHOICES} choices.", field="choices")
    long = [c for c in choices if len(c) > MAX_CHOICE_LENGTH]
    if long:
        raise DomainError(
            f"Choices are at most {MAX_CHOICE_LENGTH} characters ('{long[0][:40]}…').",
            field="choices",
        )
    return choices

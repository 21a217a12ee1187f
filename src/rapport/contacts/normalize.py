"""One canonical spelling per identity, so the same person is recognised however
they typed it: emails lower-cased with an IDNA domain, phones in E.164, handles
without their '@' and in the case the network ignores."""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from rapport.core.errors import DomainError

from .models import IdentityKind


class InvalidIdentity(DomainError):
    code = "invalid_identity"


_HANDLE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$")
_DID = re.compile(r"^did:(plc:[a-z2-7]{24}|web:[a-z0-9.-]+)$")
_MASTODON = re.compile(r"^@?([a-z0-9_]{1,30})@([a-z0-9.-]+\.[a-z]{2,})$")
_REDDIT = re.compile(r"^(?:/?u/)?([a-z0-9_-]{3,20})$")
_X = re.compile(r"^@?([a-z0-9_]{1,15})$")
_DIGITS = re.compile(r"^[0-9]{1,20}$")
_TOKEN = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable ASCII, no spaces


def _email(value: str, region: str) -> str:
    value = value.strip()
    local, _, domain = value.rpartition("@")
    if not local or not domain:
        raise InvalidIdentity(f"'{value}' is not an email address.", field="value")
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise InvalidIdentity(f"'{value}' has an invalid domain.", field="value") from exc
    email = f"{local.lower()}@{domain}"
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidIdentity(f"'{value}' is not an email address.", field="value") from exc
    return email


def _phone(value: str, region: str) -> str:
    try:
        number = phonenumbers.parse(value, region.upper() or None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentity(f"'{value}' is not a phone number.", field="value") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentity(
            f"'{value}' is not a valid phone number"
            + (f" (read in region {region.upper()})." if region else "."),
            field="value",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _matching(pattern: re.Pattern[str], label: str, group: int = 0) -> Callable[[str, str], str]:
    def check(value: str, region: str) -> str:
        match = pattern.match(value.strip().lower())
        if match is None:
            raise InvalidIdentity(f"'{value}' is not a valid {label}.", field="value")
        return match.group(group)

    return check


def _mastodon(value: str, region: str) -> str:
    match = _MASTODON.match(value.strip().lower())
    if match is None:
        raise InvalidIdentity(
            f"'{value}' is not a Mastodon address (user@instance).", field="value"
        )
    return f"{match.group(1)}@{match.group(2)}"


def _token(value: str, region: str) -> str:
    value = value.strip()
    if not _TOKEN.match(value):
        raise InvalidIdentity("An id is 1-200 printable characters without spaces.", field="value")
    return value


def _whatsapp(value: str, region: str) -> str:
    # WhatsApp ids are the phone number's digits without the plus sign.
    return _phone(value if value.strip().startswith("+") else "+" + value.strip(), region)[1:]


NORMALISERS: dict[str, Callable[[str, str], str]] = {
    IdentityKind.EMAIL: _email,
    IdentityKind.PHONE: _phone,
    IdentityKind.ANONYMOUS: _token,
    IdentityKind.USER_ID: _token,
    IdentityKind.BLUESKY_DID: _matching(_DID, "Bluesky DID"),
    IdentityKind.BLUESKY: lambda v, r: _matching(_HANDLE, "Bluesky handle")(v.lstrip("@"), r),
    IdentityKind.MASTODON: _mastodon,
    IdentityKind.REDDIT: _matching(_REDDIT, "Reddit user name", 1),
    IdentityKind.X: _matching(_X, "X handle", 1),
    IdentityKind.TELEGRAM: _matching(_DIGITS, "Telegram user id"),
    IdentityKind.FACEBOOK: _matching(_DIGITS, "Facebook page-scoped id"),
    IdentityKind.INSTAGRAM: _matching(_DIGITS, "Instagram scoped id"),
    IdentityKind.WHATSAPP: _whatsapp,
}


def normalise(kind: str, value: str, region: str = "") -> str:
    """The canonical form of ``value`` as an identity of ``kind``; ``region`` (ISO
    country) reads phone numbers written without a country code."""
    if kind not in NORMALISERS:
        raise InvalidIdentity(f"Unknown identity kind '{kind}'.", field="kind")
    if not isinstance(value, str) or not value.strip() or len(value) > 320:
        raise InvalidIdentity("An identity needs a value of at most 320 characters.", field="value")
    return NORMALISERS[kind](value, region)

"""Login rate limiting: after N failures for the same email from the same address,
further attempts are refused for a while, whatever the password."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rapport.core.models import LoginThrottle


def _key(email: str, ip: str) -> str:
    return hashlib.sha256(f"{email.strip().lower()}|{ip}".encode()).hexdigest()


def seconds_locked(email: str, ip: str) -> int:
    row = LoginThrottle.objects.filter(key=_key(email, ip)).first()
    if row is None or row.locked_until is None:
        return 0
    left = (row.locked_until - timezone.now()).total_seconds()
    return max(0, int(left) + 1) if left > 0 else 0


def note_failure(email: str, ip: str) -> None:
    limit = settings.RAPPORT["LOGIN_MAX_FAILURES"]
    lock = timedelta(seconds=settings.RAPPORT["LOGIN_LOCK_SECONDS"])
    now = timezone.now()
    with transaction.atomic():
        row, _ = LoginThrottle.objects.select_for_update().get_or_create(
            key=_key(email, ip), defaults={"first_failure_at": now}
        )
        if now - row.first_failure_at > lock:
            row.failures, row.first_failure_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + lock
        row.save()


def clear(email: str, ip: str) -> None:
    LoginThrottle.objects.filter(key=_key(email, ip)).delete()

"""Failed-login bookkeeping shared by every web process (so it lives in the database)."""

from __future__ import annotations

from django.db import models


class LoginThrottle(models.Model):
    # sha256 of "email|ip": the table never holds who tried from where in clear.
    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.failures} failures"

"""Domain errors raised by actions; web and API map them to 4xx responses."""

from __future__ import annotations


class DomainError(Exception):
    """A request that cannot be done as asked (a 400 or a 409 for the caller)."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Conflict(DomainError):
    status = 409
    code = "conflict"

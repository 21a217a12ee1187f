"""Webhook signatures: the sender signs the raw body with the source's secret
(HMAC-SHA256, hex, sent as ``X-Rapport-Signature: sha256=<hex>``), the endpoint checks
it before reading anything else, in constant time."""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Rapport-Signature"


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header: str) -> bool:
    """Whether ``header`` is the signature of ``body`` under ``secret``. An empty secret
    verifies nothing: a source without one must not accept unsigned bodies by accident."""
    if not secret or not header:
        return False
    return hmac.compare_digest(sign(body, secret), header.strip())

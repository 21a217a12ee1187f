"""Embedded mode: one laptop, SQLite under ./var/, mail to the console. The default."""

import os

from .base import *  # noqa: F403
from .base import RAPPORT_ENRICHMENT, VAR_DIR

DEBUG = False
SECRET_KEY = "embedded-demo-key-not-for-production-use-0123456789abcdefghijklmnop"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
RAPPORT_DEMO = True
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
RAPPORT_ENRICHMENT = {
    **RAPPORT_ENRICHMENT,
    "NETWORK": os.environ.get("RAPPORT_ENRICHMENT_NETWORK", "0") == "1",
}

"""Tests: SQLite file database by default (so worker subprocesses can share it),
PostgreSQL when ``DATABASE_URL`` points at one (``make test`` runs both)."""

import os

from .base import *  # noqa: F403
from .base import RAPPORT_ENRICHMENT, RAPPORT_INGEST, VAR_DIR, database_from_env

SECRET_KEY = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
RAPPORT_DEMO = True
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
DATABASES = {"default": database_from_env(f"sqlite:///{VAR_DIR / 'test-main.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    RAPPORT_INGEST = {**RAPPORT_INGEST, "LOG": f"sqlite:{VAR_DIR / 'test-ingest.sqlite3'}"}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
RAPPORT_ENRICHMENT = {
    **RAPPORT_ENRICHMENT,
    "NETWORK": os.environ.get("RAPPORT_ENRICHMENT_NETWORK", "0") == "1",
}

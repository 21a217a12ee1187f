"""Settings shared by every mode. Modes override only what differs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

SRC_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = Path(os.environ.get("RAPPORT_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("RAPPORT_VAR", PROJECT_DIR / "var"))

DEBUG = False
ALLOWED_HOSTS: list[str] = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "rapport.core",
    "rapport.jobs",
    "rapport.contacts",
    "rapport.enrichment",
    "rapport.tracking",
    "rapport.commerce",
    "rapport.listening",
    "rapport.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "rapport.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "rapport.urls"
WSGI_APPLICATION = "rapport.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rapport.web.context.shell",
            ],
        },
    },
]


def database_from_env(default_url: str) -> dict[str, Any]:
    """One place that turns ``DATABASE_URL`` into Django's setting.

    SQLite gets WAL mode and a busy timeout so the web process and the worker can
    write at the same time without "database is locked" errors.
    """
    url = os.environ.get("DATABASE_URL", default_url)
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    else:
        config.setdefault("OPTIONS", {})
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": database_from_env(f"sqlite:///{VAR_DIR / 'rapport.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: server-side, HttpOnly, SameSite, two weeks, renewed on activity.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 3600
SESSION_SAVE_EVERY_REQUEST = False
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Security headers on every response; CSP is set by our own middleware.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Bodies above this size get a 413 in the error envelope, never a 500.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("RAPPORT_FROM_EMAIL", "Rapport <rapport@localhost>")

TASKS = {
    "default": {
        "BACKEND": "rapport.jobs.backend.DatabaseBackend",
        "QUEUES": ["default", "events", "enrichment", "listening"],
        "OPTIONS": {"max_attempts": 5, "lease_seconds": 60, "backoff_base_seconds": 2.0},
    }
}

NINJA_PAGINATION_PER_PAGE = 50

RAPPORT = {
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCK_SECONDS": 300,
    "WORKER_STALE_SECONDS": 120,
}

# Where people reach this deployment: links in alert emails and webhooks.
RAPPORT_BASE_URL = os.environ.get("RAPPORT_BASE_URL", "http://127.0.0.1:8000")

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "rapport.core.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("RAPPORT_LOG_LEVEL", "INFO")},
    # httpx logs every URL at INFO; enrichment URLs carry email hashes.
    "loggers": {
        "django.server": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# Enrichment providers that call out to the network (Gravatar, Open-Meteo). The
# embedded demo and the tests run offline, so they turn NETWORK off by default.
RAPPORT_ENRICHMENT = {
    "NETWORK": os.environ.get("RAPPORT_ENRICHMENT_NETWORK", "1") == "1",
    "GRAVATAR_URL": os.environ.get("RAPPORT_GRAVATAR_URL", "https://api.gravatar.com/v3"),
    "GRAVATAR_API_KEY": os.environ.get("RAPPORT_GRAVATAR_API_KEY", ""),
    "GEOCODING_URL": os.environ.get(
        "RAPPORT_GEOCODING_URL", "https://geocoding-api.open-meteo.com/v1"
    ),
    "FORECAST_URL": os.environ.get("RAPPORT_FORECAST_URL", "https://api.open-meteo.com/v1"),
}


def _ingest_log_default() -> str:
    """PostgreSQL keeps the log in its own table; SQLite in a file of its own, so the
    ingest server never waits for the main database's write lock."""
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:{VAR_DIR / 'ingest.sqlite3'}"
    return "database"


RAPPORT_INGEST: dict[str, Any] = {
    # Where accepted requests are written: "database" or "sqlite:<path>".
    "LOG": os.environ.get("RAPPORT_INGEST_LOG") or _ingest_log_default(),
    # Token buckets, in events per second (a burst of twice that is allowed). Far
    # above what one host can accept, so they stop a runaway client, not a shop.
    "RATE_PER_KEY": int(os.environ.get("RAPPORT_INGEST_RATE_PER_KEY", "1000000")),
    "RATE_PER_IP": int(os.environ.get("RAPPORT_INGEST_RATE_PER_IP", "1000000")),
    # Requests the pipeline takes per transaction (also bounded by 2 MB of JSON).
    "PIPELINE_ROWS": int(os.environ.get("RAPPORT_PIPELINE_ROWS", "10000")),
    # Behind a reverse proxy, the client's address is the last X-Forwarded-For hop.
    "TRUST_FORWARDED_FOR": os.environ.get("RAPPORT_TRUST_FORWARDED_FOR", "0") == "1",
}

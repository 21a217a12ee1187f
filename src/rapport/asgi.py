"""ASGI entry point (``rapport serve`` runs it on uvicorn): the tracking API under
/v1/ and Django for everything else, on one host."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings.embedded")
django.setup(set_prefix=False)  # the ingest app's modules import models

from rapport.tracking.ingest.server import build  # noqa: E402

application = build(int(os.environ.get("RAPPORT_THREADS", "8")))

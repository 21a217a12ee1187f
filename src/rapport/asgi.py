"""ASGI entry point (``rapport serve`` runs it on uvicorn): the tracking API under
/v1/ and Django for everything else, on one host."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings.embedded")

from rapport.tracking.ingest.server import build

application = build(int(os.environ.get("RAPPORT_THREADS", "8")))

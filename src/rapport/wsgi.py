"""WSGI entry point, for WSGI servers; `rapport serve` runs the ASGI app in asgi.py."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings.embedded")
application = get_wsgi_application()

"""WSGI entry point (``rapport serve`` uses it through waitress)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings.embedded")
application = get_wsgi_application()

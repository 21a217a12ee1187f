"""URL map: the UI, the JSON API under /api/v1/, webhooks under /hooks/, and /healthz."""

from django.urls import include, path

from rapport.api.urls import api
from rapport.listening.webhook import receive as listening_webhook
from rapport.web.views.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("hooks/listening/<int:source_id>", listening_webhook, name="listening_webhook"),
    path("", include("rapport.web.urls")),
]

handler400 = "rapport.web.views.errors.bad_request"
handler403 = "rapport.web.views.errors.forbidden"
handler404 = "rapport.web.views.errors.not_found"
handler500 = "rapport.web.views.errors.server_error"

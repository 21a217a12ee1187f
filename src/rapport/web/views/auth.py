"""Login with rate limiting; logout; password change and reset use Django's views
with our templates (see urls.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse

from rapport.web import throttle


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy, deployments set SECURE_PROXY_SSL_HEADER and the proxy's
    # address is what we see; we deliberately do not trust X-Forwarded-For here.
    return str(request.META.get("REMOTE_ADDR", ""))


class ThrottledLoginForm(AuthenticationForm):
    def clean(self) -> dict[str, Any]:
        email = str(self.data.get("username", ""))
        ip = client_ip(self.request) if self.request else ""
        wait = throttle.seconds_locked(email, ip)
        if wait:
            raise self.get_invalid_login_error_throttled(wait)
        try:
            cleaned = super().clean()
        except Exception:
            throttle.note_failure(email, ip)
            raise
        throttle.clear(email, ip)
        return cleaned

    def get_invalid_login_error_throttled(self, wait: int) -> Exception:
        from django.core.exceptions import ValidationError

        minutes = max(1, round(wait / 60))
        return ValidationError(
            f"Too many failed attempts. Try again in about {minutes} minute(s).",
            code="throttled",
        )


class LoginView(auth_views.LoginView):
    template_name = "web/auth/login.html"
    authentication_form = ThrottledLoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.conf import settings

        context = super().get_context_data(**kwargs)
        context["demo_mode"] = getattr(settings, "RAPPORT_DEMO", False)
        return context


def logout_view(request: HttpRequest) -> HttpResponse:
    return auth_views.LogoutView.as_view()(request)

"""UI routes. Workspace pages live under /w/<slug>/ so a link names its workspace."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import auth, shell

auth_patterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(template_name="web/auth/password_change.html"),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="web/auth/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="web/auth/password_reset.html",
            email_template_name="web/auth/password_reset_email.txt",
            subject_template_name="web/auth/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="web/auth/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="web/auth/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="web/auth/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]

workspace_patterns = [
    path("", shell.workspace_home, name="workspace_home"),
]

urlpatterns = [
    path("", shell.home, name="home"),
    path("", include(auth_patterns)),
    path("w/<slug:slug>/", include(workspace_patterns)),
]

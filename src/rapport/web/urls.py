"""UI routes. Workspace pages live under /w/<slug>/ so a link names its workspace."""

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from .context import MODULES
from .views import (
    auth,
    settings_audit,
    settings_jobs,
    settings_members,
    settings_teams,
    settings_tokens,
    settings_workspace,
    shell,
)

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

settings_patterns = [
    path("", settings_workspace.workspace_settings, name="settings_workspace"),
    path("workspace/edit/", settings_workspace.workspace_edit, name="settings_workspace_edit"),
    path("members/", settings_members.members, name="settings_members"),
    path("members/add/", settings_members.member_add, name="settings_member_add"),
    path(
        "members/<int:member_id>/role/",
        settings_members.member_role,
        name="settings_member_role",
    ),
    path(
        "members/<int:member_id>/remove/",
        settings_members.member_remove,
        name="settings_member_remove",
    ),
    path("teams/", settings_teams.teams, name="settings_teams"),
    path("teams/create/", settings_teams.team_create, name="settings_team_create"),
    path("teams/<int:team_id>/", settings_teams.team_detail, name="settings_team"),
    path("teams/<int:team_id>/edit/", settings_teams.team_edit, name="settings_team_edit"),
    path("teams/<int:team_id>/delete/", settings_teams.team_delete, name="settings_team_delete"),
    path(
        "teams/<int:team_id>/members/add/",
        settings_teams.team_member_add,
        name="settings_team_member_add",
    ),
    path(
        "teams/<int:team_id>/members/<int:member_id>/remove/",
        settings_teams.team_member_remove,
        name="settings_team_member_remove",
    ),
    path("tokens/", settings_tokens.tokens, name="settings_tokens"),
    path("tokens/create/", settings_tokens.token_create, name="settings_token_create"),
    path(
        "tokens/<int:token_id>/revoke/",
        settings_tokens.token_revoke,
        name="settings_token_revoke",
    ),
    path("audit/", settings_audit.audit, name="settings_audit"),
    path("jobs/", settings_jobs.jobs, name="settings_jobs"),
    path("jobs/<str:job_id>/retry/", settings_jobs.job_retry, name="settings_job_retry"),
]

workspace_patterns: list[URLPattern | URLResolver] = [
    path("", shell.workspace_home, name="workspace_home"),
    *[path(f"{item.key}/", shell.module_page(item), name=item.url_name) for item in MODULES],
    path("settings/", include(settings_patterns)),
]

urlpatterns = [
    path("", shell.home, name="home"),
    path("", include(auth_patterns)),
    path("w/<slug:slug>/", include(workspace_patterns)),
]

"""UI routes. Workspace pages live under /w/<slug>/ so a link names its workspace."""

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from .context import MODULES
from .views import (
    auth,
    commerce,
    contacts_activity,
    contacts_companies,
    contacts_detail,
    contacts_enrichment,
    contacts_import,
    contacts_list,
    contacts_merge,
    contacts_privacy,
    listening_admin,
    listening_stream,
    listening_topics,
    settings_audit,
    settings_contact_fields,
    settings_events,
    settings_jobs,
    settings_members,
    settings_sources,
    settings_teams,
    settings_tokens,
    settings_workspace,
    shell,
    shop,
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
    path("sources/", settings_sources.sources, name="settings_sources"),
    path("sources/create/", settings_sources.source_create, name="settings_source_create"),
    path("sources/quarantine/", settings_events.quarantine, name="settings_quarantine"),
    path(
        "sources/<int:source_id>/events/",
        settings_events.source_events,
        name="settings_source_events",
    ),
    path(
        "sources/settings/",
        settings_sources.tracking_settings_update,
        name="settings_tracking_update",
    ),
    path(
        "sources/<int:source_id>/rotate/",
        settings_sources.source_rotate,
        name="settings_source_rotate",
    ),
    path(
        "sources/<int:source_id>/toggle/",
        settings_sources.source_toggle,
        name="settings_source_toggle",
    ),
    path("tokens/", settings_tokens.tokens, name="settings_tokens"),
    path("tokens/create/", settings_tokens.token_create, name="settings_token_create"),
    path(
        "tokens/<int:token_id>/revoke/",
        settings_tokens.token_revoke,
        name="settings_token_revoke",
    ),
    path("audit/", settings_audit.audit, name="settings_audit"),
    path(
        "contact-fields/",
        settings_contact_fields.contact_fields,
        name="settings_contact_fields",
    ),
    path(
        "contact-fields/create/",
        settings_contact_fields.contact_field_create,
        name="settings_contact_field_create",
    ),
    path(
        "contact-fields/<int:field_id>/",
        settings_contact_fields.contact_field_detail,
        name="settings_contact_field",
    ),
    path(
        "contact-fields/<int:field_id>/edit/",
        settings_contact_fields.contact_field_edit,
        name="settings_contact_field_edit",
    ),
    path(
        "contact-fields/<int:field_id>/delete/",
        settings_contact_fields.contact_field_delete,
        name="settings_contact_field_delete",
    ),
    path("jobs/", settings_jobs.jobs, name="settings_jobs"),
    path("jobs/<str:job_id>/retry/", settings_jobs.job_retry, name="settings_job_retry"),
]

contact_patterns = [
    path("", contacts_list.contact_list, name="contacts"),
    path("new/", contacts_list.contact_create, name="contact_create"),
    path("duplicates/", contacts_merge.duplicates, name="contact_duplicates"),
    path("companies/", contacts_companies.company_list, name="contact_companies"),
    path("products/", commerce.product_list, name="contact_products"),
    path("companies/new/", contacts_companies.company_create, name="contact_company_create"),
    path("companies/<int:company_id>/", contacts_companies.company_detail, name="contact_company"),
    path(
        "companies/<int:company_id>/edit/",
        contacts_companies.company_edit,
        name="contact_company_edit",
    ),
    path("export.csv", contacts_import.export, name="contact_export"),
    path("import/", contacts_import.imports, name="contact_imports"),
    path("import/upload/", contacts_import.import_upload, name="contact_import_upload"),
    path("import/<int:import_id>/", contacts_import.import_detail, name="contact_import"),
    path(
        "import/<int:import_id>/start/", contacts_import.import_start, name="contact_import_start"
    ),
    path(
        "import/<int:import_id>/report.csv",
        contacts_import.import_report,
        name="contact_import_report",
    ),
    path(
        "duplicates/<int:suggestion_id>/merge/",
        contacts_merge.duplicate_merge,
        name="contact_duplicate_merge",
    ),
    path(
        "duplicates/<int:suggestion_id>/dismiss/",
        contacts_merge.duplicate_dismiss,
        name="contact_duplicate_dismiss",
    ),
    path("merges/<int:merge_id>/undo/", contacts_merge.merge_undo, name="contact_merge_undo"),
    path("tasks/<int:task_id>/toggle/", contacts_detail.task_toggle, name="contact_task_toggle"),
    path("<int:contact_id>/", contacts_detail.contact_detail, name="contact"),
    path("<int:contact_id>/edit/", contacts_detail.contact_edit, name="contact_edit"),
    path(
        "<int:contact_id>/enrichment/",
        contacts_enrichment.contact_enrichment,
        name="contact_enrichment",
    ),
    path(
        "<int:contact_id>/enrichment/refresh/",
        contacts_enrichment.contact_enrichment_refresh,
        name="contact_enrichment_refresh",
    ),
    path(
        "<int:contact_id>/activity/",
        contacts_activity.contact_activity,
        name="contact_activity",
    ),
    path("<int:contact_id>/shopping/", commerce.contact_shopping, name="contact_shopping"),
    path("<int:contact_id>/custom/", contacts_detail.contact_custom, name="contact_custom"),
    path("<int:contact_id>/company/", contacts_detail.contact_company, name="contact_company_set"),
    path(
        "<int:contact_id>/identities/add/",
        contacts_detail.identity_add,
        name="contact_identity_add",
    ),
    path("<int:contact_id>/notes/add/", contacts_detail.note_add, name="contact_note_add"),
    path("<int:contact_id>/tasks/add/", contacts_detail.task_add, name="contact_task_add"),
    path("<int:contact_id>/merge/", contacts_merge.contact_merge, name="contact_merge"),
    path(
        "<int:contact_id>/merge/preview/",
        contacts_merge.contact_merge_preview,
        name="contact_merge_preview",
    ),
    path("<int:contact_id>/consent/", contacts_privacy.consent_add, name="contact_consent_add"),
    path(
        "<int:contact_id>/export.json", contacts_privacy.contact_export, name="contact_export_json"
    ),
    path("<int:contact_id>/erase/", contacts_privacy.contact_erase, name="contact_erase"),
    path("retention/", contacts_privacy.retention, name="contact_retention"),
    path("lifecycle/", contacts_privacy.lifecycle_policy, name="contact_lifecycle_policy"),
]

listen_patterns = [
    path("", listening_stream.stream, name="listen"),
    path("posts/<int:post_id>/correct/", listening_stream.post_correct, name="listen_post_correct"),
    path("posts/<int:post_id>/tag/", listening_stream.post_tag, name="listen_post_tag"),
    path("posts/<int:post_id>/handled/", listening_stream.post_handled, name="listen_post_handled"),
    path("posts/<int:post_id>/link/", listening_stream.post_link, name="listen_post_link"),
    path("topics/", listening_topics.topic_list, name="listen_topics"),
    path("topics/new/", listening_topics.topic_create, name="listen_topic_create"),
    path("topics/preview/", listening_topics.topic_preview, name="listen_topic_preview"),
    path("topics/<int:topic_id>/", listening_topics.topic_dashboard, name="listen_topic"),
    path("topics/<int:topic_id>/edit/", listening_topics.topic_edit, name="listen_topic_edit"),
    path(
        "topics/<int:topic_id>/delete/", listening_topics.topic_delete, name="listen_topic_delete"
    ),
    path("topics/<int:topic_id>/alerts/", listening_admin.alert_rule, name="listen_alert_rule"),
    path("sources/", listening_admin.sources, name="listen_sources"),
    path("sources/new/", listening_admin.source_create, name="listen_source_create"),
    path(
        "sources/<int:listening_source_id>/toggle/",
        listening_admin.source_toggle,
        name="listen_source_toggle",
    ),
    path("alerts/", listening_admin.alerts, name="listen_alerts"),
]

# Modules that are built have their own routes; the rest show their empty state.
BUILT_MODULES = {"contacts", "listen"}

workspace_patterns: list[URLPattern | URLResolver] = [
    path("", shell.workspace_home, name="workspace_home"),
    path("contacts/", include(contact_patterns)),
    path("listen/", include(listen_patterns)),
    *[
        path(f"{item.key}/", shell.module_page(item), name=item.url_name)
        for item in MODULES
        if item.key not in BUILT_MODULES
    ],
    path("settings/", include(settings_patterns)),
]

urlpatterns = [
    path("", shell.home, name="home"),
    # The demo's web shop (404 unless RAPPORT_DEMO): public, like a customer's site.
    path("shop/", shop.shop, name="demo_shop"),
    path("", include(auth_patterns)),
    path("w/<slug:slug>/", include(workspace_patterns)),
]

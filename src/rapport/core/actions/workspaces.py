"""Creating and changing workspaces."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from ..actor import Actor
from ..audit import record, snapshot
from ..errors import Conflict, DomainError
from ..events import Event, publish
from ..models import Membership, Role, User, Workspace
from ..permissions import Perm

WORKSPACE_FIELDS = ["name", "slug", "timezone", "default_language", "languages"]
SUPPORTED_LANGUAGES = ("en", "pl", "ru", "nl", "de", "fr", "es", "it", "pt", "uk", "cs")


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_languages(languages: list[str]) -> list[str]:
    unknown = [code for code in languages if code not in SUPPORTED_LANGUAGES]
    if unknown:
        raise DomainError(f"Unsupported language code(s): {', '.join(unknown)}", field="languages")
    return list(dict.fromkeys(languages))


def do_create_workspace(
    *, name: str, owner: User, slug: str | None = None, languages: list[str] | None = None
) -> Workspace:
    name = name.strip()
    if not name:
        raise DomainError("A workspace needs a name.", field="name")
    with transaction.atomic():
        if slug and Workspace.objects.filter(slug=slug).exists():
            raise Conflict(f"The address '{slug}' is taken.", field="slug")
        workspace = Workspace.objects.create(
            name=name,
            slug=slug or _unique_slug(name),
            languages=_check_languages(languages or ["en"]),
        )
        membership = Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
        actor = Actor(workspace=workspace, membership=membership)
        record(actor, "workspace.create", workspace, after=snapshot(workspace, WORKSPACE_FIELDS))
        publish(Event.WORKSPACE_CREATED, workspace.pk, slug=workspace.slug)
    return workspace


def do_update_workspace(
    actor: Actor,
    *,
    name: str | None = None,
    timezone: str | None = None,
    default_language: str | None = None,
    languages: list[str] | None = None,
) -> Workspace:
    actor.require(Perm.WORKSPACE_MANAGE)
    with transaction.atomic():
        workspace = Workspace.objects.select_for_update().get(pk=actor.workspace.pk)
        before = snapshot(workspace, WORKSPACE_FIELDS)
        if name is not None:
            if not name.strip():
                raise DomainError("A workspace needs a name.", field="name")
            workspace.name = name.strip()
        if timezone is not None:
            _check_timezone(timezone)
            workspace.timezone = timezone
        if languages is not None:
            workspace.languages = _check_languages(languages)
        if default_language is not None:
            _check_languages([default_language])
            workspace.default_language = default_language
        workspace.save()
        after = snapshot(workspace, WORKSPACE_FIELDS)
        if after != before:
            record(actor, "workspace.update", workspace, before=before, after=after)
            publish(Event.WORKSPACE_UPDATED, workspace.pk, changed=sorted(after))
    return workspace


def _check_timezone(name: str) -> None:
    import zoneinfo

    if name not in zoneinfo.available_timezones():
        raise DomainError(f"Unknown time zone '{name}'.", field="timezone")

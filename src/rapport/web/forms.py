"""Forms of the settings pages. They only parse input; the actions validate the
domain rules and their ``DomainError`` lands on the form through ``show_error``."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from rapport.core.actions.workspaces import SUPPORTED_LANGUAGES
from rapport.core.errors import DomainError
from rapport.core.models import Role, Scope
from rapport.tracking.models import SourceKind

LANGUAGE_CHOICES = [(code, code) for code in SUPPORTED_LANGUAGES]
TIMEZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]
EXPIRY_CHOICES = [("", "Never"), ("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year")]


def show_error(form: forms.Form, exc: DomainError) -> None:
    """Put an action's error next to the field it is about, else on top of the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class WorkspaceForm(forms.Form):
    name = forms.CharField(max_length=120)
    timezone = forms.ChoiceField(choices=TIMEZONE_CHOICES)
    default_language = forms.ChoiceField(choices=LANGUAGE_CHOICES)
    languages = forms.MultipleChoiceField(
        choices=LANGUAGE_CHOICES, widget=forms.CheckboxSelectMultiple
    )


class MemberAddForm(forms.Form):
    email = forms.EmailField(max_length=254)
    full_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.AGENT)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=80)
    description = forms.CharField(max_length=240, required=False)


class TeamMemberForm(forms.Form):
    member = forms.IntegerField(min_value=1)


class TokenForm(forms.Form):
    name = forms.CharField(max_length=80)
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)
    expires_in_days = forms.ChoiceField(choices=EXPIRY_CHOICES, required=False)

    def expires_at(self) -> datetime | None:
        days = self.cleaned_data.get("expires_in_days")
        return timezone.now() + timedelta(days=int(days)) if days else None


class AuditFilterForm(forms.Form):
    action = forms.CharField(max_length=80, required=False)
    actor = forms.CharField(max_length=200, required=False)
    object_type = forms.CharField(max_length=60, required=False)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    cursor = forms.CharField(max_length=200, required=False)


class ContactCreateForm(forms.Form):
    full_name = forms.CharField(max_length=200, required=False, label="Name")
    email = forms.CharField(max_length=320, required=False)
    phone = forms.CharField(max_length=40, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not any(data.get(k) for k in ("full_name", "email", "phone")):
            raise forms.ValidationError("Give at least a name, an email or a phone.")
        return data


class ContactEditForm(forms.Form):
    full_name = forms.CharField(max_length=200, required=False, label="Name")
    city = forms.CharField(max_length=120, required=False)
    country = forms.CharField(max_length=2, required=False, help_text="ISO code, e.g. PL")
    locale = forms.CharField(max_length=16, required=False)
    tags = forms.CharField(max_length=1000, required=False, help_text="comma-separated")

    def tag_list(self) -> list[str]:
        return [t for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class IdentityForm(forms.Form):
    kind = forms.ChoiceField(choices=[])
    value = forms.CharField(max_length=320)

    def __init__(self, *args: object, **kwargs: object) -> None:
        from rapport.contacts.models import IdentityKind

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = IdentityKind.choices  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    body = forms.CharField(max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)
    due_at = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    assignee = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, members: list[tuple[int, str]] | None = None,
                 me: int | None = None, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Nobody"), *(members or [])]
        field.initial = me


class MergeForm(forms.Form):
    other = forms.CharField(
        max_length=320, label="Merge with", help_text="the other contact's id or email"
    )


class CompanyForm(forms.Form):
    name = forms.CharField(max_length=200)
    domain = forms.CharField(max_length=200, required=False, help_text="e.g. example.com")


def _choice_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ContactFieldForm(forms.Form):
    label = forms.CharField(max_length=80)
    key = forms.CharField(
        max_length=40, help_text="stored under this name and used by the API; cannot change"
    )
    type = forms.ChoiceField(choices=[])
    choices = forms.CharField(
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="for a choice field: one per line",
    )
    required = forms.BooleanField(required=False)
    position = forms.IntegerField(min_value=0, max_value=10_000, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        from rapport.contacts.models import FieldType

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["type"].choices = FieldType.choices  # type: ignore[attr-defined]

    def choice_list(self) -> list[str]:
        return _choice_lines(self.cleaned_data.get("choices") or "")


class ContactFieldEditForm(forms.Form):
    label = forms.CharField(max_length=80)
    choices = forms.CharField(
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="one per line; values already saved stay as they are",
    )
    required = forms.BooleanField(required=False)
    position = forms.IntegerField(min_value=0, max_value=10_000)

    def choice_list(self) -> list[str]:
        return _choice_lines(self.cleaned_data.get("choices") or "")


class SourceForm(forms.Form):
    name = forms.CharField(max_length=80)
    kind = forms.ChoiceField(choices=SourceKind.choices)

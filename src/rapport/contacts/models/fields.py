"""Custom fields: typed attributes a workspace defines for its contacts. The values
live in ``Contact.custom`` under each field's key; ``contacts.custom_fields``
checks them against these definitions."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned


class FieldType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    CHOICE = "choice", "Choice"
    BOOLEAN = "boolean", "Yes / no"


class CustomField(WorkspaceOwned):
    # The key names the value in ``Contact.custom``; it and the type never change
    # once values may exist under them.
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=80)
    type = models.CharField(max_length=8, choices=FieldType.choices)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["position", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workspace", "key"], name="uniq_custom_field_key")
        ]

    def __str__(self) -> str:
        return self.label

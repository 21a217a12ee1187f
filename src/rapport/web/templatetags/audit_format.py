"""Audit values as people read them: the log stores JSON, so a list of scopes would
otherwise show as a Python repr."""

from __future__ import annotations

import json

from django import template

register = template.Library()


@register.filter
def audit_value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(audit_value(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if value == "":
        return "(empty)"
    return str(value)

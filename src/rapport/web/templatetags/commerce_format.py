"""Money as people read it: "1,234.50 EUR", two places whatever is stored."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from rapport.commerce.spec import money_text

register = template.Library()


@register.filter
def money(value: Decimal | str | None, currency: str = "") -> str:
    try:
        return money_text(Decimal(value), currency) if value not in (None, "") else "—"
    except (InvalidOperation, TypeError, ValueError):
        return "—"

"""Money as people read it: "1,234.50 EUR", two places whatever is stored."""

from __future__ import annotations

from decimal import Decimal

from django import template

from rapport.commerce.spec import money_text

register = template.Library()


@register.filter
def money(value: Decimal | str | None, currency: str = "") -> str:
    if value is None or value == "":
        return "—"
    return money_text(Decimal(value), currency)

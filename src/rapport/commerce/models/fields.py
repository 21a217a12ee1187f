"""Column shapes shared by the commerce tables."""

from __future__ import annotations

from typing import Any

from django.db import models

# Four decimal places hold every ISO 4217 minor unit (0 to 3) exactly; 14 digits
# before the point hold any real order.
MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}


def money(**kwargs: Any) -> models.DecimalField[Any, Any]:
    return models.DecimalField(**MONEY, **kwargs)

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .fake_apis import FakeState, fake_apis


@pytest.fixture
def apis(settings: Any) -> Iterator[FakeState]:
    """Network enrichment on, pointed at the fake servers."""
    with fake_apis() as state:
        settings.RAPPORT_ENRICHMENT = {
            "NETWORK": True,
            "GRAVATAR_URL": f"{state.base}/gravatar/v3",
            "GRAVATAR_API_KEY": "",
            "GEOCODING_URL": f"{state.base}/geocoding/v1",
            "FORECAST_URL": f"{state.base}/forecast/v1",
        }
        yield state

"""Property-based run over the OpenAPI document: schemathesis generates valid and
invalid requests for every operation; none may get a 500, every response must
match the documented status codes, content type and schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import World


@pytest.fixture(autouse=True)
def requests_share_the_test_transaction(db: Any) -> Iterator[None]:
    # As with Django's test client: the start/end-of-request hooks would
    # otherwise close the connection in the middle of the test's transaction.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


# The document is served by the app itself (no database needed to render it).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_errors_and_matches_its_schema(case: Any, world: World) -> None:
    response = case.call(headers={"Authorization": f"Bearer {world.token_secret}"})
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )

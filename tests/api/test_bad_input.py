"""Hostile and broken requests get a 4xx in the one error envelope, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.factories import World


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()["error"]
    assert body["code"]
    assert body["message"]
    return body


def test_missing_and_bad_tokens_get_401(world: World) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}):
        body = error_of(Client(headers=headers).get("/api/v1/members"), 401)
        assert body["code"] == "unauthenticated"
        assert "Bearer" in body["message"]


def test_revoked_and_expired_tokens_get_401(world: World, api: Client) -> None:
    token_id = api.get("/api/v1/tokens").json()["items"][0]["id"]
    assert api.delete(f"/api/v1/tokens/{token_id}").status_code == 200
    error_of(api.get("/api/v1/workspace"), 401)


def test_malformed_json_is_a_clear_4xx(api: Client) -> None:
    response = api.post("/api/v1/teams", data="{not json", content_type="application/json")
    body = error_of(response, 400)
    assert body["code"] == "malformed_body"
    assert "JSON" in body["message"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": 5}, "name"),
        ({"name": ["a"]}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 81}, "name"),
        ({}, "name"),
    ],
)
def test_wrong_types_and_sizes_name_the_field(api: Client, payload: Any, field: str) -> None:
    response = api.post("/api/v1/teams", data=json.dumps(payload), content_type="application/json")
    body = error_of(response, 422)
    assert any(d["field"].endswith(field) for d in body["details"]), body


def test_unknown_fields_are_refused_not_ignored(api: Client) -> None:
    response = api.patch(
        "/api/v1/workspace", data='{"name": "Ok", "nmae": "typo"}', content_type="application/json"
    )
    body = error_of(response, 422)
    assert any(d["field"].endswith("nmae") for d in body["details"]), body


def test_unknown_enum_values_are_refused(api: Client, world: World) -> None:
    member = world.members["agent"].pk
    response = api.patch(
        f"/api/v1/members/{member}", data='{"role": "emperor"}', content_type="application/json"
    )
    assert error_of(response, 422)["details"][0]["field"].endswith("role")


def test_oversized_body_gets_413(api: Client) -> None:
    huge = json.dumps({"name": "x", "description": "y" * (2 * 1024 * 1024)})
    body = error_of(api.post("/api/v1/teams", data=huge, content_type="application/json"), 413)
    assert body["code"] == "payload_too_large"


def test_bad_cursor_and_bad_limits_are_400_or_422(api: Client) -> None:
    assert error_of(api.get("/api/v1/audit?cursor=%%%garbage"), 400)["code"] == "invalid"
    error_of(api.get("/api/v1/audit?limit=0"), 422)
    error_of(api.get("/api/v1/audit?limit=100000"), 422)
    error_of(api.get("/api/v1/audit?since=yesterday"), 422)


def test_ids_that_are_not_ids_get_404_not_500(api: Client) -> None:
    for url in ("/api/v1/members/abc", "/api/v1/teams/1e9", "/api/v1/tokens/99999999999999999999"):
        assert api.get(url).status_code in (404, 422), url


def test_unknown_paths_and_methods_stay_in_the_envelope(api: Client) -> None:
    error_of(api.get("/api/v1/nothing-here"), 404)
    assert api.put("/api/v1/workspace", data="{}", content_type="application/json").status_code in (
        404,
        405,
    )


def test_domain_errors_use_the_envelope(api: Client, world: World) -> None:
    response = api.post(
        "/api/v1/members",
        data=json.dumps({"email": world.members["agent"].user.email, "role": "agent"}),
        content_type="application/json",
    )
    body = error_of(response, 409)
    assert body["code"] == "conflict"
    assert body["details"][0]["field"] == "email"
    response = api.post(
        "/api/v1/members",
        data=json.dumps({"email": "not-an-email", "role": "agent"}),
        content_type="application/json",
    )
    assert error_of(response, 400)["details"][0]["field"] == "email"


def test_nul_characters_and_lone_surrogates_are_refused_not_stored(api: Client) -> None:
    for text in ("a\u0000b", "\udab7"):
        body = json.dumps({"name": text}, ensure_ascii=True)
        response = api.post("/api/v1/teams", data=body, content_type="application/json")
        assert error_of(response, 422)["code"] == "validation_error"
    assert error_of(api.get("/api/v1/audit?actor=a%00b"), 422)["code"] == "validation_error"

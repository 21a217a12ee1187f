"""Every page and every API endpoint, found from the URL resolver and the OpenAPI
document (so new ones are covered without editing this file), called with another
workspace's ids: always 404, never the other workspace's data."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from rapport.core.models import Membership
from rapport.jobs.models import Job
from tests.factories import PASSWORD, World, make_contact_ids
from tests.factories_listening import make_listening_ids

# Routes that are not about a workspace's data (auth, health, API plumbing, webhooks,
# and the demo's web shop, which plays a customer's public website).
PUBLIC = {
    "",
    "shop/",
    # Webhooks: authenticated by the source's signing secret, not by a session.
    "hooks/listening/<int:source_id>",
    "healthz",
    "login/",
    "logout/",
    "password/change/",
    "password/change/done/",
    "password/reset/",
    "password/reset/sent/",
    "password/reset/<uidb64>/<token>/",
    "password/reset/complete/",
    "api/v1/",
    "api/v1/openapi.json",
    "api/v1/docs",
}
PARAM = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>\w+)>")
METHODS = ("get", "post", "put", "patch", "delete")


def routes() -> Iterator[tuple[str, URLPattern]]:
    def walk(resolver: URLResolver, prefix: str) -> Iterator[tuple[str, URLPattern]]:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                yield from walk(p, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern), p

    seen: set[str] = set()
    for route, pattern in walk(get_resolver(), ""):
        if route not in seen:
            seen.add(route)
            yield route, pattern


def foreign_ids(owner: World, other: World) -> dict[str, str]:
    """What each URL parameter is filled with: always the other workspace's objects."""
    job = Job.objects.create(
        id="foreign-job-0001",
        task_path="tests.jobs.jobtasks.mark",
        args=[],
        kwargs={},
        workspace=other.workspace,
        run_after=other.workspace.created_at,
        enqueued_at=other.workspace.created_at,
    )
    return {
        "member_id": str(other.members["agent"].pk),
        "team_id": str(other.team.pk),
        "token_id": str(_token_id(other)),
        "job_id": job.pk,
        **make_contact_ids(other),
        **make_listening_ids(other),
    }


def _token_id(world: World) -> int:
    from rapport.core.models import ApiToken

    return ApiToken.objects.for_workspace(world.workspace).values_list("pk", flat=True)[0]


def fill(route: str, values: dict[str, str]) -> str:
    def sub(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in values:
            raise AssertionError(
                f"{route}: no cross-workspace value for URL parameter '{name}'; add one to "
                "foreign_ids() so the new endpoint is checked"
            )
        return values[name]

    return "/" + PARAM.sub(sub, route)


def leaks(body: bytes, other: World) -> list[str]:
    text = body.decode(errors="replace")
    secrets = [other.workspace.name, other.team.name, other.token_secret]
    secrets += [f"kept@{other.workspace.slug}.example", f"Kept {other.workspace.slug}"]
    secrets += [m.user.email for m in Membership.objects.for_workspace(other.workspace)]
    return [s for s in secrets if s in text]


@pytest.fixture
def owner_client(world: World) -> Client:
    client = Client()
    assert client.login(username=world.owner.user.email, password=PASSWORD)
    return client


def test_every_page_404s_for_another_workspaces_ids(
    world: World, other_world: World, owner_client: Client
) -> None:
    values = foreign_ids(world, other_world)
    checked = 0
    for route, _pattern in routes():
        if route in PUBLIC or route.startswith("api/"):
            continue
        assert route.startswith("w/<slug:slug>/"), f"{route} is neither public nor per workspace"
        # The foreign workspace's address, and (for routes with ids) the owner's own
        # workspace with foreign ids in it.
        params = {m.group("name") for m in PARAM.finditer(route)}
        urls = [fill(route, {**values, "slug": other_world.workspace.slug})]
        if params - {"slug"}:
            urls.append(fill(route, {**values, "slug": world.workspace.slug}))
        for url in urls:
            statuses = {}
            for method in ("get", "post"):
                response = getattr(owner_client, method)(url)
                statuses[method] = response.status_code
                assert response.status_code in (404, 405), (method, url, response.status_code)
                assert leaks(response.content, other_world) == [], (method, url)
            assert 404 in statuses.values(), (url, statuses)
            checked += 1
    assert checked >= 1


def _example(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _example(options[0], components)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _example(props[k], components) for k in schema.get("required", [])}
    if kind == "array":
        return [_example(schema.get("items", {}), components)] if schema.get("minItems") else []
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "boolean":
        return True
    if schema.get("format") == "email":
        return "someone@example.com"
    if schema.get("format") == "date-time":
        return "2099-01-01T00:00:00Z"
    return "x" * max(1, int(schema.get("minLength", 1)))


def test_every_api_endpoint_404s_for_another_workspaces_ids(
    world: World, other_world: World, api: Client
) -> None:
    values = foreign_ids(world, other_world)
    doc = api.get("/api/v1/openapi.json").json()
    components = doc.get("components", {}).get("schemas", {})
    documented = {path.removeprefix("/api/v1/") for path in doc["paths"]}
    for route, _pattern in routes():
        if route.startswith("api/v1/") and route not in PUBLIC:
            path = PARAM.sub(lambda m: "{" + m.group("name") + "}", route.removeprefix("api/v1/"))
            assert path in documented, f"{route} is routed but not in the OpenAPI document"

    with_ids = 0
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            body = None
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = json.dumps(_example(content["application/json"]["schema"], components))
            url = PARAM.sub(
                lambda m: values[m.group("name")], path.replace("{", "<").replace("}", ">")
            )
            response = getattr(api, method)(url, data=body, content_type="application/json")
            assert leaks(response.content, other_world) == [], (method, url)
            if "{" in path:
                with_ids += 1
                assert response.status_code == 404, (method, url, response.content[:300])
                assert response.json()["error"]["code"] == "not_found"
            else:
                assert response.status_code < 500, (method, url)
    assert with_ids >= 1

"""Role x permission: every guarded page and every API operation, found from the
URL resolver and the OpenAPI document, answers each role exactly as the matrix in
rapport.core.permissions says: allowed -> served, not allowed -> 403."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from rapport.core.models import ApiToken, Role, Scope
from rapport.core.permissions import Perm, role_allows
from rapport.jobs.models import Job
from tests.factories import PASSWORD, World, make_contact_ids, make_world
from tests.factories_listening import make_listening_ids
from tests.test_isolation import PARAM, routes


def own_ids(world: World) -> dict[str, str]:
    job = Job.objects.create(
        id=f"own-job-{world.workspace.pk}",
        task_path="tests.jobs.jobtasks.always_fails",
        args=["x"],
        kwargs={},
        workspace=world.workspace,
        status="FAILED",
        attempts=5,
        max_attempts=5,
        run_after=world.workspace.created_at,
        enqueued_at=world.workspace.created_at,
    )
    token = ApiToken.objects.for_workspace(world.workspace).get()
    return {
        "slug": world.workspace.slug,
        "member_id": str(world.members["analyst"].pk),
        "team_id": str(world.team.pk),
        "token_id": str(token.pk),
        "job_id": job.pk,
        **make_contact_ids(world),
        **make_listening_ids(world),
    }


def guarded_routes() -> list[tuple[str, Perm]]:
    found = []
    for route, pattern in routes():
        perm = getattr(pattern.callback, "required_perm", None)
        if perm is not None:
            found.append((route, Perm(perm)))
    return found


def _url(route: str, ids: dict[str, str]) -> str:
    return "/" + PARAM.sub(lambda m: ids[m.group("name")], route)


def _client_for(world: World, role: str) -> Client:
    client = Client()
    assert client.login(username=world.members[role].user.email, password=PASSWORD)
    return client


def test_every_guarded_page_follows_the_matrix(db: Any) -> None:
    routes_and_perms = guarded_routes()
    assert len(routes_and_perms) >= 8, routes_and_perms
    world = make_world("Matrix")
    ids = own_ids(world)
    clients = {role.value: _client_for(world, role.value) for role in Role}
    post_only: list[tuple[str, Perm]] = []
    for route, perm in routes_and_perms:
        url = _url(route, ids)
        for role, client in clients.items():
            status = client.get(url).status_code
            if status == 405:
                post_only.append((route, perm))
                break
            expected = 200 if role_allows(role, perm) else 403
            assert status == expected, (role, perm.value, url, status)

    # Writes: a role without the permission is refused before anything happens;
    # a role with it gets through (checked on a fresh workspace each time).
    for route, perm in post_only:
        world = make_world(f"W{abs(hash(route)) % 10**6}")
        ids = own_ids(world)
        url = _url(route, ids)
        for role in Role:
            if not role_allows(role.value, perm):
                response = _client_for(world, role.value).post(url)
                assert response.status_code == 403, (role.value, perm.value, url)
        allowed = next(r for r in Role if role_allows(r.value, perm))
        response = _client_for(world, allowed.value).post(url)
        assert response.status_code != 403, (allowed.value, perm.value, url)


def _token_for(world: World, role: str) -> str:
    """A token with every scope for a member of ``role``; the role still limits it."""
    from rapport.core.actions.tokens import TOKEN_PREFIX, digest

    secret = f"{TOKEN_PREFIX}matrix-{world.workspace.pk}-{role}-0123456789abcdef"
    ApiToken.objects.create(
        workspace=world.workspace,
        name=f"{role} token",
        prefix=secret[:12],
        digest=digest(secret),
        scopes=[s.value for s in Scope],
        created_by=world.members[role],
    )
    return secret


def _operations(client: Client) -> list[tuple[str, str, Perm]]:
    doc = client.get("/api/v1/openapi.json").json()
    ops = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            perm = operation.get("x-permission")
            assert perm, f"{method.upper()} {path} does not declare x-permission"
            ops.append((path, method, Perm(perm)))
    return ops


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_api_read_follows_the_matrix(db: Any, role: str) -> None:
    world = make_world("Api")
    ids = own_ids(world)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {_token_for(world, role)}")
    call: Callable[..., Any]
    for path, method, perm in _operations(client):
        if method != "get":
            continue
        url = PARAM.sub(lambda m: ids[m.group("name")], re.sub(r"\{(\w+)\}", r"<\1>", path))
        call = client.get
        status = call(url).status_code
        expected = 200 if role_allows(role, perm) else 403
        assert status == expected, (role, perm.value, url, status)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_api_writes_are_refused_for_roles_without_the_permission(db: Any, role: str) -> None:
    world = make_world("ApiW")
    ids = own_ids(world)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {_token_for(world, role)}")
    for path, method, perm in _operations(client):
        if method == "get" or role_allows(role, perm):
            continue
        url = PARAM.sub(lambda m: ids[m.group("name")], re.sub(r"\{(\w+)\}", r"<\1>", path))
        response = getattr(client, method)(url, data="{}", content_type="application/json")
        # Denied before the body is even looked at, so an empty body still gets 403.
        assert response.status_code == 403, (role, perm.value, method, url, response.content)
        assert response.json()["error"]["code"] == "forbidden"

"""Login is rate limited; secrets never reach the logs; tokens are stored hashed."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from rapport.core.actions.tokens import authenticate_token, digest, do_revoke_token
from rapport.core.logging import RedactSecretsFilter, redact
from rapport.core.models import ApiToken
from tests.factories import PASSWORD, World


def _login(client: Client, email: str, password: str) -> int:
    return client.post("/login/", {"username": email, "password": password}).status_code


def test_login_locks_after_repeated_failures(world: World) -> None:
    client = Client()
    email = world.owner.user.email
    for _ in range(5):
        assert _login(client, email, "wrong") == 200  # form redisplayed with an error
    response = client.post("/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out by someone else's failures.
    other = Client(REMOTE_ADDR="10.0.0.7")
    assert _login(other, email, PASSWORD) == 302


def test_successful_login_clears_failures(world: World) -> None:
    client = Client()
    email = world.owner.user.email
    for _ in range(3):
        _login(client, email, "wrong")
    assert _login(client, email, PASSWORD) == 302
    client.logout()
    for _ in range(3):
        _login(client, email, "wrong")
    assert _login(client, email, PASSWORD) == 302


def test_session_cookie_is_httponly_and_samesite(world: World) -> None:
    client = Client()
    _login(client, world.owner.user.email, PASSWORD)
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_tokens_are_stored_as_digests_and_can_be_revoked(world: World) -> None:
    token = ApiToken.objects.for_workspace(world.workspace).get()
    assert world.token_secret not in (token.digest, token.prefix)
    assert token.digest == digest(world.token_secret)
    assert authenticate_token(world.token_secret) == token
    do_revoke_token(world.actor(), token)
    assert authenticate_token(world.token_secret) is None
    assert authenticate_token("rpt_" + "x" * 40) is None
    assert authenticate_token("not-a-token") is None


@pytest.mark.parametrize(
    ("line", "leak"),
    [
        ("Authorization: Bearer rpt_abcDEF1234567890xyz", "rpt_abcDEF1234567890xyz"),
        ("login failed password=hunter2 for bob", "hunter2"),
        ('{"secret": "s3cr3t-value"}', "s3cr3t-value"),
        ("token=tok_987654321", "tok_987654321"),
    ],
)
def test_secrets_are_redacted_from_logs(line: str, leak: str) -> None:
    assert leak not in redact(line)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "seen: %s", (line,), None)
    RedactSecretsFilter().filter(record)
    assert leak not in record.getMessage()
    assert "seen:" in record.getMessage()

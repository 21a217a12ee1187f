"""Every UI page renders for its users, and none would need an inline script or
style to work (the CSP forbids both)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from rapport.core.models import Role
from rapport.jobs.models import Job
from rapport.web.middleware import CONTENT_SECURITY_POLICY
from tests.factories import PASSWORD, World, make_contact_ids
from tests.factories_listening import make_listening_ids
from tests.test_isolation import PARAM, routes


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, style attributes or
    blocks, and on* handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names and ("type", "application/json") not in attrs:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> block")
        if "style" in names:
            self.problems.append(f"style= on <{tag}>")
        self.problems += [f"{n}= on <{tag}>" for n in names if n.startswith("on")]


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.problems


def page_urls(world: World) -> list[str]:
    job = Job.objects.create(
        id="page-job",
        task_path="tests.jobs.jobtasks.always_fails",
        args=["x"],
        kwargs={},
        workspace=world.workspace,
        status="FAILED",
        attempts=1,
        max_attempts=1,
        errors=[{"message": "RuntimeError: boom", "attempt": 1}],
        run_after=world.workspace.created_at,
        enqueued_at=world.workspace.created_at,
    )
    ids = {
        "slug": world.workspace.slug,
        "team_id": str(world.team.pk),
        "member_id": str(world.members["agent"].pk),
        "token_id": "1",
        "job_id": job.pk,
        **make_contact_ids(world),
        **make_listening_ids(world),
    }
    urls = []
    for route, pattern in routes():
        if getattr(pattern.callback, "required_perm", None) is None:
            continue
        urls.append("/" + PARAM.sub(lambda m: ids[m.group("name")], route))
    return urls


@pytest.fixture
def owner(world: World) -> Client:
    client = Client()
    client.force_login(world.owner.user)
    return client


def test_every_page_renders_for_the_owner_without_inline_code(world: World, owner: Client) -> None:
    rendered = 0
    for url in page_urls(world):
        response = owner.get(url)
        if response.status_code == 405:  # a POST-only action
            continue
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        if not response["Content-Type"].startswith("text/html"):
            continue  # a download (CSV export, import report)
        html = response.content.decode()
        assert inline_code(html) == [], url
        assert world.workspace.name in html
        rendered += 1
    assert rendered >= 14


@pytest.mark.parametrize(
    "url", ["/login/", "/password/reset/", "/password/reset/sent/", "/password/reset/complete/"]
)
def test_public_pages_render_without_inline_code(db: Any, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 200
    assert inline_code(response.content.decode()) == []


def test_navigation_shows_only_the_modules_a_role_may_open(world: World) -> None:
    client = Client()
    client.force_login(world.members[Role.AGENT].user)
    html = client.get(f"/w/{world.workspace.slug}/").content.decode()
    assert f"/w/{world.workspace.slug}/inbox/" in html
    assert f"/w/{world.workspace.slug}/journeys/" not in html  # agents do not run journeys
    assert 'data-hotkey="i"' in html


def test_workspace_switcher_lists_every_workspace_of_the_user(
    world: World, other_world: World
) -> None:
    from rapport.core.actions.members import do_add_member

    do_add_member(other_world.actor(), email=world.owner.user.email, role="analyst")
    client = Client()
    client.force_login(world.owner.user)
    html = client.get(f"/w/{world.workspace.slug}/").content.decode()
    assert f"/w/{other_world.workspace.slug}/" in html
    assert other_world.workspace.name in html


def test_home_redirects_to_the_last_workspace(world: World, owner: Client) -> None:
    assert owner.get("/")["Location"] == f"/w/{world.workspace.slug}/"


def test_login_logout_and_unknown_pages(world: World) -> None:
    client = Client()
    bad = client.post("/login/", {"username": world.owner.user.email, "password": "wrong"})
    assert bad.status_code == 200
    assert "correct email" in bad.content.decode().lower()
    good = client.post("/login/", {"username": world.owner.user.email, "password": PASSWORD})
    assert good.status_code == 302
    assert client.get("/w/no-such-workspace/").status_code == 404
    assert client.post("/logout/").status_code == 302
    assert client.get(f"/w/{world.workspace.slug}/").status_code == 302  # to login


def test_password_reset_mails_a_link_that_sets_the_password(world: World) -> None:
    client = Client()
    email = world.members["agent"].user.email
    assert client.post("/password/reset/", {"email": email}).status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/password/reset/\S+/)", str(mail.outbox[0].body))
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1)
    done = client.post(
        set_url, {"new_password1": "a-much-better-pw-42", "new_password2": "a-much-better-pw-42"}
    )
    assert done.status_code == 302
    assert Client().login(username=email, password="a-much-better-pw-42")


def test_password_change_needs_the_old_password(world: World, owner: Client) -> None:
    wrong = owner.post(
        "/password/change/",
        {
            "old_password": "nope",
            "new_password1": "x-new-pw-2024!",
            "new_password2": "x-new-pw-2024!",
        },
    )
    assert wrong.status_code == 200
    assert "old password" in wrong.content.decode().lower()
    ok = owner.post(
        "/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "x-new-pw-2024!",
            "new_password2": "x-new-pw-2024!",
        },
    )
    assert ok.status_code == 302

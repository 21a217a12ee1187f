"""Contacts in the UI: create, search (full page and htmx rows), the contact page,
identities that merge, undo, duplicates review, notes and tasks."""

from __future__ import annotations

from django.test import Client

from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.facade import observe
from rapport.contacts.models import Contact, ContactStatus, DuplicateSuggestion, MergeRecord, Task
from rapport.contacts.resolution import Claim
from tests.factories import World


def agent(world: World) -> Client:
    client = Client()
    client.force_login(world.members["agent"].user)
    return client


def test_create_search_and_open_a_contact(world: World) -> None:
    client = agent(world)
    base = f"/w/{world.workspace.slug}/contacts/"
    created = client.post(f"{base}new/", {"full_name": "Anna Kowalska", "email": "Anna@Ex.com"})
    assert created.status_code == 302
    contact = Contact.objects.for_workspace(world.workspace).get(full_name="Anna Kowalska")
    assert created["Location"] == f"{base}{contact.pk}/"
    page = client.get(f"{base}?q=anna@ex").content.decode()
    assert "Anna Kowalska" in page
    rows = client.get(f"{base}?q=nobody-like-that", HTTP_HX_REQUEST="true").content.decode()
    assert "No contacts match" in rows
    assert "<html" not in rows  # a partial for htmx
    detail = client.get(f"{base}{contact.pk}/").content.decode()
    assert "anna@ex.com" in detail
    assert "Lead" in detail
    empty = client.post(f"{base}new/", {"full_name": "", "email": "", "phone": ""})
    assert empty.status_code == 400
    assert "at least a name" in empty.content.decode()


def test_adding_a_taken_identity_merges_and_undo_splits_again(world: World) -> None:
    client = agent(world)
    actor = world.actor("agent")
    ann = do_create_contact(actor, identities=[Claim("email", "ann@ex.com")]).contact
    other = do_create_contact(actor, full_name="Ann on X", identities=[Claim("x", "ann_x")]).contact
    base = f"/w/{world.workspace.slug}/contacts/"
    response = client.post(
        f"{base}{other.pk}/identities/add/", {"kind": "email", "value": "ANN@ex.com"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{base}{ann.pk}/"
    record = MergeRecord.objects.for_workspace(world.workspace).get()
    undo = client.post(f"{base}merges/{record.pk}/undo/")
    assert undo["Location"] == f"{base}{other.pk}/"
    assert Contact.objects.for_workspace(world.workspace).get(pk=other.pk).status == "active"
    bad = client.post(f"{base}{ann.pk}/identities/add/", {"kind": "phone", "value": "12"})
    assert bad.status_code == 400
    assert "phone number" in bad.content.decode()


def test_duplicates_review_merges_or_dismisses(world: World) -> None:
    client = agent(world)
    ws = world.workspace
    a = observe(ws, [Claim("email", "a@ex.com")], trusted=True, source="shop").contact
    b = observe(ws, [Claim("email", "b@ex.com")], trusted=True, source="shop").contact
    observe(ws, [Claim("email", "a@ex.com"), Claim("email", "b@ex.com")], trusted=False,
            source="browser")  # fmt: skip
    base = f"/w/{ws.slug}/contacts/"
    review = client.get(f"{base}duplicates/").content.decode()
    assert "a@ex.com" in review
    assert "b@ex.com" in review
    suggestion = DuplicateSuggestion.objects.for_workspace(ws).get()
    client.post(f"{base}duplicates/{suggestion.pk}/merge/")
    assert Contact.objects.for_workspace(ws).get(pk=b.pk).merged_into_id == a.pk
    assert "Nothing to review" in client.get(f"{base}duplicates/").content.decode()


def test_notes_and_tasks(world: World) -> None:
    client = agent(world)
    contact = do_create_contact(world.actor("agent"), full_name="Tom").contact
    base = f"/w/{world.workspace.slug}/contacts/{contact.pk}/"
    client.post(f"{base}notes/add/", {"body": "prefers <b>oat</b> milk"})
    client.post(f"{base}tasks/add/", {"title": "Send samples", "due_at": "2030-01-02"})
    page = client.get(base).content.decode()
    assert "prefers &lt;b&gt;oat&lt;/b&gt; milk" in page  # escaped, never markup
    task = Task.objects.for_workspace(world.workspace).get()
    assert task.due_at is not None
    client.post(f"/w/{world.workspace.slug}/contacts/tasks/{task.pk}/toggle/")
    task.refresh_from_db()
    assert task.done


def test_analyst_can_read_but_not_change_contacts(world: World) -> None:
    client = Client()
    client.force_login(world.members["analyst"].user)
    contact = do_create_contact(world.actor("agent"), full_name="Read Only").contact
    base = f"/w/{world.workspace.slug}/contacts/"
    page = client.get(f"{base}{contact.pk}/").content.decode()
    assert "Read Only" in page
    assert "Add note" not in page
    assert client.post(f"{base}{contact.pk}/notes/add/", {"body": "x"}).status_code == 403
    assert Contact.objects.for_workspace(world.workspace).get(pk=contact.pk).status == (
        ContactStatus.ACTIVE
    )


def test_a_task_can_be_given_to_a_colleague(world: World) -> None:
    client = agent(world)
    contact = do_create_contact(world.actor("agent"), full_name="Ula").contact
    base = f"/w/{world.workspace.slug}/contacts/{contact.pk}/"
    page = client.get(base).content.decode()
    assert 'name="assignee"' in page
    manager = world.members["manager"]
    client.post(f"{base}tasks/add/", {"title": "Send samples", "assignee": str(manager.pk)})
    task = Task.objects.for_workspace(world.workspace).get(title="Send samples")
    assert task.assignee_id == manager.pk
    assert manager.user.full_name in client.get(base).content.decode()
    bad = client.post(f"{base}tasks/add/", {"title": "x", "assignee": "999999"})
    assert bad.status_code == 400


def test_the_merge_dialog_shows_both_sides_before_anything_happens(world: World) -> None:
    from rapport.contacts.actions.people import do_add_note

    client = agent(world)
    actor = world.actor("agent")
    old = do_create_contact(actor, full_name="", city="Gdańsk",
                            identities=[Claim("email", "ola@ex.com")]).contact  # fmt: skip
    new = do_create_contact(actor, full_name="Ola Nowak", city="Sopot", tags=["vip"],
                            identities=[Claim("x", "ola_n")]).contact  # fmt: skip
    do_add_note(actor, new, body="Prefers e-mail")
    base = f"/w/{world.workspace.slug}/contacts/{new.pk}/"
    page = client.get(f"{base}merge/preview/", {"other": "ola@ex.com"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f"#{old.pk}, the older one" in html  # the older contact survives
    assert "filled in" in html  # its empty name takes "Ola Nowak"
    assert "kept Gdańsk" in html  # both had a city: the survivor's stays
    assert "adds vip" in html
    assert "1 note" in html
    assert "ola_n" in html
    assert "ola@ex.com" in html
    # Nothing merged yet; the dialog's button does it.
    assert Contact.objects.for_workspace(world.workspace).get(pk=new.pk).status == "active"
    client.post(f"{base}merge/", {"other": str(old.pk)})
    assert Contact.objects.for_workspace(world.workspace).get(pk=new.pk).merged_into_id == old.pk
    missing = client.get(f"{base}merge/preview/", {"other": "nobody@ex.com"})
    assert missing.status_code == 404
    assert "No contact has that id or identity." in missing.content.decode()
    again = client.get(f"{base}merge/preview/", {"other": str(old.pk)})
    assert again.status_code == 409
    assert "merged already" in again.content.decode()
    chooser = client.get(f"/w/{world.workspace.slug}/contacts/{old.pk}/merge/preview/")
    assert chooser.status_code == 200
    assert 'name="other"' in chooser.content.decode()

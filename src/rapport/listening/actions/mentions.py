"""What agents do to a post that mentions a topic: correct the model, tag it, mark it
handled, link it (and its author) to a contact."""

from __future__ import annotations

from django.db import transaction

from rapport.contacts.actions.people import do_add_identity
from rapport.contacts.models import Contact
from rapport.core.actor import Actor
from rapport.core.audit import record
from rapport.core.errors import DomainError
from rapport.core.events import Event, publish
from rapport.core.permissions import Perm

from ..models import Author, Correction, Intent, Mention, Post, Sentiment
from ..store import identity_kind

MAX_TAGS, MAX_TAG = 20, 40


def do_correct_post(actor: Actor, post: Post, *, field: str, value: str) -> Post:
    """An agent's sentiment or intent replaces the model's, on the post and its
    mentions, and is kept as training data for the workspace's model."""
    actor.require(Perm.MENTIONS_MANAGE)
    choices = {"sentiment": Sentiment.values, "intent": Intent.values}.get(field)
    if choices is None:
        raise DomainError("Only sentiment or intent can be corrected.", field="field")
    if value not in choices:
        raise DomainError(f"Choose one of: {', '.join(choices)}.", field=field)
    before = str(getattr(post, field))
    with transaction.atomic():
        setattr(post, field, value)
        post.corrected = True
        post.save(update_fields=[field, "corrected"])
        Mention.objects.for_workspace(actor.workspace).filter(post=post).update(**{field: value})
        Correction.objects.create(workspace=actor.workspace, post=post, field=field,
                                  before=before, after=value, text=post.text,
                                  by=actor.membership)  # fmt: skip
        record(actor, f"post.correct_{field}", post, before={field: before}, after={field: value})
        publish(Event.MENTION_CORRECTED, actor.workspace.pk, post_id=post.pk, field=field,
                value=value)  # fmt: skip
    return post


def do_tag_post(actor: Actor, post: Post, *, tags: list[str]) -> Post:
    actor.require(Perm.MENTIONS_MANAGE)
    clean = list(dict.fromkeys(" ".join(t.split())[:MAX_TAG] for t in tags if t.strip()))
    if len(clean) > MAX_TAGS:
        raise DomainError(f"At most {MAX_TAGS} tags.", field="tags")
    with transaction.atomic():
        before = list(post.tags)
        post.tags = clean
        post.save(update_fields=["tags"])
        record(actor, "post.tag", post, before={"tags": before}, after={"tags": clean})
    return post


def do_mark_handled(actor: Actor, post: Post, *, handled: bool = True) -> Post:
    actor.require(Perm.MENTIONS_MANAGE)
    with transaction.atomic():
        post.handled = handled
        post.save(update_fields=["handled"])
        record(actor, "post.handled" if handled else "post.unhandled", post)
    return post


def do_link_post(actor: Actor, post: Post, contact: Contact) -> Post:
    """This post's author is this contact: the post and the author are linked, and
    the contact gets the author's network identity, so the author's next posts link
    on their own (and a contact that already held it is merged, as any trusted
    identity would)."""
    actor.require(Perm.MENTIONS_MANAGE)
    if contact.workspace_id != actor.workspace.pk or post.workspace_id != actor.workspace.pk:
        raise DomainError("That contact is not in this workspace.", field="contact")
    author = Author.objects.for_workspace(actor.workspace).get(pk=post.author_id)
    with transaction.atomic():
        linked = contact
        kind = identity_kind(post.network, author.handle)
        if kind:  # feeds and webhooks have no identities
            linked = do_add_identity(actor, contact, kind=kind, value=author.handle).contact
        author.contact = linked
        author.save(update_fields=["contact"])
        Post.objects.for_workspace(actor.workspace).filter(author=author).update(
            contact=linked, suggested_contact=None, suggestion_confidence=None
        )
        post.refresh_from_db()
        record(actor, "post.link", post, after={"contact": linked.pk})
    return post

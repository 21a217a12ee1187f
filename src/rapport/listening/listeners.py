"""Listening reacts to contacts: posts and authors linked to a contact move with it on
a merge and back on an unmerge."""

from __future__ import annotations

from rapport.contacts.ownership import register

from .models import Author, Post

register(Author)
register(Post)
register(Post, contact_field="suggested_contact")

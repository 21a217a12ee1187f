"""Contact-owned tables of this app, registered for merges at start-up (the jobs app
imports every app's ``listeners`` module when Django is ready)."""

from __future__ import annotations

from .models import Note, Task, TimelineEntry
from .ownership import register

register(Note)
register(Task)
register(TimelineEntry, identity_field="identity")

"""Contact-owned tables of this app, registered for merges at start-up (the jobs app
imports every app's ``listeners`` module when Django is ready)."""

from __future__ import annotations

from .models import Consent, Note, Task, TimelineEntry
from .ownership import register

register(Consent)
register(Note)
register(Task)
register(TimelineEntry, identity_field="identity")

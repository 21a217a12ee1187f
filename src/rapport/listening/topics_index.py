"""All active topics of all workspaces in one matcher, kept current while posts flow.

``refresh()`` is cheap when nothing changed (one aggregate query), so the ``listen``
process calls it twice a second: a topic saved in the web app matches the next posts
within a second, and ingestion never pauses for it (the matcher swaps its automaton
in the background)."""

from __future__ import annotations

import threading

from django.db.models import Count, Max

from .models import Topic
from .query import Matcher, PostText


class TopicIndex:
    def __init__(self) -> None:
        self.matcher = Matcher()
        self._workspace_of: dict[int, int] = {}
        self._version: tuple[object, int] | None = None
        self._lock = threading.Lock()

    def refresh(self) -> bool:
        """Apply topic changes since the last call; True when something changed."""
        active = Topic.unscoped.filter(active=True)
        stamp = active.aggregate(last=Max("updated_at"), n=Count("id"))
        version = (stamp["last"], int(stamp["n"]))
        if version == self._version:
            return False
        with self._lock:
            since = self._version[0] if self._version else None
            fields = ("pk", "workspace_id", "query", "match_diacritics")
            if since is None:  # the first call: every topic compiled at once
                rows = list(active.values_list(*fields))
                self.matcher.load([(pk, query, d) for pk, _ws, query, d in rows])
                self._workspace_of = {pk: ws for pk, ws, _q, _d in rows}
            else:
                changed = active.filter(updated_at__gte=since).values_list(*fields)
                for pk, ws, query, diacritics in changed:
                    self.matcher.set_topic(pk, query, diacritics=diacritics)
                    self._workspace_of[pk] = ws
            live = set(active.values_list("pk", flat=True))
            for gone in set(self._workspace_of) - live:
                self.matcher.remove_topic(gone)
                del self._workspace_of[gone]
            self._version = version
        return True

    def match(self, workspace_id: int, post: PostText) -> list[int]:
        """The workspace's topics this post matches (the matcher holds everyone's)."""
        return sorted(
            t for t in self.matcher.match(post) if self._workspace_of.get(t) == workspace_id
        )

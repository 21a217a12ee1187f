"""All topics of all workspaces in one matcher.

Matching a post: fold and tokenise it once, find every known term in it with one
Aho-Corasick scan (plus dict lookups for hashtags, handles and fields), take the
topics those terms anchor as candidates, and evaluate only the candidates' predicates
over the set of terms found. The cost per post follows the number of terms the post
contains and the topics they anchor, not the number of topics.

Changing topics without pausing ingestion:

- The compiled snapshot (``Index``) is immutable. Readers take ``self._state`` (one
  attribute read, atomic under the GIL) and use it without locks.
- ``set_topic`` / ``remove_topic`` parse and compile the topic's direct evaluator in
  the caller, then publish a new state whose ``pending`` dict holds the change. From
  the next ``match`` call on, a pending topic is evaluated on its own (the slower
  per-topic path) and the snapshot's answer for it is ignored, so a change is visible
  within microseconds.
- A builder thread wakes on changes, waits ``rebuild_delay`` so a burst of changes
  makes one build, builds a new snapshot from the topics as they were when it started
  (recompiling only changed topics; term ids are reference-counted and stable), then
  swaps state in one assignment, keeping in ``pending`` only the changes made while
  it was building.
- State (snapshot + pending) is swapped as one object, so a reader never sees the new
  snapshot with the old pending set or the reverse. Writers serialise on a lock; any
  number of threads may call ``match``.
- The builder thread starts with the first change and ends after ``idle_exit``
  seconds without one, so a short-lived matcher (a backfill, a preview) leaves no
  thread behind and is freed; ``close()`` or ``with Matcher() as m:`` ends it at once.

At most ``PENDING_LIMIT`` changes wait on the direct path (each costs every post a
little, and each change copies the pending map). Beyond that, as when thousands of
topics are saved at once, further changes reach ``match`` with the next build (a
second or two for 50,000 topics), not at once. ``load`` replaces every topic and
builds in the caller: the way to start a worker with many topics."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .compile import Acquired, CompiledTopic, Direct, Interner, acquire, compile_direct, finish
from .index import EMPTY, Index, build_index
from .nodes import Query
from .parser import parse, validate
from .post import PostText, PostTokens, analyse

log = logging.getLogger(__name__)

PENDING_LIMIT = 256


@dataclass(eq=False, slots=True)
class _Topic:
    query: Query
    diacritics: bool
    direct: Direct | None = field(repr=False)  # set for topics that may be pending


@dataclass(frozen=True, slots=True)
class _Change:
    seq: int
    topic: _Topic | None  # None: removed


@dataclass(frozen=True, slots=True)
class _State:
    index: Index
    pending: Mapping[int, _Change]


def _topic(query: str | Query, diacritics: bool, *, direct: bool = True) -> _Topic:
    tree = parse(query) if isinstance(query, str) else validate(query)
    return _Topic(tree, diacritics, compile_direct(tree, diacritics) if direct else None)


class Matcher:
    def __init__(
        self, *, finder: str = "automaton", rebuild_delay: float = 0.05, idle_exit: float = 30.0
    ) -> None:
        self._finder = finder
        self._delay = rebuild_delay
        self._idle_exit = idle_exit  # seconds without changes before the builder ends
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._topics: dict[int, _Topic] = {}
        self._seq = 0  # bumped by every change
        self._built_seq = 0  # the last change the snapshot includes
        self._state = _State(EMPTY, {})
        self._thread: threading.Thread | None = None
        self._closed = False
        self._stop = threading.Event()
        # Owned by whoever holds _build_lock (the builder thread, or load()).
        self._build_lock = threading.Lock()
        self._interner = Interner()
        self._compiled: dict[int, tuple[_Topic, CompiledTopic]] = {}
        self._builds = 0
        self._last_build = (0.0, 0.0)  # wall and CPU seconds of the builder thread

    # Reading

    def match(self, post: PostText | PostTokens) -> set[int]:
        """Ids of the topics the post matches."""
        state = self._state
        tokens = analyse(post)
        found = state.index.match(tokens)
        for topic_id, change in state.pending.items():
            found.discard(topic_id)
            topic = change.topic
            if topic is not None and topic.direct is not None and topic.direct(tokens):
                found.add(topic_id)
        return found

    def __len__(self) -> int:
        return len(self._topics)

    def __contains__(self, topic_id: object) -> bool:
        return topic_id in self._topics

    def stats(self) -> dict[str, float]:
        """For monitoring: sizes, and what the last build cost."""
        return {
            "topics": len(self._topics),
            "terms": len(self._interner),
            "pending": len(self._state.pending),
            "builds": self._builds,
            "last_build_s": round(self._last_build[0], 4),
            "last_build_cpu_s": round(self._last_build[1], 4),
        }

    @property
    def pending(self) -> int:
        """Changes not yet in the compiled snapshot."""
        return len(self._state.pending)

    # Writing

    def set_topic(self, topic_id: int, query: str | Query, *, diacritics: bool = False) -> None:
        """Add or replace a topic; raises ``QuerySyntaxError`` (and changes nothing) for a
        bad query. ``diacritics=True`` makes them significant ("Łódź" then does not
        match "lodz"); by default they are ignored."""
        topic = _topic(query, diacritics)
        with self._lock:
            same = self._topics.get(topic_id)
            if same is not None and (same.query, same.diacritics) == (topic.query, diacritics):
                return  # saved again unchanged: no rebuild
            self._topics[topic_id] = topic
            self._publish(topic_id, topic)

    def remove_topic(self, topic_id: int) -> bool:
        """False if there was no such topic."""
        with self._lock:
            if self._topics.pop(topic_id, None) is None:
                return False
            self._publish(topic_id, None)
            return True

    def load(self, topics: Iterable[tuple[int, str | Query, bool]]) -> None:
        """Replace every topic with ``(id, query, diacritics)`` rows, compiled before
        this returns. A bad query raises before anything changes."""
        # Never pending, so no direct evaluator: less memory and a faster start.
        fresh = {
            topic_id: _topic(query, diacritics, direct=False)
            for topic_id, query, diacritics in topics
        }
        with self._build_lock:
            with self._lock:
                self._seq += 1
                seq = self._seq
                self._topics = dict(fresh)
            index = self._build(fresh)
            with self._changed:
                self._install(index, seq)

    def sync(self, timeout: float | None = None) -> bool:
        """Wait until every change so far is in the compiled snapshot; False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self._built_seq >= self._seq, timeout)

    def close(self) -> None:
        """Stop the builder thread (pending changes stay on the direct path). Optional:
        an idle builder ends by itself."""
        with self._changed:
            self._closed = True
            self._stop.set()
            self._changed.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()

    def __enter__(self) -> Matcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # Inside

    def _publish(self, topic_id: int, topic: _Topic | None) -> None:
        """Under self._lock."""
        self._seq += 1
        pending = self._state.pending
        if len(pending) < PENDING_LIMIT or topic_id in pending:
            pending = dict(pending)
            pending[topic_id] = _Change(self._seq, topic)
            self._state = _State(self._state.index, pending)
        if self._thread is None and not self._closed:
            self._thread = threading.Thread(target=self._run, name="topic-matcher", daemon=True)
            self._thread.start()
        self._changed.notify_all()

    def _install(self, index: Index, seq: int) -> None:
        """Under self._lock: the snapshot now holds every change up to ``seq``."""
        if seq <= self._built_seq:
            return
        left = {t: c for t, c in self._state.pending.items() if c.seq > seq}
        self._state = _State(index, left)
        self._built_seq = seq
        self._changed.notify_all()

    def _run(self) -> None:
        while True:
            with self._changed:
                busy = self._changed.wait_for(
                    lambda: self._closed or self._built_seq < self._seq, self._idle_exit
                )
                if self._closed or not busy:
                    # Idle: the thread ends (and no longer keeps the matcher alive); the
                    # next change starts another.
                    self._thread = None
                    return
            if self._stop.wait(self._delay):
                return
            try:
                with self._build_lock:
                    with self._lock:
                        seq, topics = self._seq, dict(self._topics)
                    index = self._build(topics)
                    with self._changed:
                        self._install(index, seq)
            except Exception:
                # The changes stay pending and correct on the direct path; try again.
                log.exception("rebuilding the topic matcher failed")
                if self._stop.wait(1.0):
                    return

    def _build(self, topics: Mapping[int, _Topic]) -> Index:
        """Under self._build_lock."""
        wall, cpu = time.perf_counter(), time.thread_time()
        index = self._build_index(topics)
        self._builds += 1
        self._last_build = (time.perf_counter() - wall, time.thread_time() - cpu)
        return index

    def _build_index(self, topics: Mapping[int, _Topic]) -> Index:
        old, new = self._compiled, {}
        fresh: list[tuple[int, _Topic, Acquired]] = []
        for topic_id, topic in topics.items():
            before = old.get(topic_id)
            if before is not None and before[0] is topic:
                new[topic_id] = before
            else:
                terms = acquire(topic.query, topic.diacritics, self._interner)
                fresh.append((topic_id, topic, terms))
        for topic_id, (topic, compiled) in old.items():
            kept = topics.get(topic_id)
            if kept is not topic:
                self._interner.release(compiled.term_ids)
        for topic_id, topic, terms in fresh:
            new[topic_id] = (topic, finish(topic.query, terms, self._interner))
        self._compiled = new
        return build_index({t: c for t, (_, c) in new.items()}, self._interner, self._finder)

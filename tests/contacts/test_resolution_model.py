"""Identity resolution against a reference model.

Hypothesis runs random sequences of observations (trusted and untrusted, over a
small pool of identities so they collide often) and unmerges, and compares the
people in the database with a model written here from the documented rules:
union-find over the observations, where an unmerge replays the log without the
undone merge's link.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.contacts.models import Contact, ContactStatus, Identity, MergeRecord
from rapport.contacts.resolution import Claim, resolve, unmerge
from rapport.core.errors import Conflict
from rapport.core.models import Workspace

POOL = [
    ("email", "ann@example.com"),
    ("email", "bob@example.com"),
    ("phone", "+48600100200"),
    ("x", "ann_x"),
    ("anonymous", "anon-1"),
    ("anonymous", "anon-2"),
    ("anonymous", "anon-3"),
]
Key = tuple[str, str]


class Model:
    """The rules, re-stated as simply as possible over identity keys."""

    def __init__(self) -> None:
        self.log: list[tuple[list[Key], bool]] = []
        self.cut: list[tuple[int, frozenset[Key]]] = []  # (observation index, loser keys)

    def people(self) -> set[frozenset[Key]]:
        parent: dict[Key, Key] = {}

        def find(x: Key) -> Key:
            while parent[x] != x:
                x = parent[x]
            return x

        def known(root: Key) -> bool:
            return any(k[0] != "anonymous" for k in parent if find(k) == root)

        for index, (logged, trusted) in enumerate(self.log):
            cut = {k for n, loser in self.cut if n == index for k in loser}
            keys = [k for k in logged if k not in cut]
            roots = list(dict.fromkeys(find(k) for k in keys if k in parent))
            new = [k for k in keys if k not in parent]
            for k in new:
                parent[k] = k
            knowns = [r for r in roots if known(r)]
            if trusted or len(knowns) <= 1:
                group = roots + new
            else:
                group = [knowns[0]] + [r for r in roots if not known(r)] + new
            for other in group[1:]:
                a, b = find(group[0]), find(other)
                if a != b:
                    parent[b] = a
        out: dict[Key, set[Key]] = {}
        for k in parent:
            out.setdefault(find(k), set()).add(k)
        return {frozenset(v) for v in out.values()}


def db_people(ws: Workspace) -> set[frozenset[Key]]:
    by_contact: dict[int, set[Key]] = {}
    for i in Identity.objects.for_workspace(ws):
        by_contact.setdefault(i.contact_id, set()).add((i.kind, i.value))
    merged = set(
        Contact.objects.for_workspace(ws)
        .filter(status=ContactStatus.MERGED)
        .values_list("pk", flat=True)
    )
    assert not merged & set(by_contact), "a merged contact still holds identities"
    return {frozenset(v) for v in by_contact.values()}


observation = st.tuples(
    st.lists(st.sampled_from(POOL), min_size=1, max_size=3, unique=True), st.booleans()
)
step = st.one_of(
    observation.map(lambda o: ("observe", o)),
    st.integers(min_value=0, max_value=20).map(lambda n: ("unmerge", n)),
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(steps=st.lists(step, min_size=1, max_size=12))
def test_resolution_matches_the_reference_model(steps: list[tuple[str, Any]], db: Any) -> None:
    from tests.factories import make_world

    ws = make_world("Model").workspace
    model = Model()
    obs_index: dict[int, int] = {}  # Observation pk -> index in the model's log
    for kind, arg in steps:
        if kind == "observe":
            keys, trusted = arg
            result = resolve(
                ws,
                [Claim(k, v) for k, v in keys],
                trusted=trusted,
                source="test",
                actor_label="test",
            )
            model.log.append((list(keys), trusted))
            from rapport.contacts.models import Observation

            obs_index[Observation.objects.for_workspace(ws).latest("pk").pk] = len(model.log) - 1
            assert result.contact.status == ContactStatus.ACTIVE
        else:
            records = list(
                MergeRecord.objects.for_workspace(ws).filter(undone_at__isnull=True).order_by("pk")
            )
            if not records:
                continue
            record = records[arg % len(records)]
            loser_keys = frozenset(
                Identity.objects.for_workspace(ws)
                .filter(pk__in=record.moved.get("contacts.identity", []))
                .values_list("kind", "value")
            )
            candidate = Model()
            candidate.log = list(model.log)
            assert record.observation_id is not None
            candidate.cut = [*model.cut, (obs_index[record.observation_id], loser_keys)]
            try:
                unmerge(record, actor_label="test")
            except Conflict:
                # Refused: either the winner was merged again since, or the model too
                # says the two sides are still one person.
                winner = Contact.objects.for_workspace(ws).get(pk=record.winner_id)
                if winner.status == ContactStatus.ACTIVE:
                    assert candidate.people() == model.people()
                continue
            model = candidate
        assert db_people(ws) == model.people(), steps

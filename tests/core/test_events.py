"""Domain events are delivered after commit, never for rolled-back writes."""

from __future__ import annotations

import pytest
from django.db import transaction

from rapport.core.actions.teams import do_create_team
from rapport.core.events import DomainEvent, Event, deliver, publish, subscribe, unsubscribe
from tests.factories import World


class Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_events_are_published_on_commit_only(world: World) -> None:
    seen: list[DomainEvent] = []

    def listener(event: DomainEvent) -> None:
        seen.append(event)

    subscribe(Event.TEAM_CREATED)(listener)
    try:
        with transaction.atomic():
            team = do_create_team(world.actor(), name="Night shift")
            assert seen == []  # not yet: the transaction could still roll back
        assert [(e.name, e.payload["team_id"]) for e in seen] == [(Event.TEAM_CREATED, team.pk)]
        assert seen[0].workspace_id == world.workspace.pk

        with pytest.raises(Rollback), transaction.atomic():
            do_create_team(world.actor(), name="Ghost team")
            raise Rollback
        assert len(seen) == 1
    finally:
        unsubscribe(Event.TEAM_CREATED, listener)


def test_a_failing_listener_does_not_stop_the_others() -> None:
    calls: list[str] = []

    def broken(event: DomainEvent) -> None:
        raise ValueError("listener bug")

    def healthy(event: DomainEvent) -> None:
        calls.append(event.name)

    subscribe(Event.WORKSPACE_UPDATED)(broken)
    subscribe(Event.WORKSPACE_UPDATED)(healthy)
    try:
        delivered = deliver(DomainEvent(name=Event.WORKSPACE_UPDATED, workspace_id=1, payload={}))
    finally:
        unsubscribe(Event.WORKSPACE_UPDATED, broken)
        unsubscribe(Event.WORKSPACE_UPDATED, healthy)
    assert delivered == 1
    assert calls == ["workspace.updated"]


@pytest.mark.django_db(transaction=True)
def test_publish_outside_a_transaction_delivers_at_once() -> None:
    seen: list[DomainEvent] = []

    def listener(event: DomainEvent) -> None:
        seen.append(event)

    subscribe(Event.WORKSPACE_CREATED)(listener)
    try:
        publish(Event.WORKSPACE_CREATED, None, slug="x")
    finally:
        unsubscribe(Event.WORKSPACE_CREATED, listener)
    assert [e.payload for e in seen] == [{"slug": "x"}]

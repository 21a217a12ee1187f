"""``rapport listen`` inside a browser test: the same Runner in a thread, with the
rule-based NLP so sentiments are known, playing the replay connector's own format
from a small recording instead of the demo's."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from rapport.channels import registry
from rapport.channels.connectors.replay.provider import ReplayProvider
from rapport.listening import runner as runner_module
from rapport.listening.models import ListeningSource
from rapport.listening.runner import Runner, Selection
from tests.listening.conftest import RuleNlp

# Three posts in the replay connector's format: a hostile one (markup that reads as
# text, a script element, a javascript: link, an SVG for a name) and a happy one in
# one burst, then a question about 90 recorded seconds later.
RECORDING = Path(__file__).parent / "fixtures" / "listen_replay.jsonl"


def use_recording(monkeypatch: pytest.MonkeyPatch, **providers: registry.Provider) -> None:
    """The registered replay provider plays ``RECORDING`` instead of the demo's;
    everything else (its parser, its rhythm, its cursor) is the real one. Other
    networks' providers may be swapped the same way (``jsonl=...``)."""
    registry.load_providers()
    providers.setdefault("replay", ReplayProvider(recording=RECORDING))
    for network, provider in providers.items():
        monkeypatch.setitem(registry._providers, network, provider)
    monkeypatch.setattr(runner_module, "SOURCE_RESCAN", 0.5)  # it stops within a second


class Listening:
    """The runner over ``sources``, stopped as the command stops it (an event it
    polls); an exception that ends it is kept for the test to see."""

    def __init__(self, *sources: ListeningSource) -> None:
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        runner = Runner(RuleNlp(), Selection(source_ids=frozenset(s.pk for s in sources)))

        def main() -> None:
            try:
                asyncio.run(runner.run(until=self.stop.is_set))
            except BaseException as exc:  # reported by the test, not lost in a thread
                self.errors.append(exc)

        self.thread = threading.Thread(target=main, name="test-listen", daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop and wait; then the thread is gone and ``errors`` is final."""
        self.stop.set()
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), "the runner did not stop when asked"
        assert self.errors == []

"""``rapport listen``: run the listening sources (all enabled ones, or those chosen
with --source / --network, so sources can be spread over several processes)."""

from __future__ import annotations

import asyncio
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rapport.listening.nlp import EmbeddingBudget, ModelNlp
from rapport.listening.runner import Runner, Selection


class Command(BaseCommand):
    help = "Listen: stream posts from every enabled listening source into mentions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", type=int, action="append", default=[],
                            help="only this source id (repeatable)")  # fmt: skip
        parser.add_argument("--network", action="append", default=[],
                            help="only sources of this network (repeatable)")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        selection = Selection(frozenset(options["source"]), frozenset(options["network"]))
        self.stdout.write("listening (Ctrl-C stops it)")
        self.stdout.flush()
        asyncio.run(Runner(ModelNlp(budget=EmbeddingBudget()), selection).run(until=stop.is_set))
        self.stdout.write("listening stopped")

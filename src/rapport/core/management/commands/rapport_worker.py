"""``rapport worker``: claim and run background jobs until SIGINT / SIGTERM."""

from __future__ import annotations

import importlib
import signal
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rapport.jobs.worker import Worker


class Command(BaseCommand):
    help = "Run a background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="default,events,enrichment,listening")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--lease", type=float, default=None, help="lease length, seconds")
        parser.add_argument("--worker-id", default=None)
        parser.add_argument("--no-scheduler", action="store_true")
        parser.add_argument("--max-jobs", type=int, default=None)
        parser.add_argument(
            "--import",
            dest="imports",
            action="append",
            default=[],
            help="extra module with tasks or periodic jobs to load (plugins, tests)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for module in options["imports"]:
            importlib.import_module(module)
        kwargs: dict[str, Any] = {
            "queues": [q for q in options["queues"].split(",") if q],
            "poll_interval": options["poll"],
            "lease_seconds": options["lease"],
            "run_scheduler": not options["no_scheduler"],
        }
        if options["worker_id"]:
            kwargs["worker_id"] = options["worker_id"]
        worker = Worker(**kwargs)

        def stop(signum: int, frame: FrameType | None) -> None:
            worker.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"worker {worker.worker_id} running; Ctrl-C stops it")
        worker.run(max_jobs=options["max_jobs"])

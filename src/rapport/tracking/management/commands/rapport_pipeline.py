"""``rapport pipeline``: the tracking processing worker (run one or more; they take
turns on the log's cursor)."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand

from rapport.tracking.worker import run


class Command(BaseCommand):
    help = "Process accepted tracking events: resolve contacts, sessions, commerce."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def _stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        self.stdout.write("tracking pipeline running (Ctrl-C stops it after the batch)")
        self.stdout.flush()
        run(stop)
        self.stdout.write("tracking pipeline stopped")

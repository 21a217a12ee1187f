"""``rapport serve``: the web app on waitress, optionally with an in-process worker."""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Rapport over HTTP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--with-worker", action="store_true", help="also run a worker thread in this process"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        serve(options["host"], options["port"], options["threads"], options["with_worker"], self)


def serve(host: str, port: int, threads: int, with_worker: bool, command: BaseCommand) -> None:
    from waitress.server import create_server

    from rapport.jobs.worker import Worker
    from rapport.wsgi import application

    call_command("collectstatic", interactive=False, verbosity=0)
    worker: Worker | None = None
    worker_thread: threading.Thread | None = None
    if with_worker:
        worker = Worker(queues=["default", "events", "enrichment", "listening"], poll_interval=0.5)
        worker_thread = threading.Thread(target=worker.run, name="rapport-worker", daemon=True)
        worker_thread.start()
    server = create_server(application, host=host, port=port, threads=threads)
    # SIGTERM (systemd, docker stop) gets the same clean shutdown as Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    command.stdout.write(f"Rapport is listening on http://{host}:{port}/  (Ctrl-C stops it)")
    try:
        server.run()
    except KeyboardInterrupt:
        command.stdout.write("stopping…")
    finally:
        server.close()
        if worker is not None and worker_thread is not None:
            worker.stop()
            worker_thread.join(timeout=30)
        command.stdout.write("stopped cleanly")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt

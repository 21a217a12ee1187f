"""``rapport serve``: the whole host on uvicorn — the tracking API under /v1/ and the
web app — optionally with an in-process worker."""

from __future__ import annotations

import os
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Rapport over HTTP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8, help="threads for the web app")
        parser.add_argument(
            "--processes",
            type=int,
            default=int(os.environ.get("RAPPORT_PROCESSES", "1")),
            help="server processes sharing the port (the tracking API scales with them)",
        )
        parser.add_argument(
            "--with-worker", action="store_true", help="also run a worker thread in this process"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        serve(
            options["host"],
            options["port"],
            options["threads"],
            options["with_worker"],
            self,
            processes=options["processes"],
        )


def serve(
    host: str,
    port: int,
    threads: int,
    with_worker: bool,
    command: BaseCommand,
    *,
    processes: int = 1,
) -> None:
    import uvicorn

    from rapport.jobs.worker import Worker
    from rapport.listening.nlp import EmbeddingBudget, ModelNlp
    from rapport.listening.runner import listen_in_thread
    from rapport.tracking.worker import run_in_thread

    call_command("collectstatic", interactive=False, verbosity=0)
    worker: Worker | None = None
    worker_thread: threading.Thread | None = None
    if with_worker:
        worker = Worker(queues=["default", "events", "enrichment", "listening"], poll_interval=0.5)
        worker_thread = threading.Thread(target=worker.run, name="rapport-worker", daemon=True)
        worker_thread.start()
        pipeline_thread, pipeline_stop = run_in_thread()
        listen_thread, listen_stop = listen_in_thread(ModelNlp(budget=EmbeddingBudget()))
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "loop": "uvloop",
        "http": "httptools",
        "lifespan": "on",
        "access_log": False,
        "log_level": "warning",
        # A hung client must not hold a connection (and its memory) for long.
        "timeout_keep_alive": 30,
    }
    command.stdout.write(f"Rapport is listening on http://{host}:{port}/  (Ctrl-C stops it)")
    command.stdout.flush()
    try:
        if processes > 1:
            # Each process builds its own app from the import string.
            os.environ["RAPPORT_THREADS"] = str(threads)
            uvicorn.run("rapport.asgi:application", workers=processes, **options)
        else:
            from rapport.tracking.ingest.server import build

            # uvicorn stops on SIGINT and SIGTERM alike, after open requests finish.
            uvicorn.Server(uvicorn.Config(build(threads), **options)).run()
    except KeyboardInterrupt:
        # uvicorn re-raises the signal it caught once it has shut down cleanly.
        pass
    finally:
        command.stdout.write("stopping…")
        if worker is not None and worker_thread is not None:
            pipeline_stop.set()
            listen_stop.set()
            worker.stop()
            worker_thread.join(timeout=30)
            pipeline_thread.join(timeout=30)
            listen_thread.join(timeout=30)
        command.stdout.write("stopped cleanly")

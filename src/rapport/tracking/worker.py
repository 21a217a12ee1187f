"""The processing worker's loop: batches while there is work, a short sleep when the
log is empty, a clean stop between batches. A failed batch is logged and retried
after a pause (its transaction rolled back, its cursor unmoved)."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from .pipeline import Pipeline

logger = logging.getLogger(__name__)


def run(stop: threading.Event, *, idle_sleep: float = 0.1, error_sleep: float = 2.0) -> None:
    pipeline = Pipeline()
    logger.info("tracking pipeline started")
    try:
        while not stop.is_set():
            try:
                report = pipeline.process_batch()
            except Exception:
                logger.exception("tracking pipeline: a batch failed; retrying")
                close_old_connections()
                stop.wait(error_sleep)
                continue
            if not report.requests:
                stop.wait(idle_sleep)
            elif report.quarantined:
                logger.info("tracking pipeline: %d events quarantined", report.quarantined)
    finally:
        pipeline.close()
        logger.info("tracking pipeline stopped")


def run_in_thread() -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(stop,), name="tracking-pipeline", daemon=True)
    thread.start()
    return thread, stop

"""Rapport's host, the ORM baseline and the pipeline as subprocesses of a bench, on
the bench's database, with an ingest log of their own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from rapport.tracking.ingest.log import DatabaseLog, InboundLog, SqliteFileLog

ROOT = Path(__file__).resolve().parents[2]
BENCH_VAR = ROOT / "var" / "bench" / "ingest"


def log_location() -> str:
    if connection.vendor == "postgresql":
        return "database"
    return f"sqlite:{BENCH_VAR / 'ingest.sqlite3'}"


def open_bench_log() -> InboundLog:
    where = log_location()
    return DatabaseLog() if where == "database" else SqliteFileLog(Path(where[7:]))


def reset_log() -> None:
    log = open_bench_log()
    log.trim(2**62)
    log.close()


def env() -> dict[str, str]:
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="rapport.settings.embedded",
        RAPPORT_VAR=str(BENCH_VAR),
        RAPPORT_INGEST_LOG=log_location(),
        RAPPORT_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: exited with {proc.returncode}; see its log in {BENCH_VAR}")
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback
            return
        except OSError as exc:
            if getattr(exc, "code", None):  # any HTTP answer means it is up
                return
            last = exc
            time.sleep(0.2)
    raise RuntimeError(f"server did not start: {last!r}")


@contextmanager
def process(args: list[str], probe: str | None = None) -> Iterator[subprocess.Popen[bytes]]:
    # Output to a file: a pipe nobody reads would block a chatty server.
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    errors = (BENCH_VAR / f"{args[2]}-{args[3]}.log").open("wb")
    proc = subprocess.Popen(args, env=env(), stdout=errors, stderr=subprocess.STDOUT)
    try:
        if probe:
            _wait_up(probe, proc)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        errors.close()


@contextmanager
def rapport_host(processes: int = 1) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [sys.executable, "-m", "rapport.cli", "serve", "--port", str(port),
            "--processes", str(processes)]  # fmt: skip
    with process(args, probe=f"{url}/healthz"):
        yield url


@contextmanager
def orm_baseline() -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with process([sys.executable, "-m", "bench.ingest.baseline", str(port)],
                 probe=f"{url}/v1/track"):  # fmt: skip
        yield url


@contextmanager
def pipeline() -> Iterator[subprocess.Popen[bytes]]:
    with process([sys.executable, "-m", "rapport.cli", "pipeline"]) as proc:
        yield proc


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

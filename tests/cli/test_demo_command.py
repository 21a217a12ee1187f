"""`rapport demo` on a fresh embedded database: migrates, loads demo data once,
serves the app with a worker, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="rapport.settings.embedded", RAPPORT_VAR=str(var))
    return env


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - loopback test URL
        return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()


def test_demo_serves_with_a_worker_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rapport.cli", "demo", "--port", str(port)],
        cwd=ROOT,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health: dict[str, object] = {}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                _, _, body = _get(f"http://127.0.0.1:{port}/healthz")
                health = json.loads(body)
                worker = health.get("worker")
                if isinstance(worker, dict) and worker.get("ok"):
                    break
            except OSError:
                pass
            time.sleep(0.3)
        assert health.get("status") == "ok", health
        assert health["database"] == {"ok": True, "vendor": "sqlite"}
        status, headers, page = _get(f"http://127.0.0.1:{port}/login/")
        assert status == 200
        assert "script-src 'self'" in headers["content-security-policy"]
        assert b"demo@example.com" in page
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "demo login: demo@example.com / demo" in out
    assert "stopped cleanly" in out
    assert (tmp_path / "rapport.sqlite3").exists()
    wal = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("
            "'PRAGMA journal_mode').fetchone()[0])",
            str(tmp_path / "rapport.sqlite3"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert wal.stdout.strip() == "wal"


def test_demo_data_load_is_idempotent(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "rapport.cli", "demo", "--no-serve"]
    first = subprocess.run(
        cmd, cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=180, check=True
    )
    second = subprocess.run(
        cmd, cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=180, check=True
    )
    assert "demo data loaded" in first.stdout
    assert "demo data already present" in second.stdout

"""Runs the benchmarks: ``python bench/run.py [name]``.

Each ``bench_<name>.py`` exposes ``run() -> Iterator[dict]``; every result is
printed as one JSON line and appended to ``var/bench/results.jsonl``. A bench
always measures the obvious slower alternative in the same run, so the figure
that matters is the ratio, not the absolute time on this machine.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS = ROOT / "var" / "bench" / "results.jsonl"


def setup_django() -> None:
    """A fresh SQLite database of its own (or ``DATABASE_URL``), migrated."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings.embedded")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if "DATABASE_URL" not in os.environ:
        db = ROOT / "var" / "bench" / "bench.sqlite3"
        db.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def names(selected: list[str]) -> list[str]:
    available = sorted(p.stem.removeprefix("bench_") for p in BENCH_DIR.glob("bench_*.py"))
    unknown = [n for n in selected if n not in available]
    if unknown:
        sys.exit(f"unknown bench {', '.join(unknown)}; available: {', '.join(available)}")
    return selected or available


def main(argv: list[str]) -> int:
    chosen = names(argv)
    sys.path.insert(0, str(ROOT))
    setup_django()
    from django.db import connection

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with RESULTS.open("a", encoding="utf-8") as out:
        for name in chosen:
            module = importlib.import_module(f"bench.bench_{name}")
            for result in module.run():
                line = json.dumps(
                    {"bench": name, "db": connection.vendor, "at": stamp, **result},
                    sort_keys=True,
                )
                print(line, flush=True)
                out.write(line + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""A JSON Lines file of posts as a source: an export from another tool, an archive, a
file another process keeps appending to. Files are read from the import directory
only (``RAPPORT_IMPORT_DIR``, by default ``$RAPPORT_VAR/imports``), so a source's
settings cannot name any other file on the server. The cursor is the byte offset after
the last line handed over and that line's number."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from rapport.channels.registry import Fetched

from ..positions import dump_positions, load_positions
from ..webhook.shape import FieldMapping
from .read import Chunk, read_chunk

Sleep = Callable[[float], Awaitable[None]]
DEFAULT_BATCH = 500
MAX_BATCH = 5000
FOLLOW_INTERVAL = 5.0  # seconds between looks at a followed file that has not grown


def default_import_dir() -> Path:
    from django.conf import settings

    configured = getattr(settings, "RAPPORT_IMPORT_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "imports"


_CURSOR = ("offset", "line")


def load_cursor(cursor: str) -> tuple[int, int]:
    return load_positions(cursor, _CURSOR, "a JSONL source's")


def dump_cursor(offset: int, line: int) -> str:
    return dump_positions(_CURSOR, offset, line)


class JsonlProvider:
    network = "jsonl"
    label = "JSON Lines import"

    def __init__(self, *, import_dir: Path | None = None, sleep: Sleep = asyncio.sleep) -> None:
        self._import_dir = import_dir
        self._sleep = sleep

    @property
    def import_dir(self) -> Path:
        return (self._import_dir or default_import_dir()).resolve()

    def validate(self, config: Mapping[str, Any]) -> dict[str, Any]:
        name = config.get("path")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"path: give a file name inside {self.import_dir}")
        root = self.import_dir
        # Resolved, so neither ../ nor a symbolic link leads out of the directory.
        path = (root / name.strip()).resolve()
        if not path.is_relative_to(root):
            raise ValueError(f"path: {name!r} is outside the import directory {root}")
        if not path.is_file():
            raise ValueError(f"path: no file {path.relative_to(root)} in {root}")
        batch = config.get("batch", DEFAULT_BATCH)
        if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= MAX_BATCH:
            raise ValueError(f"batch must be a whole number from 1 to {MAX_BATCH}")
        mapping = FieldMapping.from_config({"fields": config.get("fields") or {}})
        return {
            "path": str(path),
            "batch": batch,
            "follow": bool(config.get("follow", False)),
            "fields": dict(mapping.fields),
        }

    async def stream(self, config: Mapping[str, Any], cursor: str) -> AsyncGenerator[Fetched, None]:
        """The file from the cursor on, ``batch`` lines a step, each step with the lines
        it could not read as problems. Ends at the end of the file unless ``follow``."""
        settings = self.validate(config)
        offset, line = load_cursor(cursor)
        path = Path(settings["path"])
        mapping = FieldMapping(posts="", fields=settings["fields"])
        if offset > path.stat().st_size:
            raise ValueError(
                f"{path.name} is shorter ({path.stat().st_size:,} bytes) than where the import"
                f" stopped ({offset:,}); was it replaced? Start a new import for a new file"
            )
        while True:
            chunk = await asyncio.to_thread(
                _read,
                path,
                offset=offset,
                line=line,
                mapping=mapping,
                batch=settings["batch"],
                follow=settings["follow"],
            )
            if chunk.offset == offset:
                if not settings["follow"]:
                    return
                await self._sleep(FOLLOW_INTERVAL)
                continue
            offset, line = chunk.offset, chunk.line
            yield Fetched(chunk.posts, dump_cursor(offset, line), tuple(chunk.problems))


def _read(
    path: Path, *, offset: int, line: int, mapping: FieldMapping, batch: int, follow: bool
) -> Chunk:
    with path.open("rb") as stream:
        return read_chunk(
            stream,
            offset=offset,
            line=line,
            mapping=mapping,
            max_lines=batch,
            wait_for_newline=follow,
        )

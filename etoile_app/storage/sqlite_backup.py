"""Copies of the database file made with SQLite's online backup.

The online backup copies a consistent snapshot page by page while the database stays in use,
so it is safe on a live WAL database where a plain file copy is not. On other databases a
backup is the server's business; :func:`supported` says so and the callers skip it.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

BACKUP_SUFFIX = ".sqlite3"


def supported(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def backup_folder(database: Path) -> Path:
    return database.parent / "backups"


def backup(engine: Engine, database: Path, reason: str, *, now: datetime | None = None) -> Path:
    """Write a snapshot of ``engine``'s database next to ``database`` and return its path."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S-%f")
    folder = backup_folder(database)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{database.stem}-{stamp}-{reason}{BACKUP_SUFFIX}"
    partial = target.with_suffix(".partial")
    raw = engine.raw_connection()
    try:
        with contextlib.closing(sqlite3.connect(partial)) as dest:
            raw.driver_connection.backup(dest)  # type: ignore[union-attr]
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        raw.close()
    partial.replace(target)  # only complete snapshots carry the final name
    return target


def prune(database: Path, reason: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups made for ``reason``; return what was deleted."""
    folder = backup_folder(database)
    if not folder.is_dir():
        return []
    # Match the stamp exactly, so "journal" never claims the backups of "journal-2025".
    pattern = re.compile(
        rf"^{re.escape(database.stem)}-\d{{8}}-\d{{6}}-\d{{6}}-{re.escape(reason)}{re.escape(BACKUP_SUFFIX)}$"
    )
    mine = sorted(p for p in folder.iterdir() if pattern.match(p.name))
    doomed = mine[:-keep] if keep > 0 else mine
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed

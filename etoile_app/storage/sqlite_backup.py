"""Copies of the database file made with SQLite's online backup, and copies back.

The online backup copies a consistent snapshot page by page while the database stays in use,
so it is safe on a live WAL database where a plain file copy is not. On other databases a
backup is the server's business; :func:`supported` says so and the callers skip it.

A backup is written under a ``.partial`` name and renamed when complete, so a file with the
final name is always a whole snapshot, even if the app is killed half-way.

Backups sit in ``<journal folder>/backups/`` and are named
``<journal stem>-YYYYmmdd-HHMMSS-ffffff-<reason>.sqlite3`` (the time in UTC), which makes the
name alone enough to list, sort and prune them.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine

BACKUP_SUFFIX = ".sqlite3"
PARTIAL_SUFFIX = ".partial"
STAMP_FORMAT = "%Y%m%d-%H%M%S-%f"

# --- the backup policy: what is made when, and how many of each kind are kept -----------------
DAILY = "daily"
MANUAL = "manual"
BEFORE_UPGRADE = "before-upgrade"
BEFORE_IMPORT = "before-import"
BEFORE_RESTORE = "before-restore"
#: How many backups of each kind are kept; the oldest beyond that are deleted.
KEEP: dict[str, int] = {
    DAILY: 10,
    MANUAL: 10,
    BEFORE_UPGRADE: 5,
    BEFORE_IMPORT: 10,
    BEFORE_RESTORE: 10,
}
KEEP_OTHER = 10

_REASON = re.compile(r"^[a-z]+(?:-[a-z]+)*$")


@dataclass(frozen=True)
class BackupInfo:
    """One backup file: where it is, when it was made (aware UTC), its size and why it was made."""

    path: Path
    created_at: datetime
    size: int
    reason: str


def supported(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def backup_folder(database: Path) -> Path:
    return database.parent / "backups"


def _pattern(database: Path, reason: str | None = None) -> re.Pattern[str]:
    # Match the stamp exactly, so "journal" never claims the backups of "journal-2025".
    why = re.escape(reason) if reason is not None else r"[a-z]+(?:-[a-z]+)*"
    return re.compile(
        rf"^{re.escape(database.stem)}-(\d{{8}}-\d{{6}}-\d{{6}})-({why}){re.escape(BACKUP_SUFFIX)}$"
    )


def read_only_uri(path: Path) -> str:
    """A URI that opens a file that no one writes (a backup) without changing or adding anything."""
    return f"file:{quote(path.as_posix(), safe='/')}?mode=ro&immutable=1"


def backup(engine: Engine, database: Path, reason: str, *, now: datetime | None = None) -> Path:
    """Write a snapshot of ``engine``'s database next to ``database`` and return its path."""
    if not _REASON.match(reason):
        raise ValueError(f"a backup reason is lower-case words joined by hyphens, not {reason!r}")
    when = (now or datetime.now(UTC)).astimezone(UTC)
    folder = backup_folder(database)
    folder.mkdir(parents=True, exist_ok=True)
    _remove_partials(database)
    target = folder / f"{database.stem}-{when.strftime(STAMP_FORMAT)}-{reason}{BACKUP_SUFFIX}"
    while target.exists():  # two backups within one tick of the clock keep distinct names
        when += timedelta(microseconds=1)
        target = folder / f"{database.stem}-{when.strftime(STAMP_FORMAT)}-{reason}{BACKUP_SUFFIX}"
    partial = target.with_suffix(PARTIAL_SUFFIX)
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


def _remove_partials(database: Path) -> None:
    """Delete snapshots that a killed process left half-written (the journal has one writer)."""
    folder = backup_folder(database)
    pattern = re.compile(rf"^{re.escape(database.stem)}-\d{{8}}-\d{{6}}-\d{{6}}-[a-z-]+{PARTIAL_SUFFIX}$")
    for path in folder.iterdir():
        if pattern.match(path.name):
            path.unlink(missing_ok=True)


def list_backups(database: Path) -> list[BackupInfo]:
    """The complete backups of ``database``, newest first."""
    return scan(backup_folder(database), _pattern(database))


def scan(folder: Path, pattern: re.Pattern[str]) -> list[BackupInfo]:
    """The files in ``folder`` whose names ``pattern`` matches (group 1 the time stamp, group 2
    the reason), as backups, newest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = pattern.match(path.name)
        if not match:
            continue
        try:
            created = datetime.strptime(match.group(1), STAMP_FORMAT).replace(tzinfo=UTC)
            size = path.stat().st_size
        except (ValueError, OSError):
            continue  # an impossible date in the name, or deleted while listing
        found.append(BackupInfo(path, created, size, match.group(2)))
    found.sort(key=lambda b: (b.created_at, b.path.name), reverse=True)
    return found


def prune(database: Path, reason: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups made for ``reason``; return what was deleted."""
    folder = backup_folder(database)
    if not folder.is_dir():
        return []
    pattern = _pattern(database, reason)
    mine = sorted(p for p in folder.iterdir() if pattern.match(p.name))
    doomed = mine[:-keep] if keep > 0 else mine
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def restore(engine: Engine, source: Path) -> None:
    """Copy the backup ``source`` over the live database of ``engine``, in place.

    The copy goes through SQLite (the online backup, from the backup into the open database),
    so the database stays one consistent file and every connection sees the restored content.
    The restored pages are then moved from the ``-wal`` file into the main file, and the pool is
    emptied, so no connection keeps anything it had cached.
    """
    with contextlib.closing(sqlite3.connect(read_only_uri(source), uri=True)) as src:
        raw = engine.raw_connection()
        try:
            src.backup(raw.driver_connection)  # type: ignore[arg-type]
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        finally:
            raw.close()
    engine.dispose()


def copy_to_new_file(source: Path, target: Path) -> Path:
    """Copy the backup ``source`` to ``target``, which must not exist yet; return ``target``."""
    if target.exists():
        raise FileExistsError(f"{target} already exists")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    try:
        with (
            contextlib.closing(sqlite3.connect(read_only_uri(source), uri=True)) as src,
            contextlib.closing(sqlite3.connect(partial)) as dest,
        ):
            src.backup(dest)
        if target.exists():
            raise FileExistsError(f"{target} already exists")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target

"""Backups of the journal: make them, list them, restore one, and know when the daily one is due.

The policy (what is kept, see :data:`KEEP`) lives in :mod:`etoile_app.storage.sqlite_backup`;
docs/DATA_SAFETY.md explains it for people. Backups exist only for a journal in a SQLite
file: on a database server :attr:`BackupService.supported` is ``False`` and the app hides the
feature, :meth:`BackupService.backup` returns ``None`` and restoring refuses.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from etoile_app.domain.errors import BackupError, BackupsNotSupportedError
from etoile_app.services.base import Clock, Progress, no_progress, system_clock
from etoile_app.storage import integrity, sqlite_backup, sqlite_errors
from etoile_app.storage.database import Database, upgrade_to_head
from etoile_app.storage.sqlite_backup import (
    BEFORE_IMPORT,
    BEFORE_RESTORE,
    BEFORE_UPGRADE,
    DAILY,
    KEEP,
    KEEP_OTHER,
    MANUAL,
    BackupInfo,
)

__all__ = [
    "BEFORE_IMPORT",
    "BEFORE_RESTORE",
    "BEFORE_UPGRADE",
    "DAILY",
    "DAILY_EVERY",
    "KEEP",
    "MANUAL",
    "REASON_LABELS",
    "BackupInfo",
    "BackupService",
    "backups_of",
    "restore_as_new_file",
    "verify",
]

#: The daily backup is due when the newest one is at least this old.
DAILY_EVERY = timedelta(hours=24)
#: A newest daily backup dated further ahead than this means the clock was set back: make one.
CLOCK_SLACK = timedelta(hours=1)
#: The steps :meth:`BackupService.restore` reports: check the backup, back the journal up,
#: copy the backup in, bring it up to the current schema.
RESTORE_STEPS = 4

REASON_LABELS = {
    DAILY: "Daily",
    MANUAL: "Made by you",
    BEFORE_UPGRADE: "Before an app update",
    BEFORE_IMPORT: "Before an import",
    BEFORE_RESTORE: "Before a restore",
}

BackupList = list[BackupInfo]


def backups_of(database: Path) -> BackupList:
    """The backups of the journal file ``database``, newest first; it need not be open (or whole)."""
    return sqlite_backup.list_backups(database)


def verify(backup: Path) -> str | None:
    """Check that ``backup`` is a whole journal this version can open; return its revision.

    Runs SQLite's full ``integrity_check`` read-only. Raises :class:`DamagedDatabaseError`,
    :class:`NotADatabaseError`, :class:`ForeignDatabaseError` or :class:`SchemaTooNewError`.
    """
    revision = integrity.inspect(backup, what="the backup", thorough=True)
    if revision is None:
        raise integrity.damaged_error(backup, "it holds no journal", "the backup")
    integrity.check_known(revision, backup, what="the backup")
    return revision


def restored_name(database: Path, now: datetime) -> Path:
    """``journal-restored-YYYYmmdd-HHMMSS.sqlite3`` beside ``database``, not taken yet."""
    stamp = now.astimezone().strftime("%Y%m%d-%H%M%S")
    suffix = database.suffix or sqlite_backup.BACKUP_SUFFIX
    target = database.with_name(f"{database.stem}-restored-{stamp}{suffix}")
    n = 2
    while target.exists():
        target = database.with_name(f"{database.stem}-restored-{stamp}-{n}{suffix}")
        n += 1
    return target


def restore_as_new_file(
    backup: BackupInfo | Path,
    database: Path,
    target: Path | None = None,
    *,
    clock: Clock = system_clock,
) -> Path:
    """Copy a verified backup to a new file and return its path, for a journal that cannot open.

    The copy goes to ``target`` or, by default, to ``journal-restored-<time>.sqlite3`` beside
    ``database``; nothing is ever written over ``database`` or over an existing file.
    """
    source = backup.path if isinstance(backup, BackupInfo) else backup
    verify(source)
    destination = target if target is not None else restored_name(database, clock())
    if destination.exists():
        raise BackupError(f"{destination} already exists; choose a new file for the copy.", destination)
    try:
        return sqlite_backup.copy_to_new_file(source, destination)
    except OSError as exc:
        raise BackupError(
            f"Could not copy the backup to {destination}: {exc.strerror or exc}.", destination
        ) from None


class BackupService:
    """The backups of one open journal."""

    def __init__(self, database: Database, clock: Clock = system_clock) -> None:
        self._db = database
        self._clock = clock

    @property
    def supported(self) -> bool:
        """Whether this journal can be backed up here (a SQLite file) or not (a server)."""
        return self._db.path is not None and sqlite_backup.supported(self._db.engine)

    @property
    def folder(self) -> Path | None:
        """Where the backups are kept: ``<journal folder>/backups``."""
        return sqlite_backup.backup_folder(self._db.path) if self._db.path is not None else None

    def _path(self) -> Path:
        if not self.supported or self._db.path is None:
            raise BackupsNotSupportedError(
                "This journal is on a database server; back it up with the server's own tools."
            )
        return self._db.path

    def backup(self, reason: str = MANUAL) -> BackupInfo | None:
        """Back up the journal now and drop the oldest of that kind beyond :data:`KEEP`.

        Returns ``None`` on a database server, where there is nothing to do here. Raises
        :class:`BackupError` when the copy cannot be written (a full disk, a read-only folder).
        """
        if not self.supported:
            return None
        return self._backup(reason, prune=True)

    def _backup(self, reason: str, *, prune: bool) -> BackupInfo:
        path = self._path()
        folder = sqlite_backup.backup_folder(path)
        try:
            made = sqlite_backup.backup(self._db.engine, path, reason, now=self._clock())
        except (OSError, sqlite3.Error) as exc:
            # SQLite writes the copy, so a full disk may come as its error or as the OS's.
            full = sqlite_errors.translate(exc, folder / "backup")
            if full is not None:
                raise sqlite_errors.disk_full(f"a backup in {folder}") from None
            raise BackupError(
                f"Could not write a backup of {path} to {folder}: {getattr(exc, 'strerror', None) or exc}.",
                path,
            ) from None
        if prune:
            sqlite_backup.prune(path, reason, KEEP.get(reason, KEEP_OTHER))
        return next(b for b in sqlite_backup.list_backups(path) if b.path == made)

    def list(self) -> BackupList:
        """Every backup of this journal, newest first (none on a database server)."""
        if not self.supported or self._db.path is None:
            return []
        return sqlite_backup.list_backups(self._db.path)

    def newest(self, reason: str | None = None) -> BackupInfo | None:
        return next((b for b in self.list() if reason is None or b.reason == reason), None)

    def daily_due(self) -> bool:
        """Whether the rolling daily backup should be made now."""
        if not self.supported:
            return False
        newest = self.newest(DAILY)
        if newest is None:
            return True
        age = self._clock() - newest.created_at
        return age >= DAILY_EVERY or age < -CLOCK_SLACK

    def backup_if_due(self) -> BackupInfo | None:
        """Make the daily backup if it is due; return it, or ``None`` when none was needed."""
        return self.backup(DAILY) if self.daily_due() else None

    def restore(self, backup: BackupInfo | Path, *, progress: Progress = no_progress) -> BackupInfo:
        """Bring the journal back to ``backup``; return the backup made of it just before.

        The backup is checked first (SQLite's ``integrity_check`` and a known schema); a damaged
        or newer one is refused and nothing changes. Then the journal as it is now is backed
        up (``before-restore``), and the backup's content is copied into the open database.
        A backup from before an app update is brought up to the current schema. ``progress``
        hears each of the :data:`RESTORE_STEPS` steps; a restore is not meant to be stopped
        part-way, so it should not raise.
        """
        path = self._path()
        source = backup.path if isinstance(backup, BackupInfo) else backup
        progress(0, RESTORE_STEPS, "Checking the backup")
        verify(source)
        progress(1, RESTORE_STEPS, "Backing up your journal as it is")
        before = self._backup(BEFORE_RESTORE, prune=False)
        progress(2, RESTORE_STEPS, "Restoring the backup")
        try:
            sqlite_backup.restore(self._db.engine, source)
            progress(3, RESTORE_STEPS, "Bringing it up to date")
            upgrade_to_head(self._db)
            self._db.checkpoint()  # the file alone holds the restored journal
        except Exception as exc:
            raise BackupError(
                f"Could not restore {source} into {path}: {exc}. The journal as it was is in {before.path}.",
                source,
            ) from exc
        sqlite_backup.prune(path, BEFORE_RESTORE, KEEP[BEFORE_RESTORE])
        return before

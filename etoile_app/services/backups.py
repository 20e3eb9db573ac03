"""Backups of the journal: make them, list them, restore one, and know when the daily one is due.

The policy (what is kept, see :data:`KEEP`) lives in :mod:`etoile_app.storage.sqlite_backup`;
docs/DATA_SAFETY.md explains it for people. A journal in a SQLite file is backed up with
SQLite's online backup into ``backups/`` beside it. A journal on a database server is backed
up as the app's JSON export into a folder of its own in the user's backup folder
(:mod:`etoile_app.storage.server_backup`), with the same kinds and the same policy; restoring
one imports it, and only into an empty database (:meth:`BackupService.restore`).
"""

from __future__ import annotations

import errno
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, select
from sqlalchemy import exc as sa_exc

from etoile_app.domain.enums import FactOrigin
from etoile_app.domain.errors import BackupError, BackupsNotSupportedError, JournalError
from etoile_app.services.base import Clock, Progress, no_progress, system_clock
from etoile_app.storage import integrity, server_backup, sqlite_backup, sqlite_errors
from etoile_app.storage.database import Database, upgrade_to_head
from etoile_app.storage.engine import make_session_factory
from etoile_app.storage.models import DreamCastRecord, FactRecord, TheoryRecord
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

if TYPE_CHECKING:
    from etoile_app.domain.transfer import JournalFile

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
    "verify_export",
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


def verify_export(backup: Path) -> JournalFile:
    """Check that ``backup`` (a server's backup) is a whole journal export; return what it holds.

    Raises :class:`BackupError` saying what is wrong when it cannot be read or is not one.
    """
    from etoile_app.domain.transfer import ImportFileError, parse_json  # file formats: on first use

    try:
        raw = backup.read_bytes()
    except OSError as exc:
        raise BackupError(f"Cannot read the backup {backup}: {exc.strerror or exc}.", backup) from None
    try:
        return parse_json(raw)
    except ImportFileError as exc:
        raise BackupError(
            f"The backup {backup.name} is not a whole journal export ({exc}).", backup
        ) from None


def _snapshot_engine(engine: Engine) -> Engine:
    """``engine`` reading one snapshot per transaction on PostgreSQL (an export of a journal
    others may be writing to), as it is elsewhere."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="REPEATABLE READ")
    return engine


def export_journal(engine: Engine, clock: Clock = system_clock) -> bytes:
    """The JSON export of the journal behind ``engine`` (at the newest schema)."""
    from etoile_app.services.transfer import TransferService

    return TransferService(make_session_factory(_snapshot_engine(engine)), clock).export_json()


# A server's journal is backed up before a schema upgrade, which the storage layer runs.
server_backup.use_exporter(export_journal)


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


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
    def on_server(self) -> bool:
        """Whether the journal is on a database server (its backups are JSON exports)."""
        return self._db.path is None and server_backup.is_server(self._db.url)

    @property
    def supported(self) -> bool:
        """Whether this journal can be backed up: a SQLite file or a server's database (not a
        journal held in memory)."""
        if self.on_server:
            return True
        return self._db.path is not None and sqlite_backup.supported(self._db.engine)

    @property
    def folder(self) -> Path | None:
        """Where the backups are kept: ``<journal folder>/backups`` for a file, a folder of the
        server database's own in the user's backup folder for a server."""
        if self.on_server:
            return server_backup.backup_folder(self._db.url)
        return sqlite_backup.backup_folder(self._db.path) if self._db.path is not None else None

    def _where(self) -> str:
        return self._db.url.render_as_string(hide_password=True)

    def _path(self) -> Path:
        if not self.supported or self._db.path is None:
            raise BackupsNotSupportedError(
                "This journal is held in memory, not in a file or on a database server; "
                "there is nothing to back up."
            )
        return self._db.path

    def backup(self, reason: str = MANUAL) -> BackupInfo | None:
        """Back up the journal now and drop the oldest of that kind beyond :data:`KEEP`.

        Returns ``None`` for a journal that cannot be backed up (one in memory). Raises
        :class:`BackupError` when the copy cannot be written (a full disk, a read-only folder)
        or, on a server, the journal cannot be read.
        """
        if not self.supported:
            return None
        return self._backup(reason, prune=True)

    def _backup(self, reason: str, *, prune: bool) -> BackupInfo:
        if self.on_server:
            return self._backup_export(reason, prune=prune)
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

    def _backup_export(self, reason: str, *, prune: bool) -> BackupInfo:
        folder = server_backup.backup_folder(self._db.url)
        try:
            payload = export_journal(self._db.engine, self._clock)
        except sa_exc.DBAPIError as exc:
            raise BackupError(
                f"Could not read the journal on {self._where()} for a backup: {exc.orig or exc}",
                folder,
            ) from None
        try:
            made = server_backup.write(folder, reason, payload, now=self._clock())
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise sqlite_errors.disk_full(f"a backup in {folder}") from None
            raise BackupError(
                f"Could not write a backup of {self._where()} to {folder}: {exc.strerror or exc}.", folder
            ) from None
        if prune:
            server_backup.prune(folder, reason, KEEP.get(reason, KEEP_OTHER))
        return next(b for b in server_backup.list_backups(folder) if b.path == made)

    def verify(self, backup: BackupInfo | Path) -> None:
        """Check that ``backup`` is whole and can be restored here; raise what is wrong with it."""
        source = backup.path if isinstance(backup, BackupInfo) else backup
        if self.on_server:
            verify_export(source)
        else:
            verify(source)

    def list(self) -> BackupList:
        """Every backup of this journal, newest first (none for a journal held in memory)."""
        if self.on_server:
            return server_backup.list_backups(server_backup.backup_folder(self._db.url))
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

        On a database server the backup (a JSON export) is imported, and only into an empty
        journal: one that holds theories, canon facts of its own or dream casting is refused
        with :class:`BackupError` and left as it is (see :meth:`_restore_export`).
        """
        if self.on_server:
            return self._restore_export(backup, progress)
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

    def holdings(self) -> str | None:
        """What the journal holds that an export carries (``"12 theories"``); ``None`` when empty."""
        with self._db.sessions() as s:
            theories = s.scalar(select(func.count()).select_from(TheoryRecord)) or 0
            facts = (
                s.scalar(
                    select(func.count()).select_from(FactRecord).where(FactRecord.origin == FactOrigin.USER)
                )
                or 0
            )
            dreams = s.scalar(select(func.count()).select_from(DreamCastRecord)) or 0
        parts = [
            _count(n, one, many)
            for n, one, many in (
                (theories, "theory", "theories"),
                (facts, "canon fact of your own", "canon facts of your own"),
                (dreams, "dream casting entry", "dream casting entries"),
            )
            if n
        ]
        return " and ".join(parts) if parts else None

    def _restore_export(self, backup: BackupInfo | Path, progress: Progress) -> BackupInfo:
        """Import the JSON backup into this server's journal, which must be empty.

        An import merges into what is there; bringing a journal back to a backup means
        replacing it, which on a server the app does not do to a database others may share. So
        the backup goes into a new, empty database, and the one in use is never changed.
        """
        source = backup.path if isinstance(backup, BackupInfo) else backup
        progress(0, RESTORE_STEPS, "Checking the backup")
        verify_export(source)
        held = self.holdings()
        if held is not None:
            raise BackupError(
                f"Restore into a new, empty database: this one holds {held}. Create an empty "
                "database on the server, open it with the app and restore the backup there. "
                "Nothing was changed.",
                source,
            )
        progress(1, RESTORE_STEPS, "Backing up your journal as it is")
        before = self._backup(BEFORE_RESTORE, prune=False)
        progress(2, RESTORE_STEPS, "Restoring the backup")
        from etoile_app.services.transfer import TransferService

        try:
            raw = source.read_bytes()
            TransferService(self._db.writer_sessions(), self._clock).import_bytes(raw, "json", whole=True)
        except OSError as exc:
            raise BackupError(f"Cannot read the backup {source}: {exc.strerror or exc}.", source) from None
        except JournalError as exc:
            raise BackupError(
                f"Could not restore {source.name}: {exc} Nothing was changed.", source
            ) from None
        except sa_exc.DBAPIError as exc:
            raise BackupError(
                f"Could not restore {source.name} into {self._where()}: {exc.orig or exc} "
                "Nothing was changed.",
                source,
            ) from None
        progress(3, RESTORE_STEPS, "Finishing")
        server_backup.prune(server_backup.backup_folder(self._db.url), BEFORE_RESTORE, KEEP[BEFORE_RESTORE])
        return before

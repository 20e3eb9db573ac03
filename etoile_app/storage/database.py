"""Open a journal database: check it, back it up, migrate it, hand back an engine and sessions.

Order matters for the promise "a damaged, foreign or newer file is left untouched": an
existing file is first looked at through a read-only connection (:mod:`integrity`: is it a
database, does SQLite's quick check pass, is it ours, is it not newer, can it be written);
only then does the app open it for writing (which switches it to WAL) and upgrade it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import URL, Engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from etoile_app.domain.errors import DatabaseError, FolderError
from etoile_app.storage import integrity, migrate, sqlite_backup
from etoile_app.storage.engine import make_engine, make_session_factory, sqlite_file, to_url

MIGRATION_BACKUPS_KEPT = sqlite_backup.KEEP[sqlite_backup.BEFORE_UPGRADE]


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    url: URL
    path: Path | None
    upgraded_from: str | None = None
    created: bool = False
    backups: list[Path] = field(default_factory=list)

    def dispose(self) -> None:
        self.engine.dispose()


def _describe(path: Path | None, url: URL) -> str:
    return str(path) if path is not None else url.render_as_string(hide_password=True)


def _read_revision(engine: Engine, where: str) -> str | None:
    """The revision of a database on a server (SQLite files are read by :mod:`integrity`)."""
    try:
        with engine.connect() as conn:
            return migrate.current_revision(conn)
    except sa_exc.DatabaseError as exc:
        orig = getattr(exc, "orig", None)
        if isinstance(orig, sqlite3.DatabaseError):
            raise DatabaseError(
                f"{where} is not a readable journal ({orig}). It was left as it is.", where
            ) from None
        raise DatabaseError(f"Cannot read {where}: {orig or exc}", where) from None
    except DatabaseError as exc:
        raise DatabaseError(f"{where}: {exc}", where) from None


def _make_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FolderError(
            f"Cannot create the folder {path.parent} for the journal {path.name}: "
            f"{exc.strerror or exc}. Start a new journal elsewhere.",
            path,
        ) from None


def check_file(path: Path) -> str | None:
    """Everything :func:`open_database` checks before writing to an existing file, read-only.

    Returns the schema revision; raises the :class:`DatabaseError` that says what is wrong.
    """
    revision = integrity.inspect(path, what="the journal")
    integrity.check_known(revision, path)
    integrity.check_writable(path)
    return revision


def open_database(target: str | Path | URL, *, backups: bool = True) -> Database:
    """Open (creating if need be) and upgrade the journal at ``target``.

    Raises a :class:`DatabaseError` subclass naming the file when it cannot be used safely:
    :class:`NotADatabaseError`, :class:`DamagedDatabaseError`, :class:`ForeignDatabaseError`,
    :class:`SchemaTooNewError`, :class:`ReadOnlyDatabaseError` or :class:`FolderError`.
    """
    url = to_url(target)
    path = sqlite_file(url)
    where = _describe(path, url)
    revision: str | None = None
    exists = path is not None and path.exists() and (path.is_dir() or path.stat().st_size > 0)

    if path is not None and exists:
        revision = check_file(path)
    elif path is not None:
        _make_folder(path)
        integrity.check_writable(path)

    engine = make_engine(url)
    db = Database(engine, make_session_factory(engine), url, path, created=not exists)
    try:
        if path is None:
            revision = _read_revision(engine, where)
            migrate.check_not_newer(revision)
        if revision != migrate.HEAD_REVISION:
            if revision is not None and path is not None and backups and sqlite_backup.supported(engine):
                db.backups.append(sqlite_backup.backup(engine, path, sqlite_backup.BEFORE_UPGRADE))
                sqlite_backup.prune(path, sqlite_backup.BEFORE_UPGRADE, MIGRATION_BACKUPS_KEPT)
            with engine.begin() as conn:
                migrate.upgrade(conn)
            db.upgraded_from = revision
        else:
            # The first connection switches to WAL, which needs to write beside the file:
            # SQLite refuses here, not at the first save, when it cannot.
            engine.connect().close()
    except (sa_exc.OperationalError, sa_exc.DatabaseError) as exc:
        engine.dispose()
        raise _write_problem(exc, path, where) from None
    except BaseException:
        engine.dispose()
        raise
    return db


def _write_problem(exc: sa_exc.DBAPIError, path: Path | None, where: str) -> DatabaseError:
    code = integrity.sqlite_code(exc)
    detail = getattr(exc, "orig", None) or exc
    if path is not None and code in (
        integrity.SQLITE_READONLY,
        integrity.SQLITE_CANTOPEN,
        integrity.SQLITE_PERM,
    ):
        return integrity.read_only_error(path, detail)
    if path is not None and code in (integrity.SQLITE_CORRUPT, integrity.SQLITE_NOTADB):
        return integrity.damaged_error(path, detail)
    return DatabaseError(f"Cannot write to {where}: {detail}.", where)


def upgrade_to_head(db: Database) -> str | None:
    """Bring ``db`` to the newest schema after its content was replaced; return the old revision."""
    with db.engine.begin() as conn:
        revision = migrate.current_revision(conn)
        if revision != migrate.HEAD_REVISION:
            migrate.upgrade(conn)
    return revision

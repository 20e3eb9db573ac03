"""Open a journal database: check it, back it up, migrate it, hand back an engine and sessions.

Order matters for the promise "a newer or foreign file is left untouched": the file is first
looked at through a read-only connection; only when it is known to be ours and not newer does
the app open it for writing (which switches it to WAL) and upgrade it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import URL, Engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from etoile_app.domain.errors import DatabaseError
from etoile_app.storage import migrate, sqlite_backup
from etoile_app.storage.engine import make_engine, make_session_factory, sqlite_file, to_url

MIGRATION_BACKUPS_KEPT = 5


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


def open_database(target: str | Path | URL, *, backups: bool = True) -> Database:
    """Open (creating if need be) and upgrade the journal at ``target``."""
    url = to_url(target)
    path = sqlite_file(url)
    where = _describe(path, url)
    revision: str | None = None
    exists = path is not None and path.exists() and path.stat().st_size > 0

    if path is not None and exists:
        reader = make_engine(url, read_only=True)
        try:
            revision = _read_revision(reader, where)
            migrate.check_not_newer(revision)
        finally:
            reader.dispose()
    elif path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"Cannot create the folder {path.parent}: {exc.strerror}.", where) from None

    engine = make_engine(url)
    db = Database(engine, make_session_factory(engine), url, path, created=not exists)
    try:
        if path is None:
            revision = _read_revision(engine, where)
            migrate.check_not_newer(revision)
        if revision != migrate.HEAD_REVISION:
            if revision is not None and path is not None and backups and sqlite_backup.supported(engine):
                db.backups.append(sqlite_backup.backup(engine, path, "before-upgrade"))
                sqlite_backup.prune(path, "before-upgrade", MIGRATION_BACKUPS_KEPT)
            with engine.begin() as conn:
                migrate.upgrade(conn)
            db.upgraded_from = revision
    except sa_exc.OperationalError as exc:
        engine.dispose()
        raise DatabaseError(f"Cannot write to {where}: {getattr(exc, 'orig', exc)}.", where) from None
    except BaseException:
        engine.dispose()
        raise
    return db

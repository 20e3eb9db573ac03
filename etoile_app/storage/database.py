"""Open a journal database: check it, back it up, migrate it, hand back an engine and sessions.

Order matters for the promise "a damaged, foreign or newer file is left untouched": an
existing file is first looked at through a read-only connection (:mod:`integrity`: is it a
database, does SQLite's check pass, is it ours, is it not newer, can it be written); only
then does the app open it for writing (which switches it to WAL) and upgrade it.

SQLite's full ``integrity_check`` (the only one that sees an index that no longer matches its
table) costs about 95 ms at 10,000 theories and 1.5 s at 100,000. ``check="full"`` runs it
before opening for writing; ``check="background"`` (the window) runs ``quick_check`` first,
opens the file, and runs the full check on a thread while the rows show, with every write held
back by a :class:`WriteGate` until it has passed. A file that fails is written nothing.

Closing a journal (:meth:`Database.close`) moves everything in SQLite's ``-wal`` file into the
main file (``wal_checkpoint(TRUNCATE)``), so after the app quits the file alone is the journal.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import URL, Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from etoile_app.domain.errors import DatabaseError, FolderError, JournalError
from etoile_app.storage import club, integrity, migrate, server_backup, sqlite_backup, sqlite_pragmas
from etoile_app.storage.engine import make_engine, make_session_factory, sqlite_file, to_url
from etoile_app.storage.server_errors import describe as describe_server

MIGRATION_BACKUPS_KEPT = sqlite_backup.KEEP[sqlite_backup.BEFORE_UPGRADE]
Check = Literal["full", "background"]

# SQLite's authorizer: the actions that only read; everything else writes.
_SQLITE_OK, _SQLITE_DENY = 0, 1
_READS = frozenset({19, 20, 21, 22, 31, 33})  # PRAGMA, READ, SELECT, TRANSACTION, FUNCTION, RECURSIVE


class WriteGate:
    """Holds back every write to a journal until its full integrity check has passed.

    The check runs on a thread with its own read-only connection. Until it ends, a connection
    that is about to write waits (SQLite asks the gate while it prepares the statement); if the
    check fails, the write is refused with the :class:`DamagedDatabaseError`, so the damaged file
    is never written to.
    """

    def __init__(self) -> None:
        self._done = threading.Event()
        self.error: DatabaseError | None = None
        self._callbacks: list[Callable[[DatabaseError | None], Any]] = []
        self._lock = threading.Lock()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def passed(self) -> bool:
        return self._done.is_set() and self.error is None

    def wait(self, timeout: float | None = None) -> DatabaseError | None:
        """Wait for the check; the error it found, or ``None`` when the file is whole."""
        self._done.wait(timeout)
        return self.error

    def finish(self, error: DatabaseError | None) -> None:
        with self._lock:
            self.error = error
            self._done.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(error)

    def when_done(self, callback: Callable[[DatabaseError | None], Any]) -> None:
        """Call ``callback(error)`` once the check has ended (at once if it has; maybe on its thread)."""
        with self._lock:
            if not self._done.is_set():
                self._callbacks.append(callback)
                return
        callback(self.error)

    def run(self, path: Path) -> threading.Thread:
        def check() -> None:
            try:
                integrity.full_check(path)
            except DatabaseError as exc:
                self.finish(exc)
            except Exception as exc:  # a check that cannot run must not let writes through
                self.finish(DatabaseError(f"The journal {path} could not be checked: {exc}.", path))
            else:
                self.finish(None)

        thread = threading.Thread(target=check, name="etoile-integrity-check", daemon=True)
        thread.start()
        return thread

    def install(self, engine: Engine) -> None:
        """Make ``engine``'s connections wait for the gate before they write."""

        def authorize(action: int, *_: object) -> int:
            if action in _READS or self.passed:
                return _SQLITE_OK
            return _SQLITE_OK if self.wait() is None else _SQLITE_DENY

        @event.listens_for(engine, "checkout")
        def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
            # Once the check has passed the authorizer is only overhead: take it away.
            if self.passed:
                if record.info.pop("etoile_gated", False):
                    dbapi_connection.set_authorizer(None)
            elif not record.info.get("etoile_gated"):
                dbapi_connection.set_authorizer(authorize)
                record.info["etoile_gated"] = True

        @event.listens_for(engine, "handle_error")
        def _on_error(context: Any) -> BaseException | None:
            return self.error if self.error is not None else None


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    url: URL
    path: Path | None
    upgraded_from: str | None = None
    created: bool = False
    backups: list[Path] = field(default_factory=list)
    #: The full integrity check still running (``check="background"``), else ``None``.
    gate: WriteGate | None = None
    #: Nothing is written through this database: an export opened it so, or (on a server) the
    #: login may only read it (:attr:`read_only_reason` then says so, for the window to show).
    read_only: bool = False
    read_only_reason: str | None = None

    def writer_sessions(self) -> sessionmaker[Session]:
        """Sessions whose transactions take the write lock at ``BEGIN`` (an import): they wait for
        another program's write to end instead of failing half-way."""
        return make_session_factory(self.engine.execution_options(**sqlite_pragmas.IMMEDIATE))

    def checkpoint(self) -> bool:
        """Move what SQLite's ``-wal`` file holds into the main file and empty it.

        Returns whether the WAL was emptied (not while another program reads or writes). Does
        nothing for a journal opened read-only, or one whose integrity check failed.
        """
        if self.read_only or self.path is None or self.engine.dialect.name != "sqlite":
            return False
        if self.gate is not None and not self.gate.passed:
            return False
        with self.engine.connect() as conn:
            busy, _log, _done = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        return not busy

    def close(self) -> None:
        """Checkpoint (the file alone then holds the whole journal) and close every connection."""
        try:
            self.checkpoint()
        except (JournalError, sa_exc.DBAPIError):
            pass  # a full disk or another reader: closing the last connection tries again
        finally:
            self.engine.dispose()

    def dispose(self) -> None:
        self.close()


#: Errors in the app's own SQL or data on a server: bugs, never turned into a message about the journal.
_BUGS = (sa_exc.ProgrammingError, sa_exc.IntegrityError, sa_exc.DataError, sa_exc.NotSupportedError)
#: The table whose rights tell whether a login on a server may change the journal.
_WRITTEN_TABLE = "theories"


def _describe(path: Path | None, url: URL) -> str:
    return str(path) if path is not None else url.render_as_string(hide_password=True)


def _read_revision(engine: Engine, where: str) -> str | None:
    """The revision of a database on a server (SQLite files are read by :mod:`integrity`).

    The server's refusals (cannot reach it, login, no such database, rights) arrive already as
    :mod:`server_errors`' messages and pass through; a mistake in the app's own SQL stays a bug.
    """
    try:
        with engine.connect() as conn:
            return migrate.current_revision(conn)
    except sa_exc.DatabaseError as exc:
        orig = getattr(exc, "orig", None)
        if isinstance(orig, sqlite3.DatabaseError):
            raise DatabaseError(
                f"{where} is not a readable journal ({orig}). It was left as it is.", where
            ) from None
        if isinstance(exc, _BUGS):
            raise
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


#: What :func:`open_database` says it is doing: step, of how many, in words.
OpenProgress = Callable[[int, int, str], None]
#: The steps an open reports (the last is the canon pack's, reported by ``Journal.open``).
OPEN_STEPS = 5


def _quiet(_step: int, _total: int, _text: str) -> None:
    pass


def open_database(
    target: str | Path | URL,
    *,
    backups: bool = True,
    check: Check = "full",
    progress: OpenProgress = _quiet,
) -> Database:
    """Open (creating if need be) and upgrade the journal at ``target``.

    ``progress`` hears each step: checking the file, backing it up before an upgrade,
    upgrading it (the ones that take a while on a big journal).

    ``check`` says when SQLite's full integrity check runs on an existing file: ``"full"``
    before it is opened for writing; ``"background"`` on a thread, writes held back until it
    passes (:attr:`Database.gate`). A file that needs upgrading is always checked in full first.

    Raises a :class:`DatabaseError` subclass naming the file when it cannot be used safely:
    :class:`NotADatabaseError`, :class:`DamagedDatabaseError`, :class:`ForeignDatabaseError`,
    :class:`SchemaTooNewError`, :class:`ReadOnlyDatabaseError` or :class:`FolderError`.
    """
    url = to_url(target)
    path = sqlite_file(url)
    where = _describe(path, url)
    revision: str | None = None
    exists = path is not None and path.exists() and (path.is_dir() or path.stat().st_size > 0)

    background = False
    if path is not None and exists:
        progress(1, OPEN_STEPS, "Checking the journal")
        # Checked in the background, the file's pages are not read through first: the rows
        # show at once, and writes wait for the full check.
        revision = integrity.inspect(
            path, what="the journal", thorough=check == "full", pages=check != "background"
        )
        integrity.check_known(revision, path)
        if check != "full" and revision != migrate.HEAD_REVISION:
            progress(1, OPEN_STEPS, "Checking the journal before upgrading it")
            integrity.full_check(path)  # an upgrade writes: the file must be whole first
        integrity.check_writable(path)
        background = check == "background" and revision == migrate.HEAD_REVISION
    elif path is not None:
        _make_folder(path)
        integrity.check_writable(path)

    engine = make_engine(url)
    db = Database(engine, make_session_factory(engine), url, path, created=not exists)
    if background and path is not None:
        db.gate = WriteGate()
        db.gate.install(engine)
    try:
        if path is None:
            revision = _read_revision(engine, where)
            migrate.check_not_newer(revision)
            db.created = revision is None
        if revision != migrate.HEAD_REVISION:
            if revision is not None and path is not None and backups and sqlite_backup.supported(engine):
                progress(2, OPEN_STEPS, "Backing up the journal before upgrading it")
                db.backups.append(sqlite_backup.backup(engine, path, sqlite_backup.BEFORE_UPGRADE))
                sqlite_backup.prune(path, sqlite_backup.BEFORE_UPGRADE, MIGRATION_BACKUPS_KEPT)
            elif revision is not None and path is None and backups and server_backup.is_server(url):
                progress(2, OPEN_STEPS, "Backing up the journal before upgrading it")
                db.backups.append(server_backup.before_upgrade(engine, url, revision))
            if revision is not None and path is None and url.get_backend_name() == "postgresql":
                refused = club.may_upgrade(engine)
                if refused is not None:
                    raise DatabaseError(refused, where)
            progress(
                3, OPEN_STEPS, "Upgrading the journal" if revision is not None else "Creating the journal"
            )
            found = migrate.upgrade_to_head(engine)
            if revision is not None and url.get_backend_name() == "postgresql":
                club.regrant_after_upgrade(engine)
            if path is None:
                # Read again under the setup lock: another client may have upgraded it meanwhile.
                revision, db.created = found, found is None
            db.upgraded_from = revision if revision != migrate.HEAD_REVISION else None
        else:
            # The first connection switches to WAL, which needs to write beside the file:
            # SQLite refuses here, not at the first save, when it cannot.
            engine.connect().close()
            if db.gate is not None and path is not None:
                db.gate.run(path)
        if url.get_backend_name() == "postgresql":
            db.read_only_reason = _login_may_only_read(engine, url)
            db.read_only = db.read_only_reason is not None
    except (sa_exc.OperationalError, sa_exc.DatabaseError) as exc:
        engine.dispose()
        raise _write_problem(exc, path, where) from None
    except BaseException:
        engine.dispose()
        raise
    return db


def open_read_only(target: str | Path | URL) -> Database:
    """Open the journal at ``target`` for reading only (an export): nothing is ever written.

    The file is checked in full first. A journal in a SQLite file is read through a read-only
    connection (which sees, but never checkpoints, a ``-wal`` file left beside it); an older
    schema is copied into memory and upgraded there, leaving the file as it is.
    """
    url = to_url(target)
    path = sqlite_file(url)
    if path is None:
        db = open_database(url, backups=False)
        return db
    if not path.exists():
        raise DatabaseError(f"There is no journal at {path}.", path)
    revision = integrity.inspect(path, thorough=True)
    integrity.check_known(revision, path)
    if revision == migrate.HEAD_REVISION:
        engine = make_engine(path, read_only=True)
        return Database(engine, make_session_factory(engine), url, path, read_only=True)
    # An older (or empty) journal: upgrade a copy in memory, never the file.
    engine = create_engine("sqlite://", poolclass=StaticPool)
    sqlite_pragmas.install(engine)
    reader = make_engine(path, read_only=True)
    try:
        source = reader.raw_connection()
        target_raw = engine.raw_connection()
        try:
            source.driver_connection.backup(target_raw.driver_connection)  # type: ignore[union-attr,arg-type]
        finally:
            source.close()
            target_raw.close()
    except sqlite3.Error as exc:
        engine.dispose()
        raise integrity.damaged_error(path, exc) from None
    finally:
        reader.dispose()
    migrate.upgrade_to_head(engine)
    return Database(engine, make_session_factory(engine), url, path, upgraded_from=revision, read_only=True)


def _login_may_only_read(engine: Engine, url: URL) -> str | None:
    """Why nothing can be written to the journal on a server, or ``None`` when the login may write.

    Asked once at open: whether the login may insert, change and delete theories, and whether
    the server lets this session write at all (a read-only copy, a database set to read only).
    """
    query = text(
        "SELECT has_table_privilege(current_user, :t, 'INSERT')"
        " AND has_table_privilege(current_user, :t, 'UPDATE')"
        " AND has_table_privilege(current_user, :t, 'DELETE'),"
        " current_setting('transaction_read_only') = 'on', current_user"
    )
    with engine.connect() as conn:
        may_write, read_only_session, user = conn.execute(query, {"t": _WRITTEN_TABLE}).one()
    server = describe_server(url)
    if read_only_session:
        return (
            f"The journal's server {server} accepts only reading now (it may be a read-only copy, or "
            "the database is set to read only): you can look at everything, but changes cannot be saved."
        )
    if not may_write and club.is_club_connection(engine):
        return (
            f"You are a viewer of this club on {server}: {user!r} can look at everything, but "
            "changes cannot be saved. The club's owner can make you a member."
        )
    if not may_write:
        return (
            f"Your login may only read this journal on {server}: {user!r} can look at everything, "
            "but changes cannot be saved. Ask the server's administrator for write access."
        )
    return None


def _write_problem(exc: sa_exc.DBAPIError, path: Path | None, where: str) -> DatabaseError:
    """The error for a failure to open (or upgrade) the journal for writing.

    On a server, a mistake in the app's own SQL (a migration's) is re-raised as it is: a bug.
    """
    if path is None and isinstance(exc, _BUGS):
        raise exc
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
    return migrate.upgrade_to_head(db.engine)

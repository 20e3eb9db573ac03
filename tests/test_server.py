"""A journal on a PostgreSQL server: what a person reads when the server is away, turns the login
away, drops the connection or lets the login only read; reconnecting after a restart; and clients
that open a new database at the same moment setting it up exactly once.

The mapping tests build the driver's errors themselves and run everywhere; the ones marked
``postgresql`` need the test server (``ETOILE_TEST_POSTGRES``).
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import backends
import pytest
from helpers import MINI_PACK, FakeClock, write
from sqlalchemy import URL, create_engine, make_url, select, text
from sqlalchemy import exc as sa_exc

from etoile_app.canon.pack import load_pack
from etoile_app.domain.errors import (
    ConnectionLostError,
    DiskFullError,
    JournalError,
    LoginFailedError,
    PermissionDeniedError,
    ServerBusyError,
    ServerDatabaseMissingError,
    ServerDiskFullError,
    ServerError,
    ServerReadOnlyError,
    ServerUnavailableError,
    TooManyConnectionsError,
    WriteConflictError,
)
from etoile_app.services.journal import Journal
from etoile_app.storage import migrate, server_errors
from etoile_app.storage.database import open_database
from etoile_app.storage.engine import APPLICATION_NAME, make_engine
from etoile_app.storage.models import CanonPackRecord, CharacterRecord, FactRecord, TheoryRecord

psycopg = pytest.importorskip("psycopg")
from psycopg import errors as pg  # noqa: E402

CLUB = make_url("postgresql+psycopg://fan:s3cret@db.example.org:5433/club")
WHERE = "db.example.org:5433/club"


def _failed(words: str) -> Exception:
    """A failure to connect as libpq reports it: in words, without a SQLSTATE."""
    return psycopg.OperationalError(
        f'connection failed: connection to server at "db.example.org", port 5433 failed: {words}'
    )


# --- the mapping -----------------------------------------------------------------------------

CONDITIONS = [
    (
        _failed("Connection refused\n\tIs the server running on that host?"),
        ServerUnavailableError,
        "Cannot reach",
    ),
    (
        psycopg.OperationalError(
            "failed to resolve host 'db.example.org': [Errno -2] Name or service not known"
        ),
        ServerUnavailableError,
        "no computer by that name",
    ),
    (_failed("timeout expired"), ServerUnavailableError, "did not answer in time"),
    (_failed("FATAL:  the database system is starting up"), ServerUnavailableError, "starting up"),
    (pg.CannotConnectNow("the database system is shutting down"), ServerUnavailableError, "try again"),
    (_failed('FATAL:  password authentication failed for user "fan"'), LoginFailedError, "password"),
    (_failed("fe_sendauth: no password supplied"), LoginFailedError, "password"),
    (_failed('FATAL:  role "fan" does not exist'), LoginFailedError, "no login called 'fan'"),
    (_failed('FATAL:  no pg_hba.conf entry for host "10.0.0.7"'), LoginFailedError, "from this computer"),
    (pg.InvalidPassword('password authentication failed for user "fan"'), LoginFailedError, "password"),
    (
        _failed('FATAL:  database "club" does not exist'),
        ServerDatabaseMissingError,
        "no database called 'club'",
    ),
    (pg.InvalidCatalogName('database "club" does not exist'), ServerDatabaseMissingError, "'club'"),
    (_failed("FATAL:  sorry, too many clients already"), TooManyConnectionsError, "too many"),
    (pg.TooManyConnections("sorry, too many clients already"), TooManyConnectionsError, "too many"),
    (
        pg.AdminShutdown("terminating connection due to administrator command"),
        ConnectionLostError,
        "reconnects",
    ),
    (pg.CrashShutdown("terminating connection because of crash"), ConnectionLostError, "was lost"),
    (
        psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"),
        ConnectionLostError,
        "was lost",
    ),
    (psycopg.OperationalError("the connection is closed"), ConnectionLostError, "was lost"),
    (pg.ConnectionFailure("connection failure"), ConnectionLostError, "was lost"),
    (
        pg.InsufficientPrivilege("permission denied for table theories"),
        PermissionDeniedError,
        "may only read",
    ),
    (pg.InsufficientPrivilege("must be owner of table theories"), PermissionDeniedError, "lacks the rights"),
    (
        pg.InsufficientPrivilege('permission denied for database "club"'),
        PermissionDeniedError,
        "does not let the login 'fan' open",
    ),
    (
        pg.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction"),
        ServerReadOnlyError,
        "only reading",
    ),
    (
        pg.DiskFull('could not extend file "base/16384/16385": No space left on device'),
        ServerDiskFullError,
        "full",
    ),
    (pg.SerializationFailure("could not serialize access"), WriteConflictError, "Try again"),
    (pg.DeadlockDetected("deadlock detected"), WriteConflictError, "Try again"),
    (pg.LockNotAvailable("could not obtain lock on row"), WriteConflictError, "Try again"),
    (pg.OutOfMemory("out of memory"), ServerBusyError, "try again"),
    (pg.QueryCanceled("canceling statement due to statement timeout"), ServerBusyError, "took too long"),
]


@pytest.mark.parametrize(("error", "kind", "words"), CONDITIONS, ids=lambda v: getattr(v, "__name__", None))
def test_each_server_condition_has_a_message_naming_the_server(
    error: Exception, kind: type[JournalError], words: str
) -> None:
    mapped = server_errors.translate(error, CLUB)
    assert type(mapped) is kind
    message = str(mapped)
    assert words.lower() in message.lower()
    assert "db.example.org" in message, "the message does not name the server"
    assert "s3cret" not in message, "the message shows the password"
    assert "\n" not in message
    assert message.endswith("."), "a message is a full sentence"
    assert mapped.server == WHERE  # type: ignore[union-attr]
    assert mapped.detail == " ".join(str(error).split()), "the server's own words are kept"  # type: ignore[union-attr]


def test_the_same_error_wrapped_by_sqlalchemy_is_mapped_the_same() -> None:
    orig = pg.AdminShutdown("terminating connection due to administrator command")
    wrapped = sa_exc.OperationalError("SELECT 1", {}, orig)
    assert type(server_errors.translate(wrapped, CLUB)) is ConnectionLostError


def test_a_permission_error_names_the_table_and_a_full_disk_is_a_disk_full_error() -> None:
    denied = server_errors.translate(pg.InsufficientPrivilege("permission denied for table theories"), CLUB)
    assert isinstance(denied, PermissionDeniedError) and denied.target == "theories"
    assert "theories" in str(denied)
    full = server_errors.translate(pg.DiskFull("could not extend file"), CLUB)
    assert isinstance(full, DiskFullError) and isinstance(full, ServerDiskFullError)


def test_a_broken_connection_the_driver_words_vaguely_is_lost_not_unreachable() -> None:
    vague = psycopg.OperationalError("something odd happened")
    assert type(server_errors.translate(vague, CLUB, disconnect=True)) is ConnectionLostError
    assert type(server_errors.translate(vague, CLUB)) is ServerUnavailableError


@pytest.mark.parametrize(
    "error",
    [
        pg.SyntaxError('syntax error at or near "SELEC"'),
        pg.UndefinedTable('relation "theory" does not exist'),
        pg.UndefinedColumn('column "titel" does not exist'),
        pg.UniqueViolation("duplicate key value violates unique constraint"),
        pg.NotNullViolation('null value in column "title" violates not-null constraint'),
        pg.ForeignKeyViolation("insert or update violates foreign key constraint"),
        pg.InvalidTextRepresentation("invalid input syntax for type integer"),
        pg.InFailedSqlTransaction("current transaction is aborted"),
        psycopg.ProgrammingError("the query has 2 placeholders but 1 parameters were passed"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_mistakes_in_the_apps_own_sql_stay_bugs(error: Exception) -> None:
    assert server_errors.translate(error, CLUB) is None


def test_sqlite_errors_are_not_the_servers_to_translate() -> None:
    assert server_errors.translate(sqlite3.OperationalError("database is locked"), CLUB) is None
    assert server_errors.translate(ValueError("not a database error"), CLUB) is None


def test_the_server_is_named_without_login_or_password() -> None:
    assert server_errors.describe(CLUB) == WHERE
    assert server_errors.describe(make_url("postgresql+psycopg://fan@club.example/etoile")) == (
        "club.example:5432/etoile"
    )
    assert server_errors.describe(make_url("postgresql+psycopg:///etoile")) == "localhost:5432/etoile"
    assert server_errors.login_of(CLUB) == "the login 'fan'"


def test_a_server_nobody_answers_at_is_said_so_when_opening() -> None:
    with pytest.raises(ServerUnavailableError) as caught:
        Journal.open("postgresql+psycopg://fan:s3cret@127.0.0.1:1/club", pack=MINI_PACK)
    assert "127.0.0.1:1/club" in str(caught.value)
    assert "s3cret" not in str(caught.value)
    assert "Connection refused" in (caught.value.detail or "")


# --- on the server ---------------------------------------------------------------------------


def _admin_url() -> URL:
    return backends.server().url


def _terminate_app_connections(database: str) -> int:
    """End every connection the app has to ``database``, as a server restart would."""
    with backends.server().admin.connect() as conn:
        ended = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = :db AND application_name LIKE :app"
            ),
            {"db": database, "app": APPLICATION_NAME + "/%"},
        ).scalar_one()
        # Wait until the server has really let them go.
        for _ in range(100):
            left = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND application_name LIKE :app"
                ),
                {"db": database, "app": APPLICATION_NAME + "/%"},
            ).scalar_one()
            if not left:
                break
            time.sleep(0.02)
    return ended


@pytest.mark.postgresql
def test_missing_database_and_unknown_login_are_said_so(db_target: URL) -> None:
    with pytest.raises(ServerDatabaseMissingError) as missing:
        open_database(db_target.set(database="etoile_no_such_journal"))
    assert "etoile_no_such_journal" in str(missing.value)
    with pytest.raises(LoginFailedError) as login:
        open_database(db_target.set(username="etoile_nobody_at_all", password="hunter2"))
    assert "etoile_nobody_at_all" in str(login.value)
    assert "hunter2" not in str(login.value)


@pytest.mark.postgresql
def test_a_restarted_connection_is_replaced_before_use(journal: Journal) -> None:
    first = write(journal, "Before the restart")
    assert _terminate_app_connections(journal.database.url.database) >= 1
    # The pooled connection is dead; the check before use replaces it, unnoticed.
    assert journal.theories.get(first.id).title == "Before the restart"
    second = write(journal, "After the restart")
    assert journal.theories.get(second.id).title == "After the restart"


@pytest.mark.postgresql
def test_a_connection_lost_mid_transaction_is_a_journal_error_and_the_next_call_works(
    journal: Journal,
) -> None:
    theory = write(journal, "Kept")

    def change_while_the_server_restarts() -> None:
        with journal.database.sessions.begin() as s:
            s.execute(text("UPDATE theories SET title = 'Half-written' WHERE id = :id"), {"id": theory.id})
            _terminate_app_connections(journal.database.url.database)
            s.execute(select(TheoryRecord.id)).all()

    with pytest.raises(ConnectionLostError) as caught:
        change_while_the_server_restarts()
    assert journal.database.url.database in str(caught.value)
    assert isinstance(caught.value, ServerError) and caught.value.detail
    # The next call reconnects, and finds nothing of the broken transaction.
    assert journal.theories.get(theory.id).title == "Kept"


@pytest.fixture
def reader(db_target: URL) -> Iterator[URL]:
    with backends.read_only_login(db_target) as url:
        yield url


def _rows(url: URL) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
                for name in ("theories", "canon_facts", "characters", "canon_packs", "evidence")
            }
    finally:
        engine.dispose()


@pytest.mark.postgresql
def test_a_login_that_may_only_read_opens_the_journal_and_is_told_at_the_first_save(
    db_target: URL, reader: URL
) -> None:
    before = _rows(db_target)
    journal = Journal.open(reader, pack=MINI_PACK, clock=FakeClock())
    try:
        assert journal.database.read_only
        assert "may only read" in (journal.database.read_only_reason or "")
        assert journal.canon.facts(), "it reads the journal"
        with pytest.raises(PermissionDeniedError) as caught:
            write(journal, "Not allowed")
    finally:
        journal.close()
    message = str(caught.value)
    assert "may only read this journal" in message
    assert db_target.database in message and "theories" in message
    assert caught.value.target == "theories"
    assert _rows(db_target) == before, "a login that may only read wrote something"


@pytest.mark.postgresql
def test_a_login_that_may_write_is_not_read_only(journal: Journal) -> None:
    assert not journal.database.read_only
    assert journal.database.read_only_reason is None


@pytest.fixture
def empty_database() -> Iterator[URL]:
    server = backends.server()
    url = server.create(server.fresh_name("fresh"))
    try:
        yield url
    finally:
        server.drop(url)


@pytest.mark.postgresql
def test_clients_opening_a_new_database_at_once_set_it_up_once(empty_database: URL) -> None:
    clients = 6
    start = threading.Barrier(clients)
    journals: list[Journal] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def open_one() -> None:
        try:
            start.wait()
            opened = Journal.open(empty_database, pack=MINI_PACK, clock=FakeClock())
        except BaseException as exc:
            with lock:
                failures.append(exc)
        else:
            with lock:
                journals.append(opened)

    threads = [threading.Thread(target=open_one) for _ in range(clients)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "clients still wait to open the journal"
    try:
        assert not failures, failures
        assert len(journals) == clients
        assert sum(j.database.created for j in journals) == 1, "more than one client created the schema"
        assert sum(bool(j.seeded and j.seeded.applied) for j in journals) == 1, "the canon was seeded twice"
    finally:
        for journal in journals:
            journal.close()

    pack = load_pack(MINI_PACK)
    engine = make_engine(empty_database)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [
                migrate.HEAD_REVISION
            ]
            assert conn.scalar(select(text("count(*)")).select_from(CanonPackRecord)) == 1
            assert conn.scalar(select(text("count(*)")).select_from(FactRecord)) == len(pack.facts)
            assert conn.scalar(select(text("count(*)")).select_from(CharacterRecord)) == len(pack.characters)
    finally:
        engine.dispose()


@pytest.mark.postgresql
def test_an_upgrade_waits_for_the_setup_lock_another_client_holds(empty_database: URL) -> None:
    holder = create_engine(empty_database)
    done = threading.Event()
    failures: list[BaseException] = []

    def open_it() -> None:
        try:
            open_database(empty_database).dispose()
        except BaseException as exc:
            failures.append(exc)
        finally:
            done.set()

    try:
        with holder.connect() as conn, conn.begin():
            migrate.take_setup_lock(conn)
            thread = threading.Thread(target=open_it)
            thread.start()
            assert not done.wait(1.0), "the upgrade did not wait for the setup lock"
        assert done.wait(60), "the upgrade did not go on once the lock was let go"
        thread.join()
        assert not failures, failures
    finally:
        holder.dispose()
    with make_engine(empty_database).connect() as conn:
        assert migrate.current_revision(conn) == migrate.HEAD_REVISION


def test_the_setup_lock_is_the_servers_alone(tmp_path: Path) -> None:
    """On SQLite (one writer per file) taking the setup lock does nothing."""
    engine = make_engine(tmp_path / "journal.sqlite3")
    try:
        with engine.connect() as conn, conn.begin():
            migrate.take_setup_lock(conn)
    finally:
        engine.dispose()


class _Relay:
    """A TCP relay in front of the test server: stopping it is, for the app, the server going
    away (every connection broken, new ones refused); starting it again, the server back."""

    def __init__(self, target: URL) -> None:
        self.target = (target.host or "127.0.0.1", target.port or 5432)
        self.port = 0
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self._open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept(); close() alone does not
            self._listener.close()
            self._listener = None
        for end in self._open:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
        self._open.clear()


@pytest.mark.postgresql
def test_a_server_that_goes_away_is_said_so_and_is_used_again_once_back(db_target: URL) -> None:
    relay = _Relay(db_target)
    relay.start()
    journal = Journal.from_database(open_database(db_target.set(host="127.0.0.1", port=relay.port)))
    try:
        theory = write(journal, "Before the outage")
        relay.stop()
        with pytest.raises(ServerUnavailableError) as caught:
            journal.theories.get(theory.id)
        assert f"127.0.0.1:{relay.port}/{db_target.database}" in str(caught.value)
        relay.start()  # the same port: the server is back
        assert journal.theories.get(theory.id).title == "Before the outage"
        write(journal, "After the outage")
    finally:
        journal.close()
        relay.stop()

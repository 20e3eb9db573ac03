"""Turn what a PostgreSQL server (and the driver talking to it) says into messages for people.

A journal on a server meets failures a file never does: the server is not there, turns the
login away, has no such database, drops the connection when it restarts, lets the login only
read, is full, or finds that two clients changed the same rows at once. :func:`translate` maps
each to a :class:`~etoile_app.domain.errors.ServerError` (or :class:`ServerDiskFullError`) whose
message names the server as ``host:port/database`` (never the password) and says what to do;
the server's own words are kept in the error's ``detail``. :func:`install` makes an engine raise
those instead of SQLAlchemy's wrapped errors.

Errors that mean the app itself is wrong (a syntax error in its SQL, a missing column, a broken
constraint, a value of the wrong type) are not translated: they are bugs and stay bugs.

The errors come from the server with a SQLSTATE code. Failures to connect come from libpq
without one, in words only; those are told apart by their wording.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import URL, Engine, event
from sqlalchemy import exc as sa_exc

from etoile_app.domain.errors import (
    ConnectionLostError,
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

DEFAULT_PORT = 5432

# SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
INVALID_AUTHORIZATION = "28000"
INVALID_PASSWORD = "28P01"
NO_SUCH_DATABASE = "3D000"
INSUFFICIENT_PRIVILEGE = "42501"
READ_ONLY_TRANSACTION = "25006"
IDLE_IN_TRANSACTION_TIMEOUT = "25P03"
SERIALIZATION_FAILURE = "40001"
DEADLOCK = "40P01"
LOCK_NOT_AVAILABLE = "55P03"
INSUFFICIENT_RESOURCES = "53000"
DISK_FULL = "53100"
OUT_OF_MEMORY = "53200"
TOO_MANY_CONNECTIONS = "53300"
QUERY_CANCELED = "57014"
ADMIN_SHUTDOWN = "57P01"
CRASH_SHUTDOWN = "57P02"
CANNOT_CONNECT_NOW = "57P03"
DATABASE_DROPPED = "57P04"
IDLE_SESSION_TIMEOUT = "57P05"
#: Class 08, "connection exception": the connection could not be made or broke.
CONNECTION_CLASS = "08"
UNABLE_TO_CONNECT = ("08001", "08004")

# libpq's words for failures that come without a SQLSTATE.
_NO_SUCH_HOST = re.compile(
    r"could not translate host name|failed to resolve host|name or service not known|"
    r"nodename nor servname|no address associated|temporary failure in name resolution",
    re.IGNORECASE,
)
_REFUSED = re.compile(
    r"connection refused|no such file or directory|network is unreachable|no route to host", re.I
)
_TIMEOUT = re.compile(r"timeout expired|timed out", re.IGNORECASE)
_NOT_POSTGRES = re.compile(
    r"invalid response to ssl negotiation|received invalid response|expected authentication", re.I
)
_STARTING = re.compile(
    r"database system is (starting up|shutting down|in recovery mode|not yet accepting)", re.I
)
_BAD_PASSWORD = re.compile(r"password authentication failed|authentication failed for user", re.IGNORECASE)
_NO_PASSWORD = re.compile(r"no password supplied|password is required", re.IGNORECASE)
_NO_ROLE = re.compile(r'role "[^"]*" does not exist', re.IGNORECASE)
_NOT_ALLOWED_HERE = re.compile(r"no pg_hba\.conf entry|pg_hba\.conf rejects", re.IGNORECASE)
_NO_DATABASE = re.compile(r'database "[^"]*" does not exist', re.IGNORECASE)
_TOO_MANY = re.compile(r"too many clients|remaining connection slots are reserved", re.IGNORECASE)
_LOST = re.compile(
    r"server closed the connection|connection is closed|connection has been closed|"
    r"consuming input failed|terminating connection|connection to server .* lost|"
    r"ssl connection has been closed|ssl syscall error|could not receive data|could not send data|"
    r"connection reset by peer|broken pipe|eof detected|lost synchronization",
    re.IGNORECASE,
)
_DENIED_ON = re.compile(
    r"permission denied for (?P<kind>table|relation|sequence|schema|database|function|view)"
    r'\s+"?(?P<name>[^"\s]+)"?',
    re.IGNORECASE,
)
_MUST_OWN = re.compile(r'must be (?:the )?owner of (?P<kind>\w+)\s+"?(?P<name>[^"\s]+)"?', re.IGNORECASE)


def describe(url: URL) -> str:
    """The server and database of ``url`` as ``host:port/database``: never the login or password."""
    host = url.host or url.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = ",".join(host)
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"{host}:{url.port or DEFAULT_PORT}/{url.database or ''}"


def _host_of(server: str) -> str:
    """``host`` of ``host:port/database``."""
    return server.rpartition("/")[0].rpartition(":")[0]


def login_of(url: URL) -> str:
    """How a message names the login: ``the login 'name'``, or ``your login`` when the URL names none."""
    return f"the login {url.username!r}" if url.username else "your login"


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE behind ``error`` (a DBAPI or SQLAlchemy error), if the server gave one."""
    orig = error.orig if isinstance(error, sa_exc.DBAPIError) else error
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return code if isinstance(code, str) else None


def server_words(error: BaseException) -> str:
    """The server's (or driver's) own message, on one line, for a dialog's details."""
    orig = error.orig if isinstance(error, sa_exc.DBAPIError) and error.orig is not None else error
    return " ".join(str(orig).split())


def _primary(error: BaseException) -> str:
    """The server's main message (``permission denied for table theories``), else the whole text."""
    orig = error.orig if isinstance(error, sa_exc.DBAPIError) and error.orig is not None else error
    diag = getattr(orig, "diag", None)
    primary = getattr(diag, "message_primary", None)
    return primary if isinstance(primary, str) and primary else server_words(error)


#: The top-level modules of PostgreSQL's Python drivers.
_DRIVERS = frozenset({"psycopg", "psycopg2", "psycopg_c", "psycopg_binary", "asyncpg", "pg8000"})


def _from_postgres_driver(error: BaseException) -> bool:
    orig = error.orig if isinstance(error, sa_exc.DBAPIError) else error
    return type(orig).__module__.split(".", 1)[0] in _DRIVERS


def _is_operational(error: BaseException) -> bool:
    orig = error.orig if isinstance(error, sa_exc.DBAPIError) else error
    return isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError) or any(
        cls.__name__ in ("OperationalError", "InterfaceError") for cls in type(orig).__mro__
    )


def unavailable(server: str, words: str, detail: str) -> ServerUnavailableError:
    host = _host_of(server)
    if _NO_SUCH_HOST.search(words):
        message = (
            f"Cannot find the journal's server {host}: no computer by that name is known. "
            "Check the server's address and your network connection, then try again."
        )
    elif _STARTING.search(words):
        message = f"The journal's server {server} is starting up or shutting down; try again in a moment."
    elif _TIMEOUT.search(words):
        message = (
            f"The journal's server {server} did not answer in time. "
            "Check your network connection and the server's address, then try again."
        )
    elif _NOT_POSTGRES.search(words):
        message = (
            f"Something answered at {server}, but it is not a PostgreSQL server. "
            "Check the server's address and port."
        )
    elif _REFUSED.search(words):
        message = (
            f"Cannot reach the journal's server {server}: no database server answered there. "
            "Check that the server is running and that its address and port are right, then try again."
        )
    else:
        message = (
            f"Cannot reach the journal's server {server}. "
            "Check that the server is running and your network connection, then try again."
        )
    return ServerUnavailableError(message, server, detail)


def login_failed(server: str, login: str, words: str, detail: str) -> LoginFailedError:
    if _NO_ROLE.search(words):
        why = (
            f"it has no login called {login.removeprefix('the login ')}"
            if login.startswith("the login ")
            else "it has no such login"
        )
        todo = "Check the user name in the journal's address, or ask the server's administrator for a login."
    elif _NO_PASSWORD.search(words):
        why = f"it needs a password for {login}, and none was given"
        todo = "Add the password to the journal's address (or to your .pgpass file)."
    elif _NOT_ALLOWED_HERE.search(words):
        why = f"it does not let {login} connect from this computer"
        todo = "Ask the server's administrator to allow it (in pg_hba.conf)."
    elif _BAD_PASSWORD.search(words):
        why = f"the password for {login} is wrong"
        todo = "Check the user name and password in the journal's address."
    else:
        why = f"it did not accept {login}"
        todo = "Check the user name and password in the journal's address."
    return LoginFailedError(
        f"The journal's server {server} turned the login away: {why}. {todo}", server, detail
    )


def connection_lost(server: str, detail: str) -> ConnectionLostError:
    return ConnectionLostError(
        f"The connection to the journal's server {server} was lost (the server may have restarted, "
        "or the network dropped). What you were doing may not have been saved: check, then try again; "
        "the app reconnects by itself.",
        server,
        detail,
    )


def permission_denied(server: str, login: str, words: str, detail: str) -> PermissionDeniedError:
    denied = _DENIED_ON.search(words)
    owner = _MUST_OWN.search(words)
    if denied is not None and denied["kind"].lower() == "database":
        return PermissionDeniedError(
            f"The journal's server {server} does not let {login} open the database {denied['name']}. "
            "Ask the server's administrator to grant it access.",
            server,
            detail,
            denied["name"],
        )
    if denied is not None and denied["kind"].lower() in ("table", "relation", "sequence", "view"):
        target = denied["name"]
        message = (
            f"Your login may only read this journal on {server}: {login} has no right to change "
            f"{target}, so nothing was changed. Ask the server's administrator for write access."
        )
    else:
        found = denied or owner
        target = found["name"] if found is not None else None
        message = (
            f"{login[0].upper()}{login[1:]} lacks the rights this needs on {server} ({words.rstrip('.')}), "
            "so nothing was changed. It may be allowed only to read the journal; ask the server's "
            "administrator for the rights."
        )
    return PermissionDeniedError(message, server, detail, target)


def no_database(server: str, detail: str, *, dropped: bool = False) -> ServerDatabaseMissingError:
    host, database = server.rpartition("/")[0], server.rpartition("/")[2]
    return ServerDatabaseMissingError(
        f"There is no database called {database!r} on the journal's server {host}"
        f"{' any more' if dropped else ''}. Check the name in the journal's address, or ask the "
        "server's administrator to create it (the app then makes the journal in it).",
        server,
        detail,
    )


def read_only_server(server: str, detail: str) -> ServerReadOnlyError:
    return ServerReadOnlyError(
        f"The journal's server {server} accepts only reading now (it may be a read-only copy, or the "
        "database is set to read only), so nothing was changed. Ask the server's administrator.",
        server,
        detail,
    )


def translate(error: BaseException, url: URL, *, disconnect: bool = False) -> JournalError | None:
    """A :class:`ServerError` (or :class:`ServerDiskFullError`) for ``error``, or ``None``.

    ``url`` is the journal's (it names the server and the login); ``disconnect`` says that
    SQLAlchemy took the error for a broken connection. ``None`` leaves the error as it is: it
    is not about the server (a bug in the app's SQL, a broken constraint, a bad value).
    """
    if isinstance(error, JournalError) or not _from_postgres_driver(error):
        return None
    server, login = describe(url), login_of(url)
    detail = server_words(error)
    words = _primary(error)
    code = sqlstate(error)
    if code is None:
        return _without_code(error, server, login, words, detail, disconnect=disconnect)
    if code in (INVALID_PASSWORD, INVALID_AUTHORIZATION):
        return login_failed(server, login, words, detail)
    if code in (NO_SUCH_DATABASE, DATABASE_DROPPED):
        return no_database(server, detail, dropped=code == DATABASE_DROPPED)
    if code == INSUFFICIENT_PRIVILEGE:
        return permission_denied(server, login, words, detail)
    if code == READ_ONLY_TRANSACTION:
        return read_only_server(server, detail)
    if code == TOO_MANY_CONNECTIONS:
        return TooManyConnectionsError(
            f"The journal's server {server} has no room for another connection: too many are open. "
            "Close the journal on another computer, or try again in a while.",
            server,
            detail,
        )
    if code == DISK_FULL:
        return ServerDiskFullError(
            f"The disk of the journal's server {server} is full, so the change was not saved; nothing "
            "was lost. Ask the server's administrator to free some space, then try again.",
            server,
            detail,
        )
    if code in (SERIALIZATION_FAILURE, DEADLOCK, LOCK_NOT_AVAILABLE):
        return WriteConflictError(
            f"Someone else was changing the same part of the journal on {server} at the same moment, "
            "so this change was not made. Try again.",
            server,
            detail,
        )
    if code in (INSUFFICIENT_RESOURCES, OUT_OF_MEMORY, QUERY_CANCELED):
        return ServerBusyError(
            f"The journal's server {server} stopped the work (it took too long, or the server ran short "
            "of memory), so nothing was changed. Try again in a while.",
            server,
            detail,
        )
    if code == CANNOT_CONNECT_NOW:
        return unavailable(server, words or "database system is starting up", detail)
    if code in UNABLE_TO_CONNECT:
        return unavailable(server, words, detail)
    if code in (ADMIN_SHUTDOWN, CRASH_SHUTDOWN, IDLE_SESSION_TIMEOUT, IDLE_IN_TRANSACTION_TIMEOUT) or (
        code.startswith(CONNECTION_CLASS)
    ):
        return connection_lost(server, detail)
    return None


def _without_code(
    error: BaseException, server: str, login: str, words: str, detail: str, *, disconnect: bool
) -> JournalError | None:
    """Failures libpq reports in words only: connecting, and a connection that broke."""
    if not _is_operational(error):
        return None
    if _TOO_MANY.search(words):
        return TooManyConnectionsError(
            f"The journal's server {server} has no room for another connection: too many are open. "
            "Close the journal on another computer, or try again in a while.",
            server,
            detail,
        )
    if _NO_DATABASE.search(words):
        return no_database(server, detail)
    if _BAD_PASSWORD.search(words) or _NO_PASSWORD.search(words) or _NO_ROLE.search(words):
        return login_failed(server, login, words, detail)
    if _NOT_ALLOWED_HERE.search(words):
        return login_failed(server, login, words, detail)
    if _STARTING.search(words):
        return unavailable(server, words, detail)
    if disconnect or _LOST.search(words):
        return connection_lost(server, detail)
    return unavailable(server, words, detail)


def install(engine: Engine, url: URL) -> None:
    """Make ``engine`` (one on a server) raise :func:`translate`'s errors in place of SQLAlchemy's.

    The check a pooled connection gets before use (``pool_pre_ping``) is left alone: there a
    broken connection is expected, and the pool replaces it with a new one.
    """
    if engine.dialect.name == "sqlite":
        return

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> BaseException | None:
        if context.is_pre_ping:
            return None
        return translate(context.original_exception, url, disconnect=bool(context.is_disconnect))


__all__ = ["ServerError", "describe", "install", "translate"]

"""Engines and sessions: one place that turns a path or URL into a configured engine."""

from __future__ import annotations

import secrets
import weakref
from pathlib import Path

from sqlalchemy import URL, Engine, create_engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from etoile_app.storage import interrupt, server_errors, sqlite_errors, sqlite_pragmas

#: Seconds to wait for a database server to answer a new connection (unless the URL says).
CONNECT_TIMEOUT = 10
#: How the app's connections show in the server's list of clients (``pg_stat_activity``),
#: followed by a slash and the client's own name (:func:`client_name`).
APPLICATION_NAME = "etoile-journal"

_client_names: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def client_name(engine: Engine) -> str | None:
    """The ``application_name`` of ``engine``'s connections to a server: every change they make
    is announced under it (migration 0010), so a client knows its own changes from others'."""
    return _client_names.get(engine)


def to_url(target: str | Path | URL) -> URL:
    """A database URL from a URL or a file path (``--db PATH``)."""
    if isinstance(target, URL):
        return target
    text = str(target)
    if "://" in text:
        return make_url(text)
    return URL.create("sqlite", database=str(Path(text).expanduser().resolve()))


def sqlite_file(url: URL) -> Path | None:
    """The file behind a SQLite URL, or ``None`` for other databases and in-memory ones."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    database = url.database
    if database.startswith("file:"):
        database = database[len("file:") :]
    return Path(database)


def make_engine(target: str | Path | URL, *, read_only: bool = False) -> Engine:
    """An engine for ``target``; ``read_only`` opens a SQLite file so that nothing is written.

    A read-only connection to a WAL database still creates ``-wal`` and ``-shm`` files when they
    are missing. When there is no ``-wal`` file there is nothing in it to read, so the file is
    opened as immutable, which creates nothing; otherwise those files already exist.

    An engine on a server checks each pooled connection before handing it out (``pool_pre_ping``):
    one the server dropped (a restart, an administrator) is replaced by a new one unnoticed. Its
    errors about the server reach callers as :mod:`server_errors`' messages.
    """
    url = to_url(target)
    path = sqlite_file(url)
    if read_only and url.get_backend_name() == "sqlite" and path is not None:
        query = {"mode": "ro", "uri": "true"}
        if not Path(f"{path}-wal").exists():
            query["immutable"] = "1"
        url = URL.create("sqlite", database=f"file:{path.as_posix()}", query=query)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url)
    else:
        args = _server_connect_args(url)
        engine = create_engine(url, pool_pre_ping=True, connect_args=args)
        name = args.get("application_name", url.query.get("application_name"))
        if isinstance(name, str):
            _client_names[engine] = name
    sqlite_pragmas.install(engine, read_only=read_only)
    sqlite_errors.install(engine, path)
    server_errors.install(engine, url)
    interrupt.install(engine)
    return engine


def _server_connect_args(url: URL) -> dict[str, object]:
    """Connection settings for a PostgreSQL driver that the URL does not set itself."""
    if url.get_backend_name() != "postgresql" or url.get_driver_name() not in ("psycopg", "psycopg2"):
        return {}
    args: dict[str, object] = {}
    if "connect_timeout" not in url.query:
        args["connect_timeout"] = CONNECT_TIMEOUT
    if "application_name" not in url.query:
        args["application_name"] = f"{APPLICATION_NAME}/{secrets.token_hex(6)}"
    return args


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)

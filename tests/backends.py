"""Which database the tests run on, and the test server's databases.

``ETOILE_TEST_POSTGRES`` set to a server's URL (a login that may create databases, e.g.
``postgresql+psycopg://etoile@127.0.0.1:5432/postgres``; ``tools/throwaway-postgres`` starts
one) runs the suite on that server: every test's journal is a database of its own, copied
from a migrated and seeded template with ``CREATE DATABASE … TEMPLATE``. Unset, the suite
runs on SQLite files. Tests of one backend only are marked ``sqlite`` or ``postgresql``.

The server pass runs every test whose journal comes from the ``db_target`` fixture (directly,
or through ``journal``, ``store`` and the rest) or that is marked ``postgresql``. The others
are the SQLite pass's alone: a test that takes ``db_path`` works on the journal's SQLite file
itself, one marked ``sqlite`` is about SQLite, and one that uses no journal fixture either
touches no database (the same on both passes) or makes SQLite files of its own.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, make_url, text

SERVER_URL = os.environ.get("ETOILE_TEST_POSTGRES", "")
BACKEND = "postgresql" if SERVER_URL else "sqlite"
NO_SERVER = "PostgreSQL only: set ETOILE_TEST_POSTGRES to a server's URL (tools/throwaway-postgres)"


def kind_of(item: Any) -> str:
    """Which pass runs a collected test: ``sqlite``, ``postgresql``, ``both``, or ``none``
    (no journal: the SQLite pass runs it)."""
    names = set(getattr(item, "fixturenames", ()))
    if item.get_closest_marker("postgresql"):
        return "postgresql"
    if item.get_closest_marker("sqlite") or "db_path" in names:
        return "sqlite"
    return "both" if "db_target" in names else "none"


class Server:
    """The PostgreSQL server the suite runs on, reached through its maintenance database."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin: Engine = create_engine(self.url, isolation_level="AUTOCOMMIT", pool_size=1)
        self._numbers = itertools.count(1)

    def fresh_name(self, what: str) -> str:
        """A database name no other test, worker or run on this server uses."""
        return f"etoile_{what}_{os.getpid()}_{next(self._numbers)}"

    def url_of(self, name: str) -> URL:
        return self.url.set(database=name)

    def create(self, name: str, *, template: URL | None = None) -> URL:
        """A new database called ``name`` (empty, or a copy of ``template``); its URL."""
        name = name if name.startswith("etoile_") else self.fresh_name(name)
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            source = f' TEMPLATE "{template.database}"' if template is not None else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{source}'))
        return self.url_of(name)

    def drop(self, url: URL) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))


@cache
def server() -> Server:
    if not SERVER_URL:
        raise RuntimeError(NO_SERVER)
    return Server(SERVER_URL)


@contextmanager
def copied_database(source: Path | URL, folder: Path, name: str = "journal") -> Iterator[Path | URL]:
    """A copy of the journal ``source`` for as long as the block runs: a file in ``folder``, or
    a database on the test server (dropped afterwards)."""
    if isinstance(source, Path):
        copy = folder / f"{name}.sqlite3"
        shutil.copyfile(source, copy)
        yield copy
        return
    server_ = server()
    url = server_.create(server_.fresh_name(name), template=source)
    try:
        yield url
    finally:
        server_.drop(url)


@contextmanager
def read_only_login(target: URL) -> Iterator[URL]:
    """A login on the test server that may only read the journal at ``target`` (no password:
    the test server trusts local logins); dropped, with its sessions, afterwards."""
    server_ = server()
    role = server_.fresh_name("reader")
    with server_.admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'GRANT CONNECT ON DATABASE "{target.database}" TO "{role}"'))
    owner = create_engine(target, isolation_level="AUTOCOMMIT")
    try:
        with owner.connect() as conn:
            conn.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
            conn.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'))
        yield target.set(username=role, password=None)
    finally:
        with owner.connect() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
        owner.dispose()
        with server_.admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :r"), {"r": role}
            )
            conn.execute(text(f'REVOKE CONNECT ON DATABASE "{target.database}" FROM "{role}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


@dataclass(frozen=True)
class Club:
    """A club's database on the test server, made by its owner's login (not a superuser)."""

    owner: URL
    prefix: str

    def login(self, name: str) -> str:
        """The login called ``name`` in this club (logins are the server's, shared by every test)."""
        return f"{self.prefix}{name}"

    def url(self, name: str) -> URL:
        return self.owner.set(username=self.login(name), password=None)

    def psql(self, name: str, sql: str) -> subprocess.CompletedProcess[str]:
        """Run ``sql`` with psql under the login ``name``; its output and errors, as psql prints them."""
        u = self.url(name)
        dsn = f"postgresql://{u.username}@{u.host}:{u.port}/{u.database}"
        return subprocess.run(
            ["psql", "-X", "-q", "-A", "-t", "-d", dsn, "-c", sql],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


@contextmanager
def club_database(owner_name: str = "Owner") -> Iterator[Club]:
    """A new, empty database owned by a new login that may create logins, made a club by that
    login (``club init``); the database and every login made for it are dropped afterwards."""
    from etoile_app.services.club import init_club
    from etoile_app.storage.engine import make_engine

    server_ = server()
    name = server_.fresh_name("club")
    prefix = f"{name}_"
    owner = f"{prefix}owner"
    with server_.admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{owner}" LOGIN CREATEROLE'))
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{owner}"'))
    club = Club(server_.url_of(name).set(username=owner, password=None), prefix)
    try:
        engine = make_engine(club.owner)
        try:
            init_club(engine, owner_name)
        finally:
            engine.dispose()
        yield club
    finally:
        with server_.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            roles = conn.execute(
                text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p ORDER BY rolname = :o"),
                {"p": prefix.replace("_", r"\_") + "%", "o": owner},
            ).scalars()
            for role in list(roles):
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))

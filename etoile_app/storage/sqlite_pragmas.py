"""Connection settings for SQLite. Other databases need none of this, so it does nothing there.

- ``foreign_keys=ON``: SQLite ignores foreign keys unless asked, per connection.
- ``journal_mode=WAL`` with ``synchronous=FULL``: readers never block the writer, and a commit
  that returned is on disk even if the machine loses power right after.
- ``busy_timeout``: wait for a lock instead of failing at once.
- pysqlite's own transaction handling is switched off and SQLAlchemy's ``begin`` emits
  ``BEGIN``, so a transaction covers every statement in it, DDL included. An engine made with
  ``execution_options(**IMMEDIATE)`` emits ``BEGIN IMMEDIATE`` instead: it takes the write lock
  up front (waiting out ``busy_timeout`` for it), so a long write such as an import never fails
  half-way when another program writes; a deferred transaction that read first cannot wait.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

BUSY_TIMEOUT_MS = 5_000
#: The execution option that makes an engine's transactions take the write lock at ``BEGIN``.
IMMEDIATE = {"etoile_begin_immediate": True}


def install(engine: Engine, *, read_only: bool = False) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not read_only:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = FULL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("etoile_begin_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

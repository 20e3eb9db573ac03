"""Bring a database to the newest schema with Alembic, or refuse one that is newer than the app.

Alembic is imported only when the schema is not already current, which keeps it off the
start-up path on every launch but the first after an update.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from etoile_app.domain.errors import DatabaseError, SchemaTooNewError

#: The newest migration. A test checks it against the migration scripts.
HEAD_REVISION = "0010_club_members"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"
#: The key of the PostgreSQL advisory lock that clients of one database take while they set it
#: up (upgrade its schema, apply a canon pack): one at a time, each after the last committed.
#: ``0x45746F696C65`` is "Etoile" in ASCII.
SETUP_LOCK_KEY = 0x45746F696C65


def take_setup_lock(connection: Connection) -> None:
    """On PostgreSQL, wait for and take the setup lock until the current transaction ends.

    Other clients setting up the same database wait meanwhile; once they have it, what this
    transaction committed is there for them to see. SQLite needs none: a file has one writer.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETUP_LOCK_KEY})


def current_revision(connection: Connection) -> str | None:
    """The schema revision stored in the database, ``None`` for an empty database.

    Raises :class:`DatabaseError` for a database that holds tables but is not a journal.
    """
    tables = set(inspect(connection).get_table_names())
    if VERSION_TABLE not in tables:
        if tables:
            raise DatabaseError(
                "This database holds other data and is not an Étoile Theory Journal; it was left as it is."
            )
        return None
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(rows) != 1:
        raise DatabaseError("The journal's schema version record is damaged; it was left as it is.")
    return rows[0]


def _config(connection: Connection | None = None):  # -> alembic.config.Config
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())
    return {rev.revision for rev in script.walk_revisions()}


def check_not_newer(revision: str | None) -> None:
    """Refuse a database written by a newer version of the app (its revision is unknown here)."""
    if revision is None or revision == HEAD_REVISION:
        return
    if revision not in known_revisions():
        raise SchemaTooNewError(
            f"This journal was written by a newer version of Étoile Theory Journal (schema {revision!r}). "
            "Update the app to open it; the file was not changed."
        )


def upgrade_to_head(engine: Engine) -> str | None:
    """Bring the database of ``engine`` to the newest schema in one transaction; return the
    revision it had.

    On SQLite the foreign keys' actions are off meanwhile: a migration that rebuilds a table
    (SQLite's way to change a column or constraint) drops the old one, and with them on, that
    drop deletes every row that refers to it (ON DELETE CASCADE), evidence and all. Whether
    every reference still holds is checked before the transaction commits.

    On PostgreSQL the transaction first takes the setup lock (:func:`take_setup_lock`) and only
    then reads the revision: of clients opening a new database at once, one creates the schema
    and the others, once it has committed, find it current.
    """
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.dbapi_connection
        if sqlite and raw is not None:
            raw.execute("PRAGMA foreign_keys = OFF")  # outside a transaction, where it applies
        try:
            with conn.begin():
                # A client that waited here finds the schema another upgraded, and does nothing.
                take_setup_lock(conn)
                revision = current_revision(conn)
                check_not_newer(revision)  # a newer app may have upgraded it meanwhile
                if revision != HEAD_REVISION:
                    upgrade(conn)
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise DatabaseError(
                        "Upgrading the journal would leave references to missing rows; it was left as it is."
                    )
            return revision
        finally:
            if sqlite and raw is not None:
                raw.execute("PRAGMA foreign_keys = ON")


def upgrade(connection: Connection) -> None:
    """Upgrade to the newest schema inside the caller's transaction."""
    from alembic import command

    command.upgrade(_config(connection), "head")

"""Alembic environment.

The app runs migrations on a connection it passes in ``config.attributes["connection"]``;
the ``alembic`` command line (for writing new revisions) uses ``sqlalchemy.url`` from alembic.ini.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from etoile_app.storage.fulltext import VECTOR_COLUMN, VECTOR_INDEX, is_search_table
from etoile_app.storage.models import Base

config = context.config


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    # The full-text indexes are created by hand in migrations: SQLite's FTS5 table and its
    # shadow tables, PostgreSQL's generated tsvector column and its GIN index.
    if type_ == "table" and name is not None and is_search_table(name):
        return False
    if type_ == "column" and name == VECTOR_COLUMN:
        return False
    return not (type_ == "index" and name == VECTOR_INDEX)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        include_name=_include_name,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as conn:
        _run(conn)

"""Theory versions and a title sort key of the app's own

``theories.version`` counts the changes to a theory: a save made from a copy read before
someone else's change is refused instead of overwriting it (two members of a club, or two
windows). ``theories.title_key`` is the title as the board sorts it (accents taken off,
case folded), computed by the app, so the order is the same on SQLite and on a PostgreSQL
server whatever its collation; on PostgreSQL the column compares byte by byte (``"C"``).
The board's title index moves to it.

Revision ID: 0007_versions_and_title_key
Revises: 0006_forecasts
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_versions_and_title_key"
down_revision: str | Sequence[str] | None = "0006_forecasts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2_000


def _title_key(title: str) -> str:
    # This migration's own copy of storage.search_columns.title_key as it was when written.
    decomposed = unicodedata.normalize("NFKD", title)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def upgrade() -> None:
    op.add_column("theories", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column(
        "theories",
        sa.Column(
            "title_key",
            sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),
            nullable=False,
            server_default="",
        ),
    )
    conn = op.get_bind()
    theories = sa.table("theories", sa.column("id", sa.Integer), sa.column("title", sa.String))
    keyed = sa.table("theories", sa.column("id", sa.Integer), sa.column("title_key", sa.Text))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(theories.c.id, theories.c.title)
            .where(theories.c.id > last)
            .order_by(theories.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        conn.execute(
            sa.update(keyed).where(keyed.c.id == sa.bindparam("tid")).values(title_key=sa.bindparam("key")),
            [{"tid": r.id, "key": _title_key(r.title)} for r in rows],
        )
        last = rows[-1].id
    op.drop_index("ix_theories_live_title", table_name="theories")
    op.create_index("ix_theories_live_title_key", "theories", ["deleted_at", "title_key"])


def downgrade() -> None:
    op.drop_index("ix_theories_live_title_key", table_name="theories")
    op.create_index("ix_theories_live_title", "theories", ["deleted_at", sa.text("lower(title)")])
    op.drop_column("theories", "title_key")
    op.drop_column("theories", "version")

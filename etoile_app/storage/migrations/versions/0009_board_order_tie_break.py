"""The board's default order, read from one index on PostgreSQL too: (deleted_at, updated_at, id)

The board lists live theories newest first, ties broken by id (``ORDER BY updated_at DESC,
id DESC``). SQLite's index on (deleted_at, updated_at) already ends in the rowid, so it serves
that order; PostgreSQL's does not hold the id, and the server sorted every live theory instead
(a full scan and a top-100 sort, about 110 ms at 100,000 theories, after every save). The
index now names the id, the same on both.

Revision ID: 0009_board_order_tie_break
Revises: 0008_postgres_search
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009_board_order_tie_break"
down_revision: str | Sequence[str] | None = "0008_postgres_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_theories_live_updated", table_name="theories")
    op.create_index("ix_theories_live_updated", "theories", ["deleted_at", "updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_theories_live_updated", table_name="theories")
    op.create_index("ix_theories_live_updated", "theories", ["deleted_at", "updated_at"])

"""Board indexes on live theories: (deleted_at, category | confidence | status)

The single-column indexes on category, confidence and status made the board look each match
up in the table to check deleted_at; with deleted_at first, counting a filtered board is read
from the index alone, and the first page of a sort by one of these columns is an index walk.

Revision ID: 0002_board_indexes
Revises: 0001_initial
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002_board_indexes"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("category", "confidence", "status")


def upgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f"ix_theories_{column}", table_name="theories")
        op.create_index(f"ix_theories_live_{column}", "theories", ["deleted_at", column])


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f"ix_theories_live_{column}", table_name="theories")
        op.create_index(f"ix_theories_{column}", "theories", [column])

"""Board index for the title order: (deleted_at, lower(title))

Sorting the board by title orders live theories by lower(title); without an index SQLite
sorted every theory to show the first page (about a second at 100,000 theories).

Revision ID: 0003_title_index
Revises: 0002_board_indexes
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_title_index"
down_revision: str | Sequence[str] | None = "0002_board_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_theories_live_title", "theories", ["deleted_at", sa.text("lower(title)")])


def downgrade() -> None:
    op.drop_index("ix_theories_live_title", table_name="theories")

"""Earlier resolutions: what a theory was resolved as before it was reopened

Reopening a theory used to clear its resolution and note. Each resolution a theory leaves
(reopened, or resolved again another way) is now kept, with when it ended, so the theory's
history shows it and undo can put it back.

Revision ID: 0005_earlier_resolutions
Revises: 0004_canon_v2
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_earlier_resolutions"
down_revision: str | Sequence[str] | None = "0004_canon_v2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "earlier_resolutions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theory_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "confirmed",
                "busted",
                "void",
                name="theory_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("resolved_on", sa.Date(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reopened_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status <> 'open'", name=op.f("ck_earlier_resolutions_settled")),
        sa.ForeignKeyConstraint(
            ["theory_id"],
            ["theories.id"],
            name=op.f("fk_earlier_resolutions_theory_id_theories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_earlier_resolutions")),
    )
    op.create_index(
        op.f("ix_earlier_resolutions_theory_id"), "earlier_resolutions", ["theory_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_earlier_resolutions_theory_id"), table_name="earlier_resolutions")
    op.drop_table("earlier_resolutions")

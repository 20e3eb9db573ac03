"""Forecasts, multiple-choice options and conditions

A theory's confidence history becomes its forecasts: each a probability given at a time,
with a note, for the theory or (multiple choice) for one of its options, and by a forecaster
(none in a journal of one: the owner's). Theories gain named options, one of which is marked
as what happened, and a condition: the theory they depend on (a table of its own, so the
theories table, with its search triggers, is left as it is). An index serves the board's
Resolve-by order and its Due filter.

Every confidence point is carried over as a forecast under its own id, with its date and note.

Revision ID: 0006_forecasts
Revises: 0005_earlier_resolutions
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_forecasts"
down_revision: str | Sequence[str] | None = "0005_earlier_resolutions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forecasters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("login", sa.String(length=63), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecasters")),
        sa.UniqueConstraint("login", name=op.f("uq_forecasters_login")),
    )
    op.create_table(
        "theory_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theory_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("happened", sa.Boolean(), nullable=False),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 60", name=op.f("ck_theory_options_name_length")),
        sa.ForeignKeyConstraint(
            ["theory_id"],
            ["theories.id"],
            name=op.f("fk_theory_options_theory_id_theories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theory_options")),
        sa.UniqueConstraint("theory_id", "name", name=op.f("uq_theory_options_theory_id_name")),
    )
    op.create_index(op.f("ix_theory_options_theory_id"), "theory_options", ["theory_id"], unique=False)
    op.create_table(
        "forecasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theory_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=True),
        sa.Column("forecaster_id", sa.Integer(), nullable=True),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("confidence BETWEEN 1 AND 99", name=op.f("ck_forecasts_confidence_range")),
        sa.ForeignKeyConstraint(
            ["forecaster_id"], ["forecasters.id"], name=op.f("fk_forecasts_forecaster_id_forecasters")
        ),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["theory_options.id"],
            name=op.f("fk_forecasts_option_id_theory_options"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theory_id"], ["theories.id"], name=op.f("fk_forecasts_theory_id_theories"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecasts")),
    )
    op.create_index(op.f("ix_forecasts_theory_id"), "forecasts", ["theory_id"], unique=False)
    op.create_index(op.f("ix_forecasts_option_id"), "forecasts", ["option_id"], unique=False)
    op.create_index(op.f("ix_forecasts_forecaster_id"), "forecasts", ["forecaster_id"], unique=False)
    # Every confidence point, under its own id, with its date and note.
    op.execute(
        "INSERT INTO forecasts (id, theory_id, option_id, forecaster_id, confidence, changed_at, note) "
        "SELECT id, theory_id, NULL, NULL, confidence, changed_at, note FROM confidence_history"
    )
    op.drop_index(op.f("ix_confidence_history_theory_id"), table_name="confidence_history")
    op.drop_table("confidence_history")

    op.create_table(
        "theory_conditions",
        sa.Column("theory_id", sa.Integer(), nullable=False),
        sa.Column("condition_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["condition_id"],
            ["theories.id"],
            name=op.f("fk_theory_conditions_condition_id_theories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theory_id"],
            ["theories.id"],
            name=op.f("fk_theory_conditions_theory_id_theories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("theory_id", name=op.f("pk_theory_conditions")),
    )
    op.create_index(
        op.f("ix_theory_conditions_condition_id"), "theory_conditions", ["condition_id"], unique=False
    )
    op.create_index(
        "ix_theories_live_resolve_by", "theories", ["deleted_at", "resolve_by", "status"], unique=False
    )
    # A plain column: SQLite adds it in place.
    op.add_column("earlier_resolutions", sa.Column("option", sa.String(length=60), nullable=True))


def downgrade() -> None:
    op.drop_index("ix_theories_live_resolve_by", table_name="theories")
    with op.batch_alter_table("earlier_resolutions") as batch:
        batch.drop_column("option")
    op.drop_index(op.f("ix_theory_conditions_condition_id"), table_name="theory_conditions")
    op.drop_table("theory_conditions")
    op.create_table(
        "confidence_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theory_id", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "confidence BETWEEN 1 AND 99", name=op.f("ck_confidence_history_confidence_range")
        ),
        sa.ForeignKeyConstraint(
            ["theory_id"],
            ["theories.id"],
            name=op.f("fk_confidence_history_theory_id_theories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_confidence_history")),
    )
    op.create_index(
        op.f("ix_confidence_history_theory_id"), "confidence_history", ["theory_id"], unique=False
    )
    # A yes/no theory's forecasts go back; an option's have no place in the older schema.
    op.execute(
        "INSERT INTO confidence_history (id, theory_id, confidence, changed_at, note) "
        "SELECT id, theory_id, confidence, changed_at, note FROM forecasts WHERE option_id IS NULL"
    )
    for name in ("forecaster_id", "option_id", "theory_id"):
        op.drop_index(op.f(f"ix_forecasts_{name}"), table_name="forecasts")
    op.drop_table("forecasts")
    op.drop_index(op.f("ix_theory_options_theory_id"), table_name="theory_options")
    op.drop_table("theory_options")
    op.drop_table("forecasters")

"""Canon v2: sources with title, address and date; headlines; contradictions; editable news

- A fact's timeline moves to the older fact: ``superseded_by_id`` (one newer fact may now
  overtake many, as a cancellation overtakes every plan) and ``contradicted_by_id`` (a better
  source shows it wrong, which is not the same as being overtaken by later news).
- A fact's source gains the piece's title, address, date and section, and a flag for what
  rests on the fan-site article alone; facts gain a headline, and user news can be edited
  and retracted.
- Characters gain a full name, a note where no actor is credited, and their list of sources.

Revision ID: 0004_canon_v2
Revises: 0003_title_index
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_canon_v2"
down_revision: str | Sequence[str] | None = "0003_title_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("confirmed", "reported", "rumoured", "speculation", "superseded")
NEW_STATUSES = (*OLD_STATUSES, "contradicted")


def _status(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="fact_status", native_enum=False, create_constraint=True, length=24)


def upgrade() -> None:
    with op.batch_alter_table("canon_facts") as batch:
        batch.add_column(sa.Column("headline", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("source_title", sa.String(400), nullable=False, server_default=""))
        batch.add_column(sa.Column("source_url", sa.String(1000), nullable=False, server_default=""))
        batch.add_column(sa.Column("source_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("section", sa.String(400), nullable=False, server_default=""))
        batch.add_column(sa.Column("verified", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("superseded_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("contradicted_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("retracted_at", sa.DateTime(), nullable=True))
    # The newest fact that superseded another is the one that overtook it (as the app read it).
    op.execute(
        """
        UPDATE canon_facts SET superseded_by_id = (
            SELECT newer.id FROM canon_facts AS newer
            WHERE newer.supersedes_id = canon_facts.id
            ORDER BY newer.as_of DESC, newer.id DESC LIMIT 1
        )
        """
    )
    with op.batch_alter_table("canon_facts") as batch:
        batch.drop_index("ix_canon_facts_supersedes_id")
        batch.drop_constraint("fk_canon_facts_supersedes_id_canon_facts", type_="foreignkey")
        batch.drop_column("supersedes_id")
        batch.alter_column("status", type_=_status(NEW_STATUSES), existing_type=_status(OLD_STATUSES))
        batch.create_foreign_key(
            "fk_canon_facts_superseded_by_id_canon_facts",
            "canon_facts",
            ["superseded_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            "fk_canon_facts_contradicted_by_id_canon_facts",
            "canon_facts",
            ["contradicted_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_canon_facts_superseded_by_id", ["superseded_by_id"])
        batch.create_index("ix_canon_facts_contradicted_by_id", ["contradicted_by_id"])

    with op.batch_alter_table("characters") as batch:
        batch.add_column(sa.Column("full_name", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("actor_note", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("sources", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("verified", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.drop_column("arc_source")


def downgrade() -> None:
    with op.batch_alter_table("characters") as batch:
        batch.add_column(sa.Column("arc_source", sa.String(400), nullable=False, server_default=""))
        for name in ("verified", "sources", "actor_note", "full_name"):
            batch.drop_column(name)
    with op.batch_alter_table("canon_facts") as batch:
        batch.add_column(sa.Column("supersedes_id", sa.Integer(), nullable=True))
    op.execute(
        """
        UPDATE canon_facts SET supersedes_id = (
            SELECT older.id FROM canon_facts AS older
            WHERE older.superseded_by_id = canon_facts.id ORDER BY older.id LIMIT 1
        )
        """
    )
    op.execute("UPDATE canon_facts SET status = 'superseded' WHERE status = 'contradicted'")
    with op.batch_alter_table("canon_facts") as batch:
        batch.drop_index("ix_canon_facts_contradicted_by_id")
        batch.drop_index("ix_canon_facts_superseded_by_id")
        batch.drop_constraint("fk_canon_facts_contradicted_by_id_canon_facts", type_="foreignkey")
        batch.drop_constraint("fk_canon_facts_superseded_by_id_canon_facts", type_="foreignkey")
        for name in (
            "retracted_at",
            "updated_at",
            "contradicted_by_id",
            "superseded_by_id",
            "verified",
            "section",
            "source_date",
            "source_url",
            "source_title",
            "headline",
        ):
            batch.drop_column(name)
        batch.alter_column("status", type_=_status(OLD_STATUSES), existing_type=_status(NEW_STATUSES))
        batch.create_foreign_key(
            "fk_canon_facts_supersedes_id_canon_facts",
            "canon_facts",
            ["supersedes_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_canon_facts_supersedes_id", ["supersedes_id"])

"""A club's members: who wrote each theory, what each login may change, news of every change

Theories and dream castings gain an author (``author_id``, a forecaster; NULL in a journal
of one, whose rows are all its owner's). On SQLite that is all.

On PostgreSQL the server itself decides who may change what, so that neither a modified
client nor ``psql`` under a member's login can change another member's rows:

- ``etoile_member_id()`` is the forecaster whose ``login`` is the session's ``current_user``
  (NULL for a login that is nobody's); new theories, dream castings and forecasts take it
  as their author or forecaster by default.
- Row-level security on every table a member writes, binding once the database is a club
  (it has members with logins; until then every login granted the tables may change every
  row, as before). Everyone may read every row; a login
  may add, change and delete only theories (and dream castings) it wrote, the rows that hang
  off them (tags, characters, evidence, options, condition, earlier resolutions) and its own
  forecasts; it may add itself to ``forecasters`` and rename itself, add tags and delete tags
  no theory uses. The tables' owner (the club's owner, who migrates the schema) is not bound
  by these policies, as PostgreSQL never binds a table's owner unless told to: the owner
  manages members, applies canon packs and may resolve any theory. What a login may do at
  all is granted per table by ``etoile-journal club init`` (``storage.club``).
- A statement trigger on every table sends ``NOTIFY etoile_changes`` with the table's name
  and the writer's ``application_name``: every other client of the database hears of a
  change as it commits and shows it (``storage.live``).

Revision ID: 0010_club_members
Revises: 0009_board_order_tie_break
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_club_members"
down_revision: str | Sequence[str] | None = "0009_board_order_tie_break"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The channel every change is announced on (``storage.live.CHANNEL``).
CHANNEL = "etoile_changes"

#: Tables whose rows hang off a theory: a login may change them where it may change the theory.
THEORY_CHILDREN = (
    "theory_tags",
    "theory_characters",
    "evidence",
    "theory_options",
    "theory_conditions",
    "earlier_resolutions",
)
#: Every table a member's client writes to, and so under row-level security.
MEMBER_TABLES = ("theories", "dream_casting", "forecasts", "forecasters", "tags", *THEORY_CHILDREN)
#: Every table that announces its changes.
ANNOUNCED = (
    *MEMBER_TABLES,
    "canon_facts",
    "fact_characters",
    "characters",
    "people",
    "starter_theories",
    "canon_packs",
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in ("theories", "dream_casting"):
        fk = op.f(f"fk_{table}_author_id_forecasters")
        if sqlite:
            # Added in place (a new column may refer to another table), not by rebuilding
            # the table, which would drop the theories' search triggers.
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN author_id INTEGER"
                f" CONSTRAINT {fk} REFERENCES forecasters (id)"
            )
        else:
            op.add_column(table, sa.Column("author_id", sa.Integer(), nullable=True))
            op.create_foreign_key(fk, table, "forecasters", ["author_id"], ["id"])
        op.create_index(op.f(f"ix_{table}_author_id"), table, ["author_id"], unique=False)
    op.create_index("ix_forecasts_forecaster_theory", "forecasts", ["forecaster_id", "theory_id"])
    if op.get_bind().dialect.name == "postgresql":
        _server_rules()


def _server_rules() -> None:
    op.execute(
        """CREATE FUNCTION etoile_member_id() RETURNS integer
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$ SELECT id FROM forecasters WHERE login = current_user $$"""
    )
    op.execute(
        """CREATE FUNCTION etoile_is_club() RETURNS boolean
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$ SELECT EXISTS (SELECT 1 FROM forecasters WHERE login IS NOT NULL) $$"""
    )
    op.execute(
        """CREATE FUNCTION etoile_may_change_theory(theory integer) RETURNS boolean
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$ SELECT EXISTS (
            SELECT 1 FROM theories WHERE id = theory AND author_id = etoile_member_id()) $$"""
    )
    for table in ("theories", "dream_casting"):
        op.execute(f"ALTER TABLE {table} ALTER COLUMN author_id SET DEFAULT etoile_member_id()")
    op.execute("ALTER TABLE forecasts ALTER COLUMN forecaster_id SET DEFAULT etoile_member_id()")

    for table in MEMBER_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY etoile_read ON {table} FOR SELECT USING (true)")
    mine = "author_id = etoile_member_id()"
    for table in ("theories", "dream_casting"):
        _policies(table, mine)
    _policies("forecasts", "forecaster_id = etoile_member_id()")
    for table in THEORY_CHILDREN:
        _policies(table, "etoile_may_change_theory(theory_id)")
    op.execute("CREATE POLICY etoile_join ON forecasters FOR INSERT WITH CHECK (login = current_user)")
    op.execute(
        "CREATE POLICY etoile_rename ON forecasters FOR UPDATE "
        "USING (login = current_user) WITH CHECK (login = current_user)"
    )
    op.execute("CREATE POLICY etoile_add ON tags FOR INSERT WITH CHECK (true)")
    # Locking a tag while a theory takes it (``FOR KEY SHARE``) asks for an UPDATE policy's
    # USING; the CHECK lets no tag actually be changed.
    op.execute("CREATE POLICY etoile_lock ON tags FOR UPDATE USING (true) WITH CHECK (false)")
    op.execute(
        "CREATE POLICY etoile_drop_unused ON tags FOR DELETE "
        "USING (NOT EXISTS (SELECT 1 FROM theory_tags WHERE theory_tags.tag_id = tags.id))"
    )

    # Busting or voiding one's own theory voids the open theories that depend on it, whoever
    # wrote them: the rule holds for every theory, so this runs as the tables' owner and
    # voids exactly the open theories whose condition is busted or void, nothing else.
    op.execute(
        """CREATE FUNCTION etoile_void_dependants(day date, at timestamp) RETURNS SETOF integer
        LANGUAGE plpgsql SECURITY DEFINER
        AS $$
        DECLARE
            voided integer;
        BEGIN
            LOOP
                RETURN QUERY
                UPDATE theories AS t
                SET status = 'void', resolved_on = day, resolved_at = at, updated_at = at,
                    version = t.version + 1,
                    resolution_note = 'Void: its condition “' || c.title || '” was ' || c.status || '.'
                FROM theory_conditions AS tc JOIN theories AS c ON c.id = tc.condition_id
                WHERE tc.theory_id = t.id AND t.status = 'open' AND t.deleted_at IS NULL
                    AND c.status IN ('busted', 'void')
                RETURNING t.id;
                GET DIAGNOSTICS voided = ROW_COUNT;
                EXIT WHEN voided = 0;
            END LOOP;
        END
        $$"""
    )
    here = op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    op.execute(f"ALTER FUNCTION etoile_void_dependants(date, timestamp) SET search_path = {here}, pg_temp")

    op.execute(
        f"""CREATE FUNCTION etoile_announce() RETURNS trigger
        LANGUAGE plpgsql
        AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', json_build_object(
                'table', TG_TABLE_NAME,
                'by', coalesce(current_setting('application_name', true), ''))::text);
            RETURN NULL;
        END
        $$"""
    )
    for table in ANNOUNCED:
        op.execute(
            f"CREATE TRIGGER etoile_announce AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION etoile_announce()"
        )


def _policies(table: str, rule: str) -> None:
    # Until the database is made a club, every login that was granted the tables may change
    # every row, as before: the rules bind from ``club init`` on.
    allowed = f"NOT etoile_is_club() OR {rule}"
    op.execute(f"CREATE POLICY etoile_add ON {table} FOR INSERT WITH CHECK ({allowed})")
    op.execute(f"CREATE POLICY etoile_change ON {table} FOR UPDATE USING ({allowed}) WITH CHECK ({allowed})")
    op.execute(f"CREATE POLICY etoile_delete ON {table} FOR DELETE USING ({allowed})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ANNOUNCED:
            op.execute(f"DROP TRIGGER IF EXISTS etoile_announce ON {table}")
        op.execute("DROP FUNCTION IF EXISTS etoile_announce()")
        for table in MEMBER_TABLES:
            for policy in ("etoile_read", "etoile_add", "etoile_change", "etoile_delete"):
                op.execute(f"DROP POLICY IF EXISTS {policy} ON {table}")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        for policy in ("etoile_join", "etoile_rename"):
            op.execute(f"DROP POLICY IF EXISTS {policy} ON forecasters")
        op.execute("DROP POLICY IF EXISTS etoile_drop_unused ON tags")
        op.execute("DROP POLICY IF EXISTS etoile_lock ON tags")
        op.execute("ALTER TABLE forecasts ALTER COLUMN forecaster_id DROP DEFAULT")
        for table in ("theories", "dream_casting"):
            op.execute(f"ALTER TABLE {table} ALTER COLUMN author_id DROP DEFAULT")
        op.execute("DROP FUNCTION IF EXISTS etoile_may_change_theory(integer)")
        op.execute("DROP FUNCTION IF EXISTS etoile_is_club()")
        op.execute("DROP FUNCTION IF EXISTS etoile_void_dependants(date, timestamp)")
    op.drop_index("ix_forecasts_forecaster_theory", table_name="forecasts")
    bind = op.get_bind()
    for table in ("theories", "dream_casting"):
        op.drop_index(op.f(f"ix_{table}_author_id"), table_name=table)
        if bind.dialect.name != "sqlite":
            op.drop_constraint(op.f(f"fk_{table}_author_id_forecasters"), table, type_="foreignkey")
            op.drop_column(table, "author_id")
            continue
        # SQLite drops a column that refers to another table only by rebuilding the table,
        # which drops its triggers (the theories' search index): they are made again after.
        triggers = list(
            bind.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
            ).scalars()
        )
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.drop_column("author_id")
        for sql in triggers:
            op.execute(sql)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS etoile_member_id()")

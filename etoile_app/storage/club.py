"""A club on a PostgreSQL server: its roles, their rights, and who a connection is.

Each member signs in with a login of their own. Two group roles per database carry the
rights: ``<database>_members`` may read everything and write the tables members write (whose
rows the row-level security policies of migration 0010 then narrow to their own), and
``<database>_viewers`` may only read. The club's owner owns the tables, so the policies do
not bind them: they migrate, apply canon packs, resolve any theory and manage members.

A database becomes a club when its owner runs ``etoile-journal club init``: the roles and
grants are made, the owner becomes the first member, and every row written before (a journal
of one's, author NULL) becomes the owner's.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from etoile_app.domain.club import Identity, Member, MemberRole
from etoile_app.domain.errors import ClubError
from etoile_app.storage import migrate

#: Tables a member writes, and what they may do there (rows narrowed by the policies).
MEMBER_RIGHTS = {
    "theories": "INSERT, UPDATE, DELETE",
    "dream_casting": "INSERT, UPDATE, DELETE",
    "forecasts": "INSERT, UPDATE, DELETE",
    "theory_tags": "INSERT, UPDATE, DELETE",
    "theory_characters": "INSERT, UPDATE, DELETE",
    "evidence": "INSERT, UPDATE, DELETE",
    "theory_options": "INSERT, UPDATE, DELETE",
    "theory_conditions": "INSERT, UPDATE, DELETE",
    "earlier_resolutions": "INSERT, UPDATE, DELETE",
    "forecasters": "INSERT, UPDATE",
    # UPDATE only so that a tag can be locked while a theory takes it (``base.ensure_tags``):
    # the policy lets no tag be changed.
    "tags": "INSERT, UPDATE, DELETE",
}

#: What a new login may be called: PostgreSQL's plain identifiers, lower case.
LOGIN_PATTERN = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True, slots=True)
class NewLogin:
    login: str
    password: str
    role: MemberRole


def group_roles(database: str) -> tuple[str, str]:
    """The members' and viewers' group roles of ``database`` (names fit PostgreSQL's 63 bytes)."""
    stem = database.encode()[:50].decode(errors="ignore")
    return f"{stem}_members", f"{stem}_viewers"


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def identity(conn: Connection) -> Identity:
    """Who ``conn`` acts as: a journal of one on SQLite; on a server, the login, its role and member."""
    if conn.dialect.name != "postgresql":
        return Identity(club=False)
    row = conn.execute(
        text(
            "SELECT current_user AS login,"
            " (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,"
            " (SELECT tableowner FROM pg_tables"
            "   WHERE schemaname = current_schema() AND tablename = 'theories') AS owner,"
            " has_table_privilege(current_user, 'theories', 'INSERT') AS may_write,"
            " EXISTS (SELECT 1 FROM forecasters WHERE login IS NOT NULL) AS club"
        )
    ).one()
    if row.superuser or row.owner == row.login:
        role = MemberRole.OWNER
    elif row.may_write:
        role = MemberRole.MEMBER
    else:
        role = MemberRole.VIEWER
    if not row.club:
        return Identity(club=False, login=row.login, role=role)
    found = conn.execute(
        text("SELECT id, name, login FROM forecasters WHERE login = current_user")
    ).one_or_none()
    member = None if found is None else Member(found.id, found.name, found.login)
    return Identity(club=True, login=row.login, role=role, member=member)


def is_club(conn: Connection) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    database = conn.execute(text("SELECT current_database()")).scalar_one()
    members, _viewers = group_roles(database)
    return bool(
        conn.execute(
            text("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :r)"), {"r": members}
        ).scalar_one()
    )


def is_club_connection(engine: Engine) -> bool:
    with engine.connect() as conn:
        return is_club(conn)


def grant_rights(conn: Connection) -> None:
    """Give the club's group roles their rights on every table (again after a migration, which
    may add tables). Run by the owner, inside their transaction."""
    database = conn.execute(text("SELECT current_database()")).scalar_one()
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    members, viewers = (_quote(conn, r) for r in group_roles(database))
    q_schema, q_db = _quote(conn, schema), _quote(conn, database)
    for statement in (
        f"GRANT CONNECT ON DATABASE {q_db} TO {viewers}",
        f"GRANT USAGE ON SCHEMA {q_schema} TO {viewers}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {q_schema} TO {viewers}",
        f"GRANT {viewers} TO {members}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {q_schema} TO {members}",
        *(f"GRANT {rights} ON {table} TO {members}" for table, rights in MEMBER_RIGHTS.items()),
    ):
        conn.exec_driver_sql(statement)


def init(engine: Engine, owner_name: str) -> Member:
    """Make the database of ``engine`` a club with its login as owner (called ``owner_name``).

    The schema is brought to the newest first. Running it again changes nothing but the
    owner's name and the grants. Members already in the journal (a club's backup restored into
    this database) whose logins the server has are made members here. Raises
    :class:`ClubError` when it cannot be done.
    """
    if engine.dialect.name != "postgresql":
        raise ClubError(
            "A club lives on a PostgreSQL server; a journal in a file is a club of one. "
            "See docs/POSTGRESQL.md for setting up a server."
        )
    with engine.connect() as conn:
        who = conn.execute(
            text(
                "SELECT current_user AS login, rolsuper, rolcreaterole, current_database() AS db"
                " FROM pg_roles WHERE rolname = current_user"
            )
        ).one()
    if not (who.rolsuper or who.rolcreaterole):
        raise ClubError(
            f"The login {who.login!r} may not create logins, so it cannot manage a club's members. "
            f"A server administrator can allow it: ALTER ROLE {who.login} CREATEROLE;"
        )
    migrate.upgrade_to_head(engine)
    members, viewers = group_roles(who.db)
    with engine.begin() as conn:
        migrate.take_setup_lock(conn)
        owner = conn.execute(
            text(
                "SELECT tableowner FROM pg_tables"
                " WHERE schemaname = current_schema() AND tablename = 'theories'"
            )
        ).scalar_one()
        if owner != who.login and not who.rolsuper:
            raise ClubError(
                f"The journal's tables belong to the login {owner!r}: set up the club with that login."
            )
        for role in (viewers, members):
            exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
            if exists is None:
                conn.exec_driver_sql(f"CREATE ROLE {_quote(conn, role)} NOLOGIN")
        grant_rights(conn)
        me = conn.execute(text("SELECT id FROM forecasters WHERE login = current_user")).scalar_one_or_none()
        if me is None:
            me = conn.execute(
                text(
                    "INSERT INTO forecasters (name, login, created_at)"
                    " VALUES (:name, current_user, now() AT TIME ZONE 'UTC') RETURNING id"
                ),
                {"name": owner_name},
            ).scalar_one()
        else:
            conn.execute(
                text("UPDATE forecasters SET name = :name WHERE id = :id"), {"name": owner_name, "id": me}
            )
        # Members whose rows came with the journal (a club's backup restored here) and whose
        # logins the server has become members here too.
        logins = conn.execute(
            text(
                "SELECT f.login FROM forecasters f JOIN pg_roles r ON r.rolname = f.login"
                " WHERE f.login <> current_user AND NOT r.rolsuper ORDER BY f.login"
            )
        ).scalars()
        for login in list(logins):
            conn.exec_driver_sql(f"GRANT {_quote(conn, members)} TO {_quote(conn, login)}")
        # What the journal of one held becomes its owner's.
        for table, column in (
            ("theories", "author_id"),
            ("dream_casting", "author_id"),
            ("forecasts", "forecaster_id"),
        ):
            conn.execute(text(f"UPDATE {table} SET {column} = :me WHERE {column} IS NULL"), {"me": me})
    return Member(me, owner_name, who.login)


def add_member(engine: Engine, login: str, *, viewer: bool = False) -> NewLogin:
    """Create the login ``login`` with a new password, as a member (or a viewer) of the club."""
    if engine.dialect.name != "postgresql":
        raise ClubError("A club lives on a PostgreSQL server; a journal in a file has no members.")
    if not LOGIN_PATTERN.fullmatch(login):
        raise ClubError(
            f"{login!r} cannot be a login: use up to 63 lower-case letters, digits and underscores, "
            "starting with a letter or underscore (for example anna or m_dubois)."
        )
    password = secrets.token_urlsafe(18)
    with engine.begin() as conn:
        if not is_club(conn):
            raise ClubError("This journal is not a club yet: run etoile-journal club init first.")
        database = conn.execute(text("SELECT current_database()")).scalar_one()
        members, viewers = group_roles(database)
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": login}).first() is not None:
            raise ClubError(f"The server already has a login called {login!r}; choose another name.")
        group = viewers if viewer else members
        # A password cannot be a bound parameter here; token_urlsafe's letters need no quoting.
        conn.exec_driver_sql(
            f"CREATE ROLE {_quote(conn, login)} LOGIN PASSWORD '{password}' IN ROLE {_quote(conn, group)}"
        )
    return NewLogin(login, password, MemberRole.VIEWER if viewer else MemberRole.MEMBER)


def may_upgrade(engine: Engine) -> str | None:
    """Why this login may not upgrade the server journal's schema (only the tables' owner can),
    or ``None`` when it may."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT current_user AS login,"
                " (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,"
                " (SELECT tableowner FROM pg_tables"
                "   WHERE schemaname = current_schema() AND tablename = 'theories') AS owner"
            )
        ).one()
    if row.superuser or row.owner is None or row.owner == row.login:
        return None
    return (
        f"This journal needs an upgrade for this version of the app, which only its owner "
        f"({row.owner}) can make: ask them to open it once with this version. Until then, use the "
        "version of the app you used before."
    )


def regrant_after_upgrade(engine: Engine) -> None:
    """Give a club's roles their rights on tables an upgrade may have added."""
    with engine.begin() as conn:
        if is_club(conn):
            grant_rights(conn)

"""Opening, migrating, protecting and backing up the journal database."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from helpers import file_digest, sidecar_files, write
from sqlalchemy import delete, inspect, text

from etoile_app import paths
from etoile_app.domain.errors import DatabaseError, SchemaTooNewError
from etoile_app.domain.models import Theory, TheoryDraft
from etoile_app.domain.transfer import TheoryEntry
from etoile_app.services.journal import Journal
from etoile_app.storage import fulltext, migrate, search_columns, sqlite_backup
from etoile_app.storage.database import open_database
from etoile_app.storage.engine import make_engine
from etoile_app.storage.fulltext import is_search_table
from etoile_app.storage.models import THEORY_COLUMNS, Base, TheoryRecord


def test_tests_never_see_the_real_user_data_folder(isolated_user_folders: Path) -> None:
    from platformdirs import user_config_path, user_data_path

    assert paths.default_database_path().is_relative_to(isolated_user_folders)
    assert user_data_path(paths.APP_NAME).is_relative_to(isolated_user_folders)
    assert user_config_path(paths.APP_NAME).is_relative_to(isolated_user_folders)


# --- schema --------------------------------------------------------------------------------


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    # The same filter as etoile_app/storage/migrations/env.py: the search indexes are made by hand.
    if type_ == "table" and name is not None and is_search_table(name):
        return False
    return name not in (fulltext.VECTOR_COLUMN, fulltext.VECTOR_INDEX)


def test_empty_database_upgraded_to_head_matches_the_models(tmp_path: Path) -> None:
    db = open_database(tmp_path / "fresh.sqlite3")
    try:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_name": _include_name, "compare_type": True}
            )
            diff = compare_metadata(context, Base.metadata)
            indexes = {i["name"]: i["column_names"] for i in inspect(conn).get_indexes("theories")}
    finally:
        db.dispose()
    assert diff == []
    assert indexes["ix_theories_live_title_key"] == ["deleted_at", "title_key"]


@pytest.mark.postgresql
def test_a_server_database_upgraded_to_head_matches_the_models(journal: Journal) -> None:
    with journal.database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _include_name, "compare_type": True})
        diff = compare_metadata(context, Base.metadata)
        collation = conn.exec_driver_sql(
            "SELECT collation_name FROM information_schema.columns"
            " WHERE table_name = 'theories' AND column_name = 'title_key'"
        ).scalar()
    assert diff == []
    assert collation == "C"  # the title order is byte order, whatever the server's collation


def test_head_revision_constant_matches_the_migration_scripts() -> None:
    assert ScriptDirectory(str(migrate.MIGRATIONS_DIR)).get_current_head() == migrate.HEAD_REVISION
    assert migrate.HEAD_REVISION in migrate.known_revisions()


def test_new_database_is_stamped_with_the_head_revision(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    open_database(path).dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (migrate.HEAD_REVISION,)
        ]
    conn.close()


@pytest.mark.sqlite
def test_session_connections_have_the_pragmas_set(journal: Journal) -> None:
    with journal.database.sessions() as s:
        assert s.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert s.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert s.execute(text("PRAGMA busy_timeout")).scalar_one() > 0
        assert s.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL


# --- full-text index -----------------------------------------------------------------------


def _fts_hits(journal: Journal, match: str) -> list[int]:
    with journal.database.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT rowid FROM theory_fts WHERE theory_fts MATCH :m ORDER BY rowid"), {"m": match}
        )
        return [r[0] for r in rows]


@pytest.mark.sqlite
def test_fulltext_table_exists(journal: Journal) -> None:
    with journal.database.engine.connect() as conn:
        kinds = dict(
            conn.execute(text("SELECT name, type FROM sqlite_master WHERE name LIKE 'theor%'")).all()
        )
    assert kinds["theory_fts"] == "table"
    for trigger in ("theories_fts_insert", "theories_fts_update", "theories_fts_delete"):
        assert kinds[trigger] == "trigger"


@pytest.mark.sqlite
def test_fulltext_index_follows_insert_update_and_delete(journal: Journal) -> None:
    theory = write(journal, "Zorblax returns", body="quixotic plans", tags=("sparkle",))
    assert _fts_hits(journal, "zorblax") == [theory.id]
    assert _fts_hits(journal, "quixotic") == [theory.id]
    assert _fts_hits(journal, "sparkle") == [theory.id]

    journal.theories.edit(theory.id, TheoryDraft(title="Flummox returns", body="quixotic plans"))
    assert _fts_hits(journal, "zorblax") == []
    assert _fts_hits(journal, "flummox") == [theory.id]
    assert _fts_hits(journal, "sparkle") == []  # the tag went with the edit

    journal.theories.set_tags(theory.id, ["glimmer"])
    assert _fts_hits(journal, "glimmer") == [theory.id]

    with journal.database.sessions.begin() as s:
        s.execute(delete(TheoryRecord).where(TheoryRecord.id == theory.id))
    assert _fts_hits(journal, "flummox") == []
    assert _fts_hits(journal, "glimmer") == []


def test_theory_columns_are_every_own_column_of_the_record_and_its_copies() -> None:
    """Copies between the record, ``Theory`` and ``TheoryEntry`` go by THEORY_COLUMNS: a column
    added to the model but not there would silently not be copied."""
    # Not copied: the id, the columns derived from others, the version, which the database
    # counts for itself, and the author, an id of this journal's (files name the member).
    derived = {"id", "tags_text", "characters_text", "title_key", "version", "author_id"}
    own = {c.name for c in TheoryRecord.__table__.columns} - derived
    assert set(THEORY_COLUMNS) == own
    assert set(THEORY_COLUMNS) <= {f.name for f in fields(Theory)}
    assert set(THEORY_COLUMNS) <= {f.name for f in fields(TheoryEntry)}


def test_list_columns_hold_the_sorted_names(journal: Journal) -> None:
    assert search_columns.tags_text(["villain", "romance/jack", "gala"]) == "gala\nromance/jack\nvillain"
    assert search_columns.split_list(search_columns.characters_text(["Mishi", "Jack"])) == ("Jack", "Mishi")
    assert search_columns.split_list(search_columns.tags_text([])) == ()
    mishi = next(c.id for c in journal.cast.characters() if c.key == "mishi")
    theory = write(journal, "Listed", tags=("villain", "gala"), character_ids=(mishi,))
    with journal.database.sessions() as s:
        record = s.get(TheoryRecord, theory.id)
        assert record is not None
        assert (record.tags_text, record.characters_text) == ("gala\nvillain", "Mishi")


@pytest.mark.sqlite
def test_fulltext_index_holds_character_names(journal: Journal) -> None:
    theory = write(journal, "Plain title")
    assert _fts_hits(journal, "mishi") == []
    mishi = next(c.id for c in journal.cast.characters() if c.key == "mishi")
    journal.theories.edit(theory.id, TheoryDraft(title="Plain title", character_ids=(mishi,)))
    assert _fts_hits(journal, "mishi") == [theory.id]


# --- files that must be left alone ---------------------------------------------------------


def _future_journal(tmp_path: Path) -> Path:
    path = tmp_path / "future.sqlite3"
    j = Journal.open(path)
    j.theories.create(TheoryDraft(title="Written by a newer app"))
    j.close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = 'zzzz_future'")
    conn.close()
    assert not sidecar_files(path)
    return path


def test_database_with_a_newer_schema_is_refused_and_left_byte_for_byte(tmp_path: Path) -> None:
    path = _future_journal(tmp_path)
    before = file_digest(path)
    with pytest.raises(SchemaTooNewError, match="zzzz_future"):
        open_database(path)
    assert file_digest(path) == before


def test_database_with_a_newer_schema_gets_no_wal_or_shm_files(tmp_path: Path) -> None:
    path = _future_journal(tmp_path)
    with pytest.raises(SchemaTooNewError):
        open_database(path)
    assert sidecar_files(path) == []


def test_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(os.urandom(4096))
    before = file_digest(path)
    with pytest.raises(DatabaseError, match="not a readable journal") as caught:
        open_database(path)
    assert not isinstance(caught.value, SchemaTooNewError)
    assert file_digest(path) == before
    assert sidecar_files(path) == []


def test_sqlite_database_of_another_app_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('keep me')")
    conn.close()
    before = file_digest(path)
    with pytest.raises(DatabaseError, match="other data"):
        open_database(path)
    assert file_digest(path) == before
    assert sidecar_files(path) == []


def test_journal_with_a_damaged_version_record_is_refused_and_left_alone(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("DELETE FROM alembic_version")
    conn.close()
    before = file_digest(db_path)
    with pytest.raises(DatabaseError, match="damaged"):
        open_database(db_path)
    assert file_digest(db_path) == before


def test_folder_that_cannot_be_made_is_a_database_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("in the way")
    with pytest.raises(DatabaseError, match="Cannot create the folder"):
        open_database(tmp_path / "a-file" / "journal.sqlite3")


def test_missing_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "there" / "journal.sqlite3"
    db = open_database(path)
    db.dispose()
    assert path.is_file()
    assert db.created is True


def test_empty_file_is_treated_as_a_new_journal(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    path.touch()
    db = open_database(path)
    try:
        assert db.created is True
        with db.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.HEAD_REVISION
    finally:
        db.dispose()


def test_opening_twice_does_not_run_the_migrations_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "journal.sqlite3"
    first = open_database(path)
    first.dispose()
    assert first.created is True

    calls: list[object] = []
    monkeypatch.setattr(migrate, "upgrade", calls.append)
    second = open_database(path)
    second.dispose()
    assert calls == []
    assert second.created is False
    assert second.upgraded_from is None
    assert second.backups == []
    assert not (tmp_path / "backups").exists()


# --- backups -------------------------------------------------------------------------------


def test_existing_journal_is_backed_up_before_an_upgrade(
    journal: Journal, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    titles = sorted(write(journal, t).title for t in ("First theory", "Second theory"))
    journal.close()

    calls: list[object] = []
    current = migrate.HEAD_REVISION
    monkeypatch.setattr(migrate, "HEAD_REVISION", "9999_pretend_newer")
    monkeypatch.setattr(migrate, "upgrade", calls.append)
    db = open_database(db_path)
    db.dispose()

    assert len(calls) == 1
    assert db.upgraded_from == current
    assert len(db.backups) == 1
    backup = db.backups[0]
    assert backup.parent == db_path.parent / "backups"
    assert backup.is_file()
    assert not list(backup.parent.glob("*.partial"))
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert sorted(r[0] for r in conn.execute("SELECT title FROM theories")) == titles
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(current,)]
    finally:
        conn.close()


def test_no_backup_is_made_when_backups_are_switched_off(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrate, "HEAD_REVISION", "9999_pretend_newer")
    monkeypatch.setattr(migrate, "upgrade", lambda conn: None)
    db = open_database(db_path, backups=False)
    db.dispose()
    assert db.backups == []
    assert not (db_path.parent / "backups").exists()


def _fake_backups(database: Path, reason: str, count: int) -> list[Path]:
    folder = sqlite_backup.backup_folder(database)
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for day in range(1, count + 1):
        path = folder / f"{database.stem}-202601{day:02d}-120000-000000-{reason}.sqlite3"
        path.write_bytes(b"x")
        made.append(path)
    return made


def test_prune_keeps_the_newest_backups(tmp_path: Path) -> None:
    database = tmp_path / "journal.sqlite3"
    made = _fake_backups(database, "before-upgrade", 7)
    other_reason = _fake_backups(database, "manual", 2)

    deleted = sqlite_backup.prune(database, "before-upgrade", 3)

    assert sorted(deleted) == made[:4]
    assert [p.exists() for p in made] == [False] * 4 + [True] * 3
    assert all(p.exists() for p in other_reason)


def test_prune_without_a_backup_folder_does_nothing(tmp_path: Path) -> None:
    assert sqlite_backup.prune(tmp_path / "journal.sqlite3", "before-upgrade", 3) == []


def test_prune_leaves_backups_of_another_journal_alone(tmp_path: Path) -> None:
    mine = _fake_backups(tmp_path / "journal.sqlite3", "before-upgrade", 2)
    theirs = _fake_backups(tmp_path / "journal-2025.sqlite3", "before-upgrade", 2)
    sqlite_backup.prune(tmp_path / "journal.sqlite3", "before-upgrade", 1)
    assert [p.exists() for p in mine] == [False, True]
    assert all(p.exists() for p in theirs)


def test_backup_writes_a_complete_named_snapshot(journal: Journal, db_path: Path) -> None:
    write(journal, "Kept in the backup")
    when = datetime(2026, 3, 1, 12, 30, 45, 123456, tzinfo=UTC)
    target = sqlite_backup.backup(journal.database.engine, db_path, "manual", now=when)
    assert target == db_path.parent / "backups" / "journal-20260301-123045-123456-manual.sqlite3"
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("SELECT title FROM theories").fetchall() == [("Kept in the backup",)]
    finally:
        conn.close()


def test_a_journal_from_the_first_schema_is_upgraded_with_its_theories_and_a_backup(tmp_path: Path) -> None:
    """A real upgrade: 0001 (single-column board indexes) to head (live-theory indexes)."""
    from alembic import command

    path = tmp_path / "journal.sqlite3"
    engine = make_engine(path)
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0001_initial")
        conn.exec_driver_sql(
            "INSERT INTO theories (uid, title, body, category, confidence, status, created_at, updated_at,"
            " resolution_note, tags_text, characters_text)"
            " VALUES ('u1', 'Mishi turns villain', '', 'villain_arc', 70, 'open',"
            " '2025-05-01 10:00:00.000000', '2025-05-01 10:00:00.000000', '', '', '')"
        )
    engine.dispose()

    db = open_database(path)
    try:
        assert db.upgraded_from == "0001_initial"
        assert len(db.backups) == 1
        with db.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.HEAD_REVISION
            names = {i["name"] for i in inspect(conn).get_indexes("theories")}
            assert conn.exec_driver_sql("SELECT title FROM theories").scalars().all() == [
                "Mishi turns villain"
            ]
            # The upgrade to 0007 computed the sort key of the theory already there.
            assert conn.exec_driver_sql("SELECT title_key, version FROM theories").all() == [
                ("mishi turns villain", 1)
            ]
            hits = conn.exec_driver_sql("SELECT rowid FROM theory_fts WHERE theory_fts MATCH 'mishi'")
            assert hits.scalars().all() == [1]
    finally:
        db.dispose()
    assert {"ix_theories_live_category", "ix_theories_live_confidence", "ix_theories_live_status"} <= names
    assert "ix_theories_live_title_key" in names
    assert not names & {"ix_theories_category", "ix_theories_confidence", "ix_theories_status"}


def test_an_upgrade_that_rebuilds_a_table_keeps_every_row_that_refers_to_it(tmp_path: Path) -> None:
    """0004 rebuilds canon_facts (SQLite's way to drop a column): with the foreign keys' actions
    on, dropping the old table deleted every piece of evidence citing a fact."""
    from alembic import command

    path = tmp_path / "journal.sqlite3"
    engine = make_engine(path)
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0003_title_index")
        conn.exec_driver_sql(
            "INSERT INTO canon_facts (key, topic, statement, status, source, as_of, origin, created_at)"
            " VALUES ('renewal-order', 'renewal', 'Ordered.', 'reported', 'Variety', '2025-06-01', 'pack',"
            " '2025-06-01 10:00:00.000000')"
        )
        conn.exec_driver_sql(
            "INSERT INTO theories (uid, title, body, category, confidence, status, created_at, updated_at,"
            " resolution_note, tags_text, characters_text)"
            " VALUES ('u1', 'Season 2 is coming', '', 'other', 70, 'open',"
            " '2025-06-02 10:00:00.000000', '2025-06-02 10:00:00.000000', '', '', '')"
        )
        conn.exec_driver_sql(
            "INSERT INTO evidence (theory_id, fact_id, stance, note, created_at)"
            " VALUES (1, 1, 'supports', 'the order', '2025-06-02 10:00:00.000000')"
        )
        conn.exec_driver_sql(
            "INSERT INTO confidence_history (theory_id, confidence, changed_at, note)"
            " VALUES (1, 70, '2025-06-02 10:00:00.000000', 'first')"
        )
    engine.dispose()

    db = open_database(path)
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT note FROM evidence").scalars().all() == ["the order"]
            forecasts = conn.exec_driver_sql("SELECT confidence, note, option_id FROM forecasts").all()
            assert [tuple(r) for r in forecasts] == [(70, "first", None)]
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # on again after
    finally:
        db.dispose()


def test_a_journal_of_the_last_release_keeps_its_confidence_history_as_forecasts(tmp_path: Path) -> None:
    """Schema 0005 (the release before forecasts): every confidence point becomes a forecast of
    the theory under its own id, with its date and note, and the theory reads as before."""
    from alembic import command

    path = tmp_path / "journal.sqlite3"
    engine = make_engine(path)
    points = [
        (1, 40, "2025-05-01 10:00:00.000000", ""),
        (2, 65, "2025-06-01 10:00:00.000000", "the trailer"),
        (3, 20, "2025-10-30 09:30:00.000000", "cancelled"),
    ]
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0005_earlier_resolutions")
        conn.exec_driver_sql(
            "INSERT INTO theories (uid, title, body, category, confidence, status, created_at, updated_at,"
            " resolution_note, tags_text, characters_text)"
            " VALUES ('u1', 'Season 2 is made', '', 'other', 20, 'open',"
            " '2025-05-01 10:00:00.000000', '2025-10-30 09:30:00.000000', '', '', '')"
        )
        for ident, confidence, at, note in points:
            conn.exec_driver_sql(
                "INSERT INTO confidence_history (id, theory_id, confidence, changed_at, note)"
                f" VALUES ({ident}, 1, {confidence}, '{at}', '{note}')"
            )
    engine.dispose()

    journal = Journal.from_database(open_database(path))
    try:
        theory = journal.theories.get(1)
        assert [(f.confidence, f.changed_at.isoformat(), f.note, f.option) for f in theory.history] == [
            (40, "2025-05-01T10:00:00+00:00", "", None),
            (65, "2025-06-01T10:00:00+00:00", "the trailer", None),
            (20, "2025-10-30T09:30:00+00:00", "cancelled", None),
        ]
        with journal.database.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT id FROM forecasts ORDER BY id").scalars().all() == [1, 2, 3]
            tables = set(inspect(conn).get_table_names())
        assert "confidence_history" not in tables
        assert {"forecasts", "theory_options", "theory_conditions", "forecasters"} <= tables
    finally:
        journal.close()


@pytest.mark.sqlite
def test_the_club_migration_goes_down_and_up_again_keeping_search(db_path: Path) -> None:
    """0010 adds the author columns in place; taking it back rebuilds the tables, and the
    theories' search triggers must come back with them."""
    from alembic import command

    journal = Journal.open(db_path, backups=False)
    try:
        made = write(journal, "Glimmering downgrade")
    finally:
        journal.close()
    engine = make_engine(db_path)
    try:
        with engine.begin() as conn:
            command.downgrade(migrate._config(conn), "0009_board_order_tie_break")
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("theories")}
            triggers = (
                conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars().all()
            )
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        assert "author_id" not in columns
        assert {"theories_fts_insert", "theories_fts_delete", "theories_fts_update"} <= set(triggers)
        assert migrate.upgrade_to_head(engine) == "0009_board_order_tie_break"
    finally:
        engine.dispose()
    journal = Journal.open(db_path, backups=False)
    try:
        assert _fts_hits(journal, "glimmering") == [made.id]
        later = write(journal, "Shimmering upgrade")
        assert _fts_hits(journal, "shimmering") == [later.id]
    finally:
        journal.close()

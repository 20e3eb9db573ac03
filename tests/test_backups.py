"""Backups: made, listed, pruned by the documented policy, restored (in place or as a new file),
refused when damaged or newer, and the rolling daily one made when it is due."""

from __future__ import annotations

import sqlite3
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from helpers import FakeClock, file_digest, sidecar_files, write
from test_open_problems import damage

from etoile_app.domain.errors import (
    BackupError,
    BackupsNotSupportedError,
    DamagedDatabaseError,
    ForeignDatabaseError,
    NotADatabaseError,
    SchemaTooNewError,
)
from etoile_app.services import backups as backups_module
from etoile_app.services.backups import (
    BEFORE_IMPORT,
    BEFORE_RESTORE,
    DAILY,
    KEEP,
    MANUAL,
    BackupInfo,
    backups_of,
    restore_as_new_file,
)
from etoile_app.services.journal import Journal
from etoile_app.storage import migrate, sqlite_backup

# SQLite backups (copies of the file); a server's are tests/test_server_backups.py.
pytestmark = pytest.mark.sqlite


def _titles(journal: Journal) -> list[str]:
    with journal.database.engine.connect() as conn:
        return sorted(r[0] for r in conn.exec_driver_sql("SELECT title FROM theories"))


def _file_titles(path: Path) -> list[str]:
    conn = sqlite3.connect(sqlite_backup.read_only_uri(path), uri=True)
    try:
        return sorted(r[0] for r in conn.execute("SELECT title FROM theories"))
    finally:
        conn.close()


# --- making and listing --------------------------------------------------------------------


def test_backup_is_listed_with_path_time_size_and_reason(journal: Journal, db_path: Path, clock) -> None:
    write(journal, "In the backup")
    info = journal.backups.backup(MANUAL)
    assert isinstance(info, BackupInfo)
    assert info.path.parent == db_path.parent / "backups" == journal.backups.folder
    assert info.created_at == clock.now and info.created_at.tzinfo is not None
    assert info.size == info.path.stat().st_size > 0
    assert info.reason == MANUAL
    assert journal.backups.list() == [info]
    assert _file_titles(info.path) == ["In the backup"]


def test_list_is_newest_first_across_kinds(journal: Journal, clock) -> None:
    made = []
    for reason in (DAILY, BEFORE_IMPORT, MANUAL, DAILY):
        made.append(journal.backups.backup(reason))
        clock.advance(minutes=5)
    assert journal.backups.list() == made[::-1]
    assert journal.backups.newest(DAILY) == made[3]
    assert journal.backups.newest(BEFORE_IMPORT) == made[1]


def test_backups_made_in_the_same_instant_keep_distinct_files(journal: Journal) -> None:
    first = journal.backups.backup(MANUAL)
    second = journal.backups.backup(MANUAL)  # the fake clock has not moved
    assert first.path != second.path
    assert len(journal.backups.list()) == 2


def test_before_import_backup_is_a_whole_snapshot(journal: Journal) -> None:
    write(journal, "Before the import")
    info = journal.backups.backup("before-import")
    conn = sqlite3.connect(sqlite_backup.read_only_uri(info.path), uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()
    assert _file_titles(info.path) == ["Before the import"]
    assert not list(info.path.parent.glob("*.partial"))


@pytest.mark.parametrize("reason", [DAILY, BEFORE_IMPORT, BEFORE_RESTORE, MANUAL])
def test_only_the_newest_of_each_kind_are_kept(journal: Journal, clock, reason: str) -> None:
    other = journal.backups.backup("before-upgrade")
    for _ in range(KEEP[reason] + 3):
        clock.advance(hours=1)
        journal.backups.backup(reason)
    mine = [b for b in journal.backups.list() if b.reason == reason]
    assert len(mine) == KEEP[reason]
    assert mine[0].created_at == clock.now  # the newest survive
    assert other.path.exists()  # other kinds are not touched


def test_the_policy_numbers_are_the_documented_ones() -> None:
    assert KEEP == {
        "daily": 10,
        "manual": 10,
        "before-upgrade": 5,
        "before-import": 10,
        "before-restore": 10,
    }
    doc = (Path(__file__).resolve().parents[1] / "docs" / "DATA_SAFETY.md").read_text(encoding="utf-8")
    for reason, kept in KEEP.items():
        assert f"| `{reason}` |" in doc and f"| {kept} |" in doc


def test_list_ignores_other_journals_half_written_files_and_strays(journal: Journal, db_path: Path) -> None:
    info = journal.backups.backup(MANUAL)
    folder = info.path.parent
    (folder / "journal-2025-20260101-120000-000000-daily.sqlite3").write_bytes(b"x")
    (folder / "journal-20260101-120000-000000-daily.partial").write_bytes(b"x")
    (folder / "notes.txt").write_text("mine")
    assert journal.backups.list() == [info]


def test_a_half_written_backup_left_by_a_killed_app_is_cleared_by_the_next_one(
    journal: Journal, db_path: Path
) -> None:
    folder = db_path.parent / "backups"
    folder.mkdir()
    stale = folder / "journal-20260101-120000-000000-daily.partial"
    stale.write_bytes(b"half")
    journal.backups.backup(DAILY)
    assert not stale.exists()


def test_a_backup_that_cannot_be_written_says_where(journal: Journal, db_path: Path) -> None:
    (db_path.parent / "backups").write_text("a file in the way")
    with pytest.raises(BackupError) as caught:
        journal.backups.backup(BEFORE_IMPORT)
    assert str(db_path.parent / "backups") in str(caught.value)


def test_reasons_are_plain_words(journal: Journal) -> None:
    with pytest.raises(ValueError, match="reason"):
        journal.backups.backup("../escape")


# --- not a SQLite file ---------------------------------------------------------------------


def test_backups_are_not_supported_without_a_file() -> None:
    journal = Journal.open("sqlite://")  # in memory: like a server, there is no file to copy
    try:
        assert journal.backups.supported is False
        assert journal.backups.folder is None
        assert journal.backups.backup(BEFORE_IMPORT) is None
        assert journal.backups.list() == []
        assert journal.backups.daily_due() is False
        assert journal.backups.backup_if_due() is None
        with pytest.raises(BackupsNotSupportedError, match="server"):
            journal.backups.restore(Path("anything.sqlite3"))
    finally:
        journal.close()


# --- the daily backup ----------------------------------------------------------------------


def test_daily_backup_is_due_once_a_day(journal: Journal, clock: FakeClock) -> None:
    assert journal.backups.daily_due() is True  # none yet
    first = journal.backups.backup_if_due()
    assert first is not None and first.reason == DAILY
    assert journal.backups.daily_due() is False
    clock.advance(hours=23, minutes=59)
    assert journal.backups.backup_if_due() is None
    clock.advance(minutes=1)
    second = journal.backups.backup_if_due()
    assert second is not None and second.created_at - first.created_at == timedelta(hours=24)
    assert journal.backups.backup_if_due() is None


def test_other_backups_do_not_count_as_the_daily_one(journal: Journal, clock: FakeClock) -> None:
    journal.backups.backup(MANUAL)
    journal.backups.backup(BEFORE_IMPORT)
    assert journal.backups.daily_due() is True


def test_daily_backup_is_made_when_the_clock_was_set_back(journal: Journal, clock: FakeClock) -> None:
    journal.backups.backup_if_due()
    clock.advance(hours=-2)  # the newest daily backup now looks two hours in the future
    assert journal.backups.daily_due() is True
    clock.advance(hours=1, minutes=30)  # a little skew is not a reason
    assert journal.backups.daily_due() is False


def test_daily_backups_roll(journal: Journal, clock: FakeClock) -> None:
    for _ in range(KEEP[DAILY] + 5):
        journal.backups.backup_if_due()
        clock.advance(hours=25)
    daily = [b for b in journal.backups.list() if b.reason == DAILY]
    assert len(daily) == KEEP[DAILY]


# --- restoring in place --------------------------------------------------------------------


def test_restore_brings_the_data_back_and_backs_up_the_present_first(journal: Journal, clock) -> None:
    kept = write(journal, "Written before the backup")
    backup = journal.backups.backup(MANUAL)
    clock.advance(hours=1)
    write(journal, "Written after the backup")
    journal.theories.delete(kept.id)

    before = journal.backups.restore(backup)

    assert before.reason == BEFORE_RESTORE
    assert _file_titles(before.path) == ["Written after the backup", "Written before the backup"]
    assert _titles(journal) == ["Written before the backup"]
    # The open journal's services see the restored data at once.
    assert journal.theories.get(kept.id).title == "Written before the backup"
    assert not journal.theories.get(kept.id).is_deleted
    assert [b.reason for b in journal.backups.list()] == [BEFORE_RESTORE, MANUAL]
    # And the journal goes on working.
    write(journal, "Written after the restore")
    assert len(_titles(journal)) == 2


def test_a_restore_can_be_undone_with_the_before_restore_backup(journal: Journal, clock) -> None:
    backup = journal.backups.backup(MANUAL)
    write(journal, "Only after")
    before = journal.backups.restore(backup)
    assert _titles(journal) == []
    journal.backups.restore(before)
    assert _titles(journal) == ["Only after"]


def test_restored_journal_passes_the_integrity_check_and_keeps_its_search(journal: Journal) -> None:
    write(journal, "Zorblax returns")
    backup = journal.backups.backup(MANUAL)
    write(journal, "Flummox returns")
    journal.backups.restore(backup)
    with journal.database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
        hits = conn.exec_driver_sql("SELECT rowid FROM theory_fts WHERE theory_fts MATCH 'zorblax'").all()
        misses = conn.exec_driver_sql("SELECT rowid FROM theory_fts WHERE theory_fts MATCH 'flummox'").all()
    assert len(hits) == 1 and misses == []


def _break_backup(info: BackupInfo, how: str) -> None:
    path = info.path
    if how == "damaged":
        damage(path, "table page")
    elif how == "not a database":
        path.write_bytes(b"not a backup at all\n" * 100)
    elif how == "foreign":
        path.unlink()
        conn = sqlite3.connect(path)
        with conn:
            conn.execute("CREATE TABLE notes (text TEXT)")
        conn.close()
    elif how == "newer":
        conn = sqlite3.connect(path)
        with conn:
            conn.execute("UPDATE alembic_version SET version_num = '0099_future'")
        conn.close()
        for extra in sidecar_files(path):
            extra.unlink()


@pytest.mark.parametrize(
    ("how", "error"),
    [
        ("damaged", DamagedDatabaseError),
        ("not a database", NotADatabaseError),
        ("foreign", ForeignDatabaseError),
        ("newer", SchemaTooNewError),
    ],
)
def test_a_bad_backup_is_refused_and_nothing_changes(
    journal: Journal, db_snapshot, how: str, error: type[Exception]
) -> None:
    write(journal, "Before")
    info = journal.backups.backup(MANUAL)
    write(journal, "After")
    _break_backup(info, how)
    backup_digest = file_digest(info.path)
    before = db_snapshot(journal)

    with pytest.raises(error) as caught:
        journal.backups.restore(info)

    assert str(info.path) in str(caught.value) and "backup" in str(caught.value)
    assert db_snapshot(journal) == before
    assert file_digest(info.path) == backup_digest
    assert [b.reason for b in journal.backups.list()] == [MANUAL]  # no before-restore backup


def test_a_backup_from_before_an_app_update_is_brought_up_to_date(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = journal.backups.backup(MANUAL)
    calls: list[object] = []
    monkeypatch.setattr(migrate, "HEAD_REVISION", "9999_pretend_newer")
    monkeypatch.setattr(migrate, "upgrade", calls.append)
    journal.backups.restore(info)
    assert len(calls) == 1


# --- restoring as a new file (the journal itself cannot be opened) -------------------------


def test_restore_as_new_file_copies_beside_the_journal_and_leaves_it_alone(
    journal: Journal, db_path: Path, clock
) -> None:
    write(journal, "Saved in time")
    info = journal.backups.backup(DAILY)
    journal.close()
    damage(db_path, "table page")
    damaged = file_digest(db_path)

    found = backups_of(db_path)
    assert [b.path for b in found] == [info.path]
    copy = restore_as_new_file(found[0], db_path, clock=FakeClock(clock.now.replace(tzinfo=UTC)))

    local = clock.now.astimezone().strftime("%Y%m%d-%H%M%S")
    assert copy == db_path.with_name(f"journal-restored-{local}.sqlite3")
    assert file_digest(db_path) == damaged and sidecar_files(db_path) == []
    reopened = Journal.open(copy)
    try:
        assert _titles(reopened) == ["Saved in time"]
    finally:
        reopened.close()
    # A second restore in the same second gets its own name.
    again = restore_as_new_file(found[0], db_path, clock=FakeClock(clock.now))
    assert again != copy and again.exists()


def test_restore_as_new_file_goes_where_it_is_told_and_never_over_a_file(
    journal: Journal, db_path: Path, tmp_path: Path
) -> None:
    info = journal.backups.backup(DAILY)
    target = tmp_path / "elsewhere" / "mine.sqlite3"
    assert restore_as_new_file(info, db_path, target) == target
    assert target.exists()
    before = file_digest(db_path)
    with pytest.raises(BackupError, match="already exists"):
        restore_as_new_file(info, db_path, db_path)
    assert file_digest(db_path) == before


def test_restore_as_new_file_refuses_a_damaged_backup(journal: Journal, db_path: Path) -> None:
    info = journal.backups.backup(DAILY)
    damage(info.path, "middle page")
    with pytest.raises(DamagedDatabaseError, match="backup"):
        restore_as_new_file(info, db_path)
    assert not list(db_path.parent.glob("journal-restored-*"))


def test_the_restored_name_is_made_from_local_time() -> None:
    clock = FakeClock()
    name = backups_module.restored_name(Path("/nowhere/journal.sqlite3"), clock.now)
    assert name.name == f"journal-restored-{clock.now.astimezone():%Y%m%d-%H%M%S}.sqlite3"

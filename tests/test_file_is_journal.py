"""The file is the journal, damage is found, export only reads, and failures say what to do.

Each test here failed before the change it covers (docs/DATA_SAFETY.md says what is promised).
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import sqlite3
from pathlib import Path

import pytest
from helpers import file_digest, sidecar_files, write

from etoile_app import cli, logs
from etoile_app.domain.errors import (
    DamagedDatabaseError,
    DiskFullError,
    ForeignDatabaseError,
    JournalBusyError,
)
from etoile_app.domain.transfer.json_read import parse_json
from etoile_app.domain.transfer.records import ImportFileError
from etoile_app.services.journal import Journal
from etoile_app.storage import engine as engine_module
from etoile_app.storage import sqlite_backup, sqlite_errors, sqlite_pragmas
from etoile_app.storage.database import open_database

# The journal as one SQLite file: its WAL, checks, damage and disk errors.
pytestmark = pytest.mark.sqlite


@pytest.fixture(autouse=True)
def _log_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("ETOILE_LOG_DIR", str(tmp_path / "logs"))


def titles(path: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)) as conn:
        return {row[0] for row in conn.execute("SELECT title FROM theories")}


def corrupt_an_index(path: Path) -> None:
    """Point an index's definition at another column: its entries no longer match the table.

    ``quick_check`` does not look inside indexes; ``integrity_check`` does.
    """
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = replace(sql, '(deleted_at, confidence)', '(deleted_at, status)') "
        "WHERE name = 'ix_theories_live_confidence'"
    )
    conn.close()


@pytest.fixture
def damaged(journal) -> Path:
    for i in range(5):
        write(journal, f"Theory {i}", confidence=10 + i)
    journal.close()
    path = journal.database.path
    corrupt_an_index(path)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]  # quick_check misses it
        assert conn.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
    assert not sidecar_files(path)
    return path


# --- 1. the file is the journal ------------------------------------------------------------------


def test_closing_a_journal_leaves_everything_in_the_one_file(journal, tmp_path):
    for i in range(20):
        write(journal, f"Saved {i}")
    other = journal.database.engine.connect()  # a connection still open keeps the -wal file
    journal.database.checkpoint()
    copy = tmp_path / "copy" / "journal.sqlite3"
    copy.parent.mkdir()
    shutil.copyfile(journal.database.path, copy)
    assert {f"Saved {i}" for i in range(20)} <= titles(copy)
    other.close()
    journal.close()
    assert not sidecar_files(journal.database.path)


def test_an_import_is_in_the_main_file_at_once(journal, tmp_path):
    source = tmp_path / "in.json"
    write(journal, "Imported")
    journal.transfer.export_file(source, "json")
    fresh = Journal.open(tmp_path / "fresh.sqlite3")
    try:
        assert fresh.import_file(source).changed
        assert Path(f"{tmp_path / 'fresh.sqlite3'}-wal").stat().st_size == 0
    finally:
        fresh.close()


# --- 2. damage is found ------------------------------------------------------------------------


def test_an_index_that_no_longer_matches_its_table_is_damage(damaged):
    before = file_digest(damaged)
    with pytest.raises(DamagedDatabaseError, match="damaged"):
        open_database(damaged)
    assert file_digest(damaged) == before
    assert not sidecar_files(damaged)


def test_the_background_check_holds_writes_back_and_refuses_them_on_damage(damaged):
    before = file_digest(damaged)
    db = open_database(damaged, check="background")
    journal = Journal.from_database(db)
    try:
        assert journal.board.count  # reads go on while the check runs
        with pytest.raises(DamagedDatabaseError):
            write(journal, "Written into a damaged file")
        assert isinstance(db.gate.wait(), DamagedDatabaseError)
    finally:
        journal.close()
    assert file_digest(damaged) == before
    assert not sidecar_files(damaged)


def test_opening_with_the_background_check_reads_no_page_through_first(damaged, monkeypatch):
    """The rows show at once: the damage is found by the background check, not before."""
    from etoile_app.storage import integrity

    checks: list[bool] = []
    inspect = integrity.inspect
    monkeypatch.setattr(
        integrity, "inspect", lambda *a, **k: checks.append(k.get("pages", True)) or inspect(*a, **k)
    )
    db = open_database(damaged, check="background")
    try:
        assert checks == [False]
        assert isinstance(db.gate.wait(), DamagedDatabaseError)
    finally:
        db.dispose()


def test_the_background_check_lets_writes_through_on_a_whole_file(db_path):
    journal = Journal.from_database(open_database(db_path, check="background"))
    try:
        assert write(journal, "Fine").id
        assert journal.database.gate.passed
    finally:
        journal.close()


def test_export_and_import_refuse_a_damaged_journal(damaged, tmp_path, capsys):
    assert cli.run(["export", "--db", str(damaged), "--out", str(tmp_path / "out.json")]) == 1
    assert "damaged" in capsys.readouterr().err
    assert not (tmp_path / "out.json").exists()


# --- 3. another app's view-only database -------------------------------------------------------


def test_a_file_with_only_a_view_is_another_apps(tmp_path):
    path = tmp_path / "views.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE VIEW answer AS SELECT 42 AS value")
    before = file_digest(path)
    with pytest.raises(ForeignDatabaseError):
        open_database(path)
    assert file_digest(path) == before


# --- 4. export only reads ------------------------------------------------------------------------


def test_export_never_opens_a_write_connection(journal, tmp_path, monkeypatch):
    write(journal, "Read me")
    journal.close()
    urls: list[str] = []
    real = engine_module.create_engine

    def spy(url, *args, **kwargs):
        urls.append(str(url))
        return real(url, *args, **kwargs)

    monkeypatch.setattr(engine_module, "create_engine", spy)
    out = tmp_path / "out.json"
    assert cli.run(["export", "--db", str(journal.database.path), "--out", str(out)]) == 0
    assert "Read me" in out.read_text(encoding="utf-8")
    assert urls and all("mode=ro" in u for u in urls)


def test_export_reads_a_leftover_wal_and_leaves_the_file_alone(journal, tmp_path):
    write(journal, "Only in the WAL")
    # Copy the journal while a connection holds the -wal open: what a crash leaves behind.
    leftover = tmp_path / "crashed" / "journal.sqlite3"
    leftover.parent.mkdir()
    with journal.database.engine.connect():
        shutil.copyfile(journal.database.path, leftover)
        shutil.copyfile(f"{journal.database.path}-wal", f"{leftover}-wal")
    assert Path(f"{leftover}-wal").stat().st_size > 0
    before = file_digest(leftover)
    out = tmp_path / "out.json"
    assert cli.run(["export", "--db", str(leftover), "--out", str(out)]) == 0
    assert "Only in the WAL" in out.read_text(encoding="utf-8")
    assert file_digest(leftover) == before
    assert Path(f"{leftover}-wal").stat().st_size > 0


# --- 5. no traceback: full disk, busy, a failed import into a new file, deep JSON ----------------


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        sqlite3.OperationalError("database or disk is full"),
    ],
)
def test_a_full_disk_during_the_before_import_backup_is_one_line(
    journal, tmp_path, capsys, monkeypatch, error
):
    source = tmp_path / "in.json"
    write(journal, "To import")
    journal.transfer.export_file(source, "json")
    path = journal.database.path.with_name("other.sqlite3")
    Journal.open(path).close()

    def full(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(sqlite_backup, "backup", full)
    code = cli.run(["import", str(source), "--db", str(path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "The disk is full" in err and "Free some space" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2


def test_a_full_journal_on_commit_says_the_disk_is_full(journal):
    pages = journal.database.engine.connect().exec_driver_sql("PRAGMA page_count").scalar()
    from sqlalchemy import event

    event.listen(
        journal.database.engine, "connect", lambda conn, _r: conn.execute(f"PRAGMA max_page_count = {pages}")
    )
    journal.database.engine.dispose()

    def fill() -> None:
        for i in range(200):
            write(journal, f"Theory {i}", body="y" * 3000)

    with pytest.raises(DiskFullError, match=r"disk is full.*nothing was lost"):
        fill()


def test_a_disk_io_error_with_no_space_left_is_a_full_disk(tmp_path, monkeypatch):
    error = sqlite3.OperationalError("disk I/O error")
    error.sqlite_errorcode = 10  # SQLITE_IOERR
    monkeypatch.setattr(sqlite_errors, "_free_bytes", lambda _folder: 0)
    assert isinstance(sqlite_errors.translate(error, tmp_path / "j.sqlite3"), DiskFullError)
    monkeypatch.setattr(sqlite_errors, "_free_bytes", lambda _folder: 10**9)
    assert sqlite_errors.translate(error, tmp_path / "j.sqlite3") is None


def test_an_import_while_another_program_writes_says_the_journal_is_busy(
    journal, tmp_path, capsys, monkeypatch
):
    source = tmp_path / "in.json"
    write(journal, "To import")
    journal.transfer.export_file(source, "json")
    path = journal.database.path
    journal.close()
    monkeypatch.setattr(sqlite_pragmas, "BUSY_TIMEOUT_MS", 300)
    writer = sqlite3.connect(path, isolation_level=None, timeout=0.1)
    writer.execute("BEGIN IMMEDIATE")
    try:
        code = cli.run(["import", str(source), "--db", str(path)])
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    err = capsys.readouterr().err
    assert code == 1
    assert "being written by another program; try again when it has finished" in err
    assert "Traceback" not in err


def test_busy_is_translated():
    error = sqlite3.OperationalError("database is locked")
    assert isinstance(sqlite_errors.translate(error, Path("/j.sqlite3")), JournalBusyError)


def test_a_failed_import_into_a_new_journal_leaves_nothing_behind(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "nonsense"}', encoding="utf-8")
    target = tmp_path / "new" / "journal.sqlite3"
    assert cli.run(["import", str(bad), "--db", str(target)]) == 1
    assert "cannot import" in capsys.readouterr().err
    assert not target.exists() and not sidecar_files(target)
    assert not (tmp_path / "new").exists()


def test_deeply_nested_json_names_where(tmp_path):
    text = '{"format": "etoile",\n "x": ' + "[" * 200_000 + "]" * 200_000 + "}"
    with pytest.raises(ImportFileError) as caught:
        parse_json(text.encode())
    assert caught.value.line == 2
    assert "column" in str(caught.value) and "nested too deeply" in str(caught.value)


def test_an_unexpected_error_on_the_command_line_is_one_line_and_logged(tmp_path, capsys, monkeypatch):
    def boom(*_args):
        raise TypeError("unexpected")

    monkeypatch.setattr(cli, "_run", boom)
    assert cli.run(["export", "--out", "x.json"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert str(logs.log_path()) in err
    assert "TypeError: unexpected" in logs.log_path().read_text(encoding="utf-8")

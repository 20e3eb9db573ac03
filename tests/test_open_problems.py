"""Files the journal must not open, and must not touch: damaged, not a database, another app's,
newer, read-only, in a folder that cannot be made. Each gets its own error naming the file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import file_digest, sidecar_files

from etoile_app.domain.errors import (
    DamagedDatabaseError,
    DatabaseError,
    FolderError,
    ForeignDatabaseError,
    NotADatabaseError,
    ReadOnlyDatabaseError,
    SchemaTooNewError,
)
from etoile_app.storage import database, integrity, migrate
from etoile_app.storage.database import open_database
from etoile_app.storage.engine import make_engine

ROOT = Path(__file__).resolve().parents[1]
PAGE = 4096


def _root_page(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    finally:
        conn.close()


def _garble(path: Path, page: int, offset: int = 0, length: int = 16) -> None:
    data = bytearray(path.read_bytes())
    start = (page - 1) * PAGE + offset
    data[start : start + length] = b"\xff" * length
    path.write_bytes(bytes(data))


def damage(path: Path, how: str) -> None:
    """Break a healthy journal in one of several ways SQLite's quick check notices."""
    if how == "table page":
        _garble(path, _root_page(path, "canon_facts"))
    elif how == "schema page":
        _garble(path, 1, offset=100, length=24)
    elif how == "middle page":
        pages = path.stat().st_size // PAGE
        _garble(path, pages // 2 + 1, length=PAGE)
    elif how == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    else:  # pragma: no cover
        raise ValueError(how)


def _assert_left_alone(path: Path, digest: str, error: DatabaseError) -> None:
    assert file_digest(path) == digest, "the file was changed"
    assert sidecar_files(path) == [], "SQLite files appeared beside it"
    assert error.path == path
    assert str(path) in str(error), "the message does not name the file"
    assert "\n" not in str(error), "the command line prints one line"


# --- damaged -------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["table page", "schema page", "middle page", "truncated"])
def test_damaged_file_is_refused_and_left_byte_for_byte(db_path: Path, how: str) -> None:
    damage(db_path, how)
    before = file_digest(db_path)
    with pytest.raises(DamagedDatabaseError) as caught:
        open_database(db_path)
    _assert_left_alone(db_path, before, caught.value)
    assert "damaged" in str(caught.value)
    assert "left exactly as it is" in str(caught.value)


def test_damaged_file_is_refused_on_every_attempt(db_path: Path) -> None:
    damage(db_path, "table page")
    before = file_digest(db_path)
    for _ in range(3):
        with pytest.raises(DamagedDatabaseError):
            open_database(db_path)
    assert file_digest(db_path) == before
    assert not (db_path.parent / "backups").exists()


def test_journal_with_a_damaged_version_record_is_a_damaged_file(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("INSERT INTO alembic_version VALUES ('0001_twice')")
    conn.close()
    before = file_digest(db_path)
    with pytest.raises(DamagedDatabaseError, match="schema version record") as caught:
        open_database(db_path)
    _assert_left_alone(db_path, before, caught.value)


# --- not a database ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        os.urandom(8192),
        b"Theories about Etoile\n" * 200,
        b"SQLite format 2\x00" + bytes(200),
        b"\x00" * 100,
    ],
    ids=["random bytes", "a text file", "another format", "zeros"],
)
def test_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(content)
    before = file_digest(path)
    with pytest.raises(NotADatabaseError, match="not a database file at all") as caught:
        open_database(path)
    _assert_left_alone(path, before, caught.value)


def test_a_folder_where_the_file_should_be_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    path.mkdir()
    (path / "inside.txt").write_text("keep")
    with pytest.raises(NotADatabaseError, match="is a folder") as caught:
        open_database(path)
    assert caught.value.path == path
    assert [p.name for p in path.iterdir()] == ["inside.txt"]


# --- another app's database ----------------------------------------------------------------


def test_database_of_another_app_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('keep me')")
    conn.close()
    before = file_digest(path)
    with pytest.raises(ForeignDatabaseError, match="another app") as caught:
        open_database(path)
    _assert_left_alone(path, before, caught.value)


def test_empty_sqlite_database_becomes_a_journal(tmp_path: Path) -> None:
    # A database with no tables at all holds nothing to lose: it is set up as a new journal.
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).execute("PRAGMA user_version = 7").connection.close()
    open_database(path).dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (migrate.HEAD_REVISION,)
    conn.close()


# --- newer ---------------------------------------------------------------------------------


def test_newer_file_is_refused_naming_the_file_the_schema_and_this_version(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '0042_from_the_future'")
    conn.close()
    before = file_digest(db_path)
    with pytest.raises(SchemaTooNewError) as caught:
        open_database(db_path)
    _assert_left_alone(db_path, before, caught.value)
    from etoile_app import __version__

    assert caught.value.revision == "0042_from_the_future"
    assert "newer version" in str(caught.value) and __version__ in str(caught.value)
    assert not (db_path.parent / "backups").exists()


# --- read-only -----------------------------------------------------------------------------


def _deny_writes(monkeypatch: pytest.MonkeyPatch, *denied: Path) -> None:
    """Make ``os.access`` say these paths cannot be written (as a non-root user would see)."""
    real = os.access

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and Path(path) in denied:
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(integrity.os, "access", access)


def test_read_only_file_is_refused_and_left_alone(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _deny_writes(monkeypatch, db_path)
    before = file_digest(db_path)
    with pytest.raises(ReadOnlyDatabaseError, match="read-only") as caught:
        open_database(db_path)
    _assert_left_alone(db_path, before, caught.value)


def test_read_only_folder_is_refused_and_left_alone(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _deny_writes(monkeypatch, db_path.parent)
    before = file_digest(db_path)
    with pytest.raises(ReadOnlyDatabaseError, match="folder") as caught:
        open_database(db_path)
    _assert_left_alone(db_path, before, caught.value)
    assert str(db_path.parent) in str(caught.value)


def test_new_journal_in_a_read_only_folder_is_refused_without_creating_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deny_writes(monkeypatch, tmp_path)
    path = tmp_path / "journal.sqlite3"
    with pytest.raises(ReadOnlyDatabaseError) as caught:
        open_database(path)
    assert caught.value.path == path and str(path.parent) in str(caught.value)
    assert not path.exists()


def _chmod_stops_writes(folder: Path) -> bool:
    probe = folder / "probe"
    probe.mkdir()
    probe.chmod(0o500)
    try:
        (probe / "x").write_bytes(b"")
    except PermissionError:
        return True
    else:
        return False
    finally:
        probe.chmod(0o700)


def test_really_read_only_folder_is_refused(db_path: Path, tmp_path: Path) -> None:
    if not _chmod_stops_writes(tmp_path):
        pytest.skip("running as root: chmod does not stop writes here (the os.access tests cover it)")
    before = file_digest(db_path)
    db_path.chmod(0o444)
    db_path.parent.chmod(0o555)
    try:
        with pytest.raises(ReadOnlyDatabaseError) as caught:
            open_database(db_path)
    finally:
        db_path.parent.chmod(0o755)
        db_path.chmod(0o644)
    _assert_left_alone(db_path, before, caught.value)


def _writer_that_sqlite_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer connection is opened read-only, so SQLite itself refuses to write."""

    def make(url, *, read_only=False):
        engine = make_engine(url, read_only=True)
        return engine

    monkeypatch.setattr(database, "make_engine", make)


def test_sqlite_refusing_to_create_the_file_is_a_read_only_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _writer_that_sqlite_refuses(monkeypatch)
    path = tmp_path / "journal.sqlite3"
    with pytest.raises(ReadOnlyDatabaseError) as caught:
        open_database(path)
    assert str(path) in str(caught.value)
    assert "unable to open" in str(caught.value)


def test_sqlite_refusing_to_write_is_a_read_only_error(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _writer_that_sqlite_refuses(monkeypatch)
    monkeypatch.setattr(migrate, "HEAD_REVISION", "9999_pretend_newer")
    monkeypatch.setattr(migrate, "upgrade", lambda conn: conn.exec_driver_sql("CREATE TABLE x (y)"))
    with pytest.raises(ReadOnlyDatabaseError, match="readonly database") as caught:
        open_database(db_path, backups=False)
    assert caught.value.path == db_path


# --- folders -------------------------------------------------------------------------------


def test_folder_that_cannot_be_made_is_a_folder_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("in the way")
    path = tmp_path / "a-file" / "sub" / "journal.sqlite3"
    with pytest.raises(FolderError, match="Cannot create the folder") as caught:
        open_database(path)
    assert caught.value.path == path
    assert str(path.parent) in str(caught.value)
    assert (tmp_path / "a-file").read_text() == "in the way"


# --- the command line ----------------------------------------------------------------------


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
    )
    return env


def test_the_app_says_in_one_line_which_file_is_damaged_and_exits_1(db_path: Path, tmp_path: Path) -> None:
    damage(db_path, "table page")
    before = file_digest(db_path)
    # --screenshot runs without a person to answer the dialog: it says why and stops.
    result = subprocess.run(
        [sys.executable, "-m", "etoile_app", "--db", str(db_path), "--screenshot", str(tmp_path / "shots")],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("etoile-journal:")]
    assert len(lines) == 1, result.stderr
    assert str(db_path) in lines[0] and "damaged" in lines[0]
    assert file_digest(db_path) == before
    assert sidecar_files(db_path) == []

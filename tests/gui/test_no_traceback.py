"""The window: quitting leaves the journal in its one file; failures become messages, never
tracebacks or hangs."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from etoile_app.app import open_journal
from etoile_app.domain.errors import DiskFullError
from etoile_app.ui.main_window import MainWindow

from .conftest import board_dialog, closed, settle

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _log_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("ETOILE_LOG_DIR", str(tmp_path / "logs"))


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        ETOILE_LOG_DIR=str(tmp_path / "logs"),
    )
    return env


def test_after_quit_the_main_file_alone_holds_every_save(qtbot, settings, tmp_path):
    path = tmp_path / "journal.sqlite3"
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    assert open_journal(window, path, interactive=False) == 0
    board = window.board_tab
    for title in ("First saved", "Second saved"):
        board.new_theory()
        editor = board_dialog(board)
        qtbot.keyClicks(editor.title, title)
        qtbot.keyClicks(editor.category, "Other")  # a new theory has no category until chosen
        editor.save_button.click()
        qtbot.waitUntil(lambda e=editor: closed(e))
    window.quit_action.trigger()  # Ctrl+Q
    qtbot.waitUntil(lambda: not window.isVisible())

    wal = Path(f"{path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    copy = tmp_path / "elsewhere" / "journal.sqlite3"
    copy.parent.mkdir()
    shutil.copyfile(path, copy)  # the one file only
    conn = sqlite3.connect(f"file:{copy}?mode=ro&immutable=1", uri=True)
    try:
        titles = {row[0] for row in conn.execute("SELECT title FROM theories")}
    finally:
        conn.close()
    assert {"First saved", "Second saved"} <= titles


def test_save_on_a_full_disk_says_so_and_keeps_the_editor_open(qtbot, store, monkeypatch):
    from etoile_app.ui.board.editor import EditorData, TheoryEditor

    def full(*_args, **_kwargs):
        raise DiskFullError(
            "The disk is full: the journal could not be written. Free some space and try "
            "again; nothing was lost."
        )

    monkeypatch.setattr(store.journal.theories, "create", full)
    editor = TheoryEditor(store, EditorData.read(store.journal))
    qtbot.addWidget(editor)
    editor.show()
    qtbot.keyClicks(editor.title, "Kept")
    qtbot.keyClicks(editor.category, "Other")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    settle(store)
    boxes = [b for b in editor.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and "The disk is full" in boxes[0].text()
    assert boxes[0].textFormat() == Qt.TextFormat.PlainText
    assert editor.isVisible() and editor.title.text() == "Kept"


RUN_FULL = """
import sqlite3, sys
from etoile_app.storage import sqlite_backup
def full(*a, **k):
    raise sqlite3.OperationalError("database or disk is full")
sqlite_backup.backup = full
from etoile_app.services import canon
def full_pack(*a, **k):
    raise sqlite3.OperationalError("database or disk is full")
canon.CanonService.apply_pack = full_pack
from etoile_app.cli import run
sys.exit(run(sys.argv[1:]))
"""


def test_screenshot_on_a_full_disk_exits_with_a_message(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            RUN_FULL,
            "--db",
            str(tmp_path / "j.sqlite3"),
            "--screenshot",
            str(tmp_path / "s"),
        ],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "disk is full" in done.stderr.lower()


def test_screenshot_of_a_journal_with_a_damaged_index_exits_with_a_message(tmp_path):
    from etoile_app.domain.models import TheoryDraft
    from etoile_app.services.journal import Journal

    path = tmp_path / "j.sqlite3"
    journal = Journal.open(path)
    for i in range(5):
        journal.theories.create(TheoryDraft(title=f"Theory {i}", confidence=10 + i))
    journal.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = replace(sql, '(deleted_at, confidence)', '(deleted_at, status)') "
        "WHERE name = 'ix_theories_live_confidence'"
    )
    conn.close()
    before = path.read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "etoile_app", "--db", str(path), "--screenshot", str(tmp_path / "s")],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "damaged" in done.stderr
    assert path.read_bytes() == before


@pytest.mark.qt_no_exception_capture
def test_an_unexpected_error_in_the_window_is_a_dialog_naming_the_log(qtbot, tmp_path, monkeypatch, capfd):
    import sys
    import threading

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from etoile_app.ui.common import crash

    monkeypatch.setenv("ETOILE_LOG_DIR", str(tmp_path / "log"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    crash.install(interactive=True)
    seen: list[tuple[str, Qt.TextFormat]] = []

    def answer() -> None:
        for box in QApplication.topLevelWidgets():
            if box.objectName() == "crashDialog" and box.isVisible():
                seen.append((box.text(), box.textFormat()))
                box.accept()
                return
        QTimer.singleShot(20, answer)

    def fail() -> None:
        raise ValueError("<b>boom</b>")

    QTimer.singleShot(0, fail)
    QTimer.singleShot(20, answer)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    text, text_format = seen[0]
    log_files = list((tmp_path / "log").glob("*.log"))
    assert log_files and str(log_files[0]) in text
    assert text_format == Qt.TextFormat.PlainText
    assert "Traceback" in log_files[0].read_text(encoding="utf-8")
    assert "Traceback" not in capfd.readouterr().err

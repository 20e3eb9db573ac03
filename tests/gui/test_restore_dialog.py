"""File → Restore from backup…, driven like a person would; and the daily backup timer."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from helpers import write
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QPushButton
from test_open_problems import damage

from etoile_app.app import DailyBackups
from etoile_app.domain.errors import BackupError
from etoile_app.domain.models import TheoryDraft
from etoile_app.services import backups as backup_service
from etoile_app.services.journal import Journal
from etoile_app.storage import sqlite_backup
from etoile_app.ui.common.fmt import local_datetime
from etoile_app.ui.common.store import Store
from etoile_app.ui.files.restore_dialog import NOT_CANCELLABLE, RestoreDialog, size_text

from .conftest import settle, wait

# Restoring a SQLite file in place; a server's restore is tests/test_server_backups.py.
pytestmark = pytest.mark.sqlite


def _titles(journal: Journal) -> list[str]:
    with journal.database.engine.connect() as conn:
        return sorted(r[0] for r in conn.exec_driver_sql("SELECT title FROM theories"))


def _dialog(qtbot, store: Store) -> RestoreDialog:
    dialog = RestoreDialog(store)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    return dialog


def _click_row(qtbot, tree, row: int) -> None:
    rect = tree.visualItemRect(tree.topLevelItem(row))
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.fixture
def held(monkeypatch):
    """Restores stop once the journal is backed up, before the backup is copied in, until
    ``held.set()``; ``held.reached`` is set when one gets there."""
    gate = threading.Event()
    reached = threading.Event()
    original = sqlite_backup.restore

    def restore(*args, **kwargs):
        reached.set()
        gate.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(sqlite_backup, "restore", restore)
    gate.reached = reached  # type: ignore[attr-defined]
    yield gate
    gate.set()


@pytest.fixture
def history(journal: Journal, clock):
    """Three backups an hour apart: with one, two and three theories."""
    made = []
    for title in ("One", "Two", "Three"):
        write(journal, title)
        made.append(journal.backups.backup("daily" if title != "Two" else "before-import"))
        clock.advance(hours=1)
    write(journal, "Four")
    return made


def test_lists_backups_newest_first_with_date_kind_and_size(qtbot, store, journal: Journal, history) -> None:
    dialog = _dialog(qtbot, store)
    tree = dialog.backup_list
    rows = [[tree.topLevelItem(i).text(c) for c in range(3)] for i in range(tree.topLevelItemCount())]
    assert rows == [
        [local_datetime(b.created_at), label, size_text(b.size)]
        for b, label in zip(history[::-1], ("Daily", "Before an import", "Daily"), strict=True)
    ]
    assert str(journal.backups.folder) in dialog.where.text()
    assert "the last 10" in dialog.where.text()
    assert dialog.restore_button.isEnabled()  # the newest is selected


def test_restoring_the_chosen_backup_brings_its_data_back(qtbot, store, journal: Journal, history) -> None:
    dialog = _dialog(qtbot, store)
    _click_row(qtbot, dialog.backup_list, 2)  # the oldest: "One" only
    with qtbot.waitSignal(dialog.restored) as signal:
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    before = signal.args[0]
    assert before.reason == "before-restore" and before.path.exists()
    assert _titles(journal) == ["One"]
    assert dialog.result() == dialog.DialogCode.Accepted
    assert journal.backups.newest().path == before.path


def test_a_damaged_backup_is_refused_in_the_dialog_and_nothing_changes(
    qtbot, store, journal: Journal, history, db_snapshot
) -> None:
    damage(history[-1].path, "table page")
    snapshot = db_snapshot(journal)
    dialog = _dialog(qtbot, store)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    settle(store)
    assert dialog.isVisible() and dialog.before is None
    assert dialog.error.isVisible()
    assert "damaged" in dialog.error.text() and str(history[-1].path) in dialog.error.text()
    assert db_snapshot(journal) == snapshot
    assert dialog.backup_list.selected().path == history[-1].path  # still pointing at it
    assert dialog.restore_button.isEnabled() and dialog.backup_list.isEnabled()
    _click_row(qtbot, dialog.backup_list, 1)
    with qtbot.waitSignal(dialog.restored):
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert _titles(journal) == ["One", "Two"]


def test_the_store_clears_undo_and_every_view_rereads(qtbot, store, journal: Journal, history) -> None:
    wait(store.create_theory(TheoryDraft("Written after the backups")))
    assert store.undo_stack.count() == 1
    changed: list[object] = []
    store.changed.connect(changed.append)
    store.canonChanged.connect(lambda: changed.append("canon"))
    dialog = _dialog(qtbot, store)
    with qtbot.waitSignal(dialog.restored):
        dialog.backup_list.itemDoubleClicked.emit(dialog.backup_list.topLevelItem(0), 0)
    assert store.undo_stack.count() == 0  # its steps described the journal before the restore
    assert "canon" in changed and any(getattr(c, "everything", False) for c in changed)
    assert "Written after the backups" not in _titles(journal)


def test_a_restore_shows_its_progress_cannot_be_cancelled_and_holds_the_dialog(
    qtbot, store, journal: Journal, history, held
) -> None:
    dialog = _dialog(qtbot, store)
    _click_row(qtbot, dialog.backup_list, 2)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert held.reached.wait(10)
    progress = dialog.findChild(QProgressDialog)
    qtbot.waitUntil(progress.isVisible)  # it shows once the job has taken a moment
    assert progress.windowModality() == Qt.WindowModality.WindowModal
    qtbot.waitUntil(lambda: progress.labelText().startswith("Restoring the backup…"))
    assert NOT_CANCELLABLE in progress.labelText()  # and says why there is no Cancel
    assert (progress.value(), progress.maximum()) == (2, backup_service.RESTORE_STEPS)
    assert not progress.findChildren(QPushButton)
    # The dialog waits: nothing to click, and neither Escape nor closing it ends it.
    for widget in (dialog.backup_list, dialog.restore_button, dialog.close_button):
        assert not widget.isEnabled()
    dialog.reject()
    dialog.close()
    assert dialog.isVisible()
    with qtbot.waitSignal(dialog.restored):
        held.set()
    assert _titles(journal) == ["One"]
    assert not dialog.isVisible()


def test_closing_the_window_does_not_stop_a_restore_under_way(
    qtbot, store, journal: Journal, history, held
) -> None:
    dialog = _dialog(qtbot, store)
    _click_row(qtbot, dialog.backup_list, 2)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert held.reached.wait(10)
    store.ops.cancel_jobs()  # what closing the window does to the jobs under way
    with qtbot.waitSignal(dialog.restored):
        held.set()
    assert _titles(journal) == ["One"]


def test_a_restore_that_fails_with_a_bug_leaves_the_dialog_free(
    qtbot, store, journal: Journal, history, monkeypatch
) -> None:
    import sys

    bugs: list[type] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, value, tb: bugs.append(kind))

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(journal.backups, "restore", broken)
    dialog = _dialog(qtbot, store)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    settle(store)
    assert bugs == [ZeroDivisionError]  # the log and the crash dialog say it
    assert not dialog.restoring()
    assert dialog.restore_button.isEnabled() and dialog.close_button.isEnabled()
    dialog.reject()
    assert not dialog.isVisible()


def test_without_backups_it_says_so(qtbot, store) -> None:
    dialog = _dialog(qtbot, store)
    assert dialog.empty.isVisible() and not dialog.backup_list.isVisible()
    assert not dialog.restore_button.isEnabled()


def test_on_a_database_server_it_says_backups_are_the_servers_business(qtbot) -> None:
    journal = Journal.open("sqlite://")
    store = Store(journal)
    try:
        dialog = _dialog(qtbot, store)
        assert "server" in dialog.empty.text()
        assert not dialog.restore_button.isVisible()
    finally:
        store.ops.shutdown(wait=True)
        journal.close()


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (999, "999 bytes"),
        (1000, "1.0 KB"),
        (84_321, "84 KB"),
        (3_200_000, "3.2 MB"),
        (7 * 10**9, "7.0 GB"),
    ],
)
def test_sizes_read_like_a_file_manager(size: int, text: str) -> None:
    assert size_text(size) == text


# --- the daily backup timer ----------------------------------------------------------------


def test_daily_backups_are_made_at_start_and_when_due(qtbot, journal: Journal, clock) -> None:
    daily = DailyBackups(journal.backups, interval_ms=20, first_check_ms=0)
    with qtbot.waitSignal(daily.made, timeout=5000) as first:
        daily.start()
    assert first.args[0].reason == "daily"
    qtbot.wait(100)  # several hourly checks (sped up): nothing is due
    assert len(journal.backups.list()) == 1
    clock.advance(hours=24)
    with qtbot.waitSignal(daily.made, timeout=5000) as second:
        pass
    assert second.args[0].created_at == clock.now
    daily.stop()
    assert [b.reason for b in journal.backups.list()] == ["daily", "daily"]


def test_a_daily_backup_that_fails_is_reported_and_retried(qtbot, journal: Journal, monkeypatch) -> None:
    def broken():
        raise BackupError("Could not write a backup: No space left on device.")

    monkeypatch.setattr(journal.backups, "backup_if_due", broken)
    daily = DailyBackups(journal.backups, interval_ms=20, first_check_ms=0)
    with qtbot.waitSignal(daily.failed, timeout=5000) as failed:
        daily.start()
    assert "No space left on device" in failed.args[0]
    with qtbot.waitSignal(daily.failed, timeout=5000):
        pass  # the next check tries again
    daily.stop()


def test_no_daily_timer_without_backups(qtbot) -> None:
    journal = Journal.open("sqlite://")
    try:
        daily = DailyBackups(journal.backups, interval_ms=20, first_check_ms=0)
        daily.start()
        assert not daily.timer.isActive()
    finally:
        journal.close()


def test_backup_files_never_appear_in_the_journal_folder_itself(journal: Journal, db_path: Path) -> None:
    journal.backups.backup("manual")
    assert sorted(p.name for p in db_path.parent.iterdir() if p.suffix == ".sqlite3") == ["journal.sqlite3"]

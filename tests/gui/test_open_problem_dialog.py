"""The dialog for a journal that cannot be opened, driven like a person would; and the start-up
flow that opens the file chosen there instead."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers import file_digest, sidecar_files, write
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog
from test_open_problems import damage

from etoile_app import app as app_module
from etoile_app import instance
from etoile_app.domain.errors import (
    DamagedDatabaseError,
    DatabaseError,
    ForeignDatabaseError,
    NotADatabaseError,
    ReadOnlyDatabaseError,
    SchemaTooNewError,
)
from etoile_app.services.journal import Journal
from etoile_app.storage.database import open_database
from etoile_app.ui.files import open_problem_dialog
from etoile_app.ui.files.open_problem_dialog import Action, OpenChoice, OpenProblemDialog
from etoile_app.ui.main_window import MainWindow


def _titles(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in conn.execute("SELECT title FROM theories"))
    finally:
        conn.close()


def _error(path: Path) -> DatabaseError:
    with pytest.raises(DatabaseError) as caught:
        open_database(path)
    return caught.value


@pytest.fixture
def damaged(journal: Journal, db_path: Path, clock) -> Path:
    """A journal with two daily backups (older: one theory, newer: two), then damaged."""
    write(journal, "First theory")
    journal.backups.backup("daily")
    clock.advance(hours=25)
    write(journal, "Second theory")
    journal.backups.backup("daily")
    journal.close()
    damage(db_path, "table page")
    return db_path


def _dialog(qtbot, error: DatabaseError) -> OpenProblemDialog:
    dialog = OpenProblemDialog(error)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    return dialog


def _click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _click_row(qtbot, tree, row: int) -> None:
    rect = tree.visualItemRect(tree.topLevelItem(row))
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _fake_save_dialog(monkeypatch: pytest.MonkeyPatch, answer: str, asked: list | None = None) -> None:
    def fake(parent, caption, directory, *args, **kwargs):
        if asked is not None:
            asked.append((caption, directory))
        return answer, ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))


# --- what it shows -------------------------------------------------------------------------


def test_damaged_file_names_the_file_and_offers_its_backups(qtbot, damaged: Path) -> None:
    dialog = _dialog(qtbot, _error(damaged))
    assert dialog.heading.text() == "Your journal file is damaged"
    assert dialog.file.text() == str(damaged)
    assert "damaged" in dialog.message.text()
    assert dialog.backup_list.topLevelItemCount() == 2
    assert dialog.backup_list.topLevelItem(0).text(1) == "Daily"
    assert dialog.open_backup_button.isVisible() and dialog.open_backup_button.isDefault()
    assert dialog.new_button.isVisible() and dialog.quit_button.isVisible()


@pytest.mark.parametrize(
    ("make", "error", "heading"),
    [
        (lambda p: p.write_bytes(b"just text\n" * 50), NotADatabaseError, "This file is not a journal"),
        (
            lambda p: sqlite3.connect(p).execute("CREATE TABLE other (x)").connection.close(),
            ForeignDatabaseError,
            "This file belongs to another app",
        ),
    ],
)
def test_other_content_problems_offer_backups_too(qtbot, tmp_path: Path, make, error, heading) -> None:
    path = tmp_path / "journal.sqlite3"
    make(path)
    problem = _error(path)
    assert isinstance(problem, error)
    dialog = _dialog(qtbot, problem)
    assert dialog.heading.text() == heading
    assert dialog.backup_box is None
    assert "There are no backups of journal.sqlite3" in dialog.no_backups.text()
    assert dialog.new_button.isVisible() and dialog.new_button.isDefault()


def test_newer_file_offers_only_quit_and_names_the_versions(qtbot, db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '0042_future'")
    conn.close()
    problem = _error(db_path)
    assert isinstance(problem, SchemaTooNewError)
    dialog = _dialog(qtbot, problem)
    assert dialog.heading.text() == "This journal needs a newer version of the app"
    assert "0042_future" in dialog.message.text()
    assert not dialog.new_button.isVisible()
    assert dialog.backup_box is None and not hasattr(dialog, "no_backups")
    assert dialog.quit_button.isVisible() and dialog.quit_button.isDefault()
    with qtbot.waitSignal(dialog.chosen) as signal:
        _click(qtbot, dialog.quit_button)
    assert signal.args == [OpenChoice(Action.QUIT)]
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_read_only_offers_a_new_journal_elsewhere_but_no_backup(qtbot, damaged: Path) -> None:
    problem = ReadOnlyDatabaseError(f"The journal {damaged} is read-only.", damaged)
    dialog = _dialog(qtbot, problem)
    assert dialog.heading.text() == "Your journal cannot be written"
    assert dialog.backup_box is None  # backups exist, but the folder is the problem
    assert dialog.new_button.isVisible() and dialog.quit_button.isVisible()


# --- the ways on ---------------------------------------------------------------------------


def test_opening_a_backup_copies_it_to_a_new_file_and_leaves_the_damaged_one(qtbot, damaged: Path) -> None:
    before = file_digest(damaged)
    dialog = _dialog(qtbot, _error(damaged))
    _click_row(qtbot, dialog.backup_list, 1)  # the older backup
    with qtbot.waitSignal(dialog.chosen) as signal:
        _click(qtbot, dialog.open_backup_button)
    choice = signal.args[0]
    assert choice.action is Action.BACKUP
    assert choice.path.parent == damaged.parent
    assert choice.path.name.startswith("journal-restored-") and choice.path.suffix == ".sqlite3"
    assert _titles(choice.path) == ["First theory"]
    assert file_digest(damaged) == before and sidecar_files(damaged) == []
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_the_copy_can_go_where_the_person_says(qtbot, damaged: Path, tmp_path: Path, monkeypatch) -> None:
    asked: list = []
    _fake_save_dialog(monkeypatch, str(tmp_path / "safe" / "my journal"), asked)
    dialog = _dialog(qtbot, _error(damaged))
    with qtbot.waitSignal(dialog.chosen) as signal:
        _click(qtbot, dialog.copy_elsewhere_button)
    assert signal.args[0] == OpenChoice(Action.BACKUP, tmp_path / "safe" / "my journal.sqlite3")
    assert _titles(tmp_path / "safe" / "my journal.sqlite3") == ["First theory", "Second theory"]
    assert "journal-restored-" in asked[0][1]


def test_a_damaged_backup_is_refused_in_place_and_another_can_be_tried(qtbot, damaged: Path) -> None:
    dialog = _dialog(qtbot, _error(damaged))
    newest = dialog.backups[0].path
    damage(newest, "middle page")
    _click(qtbot, dialog.open_backup_button)
    assert dialog.choice is None and dialog.isVisible()
    assert dialog.error_line.isVisible() and str(newest) in dialog.error_line.text()
    assert not list(damaged.parent.glob("journal-restored-*"))
    _click_row(qtbot, dialog.backup_list, 1)
    with qtbot.waitSignal(dialog.chosen):
        _click(qtbot, dialog.open_backup_button)
    assert not dialog.error_line.isVisible()
    assert dialog.choice.action is Action.BACKUP


def test_start_a_new_journal_elsewhere(qtbot, damaged: Path, tmp_path: Path, monkeypatch) -> None:
    _fake_save_dialog(monkeypatch, str(tmp_path / "fresh.sqlite3"))
    dialog = _dialog(qtbot, _error(damaged))
    with qtbot.waitSignal(dialog.chosen) as signal:
        _click(qtbot, dialog.new_button)
    assert signal.args[0] == OpenChoice(Action.NEW, tmp_path / "fresh.sqlite3")


def test_start_elsewhere_cancelled_or_on_the_same_file_chooses_nothing(
    qtbot, damaged: Path, monkeypatch
) -> None:
    dialog = _dialog(qtbot, _error(damaged))
    _fake_save_dialog(monkeypatch, "")
    _click(qtbot, dialog.new_button)
    assert dialog.choice is None and dialog.isVisible()
    _fake_save_dialog(monkeypatch, str(damaged))
    _click(qtbot, dialog.new_button)
    assert dialog.choice is None
    assert "cannot be opened" in dialog.error_line.text()


def test_escape_quits(qtbot, damaged: Path) -> None:
    dialog = _dialog(qtbot, _error(damaged))
    with qtbot.waitSignal(dialog.chosen) as signal:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert signal.args == [OpenChoice(Action.QUIT)]


def test_ask_waits_for_the_person_and_returns_the_file(qtbot, damaged: Path) -> None:
    def press_open() -> None:
        modal = QApplication.activeModalWidget()
        assert isinstance(modal, OpenProblemDialog)
        qtbot.mouseClick(modal.open_backup_button, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))

    QTimer.singleShot(100, press_open)
    chosen = open_problem_dialog.ask(_error(damaged))
    assert chosen is not None and chosen.name.startswith("journal-restored-")


# --- start-up: open the chosen file instead ------------------------------------------------


@pytest.fixture
def window(qtbot, settings):
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    yield w
    if w.store is not None:
        w.store.journal.close()


def test_start_up_opens_the_chosen_file_holds_it_and_remembers_it(
    qtbot, window, damaged: Path, settings, monkeypatch, capsys
) -> None:
    shown: list[DatabaseError] = []
    copy_to = damaged.with_name("journal-restored-test.sqlite3")

    def fake_ask(error, parent=None):
        shown.append(error)
        return open_problem_dialog.restore_as_new_file(
            open_problem_dialog.backups_of(damaged)[1], damaged, copy_to
        )

    monkeypatch.setattr(open_problem_dialog, "ask", fake_ask)
    guard = instance.SingleInstance(damaged)
    assert guard.acquire()
    try:
        code = app_module.open_journal(window, damaged, guard=guard, remember=settings)
        assert code == 0
        assert isinstance(shown[0], DamagedDatabaseError)
        assert guard.database == copy_to and instance.lock_path(copy_to).exists()
        assert not instance.lock_path(damaged).exists()
    finally:
        guard.release()
    assert window.database_path == copy_to
    assert _titles(copy_to) == ["First theory"]
    assert settings.value(app_module.CHOSEN_FILE_KEY) == str(copy_to)
    assert app_module.journal_target(None, settings) == copy_to
    assert app_module.journal_target("other.sqlite3", settings) == "other.sqlite3"
    err = capsys.readouterr().err
    assert f"etoile-journal: The journal {damaged} is damaged" in err
    assert window.daily_backups.timer.isActive()


def test_start_up_quits_with_1_when_the_person_quits(qtbot, window, damaged: Path, monkeypatch) -> None:
    monkeypatch.setattr(open_problem_dialog, "ask", lambda error, parent=None: None)
    before = file_digest(damaged)
    assert app_module.open_journal(window, damaged) == 1
    assert window.store is None
    assert file_digest(damaged) == before


def test_without_a_person_start_up_says_why_and_quits(qtbot, window, damaged: Path, monkeypatch) -> None:
    monkeypatch.setattr(open_problem_dialog, "ask", lambda *a: pytest.fail("no one is there to answer"))
    assert app_module.open_journal(window, damaged, interactive=False) == 1


def test_a_remembered_file_that_is_gone_falls_back_to_the_default(settings, tmp_path: Path) -> None:
    settings.setValue(app_module.CHOSEN_FILE_KEY, str(tmp_path / "gone.sqlite3"))
    assert app_module.journal_target(None, settings) == app_module.paths.default_database_path()

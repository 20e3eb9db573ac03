"""File → Import…, Export…, Back up now and Restore from backup…, driven from the menu."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import pytest
from helpers import DATA_DIR, write
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from etoile_app.domain.models import TheoryDraft
from etoile_app.ui.board import model as bm
from etoile_app.ui.files.restore_dialog import RestoreDialog
from etoile_app.ui.files.transfer import EXPORT_CHOICES, format_for
from etoile_app.ui.main_window import MainWindow

from .conftest import settle, wait

FATEBOOK = DATA_DIR / "fatebook-export-minimal.csv"


@pytest.fixture
def window(qtbot, store, settings, db_path):
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.attach(store, db_path)
    settle(store)  # start-up: the counts and the tab in front are read in the background
    return w


def _board_titles(window: MainWindow) -> list[str]:
    """The titles on the board once what it asked for has come (building it if need be)."""
    model = window.board_tab.model
    settle(window.store)
    return sorted(model.index(r, bm.COL_TITLE).data() for r in range(model.rowCount()))


def _db_titles(journal) -> list[str]:
    with journal.database.engine.connect() as conn:
        return sorted(r[0] for r in conn.exec_driver_sql("SELECT title FROM theories"))


def _message_box(qtbot) -> QMessageBox:
    found: list[QMessageBox] = []

    def shown() -> None:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        assert found

    qtbot.waitUntil(shown)
    return found[0]


def _close(box: QMessageBox) -> None:
    box.button(QMessageBox.StandardButton.Ok).click()


def _answer_open(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))


def test_the_file_menu_offers_import_export_and_backups(window) -> None:
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions() if not a.isSeparator()]
    for wanted in ("&Import…", "&Export…", "&Back up now", "&Restore from backup…"):
        assert wanted in texts
    assert window.restore_action.isVisible() and window.restore_action.isEnabled()


@pytest.mark.parametrize(("chosen", "fmt_name"), [(c[1], c[0]) for c in EXPORT_CHOICES])
def test_export_writes_the_format_of_the_chosen_filter(
    window, journal, monkeypatch, tmp_path, chosen, fmt_name
):
    write(journal, "Mishi turns villain", confidence=70)
    target = tmp_path / "my-journal"  # no suffix: the filter decides and adds it
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), chosen))
    window.export_action.trigger()
    settle(window.store)  # the export runs as a job on the writer thread
    written = target.with_name(target.name + format_for(Path("x"), chosen)[1].suffix)
    text = written.read_text(encoding="utf-8")
    if fmt_name == "json":
        assert [t["title"] for t in json.loads(text)["theories"]] == ["Mishi turns villain"]
    elif fmt_name == "csv":
        header, row = list(csv.reader(text.splitlines()))[:2]
        assert header[:4] == [
            "Question title",
            "Multiple choice option",
            "Forecast created by",
            "Forecast (scale = 0-1)",
        ]
        assert row[0] == "Mishi turns villain" and row[3] == "0.7"
    else:
        assert "Mishi turns villain" in text
    assert str(written) in window.statusBar().currentMessage()


def test_an_export_that_cannot_be_written_says_so(window, monkeypatch, tmp_path, qtbot):
    target = tmp_path / "no-such-folder" / "out.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.export_action.trigger()
    box = _message_box(qtbot)
    assert box.windowTitle() == "Export failed"
    assert str(target) in box.text()
    _close(box)
    assert not target.exists()


def test_importing_a_fatebook_csv_fills_the_board_and_backs_up_first(window, journal, monkeypatch, qtbot):
    _answer_open(monkeypatch, FATEBOOK)
    window.import_action.trigger()
    box = _message_box(qtbot)
    assert box.windowTitle() == "Import done"
    assert "3 new, 0 updated, 0 unchanged" in box.text()
    _close(box)
    titles = [
        "Will Mishi turn villain?",
        "Will Prime Video renew Étoile for a second season?",
        "Will all eight episodes drop on the same day?",
    ]
    assert _board_titles(window) == titles == _db_titles(journal)
    assert [b.reason for b in journal.backups.list()] == ["before-import"]
    assert "3 theories" in window.counts.text()

    # The same file again changes nothing and makes no second backup.
    window.import_action.trigger()
    box = _message_box(qtbot)
    assert box.windowTitle() == "Nothing to import"
    assert "0 new, 0 updated, 3 unchanged" in box.text()
    _close(box)
    assert len(journal.backups.list()) == 1


def test_a_bad_file_is_refused_with_the_line_named_and_nothing_written(
    window, journal, monkeypatch, qtbot, tmp_path, db_snapshot
):
    write(journal, "Already here")
    before = db_snapshot(journal)
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "etoile-journal",\n "format_version": 1,\n "theories": [}', encoding="utf-8")
    _answer_open(monkeypatch, bad)
    window.import_action.trigger()
    box = _message_box(qtbot)
    assert box.windowTitle() == "Import refused"
    assert "broken.json" in box.text() and "line 3" in box.text()
    assert "Nothing was written" in box.informativeText()
    _close(box)
    assert db_snapshot(journal) == before
    assert journal.backups.list() == []


def test_a_cancel_that_comes_after_the_import_committed_does_not_hide_it(window, journal, monkeypatch, qtbot):
    """Once the import has committed, a cancel cannot undo it: the window says it was imported
    (not "nothing was written") and shows what came in."""
    committed, go_on = threading.Event(), threading.Event()
    checkpoint = journal.database.checkpoint

    def held_checkpoint():
        committed.set()
        go_on.wait(10)
        return checkpoint()

    monkeypatch.setattr(journal.database, "checkpoint", held_checkpoint)
    _answer_open(monkeypatch, FATEBOOK)
    window.import_action.trigger()
    assert committed.wait(10)
    window.store.ops.cancel_jobs()  # Cancel, or closing the window, just too late
    go_on.set()
    box = _message_box(qtbot)
    assert box.windowTitle() == "Import done"
    _close(box)
    assert len(_board_titles(window)) == 3 == len(_db_titles(journal))


def test_a_cancelled_file_dialog_does_nothing(window, journal, monkeypatch, db_snapshot):
    before = db_snapshot(journal)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    window.import_action.trigger()
    window.export_action.trigger()
    assert db_snapshot(journal) == before
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def test_back_up_then_restore_from_the_menu(window, store, journal, qtbot, clock):
    wait(store.create_theory(TheoryDraft("Kept")))
    window.backup_action.trigger()
    settle(store)  # the backup runs as a job on the writer thread
    (made,) = journal.backups.list()
    assert made.reason == "manual" and made.path.name in window.statusBar().currentMessage()
    clock.advance(hours=1)
    wait(store.create_theory(TheoryDraft("Written after the backup")))
    assert store.undo_stack.count() == 2
    assert _board_titles(window) == ["Kept", "Written after the backup"]

    window.restore_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(RestoreDialog) is not None)
    dialog = window.findChild(RestoreDialog)
    assert dialog.backup_list.selected().path == made.path  # the newest is selected
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)

    assert _board_titles(window) == ["Kept"] == _db_titles(journal)
    assert store.undo_stack.count() == 0  # its steps described the journal before the restore
    reasons = sorted(b.reason for b in journal.backups.list())
    assert reasons == ["before-restore", "manual"]
    assert "backed up first" in window.statusBar().currentMessage()


def test_format_follows_the_suffix_before_the_filter() -> None:
    assert format_for(Path("a.csv"), EXPORT_CHOICES[0][1]) == ("csv", Path("a.csv"))
    assert format_for(Path("a.MD")) == ("md", Path("a.MD"))
    assert format_for(Path("a.markdown")) == ("md", Path("a.markdown"))
    assert format_for(Path("a"), EXPORT_CHOICES[1][1]) == ("csv", Path("a.csv"))
    assert format_for(Path("a.txt")) == ("json", Path("a.txt.json"))


def test_file_dialogs_start_in_documents_or_else_home(qapp, monkeypatch, tmp_path):
    from PySide6.QtCore import QStandardPaths

    from etoile_app.ui.common.widgets import documents_folder

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: home))
    missing = tmp_path / "no-documents-here"
    monkeypatch.setattr(QStandardPaths, "writableLocation", lambda *_: str(missing))
    assert documents_folder() == home  # not the working directory a dialog would fall back to
    missing.mkdir()
    assert documents_folder() == missing


def test_the_export_dialog_suggests_a_dated_json_file_in_an_existing_folder(window, monkeypatch):
    asked = {}

    def fake_save(parent, caption, start, filters):
        asked.update(caption=caption, start=Path(start), filters=filters)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_save)
    window.export_action.trigger()
    assert asked["start"].parent.is_dir()
    assert asked["start"].name.startswith("etoile-journal-") and asked["start"].suffix == ".json"
    assert asked["filters"].split(";;") == [c[1] for c in EXPORT_CHOICES]

"""Long jobs (import, export, backup) run on the writer thread with their progress shown: the
window stays responsive, what would conflict waits, Cancel and quitting write nothing."""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog, QPushButton

from etoile_app.domain.errors import JournalBusyError
from etoile_app.domain.models import TheoryDraft
from etoile_app.services import transfer as transfer_service
from etoile_app.services.journal import Journal
from etoile_app.storage.database import open_database
from etoile_app.ui.common.store import Store
from etoile_app.ui.main_window import MainWindow

from .conftest import settle, wait

COUNT = 12


def _export_file(tmp_path: Path) -> Path:
    theories = [
        {
            "uid": str(uuid.uuid4()),
            "title": f"Imported theory {i}",
            "confidence": 40 + i,
            "status": "open",
            "created_at": "2026-01-01T10:00:00Z",
            "history": [{"confidence": 40 + i, "changed_at": "2026-01-01T10:00:00Z"}],
        }
        for i in range(COUNT)
    ]
    path = tmp_path / "export.json"
    doc = {"format": "etoile-journal", "format_version": 3, "theories": theories}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture
def held(monkeypatch):
    """Imports write one theory a batch and stop after the second (the first reported), until
    ``held.set()``."""
    gate = threading.Event()
    written: list[int] = []
    original = transfer_service._Writer._children

    def children(self, ids, *args):
        original(self, ids, *args)
        written.extend(ids)
        if len(written) == 2:
            gate.wait(10)

    monkeypatch.setattr(transfer_service, "WRITE_BATCH", 1)
    monkeypatch.setattr(transfer_service._Writer, "_children", children)
    gate.written = written  # type: ignore[attr-defined]
    yield gate
    gate.set()


@pytest.fixture
def window(qtbot, store, settings, db_path):
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.attach(store, db_path)
    qtbot.waitExposed(w)
    settle(store)
    return w


def _titles(journal) -> list[str]:
    with journal.database.engine.connect() as conn:
        return sorted(r[0] for r in conn.exec_driver_sql("SELECT title FROM theories"))


def _box(qtbot, title: str) -> QMessageBox:
    found: list[QMessageBox] = []

    def shown() -> None:
        found[:] = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible() and w.windowTitle() == title
        ]
        assert found

    qtbot.waitUntil(shown)
    return found[0]


def _import(window, monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.import_action.trigger()


def test_an_import_shows_its_progress_and_its_outcome(qtbot, window, journal, monkeypatch, tmp_path, held):
    _import(window, monkeypatch, _export_file(tmp_path))
    qtbot.waitUntil(lambda: len(held.written) == 2)
    dialog = window.findChild(QProgressDialog)
    qtbot.waitUntil(dialog.isVisible)  # it shows once the job has taken a moment
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    assert dialog.maximum() == COUNT and dialog.value() == 1
    assert dialog.labelText().startswith(f"Writing {COUNT} theories")
    held.set()
    box = _box(qtbot, "Import done")
    assert f"{COUNT} new" in box.text()
    box.close()
    settle(window.store)
    assert window.board_tab.model.rowCount() == COUNT


def test_cancelling_an_import_writes_nothing(
    qtbot, window, journal, monkeypatch, tmp_path, held, db_snapshot
):
    before = db_snapshot(journal)
    _import(window, monkeypatch, _export_file(tmp_path))
    qtbot.waitUntil(lambda: len(held.written) == 2)  # written in the open transaction
    dialog = window.findChild(QProgressDialog)
    qtbot.waitUntil(dialog.isVisible)
    (cancel,) = [b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel"]
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    held.set()
    box = _box(qtbot, "Import cancelled")
    assert "Nothing was written" in box.informativeText()
    box.close()
    settle(window.store)
    assert db_snapshot(journal) == before
    assert not window.store.ops.job_running()


def test_what_would_conflict_waits_while_a_job_runs(qtbot, window, store, monkeypatch, tmp_path, held):
    wait(store.create_theory(TheoryDraft("Written before the import", confidence=50)))
    assert window.undo_action.isEnabled()
    _import(window, monkeypatch, _export_file(tmp_path))
    qtbot.waitUntil(lambda: len(held.written) == 2)
    for action in (window.import_action, window.export_action, window.backup_action, window.new_action):
        assert not action.isEnabled()
    assert not window.undo_action.isEnabled()  # the history stays as it is until the job ends
    with pytest.raises(JournalBusyError, match="busy with an import"):
        wait(store.create_theory(TheoryDraft("Typed during the import", confidence=50)))
    # The window answers meanwhile: the board can be searched.
    window.go_to_tab(2)
    window.board_tab.search.setText("nothing matches this")
    held.set()
    _box(qtbot, "Import done").close()
    settle(store)
    for action in (window.import_action, window.export_action, window.backup_action, window.new_action):
        assert action.isEnabled()
    assert window.undo_action.isEnabled()


def test_quitting_during_an_import_cancels_it_and_writes_nothing(
    qtbot, journal, settings, db_path, monkeypatch, tmp_path, held
):
    window = MainWindow(settings)
    store = Store(journal, window)
    window.show()
    window.attach(store, db_path)
    qtbot.waitExposed(window)
    settle(store)
    before = _titles(journal)
    _import(window, monkeypatch, _export_file(tmp_path))
    qtbot.waitUntil(lambda: len(held.written) == 2)
    threading.Timer(0.2, held.set).start()  # the blocked batch ends; the cancel stops the next
    window.close()  # cancels the import and waits for the writer thread to stop
    reopened = Journal.from_database(open_database(db_path))
    try:
        assert _titles(reopened) == before
    finally:
        reopened.close()
    window.deleteLater()

"""An editor open on a theory another member changes, moves to the bin or deletes: a banner
says so as it happens (read off the GUI thread), what was typed stays, and saving still asks
what to keep."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from helpers import write
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from etoile_app.domain.models import Theory
from etoile_app.services.journal import Journal
from etoile_app.ui.board.editor import (
    BINNED_ELSEWHERE,
    CHANGED_ELSEWHERE,
    DELETED_ELSEWHERE,
    EditorData,
    TheoryEditor,
)
from etoile_app.ui.main_window import MainWindow

from .conftest import record_threads, settle

pytestmark = pytest.mark.postgresql

WITHIN_MS = 2000


@pytest.fixture
def window(qtbot, store, settings):
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.attach(store, None)
    settle(store)
    qtbot.waitUntil(lambda: w.live is not None and w.live.connected is True, timeout=5000)
    return w


@pytest.fixture
def theory(store) -> Theory:
    return write(store.journal, "Mishi turns villain", body="She sabotages the gala.", confidence=40)


def _editor(qtbot, window: MainWindow, store, theory_id: int) -> TheoryEditor:
    editor = TheoryEditor(store, EditorData.read(store.journal, theory_id), window)
    editor.open()
    qtbot.waitExposed(editor)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and editor.isActiveWindow())
    return editor


def _type_in_body(qtbot, editor: TheoryEditor, text_: str) -> None:
    editor.body.setFocus()
    editor.body.moveCursor(editor.body.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor.body, text_)


def _banner(editor: TheoryEditor) -> str:
    return editor.live_banner.text() if editor.live_banner.isVisibleTo(editor) else ""


def test_someone_elses_edit_shows_a_banner_and_saving_still_asks(
    qtbot, window, store, theory, other: Journal, monkeypatch
) -> None:
    editor = _editor(qtbot, window, store, theory.id)
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.theories, ["get"], threads)
    _type_in_body(qtbot, editor, " Then she flees.")
    assert _banner(editor) == ""

    current = other.theories.get(theory.id)
    other.theories.edit(theory.id, replace(current.as_draft(), title="Mishi turns hero"))
    qtbot.waitUntil(lambda: _banner(editor) == CHANGED_ELSEWHERE, timeout=WITHIN_MS)
    assert threads and all(name != threading.main_thread().name for _call, name in threads)
    # Nothing typed is lost, nothing was taken from theirs, and the editor is still open.
    assert editor.body.toPlainText() == "She sabotages the gala. Then she flees."
    assert editor.title.text() == "Mishi turns villain"
    assert editor.isVisible() and editor.is_changed()

    # The banner is no dialog: the typing goes on; saving asks what to keep, as before.
    _type_in_body(qtbot, editor, " Fast.")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.conflict_dialog is not None and editor.conflict_dialog.isVisible())
    editor.conflict_dialog.keepMine.emit()
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=5000)
    saved = other.theories.get(theory.id)
    assert saved.body == "She sabotages the gala. Then she flees. Fast."


def test_a_change_to_another_theory_says_nothing(qtbot, window, store, theory, other: Journal) -> None:
    editor = _editor(qtbot, window, store, theory.id)
    write(other, "Someone else's theory")
    third = write(other, "And another")
    other.theories.set_tags(third.id, ["gala"])
    qtbot.wait(800)
    assert _banner(editor) == ""


def test_a_theory_moved_to_the_bin_or_deleted_is_said_so(
    qtbot, window, store, theory, other: Journal
) -> None:
    editor = _editor(qtbot, window, store, theory.id)
    _type_in_body(qtbot, editor, " Draft kept.")
    other.theories.delete(theory.id)
    qtbot.waitUntil(lambda: _banner(editor) == BINNED_ELSEWHERE, timeout=WITHIN_MS)

    with other.database.engine.begin() as conn:
        conn.execute(text("DELETE FROM theories WHERE id = :id"), {"id": theory.id})
    qtbot.waitUntil(lambda: _banner(editor) == DELETED_ELSEWHERE, timeout=WITHIN_MS)
    assert editor.body.toPlainText() == "She sabotages the gala. Draft kept."
    assert editor.isVisible()

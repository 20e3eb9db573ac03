"""Changes run on the writer thread: the window and the dialog that asked stay responsive,
the dialog keeps what was typed until the change is made, and undo acts in order."""

from __future__ import annotations

import threading
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from etoile_app.domain.enums import Category, FactStatus, Topic
from etoile_app.domain.models import DreamCastDraft, NewsDraft, TheoryDraft
from etoile_app.ui.board.editor import EditorData, TheoryEditor

from .conftest import closed, record_threads, settle, undo, wait


def _editor(qtbot, store) -> TheoryEditor:
    editor = TheoryEditor(store, EditorData.read(store.journal))
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    qtbot.keyClicks(editor.title, "Cheyenne runs the Met")
    editor.category.setCurrentIndex(editor.category.findData(Category.PLOT_ARC))
    return editor


def _theories(store):
    with store.journal.database.engine.connect() as conn:
        return list(conn.exec_driver_sql("SELECT title FROM theories"))


def test_changes_and_their_undo_run_on_the_writer_thread(qtbot, store, monkeypatch):
    threads: list[tuple[str, str]] = []
    record_threads(
        monkeypatch, store.theories, ["create", "delete", "restore", "snapshot", "resolve"], threads
    )
    record_threads(monkeypatch, store.canon, ["add_news", "retract_news"], threads)
    record_threads(monkeypatch, store.cast, ["add_dream_cast", "delete_dream_cast"], threads)
    theory = wait(store.create_theory(TheoryDraft("On the writer", confidence=60)))
    wait(store.resolve(theory.id, "busted", "no"))
    wait(store.delete_theory(theory.id))
    wait(
        store.add_news(NewsDraft(Topic.RENEWAL, "A rumour.", FactStatus.RUMOURED, "A blog", date(2026, 2, 1)))
    )
    wait(store.add_dream_cast(DreamCastDraft("Rival", "Someone")))
    for _ in range(5):
        undo(store)
    names = {name for name, _thread in threads}
    assert {"create", "delete", "restore", "resolve", "snapshot", "add_news", "retract_news"} <= names
    assert {"add_dream_cast", "delete_dream_cast"} <= names
    assert {thread for _name, thread in threads} == {"etoile-write_0"}


def test_a_slow_save_keeps_the_editor_open_with_its_text_until_it_is_made(qtbot, store, monkeypatch):
    gate, started = threading.Event(), threading.Event()
    create = store.theories.create

    def slow_create(*args, **kwargs):
        started.set()
        gate.wait(10)
        return create(*args, **kwargs)

    monkeypatch.setattr(store.theories, "create", slow_create)
    editor = _editor(qtbot, store)
    saved = []
    editor.saved.connect(saved.append)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert started.wait(5)
    # The save is under way: the window answers, the dialog stays with what was typed, a
    # second Save and Esc do nothing (Esc would otherwise offer to discard a draft being saved).
    assert editor.isVisible() and editor.title.text() == "Cheyenne runs the Met"
    assert editor.saving.busy() and not editor.buttons.isEnabled()
    qtbot.keyClick(editor.title, Qt.Key.Key_Escape)
    qtbot.keyClick(editor.title, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert editor.isVisible() and editor.discard_box is None
    qtbot.wait(editor.saving.BUSY_AFTER_MS + 50)
    assert editor.cursor().shape() == Qt.CursorShape.BusyCursor  # a long save says it is working
    gate.set()
    qtbot.waitUntil(lambda: closed(editor))
    assert [t.title for t in saved] == ["Cheyenne runs the Met"]
    assert [t.title for t in _theories(store)] == ["Cheyenne runs the Met"]  # saved once
    assert store.undo_stack.count() == 1


def test_a_bug_in_a_save_leaves_the_editor_usable_with_its_text(qtbot, store, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug in saving")

    monkeypatch.setattr(store.theories, "create", broken)
    editor = _editor(qtbot, store)
    with qtbot.capture_exceptions() as caught:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
        settle(store)
    # The bug went to the crash handler (the log and the crash dialog); the editor says no more.
    assert [str(exc) for _kind, exc, _tb in caught] == ["a bug in saving"]
    assert editor.isVisible() and editor.title.text() == "Cheyenne runs the Met"
    assert not editor.saving.busy() and editor.buttons.isEnabled() and editor.save_button.isEnabled()
    assert not [b for b in editor.findChildren(QMessageBox) if b.isVisible()]
    assert _theories(store) == []

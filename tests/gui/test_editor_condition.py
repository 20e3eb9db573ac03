"""A theory's condition in the editor: picked by title from the other theories (read off the GUI
thread), shown with its status, cleared, and a loop refused by the journal said at the field."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.models import TheoryDraft, TheoryRef
from etoile_app.ui.board.condition_edit import labels
from etoile_app.ui.board.editor import EditorData, TheoryEditor
from etoile_app.ui.board.tab import BoardTab

from .conftest import board_dialog, closed, record_threads, settle, wait

RETURNS = "Étoile returns for a second season"


@pytest.fixture
def theories(store):
    """A condition, a theory that depends on it, and one that stands alone."""
    returns = wait(
        store.create_theory(TheoryDraft(RETURNS, category=Category.RELEASE_PRODUCTION, confidence=15))
    )
    paris = wait(
        store.create_theory(
            TheoryDraft("Cheyenne goes back to Paris", category=Category.PLOT_ARC, condition_id=returns.id)
        )
    )
    alone = wait(store.create_theory(TheoryDraft("Jack retires", category=Category.PLOT_ARC)))
    return returns, paris, alone


@pytest.fixture
def open_editor(qtbot, store):
    def make(theory_id: int | None = None) -> TheoryEditor:
        editor = TheoryEditor(store, EditorData.read(store.journal, theory_id))
        qtbot.addWidget(editor)
        editor.open()
        qtbot.waitExposed(editor)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and editor.isActiveWindow())
        return editor

    return make


def _boxes(editor: TheoryEditor) -> list[QMessageBox]:
    return [b for b in editor.findChildren(QMessageBox) if b.isVisible()]


def _go_to_condition(qtbot, editor: TheoryEditor) -> None:
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is editor.condition.entry


def test_the_other_theories_are_read_with_the_editor_off_the_gui_thread(qtbot, store, monkeypatch, theories):
    _returns, paris, _alone = theories
    tab = BoardTab(store)
    qtbot.addWidget(tab)
    tab.show()
    settle(store)
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.board, ["titles"], threads)
    tab.edit_theory(paris.id)
    editor = board_dialog(tab)
    assert {call for call, _thread in threads} == {"titles"}
    assert all(thread.startswith("etoile-read") for _call, thread in threads), threads
    offered = editor.condition.completer.model().stringList()
    assert sorted(offered) == sorted([RETURNS, "Jack retires"])  # never the theory itself
    assert editor.condition.entry.text() == RETURNS  # its condition, shown
    editor.reject()


def test_a_condition_is_picked_by_its_title_from_the_keyboard(qtbot, store, open_editor, theories):
    returns, _paris, alone = theories
    editor = open_editor(alone.id)
    assert not editor.condition.badge.isVisible()
    _go_to_condition(qtbot, editor)
    qtbot.keyClicks(editor.condition.entry, "second sea")
    popup = editor.condition.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not popup.isVisible())
    assert editor.condition.entry.text() == RETURNS
    assert editor.isVisible()  # Enter picked the title; it did not save
    assert editor.condition.badge.isVisible() and editor.condition.badge.status is TheoryStatus.OPEN
    assert "voided with it" in editor.condition.meaning.text()
    assert editor.is_changed() and editor.save_button.isEnabled()
    qtbot.keyClick(editor.condition.entry, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: closed(editor))
    saved = store.theories.get(alone.id)
    assert saved.condition is not None and saved.condition.id == returns.id


def test_enter_on_part_of_one_title_takes_it_and_saves_nothing(
    qtbot, open_editor, journal, db_snapshot, theories
):
    _returns, _paris, alone = theories
    before = db_snapshot(journal)
    editor = open_editor(alone.id)
    _go_to_condition(qtbot, editor)
    editor.condition.entry.setText("RETURNS")  # one title holds it
    qtbot.keyClick(editor.condition.entry, Qt.Key.Key_Return)
    assert editor.condition.entry.text() == RETURNS
    assert editor.save_button.isEnabled()
    qtbot.keyClick(editor.condition.entry, Qt.Key.Key_Return)  # again, with Save ready
    qtbot.wait(50)
    assert editor.isVisible() and db_snapshot(journal) == before


def test_a_title_that_names_no_theory_is_said_and_saves_nothing(
    qtbot, open_editor, journal, db_snapshot, theories
):
    _returns, _paris, alone = theories
    before = db_snapshot(journal)
    editor = open_editor(alone.id)
    _go_to_condition(qtbot, editor)
    qtbot.keyClicks(editor.condition.entry, "Nothing like it")
    assert not editor.save_button.isEnabled()
    assert not editor.condition.error.isVisible()  # not while it is being typed
    qtbot.keyClick(editor.condition.entry, Qt.Key.Key_Return)
    assert editor.condition.error.isVisible()
    assert "No theory is called “Nothing like it”" in editor.condition.error.text()
    qtbot.keyClick(editor.condition.entry, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(50)
    assert editor.isVisible() and db_snapshot(journal) == before


def test_clearing_the_condition_makes_the_theory_depend_on_nothing(qtbot, store, open_editor, theories):
    _returns, paris, _alone = theories
    editor = open_editor(paris.id)
    assert editor.condition.entry.text() == RETURNS and editor.condition.clear_button.isEnabled()
    _go_to_condition(qtbot, editor)
    qtbot.keyClick(editor.condition.entry, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.condition.clear_button
    qtbot.keyClick(editor.condition.clear_button, Qt.Key.Key_Space)
    assert editor.condition.entry.text() == "" and not editor.condition.badge.isVisible()
    assert QApplication.focusWidget() is editor.condition.entry
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closed(editor))
    assert store.theories.get(paris.id).condition is None


def test_the_condition_shows_its_status(qtbot, store, open_editor, theories):
    returns, paris, _alone = theories
    wait(store.resolve(returns.id, TheoryStatus.CONFIRMED, "It came back"))
    editor = open_editor(paris.id)
    assert editor.condition.badge.status is TheoryStatus.CONFIRMED
    assert editor.condition.meaning.text() == "It came true: this theory stays open and counts."


def test_a_loop_refused_by_the_journal_is_said_at_the_condition(
    qtbot, store, open_editor, journal, db_snapshot, theories
):
    returns, paris, _alone = theories
    before = db_snapshot(journal)
    editor = open_editor(returns.id)  # "Cheyenne goes back to Paris" depends on it already
    editor.title.setText(RETURNS + ", soon")
    _go_to_condition(qtbot, editor)
    qtbot.keyClicks(editor.condition.entry, paris.title)
    assert editor.save_button.isEnabled()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(editor.condition.error.isVisible)
    assert "cannot be a condition of its own condition" in editor.condition.error.text()
    assert not _boxes(editor)  # at the field, not in a message box
    assert editor.isVisible() and not closed(editor)
    assert editor.title.text() == RETURNS + ", soon" and editor.condition.entry.text() == paris.title
    assert QApplication.focusWidget() is editor.condition.entry
    assert db_snapshot(journal) == before

    # Another choice takes the message away and saves.
    editor.condition.entry.setText("Jack retires")
    assert not editor.condition.error.isVisible()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closed(editor))
    assert store.theories.get(returns.id).condition.title == "Jack retires"


def test_another_refusal_still_comes_as_a_message(qtbot, store, open_editor, theories, monkeypatch):
    from etoile_app.domain.errors import InvalidStateError

    _returns, paris, _alone = theories
    editor = open_editor(paris.id)  # its condition is unchanged: a refusal is not about it

    def refuse(*_args, **_kwargs):
        raise InvalidStateError("The journal is busy: try again in a moment.")

    monkeypatch.setattr(store.theories, "edit", refuse)
    editor.title.setText("Cheyenne goes back to Paris for good")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(_boxes(editor)) == 1)
    assert _boxes(editor)[0].text() == "The journal is busy: try again in a moment."
    assert not editor.condition.error.isVisible()


def test_theories_that_share_a_title_are_told_apart():
    refs = [
        TheoryRef(1, "A time jump", TheoryStatus.OPEN),
        TheoryRef(2, "A time jump", TheoryStatus.BUSTED),
        TheoryRef(3, "Mishi's villain turn", TheoryStatus.OPEN),
    ]
    by_label = labels(refs)
    assert by_label == {
        "A time jump (1 of 2, open)": refs[0],
        "A time jump (2 of 2, busted)": refs[1],
        "Mishi's villain turn": refs[2],
    }

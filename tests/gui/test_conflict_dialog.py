"""Two members edit one theory: the editor's save, refused because the other saved first, asks
what to do, and each answer does what it says; Esc keeps what was typed."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QGroupBox, QRadioButton

from etoile_app.domain.enums import Category
from etoile_app.domain.models import Theory, TheoryDraft
from etoile_app.services.journal import Journal
from etoile_app.ui.board.conflict_dialog import MINE, THEIRS, ConflictDialog
from etoile_app.ui.board.editor import EditorData, TheoryEditor

from .conftest import closed, undo

CTRL, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier
STALE = "This theory was changed by someone else while you were editing it."


@pytest.fixture
def theory(store, clock) -> Theory:
    made = store.theories.create(
        TheoryDraft(
            "Mishi turns villain",
            body="She sabotages the gala.",
            category=Category.VILLAIN_ARC,
            tags=("gala",),
            confidence=40,
        )
    )
    clock.advance(minutes=5)
    return made


def _editor(qtbot, store, theory_id: int) -> TheoryEditor:
    """The editor opened as the board opens it (window-modal), once it has the keyboard."""
    editor = TheoryEditor(store, EditorData.read(store.journal, theory_id))
    qtbot.addWidget(editor)
    editor.open()
    qtbot.waitExposed(editor)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and editor.isActiveWindow())
    return editor


def _theirs(other: Journal, theory: Theory, clock, **fields) -> Theory:
    clock.advance(minutes=1)
    current = other.theories.get(theory.id)
    return other.theories.edit(theory.id, replace(current.as_draft(), **fields))


def _save_and_see_the_conflict(qtbot, editor: TheoryEditor) -> ConflictDialog:
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.conflict_dialog is not None and editor.conflict_dialog.isVisible())
    dialog = editor.conflict_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def _type_in_body(qtbot, editor: TheoryEditor, text: str) -> None:
    editor.body.setFocus()
    editor.body.moveCursor(editor.body.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor.body, text)


def test_a_save_over_someone_elses_change_asks_and_writes_nothing(
    qtbot, store, other, theory, clock, db_snapshot
):
    editor = _editor(qtbot, store, theory.id)
    _type_in_body(qtbot, editor, " Then she flees.")
    theirs = _theirs(other, theory, clock, title="Mishi turns hero")
    before = db_snapshot(other)

    dialog = _save_and_see_the_conflict(qtbot, editor)

    assert dialog.message.text() == STALE
    assert "They changed: title." in dialog.summary.text()
    assert db_snapshot(other) == before
    assert editor.isVisible() and editor.body.toPlainText().endswith("Then she flees.")
    assert dialog.theirs == theirs
    # A sensible size: everything fits without being a wall.
    assert 500 <= dialog.width() <= 1000 and 200 <= dialog.height() <= 800


def test_esc_goes_back_to_the_editor_with_what_was_typed(qtbot, store, other, theory, clock, db_snapshot):
    editor = _editor(qtbot, store, theory.id)
    _type_in_body(qtbot, editor, " Mine.")
    qtbot.keyClicks(editor.title, " (draft)")
    _theirs(other, theory, clock, body="Theirs.")
    before = db_snapshot(other)
    dialog = _save_and_see_the_conflict(qtbot, editor)

    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Escape)

    qtbot.waitUntil(lambda: closed(dialog))
    assert editor.isVisible() and editor.conflict_dialog is None
    assert editor.title.text() == "Mishi turns villain (draft)"
    assert editor.body.toPlainText() == "She sabotages the gala. Mine."
    assert editor.is_changed()
    assert db_snapshot(other) == before
    # Saving again asks again: nothing was decided.
    again = _save_and_see_the_conflict(qtbot, editor)
    assert again is not dialog
    qtbot.keyClick(QApplication.focusWidget() or again, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: closed(again))


def test_see_theirs_drops_my_changes_and_shows_theirs(qtbot, store, other, theory, clock):
    editor = _editor(qtbot, store, theory.id)
    _type_in_body(qtbot, editor, " Mine.")
    theirs = _theirs(other, theory, clock, title="Mishi turns hero", tags=("gala", "hero"), juiciness=4)
    dialog = _save_and_see_the_conflict(qtbot, editor)

    qtbot.keyClick(dialog, Qt.Key.Key_S, ALT)  # See theirs

    qtbot.waitUntil(lambda: closed(dialog))
    assert editor.isVisible()
    assert editor.title.text() == "Mishi turns hero"
    assert editor.body.toPlainText() == "She sabotages the gala."
    assert sorted(editor.tags.tags()) == ["gala", "hero"]
    assert editor.juiciness.value() == 4
    assert not editor.is_changed()  # closing asks nothing
    assert store.theories.get(theory.id) == theirs
    # An edit from here saves against their version.
    qtbot.keyClicks(editor.title, "!")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closed(editor))
    assert store.theories.get(theory.id).title == "Mishi turns hero!"


def test_keep_mine_saves_mine_over_theirs_and_undo_brings_theirs_back(qtbot, store, other, theory, clock):
    editor = _editor(qtbot, store, theory.id)
    _type_in_body(qtbot, editor, " Mine.")
    theirs = _theirs(other, theory, clock, title="Mishi turns hero")
    dialog = _save_and_see_the_conflict(qtbot, editor)

    qtbot.mouseClick(dialog.keep_mine_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: closed(editor))
    saved = other.theories.get(theory.id)
    assert (saved.title, saved.body) == ("Mishi turns villain", "She sabotages the gala. Mine.")
    assert saved.version > theirs.version
    undo(store)
    back = other.theories.get(theory.id)
    assert back == theirs and back.version > saved.version  # versions only ever go up


def test_keep_mine_is_refused_again_when_they_changed_it_yet_again(qtbot, store, other, theory, clock):
    editor = _editor(qtbot, store, theory.id)
    _type_in_body(qtbot, editor, " Mine.")
    _theirs(other, theory, clock, title="Mishi turns hero")
    dialog = _save_and_see_the_conflict(qtbot, editor)
    again = _theirs(other, theory, clock, title="Mishi turns hero, twice")

    qtbot.mouseClick(dialog.keep_mine_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: editor.conflict_dialog is not None and editor.conflict_dialog is not dialog)
    second = editor.conflict_dialog
    assert second.theirs == again
    assert other.theories.get(theory.id) == again
    assert editor.body.toPlainText() == "She sabotages the gala. Mine."
    qtbot.mouseClick(second.keep_mine_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closed(editor))
    assert other.theories.get(theory.id).title == "Mishi turns villain"


def test_merge_by_field_preselects_who_changed_what_and_saves_the_choice(qtbot, store, other, theory, clock):
    editor = _editor(qtbot, store, theory.id)
    _type_in_body(qtbot, editor, " Mine.")
    editor.juiciness.setValue(2)
    editor.tags.set_tags(["gala", "mine"])
    _theirs(other, theory, clock, title="Mishi turns hero", tags=("gala", "theirs"), confidence=70)
    dialog = _save_and_see_the_conflict(qtbot, editor)
    # The three choices sit in a compact window; the merge page gets the room it needs.
    choices_height = dialog.height()
    assert choices_height <= dialog.pages.widget(0).sizeHint().height() + 60

    qtbot.keyClick(dialog, Qt.Key.Key_M, ALT)  # Merge by field… (a mnemonic clicks after a moment)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1)
    assert dialog.height() > choices_height
    assert set(dialog.choices) == {"title", "body", "tags", "forecast", "juiciness"}
    # Only they changed the title and the confidence, only I the body and the juiciness; both the tags.
    assert [dialog.choice(k) for k in ("title", "forecast", "body", "juiciness", "tags")] == [
        THEIRS,
        THEIRS,
        MINE,
        MINE,
        MINE,
    ]
    boxes = [box.title() for box in dialog.findChildren(QGroupBox)]
    assert "Tags — changed by both of you" in boxes and "Title — changed by them" in boxes

    # From the keyboard: the focus is on the first field's choice; Tab goes field by field
    # (title, category…, in form order: title, tags, confidence, juiciness, body) and the arrows choose.
    focused = QApplication.focusWidget()
    assert isinstance(focused, QRadioButton) and focused in dialog.choices["title"]
    qtbot.keyClick(focused, Qt.Key.Key_Tab)  # → tags
    assert QApplication.focusWidget() in dialog.choices["tags"]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)  # tags: take theirs
    assert dialog.choice("tags") == THEIRS
    dialog.choose("juiciness", THEIRS)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # Save merged

    qtbot.waitUntil(lambda: closed(editor))
    saved = other.theories.get(theory.id)
    assert saved.title == "Mishi turns hero"
    assert saved.body == "She sabotages the gala. Mine."
    assert saved.tags == ("gala", "theirs")
    assert saved.confidence == 70
    assert saved.juiciness is None


def test_the_conflict_dialog_choices_work_from_the_keyboard(qtbot, store, other, theory, clock):
    editor = _editor(qtbot, store, theory.id)
    _type_in_body(qtbot, editor, " Mine.")
    _theirs(other, theory, clock, title="Mishi turns hero")
    dialog = _save_and_see_the_conflict(qtbot, editor)
    # Merge is where the focus starts, and Enter opens it; Alt+O goes back.
    assert QApplication.focusWidget() is dialog.merge_button
    qtbot.keyClick(dialog.merge_button, Qt.Key.Key_Space)
    assert dialog.pages.currentIndex() == 1
    qtbot.keyClick(dialog, Qt.Key.Key_O, ALT)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 0)
    qtbot.keyClick(dialog, Qt.Key.Key_K, ALT)  # Keep mine
    qtbot.waitUntil(lambda: closed(editor))
    assert other.theories.get(theory.id).title == "Mishi turns villain"

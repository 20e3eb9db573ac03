"""The theory editor driven from the keyboard: nothing typed is lost, every key does what it says."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from etoile_app.domain.enums import Category, Stance
from etoile_app.domain.models import EvidenceDraft, TheoryDraft
from etoile_app.ui.board.editor import EditorData, TheoryEditor
from etoile_app.ui.common.roles import ID_ROLE
from etoile_app.ui.main_window import MainWindow

from .conftest import board_dialog, closed, wait

CTRL = Qt.KeyboardModifier.ControlModifier


class Opener:
    """Opens editors as the board does (window-modal, ``open()``), and keeps what they save."""

    def __init__(self, qtbot, store) -> None:
        self.qtbot, self.store = qtbot, store
        self.saved: list = []

    def new_theory(self) -> TheoryEditor:
        return self._open(TheoryEditor(self.store, EditorData.read(self.store.journal)))

    def edit_theory(self, theory_id: int) -> TheoryEditor:
        return self._open(TheoryEditor(self.store, EditorData.read(self.store.journal, theory_id)))

    def _open(self, editor: TheoryEditor) -> TheoryEditor:
        self.qtbot.addWidget(editor)
        editor.saved.connect(self.saved.append)
        editor.open()
        return editor

    def current_id(self) -> int:
        return self.saved[-1].id


@pytest.fixture
def board(qtbot, store) -> Opener:
    return Opener(qtbot, store)


def _opened(qtbot, editor: TheoryEditor) -> TheoryEditor:
    qtbot.waitExposed(editor)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and editor.isActiveWindow())
    return editor


def _type(qtbot, text: str) -> None:
    """Type where the keyboard focus is, as a person would."""
    qtbot.keyClicks(QApplication.focusWidget(), text)


def _press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def _boxes(editor: TheoryEditor) -> list[QMessageBox]:
    return [b for b in editor.findChildren(QMessageBox) if b.isVisible()]


def _button(box: QMessageBox, text: str):
    (button,) = [b for b in box.buttons() if b.text().replace("&", "") == text]
    return button


def _choose_category(qtbot, editor: TheoryEditor, first_letters: str) -> None:
    editor.category.setFocus()
    qtbot.keyClicks(editor.category, first_letters)


def _pick_fact(qtbot, editor: TheoryEditor, words: str) -> None:
    qtbot.keyClick(editor.tabs.tabBar(), Qt.Key.Key_Right)  # Theory → Evidence
    assert editor.tabs.currentIndex() == 1
    qtbot.keyClicks(editor.fact_search, words)
    assert editor.fact_list.count() == 1
    rect = editor.fact_list.visualItemRect(editor.fact_list.item(0))
    qtbot.mouseClick(editor.fact_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert editor.fact_list.currentRow() == 0


# --- 1. Enter in the evidence note adds the evidence ------------------------------------------


def test_enter_in_the_evidence_note_adds_the_evidence_and_saves_nothing(qtbot, board, journal, db_snapshot):
    before = db_snapshot(journal)
    editor = _opened(qtbot, board.new_theory())
    _type(qtbot, "Mishi moves to New York")
    _choose_category(qtbot, editor, "Plot")
    _pick_fact(qtbot, editor, "london")
    qtbot.keyClicks(editor.evidence_note, "the London scouting")
    qtbot.keyClick(editor.evidence_note, Qt.Key.Key_Return)

    assert editor.isVisible()
    assert db_snapshot(journal) == before
    fact_id = editor.fact_list.item(0).data(ID_ROLE)
    assert editor.evidence_drafts() == (EvidenceDraft(fact_id, Stance.SUPPORTS, "the London scouting"),)
    assert editor.evidence_note.text() == ""
    assert editor.tabs.tabText(1) == "Evidence (1)"


def test_evidence_from_the_keyboard_alone(qtbot, board, journal, db_snapshot):
    before = db_snapshot(journal)
    editor = _opened(qtbot, board.new_theory())
    _type(qtbot, "Mishi moves to New York")
    _press(qtbot, Qt.Key.Key_Tab)
    _type(qtbot, "Plot")  # the category, by its first letters
    _press(qtbot, Qt.Key.Key_Backtab)  # back to the title, and on back to the tab bar
    _press(qtbot, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is editor.tabs.tabBar()
    _press(qtbot, Qt.Key.Key_Right)
    _press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.fact_search
    _type(qtbot, "london")
    _press(qtbot, Qt.Key.Key_Return)  # Enter in the search: on to the first fact
    assert QApplication.focusWidget() is editor.fact_list and editor.fact_list.currentRow() == 0
    _press(qtbot, Qt.Key.Key_Return)  # Enter on a fact: on to its stance
    assert QApplication.focusWidget() is editor.stance
    _press(qtbot, Qt.Key.Key_Tab)
    _type(qtbot, "scouting")
    _press(qtbot, Qt.Key.Key_Return)
    assert [(d.stance, d.note) for d in editor.evidence_drafts()] == [(Stance.SUPPORTS, "scouting")]
    assert editor.isVisible() and db_snapshot(journal) == before
    _press(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: closed(editor))
    saved = journal.theories.get(board.current_id())
    assert saved.category is Category.PLOT_ARC
    assert [(e.stance, e.note) for e in saved.evidence] == [(Stance.SUPPORTS, "scouting")]


def test_enter_in_the_evidence_note_without_a_fact_says_so(qtbot, board, journal, db_snapshot):
    before = db_snapshot(journal)
    editor = _opened(qtbot, board.new_theory())
    _type(qtbot, "A theory")
    _choose_category(qtbot, editor, "Plot")
    qtbot.keyClick(editor.tabs.tabBar(), Qt.Key.Key_Right)
    qtbot.keyClicks(editor.evidence_note, "a note")
    qtbot.keyClick(editor.evidence_note, Qt.Key.Key_Return)
    assert editor.isVisible() and db_snapshot(journal) == before
    assert editor.evidence_drafts() == ()
    assert editor.evidence_note.text() == "a note"  # kept, not dropped
    assert editor.evidence_error.isVisible() and "fact" in editor.evidence_error.text().lower()


# --- 2. A changed draft is never thrown away without asking -----------------------------------


@pytest.mark.parametrize("how", ["escape", "cancel", "close"])
def test_a_changed_draft_asks_before_it_is_discarded(qtbot, board, journal, db_snapshot, how):
    before = db_snapshot(journal)
    editor = _opened(qtbot, board.new_theory())
    _type(qtbot, "Cheyenne takes the company")

    def leave():
        if how == "escape":
            _press(qtbot, Qt.Key.Key_Escape)
        elif how == "cancel":
            qtbot.mouseClick(
                editor.buttons.button(editor.buttons.StandardButton.Cancel), Qt.MouseButton.LeftButton
            )
        else:
            editor.close()

    leave()
    qtbot.waitUntil(lambda: len(_boxes(editor)) == 1)
    (box,) = _boxes(editor)
    assert box.text() == "Discard your changes to “Cheyenne takes the company”?"
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert box.defaultButton() is _button(box, "Keep editing")
    qtbot.mouseClick(_button(box, "Keep editing"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not _boxes(editor))
    assert editor.isVisible() and editor.title.text() == "Cheyenne takes the company"

    leave()
    qtbot.waitUntil(lambda: len(_boxes(editor)) == 1)
    (box,) = _boxes(editor)
    qtbot.mouseClick(_button(box, "Discard"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closed(editor))
    assert db_snapshot(journal) == before


def test_enter_on_the_question_keeps_editing(qtbot, board):
    editor = _opened(qtbot, board.new_theory())
    _type(qtbot, "Kept")
    _press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: len(_boxes(editor)) == 1)
    qtbot.waitUntil(lambda: _boxes(editor)[0].isActiveWindow())
    _press(qtbot, Qt.Key.Key_Return)  # the default answer
    qtbot.waitUntil(lambda: not _boxes(editor))
    assert editor.isVisible() and editor.title.text() == "Kept"


def test_an_unchanged_editor_closes_at_once(qtbot, board, store, journal):
    editor = _opened(qtbot, board.new_theory())
    _press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: closed(editor))
    assert not _boxes(editor)

    fact = journal.canon.facts()[0]
    theory = wait(
        store.create_theory(
            TheoryDraft(
                "Everything filled in",
                "A body",
                Category.CASTING,
                (journal.cast.characters()[0].id,),
                ("a-tag", "b-tag"),
                70,
                4,
                evidence=(EvidenceDraft(fact.id, Stance.CONTRADICTS, "a note"),),
            )
        )
    )
    editor = _opened(qtbot, board.edit_theory(theory.id))
    _press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: closed(editor))


def test_an_edit_that_changes_only_the_evidence_asks(qtbot, board, store):
    theory = wait(store.create_theory(TheoryDraft("A theory", category=Category.PLOT_ARC)))
    editor = _opened(qtbot, board.edit_theory(theory.id))
    _pick_fact(qtbot, editor, "london")
    qtbot.mouseClick(editor.add_evidence_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.buttons.button(editor.buttons.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(_boxes(editor)) == 1)
    assert _boxes(editor)[0].text() == "Discard your changes to “A theory”?"


# --- 3. The title has the focus when the editor opens -----------------------------------------


def test_ctrl_n_puts_the_typing_in_the_title(qtbot, store, settings):
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.attach(store, Path("/tmp/journal.sqlite3"))
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    editor = board_dialog(window.board_tab)
    assert isinstance(editor, TheoryEditor)
    _opened(qtbot, editor)
    assert QApplication.focusWidget() is editor.title
    _type(qtbot, "Typed at once")
    assert editor.title.text() == "Typed at once"


def test_editing_a_theory_starts_in_the_title(qtbot, board, store):
    theory = wait(store.create_theory(TheoryDraft("Old title", category=Category.ROMANCE)))
    editor = _opened(qtbot, board.edit_theory(theory.id))
    assert QApplication.focusWidget() is editor.title


# --- 4. Tab moves between fields ---------------------------------------------------------------


def test_tab_walks_the_fields_in_order_and_never_types_a_tab(qtbot, board):
    editor = _opened(qtbot, board.new_theory())
    _type(qtbot, "A title")
    editor.tags.entry.setFocus()
    qtbot.keyClicks(editor.tags.entry, "one,two,")  # two chips
    qtbot.waitUntil(lambda: all(chip.isVisible() for chip in editor.tags._chips.values()))
    qtbot.keyClick(editor.has_resolve_by, Qt.Key.Key_Space)
    editor.title.setFocus()
    qtbot.waitUntil(editor.title.hasFocus)

    seen = [QApplication.focusWidget()]
    for _ in range(20):
        _press(qtbot, Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
        if seen[-1] is editor.title:
            break
    chips = [editor.tags._chips[name] for name in ("one", "two")]
    cancel = editor.buttons.button(editor.buttons.StandardButton.Cancel)
    expected = [
        editor.title,
        editor.category,
        editor.characters,
        editor.tags.entry,
        *chips,
        editor.kind_yes_no,  # the checked one of the two kinds; the arrows choose the other
        editor.confidence.slider,
        editor.confidence.spin,
        editor.juiciness,
        editor.has_resolve_by,
        editor.resolve_by,
        editor.condition.entry,  # its Clear button waits for something to clear
        editor.body,
    ]
    names = [f"{type(w).__name__}:{w.accessibleName()}" for w in seen]
    assert seen[: len(expected)] == expected, "\n".join(names)
    assert seen[len(expected)] in (editor.save_button, cancel)
    assert seen[-1] is editor.title  # round again, through the tab bar

    editor.body.setFocus()
    qtbot.waitUntil(editor.body.hasFocus)
    qtbot.keyClicks(editor.body, "line")
    _press(qtbot, Qt.Key.Key_Tab)
    assert "\t" not in editor.body.toPlainText()
    assert not editor.body.hasFocus()
    _press(qtbot, Qt.Key.Key_Backtab)
    assert editor.body.hasFocus()


def test_the_why_note_follows_the_confidence_in_the_tab_order(qtbot, board, store):
    theory = wait(store.create_theory(TheoryDraft("A theory", category=Category.ROMANCE, confidence=40)))
    editor = _opened(qtbot, board.edit_theory(theory.id))
    editor.confidence.spin.setFocus()
    qtbot.waitUntil(editor.confidence.spin.hasFocus)
    _press(qtbot, Qt.Key.Key_Up)
    assert editor.confidence_note.isVisible()
    _press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.confidence_note
    _press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.juiciness


# --- 5. Ctrl+S saves -------------------------------------------------------------------------------


def test_ctrl_s_saves_like_the_save_button(qtbot, board, journal):
    editor = _opened(qtbot, board.new_theory())
    _type(qtbot, "Saved with the keyboard")
    _choose_category(qtbot, editor, "Cast")
    editor.body.setFocus()
    qtbot.keyClicks(editor.body, "From the body")
    qtbot.keyClick(editor.body, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: closed(editor))
    assert not _boxes(editor)
    saved = journal.theories.get(board.current_id())
    assert (saved.title, saved.body, saved.category) == (
        "Saved with the keyboard",
        "From the body",
        Category.CASTING,
    )


def test_ctrl_s_on_an_invalid_draft_says_why_and_writes_nothing(qtbot, board, journal, db_snapshot):
    before = db_snapshot(journal)
    editor = _opened(qtbot, board.new_theory())
    _press(qtbot, Qt.Key.Key_S, CTRL)
    assert editor.isVisible()
    assert editor.title_error.isVisible()
    assert db_snapshot(journal) == before


# --- 6. "Resolve by", not "Deadline" --------------------------------------------------------------


def test_the_resolve_by_field_is_called_resolve_by(qtbot, board):
    editor = _opened(qtbot, board.new_theory())
    labels = [label.text().replace("&", "") for label in editor.findChildren(QLabel)]
    assert "Deadline" not in labels
    assert "Resolve by" in labels
    assert not editor.resolve_by.isEnabled()
    _press(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)  # its mnemonic ticks the box
    assert QApplication.focusWidget() is editor.has_resolve_by
    qtbot.waitUntil(editor.resolve_by.isEnabled)


# --- 7. No category until one is chosen ----------------------------------------------------------


def test_a_new_theory_has_no_category_until_one_is_chosen(qtbot, board, journal, db_snapshot):
    before = db_snapshot(journal)
    editor = _opened(qtbot, board.new_theory())
    assert editor.category.currentIndex() == -1
    assert editor.category.placeholderText() == "Choose a category…"
    assert not editor.category_error.isVisible()  # not nagging before anything is typed

    _type(qtbot, "A title")
    assert not editor.save_button.isEnabled()
    assert editor.category_error.isVisible() and "category" in editor.category_error.text().lower()
    _press(qtbot, Qt.Key.Key_S, CTRL)
    assert editor.isVisible() and db_snapshot(journal) == before

    _choose_category(qtbot, editor, "Villain")
    assert editor.category.currentData() == Category.VILLAIN_ARC
    assert not editor.category_error.isVisible()
    assert editor.save_button.isEnabled()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closed(editor))
    assert journal.theories.get(board.current_id()).category is Category.VILLAIN_ARC


# --- long titles ------------------------------------------------------------------------------------


def test_a_long_title_is_elided_in_the_middle_of_the_window_title(qtbot, board, store):
    title = "Begins here " + "and goes on " * 14 + "ends here"
    assert len(title) < 200
    theory = wait(store.create_theory(TheoryDraft(title, category=Category.OTHER)))
    editor = _opened(qtbot, board.edit_theory(theory.id))
    shown = editor.windowTitle()
    assert len(shown) < 100
    assert "Begins here" in shown and "ends here" in shown and "…" in shown


def test_quitting_with_a_changed_draft_open_asks_and_keeps_it(qtbot, store, settings, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from etoile_app.ui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.attach(store, tmp_path / "journal.sqlite3")
    window.board_tab.new_theory()
    editor = board_dialog(window.board_tab)
    qtbot.waitExposed(editor)
    qtbot.keyClicks(editor.title, "Cheyenne stays in New York")

    window.quit_action.trigger()

    assert window.isVisible(), "quitting went on and dropped the draft"
    assert editor.isVisible() and editor.title.text() == "Cheyenne stays in New York"
    asked = editor.discard_box
    assert asked is not None and asked.isVisible()
    keep = next(b for b in asked.buttons() if asked.buttonRole(b) == QMessageBox.ButtonRole.RejectRole)
    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    assert editor.isVisible()

    # Discarding lets the next quit go on.
    window.quit_action.trigger()
    discard = next(
        b
        for b in editor.discard_box.buttons()
        if editor.discard_box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
    )
    qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closed(editor))
    window.quit_action.trigger()
    qtbot.waitUntil(lambda: not window.isVisible())


def test_quitting_with_an_unchanged_editor_open_just_quits(qtbot, store, settings, tmp_path):
    from etoile_app.ui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.attach(store, tmp_path / "journal.sqlite3")
    window.board_tab.new_theory()
    editor = board_dialog(window.board_tab)
    qtbot.waitExposed(editor)
    window.quit_action.trigger()
    qtbot.waitUntil(lambda: not window.isVisible())

"""The Resolve dialog from the keyboard alone: a chosen outcome, arrows that change it, Enter
that resolves, and a note field where Tab moves on and Enter does not add a line."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.models import DreamCastDraft, TheoryDraft
from etoile_app.ui.board.resolve_dialog import ResolveDialog
from etoile_app.ui.cast.models import ID_ROLE
from etoile_app.ui.cast.tab import CastTab
from etoile_app.ui.main_window import BOARD, BOARD_ACTIONS, TAB_NAMES, MainWindow

from .conftest import board_dialog, settle, wait


@pytest.fixture
def theory(store):
    return wait(store.create_theory(TheoryDraft("Cheyenne dances Giselle", confidence=60)))


@pytest.fixture
def dialog(qtbot, store, theory):
    d = ResolveDialog(store, theory)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    d.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    return d


def test_an_outcome_is_chosen_from_the_start_and_has_the_focus(dialog):
    assert dialog.status() is TheoryStatus.CONFIRMED
    assert QApplication.focusWidget() is dialog.choices[TheoryStatus.CONFIRMED]
    assert dialog.ok_button.isEnabled() and dialog.ok_button.isDefault()


def test_arrow_keys_change_the_outcome_not_only_the_focus(qtbot, dialog):
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    assert dialog.status() is TheoryStatus.BUSTED
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    assert dialog.status() is TheoryStatus.VOID
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up)
    assert dialog.status() is TheoryStatus.BUSTED
    assert sum(b.isChecked() for b in dialog.choices.values()) == 1


def test_enter_resolves_with_the_chosen_outcome(qtbot, dialog, journal, theory):
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert journal.theories.get(theory.id).status is TheoryStatus.BUSTED


def test_enter_with_no_outcome_says_why_at_the_field(qtbot, dialog, journal, theory):
    dialog.group.setExclusive(False)
    for button in dialog.choices.values():
        button.setChecked(False)
    dialog.group.setExclusive(True)
    assert dialog.status() is None
    qtbot.keyClick(dialog.ok_button, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.status_error.isVisible()
    assert "Choose an outcome" in dialog.status_error.text()
    assert journal.theories.get(theory.id).status is TheoryStatus.OPEN
    dialog.choices[TheoryStatus.VOID].setChecked(True)
    assert not dialog.status_error.isVisible()


def test_tab_in_the_note_moves_focus_and_enter_there_resolves(qtbot, dialog, journal, theory):
    dialog.note.setFocus()
    qtbot.waitUntil(dialog.note.hasFocus)
    qtbot.keyClicks(dialog.note, "Episode 3")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Tab)
    assert "\t" not in dialog.note.toPlainText()
    assert not dialog.note.hasFocus()

    dialog.note.setFocus()
    qtbot.waitUntil(dialog.note.hasFocus)
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(dialog.note, "of the revival")
    assert dialog.note.toPlainText() == "Episode 3\nof the revival"
    assert dialog.isVisible()

    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    saved = journal.theories.get(theory.id)
    assert saved.status is TheoryStatus.CONFIRMED
    assert saved.resolution_note == "Episode 3\nof the revival"


# --- the main window: tabs from the keyboard, a toolbar, an Edit menu named by the undo stack ---


@pytest.fixture
def window(qtbot, store, settings):
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.attach(store, Path("/tmp/journal.sqlite3"))
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: len(w._built) == len(TAB_NAMES))
    settle(store)  # start-up: the board's rows and the counts are read in the background
    return w


def _press(qtbot, keys: str) -> None:
    """Press a key sequence on whatever has the focus, as a person would."""
    target = QApplication.focusWidget()
    assert target is not None
    combo = QKeySequence(keys)[0]
    qtbot.keyClick(target, combo.key(), combo.keyboardModifiers())


@pytest.mark.parametrize("start", range(len(TAB_NAMES)))
def test_ctrl_number_and_ctrl_tab_switch_tabs_from_every_tab(qtbot, window, start):
    window.tabs.setCurrentIndex(start)
    qtbot.waitUntil(lambda: window.tabs.currentIndex() == start)
    page = window.tabs.currentWidget()
    # Focus inside the page, as after a click: on the board that is the table, which would
    # otherwise take Ctrl+Tab for itself.
    if start == BOARD:
        window.board_tab.table.setFocus()
        qtbot.waitUntil(window.board_tab.table.hasFocus)
    else:
        page.setFocus()
    _press(qtbot, "Ctrl+Tab")
    assert window.tabs.currentIndex() == (start + 1) % len(TAB_NAMES)
    window.tabs.setCurrentIndex(start)
    if start == BOARD:
        window.board_tab.table.setFocus()
        qtbot.waitUntil(window.board_tab.table.hasFocus)
    _press(qtbot, "Ctrl+Shift+Tab")
    assert window.tabs.currentIndex() == (start - 1) % len(TAB_NAMES)
    for number in range(len(TAB_NAMES)):
        _press(qtbot, f"Ctrl+{number + 1}")
        assert window.tabs.currentIndex() == number


def test_a_tab_chosen_from_the_keyboard_takes_the_focus(qtbot, window, store):
    """After Ctrl+3 the next key acts on the board (not on the tab bar): Ctrl+R resolves."""
    from etoile_app.domain.models import TheoryDraft
    from etoile_app.ui.board.resolve_dialog import ResolveDialog

    theory = wait(store.create_theory(TheoryDraft(title="Cheyenne returns to Paris", confidence=60)))
    window.board_tab.select_theory(theory.id)
    settle(store)  # selected once the board's rows, which hold it, have come
    assert window.board_tab.current_id() == theory.id
    for number in range(len(TAB_NAMES)):
        _press(qtbot, f"Ctrl+{number + 1}")
        page = window.tabs.currentWidget()
        qtbot.waitUntil(lambda page=page: page.isAncestorOf(QApplication.focusWidget()))
    _press(qtbot, "Ctrl+1")
    _press(qtbot, f"Ctrl+{BOARD + 1}")
    assert QApplication.focusWidget() is window.board_tab.table
    _press(qtbot, "Ctrl+R")
    dialog = board_dialog(window.board_tab)
    assert isinstance(dialog, ResolveDialog) and dialog.theory.id == theory.id
    dialog.reject()


def test_the_toolbar_holds_the_main_actions_of_the_menus(window):
    actions = [a for a in window.toolbar.actions() if not a.isSeparator()]
    assert [a.text().replace("&", "") for a in actions][:3] == ["New theory…", "Add news…", "Canon browser…"]
    for action in (
        window.new_action,
        window.add_news_action,
        window.canon_browser_action,
        window.undo_action,
        window.redo_action,
        window.import_action,
        window.export_action,
    ):
        assert action in actions
        assert window.toolbar.widgetForAction(action).isVisible()


def test_add_news_on_the_toolbar_opens_the_news_dialog(qtbot, window):
    window.tabs.setCurrentIndex(BOARD)
    button = window.toolbar.widgetForAction(window.add_news_action)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentIndex() == 0
    qtbot.waitUntil(
        lambda: window.status_tab.news_dialog is not None and window.status_tab.news_dialog.isVisible()
    )
    window.status_tab.news_dialog.reject()


def test_edit_menu_names_the_undo_and_redo_steps(qtbot, window, store):
    t = wait(store.create_theory(TheoryDraft("Geneviève leaves Paris", confidence=30)))
    wait(store.delete_theory(t.id))
    texts = [a.text() for a in window.edit_menu.actions()]
    assert texts[0].startswith("&Undo ") and "Geneviève leaves Paris" in texts[0]
    window.undo_action.trigger()
    assert [a.text() for a in window.edit_menu.actions()][1].startswith("&Redo ")


def test_the_boards_own_actions_join_the_edit_menu_when_it_has_them(window):
    present = [getattr(window.board_tab, n, None) for n in BOARD_ACTIONS]
    for action in present:
        if action is not None:
            assert action in window.edit_menu.actions()


def test_a_board_without_its_own_actions_leaves_the_edit_menu_as_it_is(qtbot, store, settings):
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.attach(store, None)
    before = [a.text() for a in w.edit_menu.actions()]
    w._add_board_actions(QWidget())  # a board from before its actions existed
    assert [a.text() for a in w.edit_menu.actions()] == before
    assert not w.board_actions_added


# --- the Cast tab: right-click menus on characters and dream casting ---------------------


@pytest.fixture
def cast(qtbot, store):
    tab = CastTab(store)
    qtbot.addWidget(tab)
    tab.resize(1280, 760)
    tab.show()
    qtbot.waitExposed(tab)
    settle(store)  # the characters are read off the GUI thread
    return tab


def _right_click(qtbot, view, index) -> None:
    rect = view.visualRect(index)
    pos = rect.center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)


def test_right_click_on_a_character_offers_their_theories_on_the_board(qtbot, cast, store):
    view = cast.character_list
    index = cast.characters_proxy.index(1, 0)
    _right_click(qtbot, view, index)
    menu = cast.context_menu
    assert menu is not None and menu.isVisible()
    assert [a.text() for a in menu.actions()] == ["Show theories on the board"]
    assert cast.character_list.currentIndex() == index  # the row clicked is the one it acts on
    with qtbot.waitSignal(store.showCharacterOnBoard) as shown:
        menu.actions()[0].trigger()
    assert shown.args == [index.data(ID_ROLE)]
    menu.close()


def test_right_click_on_dream_casting_offers_edit_and_delete(qtbot, cast, store, monkeypatch):
    wait(store.add_dream_cast(DreamCastDraft("A new étoile", "Someone Famous")))
    wait(store.add_dream_cast(DreamCastDraft("A rival director", "Someone Else")))
    qtbot.waitUntil(lambda: cast.dream_model.rowCount() == 2)
    index = cast.dream_model.index(1, 0)
    _right_click(qtbot, cast.dream_view, index)
    menu = cast.context_menu
    assert menu is not None and menu.isVisible()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Edit…", "Delete", "Add…"]
    entry = cast.dream_model.entry(1)
    assert cast._selected_dream() == entry

    next(a for a in menu.actions() if a.text() == "Edit…").trigger()
    qtbot.waitUntil(lambda: cast.active_dialog is not None and cast.active_dialog.isVisible())
    cast.active_dialog.reject()
    qtbot.waitUntil(lambda: cast.active_dialog is None)

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    _right_click(qtbot, cast.dream_view, cast.dream_model.index(1, 0))
    next(a for a in cast.context_menu.actions() if a.text() == "Delete").trigger()
    qtbot.waitUntil(lambda: cast.dream_model.rowCount() == 1)
    assert entry.id not in [cast.dream_model.entry(0).id]


def test_the_toolbar_says_undo_in_a_word_and_names_the_step_in_its_tooltip(window, store):
    t = wait(store.create_theory(TheoryDraft("Geneviève leaves Paris", confidence=30)))
    wait(store.delete_theory(t.id))
    button = window.toolbar.widgetForAction(window.undo_action)
    assert button.text() == "Undo"
    assert "Geneviève leaves Paris" in window.undo_action.toolTip()

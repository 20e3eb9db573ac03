"""The board from the keyboard and with several theories at once, driven as a person would."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QHelpEvent
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem, QToolButton, QToolTip

from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.models import TheoryDraft, TheoryQuery
from etoile_app.ui.board import model as bm
from etoile_app.ui.board.resolve_dialog import BulkResolveDialog
from etoile_app.ui.board.tab import BoardTab
from etoile_app.ui.board.tag_dialog import TagDialog
from etoile_app.ui.common.roles import ID_ROLE
from etoile_app.ui.common.store import Store

from .conftest import board_dialog, closed, settle, undo, wait

NO_MODIFIER = Qt.KeyboardModifier.NoModifier


def _needs(name: str) -> None:
    if not hasattr(Store, name):
        pytest.skip(f"Store.{name} has not landed yet")


def _board(qtbot, store) -> BoardTab:
    tab = BoardTab(store)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    qtbot.waitExposed(tab)
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow)
    qtbot.waitUntil(lambda: tab.filters.characters.count() > 0)
    settle(store)  # the rows, their count, the tag counts and the detail pane have come
    return tab


def _activate(qtbot, widget) -> None:
    """Make ``widget``'s window the active one again, as the window manager does when a dialog
    over it closes (the offscreen platform leaves no window active once it has processed the
    dialog closing); the board's shortcuts act only in the active window."""
    widget.window().activateWindow()
    qtbot.waitUntil(widget.window().isActiveWindow)


def _seed(store):
    a = wait(
        store.create_theory(
            TheoryDraft(
                "Mishi sabotages the gala", "Black Swan energy", Category.VILLAIN_ARC, (), ("villain",), 70
            )
        )
    )
    b = wait(
        store.create_theory(
            TheoryDraft("Jack and Cheyenne marry", "", Category.ROMANCE, (), ("romance",), 20)
        )
    )
    c = wait(
        store.create_theory(
            TheoryDraft("A time jump of a year", "", Category.PLOT_ARC, (), ("time-jump",), 55)
        )
    )
    return a, b, c


def _click_row(qtbot, tab: BoardTab, theory_id: int, modifier=NO_MODIFIER) -> None:
    rect = tab.table.visualRect(tab.model.index(tab.model.row_of(theory_id), bm.COL_TITLE))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())
    settle(tab.store)  # the detail pane reads what is selected in the background


def _retype(qtbot, tab: BoardTab, text: str) -> None:
    """Replace what the search holds with ``text`` and wait for the rows it finds."""
    line_edit = tab.search
    line_edit.setFocus()
    qtbot.keyClick(line_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(line_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(line_edit, text)
    settle(tab.store)


def _shows(tab: BoardTab, theory) -> bool:
    return (
        tab.detail.stack.currentIndex() == 1
        and tab.detail.theory is not None
        and tab.detail.theory.id == theory.id
        and tab.detail.title.text() == theory.title
    )


# --- the detail pane follows the selection -----------------------------------------------------


def test_a_search_that_hides_then_shows_the_selected_theory_shows_it_again(qtbot, store):
    a, _, _ = _seed(store)
    tab = _board(qtbot, store)
    _click_row(qtbot, tab, a.id)
    assert _shows(tab, a)

    qtbot.keyClicks(tab.search, "swan")
    settle(store)
    assert tab.current_id() == a.id and _shows(tab, a)
    qtbot.keyClick(tab.search, "x")  # "swanx": nothing matches
    settle(store)
    assert tab.model.rowCount() == 0 and tab.detail.theory is None
    qtbot.keyClick(tab.search, Qt.Key.Key_Backspace)  # "swan" again
    settle(store)
    assert tab.current_id() == a.id
    assert _shows(tab, a)
    _retype(qtbot, tab, "zzzz")
    _retype(qtbot, tab, "gala")
    assert _shows(tab, a)

    _click_row(qtbot, tab, a.id)  # clicking it keeps it shown
    assert _shows(tab, a)
    assert tab.detail.resolve_button.isVisible()


def test_the_only_theory_deleted_and_undone_is_selected_and_shown(qtbot, store):
    only = wait(store.create_theory(TheoryDraft("The one and only", confidence=60)))
    tab = _board(qtbot, store)
    _click_row(qtbot, tab, only.id)
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    settle(store)
    assert store.theories.get(only.id).is_deleted
    assert tab.detail.theory is None

    undo(store)
    settle(store)
    assert tab.current_id() == only.id
    assert _shows(tab, only)


def test_undoing_a_delete_selects_the_theory_again(qtbot, store):
    a, _, _ = _seed(store)
    tab = _board(qtbot, store)
    _click_row(qtbot, tab, a.id)
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    settle(store)
    assert tab.current_id() != a.id and tab.detail.theory.id == tab.current_id()

    undo(store)
    settle(store)
    assert tab.selected_ids() == [a.id]
    assert _shows(tab, a)


def test_sorting_keeps_the_selection_and_its_detail(qtbot, store):
    a, _, _ = _seed(store)
    tab = _board(qtbot, store)
    _click_row(qtbot, tab, a.id)
    header = tab.table.horizontalHeader()
    x = header.sectionViewportPosition(bm.COL_TITLE) + 20
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    settle(store)
    assert tab.model.query().sort is bm.SortKey.TITLE  # the click sorted the board
    assert tab.selected_ids() == [a.id]
    assert _shows(tab, a)


# --- the keyboard ---------------------------------------------------------------------------------


def test_tab_leaves_the_table(qtbot, store):
    _seed(store)
    tab = _board(qtbot, store)
    tab.table.setFocus()
    qtbot.waitUntil(tab.table.hasFocus)
    row = tab.table.currentIndex()
    qtbot.keyClick(tab.table, Qt.Key.Key_Tab)
    assert not tab.table.hasFocus()
    assert tab.table.currentIndex() == row  # it did not walk to the next cell


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2])
def test_enter_or_f2_edits_the_selected_theory(qtbot, store, key):
    from etoile_app.ui.board.editor import TheoryEditor

    _, b, _ = _seed(store)
    tab = _board(qtbot, store)
    _click_row(qtbot, tab, b.id)
    qtbot.keyClick(tab.table, key)
    editor = board_dialog(tab)
    assert isinstance(editor, TheoryEditor) and editor.isVisible()
    assert editor.title.text() == b.title
    editor.reject()


def test_delete_key_deletes_and_says_so_until_undone(qtbot, store, settings):
    from etoile_app.ui.main_window import MainWindow

    a, _, _ = _seed(store)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.attach(store, Path("/tmp/journal.sqlite3"))
    window.tabs.setCurrentWidget(window.board_tab)
    board = window.board_tab
    qtbot.waitUntil(lambda: board.filters.characters.count() > 0)
    settle(store)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    _click_row(qtbot, board, a.id)
    qtbot.keyClick(board.table, Qt.Key.Key_Delete)
    settle(store)
    assert store.theories.get(a.id).is_deleted
    assert window.statusBar().currentMessage().startswith("Deleted “")

    window.undo_action.trigger()
    settle(store)
    assert not store.theories.get(a.id).is_deleted
    assert not window.statusBar().currentMessage().startswith("Deleted")
    assert board.current_id() == a.id and _shows(board, a)


def test_ctrl_r_resolves_and_ctrl_shift_r_reopens(qtbot, store):
    from etoile_app.ui.board.resolve_dialog import ResolveDialog

    a, _, _ = _seed(store)
    tab = _board(qtbot, store)
    _click_row(qtbot, tab, a.id)
    assert tab.resolve_action.shortcut().toString() == "Ctrl+R"
    qtbot.keyClick(tab.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = board_dialog(tab)
    assert isinstance(dialog, ResolveDialog) and dialog.theory.id == a.id
    dialog.choices[TheoryStatus.BUSTED].click()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    settle(store)
    _activate(qtbot, tab)
    assert store.theories.get(a.id).status is TheoryStatus.BUSTED
    assert not tab.resolve_action.isEnabled() and tab.reopen_action.isEnabled()

    # From the detail pane too: the shortcut works anywhere on the board. It asks first;
    # Esc keeps the resolution, Enter reopens.
    tab.detail.edit_button.setFocus()
    reopen = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(tab.detail.edit_button, Qt.Key.Key_R, reopen)
    qtbot.waitUntil(lambda: tab.reopen_box is not None)  # once the resolution it quotes is read
    box = tab.reopen_box
    assert box.isVisible()
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: tab.reopen_box is None)
    assert store.theories.get(a.id).status is TheoryStatus.BUSTED
    _activate(qtbot, tab)
    qtbot.keyClick(tab.detail.edit_button, Qt.Key.Key_R, reopen)
    qtbot.waitUntil(lambda: tab.reopen_box is not None)
    qtbot.keyClick(tab.reopen_box, Qt.Key.Key_Return)
    settle(store)
    assert store.theories.get(a.id).status is TheoryStatus.OPEN
    assert tab.detail.badge.text() == "OPEN"


def test_keys_typed_in_the_search_stay_in_the_search(qtbot, store):
    _seed(store)
    tab = _board(qtbot, store)
    tab.table.selectRow(0)
    _retype(qtbot, tab, "gala")
    qtbot.keyClick(tab.search, Qt.Key.Key_Home)
    qtbot.keyClick(tab.search, Qt.Key.Key_Delete)  # deletes a letter, not the theory
    assert tab.search.text() == "ala"
    assert store.board.count(TheoryQuery()) == 3


def test_the_context_menu_offers_what_applies_and_copies_the_title(qtbot, store):
    a, _, _ = _seed(store)
    tab = _board(qtbot, store)
    rect = tab.table.visualRect(tab.model.index(tab.model.row_of(a.id), bm.COL_TITLE))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.RightButton, pos=rect.center())
    viewport = tab.table.viewport()
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, rect.center(), viewport.mapToGlobal(rect.center())
    )
    QApplication.sendEvent(viewport, event)
    menu = tab._menu
    qtbot.waitUntil(menu.isVisible)
    texts = [x.text() for x in menu.actions() if not x.isSeparator()]
    for wanted in ("&Edit…", "&Resolve…", "Re&open", "&Delete", "&Copy title"):
        assert wanted in texts
    assert tab.resolve_action.isEnabled() and not tab.reopen_action.isEnabled()
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(tab.copy_action).center())
    assert QGuiApplication.clipboard().text() == a.title


# --- several theories at once ---------------------------------------------------------------------


def _select_all_three(qtbot, tab, store):
    first, last = tab.model.theory_id(0), tab.model.theory_id(2)
    _click_row(qtbot, tab, first)
    _click_row(qtbot, tab, last, Qt.KeyboardModifier.ShiftModifier)
    assert len(tab.selected_ids()) == 3


def _bulk_button(tab, action) -> QToolButton:
    return next(b for b in tab.detail.findChildren(QToolButton) if b.defaultAction() is action)


def test_several_selected_says_how_many(qtbot, store):
    _seed(store)
    tab = _board(qtbot, store)
    _select_all_three(qtbot, tab, store)
    assert tab.detail.stack.currentIndex() == 2
    assert tab.detail.selection_label.text() == "3 theories selected"
    assert not tab.edit_action.isEnabled()
    _click_row(qtbot, tab, tab.model.theory_id(1), Qt.KeyboardModifier.ControlModifier)  # one fewer
    assert tab.detail.selection_label.text() == "2 theories selected"
    _click_row(qtbot, tab, tab.model.theory_id(0), Qt.KeyboardModifier.ControlModifier)
    only = store.theories.get(tab.model.theory_id(2))
    assert _shows(tab, only)


def test_void_several_at_once_is_one_step_with_one_note(qtbot, store):
    _needs("resolve_many")
    ids = [t.id for t in _seed(store)]
    tab = _board(qtbot, store)
    _select_all_three(qtbot, tab, store)
    steps = store.undo_stack.count()
    qtbot.mouseClick(_bulk_button(tab, tab.void_action), Qt.MouseButton.LeftButton)
    dialog = board_dialog(tab)
    assert isinstance(dialog, BulkResolveDialog) and dialog.status() is TheoryStatus.VOID
    qtbot.keyClicks(dialog.note, "The show ended")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closed(dialog))
    settle(store)

    theories = [store.theories.get(i) for i in ids]
    assert {t.status for t in theories} == {TheoryStatus.VOID}
    assert {t.resolution_note for t in theories} == {"The show ended"}
    assert store.undo_stack.count() == steps + 1
    assert sorted(tab.selected_ids()) == sorted(ids)  # still selected, to reopen them
    undo(store)
    assert {store.theories.get(i).status for i in ids} == {TheoryStatus.OPEN}


def test_resolve_several_from_the_keyboard(qtbot, store):
    _needs("resolve_many")
    ids = [t.id for t in _seed(store)]
    tab = _board(qtbot, store)
    _select_all_three(qtbot, tab, store)
    qtbot.keyClick(tab.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = board_dialog(tab)
    assert isinstance(dialog, BulkResolveDialog) and dialog.status() is TheoryStatus.CONFIRMED
    dialog.choices[TheoryStatus.BUSTED].click()
    qtbot.keyClick(dialog.choices[TheoryStatus.BUSTED], Qt.Key.Key_Return)  # Enter resolves
    qtbot.waitUntil(lambda: closed(dialog))
    settle(store)  # the board shows them resolved: Ctrl+Shift+R offers to reopen them
    _activate(qtbot, tab)
    assert {store.theories.get(i).status for i in ids} == {TheoryStatus.BUSTED}

    steps = store.undo_stack.count()
    qtbot.keyClick(
        tab.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert tab.reopen_box.text() == "Reopen 3 resolved theories?"
    qtbot.keyClick(tab.reopen_box, Qt.Key.Key_Return)
    settle(store)
    assert {store.theories.get(i).status for i in ids} == {TheoryStatus.OPEN}
    assert store.undo_stack.count() == steps + 1  # reopening them all is one step too


def test_delete_several_and_undo_brings_them_back_selected(qtbot, store):
    _needs("delete_many")
    ids = [t.id for t in _seed(store)]
    tab = _board(qtbot, store)
    _select_all_three(qtbot, tab, store)
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    settle(store)
    assert all(store.theories.get(i).is_deleted for i in ids)
    assert tab.model.rowCount() == 0

    undo(store)
    settle(store)
    assert sorted(tab.selected_ids()) == sorted(ids)
    assert tab.detail.selection_label.text() == "3 theories selected"


def test_tag_several_at_once(qtbot, store):
    _needs("add_tag_many")
    ids = [t.id for t in _seed(store)]
    tab = _board(qtbot, store)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(tab.selected_ids()) == 3
    steps = store.undo_stack.count()
    qtbot.mouseClick(_bulk_button(tab, tab.tag_action), Qt.MouseButton.LeftButton)
    dialog = board_dialog(tab)
    assert isinstance(dialog, TagDialog) and not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.entry, "Gala Night")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closed(dialog))
    assert all("gala-night" in store.theories.get(i).tags for i in ids)
    assert store.undo_stack.count() == steps + 1
    undo(store)
    assert not any("gala-night" in store.theories.get(i).tags for i in ids)


# --- small ones -----------------------------------------------------------------------------------


def _tag_names(tab: BoardTab) -> list[str]:
    return [tab.filters.tags.item(i).data(ID_ROLE) for i in range(tab.filters.tags.count())]


def test_a_tag_no_live_theory_carries_leaves_the_filter_list(qtbot, store):
    a, _, _ = _seed(store)
    tab = _board(qtbot, store)
    assert "villain" in _tag_names(tab)
    _click_row(qtbot, tab, a.id)
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    settle(store)
    assert "villain" not in _tag_names(tab)
    undo(store)
    settle(store)
    assert "villain" in _tag_names(tab)


def test_the_selected_theory_is_remembered(qtbot, store, settings):
    _, b, _ = _seed(store)
    first = _board(qtbot, store)
    _click_row(qtbot, first, b.id)
    first.save_state(settings)
    settings.sync()

    second = BoardTab(store)
    qtbot.addWidget(second)
    second.restore_state(settings)
    second.resize(1280, 800)
    second.show()
    settle(store)  # its rows come in the background
    assert second.current_id() == b.id
    qtbot.waitUntil(lambda: second.detail.theory is not None)
    assert _shows(second, b)


def test_long_titles_are_elided_in_the_middle_with_the_whole_title_as_tooltip(qtbot, store):
    title = "Mishi " + "and the long winter " * 8 + "ends in Paris"
    wait(store.create_theory(TheoryDraft(title, confidence=50)))
    tab = _board(qtbot, store)
    index = tab.model.index(0, bm.COL_TITLE)
    option = QStyleOptionViewItem()
    tab.table.itemDelegateForColumn(bm.COL_TITLE).initStyleOption(option, index)
    assert option.textElideMode == Qt.TextElideMode.ElideMiddle

    centre = tab.table.visualRect(index).center()
    viewport = tab.table.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, centre, viewport.mapToGlobal(centre)))
    qtbot.waitUntil(QToolTip.isVisible)
    assert title in QToolTip.text()
    QToolTip.hideText()

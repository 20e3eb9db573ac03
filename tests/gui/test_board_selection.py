"""Acting on a selection reaches beyond the rows loaded without reading them on the GUI
thread, and selecting everything does not make the view ask about every cell."""

from __future__ import annotations

import threading

import pytest
from helpers import write
from PySide6.QtCore import Qt

from etoile_app.ui.board import model as bm
from etoile_app.ui.board.tab import BoardTab

from .conftest import board_dialog, record_threads, settle

COUNT = bm.PAGE_SIZE * 2 + 50  # three pages: the last ones are not loaded until scrolled to


@pytest.fixture
def many(journal):
    return [write(journal, f"Theory number {i:03d}", confidence=40 + i % 50).id for i in range(COUNT)]


def _board(qtbot, store) -> BoardTab:
    tab = BoardTab(store)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    qtbot.waitExposed(tab)
    qtbot.waitUntil(lambda: tab.filters.characters.count() > 0)  # filled in after the first paint
    settle(store)
    return tab


def _select_all(qtbot, tab: BoardTab) -> None:
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)


def test_select_all_leaves_the_column_header_out_of_the_selection(qtbot, store, many):
    tab = _board(qtbot, store)
    _select_all(qtbot, tab)
    header = tab.table.horizontalHeader()
    # A header sharing the table's selection asks about every cell of every column it paints.
    assert header.selectionModel() is not tab.table.selectionModel()
    assert not header.selectionModel().hasSelection()
    assert tab._selected_count() == COUNT
    assert tab.detail.selection_label.text().startswith(f"{COUNT:,}")


def test_deleting_everything_selected_reads_the_rows_beyond_in_the_background(
    qtbot, store, many, monkeypatch
):
    tab = _board(qtbot, store)
    assert 2 not in tab.model._pages  # the last page has not been read
    _select_all(qtbot, tab)
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.board, ["page"], threads)
    tab.delete_selected()
    settle(store)
    assert threads and all(thread.startswith("etoile-read") for _name, thread in threads)
    assert store.board.count(tab.query()) == 0
    assert store.undo_stack.undoText() == f"Delete {COUNT} theories"


def test_a_slow_read_of_the_selection_keeps_the_window_answering(qtbot, store, many, monkeypatch):
    tab = _board(qtbot, store)
    _select_all(qtbot, tab)
    held, on = threading.Event(), []
    page = store.board.page

    def slow_page(*args, **kwargs):
        on.append(threading.current_thread().name)
        held.wait(10)
        return page(*args, **kwargs)

    monkeypatch.setattr(store.board, "page", slow_page)
    tab.tag_selected()
    qtbot.waitUntil(lambda: bool(on))
    assert on[0].startswith("etoile-read")
    qtbot.wait(50)  # the event loop runs meanwhile
    assert tab._dialog is None  # not open before its rows are read
    held.set()
    dialog = board_dialog(tab)
    assert dialog is not None and len(dialog.ids) == COUNT
    dialog.reject()


def test_selecting_a_theory_beyond_the_rows_loaded_looks_it_up_in_the_background(
    qtbot, store, many, monkeypatch
):
    tab = _board(qtbot, store)
    oldest = many[0]  # newest first: the oldest is on the last page
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.board, ["position"], threads)
    tab.select_theory(oldest)
    settle(store)
    assert [name for name, _thread in threads] == ["position"]
    assert threads[0][1].startswith("etoile-read")
    qtbot.waitUntil(lambda: tab.current_id() == oldest)
    assert tab.detail.title.text() == "Theory number 000"


def test_undoing_a_delete_of_several_selects_them_with_the_topmost_current(qtbot, store, many):
    from .conftest import undo

    tab = _board(qtbot, store)
    tab._select_rows([2, 3, 4])
    settle(store)
    ids = tab.selected_ids()
    tab.delete_selected()
    settle(store)
    undo(store)
    assert sorted(tab.selected_ids()) == sorted(ids)
    assert tab.table.currentIndex().row() == 2

"""Rating several theories in one grid, from the keyboard, saved in one step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.models import TheoryDraft
from etoile_app.ui.board.rate_dialog import (
    COL_CONFIDENCE,
    COL_JUICINESS,
    COL_TITLE,
    RateDialog,
    open_rate_dialog,
    read_rows,
)
from etoile_app.ui.board.tab import BoardTab

from .conftest import board_dialog, closed, record_threads, redo, settle, undo, wait


def _theories(store, *specs):
    return [wait(store.create_theory(TheoryDraft(title, confidence=c, juiciness=j))) for title, c, j in specs]


@pytest.fixture
def three(store):
    return _theories(
        store, ("Jack returns", 50, None), ("Mishi turns villain", 30, 2), ("Gael leaves", 60, 5)
    )


def _dialog(qtbot, store, ids) -> RateDialog:
    dialog = RateDialog(store, read_rows(store.theories, ids))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.grid)
    return dialog


def _type(qtbot, text: str) -> None:
    """Type where the keyboard focus is, key by key, as a person would (the first digit opens
    the cell's editor, which takes the rest)."""
    for ch in text:
        qtbot.keyClicks(QApplication.focusWidget(), ch)


def _press(qtbot, key) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key)


def _enter(qtbot, dialog) -> None:
    """Enter in a cell's editor: the number is kept once the event loop has run."""
    _press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.grid)


def _ratings(store, theories):
    return [(t.confidence, t.juiciness) for t in map(store.theories.get, [t.id for t in theories])]


def test_the_grid_shows_each_theory_with_its_confidence_and_stars(qtbot, store, three):
    dialog = _dialog(qtbot, store, [t.id for t in three])
    model = dialog.model
    assert [model.index(r, COL_TITLE).data() for r in range(3)] == [t.title for t in three]
    assert [model.index(r, COL_CONFIDENCE).data() for r in range(3)] == ["50 %", "30 %", "60 %"]
    assert [model.index(r, COL_JUICINESS).data() for r in range(3)] == ["☆☆☆☆☆", "★★☆☆☆", "★★★★★"]
    assert dialog.grid.currentIndex() == model.index(0, COL_CONFIDENCE)  # typing starts at once
    assert not dialog.save_button.isEnabled()


def test_typed_numbers_fill_the_grid_and_save_writes_them_all(qtbot, store, three):
    dialog = _dialog(qtbot, store, [t.id for t in three])
    _type(qtbot, "70")
    _enter(qtbot, dialog)  # kept, and the row below is next
    assert dialog.grid.currentIndex() == dialog.model.index(1, COL_CONFIDENCE)
    _type(qtbot, "45")
    _enter(qtbot, dialog)
    _press(qtbot, Qt.Key.Key_Right)  # to the juiciness of the third theory
    _type(qtbot, "0")  # no rating
    _enter(qtbot, dialog)
    _press(qtbot, Qt.Key.Key_Up)
    _press(qtbot, Qt.Key.Key_Up)
    _type(qtbot, "4")
    _enter(qtbot, dialog)
    assert dialog.model.ratings() == [(three[0].id, 70, 4), (three[1].id, 45, 2), (three[2].id, 60, None)]
    assert dialog.save_button.text() == "Save 3 changes"
    assert _ratings(store, three) == [(50, None), (30, 2), (60, 5)]  # nothing before Save

    _press(qtbot, Qt.Key.Key_Return)  # outside a cell, Enter saves
    qtbot.waitUntil(lambda: closed(dialog))
    settle(store)
    assert _ratings(store, three) == [(70, 4), (45, 2), (60, None)]
    history = [[p.confidence for p in store.theories.get(t.id).history] for t in three]
    assert history == [[50, 70], [30, 45], [60]]


def test_the_save_is_one_step_to_undo_and_redo(qtbot, store, three):
    dialog = _dialog(qtbot, store, [t.id for t in three])
    steps = store.undo_stack.count()
    for row, value in ((0, 10), (1, 20), (2, 30)):
        assert dialog.model.setData(dialog.model.index(row, COL_CONFIDENCE), value)
    dialog.model.setData(dialog.model.index(2, COL_JUICINESS), 1)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closed(dialog))
    settle(store)
    assert store.undo_stack.count() == steps + 1
    assert store.undo_stack.undoText() == "Rate 3 theories"
    assert _ratings(store, three) == [(10, None), (20, 2), (30, 1)]

    undo(store)
    assert _ratings(store, three) == [(50, None), (30, 2), (60, 5)]
    assert [len(store.theories.get(t.id).history) for t in three] == [1, 1, 1]
    redo(store)
    assert _ratings(store, three) == [(10, None), (20, 2), (30, 1)]


def test_cancel_asks_before_throwing_ratings_away_and_saves_nothing(
    qtbot, store, three, db_snapshot, journal
):
    before = db_snapshot(journal)
    dialog = _dialog(qtbot, store, [t.id for t in three])
    _type(qtbot, "88")
    _enter(qtbot, dialog)
    _press(qtbot, Qt.Key.Key_Escape)  # outside a cell: asks first
    box = dialog.discard_box
    assert box is not None and box.isVisible()
    assert box.text() == "Discard the ratings you changed on 1 theory?"
    keep = next(b for b in box.buttons() if b.text() == "Keep editing")
    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    assert not closed(dialog)

    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    discard = next(b for b in dialog.discard_box.buttons() if b.text() == "Discard")
    qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closed(dialog))
    settle(store)
    assert db_snapshot(journal) == before


def test_esc_in_a_cell_takes_back_what_was_typed_there(qtbot, store, three):
    dialog = _dialog(qtbot, store, [t.id for t in three])
    _type(qtbot, "9")
    _press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.grid)
    assert dialog.model.ratings() == []
    _press(qtbot, Qt.Key.Key_Escape)  # nothing changed: it closes without asking
    qtbot.waitUntil(lambda: closed(dialog))


def test_bad_values_cannot_be_typed_or_set(qtbot, store, three):
    dialog = _dialog(qtbot, store, [t.id for t in three])
    _type(qtbot, "150")  # the 0 does not fit: 15 stays
    _enter(qtbot, dialog)
    _type(qtbot, "0")  # no confidence is 0: the cell keeps what it had
    _enter(qtbot, dialog)
    _press(qtbot, Qt.Key.Key_Right)
    _type(qtbot, "9")  # juiciness stops at 5 stars
    _enter(qtbot, dialog)
    assert [dialog.model.value(r) for r in range(3)] == [(15, None), (30, 2), (60, 5)]

    model = dialog.model
    cell = model.index(0, COL_CONFIDENCE)
    for bad in (0, 100, -5, "70", 7.5, True, None):
        assert not model.setData(cell, bad)
    for bad in (-1, 6, "3", None):
        assert not model.setData(model.index(0, COL_JUICINESS), bad)
    assert not model.setData(model.index(0, COL_TITLE), "Renamed")
    assert model.value(0) == (15, None)


def test_a_resolved_theory_keeps_its_confidence_but_can_be_rated_juicy(qtbot, store, three):
    wait(store.resolve(three[0].id, TheoryStatus.BUSTED))
    dialog = _dialog(qtbot, store, [three[0].id])
    model = dialog.model
    cell = model.index(0, COL_CONFIDENCE)
    assert not model.flags(cell) & Qt.ItemFlag.ItemIsEditable
    assert "reopen it to change its confidence" in model.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert dialog.grid.currentIndex() == model.index(0, COL_JUICINESS)  # typing starts where it can
    _type(qtbot, "3")
    _enter(qtbot, dialog)
    assert model.value(0) == (50, 3)


def test_a_save_the_journal_refuses_says_why_and_keeps_the_grid(qtbot, store, three, monkeypatch):
    dialog = _dialog(qtbot, store, [t.id for t in three])
    _type(qtbot, "77")
    _enter(qtbot, dialog)
    _type(qtbot, "11")
    _enter(qtbot, dialog)
    wait(store.resolve(three[0].id, TheoryStatus.CONFIRMED))  # meanwhile, elsewhere
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(store)
    box = dialog.findChild(QMessageBox)
    assert box is not None and "reopen it to change its confidence" in box.text()
    box.close()
    assert not closed(dialog)
    assert dialog.model.ratings() == [(three[0].id, 77, None), (three[1].id, 11, 2)]
    assert dialog.save_button.isEnabled()
    assert [store.theories.get(t.id).confidence for t in three[:2]] == [50, 30]  # all or nothing


# --- from the board ----------------------------------------------------------------------------


def _board(qtbot, store) -> BoardTab:
    tab = BoardTab(store)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    qtbot.waitExposed(tab)
    settle(store)
    return tab


def _rows_of(dialog: RateDialog) -> list[str]:
    model = dialog.model
    return [model.index(r, COL_TITLE).data() for r in range(model.rowCount())]


def test_the_board_rates_the_selected_theories_read_off_the_gui_thread(qtbot, store, three, monkeypatch):
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.theories, ["snapshot"], threads)
    tab = _board(qtbot, store)
    assert tab.rate_action in tab.actions_for_menu
    rows = sorted(tab.model.row_of(t.id) for t in three[:2])
    tab._select_rows(rows)
    tab.rate_action.trigger()
    dialog = board_dialog(tab)
    assert isinstance(dialog, RateDialog)
    assert sorted(_rows_of(dialog)) == sorted(t.title for t in three[:2])
    assert threads and all(name.startswith("etoile-read") for _call, name in threads)
    dialog.reject()


def test_with_none_selected_the_board_rates_the_open_theories_on_screen(qtbot, store, three):
    wait(store.resolve(three[1].id, TheoryStatus.VOID))
    tab = _board(qtbot, store)
    tab.table.clearSelection()
    settle(store)
    assert tab.rate_action.isEnabled()
    tab.rate_action.trigger()
    dialog = board_dialog(tab)
    assert sorted(_rows_of(dialog)) == ["Gael leaves", "Jack returns"]
    dialog.reject()


def test_the_grid_opens_from_anywhere_once_the_theories_are_read(qtbot, store, three):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    ticket = open_rate_dialog(store, [three[2].id, three[0].id], parent)
    assert parent.findChild(RateDialog) is None  # nothing opens before the read comes back
    wait(ticket)
    dialog = parent.findChild(RateDialog)
    assert dialog is not None and dialog.isVisible()
    assert _rows_of(dialog) == ["Gael leaves", "Jack returns"]  # in the order asked for
    dialog.reject()


def test_a_multiple_choice_theory_keeps_its_confidence_in_its_options(qtbot, store):
    from etoile_app.ui.board.rate_dialog import RateRow, RatingsModel

    row = RateRow(1, "Who does Cheyenne end up with?", 60, None, TheoryStatus.OPEN, multiple_choice=True)
    model = RatingsModel([row])
    cell = model.index(0, COL_CONFIDENCE)
    assert not model.flags(cell) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(cell, 70)
    assert "give its options their confidences" in model.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert model.setData(model.index(0, COL_JUICINESS), 2)
    assert model.ratings() == [(1, 60, 2)]


def test_theories_gone_to_the_bin_are_left_out_and_none_left_is_said(qtbot, store, three):
    wait(store.delete_theory(three[0].id))
    assert [r.id for r in read_rows(store.theories, [t.id for t in three])] == [three[1].id, three[2].id]
    messages: list[str] = []
    store.ops.failed.connect(lambda said: messages.append(str(said)))
    parent = QWidget()
    qtbot.addWidget(parent)
    ticket = open_rate_dialog(store, [three[0].id], parent)
    settle(store)
    assert ticket.error is not None
    assert messages == ["These theories are in the bin: restore them to rate them."]
    assert parent.findChild(RateDialog) is None

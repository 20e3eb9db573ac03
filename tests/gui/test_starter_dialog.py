"""Adopting the starter theories from the canon pack in one step."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from etoile_app.domain.models import TheoryQuery
from etoile_app.ui.board.starter_dialog import ID_ROLE, StarterDialog, open_starter_dialog

from .conftest import record_threads, settle, wait


def _items(dialog):
    return [dialog.tree.topLevelItem(i) for i in range(dialog.tree.topLevelItemCount())]


def test_adopt_chosen_starters_at_a_chosen_confidence(qtbot, store, journal):
    dialog = StarterDialog(store, store.theories.starters())
    qtbot.addWidget(dialog)
    dialog.show()
    items = _items(dialog)
    assert [i.data(0, ID_ROLE) for i in items] == ["jack-cheyenne", "mishi-villain"]
    assert not dialog.ok_button.isEnabled()  # nothing ticked yet

    items[1].setCheckState(0, Qt.CheckState.Checked)
    assert dialog.ok_button.isEnabled()
    assert dialog.ok_button.text() == "Adopt 1 theory"
    dialog.confidence.setValue(35)
    with qtbot.waitSignal(store.theoriesChanged):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted

    rows = journal.board.page(TheoryQuery())
    assert [r.title for r in rows] == ["Mishi turns villain"]
    theory = journal.theories.get(rows[0].id)
    assert theory.confidence == 35
    assert theory.starter_key == "mishi-villain"
    assert [c.name for c in theory.characters] == ["Mishi"]
    assert theory.tags == ("villain",)


def test_adopted_starters_cannot_be_adopted_twice(qtbot, store, journal):
    wait(store.adopt_starters(["jack-cheyenne"], 50))
    dialog = StarterDialog(store, store.theories.starters())
    qtbot.addWidget(dialog)
    first, second = _items(dialog)
    assert not first.flags() & Qt.ItemFlag.ItemIsEnabled
    assert "already in your journal" in first.text(0)
    assert second.flags() & Qt.ItemFlag.ItemIsUserCheckable
    dialog._tick_all(Qt.CheckState.Checked)
    assert dialog.chosen_keys() == ["mishi-villain"]


def _parent(qtbot) -> QWidget:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    qtbot.waitExposed(parent)
    return parent


def test_the_dialog_opens_once_the_starters_are_read_off_the_gui_thread(qtbot, store, monkeypatch):
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.theories, ["starters"], threads)
    parent = _parent(qtbot)
    ticket = open_starter_dialog(store, parent)
    assert parent.findChild(StarterDialog) is None  # nothing opens before the read comes back
    wait(ticket)
    dialog = parent.findChild(StarterDialog)
    assert dialog is not None and dialog.isVisible()
    assert [i.data(0, ID_ROLE) for i in _items(dialog)] == ["jack-cheyenne", "mishi-villain"]
    assert threads and all(name.startswith("etoile-read") for _call, name in threads)
    dialog.reject()


def test_a_slow_read_of_the_starters_holds_nothing_up_and_opens_one_dialog(qtbot, store, monkeypatch):
    release = threading.Event()
    real = store.theories.starters

    def slow():
        release.wait(10)
        return real()

    monkeypatch.setattr(store.theories, "starters", slow)
    parent = _parent(qtbot)
    open_starter_dialog(store, parent)
    open_starter_dialog(store, parent)  # asked for twice before the first came
    qtbot.wait(50)  # the event loop turns while the read is held
    assert parent.findChild(StarterDialog) is None
    release.set()
    settle(store)
    dialogs = parent.findChildren(StarterDialog)
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    dialogs[0].reject()


def test_adopting_opens_the_grid_to_rate_what_was_adopted(qtbot, store):
    from etoile_app.ui.board.rate_dialog import RateDialog

    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    open_starter_dialog(store, parent)
    settle(store)
    (dialog,) = [d for d in parent.findChildren(StarterDialog) if d.isVisible()]
    for item in _items(dialog):
        item.setCheckState(0, Qt.CheckState.Checked)
    dialog.adopt()
    settle(store)
    (grid,) = [d for d in parent.findChildren(RateDialog) if d.isVisible()]
    titles = {grid.model.index(r, 0).data() for r in range(grid.model.rowCount())}
    assert titles == {t.title for t in store.theories.starters()}
    grid.reject()

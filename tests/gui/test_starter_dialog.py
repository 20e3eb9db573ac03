"""Adopting the starter theories from the canon pack in one step."""

from __future__ import annotations

from PySide6.QtCore import Qt

from etoile_app.domain.models import TheoryQuery
from etoile_app.ui.board.starter_dialog import ID_ROLE, StarterDialog

from .conftest import wait


def _items(dialog):
    return [dialog.tree.topLevelItem(i) for i in range(dialog.tree.topLevelItemCount())]


def test_adopt_chosen_starters_at_a_chosen_confidence(qtbot, store, journal):
    dialog = StarterDialog(store)
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
    dialog = StarterDialog(store)
    qtbot.addWidget(dialog)
    first, second = _items(dialog)
    assert not first.flags() & Qt.ItemFlag.ItemIsEnabled
    assert "already in your journal" in first.text(0)
    assert second.flags() & Qt.ItemFlag.ItemIsUserCheckable
    dialog._tick_all(Qt.CheckState.Checked)
    assert dialog.chosen_keys() == ["mishi-villain"]

"""The rating grid saves against the versions it read: a theory someone else changed meanwhile
refuses the save, the grid keeps what was typed, names the theory, and Reload shows their change."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from etoile_app.domain.errors import StaleEditError
from etoile_app.domain.models import TheoryDraft
from etoile_app.ui.board.rate_dialog import COL_CONFIDENCE, COL_JUICINESS, RateDialog, read_rows

from .conftest import closed, settle, wait


@pytest.fixture
def two(store):
    return [
        wait(store.create_theory(TheoryDraft(title, confidence=c, juiciness=j)))
        for title, c, j in (("Jack returns", 50, None), ("Mishi turns villain", 30, 2))
    ]


def _dialog(qtbot, store, ids) -> RateDialog:
    dialog = RateDialog(store, read_rows(store.theories, ids))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _set(dialog: RateDialog, row: int, column: int, value: int) -> None:
    assert dialog.model.setData(dialog.model.index(row, column), value)


def test_the_save_names_the_versions_the_grid_read(qtbot, store, two, monkeypatch):
    seen: list[object] = []
    original = store.theories.rate_many

    def rate_many(ratings, *, expected_versions=None):
        seen.append(expected_versions)
        return original(ratings, expected_versions=expected_versions)

    monkeypatch.setattr(store.theories, "rate_many", rate_many)
    dialog = _dialog(qtbot, store, [t.id for t in two])
    _set(dialog, 1, COL_CONFIDENCE, 40)
    dialog.save()
    settle(store)
    assert closed(dialog)
    assert seen == [{two[1].id: two[1].version}], "only the changed row, at the version read"
    assert store.theories.get(two[1].id).confidence == 40


def test_a_theory_changed_underneath_refuses_the_save_and_keeps_what_was_typed(qtbot, store, two, other):
    jack, mishi = two
    dialog = _dialog(qtbot, store, [jack.id, mishi.id])
    _set(dialog, 0, COL_JUICINESS, 4)
    _set(dialog, 1, COL_CONFIDENCE, 45)
    # Another member rates Mishi meanwhile.
    other.theories.rate_many([(mishi.id, 80, 1)])

    dialog.save()
    settle(store)

    assert not closed(dialog), "the grid stays open"
    assert dialog.stale_message.isVisibleTo(dialog)
    assert "“Mishi turns villain”" in dialog.stale_message.text()
    assert "someone else" in dialog.stale_message.text()
    assert dialog.reload_button.isVisibleTo(dialog) and dialog.reload_button.isEnabled()
    assert dialog.model.ratings() == [(jack.id, 50, 4), (mishi.id, 45, 2)], "what was typed stays"
    assert dialog.save_button.isEnabled()
    # Nothing of the grid was written: all or nothing.
    assert (store.theories.get(jack.id).juiciness, store.theories.get(mishi.id).confidence) == (None, 80)
    # Said over the grid too, as every refusal of a save is.
    boxes = [b for b in dialog.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1 and "“Mishi turns villain”" in boxes[0].text()
    boxes[0].close()


def test_a_theory_resolved_underneath_says_what_stands_in_the_way(qtbot, store, two, other):
    jack = two[0]
    dialog = _dialog(qtbot, store, [jack.id])
    _set(dialog, 0, COL_CONFIDENCE, 90)
    other.theories.resolve(jack.id, "confirmed")
    dialog.save()
    settle(store)
    assert "“Jack returns”" in dialog.stale_message.text()
    assert "reopen it to change its confidence" in dialog.stale_message.text()
    assert dialog.model.ratings() == [(jack.id, 90, None)]


def test_reload_shows_the_others_change_and_keeps_the_rest_then_saves(qtbot, store, two, other):
    jack, mishi = two
    dialog = _dialog(qtbot, store, [jack.id, mishi.id])
    _set(dialog, 0, COL_JUICINESS, 4)
    _set(dialog, 1, COL_CONFIDENCE, 45)
    other.theories.rate_many([(mishi.id, 80, 1)])
    dialog.save()
    settle(store)

    wait(dialog.reload())

    assert dialog.model.value(1) == (80, 1), "the row someone else changed shows their values"
    assert dialog.model.value(0) == (50, 4), "the other row keeps what was typed"
    assert dialog.model.ratings() == [(jack.id, 50, 4)]
    assert not dialog.reload_button.isVisibleTo(dialog)
    assert "“Mishi turns villain”" in dialog.stale_message.text()

    dialog.save()
    settle(store)
    assert closed(dialog)
    assert store.theories.get(jack.id).juiciness == 4
    assert (store.theories.get(mishi.id).confidence, store.theories.get(mishi.id).juiciness) == (80, 1)


def test_store_rate_many_refuses_a_stale_version(qtbot, store, two, other):
    jack = two[0]
    other.theories.rate_many([(jack.id, 70, None)])
    with pytest.raises(StaleEditError):
        wait(store.rate_many([(jack.id, 20, None)], expected_versions={jack.id: jack.version}))
    assert store.theories.get(jack.id).confidence == 70
    assert store.undo_stack.count() == 2, "a refused rating is no undo step (two theories created)"

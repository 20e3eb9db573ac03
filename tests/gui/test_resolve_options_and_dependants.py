"""Resolving multiple-choice theories (by the option that happened, or void) and theories that
others depend on (busted or void, the dialog says how many are voided with them)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.models import OptionDraft, TheoryDraft
from etoile_app.ui.board.resolve_dialog import BulkResolveDialog, ResolveDialog
from etoile_app.ui.board.tab import BoardTab

from .conftest import board_dialog, closed, record_threads, settle, wait

OPTIONS = (OptionDraft("Jack", 40), OptionDraft("Gael", 35), OptionDraft("Nobody", 25))


@pytest.fixture
def tab(qtbot, store) -> BoardTab:
    board = BoardTab(store)
    qtbot.addWidget(board)
    board.resize(1280, 800)
    board.show()
    qtbot.waitExposed(board)
    settle(store)
    return board


@pytest.fixture
def who(store):
    return wait(
        store.create_theory(
            TheoryDraft("Who does Cheyenne end up with?", category=Category.ROMANCE, options=OPTIONS)
        )
    )


@pytest.fixture
def returns(store):
    """A condition two theories depend on (one through the other), and a third that does not."""
    cond = wait(store.create_theory(TheoryDraft("Étoile returns", category=Category.RELEASE_PRODUCTION)))
    paris = wait(store.create_theory(TheoryDraft("Cheyenne goes to Paris", condition_id=cond.id)))
    wait(store.create_theory(TheoryDraft("She stays there", condition_id=paris.id)))
    wait(store.create_theory(TheoryDraft("Jack retires")))
    return cond


def _opened(qtbot, dialog):
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.isActiveWindow() and QApplication.focusWidget() is not None)
    return dialog


def _press(qtbot, key) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key)


def _select(qtbot, tab: BoardTab, ids) -> None:
    settle(tab.store)  # the rows of the theories just written are on the board
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    settle(tab.store)
    assert sorted(tab.selected_ids()) == sorted(ids)


# --- one multiple-choice theory -------------------------------------------------------------------


def test_a_multiple_choice_theory_is_resolved_by_its_option_from_the_keyboard(qtbot, tab, store, who):
    tab.resolve_theory(who.id)
    dialog = _opened(qtbot, board_dialog(tab))
    assert isinstance(dialog, ResolveDialog)
    assert list(dialog.option_choices) == ["Jack", "Gael", "Nobody"]
    assert list(dialog.choices) == [TheoryStatus.VOID]  # no Busted, no plain Confirmed
    assert dialog.option_choices["Jack"].text() == "Jack — you gave it 40 %"
    assert QApplication.focusWidget() is dialog.option_choices["Jack"] and dialog.option() == "Jack"

    _press(qtbot, Qt.Key.Key_Down)
    assert dialog.option() == "Gael" and dialog.status() is TheoryStatus.CONFIRMED
    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        _press(qtbot, Qt.Key.Key_Return)
    settled = store.theories.get(who.id)
    assert settled.status is TheoryStatus.CONFIRMED and settled.option_happened == "Gael"


def test_the_last_choice_of_a_multiple_choice_theory_is_void(qtbot, tab, store, who):
    tab.resolve_theory(who.id)
    dialog = _opened(qtbot, board_dialog(tab))
    for _ in range(3):
        _press(qtbot, Qt.Key.Key_Down)
    assert dialog.status() is TheoryStatus.VOID and dialog.option() is None
    dialog.note.setFocus()
    qtbot.keyClicks(dialog.note, "Cancelled")
    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    settled = store.theories.get(who.id)
    assert settled.status is TheoryStatus.VOID and settled.option_happened is None


def test_an_options_name_is_shown_as_typed(qtbot, store):
    options = (OptionDraft("Jack & Gael", 50), OptionDraft("<b>Nobody</b>", 50))
    theory = wait(store.create_theory(TheoryDraft("Who?", options=options)))
    dialog = ResolveDialog(store, theory)
    qtbot.addWidget(dialog)
    # A button's "&" marks its shortcut key: doubled, it shows as one "&".
    assert dialog.option_choices["Jack & Gael"].text() == "Jack && Gael — you gave it 50 %"
    assert dialog.option_choices["Jack & Gael"].accessibleName() == "Jack & Gael"
    assert dialog.option_choices["<b>Nobody</b>"].text().startswith("<b>Nobody</b> — ")


def test_the_void_action_on_a_multiple_choice_theory_starts_on_void(qtbot, tab, who):
    tab.resolve_theory(who.id, TheoryStatus.VOID)
    dialog = _opened(qtbot, board_dialog(tab))
    assert dialog.status() is TheoryStatus.VOID
    assert QApplication.focusWidget() is dialog.choices[TheoryStatus.VOID]
    dialog.reject()


# --- several, one of them multiple choice ----------------------------------------------------------


def test_several_with_a_multiple_choice_theory_can_only_be_voided(qtbot, tab, store, who):
    other = wait(store.create_theory(TheoryDraft("A time jump", confidence=50)))
    _select(qtbot, tab, [who.id, other.id])
    tab.resolve_selected()
    dialog = _opened(qtbot, board_dialog(tab))
    assert isinstance(dialog, BulkResolveDialog)
    assert not dialog.choices[TheoryStatus.CONFIRMED].isEnabled()
    assert not dialog.choices[TheoryStatus.BUSTED].isEnabled()
    assert dialog.status() is TheoryStatus.VOID and dialog.ok_button.text() == "Void 2"
    assert dialog.multiple_choice_note is not None and dialog.multiple_choice_note.isVisible()
    assert "One of these is multiple choice, so together they can only be voided" in (
        dialog.multiple_choice_note.text()
    )
    _press(qtbot, Qt.Key.Key_Up)  # the arrows cannot reach a disabled outcome
    assert dialog.status() is TheoryStatus.VOID
    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        _press(qtbot, Qt.Key.Key_Return)
    assert {store.theories.get(i).status for i in (who.id, other.id)} == {TheoryStatus.VOID}


def test_several_yes_no_theories_may_still_be_confirmed_or_busted(qtbot, tab, store):
    ids = [wait(store.create_theory(TheoryDraft(f"Theory {i}", confidence=50))).id for i in range(2)]
    _select(qtbot, tab, ids)
    tab.resolve_selected()
    dialog = _opened(qtbot, board_dialog(tab))
    assert (
        dialog.choices[TheoryStatus.CONFIRMED].isEnabled() and dialog.choices[TheoryStatus.BUSTED].isEnabled()
    )
    assert dialog.multiple_choice_note is None
    dialog.reject()


# --- theories that depend on the one resolved ----------------------------------------------------


def test_busting_a_condition_says_how_many_theories_are_voided_with_it(
    qtbot, tab, store, returns, monkeypatch
):
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.theories, ["get", "dependants"], threads)
    tab.resolve_theory(returns.id)
    dialog = _opened(qtbot, board_dialog(tab))
    assert {call for call, _thread in threads} == {"get", "dependants"}
    assert all(thread.startswith("etoile-read") for _call, thread in threads), threads
    assert dialog.status() is TheoryStatus.CONFIRMED
    assert not dialog.dependants_note.isVisible()  # come true, they stay open

    _press(qtbot, Qt.Key.Key_Down)
    assert dialog.status() is TheoryStatus.BUSTED
    assert dialog.dependants_note.isVisible()
    assert dialog.dependants_note.text() == "2 theories that depend on it will be voided too."
    _press(qtbot, Qt.Key.Key_Down)
    assert dialog.status() is TheoryStatus.VOID and dialog.dependants_note.isVisible()
    _press(qtbot, Qt.Key.Key_Up)
    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        _press(qtbot, Qt.Key.Key_Return)
    settle(store)
    rows = {r.title: r.status for r in store.board.page(tab.query(), 0, 10)}
    assert rows == {
        "Étoile returns": TheoryStatus.BUSTED,
        "Cheyenne goes to Paris": TheoryStatus.VOID,
        "She stays there": TheoryStatus.VOID,
        "Jack retires": TheoryStatus.OPEN,
    }


def test_one_dependant_is_named_in_the_singular(qtbot, store):
    cond = wait(store.create_theory(TheoryDraft("Étoile returns")))
    wait(store.create_theory(TheoryDraft("Cheyenne goes to Paris", condition_id=cond.id)))
    dialog = ResolveDialog(store, cond, preset=TheoryStatus.VOID, dependants=1)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.dependants_note.text() == "1 theory that depends on it will be voided too."


def test_a_theory_nothing_depends_on_says_nothing_of_dependants(qtbot, tab, store):
    alone = wait(store.create_theory(TheoryDraft("Jack retires")))
    tab.resolve_theory(alone.id, TheoryStatus.VOID)
    dialog = _opened(qtbot, board_dialog(tab))
    assert dialog.dependants == 0 and not dialog.dependants_note.isVisible()
    dialog.reject()
    qtbot.waitUntil(lambda: closed(dialog))


def test_several_resolved_together_count_the_dependants_beyond_them(qtbot, tab, store, returns):
    rows = [r for r in store.board.page(tab.query(), 0, 10) if r.title in ("Étoile returns", "Jack retires")]
    tab._resolve_rows(rows, TheoryStatus.VOID)  # as the void action does with these two selected
    dialog = _opened(qtbot, board_dialog(tab))
    assert isinstance(dialog, BulkResolveDialog)
    assert dialog.multiple_choice_note is None
    assert dialog.dependants_note.text() == "2 theories that depend on them will be voided too."
    dialog.choices[TheoryStatus.CONFIRMED].click()
    assert not dialog.dependants_note.isVisible()
    dialog.reject()

"""The board in a club, driven through real widgets: the club's columns (mine, the club's
median, how many forecast, who wrote it), the "Not forecast by me" filter, and what a member
may do with another member's theory: forecast on it, not change it. A journal of one shows
none of it."""

from __future__ import annotations

import html
import sys
import types
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt

from etoile_app.domain.enums import Category
from etoile_app.domain.models import OptionDraft, TheoryDraft
from etoile_app.services.club import add_member
from etoile_app.services.journal import Journal
from etoile_app.storage.engine import make_engine
from etoile_app.ui.board import model as bm
from etoile_app.ui.board.tab import BoardTab
from etoile_app.ui.common.fmt import isolate
from etoile_app.ui.common.store import Store
from tests import backends

from .conftest import settle

pytestmark = pytest.mark.postgresql


@pytest.fixture(scope="module")
def club() -> Iterator[backends.Club]:
    """Anna's "Cheyenne stays" (40; Bob 60 then 70, Cléo 20) and "Jack sings" (30); Bob's
    "Who runs the Met?" (Jack 50, Gael 30, Nobody 20; Anna 20, 70, 10; Cléo 60, 30, 10) and
    "Gael leaves" (55)."""
    with backends.club_database("Margot") as made:
        engine = make_engine(made.owner)
        try:
            for login in ("anna", "bob", "cleo"):
                add_member(engine, made.login(login))
        finally:
            engine.dispose()
        anna, bob, cleo = (_open(made, login, name) for login, name in _MEMBERS)
        try:
            stays = anna.theories.create(_draft("Cheyenne stays", 40))
            anna.theories.create(_draft("Jack sings", 30))
            options = (OptionDraft("Jack", 50), OptionDraft("Gael", 30), OptionDraft("Nobody", 20))
            met = bob.theories.create(_draft("Who runs the Met?", 50, options=options))
            bob.theories.create(_draft("Gael leaves", 55))
            bob.theories.forecast(stays.id, 60)
            bob.theories.forecast(stays.id, 70)
            cleo.theories.forecast(stays.id, 20)
            anna.theories.forecast(met.id, options={"Jack": 20, "Gael": 70, "Nobody": 10})
            cleo.theories.forecast(met.id, options={"Jack": 60, "Gael": 30, "Nobody": 10})
        finally:
            for journal in (anna, bob, cleo):
                journal.close()
        yield made


_MEMBERS = (("anna", "Anna"), ("bob", "Bob"), ("cleo", "Cléo"))


def _open(club: backends.Club, login: str, name: str) -> Journal:
    journal = Journal.open(club.url(login), backups=False)
    if journal.identity.member is None:
        journal.join_club(name)
    return journal


def _draft(title: str, confidence: int, **extra: object) -> TheoryDraft:
    return TheoryDraft(title=title, category=Category.OTHER, confidence=confidence, **extra)  # type: ignore[arg-type]


@pytest.fixture
def anna_store(qtbot, club: backends.Club) -> Iterator[Store]:
    journal = _open(club, "anna", "Anna")
    store = Store(journal)
    yield store
    store.ops.shutdown(wait=True)
    journal.close()


@pytest.fixture
def asked(monkeypatch) -> list[int]:
    """The theories the forecast dialog was asked to open for (it is stood in for here)."""
    calls: list[int] = []
    stand_in = types.ModuleType("etoile_app.ui.board.forecast_dialog")
    stand_in.ask_forecast = lambda parent, store, theory_id: calls.append(theory_id)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "etoile_app.ui.board.forecast_dialog", stand_in)
    return calls


def _board(qtbot, store: Store) -> BoardTab:
    tab = BoardTab(store)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    qtbot.waitExposed(tab)
    settle(store)
    return tab


def _cells(tab: BoardTab) -> dict[str, tuple[str, ...]]:
    """Each row's club cells (Yours, Club, Forecasters, By), by title."""
    settle(tab.store)
    model = tab.model
    out = {}
    for r in range(model.rowCount()):
        row = model.theory_row(r)
        assert row is not None
        out[row.title] = tuple(model.data(model.index(r, c)) for c in range(bm.COL_YOURS, bm.COL_BY + 1))
    return out


def _select(tab: BoardTab, title: str) -> int:
    model = tab.model
    (theory_id,) = [
        row.id for row in map(model.theory_row, range(model.rowCount())) if row and row.title == title
    ]
    tab.select_theory(theory_id)
    settle(tab.store)
    return theory_id


def test_the_club_columns_show_mine_the_median_the_count_and_the_author(qtbot, anna_store) -> None:
    tab = _board(qtbot, anna_store)
    model = tab.model
    assert model.columnCount() == len(bm.HEADERS) + 4
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[-4:] == ["Yours", "Club", "Forecasters", "By"]
    assert _cells(tab) == {
        "Cheyenne stays": ("40 %", "40 %", "3", "Anna"),
        # Multiple choice: the option I rate highest, and the option whose median is highest
        # (Jack 50, Gael 30, Nobody 10 over Bob's, Anna's and Cléo's).
        "Who runs the Met?": (f"70 % {isolate('Gael')}", f"50 % {isolate('Jack')}", "3", "Bob"),
        "Gael leaves": ("", "55 %", "1", "Bob"),
        "Jack sings": ("30 %", "30 %", "1", "Anna"),
    }
    # The header's own tips say what each figure is; the board's sort is not theirs to change.
    assert "median" in model.headerData(bm.COL_CLUB, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    header = tab.table.horizontalHeader()
    before = (model.query().sort, model.query().descending)
    x = header.sectionViewportPosition(bm.COL_CLUB) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    settle(anna_store)
    assert (model.query().sort, model.query().descending) == before
    assert header.sortIndicatorSection() == bm.COL_UPDATED


def test_not_forecast_by_me_ticks_and_the_rows_change(qtbot, anna_store) -> None:
    tab = _board(qtbot, anna_store)
    box = tab.filters.unforecast_box
    assert box is not None and box.isVisible()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert box.isChecked()
    assert set(_cells(tab)) == {"Gael leaves"}
    assert tab.count_label.text() == "1 theory"
    qtbot.mouseClick(tab.filters.clear_button, Qt.MouseButton.LeftButton)
    assert not box.isChecked()
    assert len(_cells(tab)) == 4


def test_another_members_theory_is_forecast_on_not_changed(qtbot, anna_store, asked) -> None:
    tab = _board(qtbot, anna_store)
    assert tab.forecast_action is not None
    assert tab.forecast_action in tab.actions_for_menu
    met = _select(tab, "Who runs the Met?")  # Bob's
    for made in (tab.edit_action, tab.resolve_action, tab.tag_action, tab.delete_action, tab.rate_action):
        assert not made.isEnabled()
        assert "Bob's: only its author or the club's owner can change it" in html.unescape(made.toolTip())
    assert not tab.detail.edit_button.isEnabled() and not tab.detail.delete_button.isEnabled()
    assert tab.forecast_action.isEnabled()
    # Enter and a double-click open the forecast instead of the editor; so does Ctrl+Shift+F.
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    assert asked == [met]
    rect = tab.table.visualRect(tab.model.index(tab.table.currentIndex().row(), bm.COL_TITLE))
    # A real double-click starts with a click (QTest's sends only the second press).
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert asked == [met, met]
    keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(tab.table, Qt.Key.Key_F, keys)
    assert asked == [met, met, met]

    # My own theory: edit, resolve and delete as ever; Enter is Edit's again.
    _select(tab, "Cheyenne stays")
    for made in (tab.edit_action, tab.resolve_action, tab.delete_action):
        assert made.isEnabled()
    assert tab.detail.edit_button.isEnabled()
    assert "Return" in [k.toString() for k in tab.edit_action.shortcuts()]
    assert tab.edit_action.toolTip() == "Edit… (F2)"


def test_my_forecast_shows_on_the_board_at_once_and_undo_takes_it_off(qtbot, anna_store) -> None:
    tab = _board(qtbot, anna_store)
    gael = _select(tab, "Gael leaves")  # Bob's, which nobody else has forecast
    anna_store.forecast(gael, 25, note="she stays")
    assert _cells(tab)["Gael leaves"] == ("25 %", "40 %", "2", "Bob")
    anna_store.undo()
    qtbot.waitUntil(lambda: _cells(tab)["Gael leaves"] == ("", "55 %", "1", "Bob"), timeout=3000)


def test_a_journal_of_one_shows_none_of_the_club(qtbot, store) -> None:
    tab = _board(qtbot, store)
    assert not tab.club
    assert tab.model.columnCount() == len(bm.HEADERS)
    assert tab.filters.unforecast_box is None
    assert tab.forecast_action is None
    assert tab.model.query().club is False and tab.model.query().member_id is None


def test_a_member_is_told_at_once_that_news_is_the_owners(qtbot, anna_store) -> None:
    from PySide6.QtWidgets import QMessageBox

    from etoile_app.ui.status.tab import StatusTab

    status = StatusTab(anna_store)
    qtbot.addWidget(status)
    status.show()
    settle(anna_store)
    status.open_news_dialog()
    settle(anna_store)
    assert status.news_dialog is None
    boxes = [b.text() for b in status.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and boxes[0].startswith("In a club, only its owner records news.")


def test_the_detail_pane_says_whose_confidence_another_members_theory_shows(qtbot, anna_store) -> None:
    tab = _board(qtbot, anna_store)
    _select(tab, "Gael leaves")  # Bob's
    qtbot.waitUntil(lambda: tab.detail.theory is not None and tab.detail.theory.title == "Gael leaves")
    assert tab.detail.summary.text().startswith(f"{isolate('Bob')}: 55 % sure")
    _select(tab, "Who runs the Met?")  # Bob's, multiple choice
    qtbot.waitUntil(lambda: tab.detail.theory is not None and tab.detail.theory.title == "Who runs the Met?")
    assert tab.detail.summary.text().startswith(f"Most likely to {isolate('Bob')}: Jack (50 %)")
    _select(tab, "Jack sings")  # mine
    qtbot.waitUntil(lambda: tab.detail.theory is not None and tab.detail.theory.title == "Jack sings")
    assert tab.detail.summary.text().startswith("30 % sure")

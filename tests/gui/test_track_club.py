"""The club's part of the Track record tab, driven through real widgets: the leaderboard sorts
by a click on its heading, and "Whose calls" puts a member's or the club median's calls on the
chart. A journal of one shows none of it."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont
from sqlalchemy import select

from etoile_app.domain import club_scoring
from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.models import OptionDraft, TheoryDraft
from etoile_app.storage.models import ForecasterRecord, ForecastRecord, OptionRecord
from etoile_app.ui.track.club import COL_BRIER, COL_MEMBER, COL_RELATIVE
from etoile_app.ui.track.tab import TrackTab

from .conftest import record_threads, settle, wait


def _member(store, name: str) -> int:
    with store.journal.database.sessions.begin() as s:
        record = ForecasterRecord(name=name)
        s.add(record)
        s.flush()
        return record.id


def _forecast(
    store, theory_id: int, who: int, confidence: int, at: datetime, option_id: int | None = None
) -> None:
    with store.journal.database.sessions.begin() as s:
        s.add(
            ForecastRecord(
                theory_id=theory_id,
                option_id=option_id,
                forecaster_id=who,
                confidence=confidence,
                changed_at=at,
            )
        )


@pytest.fixture
def club(store, clock) -> dict[str, int]:
    """Ana, Ben and Chloé on two yes/no questions and one multiple-choice one.

    Q1 confirmed: Ana 80, Ben 60, Chloé 30. Q2 busted: Ana 20, Ben 50.
    Q3 "Jack" happened: Ana (50, 20, 30), Ben (20, 50, 30), Chloé (60, 30, 10).
    Brier (0–2): Ana (0.08 + 0.08 + 0.38) / 3 = 0.18; Ben (0.32 + 0.5 + 0.98) / 3 = 0.6;
    Chloé (0.98 + 0.26) / 2 = 0.62. Relative: Ana −0.15, Ben +0.27, Chloé +0.27.
    """
    ids = {name: _member(store, name) for name in ("Ana", "Ben", "Chloé")}
    q1 = wait(store.create_theory(TheoryDraft("Jack stays in Paris", confidence=50)))
    q2 = wait(store.create_theory(TheoryDraft("Gael leaves", confidence=50)))
    q3 = wait(
        store.create_theory(
            TheoryDraft(
                "Who runs the Met?",
                options=(OptionDraft("Jack", 40), OptionDraft("Gael", 30), OptionDraft("Nobody", 30)),
            )
        )
    )
    with store.journal.database.sessions() as s:
        options = list(
            s.scalars(
                select(OptionRecord.id).where(OptionRecord.theory_id == q3.id).order_by(OptionRecord.position)
            )
        )
    at = clock.advance(hours=1)
    for name, c in (("Ana", 80), ("Ben", 60), ("Chloé", 30)):
        _forecast(store, q1.id, ids[name], c, at)
    for name, c in (("Ana", 20), ("Ben", 50)):
        _forecast(store, q2.id, ids[name], c, at)
    for name, cs in (("Ana", (50, 20, 30)), ("Ben", (20, 50, 30)), ("Chloé", (60, 30, 10))):
        for option, c in zip(options, cs, strict=True):
            _forecast(store, q3.id, ids[name], c, at, option)
    clock.advance(hours=1)
    wait(store.resolve(q1.id, TheoryStatus.CONFIRMED))
    wait(store.resolve(q2.id, TheoryStatus.BUSTED))
    wait(store.resolve(q3.id, TheoryStatus.CONFIRMED, option="Jack"))
    return ids


def _tab(qtbot, store) -> TrackTab:
    tab = TrackTab(store)
    qtbot.addWidget(tab)
    tab.resize(1280, 760)
    tab.show()
    qtbot.waitExposed(tab)
    settle(store)
    return tab


def _click_header(qtbot, tab: TrackTab, column: int) -> None:
    header = tab.club_panel.view.horizontalHeader()
    x = header.sectionViewportPosition(column) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def _names(tab: TrackTab) -> list[str]:
    return [r.name for r in tab.club_panel.shown_rows()]


def _pick(qtbot, tab: TrackTab, text: str) -> None:
    """Choose ``text`` in "Whose calls" with the keyboard, as a person would."""
    combo = tab.whose
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText().startswith(text):
            break
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText().startswith(text)
    settle(tab.store)


def test_a_journal_of_one_shows_no_club(qtbot, store, clock) -> None:
    t = wait(store.create_theory(TheoryDraft("Alone", confidence=70)))
    wait(store.resolve(t.id, TheoryStatus.CONFIRMED))
    tab = _tab(qtbot, store)
    assert tab.numbers["scored"].text() == "1"
    assert not tab.lists.isTabVisible(tab.club_index)
    assert not tab.whose.isVisible() and not tab.whose_label.isVisible()
    assert [tab.lists.tabText(i) for i in range(tab.lists.count()) if tab.lists.isTabVisible(i)] == [
        "Categories",
        "Tags",
        "Characters",
        "Ready to resolve",
        "Bold calls",
        "Best and worst",
    ]


def test_the_leaderboard_sorts_by_a_click_on_its_heading(qtbot, store, club) -> None:
    tab = _tab(qtbot, store)
    assert tab.lists.isTabVisible(tab.club_index)
    tab.lists.setCurrentIndex(tab.club_index)
    qtbot.waitExposed(tab.club_panel.view)
    # Best against the club first to begin with (Ben and Chloé tie at +0.27, then by order read).
    assert _names(tab)[:2] == ["Ana", club_scoring.CLUB_MEDIAN]

    _click_header(qtbot, tab, COL_BRIER)
    assert tab.club_panel.view.horizontalHeader().sortIndicatorSection() == COL_BRIER
    rows = tab.club_panel.shown_rows()
    briers = [r.mean_brier for r in rows]
    assert briers == sorted(briers)  # whichever way round the first click goes, in order
    order = [r.name for r in rows]
    _click_header(qtbot, tab, COL_BRIER)  # the same heading again turns the order round
    assert _names(tab) == list(reversed(order))
    assert {r.name: round(r.mean_brier, 3) for r in rows if not r.is_club_median} == {
        "Ana": 0.18,
        "Ben": 0.6,
        "Chloé": 0.62,
    }

    _click_header(qtbot, tab, COL_MEMBER)
    names = _names(tab)
    assert names in (sorted(names, key=str.casefold), sorted(names, key=str.casefold, reverse=True))


def test_the_club_median_row_stands_out_and_every_figure_explains_itself(qtbot, store, club) -> None:
    tab = _tab(qtbot, store)
    proxy = tab.club_panel.proxy
    rows = tab.club_panel.shown_rows()
    median = next(i for i, r in enumerate(rows) if r.is_club_median)
    ana = next(i for i, r in enumerate(rows) if r.name == "Ana")
    font = proxy.data(proxy.index(median, COL_MEMBER), Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.italic() and font.bold()
    assert proxy.data(proxy.index(ana, COL_MEMBER), Qt.ItemDataRole.FontRole) is None
    assert proxy.data(proxy.index(median, COL_BRIER), Qt.ItemDataRole.BackgroundRole) is not None

    texts = [proxy.data(proxy.index(ana, c)) for c in range(proxy.columnCount())]
    assert texts == [
        "Ana",
        "3",
        "0.180",
        "−0.38",
        "−0.150",
    ]
    tips = [proxy.data(proxy.index(ana, c), Qt.ItemDataRole.ToolTipRole) for c in range(proxy.columnCount())]
    assert "3 questions: 2 yes/no, 1 multiple choice" in tips[1]
    assert "Over 3 questions" in tips[2] and "0–2" in tips[2]
    assert "Over 3 questions forecast by two members or more" in tips[COL_RELATIVE]
    header_tip = proxy.headerData(COL_RELATIVE, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "median" in header_tip
    assert "rescaled" in proxy.data(proxy.index(median, COL_MEMBER), Qt.ItemDataRole.ToolTipRole)


def test_whose_calls_puts_a_members_calls_on_the_chart(qtbot, store, club) -> None:
    tab = _tab(qtbot, store)
    assert tab.whose.isVisible()
    items = [tab.whose.itemText(i) for i in range(tab.whose.count())]
    assert items == [
        "Me",
        "Ana  (3)",
        "Ben  (3)",
        "Chloé  (2)",
        "Club median",
    ]
    mine = [(b.low, b.count) for b in tab.chart.bins]

    _pick(qtbot, tab, "Chloé")
    # Chloé: Q1 30 % (confirmed); Q3 60 % (happened), 30 %, 10 %.
    assert [(b.low, b.count, b.confirmed) for b in tab.chart.bins] == [(10, 1, 0), (30, 2, 1), (60, 1, 1)]
    assert tab.bin_model.rowCount() == 3
    assert not tab.calibration_filter.isEnabled()  # the filters are for one's own calls
    assert "Chloé's confidence" in tab.chart.chart().axes(Qt.Orientation.Horizontal)[0].titleText()
    assert tab.calibration_note.text().startswith("Calibration: these calls grouped")

    _pick(qtbot, tab, "Club median")
    # Q1 60 % ✓; Q2 35 %; Q3 per option 50, 30, 30 rescaled to 45 % ✓, 27 %, 27 %.
    assert [(b.low, b.count, b.confirmed) for b in tab.chart.bins] == [
        (20, 2, 0),
        (30, 1, 0),
        (40, 1, 1),
        (60, 1, 1),
    ]

    _pick(qtbot, tab, "Me")
    assert [(b.low, b.count) for b in tab.chart.bins] == mine
    assert tab.calibration_filter.isEnabled()
    assert tab.calibration_note.text().startswith("Calibration: your calls grouped")


def test_the_choice_of_whose_calls_survives_a_refresh(qtbot, store, club, clock) -> None:
    tab = _tab(qtbot, store)
    _pick(qtbot, tab, "Ben")
    t = wait(store.create_theory(TheoryDraft("Another", confidence=50)))
    _forecast(store, t.id, club["Ben"], 90, clock.advance(hours=1))
    clock.advance(hours=1)
    wait(store.resolve(t.id, TheoryStatus.CONFIRMED))
    qtbot.waitUntil(lambda: tab.whose.currentText() == "Ben  (4)")
    settle(store)
    assert sum(b.count for b in tab.chart.bins) == 2 + 3 + 1  # two yes/no, three options, the new one


def test_the_club_is_read_off_the_gui_thread(qtbot, store, club, monkeypatch) -> None:
    tab = TrackTab(store)
    qtbot.addWidget(tab)
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, tab.club_record, ("has_club", "leaderboard", "calibration"), threads)
    tab.resize(1280, 760)
    tab.show()
    qtbot.waitExposed(tab)
    settle(store)
    _pick(qtbot, tab, "Ana")
    assert {name for name, _ in threads} == {"has_club", "leaderboard", "calibration"}
    assert all(thread.startswith("etoile-read") for _, thread in threads), threads


def test_the_calibration_filter_keeps_its_choice_on_a_refresh(qtbot, store) -> None:
    from etoile_app.domain.enums import Category

    for title, category in (("r1", Category.ROMANCE), ("v1", Category.VILLAIN_ARC)):
        t = wait(store.create_theory(TheoryDraft(title, category=category, confidence=65)))
        wait(store.resolve(t.id, TheoryStatus.CONFIRMED))
    tab = _tab(qtbot, store)
    combo = tab.calibration_filter
    combo.setCurrentIndex(
        next(i for i in range(combo.count()) if combo.itemText(i).startswith("Category: Romance"))
    )
    settle(store)
    t = wait(store.create_theory(TheoryDraft("r2", category=Category.ROMANCE, confidence=15)))
    wait(store.resolve(t.id, TheoryStatus.BUSTED))
    qtbot.waitUntil(lambda: tab.numbers["scored"].text() == "3")
    settle(store)
    assert combo.currentText().startswith("Category: Romance  (2)")
    assert [(b.low, b.count) for b in tab.chart.bins] == [(10, 1), (60, 1)]


def test_my_own_row_is_me_in_whose_calls(qtbot, store, club, monkeypatch) -> None:

    from etoile_app.domain.club import Identity, Member, MemberRole

    me = Member(club["Ana"], "Ana", None)
    monkeypatch.setattr(store.journal.who, "identity", Identity(club=True, role=MemberRole.MEMBER, member=me))
    tab = _tab(qtbot, store)
    items = [tab.whose.itemText(i) for i in range(tab.whose.count())]
    assert items == ["Me (Ana)", "Ben  (3)", "Chloé  (2)", "Club median"]
    assert "Ana" in _names(tab)  # the leaderboard lists everyone

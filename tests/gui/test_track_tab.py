"""The Track record tab and the confidence-history chart, driven through real widgets."""

from __future__ import annotations

from datetime import date

import pytest

from etoile_app.domain import scoring
from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.models import TheoryDraft
from etoile_app.ui.board.tab import BoardTab
from etoile_app.ui.common.record_model import RecordTableModel
from etoile_app.ui.track.tab import BIN_COLUMNS, GROUP_COLUMNS, TrackTab

from .conftest import record_threads, set_confidence, settle, wait


@pytest.fixture
def tab(qtbot, store):
    t = TrackTab(store)
    qtbot.addWidget(t)
    t.resize(1280, 760)
    t.show()
    qtbot.waitExposed(t)
    settle(store)  # the first fill is read off the GUI thread
    return t


def _texts(model, column=0):
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def test_empty_journal_shows_an_empty_state_not_an_error(tab):
    assert tab.numbers["brier"].text() == "—"
    assert tab.numbers["log"].text() == "—"
    assert tab.numbers["scored"].text() == "0"
    assert tab.chart_stack.currentWidget() is tab.chart_empty
    assert tab.bin_model.rowCount() == 0
    assert "0–1 scale" in tab.explanation.text() and "0–2" in tab.explanation.text()


def test_resolving_theories_changes_numbers_and_chart(qtbot, tab, store, clock):
    a = wait(
        store.create_theory(TheoryDraft("Jack and Cheyenne marry", category=Category.ROMANCE, confidence=70))
    )
    b = wait(
        store.create_theory(
            TheoryDraft("Mishi sabotages the gala", category=Category.VILLAIN_ARC, confidence=20)
        )
    )
    clock.advance(days=1)

    wait(store.resolve(a.id, TheoryStatus.CONFIRMED))
    qtbot.waitUntil(lambda: tab.numbers["scored"].text() == "1")
    settle(store)
    # (0.70 − 1)² = 0.09; ln 0.70 = −0.357
    assert tab.numbers["brier"].text() == "0.090"
    assert tab.numbers["log"].text() == "−0.36"
    assert tab.chart_stack.currentWidget() is tab.chart
    assert [(b.low, b.count) for b in tab.chart.bins] == [(70, 1)]
    assert tab.chart.points.count() == 1

    wait(store.resolve(b.id, TheoryStatus.BUSTED))
    qtbot.waitUntil(lambda: tab.numbers["scored"].text() == "2")
    settle(store)
    # mean of 0.09 and (0.20 − 0)² = 0.04 → 0.065
    assert tab.numbers["brier"].text() == "0.065"
    assert [(b.low, b.count) for b in tab.chart.bins] == [(20, 1), (70, 1)]
    assert _texts(tab.models["category"]) == ["Romance", "Villain arc"]

    # Reopening takes the call out of the score again, without a restart.
    wait(store.reopen_many([a.id]))[0]
    qtbot.waitUntil(lambda: tab.numbers["scored"].text() == "1")
    settle(store)
    assert tab.numbers["brier"].text() == "0.040"


def test_re_rating_before_resolution_changes_the_score(qtbot, tab, store, clock):
    t = wait(store.create_theory(TheoryDraft("A time jump", confidence=80)))
    clock.advance(days=3)
    set_confidence(store, t.id, 30, "changed my mind")
    clock.advance(days=1)
    wait(store.resolve(t.id, TheoryStatus.BUSTED))
    # The confidence in force at resolution is 30 %: (0.30 − 0)² = 0.09
    qtbot.waitUntil(lambda: tab.numbers["brier"].text() == "0.090")
    settle(store)


def test_calibration_filter_by_category(qtbot, tab, store):
    for title, category, confidence, outcome in (
        ("r1", Category.ROMANCE, 65, TheoryStatus.CONFIRMED),
        ("r2", Category.ROMANCE, 62, TheoryStatus.BUSTED),
        ("v1", Category.VILLAIN_ARC, 15, TheoryStatus.BUSTED),
    ):
        t = wait(store.create_theory(TheoryDraft(title, category=category, confidence=confidence)))
        wait(store.resolve(t.id, outcome))
    qtbot.waitUntil(lambda: tab.numbers["scored"].text() == "3")
    settle(store)
    combo = tab.calibration_filter
    index = next(i for i in range(combo.count()) if combo.itemText(i).startswith("Category: Romance"))
    combo.setCurrentIndex(index)
    settle(store)
    assert [(b.low, b.count, b.confirmed) for b in tab.chart.bins] == [(60, 2, 1)]
    assert _texts(tab.bin_model) == ["60–70 %"]
    combo.setCurrentIndex(0)
    settle(store)
    assert [(b.low, b.count) for b in tab.chart.bins] == [(10, 1), (60, 2)]


def test_ready_to_resolve_and_bold_calls_open_the_theory(qtbot, tab, store, clock):
    due = wait(store.create_theory(TheoryDraft("Overdue call", confidence=50, resolve_by=date(2026, 2, 1))))
    bold = wait(store.create_theory(TheoryDraft("Long shot", confidence=10)))
    wait(store.resolve(bold.id, TheoryStatus.CONFIRMED))
    qtbot.waitUntil(lambda: tab.models["bold"].rowCount() == 1)
    settle(store)
    assert _texts(tab.models["due"]) == ["Overdue call"]
    assert _texts(tab.models["bold"]) == ["Long shot"]
    with qtbot.waitSignal(store.showTheory) as signal:
        tab.views["due"].doubleClicked.emit(tab.models["due"].index(0, 0))
    assert signal.args == [due.id]


def test_record_models_pass_qt_model_tester(qtmodeltester, store):
    t = wait(store.create_theory(TheoryDraft("x", category=Category.ROMANCE, confidence=40)))
    wait(store.resolve(t.id, TheoryStatus.BUSTED))
    groups = RecordTableModel(GROUP_COLUMNS)
    groups.set_records(store.journal.track.summary().by_category)
    qtmodeltester.check(groups)
    bins = RecordTableModel(BIN_COLUMNS)
    bins.set_records(store.journal.track.calibration())
    qtmodeltester.check(bins)


def test_history_chart_in_the_detail_marks_the_resolution(qtbot, store, clock):
    t = wait(store.create_theory(TheoryDraft("Nicholas returns", confidence=40)))
    clock.advance(days=10)
    set_confidence(store, t.id, 75)
    clock.advance(days=5)
    wait(store.resolve(t.id, TheoryStatus.CONFIRMED))
    board = BoardTab(store)
    qtbot.addWidget(board)
    board.show()
    board.select_theory(t.id)
    settle(store)  # selected once the rows come, then read in full for the detail pane
    chart = board.detail.history_chart
    values = [chart.line.at(i).y() for i in range(chart.line.count())]
    assert values[0] == 40
    assert values[-1] == 75
    assert chart.marker is not None
    assert chart.marker.count() == 1
    assert chart.marker.at(0).y() == 75
    assert chart.marker.pointLabelsFormat() == "Confirmed"
    wait(store.reopen_many([t.id]))[0]
    settle(store)
    assert board.detail.history_chart.marker is None


def test_explanations_name_both_scales():
    assert "0–1" in scoring.BRIER_EXPLANATION
    assert "0–2" in scoring.BRIER_EXPLANATION


def test_refresh_reads_off_the_gui_thread(qtbot, tab, store, monkeypatch):
    track = store.journal.track
    threads: list[tuple[str, str]] = []
    names = ("summary", "calibration", "ready_to_resolve", "bold_calls", "category_ranking")
    record_threads(monkeypatch, track, names, threads)
    t = wait(store.create_theory(TheoryDraft("Read elsewhere", confidence=70)))
    wait(store.resolve(t.id, TheoryStatus.CONFIRMED))
    qtbot.waitUntil(lambda: tab.numbers["scored"].text() == "1")
    settle(store)
    assert {name for name, _ in threads} == set(names)
    assert all(thread.startswith("etoile-read") for _, thread in threads), threads
    assert [(b.low, b.count) for b in tab.chart.bins] == [(70, 1)]


def test_a_newer_refresh_replaces_the_one_under_way(qtbot, tab, store):
    t = wait(store.create_theory(TheoryDraft("Twice asked", confidence=70)))
    wait(store.resolve(t.id, TheoryStatus.CONFIRMED))
    tab.refresh()
    tab.refresh()  # the first read is stopped and never delivered
    settle(store)
    assert tab.numbers["scored"].text() == "1"
    assert tab.numbers["brier"].text() == "0.090"


def test_a_hidden_tab_reads_only_when_shown(qtbot, tab, store):
    tab.hide()
    t = wait(store.create_theory(TheoryDraft("Seen later", confidence=70)))
    wait(store.resolve(t.id, TheoryStatus.CONFIRMED))
    settle(store)
    assert tab.numbers["scored"].text() == "0"
    tab.show()
    settle(store)
    assert tab.numbers["scored"].text() == "1"


def test_multiple_choice_and_conditional_calls_are_said_apart(qtbot, tab, store):
    from etoile_app.domain.models import OptionDraft

    assert not tab.questions_note.isVisible()
    who = wait(
        store.create_theory(
            TheoryDraft(
                "Who ends up with Cheyenne?", options=(OptionDraft("Jack", 70), OptionDraft("Gael", 30))
            )
        )
    )
    wait(store.resolve(who.id, TheoryStatus.CONFIRMED, option="Gael"))
    revived = wait(store.create_theory(TheoryDraft("Étoile is revived by 2028", confidence=20)))
    met = wait(
        store.create_theory(TheoryDraft("Cheyenne runs the Met", confidence=60, condition_id=revived.id))
    )
    wait(store.resolve(met.id, TheoryStatus.CONFIRMED))
    settle(store)
    assert tab.questions_note.isVisible()
    assert tab.questions_note.text() == (
        "Multiple choice: 1 settled, Brier 0.980 on a 0–2 scale, log score −1.20. "
        "Conditional: 0 counted (their condition held), 1 left out (their condition was not confirmed)."
    )

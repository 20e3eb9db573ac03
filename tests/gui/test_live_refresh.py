"""Two members on one journal on a server: what the other writes shows in this window within
two seconds, without a restart, and the window says when it cannot hear them."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import backends
import pytest
from helpers import write
from sqlalchemy import text

from etoile_app.domain.enums import FactStatus, TheoryStatus, Topic
from etoile_app.domain.models import DreamCastDraft, NewsDraft, TheoryRow
from etoile_app.services.journal import Journal
from etoile_app.ui.common.roles import ID_ROLE
from etoile_app.ui.main_window import BOARD, CAST, STATUS, TRACK, MainWindow

from .conftest import settle

pytestmark = pytest.mark.postgresql

#: What the window promises.
WITHIN_MS = 2000


@pytest.fixture
def window(qtbot, store, settings):
    settings.setValue("window/tab", BOARD)
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.attach(store, None)
    settle(store)
    assert w.live is not None
    qtbot.waitUntil(lambda: w.live.connected is True, timeout=5000)
    return w


def _row(window: MainWindow, theory_id: int) -> TheoryRow | None:
    model = window.board_tab.model
    row = model.row_of(theory_id)
    return model.theory_row(row) if row is not None else None


def _shows(qtbot, check: Callable[[], bool]) -> float:
    """Wait (at most what the window promises) until ``check`` holds; how long it took, in ms."""
    started = time.monotonic()
    qtbot.waitUntil(check, timeout=WITHIN_MS)
    return (time.monotonic() - started) * 1000


def test_another_members_theory_forecast_resolution_and_tag_show_on_the_board(
    qtbot, window: MainWindow, other: Journal
) -> None:
    board = window.board_tab
    waited: dict[str, float] = {}

    theory = write(other, "Nadia wins the Prix", confidence=40)
    waited["theory"] = _shows(qtbot, lambda: _row(window, theory.id) is not None)
    assert _row(window, theory.id).title == "Nadia wins the Prix"
    waited["counts"] = _shows(qtbot, lambda: window.counts.text().startswith("1 theory"))

    other.theories.set_confidence(theory.id, 85, "The trailer shows her on stage")
    waited["forecast"] = _shows(qtbot, lambda: _row(window, theory.id).confidence == 85)

    other.theories.set_tags(theory.id, ["gala", "prix"])
    waited["tag"] = _shows(qtbot, lambda: _row(window, theory.id).tags == ("gala", "prix"))
    waited["tag list"] = _shows(qtbot, lambda: "prix" in _filter_tags(board))

    other.theories.resolve(theory.id, "confirmed")
    waited["resolution"] = _shows(qtbot, lambda: _row(window, theory.id).status is TheoryStatus.CONFIRMED)
    waited["counts again"] = _shows(qtbot, lambda: "1 resolved" in window.counts.text())
    print("\nshown after (ms):", {k: round(v) for k, v in waited.items()})


def _filter_tags(board) -> set[str]:
    """The tags the board's filter panel lists."""
    tags = board.filters.tags
    return {tags.item(i).data(ID_ROLE) for i in range(tags.count())}


def test_the_selection_and_the_detail_pane_follow_another_members_change(
    qtbot, window: MainWindow, store, other: Journal
) -> None:
    board = window.board_tab
    mine = [write(store.journal, f"Theory {n:02}") for n in range(30)]
    settle(store)
    board.apply_filters()
    settle(store)
    chosen = mine[12]
    board.select_theory(chosen.id)
    settle(store)
    assert board.current_id() == chosen.id
    scrolled = board.table.verticalScrollBar().value()

    theirs = write(other, "A newcomer")
    _shows(qtbot, lambda: _row(window, theirs.id) is not None)
    settle(store)
    assert board.current_id() == chosen.id  # the selection stayed where it was
    assert abs(board.table.verticalScrollBar().value() - scrolled) <= 1

    other.theories.edit(chosen.id, _with_title(other, chosen.id, "Theory 12, sharpened"), confidence_note="")
    _shows(qtbot, lambda: board.detail.title.text() == "Theory 12, sharpened")
    assert board.current_id() == chosen.id


def _with_title(journal: Journal, theory_id: int, title: str):
    from dataclasses import replace

    return replace(journal.theories.get(theory_id).as_draft(), title=title)


def test_news_dream_casting_and_due_theories_reach_their_tabs(
    qtbot, window: MainWindow, store, other: Journal
) -> None:
    status, cast, track = window.status_tab, window.cast_tab, window.track_tab

    window.go_to_tab(STATUS)
    settle(store)
    other.canon.add_news(
        NewsDraft(Topic.TRAILER, "A teaser leaks.", FactStatus.RUMOURED, "Reddit", date(2026, 2, 2))
    )
    _shows(qtbot, lambda: status.cards[Topic.TRAILER].statement.text() == "A teaser leaks.")

    window.go_to_tab(CAST)
    settle(store)
    before = cast.dream_model.rowCount()
    other.cast.add_dream_cast(DreamCastDraft(role_idea="Rival", actor="Natalia Osipova"))
    _shows(qtbot, lambda: cast.dream_model.rowCount() == before + 1)

    window.go_to_tab(TRACK)
    settle(store)
    due_before = window.due_button.count or 0
    ready_before = track.models["due"].rowCount()
    write(other, "Overdue", resolve_by=date(2026, 2, 1))
    _shows(qtbot, lambda: (window.due_button.count or 0) == due_before + 1)
    _shows(qtbot, lambda: track.models["due"].rowCount() == ready_before + 1)


def test_the_window_says_while_it_cannot_hear_the_others_and_catches_up(
    qtbot, window: MainWindow, store, other: Journal
) -> None:
    live = window.live
    assert live is not None and not window.live_label.isVisibleTo(window)
    name = live.listener.application_name
    with backends.server().admin.connect() as conn:
        # Its connection is refused for a moment, as by a server restarting.
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :app"),
            {"app": name},
        )
    qtbot.waitUntil(lambda: window.live_label.isVisibleTo(window), timeout=WITHIN_MS)
    assert window.live_label.text() == "Live updates paused: reconnecting…"
    # Written while it was away: seen once it is back, with everything read again.
    theirs = write(other, "Said while away")
    qtbot.waitUntil(lambda: not window.live_label.isVisibleTo(window), timeout=10000)
    _shows(qtbot, lambda: _row(window, theirs.id) is not None)


def test_the_windows_own_changes_are_not_read_twice(qtbot, window: MainWindow, store) -> None:
    heard: list[frozenset[str]] = []
    window.live.changed.connect(heard.append)
    write(store.journal, "Mine")
    qtbot.wait(600)
    assert heard == []


def test_closing_the_window_ends_the_listener(qtbot, window: MainWindow) -> None:
    listener = window.live.listener
    assert listener.running()
    started = time.monotonic()
    window.close()
    assert not listener.running()
    assert time.monotonic() - started < 2.0

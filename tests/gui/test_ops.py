"""Database work off the GUI thread: the window never waits, stale reads are stopped and never
shown, writes keep their order, and every failure reaches one error path."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from sqlalchemy import text

from etoile_app.domain.errors import CancelledError, JournalError
from etoile_app.domain.models import TheoryDraft
from etoile_app.ui.board import model as bm
from etoile_app.ui.board.tab import BoardTab

from .conftest import settle, wait

ENDLESS = text(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000000) "
    "SELECT count(*) FROM n"
)


class Heartbeat:
    """A timer on the GUI thread that records how late the event loop runs it."""

    def __init__(self, interval_ms: int = 5) -> None:
        self.interval = interval_ms
        self.lateness: list[float] = []
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._beat)

    def start(self) -> None:
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _beat(self) -> None:
        self.lateness.append(max(0.0, self._clock.restart() - self.interval))


def _board(qtbot, store) -> BoardTab:
    tab = BoardTab(store)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    qtbot.waitExposed(tab)
    # What the board fills in after its first paint (filter lists, the detail pane and its
    # chart) is done before the heartbeat starts.
    qtbot.waitUntil(lambda: tab._fill_in_later.done)
    settle(store)
    return tab


def _slow_search(monkeypatch, store, word: str, log: list) -> None:
    """Make the board's query for ``word`` run one endless SQL statement (until stopped)."""
    page = store.board.page

    def slow_page(query, offset=0, limit=200):
        if word in query.text:
            log.append(("started", query.text, threading.current_thread().name))
            try:
                with store.board._sessions() as s:
                    s.execute(ENDLESS).scalar()
            except BaseException as exc:
                log.append(("ended", query.text, type(exc).__name__))
                raise
        return page(query, offset, limit)

    monkeypatch.setattr(store.board, "page", slow_page)


def test_a_slow_search_never_blocks_the_window(qtbot, store, monkeypatch):
    wait(store.create_theory(TheoryDraft("Cheyenne returns to Paris", confidence=60)))
    tab = _board(qtbot, store)
    log: list = []
    _slow_search(monkeypatch, store, "paris", log)
    beat = Heartbeat()
    beat.start()
    qtbot.keyClicks(tab.search, "paris")
    qtbot.waitUntil(lambda: bool(log))
    # While the query runs on its thread, the window keeps taking keys and painting.
    qtbot.wait(300)
    beat.stop()
    assert log[0][2].startswith("etoile-read")
    assert tab.search.text() == "paris"
    assert len(beat.lateness) > 20
    assert max(beat.lateness) < 150, beat.lateness  # generous for a shared machine; no freeze
    assert tab.model.query_pending()
    tab.search.clear()  # the next keystroke stops the slow query
    settle(store)
    # The statement ends with the driver's word for an interrupted or cancelled statement
    # (the ops then report the read as stopped, never as an error).
    ended = [entry for entry in log if entry[0] == "ended"]
    assert ended and ended[0][1] == "paris"
    assert not store.ops.pending()
    assert tab.model.rowCount() == 1


def test_a_stale_search_is_stopped_and_its_rows_never_shown(qtbot, store, monkeypatch):
    for title in ("Cheyenne returns to Paris", "Jack stays in New York", "Gael dances again"):
        wait(store.create_theory(TheoryDraft(title, confidence=50)))
    tab = _board(qtbot, store)
    log: list = []
    _slow_search(monkeypatch, store, "paris", log)
    applied: list[str] = []
    tab.model.queryApplied.connect(lambda: applied.append(tab.model.query().text))
    tab.search.setText("paris")
    qtbot.waitUntil(lambda: bool(log))
    tab.search.setText("jack")
    settle(store)
    assert applied == ["jack"]  # the stale query never reached the screen
    assert log[-1][:2] == ("ended", "paris")
    assert [tab.model.data(tab.model.index(0, bm.COL_TITLE))] == ["Jack stays in New York"]


def test_a_refusal_from_background_work_reaches_the_error_path(qtbot, store, monkeypatch):
    tab = _board(qtbot, store)

    def refuse(*_args, **_kwargs):
        raise JournalError("The journal could not be read just now.")

    monkeypatch.setattr(store.board, "page", refuse)
    with qtbot.waitSignal(store.failed) as failed:
        tab.search.setText("anything")
    assert [str(arg) for arg in failed.args] == ["The journal could not be read just now."]
    settle(store)
    assert not tab.model.query_pending()  # the board is not left waiting


def test_a_bug_in_background_work_goes_to_the_crash_handler(qtbot, store, monkeypatch):
    seen: list[BaseException] = []
    monkeypatch.setattr("sys.excepthook", lambda _type, exc, _tb: seen.append(exc))
    store.ops.read(lambda: 1 / 0, lambda _value: None)
    settle(store)
    assert len(seen) == 1 and isinstance(seen[0], ZeroDivisionError)


def test_writes_run_one_at_a_time_in_the_order_asked(qtbot, store):
    order: list[int] = []
    running = threading.Semaphore(1)
    overlapped: list[int] = []

    def write(i: int):
        if not running.acquire(blocking=False):
            overlapped.append(i)
            running.acquire()
        try:
            time.sleep(0.002)
            order.append(i)
        finally:
            running.release()
        return i

    delivered: list[int] = []
    for i in range(30):
        store.ops.write(lambda i=i: write(i), delivered.append)
    settle(store)
    assert order == list(range(30)) and delivered == list(range(30))
    assert overlapped == []


def test_a_read_replaced_by_the_next_with_its_key_is_never_delivered(qtbot, store):
    gate = threading.Event()
    got: list[str] = []
    store.ops.read(lambda: gate.wait(5) and "old", got.append, key="k")
    store.ops.read(lambda: "new", got.append, key="k")
    gate.set()
    settle(store)
    assert got == ["new"]


def test_a_job_reports_progress_and_can_be_cancelled(qtbot, store):
    seen: list[tuple[int, int]] = []
    store.ops.progress.connect(lambda _ticket, done, total, _text: seen.append((done, total)))
    release = threading.Event()
    outcome: list[str] = []

    def job(progress):
        for i in range(1, 1001):
            progress.report(i, 1000, "counting")
            if i == 10:
                release.wait(5)
        return "finished"

    running: list[bool] = []
    store.ops.jobRunning.connect(running.append)
    ticket = store.ops.job(job, outcome.append, cancelled=lambda: outcome.append("cancelled"))
    qtbot.waitUntil(lambda: bool(seen))
    assert store.ops.job_running()
    ticket.cancel()
    release.set()
    settle(store)
    assert outcome == ["cancelled"]
    assert running == [True, False] and not store.ops.job_running()
    assert all(total == 1000 for _, total in seen) and seen[-1][0] < 1000


def test_shutdown_waits_for_the_writes_asked_for(qtbot, store):
    done: list[int] = []
    for i in range(5):
        store.ops.write(lambda i=i: time.sleep(0.01) or i)
    store.ops.write(lambda: done.append(1))
    store.ops.shutdown(wait=True)
    assert done == [1]
    # Work asked for after shutdown (a view repainting as the window closes) never runs.
    ran: list[int] = []
    ticket = store.ops.read(lambda: ran.append(1), lambda _v: None)
    assert ticket.cancelled and ran == []


def test_cancelled_error_is_a_journal_error():
    assert issubclass(CancelledError, JournalError)


@pytest.fixture(autouse=True)
def _no_leftover_work(store):
    yield
    settle(store)


def test_keys_that_arrive_together_make_one_query(qtbot, store, monkeypatch):
    wait(store.create_theory(TheoryDraft("Cheyenne returns to Paris", confidence=60)))
    tab = _board(qtbot, store)
    asked: list[str] = []
    page = store.board.page

    def counted(query, offset=0, limit=200):
        asked.append(query.text)
        return page(query, offset, limit)

    monkeypatch.setattr(store.board, "page", counted)
    for typed in ("p", "pa", "par", "pari", "paris"):  # as a paste or auto-repeat delivers them
        tab.search.setText(typed)
    assert store.ops.debouncing("board.filters") and store.ops.pending() >= 1
    settle(store)
    assert asked == ["paris"]
    assert tab.model.rowCount() == 1

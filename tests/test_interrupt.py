"""Stopping a query another thread runs: the storage side of cancelling a stale search."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from etoile_app.domain.errors import CancelledError
from etoile_app.services.background import StopToken, stoppable

#: A statement that runs for minutes unless interrupted (a recursive count to ten billion).
ENDLESS = text(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000000) "
    "SELECT count(*) FROM n"
)


def _run_in_thread(journal, token: StopToken) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def work() -> None:
        started = time.perf_counter()
        try:
            with stoppable(token), journal.database.sessions() as s:
                outcome["value"] = s.execute(ENDLESS).scalar()
        except BaseException as exc:
            outcome["error"] = exc
        outcome["seconds"] = time.perf_counter() - started

    thread = threading.Thread(target=work)
    thread.start()
    return thread, outcome


def test_stop_interrupts_a_running_query_from_another_thread(journal) -> None:
    token = StopToken()
    thread, outcome = _run_in_thread(journal, token)
    time.sleep(0.2)  # let the statement start
    assert thread.is_alive()
    token.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert isinstance(outcome.get("error"), CancelledError)
    assert outcome["seconds"] < 5


def test_a_stopped_token_refuses_the_next_statement(journal) -> None:
    token = StopToken()
    token.stop()
    with pytest.raises(CancelledError), stoppable(token):
        journal.board.count(_everything())


def test_the_connection_works_again_after_an_interrupt(journal) -> None:
    token = StopToken()
    thread, _ = _run_in_thread(journal, token)
    time.sleep(0.1)
    token.stop()
    thread.join(timeout=5)
    # The pool hands the interrupted connection to the next caller: it must be usable.
    for _ in range(3):
        assert journal.board.count(_everything()) == 0


def test_work_without_a_token_is_never_interrupted(journal) -> None:
    other = StopToken()
    with stoppable(other):
        pass
    other.stop()  # a token whose work ended: stopping it touches no connection
    assert journal.board.count(_everything()) == 0


def _everything():
    from etoile_app.domain.models import TheoryQuery

    return TheoryQuery()


def test_a_connection_handed_back_is_not_interrupted_by_a_later_stop(journal) -> None:
    """Work that reads through several sessions hands connections back to the pool before it
    ends; another thread may then use one, and this work's stop must not reach it."""
    token = StopToken()
    with stoppable(token):
        journal.board.count(_everything())  # a session opened, used and closed
        assert token._connections == set()

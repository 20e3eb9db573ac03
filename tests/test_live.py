"""Hearing other clients' changes to a journal on a server (``storage.live``): another
client's change is heard as it commits, the client's own is not, a lost connection is made
again (and says so), and stopping is prompt."""

from __future__ import annotations

import json
import queue
import time

import backends
import pytest
from helpers import write
from sqlalchemy import make_url, text

from etoile_app.services.journal import Journal
from etoile_app.storage.engine import client_name
from etoile_app.storage.live import (
    EVERYTHING,
    POLL_SECONDS,
    Listener,
    changed_tables,
    connect_args,
    listener_for,
)

#: What the window promises: another member's change shows within two seconds.
HEARD_WITHIN = 2.0


class Heard:
    """A listener's callbacks, kept in queues the test thread waits on."""

    def __init__(self) -> None:
        self.changes: queue.Queue[tuple[float, frozenset[str]]] = queue.Queue()
        self.states: queue.Queue[bool] = queue.Queue()

    def change(self, tables: frozenset[str]) -> None:
        self.changes.put((time.monotonic(), tables))

    def state(self, connected: bool) -> None:
        self.states.put(connected)

    def next_change(self, timeout: float = HEARD_WITHIN) -> tuple[float, frozenset[str]]:
        return self.changes.get(timeout=timeout)

    def nothing_more(self, wait: float = 0.5) -> bool:
        time.sleep(wait)
        return self.changes.empty()


@pytest.fixture
def heard() -> Heard:
    return Heard()


@pytest.fixture
def listening(journal: Journal, heard: Heard):
    listener = listener_for(journal.database, heard.change, heard.state)
    assert listener is not None
    listener.start()
    assert heard.states.get(timeout=5) is True
    yield listener
    assert listener.stop()


def _end_connection(database: str, application_name: str) -> int:
    """End the server's side of one client's connection, as an administrator (or a restart) would."""
    with backends.server().admin.connect() as conn:
        return conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = :db AND application_name = :app"
            ),
            {"db": database, "app": application_name},
        ).scalar_one()


# --- without a server ----------------------------------------------------------------------


def test_announcements_of_other_clients_name_their_tables() -> None:
    def said(table: str, by: str) -> str:
        return json.dumps({"table": table, "by": by})

    payloads = [said("theories", "etoile-journal/them"), said("tags", "etoile-journal/me"), "not json"]
    assert changed_tables(payloads, "etoile-journal/me") == {"theories", EVERYTHING}
    assert changed_tables([said("theories", "etoile-journal/me")], "etoile-journal/me") == set()
    # Without a name of its own, every change is someone else's.
    assert changed_tables([said("tags", "etoile-journal/me")], None) == {"tags"}
    # The server keeps 63 characters of a name: a longer one still knows its own.
    long = "x" * 80
    assert changed_tables([said("tags", long[:63])], long) == set()


def test_the_listeners_connection_comes_from_the_journals_url() -> None:
    url = make_url("postgresql+psycopg://ann:s3cret@db.example:6543/club?sslmode=require&connect_timeout=7")
    args = connect_args(url, "etoile-journal/abc/live")
    assert args["user"] == "ann" and args["password"] == "s3cret"
    assert (args["host"], args["port"], args["dbname"]) == ("db.example", 6543, "club")
    assert args["sslmode"] == "require" and args["connect_timeout"] == "7"
    assert args["application_name"] == "etoile-journal/abc/live"
    assert args["keepalives"] == 1


def test_a_server_that_is_not_there_is_said_and_stopping_is_still_prompt(heard: Heard) -> None:
    url = make_url("postgresql+psycopg://nobody@127.0.0.1:9/none")  # the discard port: refused
    listener = Listener(connect_args(url, "etoile-journal/test/live"), None, heard.change, heard.state)
    listener.start()
    assert heard.states.get(timeout=5) is False
    started = time.monotonic()
    assert listener.stop()
    assert time.monotonic() - started < 1.0
    assert not listener.running()


@pytest.mark.sqlite
def test_a_journal_in_a_file_has_nobody_to_hear(journal: Journal, heard: Heard) -> None:
    assert listener_for(journal.database, heard.change, heard.state) is None


# --- on a server ---------------------------------------------------------------------------


@pytest.mark.postgresql
def test_another_clients_change_is_heard_and_its_own_is_not(
    journal: Journal, other: Journal, heard: Heard, listening: Listener
) -> None:
    assert client_name(journal.database.engine) != client_name(other.database.engine)
    write(journal, "Mine")
    assert heard.nothing_more(), "the client's own change was heard"

    committed = time.monotonic()
    theory = write(other, "Theirs", tags=("gala",))
    at, tables = heard.next_change()
    assert {"theories", "theory_tags", "tags"} <= tables
    assert at - committed < HEARD_WITHIN

    other.theories.resolve(theory.id, "confirmed")
    _at, tables = heard.next_change()
    assert "theories" in tables


@pytest.mark.postgresql
def test_a_lost_connection_is_made_again_and_says_everything_may_have_changed(
    journal: Journal, other: Journal, heard: Heard, listening: Listener
) -> None:
    assert _end_connection(journal.database.url.database, listening.application_name) == 1
    assert heard.states.get(timeout=5) is False
    assert heard.states.get(timeout=5) is True
    _at, tables = heard.next_change()
    assert tables == {EVERYTHING}  # what was said while it was away was missed

    write(other, "After the restart")
    _at, tables = heard.next_change()
    assert "theories" in tables


@pytest.mark.postgresql
def test_it_comes_back_each_time_its_connection_is_ended(
    journal: Journal, other: Journal, heard: Heard, listening: Listener
) -> None:
    for _ in range(2):
        assert _end_connection(journal.database.url.database, listening.application_name) == 1
        assert heard.states.get(timeout=5) is False
        assert heard.states.get(timeout=10) is True
        assert heard.next_change()[1] == {EVERYTHING}
    write(other, "Still heard")
    assert "theories" in heard.next_change()[1]


@pytest.mark.postgresql
def test_stopping_is_prompt_and_nothing_is_heard_after(
    journal: Journal, other: Journal, heard: Heard
) -> None:
    listener = listener_for(journal.database, heard.change, heard.state)
    assert listener is not None
    listener.start()
    assert heard.states.get(timeout=5) is True
    started = time.monotonic()
    assert listener.stop()
    assert time.monotonic() - started < POLL_SECONDS + 0.5
    assert not listener.running()
    write(other, "Unheard")
    assert heard.nothing_more()
    assert heard.states.empty()  # stopping is not losing the connection

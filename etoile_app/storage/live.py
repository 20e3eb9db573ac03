"""Hearing, as they commit, the changes other clients make to a journal on a server.

Every table of a journal on PostgreSQL announces each change on :data:`CHANNEL` with the
table's name and the writer's ``application_name`` (migration 0010). A :class:`Listener`
keeps a connection of its own (autocommit, idle but for ``LISTEN``) on a daemon thread and
calls ``on_change`` with the tables other clients changed; its own engine's changes are
left out, as the window that made them already shows them.

When the connection goes (a server restart, an administrator, the network) it connects
again, waiting a little longer each time (:data:`RETRY_FIRST` doubling to :data:`RETRY_MAX`),
and then says :data:`EVERYTHING` changed: what was announced meanwhile was never heard.
``on_state`` hears whether it is connected, so the window can say that live updates paused.

A journal in a SQLite file has one writer at a time and nobody to hear: no listener.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import secrets
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL

from etoile_app.storage.engine import APPLICATION_NAME, client_name

if TYPE_CHECKING:
    import psycopg

    from etoile_app.storage.database import Database

log = logging.getLogger("etoile_app.live")

#: The channel every change is announced on (migration 0010's).
CHANNEL = "etoile_changes"
#: In a set of changed tables: anything may have changed (news was missed while disconnected).
EVERYTHING = "*"
#: The longest the thread waits for news before looking whether it should stop.
POLL_SECONDS = 0.25
#: Waits between attempts to connect again: the first, and the longest it doubles to.
RETRY_FIRST = 0.5
RETRY_MAX = 5.0
#: Seconds to wait for the server to answer a new connection, unless the URL says.
CONNECT_TIMEOUT = 5
#: A server that vanished without closing the connection (a network gone) is noticed after
#: about idle + interval × count seconds of silence: TCP keepalives, unless the URL says.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
#: The longest ``application_name`` a server keeps (NAMEDATALEN - 1): longer ones are cut.
NAME_MAX = 63

OnChange = Callable[[frozenset[str]], Any]
OnState = Callable[[bool], Any]


def connect_args(url: URL, application_name: str) -> dict[str, Any]:
    """What ``psycopg.connect`` needs to reach the database of a SQLAlchemy ``url``: its
    login, host, port and database, and its query options (``sslmode``, a socket folder…)."""
    args: dict[str, Any] = url.translate_connect_args(username="user", database="dbname")
    for key, value in url.query.items():
        # A key given twice (several hosts) is a tuple in the URL, a list in libpq's words.
        args[key] = ",".join(value) if isinstance(value, tuple) else value
    args.setdefault("connect_timeout", CONNECT_TIMEOUT)
    for key, value in KEEPALIVES.items():
        args.setdefault(key, value)
    args["application_name"] = application_name
    return args


def changed_tables(payloads: Iterable[str], own: str | None) -> frozenset[str]:
    """The tables named in announcements ``payloads`` by clients other than ``own``. An
    announcement that cannot be read counts as :data:`EVERYTHING`."""
    own = own[:NAME_MAX] if own else None
    tables: set[str] = set()
    for payload in payloads:
        try:
            news = json.loads(payload)
            table, by = news["table"], news.get("by")
        except (ValueError, TypeError, KeyError):
            tables.add(EVERYTHING)
            continue
        if own is None or by != own:
            tables.add(str(table))
    return frozenset(tables)


class Listener:
    """Listens for other clients' changes on a thread of its own, until :meth:`stop`."""

    def __init__(
        self,
        args: dict[str, Any],
        own: str | None,
        on_change: OnChange,
        on_state: OnState | None = None,
    ) -> None:
        self._args, self._own = args, own
        self._on_change, self._on_state = on_change, on_state
        self._stopping = threading.Event()
        # Held while a callback runs: once stop() has it, no callback starts again.
        self._calling = threading.Lock()
        self._thread: threading.Thread | None = None
        #: Whether the connection is up and listening (``None`` before the first attempt).
        self.connected: bool | None = None

    @property
    def application_name(self) -> str:
        """How the listener's own connection shows in the server's list of clients."""
        return str(self._args["application_name"])

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="etoile-live", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop listening; no callback runs once this returns. Waits up to ``timeout`` seconds
        for the thread to end (it ends within :data:`POLL_SECONDS` unless it is connecting);
        returns whether it has."""
        with self._calling:
            self._stopping.set()
        thread = self._thread
        if thread is None or thread is threading.current_thread():
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # --- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        import psycopg

        delay = RETRY_FIRST
        missed = False  # whether announcements may have gone unheard since the journal was read
        while not self._stopping.is_set():
            try:
                conn = psycopg.connect(**self._args, autocommit=True)
            except psycopg.Error as exc:
                log.info("live updates: cannot connect: %s", " ".join(str(exc).split()))
            else:
                try:
                    with conn:
                        conn.execute(f"LISTEN {CHANNEL}")
                        self._state(True)
                        delay = RETRY_FIRST
                        if missed:
                            self._tell(frozenset({EVERYTHING}))
                        self._listen(conn)
                except psycopg.Error as exc:
                    if not self._stopping.is_set():
                        log.info("live updates: connection lost: %s", " ".join(str(exc).split()))
                if self._stopping.is_set():
                    break
            missed = True
            self._state(False)
            if self._stopping.wait(delay):
                break
            delay = min(delay * 2, RETRY_MAX)

    def _listen(self, conn: psycopg.Connection) -> None:
        while not self._stopping.is_set():
            # Announcements committed together arrive together: stop_after=1 hands back the
            # whole packet holding the first, so one transaction makes one call.
            notes = list(conn.notifies(timeout=POLL_SECONDS, stop_after=1))
            tables = changed_tables((n.payload for n in notes if n.channel == CHANNEL), self._own)
            if tables:
                self._tell(tables)

    def _tell(self, tables: frozenset[str]) -> None:
        with self._calling:
            if self._stopping.is_set():
                return
            try:
                self._on_change(tables)
            except Exception:  # the listener outlives a listener's bug
                log.exception("live updates: a change could not be passed on")

    def _state(self, connected: bool) -> None:
        if self.connected is connected:
            return
        self.connected = connected
        with self._calling:
            if self._stopping.is_set() or self._on_state is None:
                return
            try:
                self._on_state(connected)
            except Exception:
                log.exception("live updates: a state could not be passed on")


def listener_for(database: Database, on_change: OnChange, on_state: OnState | None = None) -> Listener | None:
    """A listener (not started) for the journal ``database``, or ``None`` where there is
    nothing to hear: a SQLite file (or a server, should psycopg be missing)."""
    engine = database.engine
    url = engine.url
    if url.get_backend_name() != "postgresql" or importlib.util.find_spec("psycopg") is None:
        return None
    own = client_name(engine)
    name = f"{own}/live" if own else f"{APPLICATION_NAME}/{secrets.token_hex(6)}/live"
    return Listener(connect_args(url, name[:NAME_MAX]), own, on_change, on_state)

"""Stopping the queries another thread is running: a search made stale by the next keystroke.

A :class:`StopToken` is made for one piece of background work. While that work runs inside
:func:`stoppable`, every connection it executes a statement on is noted in the token;
:meth:`StopToken.stop`, called from any thread, marks the token and interrupts those
connections, and any statement the work starts afterwards is refused before it runs. SQLite's
``interrupt()`` is safe to call from another thread and returns at once; a PostgreSQL server is
asked to cancel the statement (psycopg's ``cancel_safe()``, a round trip to the server) from a
short-lived thread, so the caller (a keystroke on the GUI thread) never waits for the network,
and the connection is not handed to other work until the request has gone. Either way the work ends with
:class:`~etoile_app.domain.errors.CancelledError`; a transaction it had open is rolled back.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

from etoile_app.domain.errors import CancelledError

_local = threading.local()
#: Seconds a cancel request to a server may take before it is given up.
CANCEL_TIMEOUT = 5.0


class StopToken:
    """Whether one piece of work should stop, and the connections to interrupt when it should."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: set[Any] = set()
        self._stopped = False

    @property
    def stopped(self) -> bool:
        return self._stopped

    def stop(self) -> None:
        """Stop the work: interrupt what it runs now, refuse what it starts next."""
        with self._lock:
            self._stopped = True
            for connection in self._connections:
                interrupt = getattr(connection, "interrupt", None)
                if interrupt is not None:
                    interrupt()
                elif hasattr(connection, "cancel_safe"):
                    threading.Thread(
                        target=self._cancel, args=(connection,), name="etoile-cancel", daemon=True
                    ).start()

    def _cancel(self, connection: Any) -> None:
        # Under the lock: the pool's check-in waits (see install), so the request cannot
        # reach a statement that other work starts on this connection afterwards.
        with self._lock:
            if connection not in self._connections:
                return  # the statement ended and the connection went back meanwhile
            # A server that went away has ended the statement either way.
            with contextlib.suppress(Exception):
                connection.cancel_safe(timeout=CANCEL_TIMEOUT)

    def check(self) -> None:
        """Raise :class:`CancelledError` if the work was stopped (for loops between queries)."""
        if self._stopped:
            raise CancelledError()

    def _enter(self, connection: Any) -> None:
        with self._lock:
            if self._stopped:
                raise CancelledError()
            self._connections.add(connection)

    def _release(self, connection: Any) -> None:
        with self._lock:
            self._connections.discard(connection)

    def _leave_all(self) -> None:
        with self._lock:
            self._connections.clear()


@contextmanager
def stoppable(token: StopToken) -> Iterator[StopToken]:
    """Run the body's queries (on this thread) so that ``token.stop()`` can stop them."""
    outer = getattr(_local, "token", None)
    _local.token = token
    try:
        yield token
    except CancelledError:
        raise
    except Exception as exc:
        # An interrupted statement fails with "interrupted" (or, mid-commit, whatever SQLite
        # makes of it): once stopped, any failure is the stop.
        if token.stopped:
            raise CancelledError() from exc
        raise
    finally:
        token._leave_all()
        _local.token = outer


def install(engine: Engine) -> None:
    """Note each statement's connection in the token of the work running it, if any."""

    @event.listens_for(engine, "before_cursor_execute")
    def _note(conn: Any, _cursor: Any, _statement: Any, _params: Any, _context: Any, _many: Any) -> None:
        token: StopToken | None = getattr(_local, "token", None)
        if token is not None:
            token._enter(conn.connection.dbapi_connection)

    # A connection handed back to the pool may serve another thread's work next: a stop of
    # this work must not interrupt that (work that opens several sessions hands some back
    # before it ends).
    @event.listens_for(engine.pool, "checkin")
    def _released(dbapi_connection: Any, _record: Any) -> None:
        token: StopToken | None = getattr(_local, "token", None)
        if token is not None and dbapi_connection is not None:
            token._release(dbapi_connection)

"""The one place the window's database work runs: off the GUI thread, results back by signal.

- :meth:`Operations.read` runs a query on a reader thread. Reads given the same ``key`` (the
  board's query, its count) replace each other: submitting one stops the one before it
  (SQLite's ``interrupt()``) and its result is never delivered.
- :meth:`Operations.write` runs a change on the one writer thread: changes run one at a time,
  in the order they were asked for.
- :meth:`Operations.debounce` holds a call back until the keys typed together have come.
- :meth:`Operations.job` runs a long piece of work (import, export, backup, restore) on the
  writer thread with progress, and a way to cancel it where stopping is safe.

The work is a plain function of the services, which return frozen records: no ORM object
or session crosses threads. ``done`` runs on the GUI thread with the result. A refusal
(:class:`JournalError`) goes to ``failed`` if given, else to :attr:`Operations.failed`, which
the window shows as a message; anything else is a bug and goes to ``sys.excepthook`` (the log
and the crash dialog), and ``failed`` hears an :class:`UnexpectedError`. A stopped read ends silently.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from etoile_app.domain.errors import CancelledError, JournalError, UnexpectedError
from etoile_app.services.background import StopToken, stoppable

T = TypeVar("T")
log = logging.getLogger("etoile_app.ops")

#: Threads that read at once: a search can run while a page of the board loads.
READERS = 2
#: The least time between two progress reports of a job that reach the GUI thread.
PROGRESS_EVERY = 0.05


@dataclass(eq=False)
class Ticket(Generic[T]):
    """One piece of submitted work. :meth:`cancel` stops it and drops its result."""

    kind: str
    key: str | None = None
    token: StopToken = field(default_factory=StopToken)
    finished: bool = False
    #: Once finished: what the work returned, or the error it raised.
    result: Any = None
    error: BaseException | None = None

    @property
    def cancelled(self) -> bool:
        return self.token.stopped

    def cancel(self) -> None:
        self.token.stop()


class Progress:
    """Handed to a job: it says how far it has got, and learns whether it should stop."""

    def __init__(self, ops: Operations, ticket: Ticket[Any]) -> None:
        self._ops, self._ticket, self._last = ops, ticket, 0.0
        self._shown: tuple[int, str] | None = None

    def report(self, done: int, total: int, text: str = "") -> None:
        """``done`` of ``total`` steps; raises :class:`CancelledError` once cancelled.

        What reaches the window is thinned out: a new percent or a new step always does,
        anything else at most every :data:`PROGRESS_EVERY` seconds."""
        self._ticket.token.check()
        now = time.perf_counter()
        shown = (done * 100 // total if total else 0, text)
        if shown != self._shown or now - self._last >= PROGRESS_EVERY:
            self._last, self._shown = now, shown
            self._ops._progress_box.emit(self._ticket, done, total, text)

    def check(self) -> None:
        self._ticket.token.check()


class Operations(QObject):
    #: A refusal from background work that nobody else handled: the :class:`JournalError`
    #: (its message says why; a server's own words are in its ``detail``), or a message.
    failed = Signal(object)
    #: How many pieces of work are waiting or running (0: idle).
    pendingChanged = Signal(int)
    #: A long job started or ended: actions that conflict with it are disabled meanwhile.
    jobRunning = Signal(bool)
    #: A long job's progress: ticket, done, total, what it is doing.
    progress = Signal(object, int, int, str)

    # Results cross from the worker threads to the GUI thread through these.
    _result_box = Signal(object, object, object)
    _progress_box = Signal(object, int, int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._readers = ThreadPoolExecutor(READERS, thread_name_prefix="etoile-read")
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="etoile-write")
        self._keyed: dict[str, Ticket[Any]] = {}
        self._pending: set[Ticket[Any]] = set()
        self._jobs = 0
        self._closed = False
        self._debounced: dict[str, QTimer] = {}
        self._calls: dict[str, Callable[[], Any]] = {}
        self._after_writes: list[Callable[[], Any]] = []
        self._when_idle: list[Callable[[], Any]] = []
        queued = Qt.ConnectionType.QueuedConnection
        self._result_box.connect(self._deliver, queued)
        self._progress_box.connect(self._progress, queued)

    # --- submitting ------------------------------------------------------------------------

    def read(
        self,
        work: Callable[[], T],
        done: Callable[[T], Any],
        *,
        key: str | None = None,
        failed: Callable[[JournalError], Any] | None = None,
    ) -> Ticket[T]:
        """Run the query ``work`` on a reader thread; a read with the same ``key`` stops this one."""
        if key is not None:
            self.cancel(key)
        ticket: Ticket[T] = Ticket("read", key)
        if key is not None:
            self._keyed[key] = ticket
        return self._submit(self._readers, ticket, work, done, failed)

    def write(
        self,
        work: Callable[[], T],
        done: Callable[[T], Any] | None = None,
        *,
        failed: Callable[[JournalError], Any] | None = None,
    ) -> Ticket[T]:
        """Run the change ``work`` on the writer thread, after every change asked for before it."""
        ticket: Ticket[T] = Ticket("write")
        return self._submit(self._writer, ticket, work, done, failed)

    def job(
        self,
        work: Callable[[Progress], T],
        done: Callable[[T], Any] | None = None,
        *,
        failed: Callable[[JournalError], Any] | None = None,
        cancelled: Callable[[], Any] | None = None,
    ) -> Ticket[T]:
        """Run a long job on the writer thread; it reports progress through its :class:`Progress`."""
        ticket: Ticket[T] = Ticket("job")
        progress = Progress(self, ticket)
        self._submit(self._writer, ticket, lambda: work(progress), done, failed, cancelled)
        if not self._closed:
            self._jobs += 1
            if self._jobs == 1:
                self.jobRunning.emit(True)
        return ticket

    def refuse(self, error: JournalError, failed: Callable[[JournalError], Any] | None = None) -> Ticket[Any]:
        """Refuse a piece of work without running it: ``error`` reaches ``failed`` (or
        :attr:`failed`) from the event loop, as a refusal from a thread would."""
        ticket: Ticket[Any] = Ticket("write")
        self._pending.add(ticket)
        self.pendingChanged.emit(self.pending())
        self._result_box.emit(ticket, (False, error), (None, failed, None))
        return ticket

    def when_written(self, call: Callable[[], Any]) -> None:
        """Run ``call`` on the GUI thread once every write and job asked for so far has come
        back (at once if none is under way): an undo then acts on the step they pushed."""
        if self.writing():
            self._after_writes.append(call)
        else:
            call()

    def when_idle(self, call: Callable[[], Any]) -> None:
        """Run ``call`` on the GUI thread once no work at all is waiting or running (at once if
        none is): what can wait (building tabs not in view) does not hold up what is asked for."""
        if self.pending():
            self._when_idle.append(call)
        else:
            call()

    def debounce(self, key: str, delay_ms: int, call: Callable[[], Any]) -> None:
        """Run ``call`` on the GUI thread once no other call under ``key`` came for ``delay_ms``
        (0: once the event loop has taken everything waiting, so keys that arrive together make
        one query). Waiting counts as pending work."""
        timer = self._debounced.get(key)
        if timer is None:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda: self._fire(key))
            self._debounced[key] = timer
        self._calls[key] = call
        timer.setInterval(delay_ms)
        was_idle = self.pending() == 0
        timer.start()
        if was_idle:
            self.pendingChanged.emit(self.pending())

    def debouncing(self, key: str) -> bool:
        """Whether a call under ``key`` is waiting for :meth:`debounce`'s quiet moment."""
        timer = self._debounced.get(key)
        return timer is not None and timer.isActive()

    def _fire(self, key: str) -> None:
        call = self._calls.pop(key, None)
        if call is not None:
            call()
        self.pendingChanged.emit(self.pending())
        self._idle_now()

    def cancel(self, key: str) -> None:
        """Stop the read submitted under ``key``, if it has not finished."""
        old = self._keyed.pop(key, None)
        if old is not None and not old.finished:
            old.cancel()

    def cancel_jobs(self) -> None:
        """Stop the long jobs under way, where they can stop (an import then writes nothing)."""
        for ticket in list(self._pending):
            if ticket.kind == "job":
                ticket.cancel()

    # --- state -----------------------------------------------------------------------------

    def pending(self) -> int:
        """Pieces of work waiting (debounced), queued or running."""
        return len(self._pending) + sum(t.isActive() for t in self._debounced.values())

    def job_running(self) -> bool:
        return self._jobs > 0

    def writing(self) -> bool:
        """Whether a write or job is queued or running, or its result is still on its way."""
        return any(t.kind != "read" for t in self._pending)

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop the reads and (with ``wait``) let the writes and jobs asked for finish."""
        self._closed = True
        for timer in self._debounced.values():
            timer.stop()
        self._calls.clear()
        self._after_writes.clear()
        self._when_idle.clear()
        for ticket in list(self._pending):
            if ticket.kind == "read":
                ticket.cancel()
        self._readers.shutdown(wait=wait, cancel_futures=True)
        self._writer.shutdown(wait=wait)

    # --- running ---------------------------------------------------------------------------

    def _submit(
        self,
        pool: ThreadPoolExecutor,
        ticket: Ticket[T],
        call: Callable[[], T],
        done: Callable[[T], Any] | None,
        failed: Callable[[JournalError], Any] | None,
        cancelled: Callable[[], Any] | None = None,
    ) -> Ticket[T]:
        if self._closed:
            # The journal is closing (a view repainting as the window goes): nothing runs.
            ticket.cancel()
            return ticket
        self._pending.add(ticket)
        self.pendingChanged.emit(self.pending())
        handlers = (done, failed, cancelled)

        def run() -> None:
            outcome: tuple[bool, Any]
            try:
                if ticket.cancelled:
                    raise CancelledError()
                with stoppable(ticket.token):
                    outcome = (True, call())
            except BaseException as exc:  # delivered to the GUI thread, which decides
                outcome = (False, exc)
            self._result_box.emit(ticket, outcome, handlers)

        pool.submit(run)
        return ticket

    def _deliver(self, ticket: Ticket[Any], outcome: tuple[bool, Any], handlers: tuple) -> None:
        done, failed, cancelled = handlers
        ticket.finished = True
        self._pending.discard(ticket)
        if ticket.key is not None and self._keyed.get(ticket.key) is ticket:
            del self._keyed[ticket.key]
        if ticket.kind == "job":
            self._jobs -= 1
            if self._jobs == 0:
                self.jobRunning.emit(False)
        ok, value = outcome
        if ok:
            ticket.result = value
        else:
            ticket.error = value
        try:
            if ok and not (ticket.cancelled and ticket.kind == "read"):
                if done is not None:
                    done(value)
            elif ok:
                pass  # a stale read that finished before the stop reached it: never shown
            elif isinstance(value, CancelledError) or ticket.cancelled:
                if cancelled is not None:
                    cancelled()
            elif isinstance(value, JournalError):
                log.info("%s refused: %s", ticket.kind, value)
                if failed is not None:
                    failed(value)
                else:
                    self.failed.emit(value)
            else:
                # A bug: the log and the crash dialog, as for any failure on the GUI thread;
                # whoever waits for the work learns it will not come (a dialog can be used again).
                sys.excepthook(type(value), value, value.__traceback__)
                if failed is not None:
                    failed(UnexpectedError())
        finally:
            self.pendingChanged.emit(self.pending())
            if self._after_writes and not self.writing():
                calls, self._after_writes = self._after_writes, []
                for call in calls:
                    call()
            self._idle_now()

    def _idle_now(self) -> None:
        if self._when_idle and not self.pending():
            calls, self._when_idle = self._when_idle, []
            for call in calls:
                call()

    def _progress(self, ticket: Ticket[Any], done: int, total: int, text: str) -> None:
        if not ticket.cancelled:
            self.progress.emit(ticket, done, total, text)

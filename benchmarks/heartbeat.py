"""A heartbeat on the GUI thread: how late the event loop runs a timer that should fire every 5 ms.

A ``QTimer`` (``Qt.PreciseTimer``) fires every :data:`PERIOD_MS` on the thread that runs the
event loop. Each beat notes how long it came after the one before, less the period: that is
how long the loop was busy with something else (a slot, a paint, a query run on the GUI
thread, Python's lock held by a worker thread) when it should have been free. A window that
freezes for 300 ms shows one beat 300 ms late, whatever froze it.

Beats are recorded under a scenario's name between :meth:`Heartbeat.start` and
:meth:`Heartbeat.stop` (a scenario may be recorded in several stretches, leaving out the
harness's own work such as the floors' queries); the timer runs all along, so waiting on the
event loop (``processEvents(WaitForMoreEvents)``) wakes at least every period.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from benchmarks.timing import percentile

#: The heartbeat's period.
PERIOD_MS = 5
#: PRODUCT.md: the event loop is never late by more than 50 ms, and at p95 by at most 16 ms.
WORST_MS = 50
P95_MS = 16


@dataclass(frozen=True)
class Lateness:
    """How late the beats of one scenario came (seconds)."""

    worst: float
    p95: float
    beats: int
    #: Beats later than WORST_MS (each a freeze a person notices), and their total.
    frozen: int
    frozen_seconds: float

    @property
    def met(self) -> bool:
        return self.worst * 1000 <= WORST_MS and self.p95 * 1000 <= P95_MS

    @classmethod
    def of(cls, samples: list[float]) -> Lateness:
        if not samples:
            return cls(0.0, 0.0, 0, 0, 0.0)
        late = [s for s in samples if s * 1000 > WORST_MS]
        return cls(max(samples), percentile(samples, 95), len(samples), len(late), sum(late))


class Heartbeat:
    """The timer and the lateness of its beats, by scenario."""

    def __init__(self, period_ms: int = PERIOD_MS) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.period = period_ms / 1000
        self._samples: dict[str, list[float]] = {}
        self._current: list[float] | None = None
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(period_ms)
        self._timer.timeout.connect(self._beat)
        self._timer.start()

    def _beat(self) -> None:
        now = time.perf_counter()
        if self._current is not None:
            self._current.append(max(0.0, now - self._last - self.period))
        self._last = now

    def start(self, scenario: str) -> None:
        """Record the beats from now on under ``scenario`` (added to what it has already)."""
        self._current = self._samples.setdefault(scenario, [])
        self._last = time.perf_counter()

    def stop(self) -> None:
        """Stop recording; the time since the last beat counts as a beat (a freeze just ended)."""
        if self._current is not None:
            self._current.append(max(0.0, time.perf_counter() - self._last - self.period))
        self._current = None

    def lateness(self, scenario: str) -> Lateness:
        return Lateness.of(self._samples.get(scenario, []))

    def scenarios(self) -> list[str]:
        return list(self._samples)

    def close(self) -> None:
        self._timer.stop()


class FreezeSampler:
    """What the GUI thread was doing while the heartbeat was overdue (a diagnostic, not a figure).

    A thread looks at the GUI thread's Python stack every ``every`` seconds; while the beat is
    more than ``late`` overdue, it counts the stack under the scenario being recorded. Native
    work (a paint, a layout) shows as the Python frame that entered Qt (``processEvents`` in
    the harness's wait), with any Python called back from it (a model's ``data()``) on top.
    Sampling takes Python's lock from the GUI thread now and then, so the figures of a run with
    the sampler are a little worse than without.
    """

    def __init__(self, heartbeat: Heartbeat, *, every: float = 0.002, late: float = 0.016) -> None:
        import collections
        import threading

        self._beat, self._every, self._late = heartbeat, every, late
        self._main = threading.main_thread().ident
        self._stop = threading.Event()
        self.samples: dict[str, collections.Counter[tuple[str, ...]]] = collections.defaultdict(
            collections.Counter
        )
        self._thread = threading.Thread(target=self._run, name="freeze-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import sys

        beat = self._beat
        while not self._stop.wait(self._every):
            current = beat._current
            if current is None:
                continue
            overdue = time.perf_counter() - beat._last - beat.period
            if overdue <= self._late:
                continue
            frame = sys._current_frames().get(self._main)
            stack: list[str] = []
            while frame is not None:
                code = frame.f_code
                where = code.co_filename
                if "etoile_app" in where or "benchmarks" in where:
                    short = where[where.rfind("etoile_app") :] if "etoile_app" in where else where
                    stack.append(f"{short.rsplit('/', 1)[-1]}:{code.co_name}")
                frame = frame.f_back
            name = next((n for n, s in beat._samples.items() if s is current), "?")
            self.samples[name][tuple(reversed(stack))] += 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def report(self, top: int = 8) -> str:
        lines = []
        for name, counter in self.samples.items():
            total = sum(counter.values())
            lines.append(f"{name}: {total * self._every * 1000:.0f} ms sampled while overdue")
            for stack, n in counter.most_common(top):
                tail = " > ".join(stack[-5:]) or "(no Python frame)"
                lines.append(f"  {n * self._every * 1000:6.0f} ms  {tail}")
        return "\n".join(lines)

"""Python's cycle collector runs on the GUI thread only.

CPython collects reference cycles on whichever thread crosses the allocation threshold. With
database work on reader and writer threads, that is often one of them; a cycle that holds a
widget, a chart axis or a timer made on the GUI thread would then be destroyed there, from
the wrong thread, while the GUI thread is inside Qt. At best Qt warns ("Timers cannot be
stopped from another thread"); at worst the two threads wait on each other for good (a
worker holding the interpreter lock inside a destructor that needs Qt, the GUI thread inside
Qt waiting for the interpreter lock to call back into Python).

:class:`GuiCollector` turns automatic collection off and runs it from a timer on the GUI
thread instead, by the same thresholds and generations Python would use. Objects without
cycles are still freed the moment their last reference goes, on any thread, as always.
"""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks whether a collection is due.
INTERVAL_MS = 500


class GuiCollector(QObject):
    """Collects cycles on the thread that made it (the GUI thread); see the module's note.

    While one exists automatic collection is off; :meth:`stop` (or the parent's end) puts it
    back as it was.
    """

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thread = threading.get_ident()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_if_due)
        self._timer.start()
        self.destroyed.connect(_enable_if(self._was_enabled))

    @classmethod
    def install(cls, app: QObject) -> GuiCollector:
        """The application's collector, made on first call (on the GUI thread)."""
        found = app.findChild(cls)
        return found if found is not None else cls(app)

    def collect_if_due(self) -> int:
        """Collect the oldest generation whose count is over its threshold, as Python would
        on its own; returns the number of unreachable objects found (0 when none was due)."""
        if threading.get_ident() != self._thread:
            raise RuntimeError("cycles are collected on the GUI thread only")
        return collect_due()

    def stop(self) -> None:
        """Stop collecting here and give collection back to Python."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()


def collect_due() -> int:
    """Collect the oldest generation whose allocation count is over its threshold (what
    Python does on its own when collection is on); the number of unreachable objects found."""
    generation = -1
    for level, (count, limit) in enumerate(zip(gc.get_count(), gc.get_threshold(), strict=True)):
        if limit and count > limit:
            generation = level
    return gc.collect(generation) if generation >= 0 else 0


def _enable_if(enabled: bool):
    # Not a method: the object is gone by the time ``destroyed`` is heard.
    def put_back(*_args) -> None:
        if enabled:
            gc.enable()

    return put_back

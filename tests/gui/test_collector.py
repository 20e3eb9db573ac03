"""Cycles holding Qt objects are destroyed on the GUI thread, whichever thread allocates."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest
from PySide6.QtCore import QObject, QTimer

from etoile_app.ui.common.collector import GuiCollector


class _Held(QObject):
    """A QObject with a timer, caught in a reference cycle with itself."""

    def __init__(self, timer: bool) -> None:
        super().__init__()
        if timer:  # stopping it from another thread is what Qt warns about
            self.timer = QTimer(self)
            self.timer.start(60_000)
        self.me = self  # the cycle: only the collector frees it


def _drop_a_cycle(seen: list[int], timer: bool = True) -> weakref.ref:
    held = _Held(timer)
    # Called on the thread that frees the wrapper (and with it the QObject).
    return weakref.ref(held, lambda _ref: seen.append(threading.get_ident()))


def _allocate_on_a_thread() -> list:
    """Allocate (and keep) far more containers than it takes to start a collection."""
    kept: list = []

    def churn() -> None:
        kept.extend([] for _ in range(gc.get_threshold()[0] * 3))

    worker = threading.Thread(target=churn)
    worker.start()
    worker.join()
    return kept


def test_a_worker_allocating_does_not_collect_a_gui_cycle(qtbot, qapp):
    collector = GuiCollector.install(qapp)
    assert not gc.isenabled(), "automatic collection runs on whichever thread allocates"
    seen: list[int] = []
    gc.collect()
    alive = _drop_a_cycle(seen)
    kept = _allocate_on_a_thread()
    assert alive() is not None, "the cycle was collected on the worker thread"
    # Python's count of new objects also goes down as others are freed, so whether a
    # collection is due by the default threshold depends on what else the process did
    # meanwhile; a threshold of one makes it due at the GUI thread's next look.
    threshold = gc.get_threshold()
    gc.set_threshold(1, *threshold[1:])
    try:
        qtbot.waitUntil(lambda: alive() is None, timeout=5000)  # the GUI thread's timer
    finally:
        gc.set_threshold(*threshold)
    assert seen == [threading.get_ident()], "destroyed on another thread"
    del kept
    collector.collect_if_due()


def test_without_the_collector_the_worker_would_collect_it(qapp):
    """The hazard the collector removes, shown with Python's own collection switched on."""
    gc.enable()
    try:
        seen: list[int] = []
        gc.collect()
        alive = _drop_a_cycle(seen, timer=False)
        kept = _allocate_on_a_thread()
        del kept
        assert alive() is None
        assert seen and seen[0] != threading.get_ident()
    finally:
        gc.disable()


def test_only_the_gui_thread_may_collect(qapp):
    collector = GuiCollector.install(qapp)
    errors: list[BaseException] = []

    def elsewhere() -> None:
        try:
            collector.collect_if_due()
        except RuntimeError as exc:
            errors.append(exc)

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join()
    assert errors and "GUI thread" in str(errors[0])


def test_the_app_installs_one_collector(qapp):
    first = GuiCollector.install(qapp)
    assert GuiCollector.install(qapp) is first
    assert qapp.findChildren(GuiCollector) == [first]


@pytest.mark.parametrize("over", [0, 1, 2])
def test_the_due_generation_is_collected(qapp, monkeypatch, over):
    from etoile_app.ui.common import collector as module

    counts = [0, 0, 0]
    counts[over] = 10_000
    asked: list[int] = []
    monkeypatch.setattr(module.gc, "get_count", lambda: tuple(counts))
    monkeypatch.setattr(module.gc, "collect", lambda generation=2: asked.append(generation) or 0)
    module.collect_due()
    assert asked == [over]

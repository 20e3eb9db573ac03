"""The Qt binding itself: a PySide6 that loses references to None aborts a long session."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QWidget


def test_calling_qt_methods_that_return_nothing_keeps_none_alive(qtbot):
    """PySide6 6.12.0 dropped one reference to None per call of a method returning nothing
    (``update()``, ``setToolTip()``, ``processEvents()``…); on Python 3.11, where None is not
    immortal, the count reached zero after a few thousand keystrokes and Python aborted."""
    widget = QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(5000):
        widget.update()
        widget.setToolTip("")
    assert sys.getrefcount(None) >= before - 50  # other threads may hold a few meanwhile

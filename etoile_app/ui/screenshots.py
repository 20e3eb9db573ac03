"""Render every tab of the main window to PNG files (``--screenshot DIR``)."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget

from etoile_app.ui.widgets import finish_deferred

SETTLE_ROUNDS = 5


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def save_screenshots(window: QMainWindow, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    tabs: QTabWidget = window.tabs  # type: ignore[attr-defined]
    current = tabs.currentIndex()
    written = []
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        QApplication.processEvents()
        # What a person sees a moment after the tab appears, not its first frame: the work
        # left for after the first paint, and the layout passes that its widgets ask for.
        finish_deferred(window)
        for _ in range(SETTLE_ROUNDS):
            QApplication.processEvents()
        path = folder / f"{index + 1:02d}-{_slug(tabs.tabText(index))}.png"
        if not window.grab().save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        written.append(path)
    tabs.setCurrentIndex(current)
    return written

"""Render every tab of the main window, and the canon browser, to PNG files (``--screenshot DIR``)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget, QWidget

from etoile_app.ui.common.widgets import finish_deferred

SETTLE_ROUNDS = 5
#: The longest a screenshot waits for what its view reads in the background.
READS_WAIT_S = 10.0
#: The character the Cast tab shows in its screenshot, and the fact the canon browser opens on.
CAST_CHARACTER = "crispin"
BROWSER_FACT = "renewal-cancelled"
BROWSER_SIZE = (1280, 800)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def _settle(root: QWidget) -> None:
    # What a person sees a moment after the view appears, not its first frame: the work left
    # for after the first paint, and the layout passes that its widgets ask for.
    QApplication.processEvents()
    finish_deferred(root)
    _wait_for_reads(root)
    for _ in range(SETTLE_ROUNDS):
        QApplication.processEvents()


def _wait_for_reads(root: QWidget) -> None:
    # The views read off the GUI thread (the canon browser its facts, then the chosen fact's
    # detail): their answers are on screen before the picture is taken.
    store = getattr(root, "store", None)
    if store is None:
        return
    deadline = time.monotonic() + READS_WAIT_S
    while store.ops.pending() and time.monotonic() < deadline:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.001)


def _save(widget: QWidget, path: Path) -> Path:
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    return path


def _prepare(window: QMainWindow, tab: QWidget) -> None:
    """Show what the README shows: the Cast tab on a character whose canon was corrected."""
    if tab is getattr(window, "cast_tab", None):
        wanted = next((c.id for c in window.store.cast.characters() if c.key == CAST_CHARACTER), None)  # type: ignore[attr-defined]
        if wanted is not None:
            tab.select_character(wanted)  # type: ignore[attr-defined]


def save_screenshots(window: QMainWindow, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    tabs: QTabWidget = window.tabs  # type: ignore[attr-defined]
    current = tabs.currentIndex()
    written = []
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        _settle(window)
        _prepare(window, tabs.widget(index))
        _settle(window)
        written.append(_save(window, folder / f"{index + 1:02d}-{_slug(tabs.tabText(index))}.png"))
    tabs.setCurrentIndex(current)
    browser = _open_browser(window)
    if browser is not None:
        _settle(browser)
        written.append(_save(browser, folder / f"{tabs.count() + 1:02d}-canon-browser.png"))
        browser.close()
    written += _question_shots(window, folder, len(written) + 1)
    tabs.setCurrentIndex(current)
    return written


#: What quick entry shows typed (not saved) in its screenshot.
QUICK_ENTRY_EXAMPLE = "Cheyenne returns to Paris 70% #plot/paris by June 2027 @Cheyenne"


def _question_shots(window: QMainWindow, folder: Path, number: int) -> list[Path]:
    """The board on a conditional theory, on a multiple-choice one with its chart, and quick
    entry with a line typed: taken when the journal holds such theories (the demo journal)."""
    store = getattr(window, "store", None)
    board = getattr(window, "board_tab", None)
    if store is None or board is None:
        return []
    from etoile_app.domain.models import TheoryQuery

    rows = store.board.page(TheoryQuery(), 0, 1000)
    conditional = next((r for r in rows if r.condition and not r.status.is_resolved), None)
    choice = next((r for r in rows if r.leading_option and not r.status.is_resolved), None)
    if conditional is None or choice is None:
        return []
    window.tabs.setCurrentWidget(board)  # type: ignore[attr-defined]
    written = []
    for row, name in ((conditional, "conditional-theory"), (choice, "multiple-choice-theory")):
        board.select_theory(row.id)
        _settle(window)
        written.append(_save(window, folder / f"{number + len(written):02d}-{name}.png"))
    board.quick_entry.line.setText(QUICK_ENTRY_EXAMPLE)
    board.quick_entry.focus()
    board.quick_entry.line.end(False)  # the cursor after what was typed, nothing selected
    _settle(window)
    written.append(_save(window, folder / f"{number + len(written):02d}-quick-entry.png"))
    board.quick_entry.line.clear()
    return written


def _open_browser(window: QMainWindow) -> QWidget | None:
    store = getattr(window, "store", None)
    if store is None:
        return None
    from etoile_app.ui.canon.browser import open_canon_browser

    fact = next((f.id for f in store.canon.facts() if f.key == BROWSER_FACT), None)
    browser = open_canon_browser(store, window, fact)
    browser.resize(*BROWSER_SIZE)
    return browser

"""Every control a person can reach has a name a screen reader can say.

The walk visits each tab of the main window and the common dialogs, takes every visible widget
that accepts focus, and lists those with neither an accessible name nor, for a button, its own
text. Offenders in the files this change owns fail the test; those elsewhere are listed in a
strict xfail naming their files, so fixing them turns it into a reminder to drop the entry.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.models import DreamCastDraft, TheoryDraft
from etoile_app.ui.main_window import TAB_NAMES, MainWindow
from gui.widget_owner import owner

from .conftest import board_dialog, settle, wait

#: Modules this change owns, all of whose controls must be named.
OWN = {
    "etoile_app.ui.common.charts",
    "etoile_app.ui.track.tab",
    "etoile_app.ui.main_window",
    "etoile_app.ui.board.resolve_dialog",
}


def is_named(widget: QWidget) -> bool:
    if widget.accessibleName().strip():
        return True
    # A button's or a (selectable) label's own visible text is what a screen reader says.
    if isinstance(widget, QAbstractButton | QLabel):
        return bool(widget.text().replace("&", "").strip())
    return False


def describe(widget: QWidget) -> str:
    hint = widget.objectName() or getattr(widget, "placeholderText", lambda: "")() or ""
    return f"{type(widget).__name__}({hint!r})" if hint else type(widget).__name__


def unnamed(root: QWidget) -> dict[str, set[str]]:
    """Unnamed focusable visible controls under ``root``, by the module that made them."""
    found: dict[str, set[str]] = defaultdict(set)
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.isVisible():
            continue
        if widget.focusProxy() is not None:
            continue  # the proxy is the control, and is walked itself
        if not is_named(widget):
            found[owner(widget)].add(describe(widget))
    return found


def _merge(into: dict[str, set[str]], more: dict[str, set[str]]) -> None:
    for module, names in more.items():
        into[module] |= names


@pytest.fixture
def window(qtbot, store, settings, clock):
    t = wait(store.create_theory(TheoryDraft("Jack and Cheyenne marry", confidence=70)))
    clock.advance(days=2)
    wait(store.resolve(t.id, TheoryStatus.CONFIRMED, "Episode 3"))
    wait(store.create_theory(TheoryDraft("A time jump of a year", confidence=45)))
    wait(store.add_dream_cast(DreamCastDraft("A new étoile", "Someone Famous")))
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    w.attach(store, Path("/tmp/journal.sqlite3"))
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: len(w._built) == len(TAB_NAMES))
    settle(store)  # the board's rows and its selected theory in full, as a person sees them
    return w


def _news_dialog(tab):
    """The Add news dialog, once what it offers has been read in the background."""
    tab.open_news_dialog()
    settle(tab.store)
    return tab.news_dialog


@pytest.fixture
def offenders(qtbot, window, store) -> dict[str, set[str]]:
    """Walk every tab (each list of the Track record too) and the common dialogs."""
    found: dict[str, set[str]] = defaultdict(set)
    for index in range(len(TAB_NAMES)):
        window.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        settle(store)  # what the tab reads in the background is on it before it is walked
        if index == 3:
            for page in range(window.track_tab.lists.count()):
                window.track_tab.lists.setCurrentIndex(page)
                QApplication.processEvents()
                _merge(found, unnamed(window))
        _merge(found, unnamed(window))

    board = window.board_tab
    open_id = next(t.id for t in store.board.page(board.query(), 0, 10) if t.status is TheoryStatus.OPEN)
    # Each board dialog opens once what it shows is read (a second asked for sooner replaces it).
    board.resolve_theory(open_id)
    resolve = board_dialog(board)
    board.new_theory()
    dialogs = [
        resolve,
        board_dialog(board),
        _news_dialog(window.status_tab),
        window.open_canon_browser(),
    ]
    window.tabs.setCurrentIndex(1)
    dialogs.append(window.cast_tab.dream_dialog())
    for dialog in dialogs:
        dialog.show()
        qtbot.waitExposed(dialog)
        _merge(found, unnamed(dialog))
        dialog.hide()
    return found


def test_every_control_in_the_files_of_this_change_has_a_name(offenders):
    mine = {m: sorted(n) for m, n in offenders.items() if m in OWN}
    assert not mine, f"controls without an accessible name: {mine}"


def test_every_control_elsewhere_has_a_name(offenders):
    others = {m: sorted(n) for m, n in offenders.items() if m not in OWN}
    assert not others, f"controls without an accessible name: {others}"


def test_the_walk_finds_what_it_should(qtbot):
    """The walk itself: an unnamed line edit is found; a named one and a button with text are not."""
    from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout

    root = QWidget()
    qtbot.addWidget(root)
    layout = QVBoxLayout(root)
    bare, named, button = QLineEdit(), QLineEdit(), QPushButton("Save")
    bare.setPlaceholderText("only a placeholder")
    named.setAccessibleName("Title")
    for w in (bare, named, button):
        layout.addWidget(w)
    root.show()
    found = unnamed(root)
    assert [sorted(n) for n in found.values()] == [["QLineEdit('only a placeholder')"]]

"""Fixtures for GUI tests: a Store on the per-test journal, and QSettings kept in a temp folder."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from etoile_app.domain.enums import Stance
from etoile_app.domain.models import EvidenceDraft, Theory
from etoile_app.ui.common.ops import Ticket
from etoile_app.ui.common.store import Store

# Qt's offscreen screen is 800×800 unless told otherwise; give it a desktop-sized one so windows
# keep the sizes a person would see (this runs before pytest-qt creates the QApplication).
_SCREEN = Path(__file__).resolve().parents[1] / "data" / "offscreen-screen.json"
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """Window state goes to a temporary INI file, never the developer's own settings."""
    folder = tmp_path / "settings"
    folder.mkdir()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
    return folder


@pytest.fixture
def settings(_isolated_settings) -> QSettings:
    return QSettings(str(_isolated_settings / "test.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def store(qtbot, journal) -> Iterator[Store]:
    made = Store(journal)
    yield made
    made.ops.shutdown(wait=True)


@pytest.fixture
def status_tab(qtbot, store):
    """The Status tab at a desktop size, shown."""
    from etoile_app.ui.status.tab import StatusTab

    widget = StatusTab(store)
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.show()
    qtbot.waitExposed(widget)
    settle(store)  # its cards are read off the GUI thread
    return widget


def settle(store: Store, timeout: float = 5.0) -> None:
    """Wait until the background work asked for so far has come back to the window: the
    board's rows and counts, pages, saves. The window never waits; a test that looks at the
    result does."""
    import time

    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + timeout
    while store.ops.pending():
        if time.monotonic() > deadline:
            raise AssertionError(f"{store.ops.pending()} pieces of background work still running")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.001)
    QCoreApplication.processEvents()


def wait(ticket: Ticket[Any], timeout: float = 5.0) -> Any:
    """What a change submitted to the store returned, once it is made (its undo step pushed and
    the views told); raises what refused it."""
    import time

    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + timeout
    while not ticket.finished:
        if time.monotonic() > deadline:
            raise AssertionError(f"the {ticket.kind} did not finish")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.001)
    if ticket.error is not None:
        raise ticket.error
    return ticket.result


def board_dialog(tab) -> Any:
    """The dialog the board opened last, once what it shows has been read in the background
    (the board's dialogs open when their read has come back)."""
    settle(tab.store)
    return tab._dialog


def closed(widget) -> bool:
    """Whether ``widget`` has closed (a dialog deleted on close is gone altogether)."""
    import shiboken6

    return not shiboken6.isValid(widget) or not widget.isVisible()


def undo(store: Store) -> None:
    """Ctrl+Z, and wait until it is done."""
    store.undo()
    settle(store)


def redo(store: Store) -> None:
    store.redo()
    settle(store)


# The editor changes confidence, evidence and tags by saving the whole theory; these do the same.


def set_confidence(store: Store, theory_id: int, confidence: int, note: str = "") -> Theory:
    draft = replace(store.theories.get(theory_id).as_draft(), confidence=confidence)
    return wait(store.edit_theory(theory_id, draft, note))


def set_tags(store: Store, theory_id: int, tags: Iterable[str]) -> Theory:
    draft = replace(store.theories.get(theory_id).as_draft(), tags=tuple(tags))
    return wait(store.edit_theory(theory_id, draft))


def link_evidence(store: Store, theory_id: int, fact_id: int, stance: Stance, note: str = "") -> Theory:
    draft = store.theories.get(theory_id).as_draft()
    old, new = draft.evidence or (), EvidenceDraft(fact_id, stance, note)
    evidence = [new if e.fact_id == fact_id else e for e in old]  # changed where it stands
    if all(e.fact_id != fact_id for e in old):
        evidence.append(new)
    return wait(store.edit_theory(theory_id, replace(draft, evidence=tuple(evidence))))


def unlink_evidence(store: Store, theory_id: int, fact_id: int) -> Theory:
    draft = store.theories.get(theory_id).as_draft()
    evidence = tuple(e for e in draft.evidence or () if e.fact_id != fact_id)
    return wait(store.edit_theory(theory_id, replace(draft, evidence=evidence)))


def record_threads(monkeypatch, service, names, threads: list[tuple[str, str]]) -> None:
    """Have ``service``'s methods ``names`` note the thread each call runs on."""
    for name in names:
        original = getattr(service, name)

        def call(*args, _original=original, _name=name, **kwargs):
            threads.append((_name, threading.current_thread().name))
            return _original(*args, **kwargs)

        monkeypatch.setattr(service, name, call)


@pytest.fixture(autouse=True)
def _cycles_collected_on_the_gui_thread(qapp):
    """As in the app: Python's cycle collector runs on the GUI thread, never on a reader or
    writer thread, where destroying a widget caught in a cycle can hang both threads."""
    from etoile_app.ui.common.collector import GuiCollector

    collector = GuiCollector.install(qapp)
    yield collector
    collector.collect_if_due()

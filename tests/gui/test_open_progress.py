"""Opening runs on a thread of its own: the window answers, and a slow open (an upgrade of a
big journal) shows which step it is at."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

from etoile_app import app as app_module
from etoile_app.domain.errors import DamagedDatabaseError
from etoile_app.storage import migrate


class _SlowJournal:
    """Stands for ``Journal``: its open reports steps and waits to be let go."""

    def __init__(self) -> None:
        self.go, self.at_step = threading.Event(), threading.Event()
        self.thread = ""

    def open(self, target, *, pack, check, progress):
        self.thread = threading.current_thread().name
        progress(3, 5, "Upgrading the journal")
        self.at_step.set()
        self.go.wait(10)
        return ("journal", target, check)


@pytest.fixture
def window(qtbot):
    w = QMainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_a_slow_open_shows_its_step_while_the_window_answers(qtbot, window, monkeypatch):
    monkeypatch.setattr("etoile_app.ui.common.jobs.SHOW_AFTER_MS", 0)
    slow = _SlowJournal()
    beats: list[int] = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: beats.append(1))
    timer.start(5)

    def let_go() -> None:
        dialog = window.opening_dialog
        assert dialog is not None and dialog.labelText() == "Upgrading the journal…"
        assert (dialog.value(), dialog.maximum()) == (3, 5)
        assert beats  # the event loop ran while the journal was opening
        slow.go.set()

    QTimer.singleShot(300, let_go)
    opened = app_module.open_in_background(window, slow, Path("/tmp/j.sqlite3"))
    assert opened == ("journal", Path("/tmp/j.sqlite3"), "background")
    assert slow.thread.startswith("etoile-open")
    assert slow.go.is_set()
    assert window.opening_dialog is None


def test_what_the_open_raises_reaches_the_caller(qtbot, window):
    class Damaged:
        @staticmethod
        def open(target, **_kwargs):
            raise DamagedDatabaseError(f"The journal {target} is damaged.", target)

    with pytest.raises(DamagedDatabaseError, match="damaged"):
        app_module.open_in_background(window, Damaged, Path("/tmp/j.sqlite3"))
    QApplication.processEvents()
    assert window.opening_dialog is None


def test_an_upgrade_reports_its_steps(db_path, monkeypatch):
    """The steps come from the open itself: a journal of an older schema is checked in full,
    backed up and upgraded (the migration stands in here, as a newer head pretends)."""
    from etoile_app.storage.database import open_database

    open_database(db_path).dispose()
    monkeypatch.setattr(migrate, "HEAD_REVISION", "9999_pretend_newer")
    monkeypatch.setattr(migrate, "upgrade", lambda conn: None)
    steps: list[str] = []
    db = open_database(db_path, check="background", progress=lambda s, t, text: steps.append(text))
    db.dispose()
    assert steps == [
        "Checking the journal",
        "Checking the journal before upgrading it",
        "Backing up the journal before upgrading it",
        "Upgrading the journal",
    ]

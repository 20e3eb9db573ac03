"""The progress of a long job: what its dialog says, as typed, with the note of a job that
cannot be cancelled under every step."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from etoile_app.ui.common.jobs import JobProgress


def _label(progress: JobProgress) -> QLabel:
    (label,) = progress.findChildren(QLabel)
    return label


def test_the_step_names_a_file_as_typed(qtbot, store):
    parent = QWidget()
    qtbot.addWidget(parent)
    progress = JobProgress(store.ops, "Import", "Importing <b>mine</b>.json", parent, cancellable=True)
    label = _label(progress)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text() == "Importing <b>mine</b>.json"
    assert [b.text() for b in progress.findChildren(QPushButton)] == ["Cancel"]
    progress.finish()


def test_a_job_that_cannot_be_cancelled_says_so_under_every_step(qtbot, store):
    parent = QWidget()
    qtbot.addWidget(parent)
    note = "This cannot be cancelled."
    progress = JobProgress(store.ops, "Restore", "Restoring", parent, cancellable=False, note=note)
    assert progress.labelText() == f"Restoring\n\n{note}"
    assert not progress.findChildren(QPushButton)
    go_on = threading.Event()

    def work(p):
        p.report(1, 3, "Copying")
        go_on.wait(10)

    progress.follow(store.ops.job(work))
    qtbot.waitUntil(lambda: progress.labelText() == f"Copying…\n\n{note}")
    assert (progress.value(), progress.maximum()) == (1, 3)
    with qtbot.waitSignal(progress.ended):  # the job ended: the dialog goes by itself
        go_on.set()


def test_a_job_that_fails_with_a_bug_still_takes_its_dialog_away(qtbot, store, monkeypatch):
    import sys

    bugs: list[type] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, value, tb: bugs.append(kind))
    parent = QWidget()
    qtbot.addWidget(parent)
    progress = JobProgress(store.ops, "Import", "Importing", parent, cancellable=True)

    def work(_progress):
        raise ZeroDivisionError("a bug")

    with qtbot.waitSignal(progress.ended):
        progress.follow(store.ops.job(work, lambda _: None, failed=lambda _: None))
    assert bugs == [ZeroDivisionError]  # the crash dialog's way, not a handler's
    assert not progress.isVisible()

"""The window's side of :mod:`etoile_app.logs`: an unexpected failure becomes a dialog.

The message says what happened and names the log file with the details; the traceback goes
to that file, never to stderr. Failures while the dialog is up are only logged (one dialog at
a time, and never a dialog about the dialog).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from etoile_app import APP_TITLE, logs

_showing = False


def show(text: str, _exc: BaseException | None = None, parent: QWidget | None = None) -> None:
    """One line on stderr, and a dialog (if a window can be shown) that says ``text``."""
    global _showing
    print(f"etoile-journal: {text}", file=sys.stderr, flush=True)
    if _showing or QApplication.instance() is None:
        return
    _showing = True
    try:
        box = QMessageBox(QMessageBox.Icon.Critical, APP_TITLE, text, QMessageBox.StandardButton.Ok, parent)
        box.setTextFormat(Qt.TextFormat.PlainText)  # the message may quote what was typed
        box.setObjectName("crashDialog")
        box.exec()
    finally:
        _showing = False


def install(*, interactive: bool = True) -> None:
    """Route uncaught exceptions (in slots too: PySide6 hands them to ``sys.excepthook``) to the
    log and a dialog; without ``interactive`` (``--screenshot``) to stderr, and the app exits 1."""

    def shown(text: str, exc: BaseException) -> None:
        if interactive:
            show(text, exc, QApplication.activeWindow())
            return
        print(f"etoile-journal: {text}", file=sys.stderr, flush=True)
        app = QApplication.instance()
        if app is not None:
            app.exit(1)

    logs.install(shown)

"""A long job's progress, shown the same way for every job: a window-modal progress dialog
that appears only if the job takes a moment, and a Cancel button where stopping is safe."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from etoile_app.ui.common.ops import Operations, Ticket

#: A job that ends sooner than this never shows its dialog (no flash for a small file).
SHOW_AFTER_MS = 400


class JobProgress(QProgressDialog):
    """Follows ``ticket`` (a job of ``ops``) until it ends; Cancel cancels it if ``cancellable``."""

    def __init__(
        self, ops: Operations, title: str, text: str, parent: QWidget | None, *, cancellable: bool
    ) -> None:
        super().__init__(text, "Cancel" if cancellable else "", 0, 0, parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(SHOW_AFTER_MS)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumWidth(420)
        if not cancellable:
            self.setCancelButton(None)  # type: ignore[arg-type]
        self.ticket: Ticket[Any] | None = None
        self._ops = ops
        self._finished = False
        ops.progress.connect(self._progress)
        self.canceled.connect(self._cancel)

    def follow(self, ticket: Ticket[Any]) -> JobProgress:
        self.ticket = ticket
        if ticket.finished or ticket.cancelled:
            self.finish()
        return self

    def finish(self) -> None:
        """The job ended (done, refused or cancelled): the dialog goes."""
        if self._finished:
            return
        self._finished = True
        self._ops.progress.disconnect(self._progress)
        self.reset()
        self.close()
        self.deleteLater()

    def _progress(self, ticket: Ticket[Any], done: int, total: int, text: str) -> None:
        if ticket is not self.ticket:
            return
        if total > 1:
            self.setMaximum(total)
            self.setValue(min(done, total))
        else:
            self.setMaximum(0)  # a step with no count: a busy bar
        if text:
            self.setLabelText(f"{text}…")

    def _cancel(self) -> None:
        if self.ticket is not None and not self.ticket.finished:
            self.setLabelText("Cancelling…")
            self.ticket.cancel()

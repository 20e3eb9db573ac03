"""A long job's progress, shown the same way for every job: a window-modal progress dialog
that appears only if the job takes a moment, and a Cancel button where stopping is safe."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QProgressDialog, QWidget

from etoile_app.ui.common.ops import Operations, Ticket

#: A job that ends sooner than this never shows its dialog (no flash for a small file).
SHOW_AFTER_MS = 400


class JobProgress(QProgressDialog):
    """Follows ``ticket`` (a job of ``ops``) until it ends; Cancel cancels it if ``cancellable``.

    ``note`` stays under whatever step the job is at: for a job that cannot be cancelled, why
    there is no Cancel button."""

    #: The dialog went: the job ended, however it ended (a bug too, which no handler hears).
    ended = Signal()

    def __init__(
        self,
        ops: Operations,
        title: str,
        text: str,
        parent: QWidget | None,
        *,
        cancellable: bool,
        note: str = "",
    ) -> None:
        self._note = note
        super().__init__(self._label(text), "Cancel" if cancellable else "", 0, 0, parent)
        self.setWindowTitle(title)
        label = self.findChild(QLabel)
        if label is not None:  # the step names a file: the person's text, shown as typed
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(bool(note))  # a note is a sentence: it wraps, the dialog stays narrow
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
        ops.pendingChanged.connect(self._maybe_ended)
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
        self._ops.pendingChanged.disconnect(self._maybe_ended)
        self.reset()
        self.close()
        self.ended.emit()
        self.deleteLater()

    def _maybe_ended(self, _pending: int) -> None:
        # A job that failed with a bug went to the crash dialog, not to a handler that would
        # finish this: it goes all the same, rather than stay over the window for ever.
        if self.ticket is not None and self.ticket.finished:
            self.finish()

    def _progress(self, ticket: Ticket[Any], done: int, total: int, text: str) -> None:
        if ticket is not self.ticket:
            return
        if total > 1:
            self.setMaximum(total)
            self.setValue(min(done, total))
        else:
            self.setMaximum(0)  # a step with no count: a busy bar
        if text:
            self.setLabelText(self._label(f"{text}…"))

    def _label(self, text: str) -> str:
        return f"{text}\n\n{self._note}" if self._note else text

    def _cancel(self) -> None:
        if self.ticket is not None and not self.ticket.finished:
            self.setLabelText("Cancelling…")
            self.ticket.cancel()

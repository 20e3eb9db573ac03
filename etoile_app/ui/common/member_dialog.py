"""Choose one's display name in a club: asked the first time a login opens the club's journal.

A login may read the club's journal at once, but writes nothing (theories, forecasts) until it
has a name, which the other members see beside what it writes. The dialog starts from the login
and saves in the background; an empty name is refused at the field and nothing is written.
Cancel leaves it for later: the window says in its status bar that a name is needed first.
"""

from __future__ import annotations

from functools import partial

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain.club import NAME_MAX, Identity
from etoile_app.domain.errors import JournalError, ValidationError
from etoile_app.services.club import clean_name
from etoile_app.ui.common.store import Store
from etoile_app.ui.common.widgets import (
    BackgroundSave,
    PlainLabel,
    ask_before,
    error_label,
    muted,
    server_words,
    set_error,
    tell_refusal,
)

TITLE = "Your name in this club"
WHY = "The other members see this name next to your theories and forecasts."
#: What the status bar says while a login that may write has no name yet.
NAME_NEEDED = "Choose your name in this club before you write theories or forecasts."


class MemberDialog(QDialog):
    """One field, the display name; Save makes this login a member under it (or renames it)."""

    #: The name was saved: who the journal acts as now.
    joined = Signal(object)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        identity = store.journal.identity
        #: The open "Discard the name you typed?" question, if any.
        self.discard_box: QMessageBox | None = None
        self.setWindowTitle(TITLE)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        layout.addWidget(muted(PlainLabel(WHY)))

        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setMaxLength(NAME_MAX)
        # A member renaming starts from their name; a first use from the login.
        start = identity.member.name if identity.member is not None else identity.login or ""
        self.name.setText(start[:NAME_MAX])
        self.name.selectAll()
        self.name.setAccessibleName("Your name")
        self.name.textChanged.connect(lambda _text: set_error(self.name_error, ""))
        form.addRow("Your &name", self.name)
        #: Why the name cannot be saved, beneath it.
        self.name_error = error_label()
        self.name_error.setAccessibleName("Why the name cannot be saved")
        form.addRow("", self.name_error)
        layout.addLayout(form)
        self._start = self.name.text()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)  # Enter in the field saves
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.saving = BackgroundSave(self, self.buttons)
        layout.addWidget(self.buttons)
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self) -> None:
        """Checked here first (an empty name writes nothing), then saved in the background."""
        if self.saving.busy():
            return
        try:
            name = clean_name(self.name.text())
        except ValidationError as exc:
            self._refused(exc)
            return
        self.saving.start(partial(self.store.join_club, name), self._saved, self._refused)

    def _saved(self, identity: Identity | object) -> None:
        self.joined.emit(identity)
        self.accept()

    def _refused(self, exc: JournalError) -> None:
        """Shown beneath the name, which stays as typed (the server's own words on request)."""
        set_error(self.name_error, exc.message)
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)
        if server_words(exc):
            tell_refusal(self, TITLE, exc)

    def reject(self) -> None:
        """Esc, Cancel and closing: a name typed over the one offered is not dropped unasked."""
        if self.saving.busy():
            return  # the save under way closes the dialog, or says why it could not
        if self.name.text() == self._start:
            super().reject()
            return
        if self.discard_box is not None:
            self.discard_box.raise_()
            return
        self.discard_box = ask_before(
            self, "Discard the name you typed?", "Discard", "Keep editing", self._answered, self._forget_box
        )

    def _answered(self, discard: bool) -> None:
        if discard:
            super().reject()

    def _forget_box(self) -> None:
        self.discard_box = None


def ask_member_name(window: QWidget, store: Store) -> MemberDialog | None:
    """When the journal is a club and this login has no name yet, ask for it over ``window``
    (window-modal, so the window waits for it); ``None`` when no name is needed."""
    if not store.journal.identity.needs_name or not shiboken6.isValid(window):
        return None
    dialog = MemberDialog(store, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


__all__ = ["NAME_NEEDED", "MemberDialog", "ask_member_name"]

"""Settle a theory: confirmed, busted or void, with a note and the date it was settled."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain import rules
from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.errors import JournalError, ValidationError
from etoile_app.domain.models import Theory
from etoile_app.ui import fmt
from etoile_app.ui.store import Store
from etoile_app.ui.widgets import error_label, set_error, tell

CHOICES = (
    (TheoryStatus.CONFIRMED, "Confirmed", "It happened: the theory was right."),
    (TheoryStatus.BUSTED, "Busted", "It did not happen, or canon rules it out."),
    (TheoryStatus.VOID, "Void", "It can never be settled (say, the show ended first). Not scored."),
)


class ResolveDialog(QDialog):
    def __init__(self, store: Store, theory: Theory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.theory = store, theory
        self.setWindowTitle("Resolve theory")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        heading = QLabel(fmt.isolate(theory.title))
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setWordWrap(True)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        layout.addWidget(QLabel(f"You were {theory.confidence} % sure it would come true."))

        self.group = QButtonGroup(self)
        self.choices: dict[TheoryStatus, QRadioButton] = {}
        for status, label, hint in CHOICES:
            button = QRadioButton(f"{label} — {hint}")
            self.group.addButton(button)
            self.choices[status] = button
            layout.addWidget(button)
            button.toggled.connect(self.validate)

        form = QFormLayout()
        self.when = QDateEdit()
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("d MMM yyyy")
        now = store.today()
        today = QDate(now.year, now.month, now.day)
        self.when.setMaximumDate(today)
        self.when.setDate(today)
        form.addRow("Settled on", self.when)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("What settled it? An episode, an announcement, a link…")
        self.note.setMaximumHeight(110)
        self.note.textChanged.connect(self.validate)
        self.note_error = error_label()
        form.addRow("Note", self.note)
        form.addRow("", self.note_error)
        layout.addLayout(form)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Resolve")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.validate()

    def status(self) -> TheoryStatus | None:
        for status, button in self.choices.items():
            if button.isChecked():
                return status
        return None

    def validate(self) -> bool:
        try:
            rules.clean_text(
                self.note.toPlainText(), "The note", field="note", max_len=rules.NOTE_MAX, multiline=True
            )
        except ValidationError as exc:
            set_error(self.note_error, exc.message)
            self.ok_button.setEnabled(False)
            return False
        set_error(self.note_error, "")
        ok = self.status() is not None
        self.ok_button.setEnabled(ok)
        return ok

    def save(self) -> None:
        status = self.status()
        if status is None or not self.validate():
            return
        d = self.when.date()
        try:
            self.store.resolve(
                self.theory.id, status, self.note.toPlainText(), date(d.year(), d.month(), d.day())
            )
        except JournalError as exc:
            tell(self, QMessageBox.Icon.Warning, self.windowTitle(), exc.message)
            return
        self.accept()

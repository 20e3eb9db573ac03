"""Settle a theory: confirmed, busted or void, with a note and the date it was settled."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QEvent, QObject, Qt
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

        # One exclusive group: the arrow keys move the choice, not only the focus, as in any
        # desktop radio group. The first outcome is chosen to start with, so Enter resolves.
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.choices: dict[TheoryStatus, QRadioButton] = {}
        for status, label, hint in CHOICES:
            button = QRadioButton(f"{label} — {hint}")
            button.setAccessibleName(label)
            button.setAccessibleDescription(hint)
            self.group.addButton(button)
            self.choices[status] = button
            layout.addWidget(button)
            button.toggled.connect(self.validate)
        self.status_error = error_label()
        layout.addWidget(self.status_error)

        form = QFormLayout()
        self.when = QDateEdit()
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("d MMM yyyy")
        now = store.today()
        today = QDate(now.year, now.month, now.day)
        self.when.setMaximumDate(today)
        self.when.setDate(today)
        self.when.setAccessibleName("Settled on")
        form.addRow("Settled on", self.when)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(
            "What settled it? An episode, an announcement, a link… (Shift+Enter for a new line)"
        )
        self.note.setAccessibleName("Resolution note")
        self.note.setMaximumHeight(110)
        # Tab moves on and Enter resolves, as in every other field of the dialog.
        self.note.setTabChangesFocus(True)
        self.note.installEventFilter(self)
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
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        first = self.choices[CHOICES[0][0]]
        first.setChecked(True)
        first.setFocus()
        self.validate()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.note and event.type() == QEvent.Type.KeyPress:
            key = event  # the event is a QKeyEvent already
            if key.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # type: ignore[attr-defined]
                if key.modifiers() & Qt.KeyboardModifier.ShiftModifier:  # type: ignore[attr-defined]
                    self.note.textCursor().insertText("\n")
                else:
                    self.save()
                return True
        return super().eventFilter(watched, event)

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
        self.ok_button.setEnabled(True)
        if self.status() is not None:
            set_error(self.status_error, "")
        return True

    def save(self) -> None:
        if not self.validate():
            return
        status = self.status()
        if status is None:
            # Say why nothing happened, at the field that needs an answer.
            set_error(self.status_error, "Choose an outcome: confirmed, busted or void.")
            self.choices[CHOICES[0][0]].setFocus()
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

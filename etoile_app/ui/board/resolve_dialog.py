"""Settle theories: confirmed, busted or void, with a note and the date they were settled.

:class:`ResolveDialog` settles one theory; :class:`BulkResolveDialog` settles several at once
with one note, in one step to undo. Both share the same form. What they show is read before
they open: the theory, or the :class:`SelectedTheories` that name the several.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain import rules
from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.errors import ValidationError
from etoile_app.domain.models import Theory, TheoryRow
from etoile_app.ui.common import fmt
from etoile_app.ui.common.store import Store
from etoile_app.ui.common.widgets import BackgroundSave, DateEdit, PlainLabel, error_label, set_error

if TYPE_CHECKING:
    from etoile_app.services.board import BoardService

CHOICES = (
    (TheoryStatus.CONFIRMED, "Confirmed", "It happened: the theory was right."),
    (TheoryStatus.BUSTED, "Busted", "It did not happen, or canon rules it out."),
    (TheoryStatus.VOID, "Void", "It can never be settled (say, the show ended first). Not scored."),
)
#: How many of several theories a dialog names; the rest it counts.
PREVIEW_MAX = 5


@dataclass(frozen=True)
class SelectedTheories:
    """Several theories a dialog acts on: all their ids, and the rows of the first few, which
    it names (see :meth:`preview`)."""

    ids: tuple[int, ...]
    first: tuple[TheoryRow, ...]

    @classmethod
    def read(cls, board: BoardService, ids: Sequence[int]) -> SelectedTheories:
        """Read the rows to name them by: this runs on a reader thread, never on the GUI thread."""
        return cls(tuple(ids), tuple(board.rows(list(ids[:PREVIEW_MAX]))))

    def preview(self) -> str:
        """The first titles, one a line, and how many more there are."""
        lines = [f"• {fmt.isolate(r.title)}" for r in self.first]
        if len(self.ids) > PREVIEW_MAX:
            lines.append(f"… and {len(self.ids) - PREVIEW_MAX:,} more")
        return "\n".join(lines)


class _ResolveForm(QDialog):
    """The outcome, the date and the note; the subclass puts what is resolved above them and
    says what Resolve does."""

    def __init__(
        self,
        store: Store,
        header: list[QWidget],
        note_hint: str,
        preset: TheoryStatus | None,
        parent: QWidget | None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        for widget in header:
            layout.addWidget(widget)

        # One exclusive group: the arrow keys move the choice, not only the focus, as in any
        # desktop radio group. An outcome is chosen to start with (the first, or the preset:
        # the void action starts on Void), so Enter resolves.
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
        self.when = DateEdit()
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("d MMM yyyy")
        now = store.today()
        today = QDate(now.year, now.month, now.day)
        self.when.setMaximumDate(today)
        self.when.setDate(today)
        self.when.setAccessibleName("Settled on")
        form.addRow("Settled on", self.when)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(f"{note_hint} (Shift+Enter for a new line)")
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
        self.saving = BackgroundSave(self, self.buttons)
        layout.addWidget(self.buttons)
        chosen = self.choices[preset or CHOICES[0][0]]
        chosen.setChecked(True)
        chosen.setFocus()
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
        return next((s for s, button in self.choices.items() if button.isChecked()), None)

    def settled_on(self) -> date:
        d = self.when.date()
        return date(d.year(), d.month(), d.day())

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

    def reject(self) -> None:
        if not self.saving.busy():  # the resolution under way closes the dialog
            super().reject()

    def save(self) -> None:
        if self.saving.busy() or not self.validate():
            return
        status = self.status()
        if status is None:
            # Say why nothing happened, at the field that needs an answer.
            set_error(self.status_error, "Choose an outcome: confirmed, busted or void.")
            self.choices[CHOICES[0][0]].setFocus()
            return
        self.saving.start(self._resolve(status, self.note.toPlainText(), self.settled_on()), self._resolved)

    def _resolved(self, _value: object) -> None:
        self.accept()

    def _resolve(self, status: TheoryStatus, note: str, on: date) -> Callable[..., object]:
        """The store's change that resolves with these, to start with its handlers."""
        raise NotImplementedError


class ResolveDialog(_ResolveForm):
    """Settle one theory."""

    def __init__(
        self, store: Store, theory: Theory, parent: QWidget | None = None, preset: TheoryStatus | None = None
    ) -> None:
        self.theory = theory
        heading = QLabel(fmt.isolate(theory.title))
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setWordWrap(True)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        sure = QLabel(f"You were {theory.confidence} % sure it would come true.")
        hint = "What settled it? An episode, an announcement, a link…"
        super().__init__(store, [heading, sure], hint, preset, parent)
        self.setWindowTitle("Resolve theory")

    def _resolve(self, status: TheoryStatus, note: str, on: date) -> Callable[..., object]:
        return partial(self.store.resolve, self.theory.id, status, note, on)


class BulkResolveDialog(_ResolveForm):
    """Settle several theories at once: one outcome, one note, one date, one step to undo."""

    def __init__(
        self,
        store: Store,
        selected: SelectedTheories,
        preset: TheoryStatus | None = None,
        parent: QWidget | None = None,
    ) -> None:
        self.ids = list(selected.ids)
        preview = PlainLabel(selected.preview())
        super().__init__(store, [preview], "What settled them? One note for all of them.", preset, parent)
        verb = "Void" if preset is TheoryStatus.VOID else "Resolve"
        self.setWindowTitle(f"{verb} {len(self.ids):,} theories")
        self.group.buttonToggled.connect(self._name_button)
        self._name_button()

    def _name_button(self, *_args) -> None:
        """The button says what it will do: "Confirm 3", "Bust 3", "Void 3"."""
        verbs = {TheoryStatus.CONFIRMED: "Confirm", TheoryStatus.BUSTED: "Bust", TheoryStatus.VOID: "Void"}
        self.ok_button.setText(f"{verbs.get(self.status(), 'Resolve')} {len(self.ids):,}")

    def _resolve(self, status: TheoryStatus, note: str, on: date) -> Callable[..., object]:
        return partial(self.store.resolve_many, self.ids, status, note=note, on=on)

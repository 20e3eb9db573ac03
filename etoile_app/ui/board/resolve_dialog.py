"""Settle theories: confirmed, busted or void, with a note and the date they were settled.

:class:`ResolveDialog` settles one theory; :class:`BulkResolveDialog` settles several at once
with one note, in one step to undo. Both share the same form. What they show is read before
they open: the theory, or the :class:`SelectedTheories` that name the several, and how many
theories depend on them (busted or void, those are voided too).

A multiple-choice theory is settled by the option that happened, or void: its outcomes are its
options and Void. Several theories at once can only be voided when one of them is multiple
choice (each would need an option of its own).
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
    from etoile_app.services.theories import TheoryService

CHOICES = (
    (TheoryStatus.CONFIRMED, "Confirmed", "It happened: the theory was right."),
    (TheoryStatus.BUSTED, "Busted", "It did not happen, or canon rules it out."),
    (TheoryStatus.VOID, "Void", "It can never be settled (say, the show ended first). Not scored."),
)
#: How many of several theories a dialog names; the rest it counts.
PREVIEW_MAX = 5
#: The outcomes whose theory's dependants are voided with it.
VOIDING = (TheoryStatus.BUSTED, TheoryStatus.VOID)


@dataclass(frozen=True)
class Outcome:
    """One choice of the dialog: a status, and for a multiple-choice theory the option."""

    status: TheoryStatus
    label: str
    hint: str
    option: str | None = None


OUTCOMES = tuple(Outcome(status, label, hint) for status, label, hint in CHOICES)


@dataclass(frozen=True)
class SelectedTheories:
    """Several theories a dialog acts on: all their ids, and the rows of the first few, which
    it names (see :meth:`preview`). Read for resolving, also which of them are multiple choice
    and how many open theories depend on them."""

    ids: tuple[int, ...]
    first: tuple[TheoryRow, ...]
    multiple_choice: frozenset[int] = frozenset()
    dependants: int = 0

    @classmethod
    def read(
        cls, board: BoardService, ids: Sequence[int], theories: TheoryService | None = None
    ) -> SelectedTheories:
        """Read the rows to name them by (and, given ``theories``, what resolving them needs):
        this runs on a reader thread, never on the GUI thread."""
        first = tuple(board.rows(list(ids[:PREVIEW_MAX])))
        if theories is None:
            return cls(tuple(ids), first)
        multiple = frozenset(s.id for s in theories.snapshot(ids) if s.theory.is_multiple_choice)
        return cls(tuple(ids), first, multiple, len(theories.dependants(ids)))

    def preview(self) -> str:
        """The first titles, one a line, and how many more there are."""
        lines = [f"• {fmt.isolate(r.title)}" for r in self.first]
        if len(self.ids) > PREVIEW_MAX:
            lines.append(f"… and {len(self.ids) - PREVIEW_MAX:,} more")
        return "\n".join(lines)


class _ResolveForm(QDialog):
    """The outcome, the date and the note; the subclass puts what is resolved above them and
    says what Resolve does. ``dependants`` open theories depend on what is resolved: busted or
    void, they are voided too, and the dialog says so."""

    def __init__(
        self,
        store: Store,
        header: list[QWidget],
        note_hint: str,
        outcomes: Sequence[Outcome],
        preset: TheoryStatus | None,
        parent: QWidget | None,
        *,
        dependants: int = 0,
        resolved: str = "it",
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.dependants = dependants
        self._resolved_words = resolved
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        for widget in header:
            layout.addWidget(widget)

        # One exclusive group: the arrow keys move the choice, not only the focus, as in any
        # desktop radio group. An outcome is chosen to start with (the first, or the preset:
        # the void action starts on Void), so Enter resolves.
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        #: The outcomes without an option, by status; and a multiple-choice theory's options.
        self.choices: dict[TheoryStatus, QRadioButton] = {}
        self.option_choices: dict[str, QRadioButton] = {}
        self._outcomes: dict[QRadioButton, Outcome] = {}
        for outcome in outcomes:
            # "&&": an option's name is the user's text, where "&" would mark a shortcut key.
            button = QRadioButton(f"{fmt.isolate(outcome.label).replace('&', '&&')} — {outcome.hint}")
            button.setAccessibleName(outcome.label)
            button.setAccessibleDescription(outcome.hint)
            self.group.addButton(button)
            self._outcomes[button] = outcome
            if outcome.option is None:
                self.choices[outcome.status] = button
            else:
                self.option_choices[outcome.option] = button
            layout.addWidget(button)
            button.toggled.connect(self.validate)
        self.status_error = error_label()
        layout.addWidget(self.status_error)
        #: "2 theories that depend on it will be voided too", while busted or void is chosen.
        self.dependants_note = PlainLabel()
        self.dependants_note.setContentsMargins(0, 4, 0, 4)  # apart from the choices it is about
        self.dependants_note.hide()
        layout.addWidget(self.dependants_note)

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
        buttons = list(self._outcomes)
        chosen = next((b for b in buttons if self._outcomes[b].status is preset), buttons[0])
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

    def _chosen(self) -> Outcome | None:
        return next((o for b, o in self._outcomes.items() if b.isChecked()), None)

    def status(self) -> TheoryStatus | None:
        chosen = self._chosen()
        return chosen.status if chosen is not None else None

    def option(self) -> str | None:
        """The option chosen as what happened (a multiple-choice theory), else None."""
        chosen = self._chosen()
        return chosen.option if chosen is not None else None

    def settled_on(self) -> date:
        d = self.when.date()
        return date(d.year(), d.month(), d.day())

    def _show_dependants(self) -> None:
        n = self.dependants
        voids = n > 0 and self.status() in VOIDING
        if voids:
            self.dependants_note.setText(
                f"{fmt.count(n, 'theory', 'theories')} that depend{'s' if n == 1 else ''} on "
                f"{self._resolved_words} will be voided too."
            )
        self.dependants_note.setVisible(voids)

    def validate(self) -> bool:
        self._show_dependants()
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
        chosen = self._chosen()
        if chosen is None:
            # Say why nothing happened, at the field that needs an answer.
            first = next(b for b in self._outcomes if b.isEnabled())
            names = "one of the options, or void" if self.option_choices else "confirmed, busted or void"
            set_error(self.status_error, f"Choose an outcome: {names}.")
            first.setFocus()
            return
        submit = self._resolve(chosen.status, chosen.option, self.note.toPlainText(), self.settled_on())
        self.saving.start(submit, self._resolved)

    def _resolved(self, _value: object) -> None:
        self.accept()

    def _resolve(
        self, status: TheoryStatus, option: str | None, note: str, on: date
    ) -> Callable[..., object]:
        """The store's change that resolves with these, to start with its handlers."""
        raise NotImplementedError


class ResolveDialog(_ResolveForm):
    """Settle one theory; ``dependants`` theories depend on it."""

    def __init__(
        self,
        store: Store,
        theory: Theory,
        parent: QWidget | None = None,
        preset: TheoryStatus | None = None,
        dependants: int = 0,
    ) -> None:
        self.theory = theory
        heading = QLabel(fmt.isolate(theory.title))
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setWordWrap(True)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        if theory.is_multiple_choice:
            sure = QLabel("Which answer happened?")
            void = next(o for o in OUTCOMES if o.status is TheoryStatus.VOID)
            outcomes = [
                Outcome(TheoryStatus.CONFIRMED, o.name, f"you gave it {fmt.percent(o.confidence)}", o.name)
                for o in theory.options
            ] + [void]
        else:
            sure = QLabel(f"You were {theory.confidence} % sure it would come true.")
            outcomes = list(OUTCOMES)
        hint = "What settled it? An episode, an announcement, a link…"
        super().__init__(store, [heading, sure], hint, outcomes, preset, parent, dependants=dependants)
        self.setWindowTitle("Resolve theory")

    def _resolve(
        self, status: TheoryStatus, option: str | None, note: str, on: date
    ) -> Callable[..., object]:
        return partial(self.store.resolve, self.theory.id, status, note, on, option=option)


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
        header: list[QWidget] = [preview]
        multiple = len(selected.multiple_choice)
        if multiple:
            # Each would need the option that happened: together they can only be void.
            one = multiple == 1
            self.multiple_choice_note: PlainLabel | None = PlainLabel(
                f"{'One' if one else f'{multiple:,}'} of these {'is' if one else 'are'} multiple choice, "
                "so together they can only be voided. To say which option happened, resolve "
                f"{'it' if one else 'each'} on its own."
            )
            header.append(self.multiple_choice_note)
            preset = TheoryStatus.VOID
        else:
            self.multiple_choice_note = None
        super().__init__(
            store,
            header,
            "What settled them? One note for all of them.",
            OUTCOMES,
            preset,
            parent,
            dependants=selected.dependants,
            resolved="them",
        )
        for status in (TheoryStatus.CONFIRMED, TheoryStatus.BUSTED):
            self.choices[status].setEnabled(not multiple)
        verb = "Void" if preset is TheoryStatus.VOID else "Resolve"
        self.setWindowTitle(f"{verb} {len(self.ids):,} theories")
        self.group.buttonToggled.connect(self._name_button)
        self._name_button()

    def _name_button(self, *_args) -> None:
        """The button says what it will do: "Confirm 3", "Bust 3", "Void 3"."""
        verbs = {TheoryStatus.CONFIRMED: "Confirm", TheoryStatus.BUSTED: "Bust", TheoryStatus.VOID: "Void"}
        self.ok_button.setText(f"{verbs.get(self.status(), 'Resolve')} {len(self.ids):,}")

    def _resolve(
        self, status: TheoryStatus, option: str | None, note: str, on: date
    ) -> Callable[..., object]:
        return partial(self.store.resolve_many, self.ids, status, note=note, on=on)

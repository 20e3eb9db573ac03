"""Add my forecast to a theory, anyone's: a chance for a yes/no question, or a chance per option.

In a club every member forecasts on every open theory; the theory's own confidence stays its
author's. The dialog reads the theory in the background and opens over the board; Save adds
the forecast in the background (one step that Edit → Undo takes back) and closes, while a
refusal shows in the dialog, at the field it is about, and what was typed stays.

Enter saves from any field (Save is the default button); Esc, Cancel or closing the window
with something changed asks before it drops what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain import rules
from etoile_app.domain.errors import InvalidStateError, JournalError, ValidationError
from etoile_app.domain.models import Forecast, Theory
from etoile_app.ui.common import fmt
from etoile_app.ui.common.store import Forecasted, Store
from etoile_app.ui.common.widgets import (
    ERROR_STYLE,
    BackgroundSave,
    PlainLabel,
    ask_before,
    error_label,
    muted,
    refuse_if_read_only,
    server_words,
    set_error,
    tell_refusal,
)

if TYPE_CHECKING:
    from etoile_app.services.journal import Journal

#: The key of the read that brings the theory: asked for again before it comes, it opens once.
READ_KEY = "forecast:dialog"
TITLE = "Forecast"
#: How many of my earlier forecasts the dialog lists (the latest); the rest it counts.
EARLIER_SHOWN = 5
#: What a new forecast starts at when there is nothing to start from.
DEFAULT_CHANCE = 50


@dataclass(frozen=True)
class ForecastSheet:
    """What the dialog shows: the theory, who wrote it, and my forecasts on it.

    ``author`` is ``None`` in a journal of one (no authors). ``mine`` holds my forecasts on it
    (in a journal of one, all of them); with none, the dialog starts from the theory's own
    confidence, its author's.
    """

    theory: Theory
    author: str | None = None
    mine: tuple[Forecast, ...] | None = None

    @property
    def question(self) -> str:
        """The title, under its condition: “If <condition>: <title>”."""
        condition = self.theory.condition
        title = self.theory.title
        return f"If {condition.title}: {title}" if condition is not None else title

    def latest(self) -> tuple[int | None, dict[str, int]]:
        """My last chance that a yes/no theory comes true, and per option of a multiple-choice one
        (what the spin boxes start at); empty where I never forecast."""
        chance: int | None = None
        options: dict[str, int] = {}
        for point in self.mine or ():
            if point.option is None:
                chance = point.confidence
            else:
                options[point.option] = point.confidence
        return chance, options


def read_sheet(journal: Journal, theory_id: int) -> ForecastSheet:
    """The theory to forecast on; a theory in the bin is refused. This runs on a reader thread,
    never on the GUI thread."""
    theory = journal.theories.get(theory_id)
    if theory.is_deleted:
        raise InvalidStateError(f"“{theory.title}” is in the bin: restore it to forecast on it.")
    if journal.identity.club:
        author, mine = journal.theories.forecasts_by(theory_id)
        return ForecastSheet(theory, author=author, mine=mine)
    # A journal of one: every theory and every forecast is mine.
    return ForecastSheet(theory, mine=theory.history)


def ask_forecast(parent: QWidget, store: Store, theory_id: int) -> None:
    """Read the theory in the background, then open the forecast dialog over ``parent``
    (window-modal; it goes when closed). A refusal to read it is told over ``parent``."""
    if refuse_if_read_only(store, parent):
        return
    journal = store.journal

    def opened(sheet: ForecastSheet) -> None:
        if shiboken6.isValid(parent):
            dialog = ForecastDialog(store, sheet, parent)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    def refused(exc: JournalError) -> None:
        if shiboken6.isValid(parent):
            tell_refusal(parent, TITLE, exc)

    store.ops.read(lambda: read_sheet(journal, theory_id), opened, key=READ_KEY, failed=refused)


def _chance_box(name: str, maximum: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(rules.CONFIDENCE_MIN, maximum)
    box.setSuffix(" %")
    box.setAccessibleName(name)
    return box


class ForecastDialog(QDialog):
    """The question, my chance (or a chance per option), a note, and my earlier forecasts."""

    def __init__(self, store: Store, sheet: ForecastSheet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.sheet = sheet
        theory = sheet.theory
        #: The open "Discard your forecast?" question, if any.
        self.discard_box: QMessageBox | None = None
        self.setWindowTitle(TITLE)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)

        heading = PlainLabel(fmt.isolate(sheet.question))
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        heading.setAccessibleName("Question")
        layout.addWidget(heading)
        #: Who wrote it, when known.
        self.author_label: QLabel | None = None
        if sheet.author is not None:
            self.author_label = muted(PlainLabel(f"by {fmt.isolate(sheet.author)}"))
            layout.addWidget(self.author_label)

        form = QFormLayout()
        chance, mine = sheet.latest()
        #: Yes/no: my chance it comes true. Multiple choice: one box per option, by name.
        self.chance: QSpinBox | None = None
        self.option_boxes: dict[str, QSpinBox] = {}
        if theory.is_multiple_choice:
            intro = PlainLabel("Your chance for each answer (together 100 %):")
            form.addRow(intro)
            for option in theory.options:
                box = _chance_box(option.name, rules.OPTION_MAX)
                box.setValue(mine.get(option.name, option.confidence or DEFAULT_CHANCE))
                box.valueChanged.connect(self._values_changed)
                name = QLabel(fmt.isolate(option.name))
                name.setTextFormat(Qt.TextFormat.PlainText)
                name.setBuddy(box)
                form.addRow(name, box)
                self.option_boxes[option.name] = box
            #: “Adds up to N %”, red while it is not 100.
            self.total_label: PlainLabel | None = PlainLabel()
            self.total_label.setAccessibleName("Total")
            form.addRow("", self.total_label)
        else:
            self.chance = _chance_box("Your chance it comes true", rules.CONFIDENCE_MAX)
            self.chance.setValue(chance if chance is not None else theory.confidence or DEFAULT_CHANCE)
            self.chance.valueChanged.connect(self._values_changed)
            form.addRow("Your &chance it comes true", self.chance)
            self.total_label = None
        #: Why the chances cannot be saved, beside them.
        self.chance_error = error_label()
        self.chance_error.setAccessibleName("Why the forecast cannot be saved")
        form.addRow("", self.chance_error)

        self.note = QLineEdit()
        self.note.setMaxLength(rules.NOTE_MAX)
        self.note.setPlaceholderText("Why? An episode, an interview, a hunch… (optional)")
        self.note.setAccessibleName("Note")
        self.note.textChanged.connect(self._values_changed)
        form.addRow("&Note", self.note)
        layout.addLayout(form)

        earlier = self._earlier_text()
        self.earlier_label: PlainLabel | None = None
        if earlier:
            title = muted(PlainLabel("Your earlier forecasts"))
            layout.addWidget(title)
            self.earlier_label = PlainLabel(earlier)
            self.earlier_label.setAccessibleName("Your earlier forecasts")
            layout.addWidget(self.earlier_label)

        #: A refusal not about one field (a resolved theory, the server's), in the dialog.
        self.message = error_label()
        self.message.setAccessibleName("Why nothing was saved")
        layout.addWidget(self.message)
        layout.addStretch(1)  # room to spare goes below, not between the lines

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)  # Enter in any field saves
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.saving = BackgroundSave(self, self.buttons)
        layout.addWidget(self.buttons)

        self._unchanged = self._state()
        if theory.status.is_resolved:
            # Said at once rather than after typing: the journal would refuse it.
            set_error(
                self.message,
                f"Resolved as {theory.status.label.lower()}: reopen it to forecast on it.",
            )
            self.save_button.setEnabled(False)
        self._values_changed()
        first = self.chance or next(iter(self.option_boxes.values()))
        first.setFocus(Qt.FocusReason.OtherFocusReason)
        first.selectAll()

    # --- what was typed --------------------------------------------------------------------

    def options(self) -> dict[str, int]:
        """The chance given each option, by name (empty for a yes/no theory)."""
        return {name: box.value() for name, box in self.option_boxes.items()}

    def total(self) -> int:
        return sum(self.options().values())

    def _state(self) -> tuple[object, ...]:
        chance = self.chance.value() if self.chance is not None else None
        return (chance, tuple(self.options().items()), self.note.text())

    def is_changed(self) -> bool:
        return self._state() != self._unchanged

    def _values_changed(self, *_args: object) -> None:
        if self.total_label is not None:
            total = self.total()
            off = total != 100
            self.total_label.setText(f"Adds up to {total} %" + (" (must be 100 %)" if off else ""))
            self.total_label.setStyleSheet(ERROR_STYLE if off else "")
        set_error(self.chance_error, "")

    def _earlier_text(self) -> str:
        """My earlier forecasts, latest first, one a line: when, the chance(s), the note."""
        mine = self.sheet.mine or ()
        # A multiple-choice forecast is one row per option, given together: one line each time.
        given: dict[tuple[object, str], list[Forecast]] = {}
        for point in mine:
            given.setdefault((point.changed_at, point.note), []).append(point)
        order = [o.name for o in self.sheet.theory.options]
        # Only the options that changed are stored each time: the others carry on.
        held: dict[str, int] = {}
        lines = []
        for (when, note), points in given.items():
            if points[0].option is None:
                chances = fmt.percent(points[-1].confidence)
            else:
                held.update((p.option or "", p.confidence) for p in points)
                chances = ", ".join(
                    f"{fmt.isolate(name)} {fmt.percent(held[name])}" for name in order if name in held
                )
            line = f"{fmt.local_datetime(when)} — {chances}"  # type: ignore[arg-type]
            lines.append(f"{line} — {fmt.isolate(note)}" if note else line)
        lines.reverse()  # the latest first
        shown = lines[:EARLIER_SHOWN]
        if len(lines) > EARLIER_SHOWN:
            shown.append(f"… and {fmt.count(len(lines) - EARLIER_SHOWN, 'earlier one', 'earlier ones')}")
        return "\n".join(shown)

    # --- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        """Add the forecast in the background; the dialog closes once it is made and stays, with
        what was typed, when it is refused. Chances that do not make 100 % are refused here."""
        if self.saving.busy():
            return
        theory_id, note = self.sheet.theory.id, self.note.text()
        if self.option_boxes:
            total = self.total()
            if total != 100:
                way = "take away" if total > 100 else "spread"
                self._refuse_at_field(
                    f"The answers add up to {total} %; together they must make 100 % "
                    f"({way} {abs(total - 100)} %)."
                )
                return
            submit = partial(self.store.forecast, theory_id, options=self.options(), note=note)
        else:
            assert self.chance is not None
            submit = partial(self.store.forecast, theory_id, self.chance.value(), note=note)
        set_error(self.message, "")
        self.saving.start(submit, self._saved, self._refused)

    def _saved(self, _made: Forecasted | object) -> None:
        self.accept()

    def _refused(self, exc: JournalError) -> None:
        """A refusal about the chances shows beside them, any other in the dialog (the server's
        own words behind a message's Show Details); what was typed stays."""
        if isinstance(exc, ValidationError) and exc.field in ("confidence", "options"):
            self._refuse_at_field(exc.message)
            return
        if isinstance(exc, ValidationError) and exc.field == "note":
            set_error(self.message, exc.message)
            self.note.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        set_error(self.message, exc.message)
        if server_words(exc):
            tell_refusal(self, TITLE, exc)

    def _refuse_at_field(self, message: str) -> None:
        set_error(self.chance_error, message)
        field = self.chance or next(iter(self.option_boxes.values()))
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- leaving ---------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc, Cancel and closing the window: ask first if something was changed."""
        if self.saving.busy():
            return  # the save under way closes the dialog, or says why it could not
        if not self.is_changed():
            super().reject()
            return
        self.ask_to_discard()

    def ask_to_discard(self) -> QMessageBox:
        """The window-modal question "Discard your forecast?"; Keep editing is the default."""
        if self.discard_box is not None:
            self.discard_box.raise_()
            return self.discard_box
        self.discard_box = ask_before(
            self,
            "Discard your forecast?",
            "Discard",
            "Keep editing",
            self._answered,
            self._forget_discard_box,
        )
        return self.discard_box

    def _answered(self, discard: bool) -> None:
        if discard:
            super().reject()

    def _forget_discard_box(self) -> None:
        self.discard_box = None


__all__ = ["ForecastDialog", "ForecastSheet", "ask_forecast", "read_sheet"]

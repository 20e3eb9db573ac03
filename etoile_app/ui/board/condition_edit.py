"""The theory another one depends on, picked by its title.

A line edit completes from the titles of the journal's other theories (read before the editor
opens); the chosen one is shown with its status. A title that names no theory is said under the
field. Enter picks the one match or says there is none, and never reaches the dialog's Save.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.models import TheoryRef
from etoile_app.ui.common.widgets import Badge, PlainLabel, error_label, set_error

#: What each status of the condition means for the theory that depends on it.
MEANING = {
    TheoryStatus.OPEN: "If it is busted or void, this theory is voided with it.",
    TheoryStatus.CONFIRMED: "It came true: this theory stays open and counts.",
    TheoryStatus.BUSTED: "It was busted: a theory that depends on it can only end void.",
    TheoryStatus.VOID: "It is void: a theory that depends on it can only end void.",
}


def labels(choices: Sequence[TheoryRef]) -> dict[str, TheoryRef]:
    """Each theory by the text the field shows for it: its title, and where two theories share a
    title, which of them it is and its status."""
    counts = Counter(c.title.casefold() for c in choices)
    seen: Counter[str] = Counter()
    out: dict[str, TheoryRef] = {}
    for c in choices:
        key = c.title.casefold()
        if counts[key] == 1:
            out[c.title] = c
        else:
            seen[key] += 1
            out[f"{c.title} ({seen[key]} of {counts[key]}, {c.status.label.lower()})"] = c
    return out


class _Entry(QLineEdit):
    """The title field: Enter picks what was typed (see :meth:`ConditionEdit.pick_typed`)."""

    enterPressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            popup = self.completer().popup() if self.completer() else None
            if popup is not None and popup.isVisible() and popup.currentIndex().isValid():
                event.ignore()  # the completer takes it and puts in the highlighted title
                return
            self.enterPressed.emit()
            event.accept()  # the dialog's default button must not hear it
            return
        super().keyPressEvent(event)


class ConditionEdit(QWidget):
    """Pick the theory this one depends on, or none. ``changed`` is emitted at every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._by_label: dict[str, TheoryRef] = {}
        self._by_key: dict[str, TheoryRef] = {}
        self.entry = _Entry()
        self.entry.setPlaceholderText("Another theory this one depends on (optional)")
        self.entry.setAccessibleName("Depends on")
        self.completer = QCompleter(QStringListModel([], self), self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setMaxVisibleItems(10)
        self.entry.setCompleter(self.completer)
        self.completer.activated.connect(self._completed)
        self.entry.enterPressed.connect(self.pick_typed)
        self.entry.textChanged.connect(self._update)
        self.entry.editingFinished.connect(self.say_problem)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setAccessibleName("Clear the condition")
        self.clear_button.setToolTip("Make the theory depend on nothing")
        self.clear_button.setAutoDefault(False)
        self.clear_button.clicked.connect(self.clear)

        self.badge = Badge()
        self.meaning = PlainLabel()
        self.error = error_label()

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.entry, 1)
        top.addWidget(self.clear_button)
        shown = QHBoxLayout()
        shown.setContentsMargins(0, 0, 0, 0)
        shown.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        shown.addWidget(self.meaning, 1)
        self._shown = QWidget()
        self._shown.setLayout(shown)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(top)
        column.addWidget(self._shown)
        column.addWidget(self.error)
        QWidget.setTabOrder(self.entry, self.clear_button)
        self._update()

    # --- values ----------------------------------------------------------------------------

    def set_choices(self, choices: Sequence[TheoryRef]) -> None:
        """The theories that may be picked, by title."""
        self._by_label = labels(choices)
        self._by_key = {label.casefold(): ref for label, ref in self._by_label.items()}
        self.completer.model().setStringList(list(self._by_label))  # type: ignore[attr-defined]
        self._update()

    def set_condition(self, ref: TheoryRef | None) -> None:
        """Show ``ref`` as the condition (one not among the choices, say in the bin, is added)."""
        if ref is None:
            self.entry.clear()
            return
        label = next((label for label, c in self._by_label.items() if c.id == ref.id), None)
        if label is None:
            label = ref.title if ref.title.casefold() not in self._by_key else f"{ref.title} (#{ref.id})"
            self._by_label[label] = ref
            self._by_key[label.casefold()] = ref
        self.entry.setText(label)

    def condition(self) -> TheoryRef | None:
        """The theory whose title is in the field, or None (nothing typed, or no such theory)."""
        return self._by_key.get(self.entry.text().strip().casefold())

    def condition_id(self) -> int | None:
        chosen = self.condition()
        return chosen.id if chosen is not None else None

    def problem(self) -> str:
        """Why what is typed cannot be saved, or ""."""
        text = self.entry.text().strip()
        if text and self.condition() is None:
            return f"No theory is called “{text}”: pick one from the list, or clear the field."
        return ""

    def show_error(self, message: str) -> None:
        set_error(self.error, message)

    def say_problem(self) -> None:
        """Say under the field why what is typed cannot be saved (while typing it is not said:
        a title half-typed names no theory yet)."""
        self.show_error(self.problem())

    # --- changes ---------------------------------------------------------------------------

    def clear(self) -> None:
        self.entry.clear()
        self.entry.setFocus(Qt.FocusReason.OtherFocusReason)

    def pick_typed(self) -> None:
        """Enter: what is typed names a theory, or the one title it is part of is taken; else
        the list of matches opens (or the field says that none matches)."""
        self.completer.popup().hide()
        if not self.entry.text().strip() or self.condition() is not None:
            return
        self.completer.setCompletionPrefix(self.entry.text())
        if self.completer.completionCount() == 1:
            self.entry.setText(self.completer.currentCompletion())
        elif self.completer.completionCount() > 1:
            self.completer.complete()
        else:
            self.say_problem()

    def _completed(self, text: str) -> None:
        self.entry.setText(text)
        # The completer hides its list after telling us; a list for a picked title is stale.
        QTimer.singleShot(0, self.completer.popup().hide)

    def _update(self) -> None:
        chosen = self.condition()
        self._shown.setVisible(chosen is not None)
        if chosen is not None:
            self.badge.set_status(chosen.status)
            self.meaning.setText(MEANING[chosen.status])
        self.clear_button.setEnabled(bool(self.entry.text()))
        if not self.problem():
            self.show_error("")  # a message said before goes once it is fixed; a new one waits
        self.changed.emit()

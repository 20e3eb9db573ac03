"""The kind of question a theory asks: yes or no (one confidence), or multiple choice (options).

Changing the kind of a saved theory drops forecasts when it is saved (the yes/no confidence
history, or the options and theirs), so the change is asked about first; the saved kind stays
chosen until the answer. Going back to the saved kind is never asked about.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QMessageBox, QRadioButton, QWidget

from etoile_app.domain.models import Theory
from etoile_app.ui.common import fmt
from etoile_app.ui.common.widgets import ask_before


def forecasts_dropped(theory: Theory) -> int:
    """How many forecasts a change of kind drops: the options' or the yes/no ones."""
    return sum(1 for h in theory.history if (h.option is not None) == theory.is_multiple_choice)


class FocusLabel(QLabel):
    """A form label whose mnemonic only moves the focus to its buddy.

    QLabel also clicks a buddy that is a button, a tenth of a second later: Alt+Q then an arrow
    key pressed within that time would choose the other kind, and the late click undo it."""

    def event(self, e: QEvent) -> bool:
        buddy = self.buddy()
        if e.type() == QEvent.Type.Shortcut and buddy is not None:
            buddy.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
        return super().event(e)


class QuestionKind(QWidget):
    """Two radio buttons, "Yes or no" and "Multiple choice" (the arrow keys move between them).
    ``changed`` is emitted once the kind has changed (after the question, if one was asked)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._saved: Theory | None = None
        #: The open question before a change of kind drops forecasts, if any.
        self.box: QMessageBox | None = None
        self.yes_no = QRadioButton("Yes or no")
        self.yes_no.setAccessibleName("Yes-or-no question")
        self.yes_no.setToolTip("It comes true or it does not: one confidence")
        self.multiple = QRadioButton("Multiple choice")
        self.multiple.setAccessibleName("Multiple-choice question")
        self.multiple.setToolTip("One of several answers happens: a percent for each")
        self.group = QButtonGroup(self)
        self.group.addButton(self.yes_no)
        self.group.addButton(self.multiple)
        self.yes_no.setChecked(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.yes_no)
        row.addWidget(self.multiple)
        row.addStretch(1)
        self.group.buttonToggled.connect(self._toggled)

    def is_multiple_choice(self) -> bool:
        return self.multiple.isChecked()

    def set_saved(self, theory: Theory) -> None:
        """Show the kind of a saved theory; changing it from now on asks first."""
        self._saved = theory
        self.set_multiple_choice(theory.is_multiple_choice)

    def set_multiple_choice(self, multiple: bool) -> None:
        """Choose the kind without asking."""
        if multiple == self.is_multiple_choice():
            return
        self.group.blockSignals(True)
        (self.multiple if multiple else self.yes_no).setChecked(True)
        self.group.blockSignals(False)
        self.changed.emit()

    def _toggled(self, button: QRadioButton, checked: bool) -> None:
        if not checked:
            return
        multiple = button is self.multiple
        t = self._saved
        if t is not None and multiple != t.is_multiple_choice and forecasts_dropped(t):
            # The saved kind stays chosen until the question is answered.
            self.group.blockSignals(True)
            (self.yes_no if multiple else self.multiple).setChecked(True)
            self.group.blockSignals(False)
            self.ask_to_switch()
            return
        self.changed.emit()

    def ask_to_switch(self) -> QMessageBox:
        """The window-modal question before the change drops the saved theory's forecasts;
        keeping the kind as it is is the default."""
        t = self._saved
        assert t is not None
        if self.box is not None:
            self.box.raise_()
            return self.box
        title = fmt.isolate(fmt.elide_middle(t.title, 80))
        dropped = fmt.count(forecasts_dropped(t), "forecast")
        if t.is_multiple_choice:
            names = ", ".join(f"“{fmt.isolate(o.name)}”" for o in t.options)
            text = (
                f"Make “{title}” a yes-or-no question?\n\nIts options ({names}) and their history "
                f"({dropped}) will be dropped when you save."
            )
            switch, keep = "Make it yes or no", "Keep the options"
        else:
            text = (
                f"Make “{title}” multiple choice?\n\nIts confidence history ({dropped}) will be "
                "dropped when you save; each option keeps a history of its own from then on."
            )
            switch, keep = "Make it multiple choice", "Keep it yes or no"
        # Titles and option names in the text are the user's.
        box = ask_before(self, text, switch, keep, self._answered, self._forget_box)
        self.box = box
        return box

    def _answered(self, switch: bool) -> None:
        if switch:
            self.set_multiple_choice(not self.is_multiple_choice())
        (self.multiple if self.is_multiple_choice() else self.yes_no).setFocus()

    def _forget_box(self) -> None:
        self.box = None

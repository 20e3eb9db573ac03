"""The options of a multiple-choice theory: rows of a name and a percent.

Tab walks the names and percents row by row; Enter moves to the next row's name, and in the
last row adds a new one; Delete in an empty name takes its row away. Enter never reaches the
dialog (whose default button would save the theory half-written). Under the rows, what is left
to give (or how far over it is) and a button that spreads it over the options.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain import rules
from etoile_app.domain.errors import ValidationError
from etoile_app.domain.models import OptionDraft
from etoile_app.ui.common import fmt
from etoile_app.ui.common.widgets import error_label, set_error

#: The least and most one option may have, and what all of them make together.
LOW, HIGH, TOTAL = 1, rules.OPTION_MAX, 100
#: Rows shown before the list scrolls: the rest of the form stays on screen.
ROWS_SHOWN = 6
MISSING_NAME = "Give every option a name"


def spread(values: Sequence[int], total: int = TOTAL, low: int = LOW, high: int = HIGH) -> list[int]:
    """``values`` with what is left to reach ``total`` shared out evenly in whole numbers (or,
    when over, taken away evenly), none going below ``low`` or above ``high``. Where the share
    does not divide evenly the first options get one more (or one less).

    Raises ValueError when no such sharing exists (too few or too many values)."""
    out = [min(high, max(low, v)) for v in values]
    if not out or not low * len(out) <= total <= high * len(out):
        raise ValueError(f"{len(out)} values from {low} to {high} cannot make {total}")
    left = total - sum(out)
    step = 1 if left > 0 else -1
    moved = [0] * len(out)
    # A percent at a time to the option moved least so far (the first of those): the options
    # that meet no bound end up moved alike, give or take one.
    while left:
        room = [i for i, v in enumerate(out) if (v < high if step > 0 else v > low)]
        i = min(room, key=lambda i: (abs(moved[i]), i))
        out[i] += step
        moved[i] += step
        left -= step
    return out


def remainder_text(left: int) -> str:
    """``Left to give: 15 %``, ``Over by 5 %``, ``All 100 % given``."""
    if left > 0:
        return f"Left to give: {fmt.percent(left)}"
    if left < 0:
        return f"Over by {fmt.percent(-left)}"
    return f"All {fmt.percent(TOTAL)} given"


class _Row:
    """One option: its name, its percent and a button that takes it away."""

    def __init__(self, name: str, percent: int) -> None:
        self.name = QLineEdit(name)
        self.name.setPlaceholderText("An answer, e.g. “Jack”")
        self.name.setMaxLength(rules.OPTION_NAME_MAX * 2)  # room to see that it is too long
        self.percent = QSpinBox()
        self.percent.setRange(LOW, HIGH)
        self.percent.setSuffix(" %")
        self.percent.setValue(percent)
        self.percent.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.UpDownArrows)
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setAutoRaise(True)
        # Off the Tab path, which walks names and percents; Delete in an empty name does it.
        self.remove.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def number(self, n: int) -> None:
        self.name.setAccessibleName(f"Option {n}")
        self.percent.setAccessibleName(f"Option {n}: percent")
        self.remove.setAccessibleName(f"Remove option {n}")
        self.remove.setToolTip(f"Remove option {n} (or press Delete in its empty name)")

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.name, self.percent, self.remove)


class OptionsEdit(QWidget):
    """Edit 2–12 options. :meth:`problem` says what is wrong, :meth:`options` gives them as
    typed; ``changed`` is emitted at every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        #: Whether a name has been typed in (or Save pressed): a missing name is said after that.
        self.touched = False

        self._grid_box = QWidget()
        self._grid = QGridLayout(self._grid_box)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(6)
        self._grid.setVerticalSpacing(4)
        self._grid.setColumnStretch(0, 1)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self._grid_box)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # As tall as its rows (see _fit); left expanding, the form would share its spare height
        # with the options as gaps between the rows, the buttons and the message.
        self.scroll.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # The rows sit on the form itself, not on a panel of the scroll area's own colour.
        self.scroll.viewport().setAutoFillBackground(False)
        self._grid_box.setAutoFillBackground(False)

        self.add_button = QPushButton("Add an option")
        self.add_button.setToolTip("Add an option (or press Enter in the last name)")
        self.add_button.setAutoDefault(False)  # Enter on it adds, never saves
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        self.remainder = QLabel()
        self.remainder.setAccessibleName("Percent left to give")
        self.spread_button = QPushButton("Spread the rest")
        self.spread_button.setToolTip("Share what is left (or over) evenly over the options")
        self.spread_button.setAutoDefault(False)
        self.spread_button.clicked.connect(self.spread_rest)
        footer = QHBoxLayout()
        footer.setContentsMargins(0, 0, 0, 0)
        footer.addWidget(self.add_button)
        footer.addStretch(1)
        footer.addWidget(self.remainder)
        footer.addWidget(self.spread_button)
        self.error = error_label()

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.scroll)
        column.addLayout(footer)
        column.addWidget(self.error)
        QWidget.setTabOrder(self.add_button, self.spread_button)
        self.set_options([])

    # --- values ----------------------------------------------------------------------------

    def options(self) -> tuple[OptionDraft, ...]:
        """The options as typed (names not yet tidied)."""
        return tuple(OptionDraft(r.name.text(), r.percent.value()) for r in self._rows)

    def set_options(self, options: Sequence[OptionDraft]) -> None:
        """Show ``options``; none gives two empty rows that share 100 % evenly."""
        for row in list(self._rows):
            self._take(row)
        for o in options or (OptionDraft("", 50), OptionDraft("", 50)):
            self.add_row(o.name, o.confidence)
        self.touched = False
        self._update()

    def rows(self) -> int:
        return len(self._rows)

    def name_edit(self, index: int) -> QLineEdit:
        return self._rows[index].name

    def percent_edit(self, index: int) -> QSpinBox:
        return self._rows[index].percent

    def remove_button(self, index: int) -> QToolButton:
        return self._rows[index].remove

    def left(self) -> int:
        """What is left to give (negative: how far over 100 % the options are)."""
        return TOTAL - sum(r.percent.value() for r in self._rows)

    def problem(self) -> str:
        """What keeps the options from being saved, or ""."""
        options = self.options()
        if not rules.OPTIONS_MIN <= len(options) <= rules.OPTIONS_MAX:
            return (
                f"A multiple-choice theory has from {rules.OPTIONS_MIN} to {rules.OPTIONS_MAX} "
                f"options (this one has {len(options)})."
            )
        blank = [i + 1 for i, o in enumerate(options) if not o.name.strip()]
        if len(blank) == len(options):
            return f"{MISSING_NAME}."
        if blank:
            rows = (
                ", ".join(str(n) for n in blank[:-1]) + (" and " if len(blank) > 1 else "") + str(blank[-1])
            )
            which = f"option {rows} has" if len(blank) == 1 else f"options {rows} have"
            return f"{MISSING_NAME} ({which} none)."
        try:
            rules.clean_options(options)
        except ValidationError as exc:
            return exc.message
        return ""

    def say_problem(self, names_too: bool = False) -> None:
        """Say under the options what is wrong. A missing name is said once a name has been
        typed, or when ``names_too`` (the dialog asks: Save was pressed, or a title is written
        so a disabled Save needs a reason); before that the empty rows are still to be filled."""
        problem = self.problem()
        if problem.startswith(MISSING_NAME) and not (self.touched or names_too):
            problem = ""
        set_error(self.error, problem)

    def focus_chain(self) -> list[QWidget]:
        """The widgets Tab walks, in order."""
        return [w for r in self._rows for w in (r.name, r.percent)] + [self.add_button, self.spread_button]

    # --- changes ---------------------------------------------------------------------------

    def add_row(self, name: str = "", percent: int | None = None, *, focus: bool = False) -> None:
        """A new row at the end; its percent is what is left, if anything is."""
        if percent is None:
            percent = min(HIGH, max(LOW, self.left()))
        row = _Row(name, percent)
        before = self._rows[-1].percent if self._rows else None
        self._rows.append(row)
        line = self._grid.rowCount()
        self._grid.addWidget(row.name, line, 0)
        self._grid.addWidget(row.percent, line, 1)
        self._grid.addWidget(row.remove, line, 2)
        for widget in row.widgets():
            widget.show()  # at once (a layout shows it later), so it can take the focus now
        row.name.textEdited.connect(self._name_typed)
        row.name.textChanged.connect(self._update)
        row.percent.valueChanged.connect(self._update)
        row.remove.clicked.connect(lambda: self.remove_row(self._rows.index(row)))
        for field in (row.name, row.percent):
            field.installEventFilter(self)
        # Tab goes on from the row before; left alone, the new row would join the window's tab
        # order at its very end.
        QWidget.setTabOrder(before or self.add_button.previousInFocusChain(), row.name)
        QWidget.setTabOrder(row.name, row.percent)
        self._update()
        if focus:
            row.name.setFocus(Qt.FocusReason.OtherFocusReason)
            self.scroll.ensureWidgetVisible(row.name)

    def remove_row(self, index: int) -> None:
        """Take a row away (one always stays, to type in); the focus goes to the next name."""
        if len(self._rows) <= 1 or not 0 <= index < len(self._rows):
            return
        gone = self._rows[index]
        if any(w.hasFocus() for w in gone.widgets()):
            # Moved before the row is hidden: hiding it would tab on and select the next name,
            # which a second Delete would then wipe.
            neighbour = self._rows[index + 1 if index + 1 < len(self._rows) else index - 1].name
            neighbour.setFocus(Qt.FocusReason.OtherFocusReason)
            neighbour.deselect()
        self._take(gone)
        self.touched = True
        self._update()

    def spread_rest(self) -> None:
        """Share what is left (or over) evenly over the options."""
        values = [r.percent.value() for r in self._rows]
        try:
            shared = spread(values)
        except ValueError:
            return  # the button is disabled then; nothing to share
        for row, value in zip(self._rows, shared, strict=True):
            row.percent.blockSignals(True)
            row.percent.setValue(value)
            row.percent.blockSignals(False)
        self._update()

    def _take(self, row: _Row) -> None:
        self._rows.remove(row)
        for widget in row.widgets():
            self._grid.removeWidget(widget)
            widget.hide()
            widget.deleteLater()

    def _name_typed(self) -> None:
        self.touched = True

    def _update(self) -> None:
        for n, row in enumerate(self._rows, 1):
            row.number(n)
            row.remove.setEnabled(len(self._rows) > 1)
        left = self.left()
        self.remainder.setText(remainder_text(left))
        self.spread_button.setEnabled(left != 0 and LOW * len(self._rows) <= TOTAL <= HIGH * len(self._rows))
        if not self.problem():
            set_error(self.error, "")
        self._fit()
        self.changed.emit()

    def _fit(self) -> None:
        """As tall as its rows, up to :data:`ROWS_SHOWN` of them; more scroll."""
        if not self._rows:
            return
        row_height = max(self._rows[0].name.sizeHint().height(), self._rows[0].percent.sizeHint().height())
        shown = min(len(self._rows), ROWS_SHOWN)
        self.scroll.setFixedHeight(shown * row_height + (shown - 1) * self._grid.verticalSpacing())

    # --- keys ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QWidget):
            self.scroll.ensureWidgetVisible(watched)
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        index = next((i for i, r in enumerate(self._rows) if watched in (r.name, r.percent)), None)
        if index is None:
            return super().eventFilter(watched, event)
        row = self._rows[index]
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            # Enter moves on to the next name (the last row's adds one when it is named), and
            # never reaches the dialog's Save.
            if watched is row.percent:
                row.percent.interpretText()
            if index + 1 < len(self._rows):
                self._rows[index + 1].name.setFocus(Qt.FocusReason.TabFocusReason)
            elif row.name.text().strip():
                self.add_row(focus=True)
            return True
        if (
            event.key() == Qt.Key.Key_Delete
            and plain
            and watched is row.name
            and not row.name.text()
            and not event.isAutoRepeat()  # held down to clear the name, it stops there
        ):
            self.remove_row(index)
            return True
        return super().eventFilter(watched, event)

"""Rate several theories in one grid: a confidence and a juiciness each, saved in one step.

After adopting starter theories (or on any theories selected on the board) a fan goes down the
list typing numbers: a digit on a cell starts editing it, Enter keeps the number and goes to
the row below, the arrow keys move between cells, and Enter outside a cell saves every
changed row at once, as one step that Edit → Undo takes back. The grid cannot hold a bad
value: a confidence is 1 to 99 %, a juiciness 0 (none) to 5 stars.

The save names the version of each theory the grid read: when someone else (another member of
a shared journal) changed one since, nothing is written, the grid keeps what was typed and says
which theory changed; Reload reads the rows again, showing the others' changes and keeping what
was typed on the rows nobody else changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain import rules
from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.errors import InvalidStateError, JournalError, StaleEditError
from etoile_app.domain.models import Theory
from etoile_app.ui.common import fmt
from etoile_app.ui.common.ops import Ticket
from etoile_app.ui.common.roles import ID_ROLE
from etoile_app.ui.common.store import Store
from etoile_app.ui.common.widgets import (
    ERROR_STYLE,
    BackgroundSave,
    PlainLabel,
    ask_before,
    error_label,
    muted,
    plain_tooltip,
    set_error,
    tell_refusal,
)

if TYPE_CHECKING:
    from etoile_app.services.theories import TheoryService

Index = QModelIndex | QPersistentModelIndex
COL_TITLE, COL_CONFIDENCE, COL_JUICINESS = range(3)
HEADERS = ("Theory", "Confidence", "Juiciness")
#: The key of the read that brings the theories to rate: asked for again, it opens once.
READ_KEY = "rate:dialog"
#: The key of the read that brings an open grid's theories again (its Reload).
RELOAD_KEY = "rate:reload"
INTRO = (
    "Type a number on a cell to change it, Enter to keep it and go to the next row; the arrow "
    "keys move between cells. Confidence is 1–99 %, juiciness 0 (none) to 5 stars. "
    "Save changes every row you changed at once; Edit → Undo takes it back."
)


@dataclass(frozen=True, slots=True)
class RateRow:
    """One theory in the grid, as it stands when the grid opens."""

    id: int
    title: str
    confidence: int
    juiciness: int | None
    status: TheoryStatus
    multiple_choice: bool = False
    #: The theory's version as read: the save is refused if someone else changed it since.
    version: int = 0

    @classmethod
    def of(cls, theory: Theory) -> RateRow:
        return cls(
            theory.id,
            theory.title,
            theory.confidence,
            theory.juiciness,
            theory.status,
            theory.is_multiple_choice,
            theory.version,
        )

    @property
    def confidence_locked(self) -> str:
        """Why the confidence cannot change here, or an empty string if it can."""
        if self.status.is_resolved:
            return f"Resolved as {self.status.label.lower()}: reopen it to change its confidence."
        if self.multiple_choice:
            return "Multiple choice: give its options their confidences in the editor."
        return ""


def read_rows(theories: TheoryService, ids: Sequence[int]) -> tuple[RateRow, ...]:
    """The theories of ``ids`` to rate, in that order, less any in the bin (refused if that
    leaves none). This runs on a reader thread, never on the GUI thread."""
    rows = tuple(RateRow.of(s.theory) for s in theories.snapshot(ids) if not s.theory.is_deleted)
    if not rows:
        raise InvalidStateError("These theories are in the bin: restore them to rate them.")
    return rows


def open_rate_dialog(store: Store, ids: Sequence[int], parent: QWidget) -> Ticket[tuple[RateRow, ...]]:
    """Read the theories of ``ids`` in the background, then open the grid over ``parent``
    (window-modal; it goes when closed). Asked for again before they come, it opens once."""
    theories = store.theories
    ids = list(ids)

    def opened(rows: tuple[RateRow, ...]) -> None:
        if shiboken6.isValid(parent):
            dialog = RateDialog(store, rows, parent)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    return store.ops.read(lambda: read_rows(theories, ids), opened, key=READ_KEY)


class RatingsModel(QAbstractTableModel):
    """The grid's rows: each theory's confidence and juiciness as first read, and as changed."""

    #: How many rows differ from what was read.
    changedCount = Signal(int)

    def __init__(self, rows: Sequence[RateRow], parent: Any = None) -> None:
        super().__init__(parent)
        self._rows = list(rows)
        self._values: list[tuple[int, int | None]] = [(r.confidence, r.juiciness) for r in rows]

    # --- reading ---------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], index.column()
        confidence, juiciness = self._values[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_TITLE:
                return fmt.isolate(row.title)
            if column == COL_CONFIDENCE:
                return fmt.percent(confidence)
            return fmt.stars(juiciness) or fmt.NO_STAR * rules.RATING_MAX
        if role == Qt.ItemDataRole.EditRole:
            return confidence if column == COL_CONFIDENCE else juiciness or 0
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if column == COL_JUICINESS:
                return f"{juiciness} of {rules.RATING_MAX} stars" if juiciness else "No juiciness rating"
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_TITLE:
                return plain_tooltip(fmt.isolate(row.title))
            if column == COL_CONFIDENCE and row.confidence_locked:
                return plain_tooltip(row.confidence_locked)
            return None
        if role == Qt.ItemDataRole.FontRole and self._changed(index):
            font = QFont()
            font.setBold(True)  # what Save will write
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_CONFIDENCE and row.confidence_locked:
            return QPalette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if role == Qt.ItemDataRole.TextAlignmentRole and column != COL_TITLE:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == ID_ROLE:
            return row.id
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        row, column = self._rows[index.row()], index.column()
        if column == COL_JUICINESS or (column == COL_CONFIDENCE and not row.confidence_locked):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def _changed(self, index: Index) -> bool:
        row, (confidence, juiciness) = self._rows[index.row()], self._values[index.row()]
        if index.column() == COL_CONFIDENCE:
            return confidence != row.confidence
        if index.column() == COL_JUICINESS:
            return juiciness != row.juiciness
        return False

    # --- changing --------------------------------------------------------------------------

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Take a confidence of 1–99 or a juiciness of 0–5 (0: none); refuse anything else."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        if not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        confidence, juiciness = self._values[index.row()]
        if index.column() == COL_CONFIDENCE:
            if not rules.CONFIDENCE_MIN <= value <= rules.CONFIDENCE_MAX:
                return False
            confidence = value
        else:
            if not 0 <= value <= rules.RATING_MAX:
                return False
            juiciness = value or None
        self._values[index.row()] = (confidence, juiciness)
        self.dataChanged.emit(index.siblingAtColumn(0), index.siblingAtColumn(len(HEADERS) - 1))
        self.changedCount.emit(len(self.ratings()))
        return True

    def ratings(self) -> list[tuple[int, int, int | None]]:
        """``(id, confidence, juiciness)`` of every row that differs from what was read."""
        return [
            (row.id, confidence, juiciness)
            for row, (confidence, juiciness) in zip(self._rows, self._values, strict=True)
            if (confidence, juiciness) != (row.confidence, row.juiciness)
        ]

    def value(self, row: int) -> tuple[int, int | None]:
        """The confidence and juiciness row ``row`` shows now."""
        return self._values[row]

    def versions(self) -> dict[int, int]:
        """The version each changed row's theory had when read, by theory id: what the save
        expects to find."""
        changed = {theory_id for theory_id, _confidence, _juiciness in self.ratings()}
        return {row.id: row.version for row in self._rows if row.id in changed}

    def title_of(self, theory_id: int) -> str | None:
        return next((row.title for row in self._rows if row.id == theory_id), None)

    def reload(self, rows: Sequence[RateRow]) -> list[RateRow]:
        """Take ``rows`` as read again. A row someone else changed since (a new version) shows
        their values, and what was typed on it goes; the other rows keep what was typed. Rows
        no longer there (moved to the bin) leave the grid. Returns the rows others changed."""
        before = {row.id: (row, value) for row, value in zip(self._rows, self._values, strict=True)}
        changed_by_others: list[RateRow] = []
        values: list[tuple[int, int | None]] = []
        for row in rows:
            old = before.get(row.id)
            if old is not None and old[0].version == row.version:
                values.append(old[1])
                continue
            if old is not None:
                changed_by_others.append(row)
            values.append((row.confidence, row.juiciness))
        self.beginResetModel()
        self._rows, self._values = list(rows), values
        self.endResetModel()
        self.changedCount.emit(len(self.ratings()))
        return changed_by_others


class _NumberEditor(QSpinBox):
    """The number typed into a cell; Enter keeps it (the grid's delegate commits it) and marks
    the editor so that the grid goes down a row."""

    entered = False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.entered = True
        super().keyPressEvent(event)


class _NumberDelegate(QStyledItemDelegate):
    """A spin box bounded to what the column may hold: bad values cannot be typed."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = _NumberEditor(parent)
        editor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        editor.setFrame(False)
        if index.column() == COL_CONFIDENCE:
            editor.setRange(rules.CONFIDENCE_MIN, rules.CONFIDENCE_MAX)
            editor.setSuffix(" %")
            editor.setAccessibleName("Confidence")
        else:
            editor.setRange(0, rules.RATING_MAX)
            editor.setSpecialValueText("none")
            editor.setSuffix(f" {fmt.STAR}")
            editor.setAccessibleName("Juiciness")
        return editor


class RatingsGrid(QTableView):
    """The grid: after Enter keeps a number, the cell below is the next to type in."""

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        entered = isinstance(editor, _NumberEditor) and editor.entered
        if entered:
            editor.entered = False  # the view may close the same editor twice
        super().closeEditor(editor, hint)
        current = self.currentIndex()
        if entered and current.isValid() and current.row() + 1 < self.model().rowCount():
            self.setCurrentIndex(current.siblingAtRow(current.row() + 1))


class RateDialog(QDialog):
    """One row per theory, its confidence and juiciness editable; Save writes the changed rows
    in one step. Cancel with changes asks first."""

    def __init__(self, store: Store, rows: Sequence[RateRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        #: The open "Discard your ratings?" question, if any.
        self.discard_box: QMessageBox | None = None
        self.setWindowTitle("Rate theories")
        self.resize(760, 520)
        layout = QVBoxLayout(self)
        intro = muted(PlainLabel(INTRO))
        layout.addWidget(intro)

        self.model = RatingsModel(rows, self)
        self.grid = RatingsGrid()
        self.grid.setModel(self.model)
        self.grid.setItemDelegate(_NumberDelegate(self.grid))
        self.grid.setAccessibleName("Theories to rate")
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.grid.setTabKeyNavigation(False)  # Tab leaves the grid for the buttons
        self.grid.setWordWrap(False)
        self.grid.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.grid.verticalHeader().hide()
        header = self.grid.horizontalHeader()
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        for column in (COL_CONFIDENCE, COL_JUICINESS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.grid.setColumnWidth(column, 120)
        layout.addWidget(self.grid, 1)

        # Said when the save was refused because someone else changed a theory meanwhile.
        self.stale_message = error_label()
        self.stale_message.setAccessibleName("Why nothing was saved")
        self.reload_button = QPushButton("&Reload")
        self.reload_button.setToolTip(
            "Read the theories again: what others changed shows, what you typed stays"
        )
        self.reload_button.clicked.connect(self.reload)
        self.reload_button.setAutoDefault(False)  # Enter in the grid saves, as it always does
        self.reload_button.hide()
        stale = QHBoxLayout()
        stale.addWidget(self.stale_message, 1)
        stale.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(stale)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.saving = BackgroundSave(self, self.buttons)
        layout.addWidget(self.buttons)
        self.model.changedCount.connect(self._count_changed)
        self._count_changed(0)

        first = self.model.index(0, COL_CONFIDENCE)
        if not self.model.flags(first) & Qt.ItemFlag.ItemIsEditable:
            first = first.siblingAtColumn(COL_JUICINESS)
        self.grid.setCurrentIndex(first)
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)

    def _count_changed(self, count: int) -> None:
        self.save_button.setEnabled(count > 0)
        self.save_button.setText(f"Save {fmt.count(count, 'change')}" if count else "Save")

    def is_changed(self) -> bool:
        return bool(self.model.ratings())

    def save(self) -> None:
        """Write every changed row in one step, in the background; the grid closes once saved
        and stays open, with what was typed, when the journal refuses (someone else changed one
        of the theories since the grid read it, say)."""
        ratings = self.model.ratings()
        if not ratings or self.saving.busy():
            return
        expected = self.model.versions()
        self.saving.start(
            partial(self.store.rate_many, ratings, expected_versions=expected), self._saved, self._refused
        )

    def _saved(self, _theories: object) -> None:
        self.accept()

    def _refused(self, exc: JournalError) -> None:
        """A refused save: the grid keeps what was typed. When someone else changed one of the
        theories since the grid read it, the grid says which (and, if the change leaves what was
        typed impossible, why) and offers Reload."""
        if not isinstance(exc, StaleEditError):
            tell_refusal(self, self.windowTitle(), exc)
            return
        theirs = exc.theirs
        theirs_id = getattr(theirs, "id", -1)
        # Named as the grid shows it (the other change may have renamed it).
        title = self.model.title_of(theirs_id) or getattr(theirs, "title", None) or "A theory"
        said = f"“{title}” was changed by someone else since this grid was read, so nothing was saved."
        typed = {theory_id: confidence for theory_id, confidence, _juiciness in self.model.ratings()}
        now = RateRow.of(theirs) if isinstance(theirs, Theory) else None
        if (
            now is not None
            and now.confidence_locked
            and typed.get(theirs_id, now.confidence) != now.confidence
        ):
            said += f" {now.confidence_locked}"
        said += " Reload to see their changes: what you typed on the other rows stays."
        self.stale_message.setStyleSheet(ERROR_STYLE)
        set_error(self.stale_message, said)
        self.reload_button.show()
        self.reload_button.setEnabled(True)
        self.reload_button.setFocus(Qt.FocusReason.OtherFocusReason)
        tell_refusal(self, self.windowTitle(), said)

    def reload(self) -> Ticket[tuple[RateRow, ...]]:
        """Read the grid's theories again in the background (see :meth:`RatingsModel.reload`)."""
        theories = self.store.theories
        ids = [self.model.index(row, 0).data(ID_ROLE) for row in range(self.model.rowCount())]
        self.reload_button.setEnabled(False)
        return self.store.ops.read(
            lambda: read_rows(theories, ids), self._reloaded, key=RELOAD_KEY, failed=self._reload_failed
        )

    def _reloaded(self, rows: tuple[RateRow, ...]) -> None:
        if not shiboken6.isValid(self):
            return
        theirs = self.model.reload(rows)
        self.reload_button.hide()
        named = ", ".join(f"“{row.title}”" for row in theirs)
        if theirs:
            text = f"Reloaded: {named} now {'shows' if len(theirs) == 1 else 'show'} what someone else saved."
        else:
            text = "Reloaded."
        self.stale_message.setStyleSheet("")
        set_error(self.stale_message, f"{text} Your other changes are kept; Save when ready.")
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)

    def _reload_failed(self, exc: JournalError) -> None:
        if shiboken6.isValid(self):
            self.reload_button.setEnabled(True)
            tell_refusal(self, self.windowTitle(), exc)

    def reject(self) -> None:
        """Esc, Cancel and closing the window: ask first if a rating was changed."""
        if self.saving.busy():
            return  # the save under way closes the dialog, or says why it could not
        if not self.is_changed():
            super().reject()
            return
        self.ask_to_discard()

    def ask_to_discard(self) -> QMessageBox:
        """The window-modal question "Discard the ratings you changed?"; Keep editing is the default."""
        if self.discard_box is not None:
            self.discard_box.raise_()
            return self.discard_box
        count = len(self.model.ratings())
        text = f"Discard the ratings you changed on {fmt.count(count, 'theory', 'theories')}?"
        box = ask_before(self, text, "Discard", "Keep editing", self._answered, self._forget_discard_box)
        self.discard_box = box
        return box

    def _answered(self, discard: bool) -> None:
        if discard:
            super().reject()

    def _forget_discard_box(self) -> None:
        self.discard_box = None

"""The "Add news" dialog: record a fact a person has read somewhere, with its source and date.

Input is checked as it is typed, with the same rules the service applies, so the message
appears under the field at once and Save stays disabled while anything is wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain import rules
from etoile_app.domain.enums import STATUS_TOPICS, FactStatus, Topic
from etoile_app.domain.errors import JournalError, ValidationError
from etoile_app.domain.models import Fact, NewsDraft
from etoile_app.ui.fmt import short_date
from etoile_app.ui.widgets import PlainLabel, error_label

if TYPE_CHECKING:
    from etoile_app.ui.store import Store

NEWS_STATUSES = (FactStatus.CONFIRMED, FactStatus.REPORTED, FactStatus.RUMOURED, FactStatus.SPECULATION)
STATUS_HINTS = {
    FactStatus.CONFIRMED: "Announced by Prime Video, the creators or the cast themselves",
    FactStatus.REPORTED: "Reported by a trade paper or a major outlet",
    FactStatus.RUMOURED: "Talk without a named source",
    FactStatus.SPECULATION: "Someone's educated guess",
}
NOTHING = "Nothing (new development)"
PREVIEW_LEN = 70


def _preview(fact: Fact) -> str:
    text = " ".join(fact.statement.split())
    if len(text) > PREVIEW_LEN:
        text = text[: PREVIEW_LEN - 1].rstrip() + "…"
    mark = " (superseded)" if fact.superseded_by_id is not None else ""
    return f"{short_date(fact.as_of)} — {text}{mark}"


def _with_message(field: QWidget, *below: QWidget | QLayout) -> QWidget:
    """A form field with its message (and any hint) directly beneath it."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(3)
    layout.addWidget(field)
    for item in below:
        if isinstance(item, QLayout):
            layout.addLayout(item)
        else:
            layout.addWidget(item)
    return box


class NewsDialog(QDialog):
    #: The fact that was recorded.
    saved = Signal(object)

    def __init__(self, store: Store, topic: Topic | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.fact: Fact | None = None
        self.error_box: QMessageBox | None = None
        self._facts: dict[int, Fact] = {}
        self._touched: set[str] = set()
        self._server_errors: dict[str, str] = {}
        self.setWindowTitle("Add news")
        self.setMinimumWidth(660)

        self.topic_combo = QComboBox()
        # The Status tab's topics first; the others still matter as evidence for theories.
        for t in (*STATUS_TOPICS, *(t for t in Topic if t not in STATUS_TOPICS)):
            self.topic_combo.addItem(t.label, t)
        self.topic_combo.insertSeparator(len(STATUS_TOPICS))
        if topic is not None:
            self.topic_combo.setCurrentIndex(self.topic_combo.findData(topic))

        self.statement_edit = QPlainTextEdit()
        self.statement_edit.setTabChangesFocus(True)
        self.statement_edit.setPlaceholderText("e.g. Prime Video renews Étoile for a second season.")
        self.statement_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 14)
        self.statement_count = QLabel()
        self.statement_count.setAlignment(Qt.AlignmentFlag.AlignRight)
        self._mute(self.statement_count)
        self.statement_error = error_label()

        self.status_combo = QComboBox()
        for status in NEWS_STATUSES:
            self.status_combo.addItem(status.label, status)
            self.status_combo.setItemData(
                self.status_combo.count() - 1, STATUS_HINTS[status], Qt.ItemDataRole.ToolTipRole
            )
        self.status_combo.setCurrentIndex(self.status_combo.findData(FactStatus.REPORTED))
        self.status_hint = self._mute(PlainLabel())
        self.status_error = error_label()

        self.source_edit = QLineEdit()
        self.source_edit.setPlaceholderText("e.g. Variety, Deadline, the show's Instagram")
        self.source_error = error_label()

        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("d MMMM yyyy")
        self.date_edit.setMinimumDate(QDate(1900, 1, 1))
        today = store.today()  # the journal's clock, which the service checks against
        self.date_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.date_edit.setDate(QDate(today.year, today.month, today.day))
        self.date_error = error_label()

        self.supersedes_combo = QComboBox()
        self.supersedes_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.supersedes_combo.setMinimumContentsLength(40)
        supersedes_hint = self._mute(PlainLabel("Pick the earlier state this news overtakes, if any."))

        self.characters_list = QListWidget()
        self.characters_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 6 + 12)
        for character in store.cast.characters():
            name = f"{character.name} ({character.actor})" if character.actor else character.name
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, character.id)
            self.characters_list.addItem(item)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(10)
        form.addRow("&Topic:", self.topic_combo)
        under_statement = QHBoxLayout()
        under_statement.addWidget(self.statement_error, 1)
        under_statement.addWidget(self.statement_count, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow("&What happened:", _with_message(self.statement_edit, under_statement))
        form.addRow("S&tatus:", _with_message(self.status_combo, self.status_hint, self.status_error))
        form.addRow("&Source:", _with_message(self.source_edit, self.source_error))
        form.addRow("&Date:", _with_message(self.date_edit, self.date_error))
        form.addRow("Su&persedes:", _with_message(self.supersedes_combo, supersedes_hint))
        form.addRow("&Characters:", self.characters_list)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        self.topic_combo.currentIndexChanged.connect(self._fill_supersedes)
        self.statement_edit.textChanged.connect(lambda: self._edited("statement"))
        self.source_edit.textChanged.connect(lambda: self._edited("source"))
        self.source_edit.editingFinished.connect(lambda: self._edited("source"))
        self.status_combo.currentIndexChanged.connect(lambda: self._edited("status"))
        self.date_edit.dateChanged.connect(lambda: self._edited("as_of"))
        self.supersedes_combo.currentIndexChanged.connect(lambda: self._edited("as_of"))
        self._fill_supersedes()
        self._validate()

    @staticmethod
    def _mute(label: QLabel) -> QLabel:
        palette = label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText))
        label.setPalette(palette)
        return label

    # --- reading the form ------------------------------------------------------------------

    def topic(self) -> Topic:
        # Qt hands a StrEnum back as a bare str; make it the enum again.
        return Topic(self.topic_combo.currentData())

    def status(self) -> FactStatus:
        return FactStatus(self.status_combo.currentData())

    def supersedes(self) -> Fact | None:
        return self._facts.get(self.supersedes_combo.currentData())

    def character_ids(self) -> tuple[int, ...]:
        items = (self.characters_list.item(i) for i in range(self.characters_list.count()))
        return tuple(
            item.data(Qt.ItemDataRole.UserRole)
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        )

    def draft(self) -> NewsDraft:
        older = self.supersedes()
        return NewsDraft(
            topic=self.topic(),
            statement=self.statement_edit.toPlainText(),
            status=self.status(),
            source=self.source_edit.text(),
            as_of=self.date_edit.date().toPython(),
            supersedes_id=older.id if older is not None else None,
            character_ids=self.character_ids(),
        )

    def _fill_supersedes(self) -> None:
        facts = self.store.canon.facts(self.topic())
        self._facts = {f.id: f for f in facts}
        self.supersedes_combo.blockSignals(True)
        self.supersedes_combo.clear()
        self.supersedes_combo.addItem(NOTHING, None)
        for fact in facts:
            self.supersedes_combo.addItem(_preview(fact), fact.id)
            self.supersedes_combo.setItemData(
                self.supersedes_combo.count() - 1, fact.statement, Qt.ItemDataRole.ToolTipRole
            )
        self.supersedes_combo.blockSignals(False)
        self._edited("as_of")

    # --- checking --------------------------------------------------------------------------

    def _edited(self, field: str) -> None:
        self._touched.add(field)
        self._server_errors.pop(field, None)
        self._validate()

    def problems(self) -> dict[str, str]:
        """What is wrong now, by field; the same rules (and messages) as the service's."""
        draft = self.draft()
        found: dict[str, str] = {}
        checks = (
            ("statement", "What happened", rules.STATEMENT_MAX, draft.statement),
            ("source", "The source", rules.SHORT_TEXT_MAX, draft.source),
        )
        for field, what, limit, value in checks:
            try:
                rules.clean_text(value, what, field=field, max_len=limit, required=True)
            except ValidationError as exc:
                found[field] = exc.message
        older = self.supersedes()
        if older is not None and older.as_of > draft.as_of:
            found["as_of"] = (
                f"This news is dated {short_date(draft.as_of)}, before the fact it supersedes "
                f"({short_date(older.as_of)}); pick a later date or another fact."
            )
        return found | self._server_errors

    def _validate(self) -> bool:
        problems = self.problems()
        labels = {
            "statement": self.statement_error,
            "source": self.source_error,
            "as_of": self.date_error,
            "status": self.status_error,
        }
        for field, label in labels.items():
            # An empty required field is only scolded once the person has been there.
            message = (
                problems.get(field, "") if field in self._touched or field in self._server_errors else ""
            )
            label.setText(message)
            label.setVisible(bool(message))
        length = len(" ".join(self.statement_edit.toPlainText().split()))
        self.statement_count.setText(f"{length:,} / {rules.STATEMENT_MAX:,}")
        self.status_hint.setText(STATUS_HINTS[self.status()])
        self.save_button.setEnabled(not problems)
        self._fit_height()
        return not problems

    def _fit_height(self) -> None:
        # A top-level window sizes itself without asking wrapped labels how tall they are at
        # its width, so an appearing message would overlap the field above it; ask for them.
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        if needed > 0:
            self.setMinimumHeight(needed)
            if needed > self.height():
                self.resize(self.width(), needed)

    # --- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        if not self._validate():
            return
        try:
            fact = self.store.add_news(self.draft())
        except ValidationError as exc:
            field = "as_of" if exc.field in ("as_of", "date") else exc.field
            if field in ("statement", "source", "as_of", "status"):
                self._server_errors[field] = exc.message
                self._validate()
            else:
                self._tell(exc.message)
            return
        except JournalError as exc:
            self._tell(exc.message)
            return
        self.fact = fact
        self.saved.emit(fact)
        self.accept()

    def _tell(self, message: str) -> None:
        # open(), not exec(): the dialog stays responsive and tests need no event-loop tricks.
        box = QMessageBox(QMessageBox.Icon.Warning, "Cannot add the news", message, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.error_box = box
        box.open()

"""The "Add news" dialog: record a fact a person has read somewhere, with its source and date;
and the same dialog as "Edit news", to change news the person recorded.

Input is checked as it is typed, with the same rules the service applies, so the message
appears under the field at once and Save stays disabled while anything is wrong.

What the dialog offers (the facts news may supersede, the characters it may name) is read off
the GUI thread before it opens (:func:`open_news`), and read again when the canon changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
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
from etoile_app.domain.models import Character, Fact, NewsDraft
from etoile_app.ui.common.fmt import short_date
from etoile_app.ui.common.roles import ID_ROLE
from etoile_app.ui.common.spoilers import fact_line, guard_for
from etoile_app.ui.common.widgets import (
    BackgroundSave,
    DateEdit,
    PlainLabel,
    error_label,
    name_form_fields,
    plain_tooltip,
)

if TYPE_CHECKING:
    from etoile_app.services.canon import CanonService
    from etoile_app.services.cast import CastService
    from etoile_app.ui.common.ops import Ticket
    from etoile_app.ui.common.store import Store

NEWS_STATUSES = (FactStatus.CONFIRMED, FactStatus.REPORTED, FactStatus.RUMOURED, FactStatus.SPECULATION)
STATUS_HINTS = {
    FactStatus.CONFIRMED: "Announced by Prime Video, the creators or the cast themselves",
    FactStatus.REPORTED: "Reported by a trade paper or a major outlet",
    FactStatus.RUMOURED: "Talk without a named source",
    FactStatus.SPECULATION: "Someone's educated guess",
}
NOTHING = "Nothing (new development)"
PREVIEW_LEN = 70
HEADLINE_PLACEHOLDER = "The state in a few words, e.g. Picked up by another streamer"
SUPERSEDES_HINT = (
    "News supersedes nothing unless you choose the earlier state it overtakes. "
    "A rumour or a guess cannot supersede a confirmed or reported fact."
)
SOURCE_TITLE_MAX = 400  # as the service allows


def guess_over_fact(status: FactStatus, older: Fact) -> str:
    """The service's refusal when talk tries to overtake a firmer fact ('' when it may)."""
    if status.is_guess and not older.status.is_guess:
        return (
            f"A {status.label.lower()} cannot supersede a {older.status.label.lower()} fact; "
            "record it without superseding anything, or as reported if an outlet reports it."
        )
    return ""


def _preview(fact: Fact, story_hidden: bool = False) -> str:
    """``6 Jun 2025 — Cancelled after one season (reported)``: the status says what it may take.
    With ``story_hidden`` a Season 1 story fact is named by a placeholder."""
    text = " ".join(fact_line(fact, story_hidden).split())
    if len(text) > PREVIEW_LEN:
        text = text[: PREVIEW_LEN - 1].rstrip() + "…"
    return f"{short_date(fact.as_of)} — {text} ({fact.shown_status.label.lower()})"


@dataclass(frozen=True)
class NewsChoices:
    """What the news dialog offers: the live facts of every topic, newest first (those of the
    chosen topic may be superseded), and the characters news may name."""

    facts: tuple[Fact, ...]
    characters: tuple[Character, ...]


def read_news_choices(canon: CanonService, cast: CastService) -> NewsChoices:
    """Read what the news dialog offers (on a reader thread: the services return frozen records)."""
    return NewsChoices(tuple(canon.facts()), tuple(cast.characters()))


def open_news(
    store: Store,
    parent: QWidget | None,
    topic: Topic | None = None,
    *,
    fact: Fact | None = None,
    opened: Callable[[NewsDialog], Any] | None = None,
) -> Ticket[NewsChoices]:
    """Open (not exec) the news dialog over ``parent`` once what it offers has been read off the
    GUI thread; with ``fact`` it edits that news. ``opened`` hears of the dialog just before it
    shows. Asked for again before the read has come (a second click), only one dialog opens."""
    canon, cast = store.canon, store.cast

    def show(choices: NewsChoices) -> None:
        if parent is not None and not shiboken6.isValid(parent):
            return  # the window went while the read was under way
        dialog = NewsDialog(store, choices, topic, parent, fact=fact)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if opened is not None:
            opened(dialog)
        dialog.open()

    return store.ops.read(lambda: read_news_choices(canon, cast), show, key=f"news.open.{id(parent)}")


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
    #: The fact that was recorded (or, when editing, changed).
    saved = Signal(object)

    def __init__(
        self,
        store: Store,
        choices: NewsChoices,
        topic: Topic | None = None,
        parent: QWidget | None = None,
        *,
        fact: Fact | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        #: Whether the facts it offers to supersede show their Season 1 story.
        self.spoilers = guard_for(parent, owner=self)
        #: The news being edited; ``None`` when adding.
        self.editing = fact
        self.fact: Fact | None = None
        self.error_box: QMessageBox | None = None
        #: Every live fact, by id; ``_facts`` holds those the supersedes choice offers now.
        self._all_facts: dict[int, Fact] = {f.id: f for f in choices.facts}
        self._facts: dict[int, Fact] = {}
        self._touched: set[str] = set()
        self._server_errors: dict[str, str] = {}
        self.setWindowTitle("Edit news" if fact is not None else "Add news")
        self.setMinimumWidth(660)
        if fact is not None:
            topic = fact.topic

        self.topic_combo = QComboBox()
        # The Status tab's topics first; the others still matter as evidence for theories.
        for t in (*STATUS_TOPICS, *(t for t in Topic if t not in STATUS_TOPICS)):
            self.topic_combo.addItem(t.label, t)
        self.topic_combo.insertSeparator(len(STATUS_TOPICS))
        if topic is not None:
            self.topic_combo.setCurrentIndex(self.topic_combo.findData(topic))

        self.headline_edit = QLineEdit()
        self.headline_edit.setPlaceholderText(HEADLINE_PLACEHOLDER)
        self.headline_error = error_label()

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
        self.source_title_edit = QLineEdit()
        self.source_title_edit.setPlaceholderText("The piece's own title, if it has one")
        self.source_title_error = error_label()
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://…")
        self.url_error = error_label()

        self.date_edit = DateEdit()
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
        self.supersedes_hint = self._mute(PlainLabel(SUPERSEDES_HINT))
        self.supersedes_error = error_label()

        self.characters_list = QListWidget()
        self.characters_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 6 + 12)
        for character in choices.characters:
            name = f"{character.name} ({character.actor})" if character.actor else character.name
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(ID_ROLE, character.id)
            self.characters_list.addItem(item)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(10)
        form.addRow("&Topic:", self.topic_combo)
        form.addRow("&Headline:", _with_message(self.headline_edit, self.headline_error))
        under_statement = QHBoxLayout()
        under_statement.addWidget(self.statement_error, 1)
        under_statement.addWidget(self.statement_count, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow("&What happened:", _with_message(self.statement_edit, under_statement))
        form.addRow("S&tatus:", _with_message(self.status_combo, self.status_hint, self.status_error))
        form.addRow("&Source:", _with_message(self.source_edit, self.source_error))
        form.addRow("Title of the &piece:", _with_message(self.source_title_edit, self.source_title_error))
        form.addRow("&Address:", _with_message(self.url_edit, self.url_error))
        form.addRow("&Date:", _with_message(self.date_edit, self.date_error))
        form.addRow(
            "Su&persedes:",
            _with_message(self.supersedes_combo, self.supersedes_error, self.supersedes_hint),
        )
        form.addRow("&Characters:", self.characters_list)
        name_form_fields(form)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.saving = BackgroundSave(self, self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        if fact is not None:
            self._prefill(fact)

        self.topic_combo.currentIndexChanged.connect(self._fill_supersedes)
        self.headline_edit.textChanged.connect(lambda: self._edited("headline"))
        self.statement_edit.textChanged.connect(lambda: self._edited("statement"))
        self.source_edit.textChanged.connect(lambda: self._edited("source"))
        self.source_edit.editingFinished.connect(lambda: self._edited("source"))
        self.source_title_edit.textChanged.connect(lambda: self._edited("source_title"))
        # An address is scolded once the person leaves it, not at every keystroke of typing it.
        self.url_edit.textChanged.connect(lambda: self._edited("source_url", touch=False))
        self.url_edit.editingFinished.connect(lambda: self._edited("source_url"))
        self.status_combo.currentIndexChanged.connect(lambda: self._edited("status"))
        self.date_edit.dateChanged.connect(lambda: self._edited("as_of"))
        self.supersedes_combo.currentIndexChanged.connect(self._supersedes_picked)
        self._fill_supersedes(keep=fact.supersedes_id if fact is not None else None)
        store.canonChanged.connect(self._canon_changed)
        self.spoilers.changed.connect(self._spoilers_changed)
        self._validate()
        # Typing starts with what happened; the topic (preset from a card, or Renewal) is one
        # Shift+Tab away. On the topic combo, typed words would only flip through its items.
        self.statement_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    @staticmethod
    def _mute(label: QLabel) -> QLabel:
        palette = label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText))
        label.setPalette(palette)
        return label

    def _prefill(self, fact: Fact) -> None:
        self.headline_edit.setText(fact.headline)
        self.statement_edit.setPlainText(fact.statement)
        index = self.status_combo.findData(fact.status)
        if index >= 0:
            self.status_combo.setCurrentIndex(index)
        self.source_edit.setText(fact.source)
        self.source_title_edit.setText(fact.source_title)
        self.url_edit.setText(fact.source_url)
        self.date_edit.setDate(QDate(fact.as_of.year, fact.as_of.month, fact.as_of.day))
        for i in range(self.characters_list.count()):
            item = self.characters_list.item(i)
            if item.data(ID_ROLE) in fact.character_ids:
                item.setCheckState(Qt.CheckState.Checked)
        # What is already there has been seen: say at once what is wrong with it.
        self._touched |= {"headline", "statement", "source", "source_title", "source_url", "as_of", "status"}

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
        return tuple(item.data(ID_ROLE) for item in items if item.checkState() == Qt.CheckState.Checked)

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
            headline=self.headline_edit.text(),
            source_title=self.source_title_edit.text(),
            source_url=self.url_edit.text(),
        )

    def _spoilers_changed(self, _shown: bool) -> None:
        self._fill_supersedes(keep=self.supersedes_combo.currentData())

    def _fill_supersedes(self, *_: object, keep: int | None = None) -> None:
        """Offer the topic's facts (retracted news is not offered, nor the news being edited);
        the choice starts at Nothing, so news overtakes only what the person picks."""
        own = self.editing.id if self.editing is not None else None
        topic = self.topic()
        facts = [f for f in self._all_facts.values() if f.topic is topic and f.id != own]
        self._facts = {f.id: f for f in facts}
        self.supersedes_combo.blockSignals(True)
        self.supersedes_combo.clear()
        self.supersedes_combo.addItem(NOTHING, None)
        for fact in facts:
            self.supersedes_combo.addItem(_preview(fact, self.spoilers.hidden()), fact.id)
            self.supersedes_combo.setItemData(
                self.supersedes_combo.count() - 1,
                plain_tooltip(self.spoilers.statement(fact)),
                Qt.ItemDataRole.ToolTipRole,
            )
        if keep is not None and keep in self._facts:
            self.supersedes_combo.setCurrentIndex(self.supersedes_combo.findData(keep))
        self.supersedes_combo.blockSignals(False)
        self._server_errors.pop("supersedes", None)
        self._edited("as_of")

    def _canon_changed(self) -> None:
        """News recorded, edited or retracted meanwhile (a save that was under way, an undo):
        read the facts again off the GUI thread, keeping the choice where it still stands."""
        canon = self.store.canon

        def show(facts: tuple[Fact, ...]) -> None:
            if shiboken6.isValid(self):
                self._all_facts = {f.id: f for f in facts}
                self._fill_supersedes(keep=self.supersedes_combo.currentData())

        self.store.ops.read(lambda: tuple(canon.facts()), show, key=f"news.facts.{id(self)}")

    def _supersedes_picked(self) -> None:
        self._server_errors.pop("supersedes", None)
        self._edited("as_of")

    # --- checking --------------------------------------------------------------------------

    def _edited(self, field: str, *, touch: bool = True) -> None:
        if touch:
            self._touched.add(field)
        self._server_errors.pop(field, None)
        self._validate()

    def problems(self) -> dict[str, str]:
        """What is wrong now, by field; the same rules (and messages) as the service's."""
        draft = self.draft()
        found: dict[str, str] = {}
        checks = (
            ("statement", "What happened", rules.STATEMENT_MAX, draft.statement, True),
            ("source", "The source", rules.SHORT_TEXT_MAX, draft.source, True),
            ("headline", "The headline", rules.HEADLINE_MAX, draft.headline, False),
            ("source_title", "The title of the piece", SOURCE_TITLE_MAX, draft.source_title, False),
        )
        for field, what, limit, value, required in checks:
            try:
                rules.clean_text(value, what, field=field, max_len=limit, required=required)
            except ValidationError as exc:
                found[field] = exc.message
        try:
            rules.clean_url(draft.source_url)
        except ValidationError as exc:
            found["source_url"] = exc.message
        older = self.supersedes()
        if older is not None:
            if older.as_of > draft.as_of:
                found["as_of"] = (
                    f"This news is dated {short_date(draft.as_of)}, before the fact it supersedes "
                    f"({short_date(older.as_of)}); pick a later date or another fact."
                )
            refusal = guess_over_fact(draft.status, older) or self._already_superseded(older)
            if refusal:
                found["supersedes"] = refusal
        return found | self._server_errors

    def _already_superseded(self, older: Fact) -> str:
        holder_id = older.superseded_by_id
        if holder_id is None or (self.editing is not None and holder_id == self.editing.id):
            return ""
        holder = self._all_facts.get(holder_id)
        named = f"“{self.spoilers.line(holder)}” ({holder.as_of.isoformat()})" if holder else "newer news"
        return f"That fact is already superseded by {named}; pick that one instead."

    def _validate(self) -> bool:
        problems = self.problems()
        labels = {
            "headline": self.headline_error,
            "statement": self.statement_error,
            "source": self.source_error,
            "source_title": self.source_title_error,
            "source_url": self.url_error,
            "as_of": self.date_error,
            "status": self.status_error,
            "supersedes": self.supersedes_error,
        }
        shown_at_once = {"headline", "source_title", "supersedes"}  # only wrong once chosen or typed
        for field, label in labels.items():
            # An empty required field is only scolded once the person has been there.
            seen = field in self._touched or field in self._server_errors or field in shown_at_once
            message = problems.get(field, "") if seen else ""
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
        if self.saving.busy() or not self._validate():
            return
        if self.editing is not None:
            submit = partial(self.store.edit_news, self.editing.id, self.draft())
        else:
            submit = partial(self.store.add_news, self.draft())
        self.saving.start(submit, self._saved, self._refused)

    def reject(self) -> None:
        if not self.saving.busy():  # the save under way closes the dialog
            super().reject()

    def _saved(self, fact: Fact) -> None:
        self.fact = fact
        self.saved.emit(fact)
        self.accept()

    def _refused(self, exc: JournalError) -> None:
        field = ""
        if isinstance(exc, ValidationError):
            field = "as_of" if exc.field in ("as_of", "date") else exc.field
        if field in FIELDS:
            self._server_errors[field] = exc.message
            self._validate()
        else:
            self._tell(exc.message)

    def _tell(self, message: str) -> None:
        # open(), not exec(): the dialog stays responsive and tests need no event-loop tricks.
        title = "Cannot save the news" if self.editing is not None else "Cannot add the news"
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.error_box = box
        box.open()


#: The fields whose refusals are shown under them (others go to a message box).
FIELDS = frozenset(
    {"headline", "statement", "source", "source_title", "source_url", "as_of", "status", "supersedes"}
)

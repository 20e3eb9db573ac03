"""The dialog for writing a new theory or editing one.

Every field is checked as it changes by the same rules the services apply; a message appears
under a field that is wrong, and Save stays disabled until everything is right.

A theory is a yes/no question (one confidence) or multiple choice (options, each with its
percent; see :mod:`~etoile_app.ui.board.options_edit`), and may depend on another theory (see
:mod:`~etoile_app.ui.board.condition_edit`).

It is meant to be used from the keyboard alone: the title has the focus when it opens, Tab walks
the fields in reading order (never typing a tab into the body), Ctrl+S saves, Enter in the
evidence note adds that evidence, and Esc, Cancel or closing ask before a changed draft is lost.

An edit saves against the version of the theory it loaded: when someone else has changed the
theory meanwhile the save is refused and :mod:`~etoile_app.ui.board.conflict_dialog` asks
whether to see theirs, keep mine or merge field by field; what was typed stays until then.
On a server, such a change is said as it is heard (:mod:`~etoile_app.ui.common.live`), in a
banner above the fields, before any save.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from itertools import pairwise
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain import rules
from etoile_app.domain.enums import Category, Stance
from etoile_app.domain.errors import (
    InvalidStateError,
    JournalError,
    NotFoundError,
    StaleEditError,
    ValidationError,
)
from etoile_app.domain.models import (
    Character,
    EvidenceDraft,
    Fact,
    Theory,
    TheoryDraft,
    TheoryRef,
)
from etoile_app.ui.board.condition_edit import ConditionEdit
from etoile_app.ui.board.conflict_dialog import FIELDS, ConflictDialog, Names
from etoile_app.ui.board.options_edit import OptionsEdit
from etoile_app.ui.board.question_kind import FocusLabel, QuestionKind
from etoile_app.ui.board.tag_edit import TagEdit
from etoile_app.ui.common import fmt
from etoile_app.ui.common.live import LiveUpdates, touches_theories
from etoile_app.ui.common.roles import ID_ROLE
from etoile_app.ui.common.spoilers import SpoilerGuard, fact_search_text, guard_for
from etoile_app.ui.common.store import Store
from etoile_app.ui.common.widgets import (
    BackgroundSave,
    DateEdit,
    PlainLabel,
    StarRating,
    ask_before,
    error_label,
    plain_tooltip,
    set_error,
    tell,
)

if TYPE_CHECKING:
    from etoile_app.services.journal import Journal
    from etoile_app.ui.canon.browser import CanonBrowser

# What the banner says when another member's change to the theory is heard while it is edited.
CHANGED_ELSEWHERE = "Someone changed this theory since you opened it: saving will ask what to keep."
BINNED_ELSEWHERE = (
    "Someone moved this theory to the bin since you opened it: it can be saved once restored. "
    "What you typed stays here."
)
DELETED_ELSEWHERE = (
    "Someone deleted this theory since you opened it: it can no longer be saved. What you typed stays here."
)
# The tooltip colours stand out from the form in light and dark palettes alike.
BANNER_STYLE = (
    "background: palette(tool-tip-base); color: palette(tool-tip-text);"
    " border: 1px solid palette(mid); border-radius: 4px; padding: 6px;"
)


@dataclass(frozen=True)
class EditorData:
    """What the editor shows, read before it opens: the theory (None for a new one), the canon
    facts to cite, the characters to tick, the tag names to complete and the other theories it
    may depend on (those not in the bin, the theory itself left out), by title."""

    theory: Theory | None
    facts: tuple[Fact, ...]
    characters: tuple[Character, ...]
    tags: tuple[str, ...]
    others: tuple[TheoryRef, ...] = ()

    @classmethod
    def read(cls, journal: Journal, theory_id: int | None = None) -> EditorData:
        """Read it from the services: this runs on a reader thread, never on the GUI thread."""
        theory = journal.theories.get(theory_id) if theory_id is not None else None
        return cls(
            theory,
            tuple(journal.canon.facts()),
            tuple(journal.cast.characters()),
            tuple(t.name for t in journal.board.tags()),
            _other_theories(journal, theory_id),
        )


def _other_theories(journal: Journal, theory_id: int | None) -> tuple[TheoryRef, ...]:
    """Every theory not in the bin but ``theory_id``, by title (the conditions it may have)."""
    return tuple(ref for ref in journal.board.titles() if ref.id != theory_id)


class ConfidenceInput(QWidget):
    """A slider and a number box for 1–99 %, kept in step."""

    changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(rules.CONFIDENCE_MIN, rules.CONFIDENCE_MAX)
        self.slider.setPageStep(10)
        self.slider.setAccessibleName("Confidence slider")
        self.spin = QSpinBox()
        self.spin.setRange(rules.CONFIDENCE_MIN, rules.CONFIDENCE_MAX)
        self.spin.setSuffix(" %")
        self.spin.setAccessibleName("Confidence")
        row.addWidget(self.slider, 1)
        row.addWidget(self.spin)
        self.slider.valueChanged.connect(self.spin.setValue)
        self.spin.valueChanged.connect(self.slider.setValue)
        self.spin.valueChanged.connect(self.changed)
        self.setValue(50)

    def value(self) -> int:
        return self.spin.value()

    def setValue(self, value: int) -> None:
        self.spin.setValue(value)


class TheoryEditor(QDialog):
    """A new theory when ``data.theory`` is None, else an edit of it; ``data`` is read before
    the editor opens (see :class:`EditorData`)."""

    saved = Signal(object)  # the Theory as saved

    def __init__(self, store: Store, data: EditorData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.theory = theory = data.theory
        self._data = data
        self.setMinimumSize(760, 640)
        self._facts: dict[int, Fact] = {f.id: f for f in data.facts}
        self._guard: SpoilerGuard | None = None
        self._touched: set[str] = set()
        #: The open "Discard your changes?" question, if any.
        self.discard_box: QMessageBox | None = None
        #: The open question after a save refused for someone else's change, if any.
        self.conflict_dialog: ConflictDialog | None = None
        #: Tooltips of the forecast fields while the theory is open (a resolved one says why
        #: they are disabled instead).
        self._open_tooltips: dict[QWidget, str] = {}

        tabs = QTabWidget()
        tabs.tabBar().setAccessibleName("Theory or evidence")
        tabs.addTab(self._theory_page(), "Theory")
        tabs.addTab(self._evidence_page(), "Evidence")
        self.tabs = tabs

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.saving = BackgroundSave(self, self.buttons)

        #: Says, without getting in the way of the typing, that someone else changed the theory.
        self.live_banner = PlainLabel()
        self.live_banner.setAccessibleName("Changed by someone else")
        self.live_banner.setStyleSheet(BANNER_STYLE)
        self.live_banner.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.live_banner)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.buttons)
        # Before loading: the tag chips a theory brings slot in after the tag field.
        self._set_tab_order()
        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self.save_shortcut.activated.connect(self.save)
        keys = self.save_shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
        self.save_button.setToolTip(f"Save the theory ({keys})")

        if theory is not None:
            self._load(theory)
            # An existing theory's fields are shown with their problems from the start.
            self._touched.update({"title", "body"})
        else:
            self.category.setCurrentIndex(-1)  # a person chooses; no category is a default
        self.title.textChanged.connect(self._show_title)
        self._show_title()
        self.validate()
        self._unchanged = self._state()
        # Typing starts in the title, not in the Theory/Evidence tab bar that comes first.
        self.title.setFocus(Qt.FocusReason.OtherFocusReason)
        live = LiveUpdates.of(store) if theory is not None else None
        if live is not None:
            live.changed.connect(self._changed_elsewhere)

    # --- pages -----------------------------------------------------------------------------

    def _theory_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.title = QLineEdit()
        self.title.setPlaceholderText("What do you think will happen?")
        self.title.setAccessibleName("Title")
        self.title_error = error_label()
        self.title.textEdited.connect(lambda: self._touch("title"))
        self._row(form, "&Title", self._with_error(self.title, self.title_error), self.title)

        self.category = QComboBox()
        self.category.setAccessibleName("Category")
        self.category.setPlaceholderText("Choose a category…")
        for value in Category:
            self.category.addItem(value.label, value)
        self.category_error = error_label()
        self.category.currentIndexChanged.connect(self.validate)
        self._row(form, "&Category", self._with_error(self.category, self.category_error), self.category)

        self.characters = QListWidget()
        self.characters.setAccessibleName("Characters")
        self.characters.setMaximumHeight(120)
        for c in self._data.characters:
            item = QListWidgetItem(c.name if not c.actor else f"{c.name}  ({c.actor})")
            item.setData(ID_ROLE, c.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.characters.addItem(item)
        form.addRow("C&haracters", self.characters)

        self.tags = TagEdit()
        self.tags.set_known_tags(list(self._data.tags))
        self.tags_error = error_label()
        self.tags.problem.connect(lambda message: (set_error(self.tags_error, message), self.validate()))
        self.tags.changed.connect(self.validate)
        self._row(form, "Ta&gs", self._with_error(self.tags, self.tags_error), self.tags.entry)

        self.kind = QuestionKind()
        self.kind_yes_no, self.kind_multiple = self.kind.yes_no, self.kind.multiple
        self.kind.changed.connect(self._show_kind)
        self.kind_label = FocusLabel("&Question")
        self.kind_label.setBuddy(self.kind_yes_no)
        form.addRow(self.kind_label, self.kind)

        self.confidence = ConfidenceInput()
        self.confidence.changed.connect(self._forecast_changed)
        self._row(form, "Con&fidence", self.confidence, self.confidence.spin)
        self.options = OptionsEdit()
        self.options_label = QLabel("&Options")
        self.options_label.setBuddy(self.options.name_edit(0))
        self.options.changed.connect(self._forecast_changed)
        self.options.changed.connect(self.validate)
        # Alt+O goes to the first name, whichever row is first now.
        self.options.changed.connect(lambda: self.options_label.setBuddy(self.options.name_edit(0)))
        form.addRow(self.options_label, self.options)
        form.setRowVisible(self.options, False)
        self._form = form
        self.confidence_note = QLineEdit()
        self.confidence_note.setPlaceholderText("Why has your confidence changed? (optional)")
        self.confidence_note.setAccessibleName("Why the confidence changed")
        self.confidence_note_label = QLabel("&Why")
        self.confidence_note_label.setBuddy(self.confidence_note)
        form.addRow(self.confidence_note_label, self.confidence_note)
        self.confidence_note.hide()
        self.confidence_note_label.hide()

        self.juiciness = StarRating()
        form.addRow("&Juiciness", self.juiciness)

        # "Resolve by", not "Deadline": Deadline is also the outlet many canon facts cite.
        due_box = QWidget()
        due = QHBoxLayout(due_box)
        due.setContentsMargins(0, 0, 0, 0)
        self.has_resolve_by = QCheckBox("Set a date")
        self.has_resolve_by.setAccessibleName("Resolve by: set a date")
        self.resolve_by = DateEdit()
        self.resolve_by.setAccessibleName("Resolve-by date")
        self.resolve_by.setCalendarPopup(True)
        self.resolve_by.setDisplayFormat("d MMM yyyy")
        self.resolve_by.setDate(QDate.currentDate().addYears(1))
        self.resolve_by.setEnabled(False)
        self.has_resolve_by.toggled.connect(self.resolve_by.setEnabled)
        due.addWidget(self.has_resolve_by)
        due.addWidget(self.resolve_by)
        due.addStretch(1)
        self._row(form, "&Resolve by", due_box, self.has_resolve_by)

        self.condition = ConditionEdit()
        self.condition.set_choices(self._data.others)
        self.condition.changed.connect(self.validate)
        self._row(form, "&Depends on", self.condition, self.condition.entry)

        self.body = QPlainTextEdit()
        self.body.setPlaceholderText(
            "Your reasoning, the scenes that hint at it, what would prove you right…"
        )
        self.body.setAccessibleName("Body")
        self.body.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self.body_error = error_label()
        self.body.textChanged.connect(lambda: self._touch("body"))
        self._row(form, "&Body", self._with_error(self.body, self.body_error), self.body)

        self.title.textChanged.connect(self.validate)
        return page

    def _evidence_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        hint = QLabel(
            "Tie the theory to canon: find a fact, say whether it supports or contradicts the theory."
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.fact_search = QLineEdit()
        self.fact_search.setPlaceholderText("Search canon facts…")
        self.fact_search.setClearButtonEnabled(True)
        self.fact_search.setAccessibleName("Search canon facts")
        self.fact_search.textChanged.connect(self._fill_facts)
        search_row = QHBoxLayout()
        search_row.addWidget(self.fact_search, 1)
        self.browse_canon_button = QPushButton("Browse canon…")
        self.browse_canon_button.setAccessibleName("Browse canon")
        self.browse_canon_button.setToolTip("Find a fact in the canon browser, with its sources and timeline")
        self.browse_canon_button.clicked.connect(self.browse_canon)
        search_row.addWidget(self.browse_canon_button)
        layout.addLayout(search_row)
        self.fact_list = QListWidget()
        self.fact_list.setWordWrap(True)
        self.fact_list.setAlternatingRowColors(True)
        self.fact_list.setSpacing(2)
        self.fact_list.setAccessibleName("Canon facts")
        layout.addWidget(self.fact_list, 2)

        add_row = QHBoxLayout()
        self.stance = QComboBox()
        self.stance.setAccessibleName("Stance")
        for value in Stance:
            self.stance.addItem(value.label, value)
        self.evidence_note = QLineEdit()
        self.evidence_note.setPlaceholderText("Note (optional): why it bears on the theory")
        self.evidence_note.setAccessibleName("Evidence note")
        self.add_evidence_button = QPushButton("Add evidence")
        self.add_evidence_button.clicked.connect(self.add_selected_fact)
        add_row.addWidget(self.stance)
        add_row.addWidget(self.evidence_note, 1)
        add_row.addWidget(self.add_evidence_button)
        layout.addLayout(add_row)
        self.evidence_error = error_label()
        layout.addWidget(self.evidence_error)
        self.fact_list.currentItemChanged.connect(lambda *_: set_error(self.evidence_error, ""))
        for field in (self.fact_search, self.fact_list, self.stance, self.evidence_note):
            field.installEventFilter(self)

        self.evidence = QTreeWidget()
        self.evidence.setHeaderLabels(["Stance", "Fact", "Note"])
        self.evidence.setRootIsDecorated(False)
        self.evidence.setWordWrap(True)
        self.evidence.setAccessibleName("Evidence")
        self.evidence.setColumnWidth(0, 110)
        self.evidence.setColumnWidth(1, 380)
        layout.addWidget(self.evidence, 2)
        self.remove_evidence_button = QPushButton("Remove selected evidence")
        self.remove_evidence_button.clicked.connect(self.remove_selected_evidence)
        layout.addWidget(self.remove_evidence_button, 0, Qt.AlignmentFlag.AlignRight)
        self._fill_facts()
        return page

    @staticmethod
    def _row(form: QFormLayout, text: str, field: QWidget, buddy: QWidget) -> None:
        # A label's mnemonic (Alt+T…) focuses its buddy, which must be the input itself:
        # QLabel skips a buddy that cannot take focus, such as the box around a field.
        label = QLabel(text)
        label.setBuddy(buddy)
        form.addRow(label, field)

    @staticmethod
    def _with_error(field: QWidget, error: QLabel) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        column.addWidget(error)
        return box

    def _set_tab_order(self) -> None:
        """Tab follows the form as it reads; the evidence page's fields sit between the body and
        the buttons (hidden ones are skipped), and the tab bar comes last."""
        chain = [
            self.title,
            self.category,
            self.characters,
            self.tags,
            self.kind_yes_no,
            self.kind_multiple,
            self.confidence.slider,
            self.confidence.spin,
            *self.options.focus_chain(),
            self.confidence_note,
            self.juiciness,
            self.has_resolve_by,
            self.resolve_by,
            self.condition.entry,
            self.condition.clear_button,
            self.body,
            self.fact_search,
            self.browse_canon_button,
            self.fact_list,
            self.stance,
            self.evidence_note,
            self.add_evidence_button,
            self.evidence,
            self.remove_evidence_button,
            self.save_button,
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel),
            self.tabs.tabBar(),
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- evidence --------------------------------------------------------------------------

    def _spoilers(self) -> SpoilerGuard:
        """The window's spoiler switch: hidden Season 1 story is neither listed nor searched."""
        if self._guard is None:
            self._guard = guard_for(self, owner=self)
        return self._guard

    def _fill_facts(self) -> None:
        words = self.fact_search.text().casefold().split()
        self.fact_list.clear()
        spoilers = self._spoilers()
        for fact in self._facts.values():
            where = f"{fact.shown_status.label} · {fact.source} · as of {fmt.short_date(fact.as_of)}"
            text = f"{spoilers.statement(fact)}\n{where}"
            searched = fact_search_text(fact, spoilers.hidden()) + " " + where.casefold()
            if all(w in searched for w in words):
                item = QListWidgetItem(text)
                item.setData(ID_ROLE, fact.id)
                self.fact_list.addItem(item)

    def browse_canon(self) -> CanonBrowser:
        """Open the canon browser to pick a fact; the picked one becomes the chosen fact here."""
        from etoile_app.ui.canon.browser import open_canon_browser

        current = self.fact_list.currentItem()
        browser = open_canon_browser(
            self.store, self, current.data(ID_ROLE) if current is not None else None, pick=True
        )
        browser.factPicked.connect(self.choose_fact)
        return browser

    def choose_fact(self, fact_id: int) -> None:
        """Make ``fact_id`` the fact the picker has chosen, clearing the search if it hides it.

        A fact recorded since the editor opened (news) is not in its list yet: the facts are
        read again in the background, and it is chosen once they come."""
        if fact_id in self._facts:
            self._choose_known_fact(fact_id)
            return
        canon = self.store.canon
        self.store.ops.read(
            lambda: tuple(canon.facts()), partial(self._facts_read, fact_id), key=f"editor.facts.{id(self)}"
        )

    def _facts_read(self, fact_id: int, facts: tuple[Fact, ...]) -> None:
        if not shiboken6.isValid(self):
            return  # closed (and gone) while the facts were read
        self._facts = {f.id: f for f in facts}
        self._fill_facts()
        if fact_id in self._facts:
            self._choose_known_fact(fact_id)

    def _choose_known_fact(self, fact_id: int) -> None:
        if self._fact_item(fact_id) is None:
            self.fact_search.clear()
        item = self._fact_item(fact_id)
        if item is not None:
            self.fact_list.setCurrentItem(item)
            self.fact_list.scrollToItem(item)
            self.stance.setFocus()

    def _fact_item(self, fact_id: int) -> QListWidgetItem | None:
        for i in range(self.fact_list.count()):
            item = self.fact_list.item(i)
            if item.data(ID_ROLE) == fact_id:
                return item
        return None

    def add_selected_fact(self) -> None:
        item = self.fact_list.currentItem()
        if item is None:
            # Say so rather than do nothing: the note typed stays where it is.
            set_error(self.evidence_error, "Choose a fact in the list above first, then add it.")
            return
        set_error(self.evidence_error, "")
        # Qt hands enum data back as plain strings.
        self.add_evidence(item.data(ID_ROLE), Stance(self.stance.currentData()), self.evidence_note.text())
        self.evidence_note.clear()

    def _go_to_fact_list(self) -> None:
        if self.fact_list.count() and self.fact_list.currentItem() is None:
            self.fact_list.setCurrentRow(0)
        self.fact_list.setFocus(Qt.FocusReason.OtherFocusReason)

    def add_evidence(self, fact_id: int, stance: Stance, note: str = "") -> None:
        for i in range(self.evidence.topLevelItemCount()):
            existing = self.evidence.topLevelItem(i)
            if existing.data(0, ID_ROLE) == fact_id:
                self.evidence.takeTopLevelItem(i)
                break
        fact = self._facts[fact_id]
        statement = self._spoilers().statement(fact)  # Season 1 story may be hidden
        item = QTreeWidgetItem([stance.label, statement, note])
        item.setData(0, ID_ROLE, fact_id)
        item.setData(1, ID_ROLE, stance)
        where = f"{fact.source} · as of {fmt.short_date(fact.as_of)}"
        item.setToolTip(1, plain_tooltip(f"{statement}\n{where}"))
        self.evidence.addTopLevelItem(item)
        self.tabs.setTabText(1, f"Evidence ({self.evidence.topLevelItemCount()})")

    def remove_selected_evidence(self) -> None:
        for item in self.evidence.selectedItems():
            self.evidence.takeTopLevelItem(self.evidence.indexOfTopLevelItem(item))
        count = self.evidence.topLevelItemCount()
        self.tabs.setTabText(1, f"Evidence ({count})" if count else "Evidence")

    def evidence_drafts(self) -> tuple[EvidenceDraft, ...]:
        out = []
        for i in range(self.evidence.topLevelItemCount()):
            item = self.evidence.topLevelItem(i)
            out.append(EvidenceDraft(item.data(0, ID_ROLE), Stance(item.data(1, ID_ROLE)), item.text(2)))
        return tuple(out)

    # --- values ----------------------------------------------------------------------------

    def _load(self, t: Theory) -> None:
        self._load_fields(t, [key for key, _name in FIELDS])
        self._show_resolved(t)

    def _load_fields(self, t: Theory, keys: Collection[str]) -> None:
        """Show the fields ``keys`` of ``t`` (see ``conflict_dialog.FIELDS``), the others as they are."""
        if "title" in keys:
            self.title.setText(t.title)
        if "body" in keys:
            self.body.setPlainText(t.body)
        if "category" in keys:
            self.category.setCurrentIndex(self.category.findData(t.category))
        if "characters" in keys:
            chosen = set(t.character_ids)
            for i in range(self.characters.count()):
                item = self.characters.item(i)
                item.setCheckState(
                    Qt.CheckState.Checked if item.data(ID_ROLE) in chosen else Qt.CheckState.Unchecked
                )
        if "tags" in keys:
            self.tags.set_tags(list(t.tags))
        if "forecast" in keys:
            self.confidence.setValue(t.confidence)
            if t.is_multiple_choice:
                self.options.set_options(t.as_draft().options)
        self.kind.set_saved(t)
        if "condition" in keys:
            self.condition.set_condition(t.condition)
        if "juiciness" in keys:
            self.juiciness.setValue(t.juiciness)
        if "resolve_by" in keys:
            self.has_resolve_by.setChecked(t.resolve_by is not None)
            if t.resolve_by is not None:
                self.resolve_by.setDate(QDate(t.resolve_by.year, t.resolve_by.month, t.resolve_by.day))
        if "evidence" in keys:
            self.evidence.clear()
            self.tabs.setTabText(1, "Evidence")
            for e in t.evidence:
                if e.fact_id in self._facts:
                    self.add_evidence(e.fact_id, e.stance, e.note)

    def _show_resolved(self, t: Theory) -> None:
        """A resolved theory's confidence is what it was scored on; it changes only once reopened."""
        resolved = t.status.is_resolved
        fields = (self.confidence, self.kind_yes_no, self.kind_multiple, self.options)
        for field in fields:
            self._open_tooltips.setdefault(field, field.toolTip())
            field.setEnabled(not resolved)
            field.setToolTip(self._open_tooltips[field])
        if resolved:
            self.confidence.setToolTip("Reopen the theory to change its confidence.")
            for field in fields[1:]:
                field.setToolTip("Reopen the theory to change its question or its options.")

    def character_ids(self) -> tuple[int, ...]:
        return tuple(
            self.characters.item(i).data(ID_ROLE)
            for i in range(self.characters.count())
            if self.characters.item(i).checkState() == Qt.CheckState.Checked
        )

    def _state(self) -> tuple:
        """Everything a person can type or choose here, to tell a changed draft from an unchanged one."""
        return (
            self.title.text(),
            self.body.toPlainText(),
            self.category.currentIndex(),
            self.character_ids(),
            tuple(self.tags.tags()),
            self.tags.entry.text(),
            self.confidence.value(),
            self.is_multiple_choice(),
            self.options.options() if self.is_multiple_choice() else (),
            self.condition.entry.text(),
            self.confidence_note.text(),
            self.juiciness.value(),
            self.resolve_by.date().toJulianDay() if self.has_resolve_by.isChecked() else None,
            self.evidence_drafts(),
            self.evidence_note.text(),
        )

    def is_changed(self) -> bool:
        """Whether anything differs from how the editor opened."""
        return self._state() != self._unchanged

    def _show_title(self) -> None:
        title = fmt.isolate(fmt.elide_middle(self.title.text()))
        if self.theory is None:
            self.setWindowTitle(f"New theory: “{title}”" if title else "New theory")
        else:
            self.setWindowTitle(f"Edit “{title}”" if title else "Edit theory")

    def draft(self) -> TheoryDraft:
        resolve_by = None
        if self.has_resolve_by.isChecked():
            d = self.resolve_by.date()
            resolve_by = date(d.year(), d.month(), d.day())
        options = self.options.options() if self.is_multiple_choice() else ()
        # A multiple-choice theory's own confidence is that of its likeliest option (the
        # service sets it so); the options carry the forecasts.
        confidence = max((o.confidence for o in options), default=self.confidence.value())
        return TheoryDraft(
            title=self.title.text(),
            body=self.body.toPlainText(),
            category=Category(self.category.currentData()),
            character_ids=self.character_ids(),
            tags=tuple(self.tags.tags()),
            confidence=min(rules.CONFIDENCE_MAX, max(rules.CONFIDENCE_MIN, confidence)),
            juiciness=self.juiciness.value(),
            resolve_by=resolve_by,
            evidence=self.evidence_drafts(),
            options=options,
            condition_id=self.condition.condition_id(),
        )

    # --- the kind of question --------------------------------------------------------------

    def is_multiple_choice(self) -> bool:
        return self.kind.is_multiple_choice()

    def _show_kind(self) -> None:
        """The confidence for a yes/no question, the options for multiple choice."""
        multiple = self.is_multiple_choice()
        # Alt+Q goes to the chosen kind, from where the arrows choose the other.
        self.kind_label.setBuddy(self.kind_multiple if multiple else self.kind_yes_no)
        self._form.setRowVisible(self.confidence, not multiple)
        self._form.setRowVisible(self.options, multiple)
        self._forecast_changed()
        self.validate()

    # --- validation and saving -------------------------------------------------------------

    def _touch(self, name: str) -> None:
        self._touched.add(name)
        self.validate()

    def _forecast_changed(self) -> None:
        """Ask why once the saved theory would get a new forecast: another confidence, another
        percent for an option (or a new option), or another kind of question."""
        t = self.theory
        if t is None:
            changed = False
        elif self.is_multiple_choice() != t.is_multiple_choice:
            changed = True
        elif t.is_multiple_choice:
            current = {o.name.casefold(): o.confidence for o in t.options}
            changed = any(
                current.get(" ".join(o.name.split()).casefold()) != o.confidence
                for o in self.options.options()
            )
        else:
            changed = self.confidence.value() != t.confidence
        self.confidence_note.setVisible(changed)
        self.confidence_note_label.setVisible(changed)

    def _check(self, check, value, label: QLabel, name: str) -> bool:
        try:
            check(value)
        except ValidationError as exc:
            set_error(label, exc.message if name in self._touched else "")
            return False
        set_error(label, "")
        return True

    def validate(self) -> bool:
        title_ok = self._check(rules.clean_title, self.title.text(), self.title_error, "title")
        ok = title_ok
        ok &= self._check(rules.clean_body, self.body.toPlainText(), self.body_error, "body")
        has_category = self.category.currentIndex() >= 0
        # Said once a title is written (so a disabled Save is never unexplained) or on Save.
        ask = not has_category and ("category" in self._touched or (title_ok and self.title.text()))
        set_error(self.category_error, "Choose a category for the theory." if ask else "")
        ok &= has_category
        tag_problem = self.tags.pending_problem()
        set_error(self.tags_error, tag_problem)
        ok &= not tag_problem
        if self.is_multiple_choice():
            # A missing name is said once the theory has a title, so Save is not left
            # disabled without a reason, or once Save is pressed.
            self.options.say_problem(names_too="options" in self._touched or bool(self.title.text()))
            ok &= not self.options.problem()
        ok &= not self.condition.problem()
        self.save_button.setEnabled(bool(ok))
        return bool(ok)

    def save(self) -> None:
        """Save the theory, as the Save button or Ctrl+S; nothing is written while a field is wrong."""
        if self.saving.busy():
            return
        self._touched.update({"title", "body", "category", "options"})
        self.condition.say_problem()
        if not self.tags.commit_text() or not self.validate():
            return
        draft = self.draft()
        if self.theory is None:
            submit = partial(self.store.create_theory, draft)
        else:
            # Refused, writing nothing, if someone else has changed the theory since it was read.
            draft = replace(draft, expected_version=self.theory.version)
            submit = partial(self.store.edit_theory, self.theory.id, draft, self.confidence_note.text())
        # The save runs in the background; the dialog, and what was typed, stay until it is made.
        self.saving.start(submit, self._saved, self._refused)

    def _saved(self, theory: Theory) -> None:
        self.saved.emit(theory)
        self.accept()

    def _refused(self, exc: JournalError) -> None:
        """A refusal is said beside its field, or over the dialog (a full disk, a busy journal);
        what was typed stays here."""
        if isinstance(exc, StaleEditError) and isinstance(exc.theirs, Theory) and self.theory is not None:
            self.ask_about_conflict(exc.theirs)
            return
        target = None
        if isinstance(exc, ValidationError):
            fields = {
                "title": self.title_error,
                "body": self.body_error,
                "tags": self.tags_error,
                "condition": self.condition.error,
            }
            if self.is_multiple_choice():
                fields.update(options=self.options.error, confidence=self.options.error)
            target = fields.get(exc.field)
        elif self._about_condition(exc):
            target = self.condition.error
        if target is None:
            tell(self, QMessageBox.Icon.Warning, self.windowTitle(), exc.message)
            return
        set_error(target, exc.message)
        if target is self.condition.error:
            self.tabs.setCurrentIndex(0)
            self.condition.entry.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- someone else's change -------------------------------------------------------------

    def ask_about_conflict(self, theirs: Theory) -> ConflictDialog:
        """Say that ``theirs`` (the theory as it stands now) changed under this edit and ask
        what to do; Esc there comes back here with everything as it was."""
        if self.conflict_dialog is not None:
            self.conflict_dialog.close()
        assert self.theory is not None
        dialog = ConflictDialog(self, self.theory, self.draft(), theirs, self._names(theirs))
        dialog.seeTheirs.connect(partial(self.show_theirs, theirs))
        dialog.keepMine.connect(partial(self._save_against, theirs, ()))
        dialog.merged.connect(partial(self._save_against, theirs))
        dialog.finished.connect(partial(self._forget_conflict, dialog))
        self.conflict_dialog = dialog
        dialog.open()
        return dialog

    def show_theirs(self, theirs: Theory) -> None:
        """Drop what was changed here and show ``theirs``, the theory as it stands now."""
        self._edit_against(theirs, [key for key, _name in FIELDS])
        self.tags.entry.clear()
        self.evidence_note.clear()
        self.confidence_note.clear()
        self._unchanged = self._state()

    def _save_against(self, theirs: Theory, keys: Collection[str]) -> None:
        """Save what is here over ``theirs``, first taking the fields ``keys`` from it."""
        self._edit_against(theirs, keys)
        self.save()

    def _edit_against(self, theirs: Theory, keys: Collection[str]) -> None:
        """Make ``theirs`` the theory this edits (the version a save is checked against) and show
        its fields ``keys``; the others keep what was typed."""
        multiple = self.is_multiple_choice()
        self.theory = theirs
        set_error(self.live_banner, "")  # a save now is checked against theirs
        self._load_fields(theirs, keys)
        if "forecast" not in keys:
            self.kind.set_multiple_choice(multiple)
        self._show_resolved(theirs)
        self._show_title()
        self._forecast_changed()
        self.validate()

    def _changed_elsewhere(self, tables: Collection[str]) -> None:
        """Another member changed the journal: read (off the GUI thread) whether it was this
        theory, and if so say so above the fields, which keep what was typed."""
        if self.theory is None or not touches_theories(tables):
            return
        theories, theory_id = self.store.theories, self.theory.id

        def read() -> Theory | None:
            try:
                return theories.get(theory_id)
            except NotFoundError:
                return None

        # Unread (the server gone again), nothing is said: the save still checks the version.
        self.store.ops.read(read, self._compare_with, key=f"editor.live.{id(self)}", failed=lambda _exc: None)

    def _compare_with(self, theirs: Theory | None) -> None:
        if not shiboken6.isValid(self) or self.theory is None:
            return  # closed (and gone) while it was read
        if theirs is None:
            said = DELETED_ELSEWHERE
        elif theirs.is_deleted and not self.theory.is_deleted:
            said = BINNED_ELSEWHERE
        elif theirs.version != self.theory.version:
            said = CHANGED_ELSEWHERE
        else:
            said = ""
        set_error(self.live_banner, said)

    def _names(self, theirs: Theory) -> Names:
        """What the ids of this draft and of ``theirs`` stand for, for the conflict dialog."""
        characters = {c.id: c.name for c in self._data.characters}
        characters.update((c.id, c.name) for c in theirs.characters)
        spoilers = self._spoilers()
        facts = {f.id: spoilers.statement(f) for f in self._facts.values()}
        theories = {ref.id: ref.title for ref in self._data.others}
        for t in (self.theory, theirs):
            if t is not None and t.condition is not None:
                theories[t.condition.id] = t.condition.title
        return Names(characters, facts, theories)

    def _forget_conflict(self, dialog: ConflictDialog, _result: int = 0) -> None:
        if self.conflict_dialog is dialog:
            self.conflict_dialog = None

    def _about_condition(self, exc: JournalError) -> bool:
        """Whether a refusal is about the condition chosen here: it would make a loop, is in the
        bin, or is gone (the service says so in a message, without naming a field)."""
        chosen = self.condition.condition_id()
        before = self.theory.condition.id if self.theory is not None and self.theory.condition else None
        if chosen is None or chosen == before:
            return False
        if isinstance(exc, NotFoundError):
            return exc.ident == chosen
        return isinstance(exc, InvalidStateError) and "condition" in exc.message

    # --- keys and closing ------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Left alone, Enter in these fields reaches the dialog and presses Save, which saves the
        # theory and drops the fact and note being added. On the evidence page Enter moves on:
        # search → fact list → stance, and in the stance or the note it adds the evidence.
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            if watched in (self.evidence_note, self.stance):
                self.add_selected_fact()
                return True
            if watched is self.fact_search:
                self._go_to_fact_list()
                return True
            if watched is self.fact_list:
                self.stance.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return super().eventFilter(watched, event)

    def reject(self) -> None:
        """Esc, Cancel and closing the window (QDialog's closeEvent calls this, and stays open
        if it does not close): ask first if anything was changed."""
        if self.saving.busy():
            return  # the save under way closes the dialog, or says why it could not
        if not self.is_changed():
            super().reject()
            return
        self.ask_to_discard()

    def ask_to_discard(self) -> QMessageBox:
        """The window-modal question "Discard your changes…?"; Keep editing is the default."""
        if self.discard_box is not None:
            self.discard_box.raise_()
            self.discard_box.activateWindow()
            return self.discard_box
        title = self.title.text().strip() or (self.theory.title if self.theory is not None else "")
        text = (
            f"Discard your changes to “{fmt.isolate(fmt.elide_middle(title, 80))}”?"
            if title
            else "Discard this new theory?"
        )
        box = ask_before(self, text, "Discard", "Keep editing", self._answered, self._forget_discard_box)
        self.discard_box = box
        return box

    def _answered(self, discard: bool) -> None:
        if discard:
            super().reject()

    def _forget_discard_box(self) -> None:
        self.discard_box = None

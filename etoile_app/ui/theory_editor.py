"""The dialog for writing a new theory or editing one.

Every field is checked as it changes by the same rules the services apply; a message appears
under a field that is wrong, and Save stays disabled until everything is right.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
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
from etoile_app.domain.errors import JournalError, ValidationError
from etoile_app.domain.models import EvidenceDraft, Fact, Theory, TheoryDraft
from etoile_app.ui import fmt
from etoile_app.ui.store import Store
from etoile_app.ui.tag_edit import TagEdit
from etoile_app.ui.widgets import StarRating, error_label, plain_tooltip, set_error, tell

if TYPE_CHECKING:
    from etoile_app.ui.canon_browser import CanonBrowser

ID_ROLE = Qt.ItemDataRole.UserRole + 1


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
    """New theory when ``theory`` is None, else an edit of it."""

    saved = Signal(object)  # the Theory as saved

    def __init__(self, store: Store, theory: Theory | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.theory = theory
        self.setWindowTitle("Edit theory" if theory else "New theory")
        self.setMinimumSize(760, 640)
        self._facts: dict[int, Fact] = {f.id: f for f in store.canon.facts()}
        self._touched: set[str] = set()

        tabs = QTabWidget()
        tabs.addTab(self._theory_page(), "Theory")
        tabs.addTab(self._evidence_page(), "Evidence")
        self.tabs = tabs

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.buttons)

        if theory is not None:
            self._load(theory)
            # An existing theory's fields are shown with their problems from the start.
            self._touched.update({"title", "body"})
        self.validate()

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
        form.addRow("&Title", self._with_error(self.title, self.title_error))

        self.category = QComboBox()
        for value in Category:
            self.category.addItem(value.label, value)
        form.addRow("&Category", self.category)

        self.characters = QListWidget()
        self.characters.setAccessibleName("Characters")
        self.characters.setMaximumHeight(120)
        for c in self.store.cast.characters():
            item = QListWidgetItem(c.name if not c.actor else f"{c.name}  ({c.actor})")
            item.setData(ID_ROLE, c.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.characters.addItem(item)
        form.addRow("C&haracters", self.characters)

        self.tags = TagEdit()
        self.tags.set_known_tags([t.name for t in self.store.board.tags()])
        self.tags_error = error_label()
        self.tags.problem.connect(lambda message: (set_error(self.tags_error, message), self.validate()))
        self.tags.changed.connect(self.validate)
        form.addRow("Ta&gs", self._with_error(self.tags, self.tags_error))

        self.confidence = ConfidenceInput()
        self.confidence.changed.connect(self._confidence_changed)
        form.addRow("Con&fidence", self.confidence)
        self.confidence_note = QLineEdit()
        self.confidence_note.setPlaceholderText("Why has your confidence changed? (optional)")
        self.confidence_note_label = QLabel("Why")
        form.addRow(self.confidence_note_label, self.confidence_note)
        self.confidence_note.hide()
        self.confidence_note_label.hide()

        self.juiciness = StarRating()
        form.addRow("&Juiciness", self.juiciness)

        due = QHBoxLayout()
        self.has_resolve_by = QCheckBox("Resolve by")
        self.resolve_by = QDateEdit()
        self.resolve_by.setCalendarPopup(True)
        self.resolve_by.setDisplayFormat("d MMM yyyy")
        self.resolve_by.setDate(QDate.currentDate().addYears(1))
        self.resolve_by.setEnabled(False)
        self.has_resolve_by.toggled.connect(self.resolve_by.setEnabled)
        due.addWidget(self.has_resolve_by)
        due.addWidget(self.resolve_by)
        due.addStretch(1)
        form.addRow("Deadline", due)

        self.body = QPlainTextEdit()
        self.body.setPlaceholderText(
            "Your reasoning, the scenes that hint at it, what would prove you right…"
        )
        self.body.setAccessibleName("Body")
        self.body_error = error_label()
        self.body.textChanged.connect(lambda: self._touch("body"))
        form.addRow("&Body", self._with_error(self.body, self.body_error))

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
        for value in Stance:
            self.stance.addItem(value.label, value)
        self.evidence_note = QLineEdit()
        self.evidence_note.setPlaceholderText("Note (optional): why it bears on the theory")
        self.add_evidence_button = QPushButton("Add evidence")
        self.add_evidence_button.clicked.connect(self.add_selected_fact)
        add_row.addWidget(self.stance)
        add_row.addWidget(self.evidence_note, 1)
        add_row.addWidget(self.add_evidence_button)
        layout.addLayout(add_row)

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
    def _with_error(field: QWidget, error: QLabel) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        column.addWidget(error)
        return box

    # --- evidence --------------------------------------------------------------------------

    def _fill_facts(self) -> None:
        words = self.fact_search.text().casefold().split()
        self.fact_list.clear()
        for fact in self._facts.values():
            text = (
                f"{fact.statement}\n{fact.shown_status.label} · {fact.source} · {fmt.short_date(fact.as_of)}"
            )
            if all(w in text.casefold() for w in words):
                item = QListWidgetItem(text)
                item.setData(ID_ROLE, fact.id)
                self.fact_list.addItem(item)

    def browse_canon(self) -> CanonBrowser:
        """Open the canon browser to pick a fact; the picked one becomes the chosen fact here."""
        from etoile_app.ui.canon_browser import open_canon_browser

        current = self.fact_list.currentItem()
        browser = open_canon_browser(
            self.store, self, current.data(ID_ROLE) if current is not None else None, pick=True
        )
        browser.factPicked.connect(self.choose_fact)
        return browser

    def choose_fact(self, fact_id: int) -> None:
        """Make ``fact_id`` the fact the picker has chosen, clearing the search if it hides it."""
        if fact_id not in self._facts:
            # News recorded since the editor opened.
            self._facts = {f.id: f for f in self.store.canon.facts()}
            if fact_id not in self._facts:
                return
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
            return
        # Qt hands enum data back as plain strings.
        self.add_evidence(item.data(ID_ROLE), Stance(self.stance.currentData()), self.evidence_note.text())
        self.evidence_note.clear()

    def add_evidence(self, fact_id: int, stance: Stance, note: str = "") -> None:
        for i in range(self.evidence.topLevelItemCount()):
            existing = self.evidence.topLevelItem(i)
            if existing.data(0, ID_ROLE) == fact_id:
                self.evidence.takeTopLevelItem(i)
                break
        fact = self._facts[fact_id]
        item = QTreeWidgetItem([stance.label, fact.statement, note])
        item.setData(0, ID_ROLE, fact_id)
        item.setData(1, ID_ROLE, stance)
        item.setToolTip(1, plain_tooltip(f"{fact.statement}\n{fact.source} · {fmt.short_date(fact.as_of)}"))
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
        self.title.setText(t.title)
        self.body.setPlainText(t.body)
        self.category.setCurrentIndex(self.category.findData(t.category))
        chosen = set(t.character_ids)
        for i in range(self.characters.count()):
            item = self.characters.item(i)
            item.setCheckState(
                Qt.CheckState.Checked if item.data(ID_ROLE) in chosen else Qt.CheckState.Unchecked
            )
        self.tags.set_tags(list(t.tags))
        self.confidence.setValue(t.confidence)
        self.juiciness.setValue(t.juiciness)
        if t.resolve_by is not None:
            self.has_resolve_by.setChecked(True)
            self.resolve_by.setDate(QDate(t.resolve_by.year, t.resolve_by.month, t.resolve_by.day))
        for e in t.evidence:
            if e.fact_id in self._facts:
                self.add_evidence(e.fact_id, e.stance, e.note)
        if not t.status.is_resolved:
            return
        # A resolved theory's confidence is what it was scored on; it changes only once reopened.
        self.confidence.setEnabled(False)
        self.confidence.setToolTip("Reopen the theory to change its confidence.")

    def character_ids(self) -> tuple[int, ...]:
        return tuple(
            self.characters.item(i).data(ID_ROLE)
            for i in range(self.characters.count())
            if self.characters.item(i).checkState() == Qt.CheckState.Checked
        )

    def draft(self) -> TheoryDraft:
        resolve_by = None
        if self.has_resolve_by.isChecked():
            d = self.resolve_by.date()
            resolve_by = date(d.year(), d.month(), d.day())
        return TheoryDraft(
            title=self.title.text(),
            body=self.body.toPlainText(),
            category=Category(self.category.currentData()),
            character_ids=self.character_ids(),
            tags=tuple(self.tags.tags()),
            confidence=self.confidence.value(),
            juiciness=self.juiciness.value(),
            resolve_by=resolve_by,
            evidence=self.evidence_drafts(),
        )

    # --- validation and saving -------------------------------------------------------------

    def _touch(self, name: str) -> None:
        self._touched.add(name)
        self.validate()

    def _confidence_changed(self, value: int) -> None:
        changed = self.theory is not None and value != self.theory.confidence
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
        ok = self._check(rules.clean_title, self.title.text(), self.title_error, "title")
        ok &= self._check(rules.clean_body, self.body.toPlainText(), self.body_error, "body")
        tag_problem = self.tags.pending_problem()
        set_error(self.tags_error, tag_problem)
        ok &= not tag_problem
        self.save_button.setEnabled(bool(ok))
        return bool(ok)

    def save(self) -> None:
        self._touched.update({"title", "body"})
        if not self.tags.commit_text() or not self.validate():
            return
        try:
            if self.theory is None:
                saved = self.store.create_theory(self.draft())
            else:
                saved = self.store.edit_theory(self.theory.id, self.draft(), self.confidence_note.text())
        except ValidationError as exc:
            target = {"title": self.title_error, "body": self.body_error, "tags": self.tags_error}.get(
                exc.field
            )
            if target is not None:
                set_error(target, exc.message)
            else:
                tell(self, QMessageBox.Icon.Warning, self.windowTitle(), exc.message)
            return
        except JournalError as exc:  # a full disk, a busy journal: say it; what was typed stays here
            tell(self, QMessageBox.Icon.Warning, self.windowTitle(), exc.message)
            return
        except Exception as exc:  # unexpected: the details go to the log, the text stays here
            from etoile_app import logs

            message = logs.message(exc, logs.record(exc, "Saving a theory failed"))
            tell(self, QMessageBox.Icon.Warning, self.windowTitle(), f"The theory was not saved. {message}")
            return
        self.saved.emit(saved)
        self.accept()

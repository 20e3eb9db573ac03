"""What the theory editor asks when its save is refused because someone else changed the theory.

Two members of a club (or two windows) may edit one theory at once. The editor saves with the
version it loaded; when the theory has moved on, nothing is written and this dialog says so and
offers three ways on:

- **See theirs**: drop my changes; the editor shows the theory as it stands now.
- **Keep mine**: save what the editor holds over their version.
- **Merge by field**: the fields where the two versions differ, side by side, and for each
  whose to keep. A field only they changed starts on theirs, one only I changed on mine (a
  field both changed starts on mine: it is what was typed).

Esc (or Back to editing) closes it and leaves the editor exactly as it was. The dialog writes
nothing itself: the editor hears the choice (:attr:`ConflictDialog.seeTheirs`,
:attr:`ConflictDialog.keepMine`, :attr:`ConflictDialog.merged`) and saves or reloads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain.enums import Category, Stance
from etoile_app.domain.models import Theory, TheoryDraft
from etoile_app.ui.common import fmt
from etoile_app.ui.common.widgets import PlainLabel

#: The fields the editor edits, by key, with the name the dialog gives them, in form order.
FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "Title"),
    ("category", "Category"),
    ("characters", "Characters"),
    ("tags", "Tags"),
    ("forecast", "Confidence"),
    ("juiciness", "Juiciness"),
    ("resolve_by", "Resolve by"),
    ("condition", "Depends on"),
    ("body", "Body"),
    ("evidence", "Evidence"),
)
FIELD_NAMES = dict(FIELDS)

MINE, THEIRS = "mine", "theirs"


def field_value(draft: TheoryDraft, key: str) -> Any:
    """What a draft says about one field, in a form that compares equal when it says the same."""
    if key == "characters":
        return tuple(sorted(set(draft.character_ids)))
    if key == "tags":
        return tuple(sorted(draft.tags))
    if key == "forecast":
        if draft.options:
            return ("options", tuple((" ".join(o.name.split()), o.confidence) for o in draft.options))
        return ("confidence", draft.confidence)
    if key == "condition":
        return draft.condition_id
    if key == "evidence":
        return tuple((e.fact_id, Stance(e.stance), e.note) for e in draft.evidence or ())
    return getattr(draft, key)


@dataclass(frozen=True)
class Names:
    """What the ids in a draft stand for, to show them: character names, fact statements (as the
    spoiler switch shows them) and theory titles."""

    characters: Mapping[int, str] = field(default_factory=dict)
    facts: Mapping[int, str] = field(default_factory=dict)
    theories: Mapping[int, str] = field(default_factory=dict)

    def describe(self, draft: TheoryDraft, key: str) -> str:
        """One field of ``draft`` in words."""
        if key == "title":
            return draft.title
        if key == "body":
            return draft.body if draft.body.strip() else "(empty)"
        if key == "category":
            try:
                return Category(draft.category).label
            except ValueError:
                return str(draft.category)
        if key == "characters":
            names = sorted((self.characters.get(i, f"#{i}") for i in draft.character_ids), key=str.casefold)
            return ", ".join(names) if names else "None"
        if key == "tags":
            return ", ".join(sorted(draft.tags)) if draft.tags else "No tags"
        if key == "forecast":
            if draft.options:
                return ", ".join(f"{o.name} {fmt.percent(o.confidence)}" for o in draft.options)
            return fmt.percent(draft.confidence)
        if key == "juiciness":
            return fmt.stars(draft.juiciness) if draft.juiciness else "Not rated"
        if key == "resolve_by":
            return fmt.long_date(draft.resolve_by) if draft.resolve_by is not None else "No date"
        if key == "condition":
            if draft.condition_id is None:
                return "Nothing"
            return self.theories.get(draft.condition_id, f"Theory #{draft.condition_id}")
        if key == "evidence":
            lines = []
            for e in draft.evidence or ():
                statement = self.facts.get(e.fact_id, f"Fact #{e.fact_id}")
                line = f"{Stance(e.stance).label}: {statement}"
                lines.append(f"{line} ({e.note})" if e.note else line)
            return "\n".join(lines) if lines else "No evidence"
        raise KeyError(key)


@dataclass(frozen=True)
class FieldConflict:
    """One field where my version and theirs differ."""

    key: str
    mine: str
    theirs: str
    mine_changed: bool
    theirs_changed: bool

    @property
    def name(self) -> str:
        return FIELD_NAMES[self.key]

    @property
    def preselected(self) -> str:
        """Theirs where only they changed it; mine otherwise (what was typed is never dropped
        unasked)."""
        return THEIRS if self.theirs_changed and not self.mine_changed else MINE

    @property
    def who_changed(self) -> str:
        if self.mine_changed and self.theirs_changed:
            return "changed by both of you"
        if self.theirs_changed:
            return "changed by them"
        if self.mine_changed:
            return "changed by you"
        return "differs"


def conflicts(base: TheoryDraft, mine: TheoryDraft, theirs: TheoryDraft, names: Names) -> list[FieldConflict]:
    """The fields where ``mine`` and ``theirs`` differ, each with who changed it since ``base``
    (the version both started from), in form order."""
    out = []
    for key, _name in FIELDS:
        was, now_mine, now_theirs = (field_value(d, key) for d in (base, mine, theirs))
        if now_mine == now_theirs:
            continue
        out.append(
            FieldConflict(
                key,
                names.describe(mine, key),
                names.describe(theirs, key),
                mine_changed=now_mine != was,
                theirs_changed=now_theirs != was,
            )
        )
    return out


class ConflictDialog(QDialog):
    """Asks what to do with a save refused because someone else changed the theory meanwhile.

    ``base`` is the theory as the editor loaded it, ``mine`` the editor's draft, ``theirs`` the
    theory as it stands now. Window-modal; opened with :meth:`open`; closing it any other way
    than by a choice leaves the editor as it was.
    """

    #: Drop my changes and show their version.
    seeTheirs = Signal()
    #: Save my version over theirs.
    keepMine = Signal()
    #: Save a merge: the keys of the fields (see :data:`FIELDS`) to take from theirs.
    merged = Signal(frozenset)

    MESSAGE = "This theory was changed by someone else while you were editing it."

    def __init__(
        self,
        parent: QWidget,
        base: Theory,
        mine: TheoryDraft,
        theirs: Theory,
        names: Names,
    ) -> None:
        super().__init__(parent)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setWindowTitle("Changed by someone else")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.theirs = theirs
        self.fields = conflicts(base.as_draft(), mine, theirs.as_draft(), names)
        #: Each differing field's two choices, by key.
        self.choices: dict[str, tuple[QRadioButton, QRadioButton]] = {}

        self.pages = QStackedWidget()
        self.pages.addWidget(self._choice_page(base))
        self.pages.addWidget(self._merge_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.setMinimumWidth(560)
        self.show_page(0)
        self.merge_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_page(self, index: int) -> None:
        """Show the three choices (0) in a compact window, or the field-by-field merge (1)
        with room for it: the window is sized for the page shown, not the largest page."""
        self.pages.setCurrentIndex(index)
        if index == 0:
            margins = self.layout().contentsMargins()
            height = self.pages.widget(0).sizeHint().height() + margins.top() + margins.bottom()
            self.resize(max(self.width(), 620), height)
        else:
            self.resize(max(self.width(), 760), max(self.height(), 460))

    # --- the first page: three ways on -----------------------------------------------------

    def _choice_page(self, base: Theory) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.message = PlainLabel(self.MESSAGE)
        self.message.setAccessibleName("What happened")
        font = self.message.font()
        font.setBold(True)
        self.message.setFont(font)
        column.addWidget(self.message)
        self.summary = PlainLabel(self._summary(base))
        column.addWidget(self.summary)
        column.addSpacing(8)

        self.see_theirs_button = self._choice(
            column, "&See theirs", "Drop your changes; the editor shows their version.", self._see_theirs
        )
        self.keep_mine_button = self._choice(
            column, "&Keep mine", "Save your version over theirs.", self._keep_mine
        )
        self.merge_button = self._choice(
            column,
            "&Merge by field…",
            "Choose, field by field, whose version to keep.",
            lambda: self.show_page(1),
        )
        self.merge_button.setEnabled(bool(self.fields))
        self.merge_button.setDefault(True)
        column.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.back_button = QPushButton("Back to &editing")
        self.back_button.setToolTip("Keep what you typed in the editor and decide later (Esc)")
        self.back_button.clicked.connect(self.reject)
        row.addWidget(self.back_button)
        column.addLayout(row)
        return page

    def _choice(
        self, column: QVBoxLayout, text: str, help_text: str, act: Callable[[], object]
    ) -> QPushButton:
        row = QHBoxLayout()
        button = QPushButton(text)
        button.setMinimumWidth(170)
        button.setAccessibleDescription(help_text)
        button.clicked.connect(act)
        row.addWidget(button)
        row.addWidget(PlainLabel(help_text), 1)
        column.addLayout(row)
        return button

    def _summary(self, base: Theory) -> str:
        theirs = self.theirs
        title = fmt.isolate(fmt.elide_middle(theirs.title, 80))
        changed = [f.name.lower() for f in self.fields if f.theirs_changed]
        parts = [f"“{title}” was last saved {fmt.local_datetime(theirs.updated_at)}."]
        if changed:
            parts.append(f"They changed: {', '.join(changed)}.")
        elif not self.fields:
            parts.append("Their version says the same as yours in every field you can edit.")
        if theirs.status != base.status:
            parts.append(f"It is now {theirs.status.value}.")
        if theirs.is_deleted and not base.is_deleted:
            parts.append("It is now in the bin.")
        return " ".join(parts)

    # --- the second page: field by field ---------------------------------------------------

    def _merge_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        hint = PlainLabel(
            "For each field, choose whose version to keep. Tab moves to the next field; the arrow "
            "keys choose."
        )
        column.addWidget(hint)
        inner = QWidget()
        rows = QVBoxLayout(inner)
        for conflict in self.fields:
            rows.addWidget(self._field_box(conflict))
        rows.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        column.addWidget(scroll, 1)

        row = QHBoxLayout()
        self.back_to_choices = QPushButton("← &Other choices")
        self.back_to_choices.setAutoDefault(False)
        self.back_to_choices.clicked.connect(lambda: self.show_page(0))
        row.addWidget(self.back_to_choices)
        row.addStretch(1)
        self.save_merged_button = QPushButton("&Save merged")
        self.save_merged_button.clicked.connect(self._save_merged)
        row.addWidget(self.save_merged_button)
        cancel = QPushButton("Back to editing")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        row.addWidget(cancel)
        column.addLayout(row)
        self.pages.currentChanged.connect(self._page_shown)
        return page

    def _field_box(self, conflict: FieldConflict) -> QGroupBox:
        box = QGroupBox(f"{conflict.name} — {conflict.who_changed}")
        grid = QHBoxLayout(box)
        group = QButtonGroup(box)
        pair = []
        for who, text in ((MINE, conflict.mine), (THEIRS, conflict.theirs)):
            side = QVBoxLayout()
            button = QRadioButton("Keep mine" if who == MINE else "Take theirs")
            button.setAccessibleName(f"{conflict.name}: {'keep mine' if who == MINE else 'take theirs'}")
            group.addButton(button)
            side.addWidget(button)
            if conflict.key in ("body", "evidence"):
                view = QPlainTextEdit(text)
                view.setReadOnly(True)
                view.setTabChangesFocus(True)
                view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
                view.setMaximumHeight(110)
                view.setAccessibleName(f"{conflict.name}, {'mine' if who == MINE else 'theirs'}")
                side.addWidget(view)
            else:
                label = PlainLabel(text)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                side.addWidget(label)
            side.addStretch(1)
            grid.addLayout(side, 1)
            pair.append(button)
        mine_button, theirs_button = pair
        (theirs_button if conflict.preselected == THEIRS else mine_button).setChecked(True)
        self.choices[conflict.key] = (mine_button, theirs_button)
        return box

    def _page_shown(self, index: int) -> None:
        """Enter saves the merge on its page and opens it on the first; the focus starts on the
        first field's choice there, on Merge here."""
        if index == 1:
            self.save_merged_button.setDefault(True)
            mine_button, theirs_button = self.choices[self.fields[0].key]
            (mine_button if mine_button.isChecked() else theirs_button).setFocus(
                Qt.FocusReason.OtherFocusReason
            )
        else:
            self.merge_button.setDefault(True)
            self.merge_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- choices ---------------------------------------------------------------------------

    def choice(self, key: str) -> str:
        """Whose version of the field ``key`` the merge keeps: ``"mine"`` or ``"theirs"``."""
        mine_button, _theirs_button = self.choices[key]
        return MINE if mine_button.isChecked() else THEIRS

    def choose(self, key: str, who: str) -> None:
        mine_button, theirs_button = self.choices[key]
        (mine_button if who == MINE else theirs_button).setChecked(True)

    def taken_from_theirs(self) -> frozenset[str]:
        return frozenset(key for key in self.choices if self.choice(key) == THEIRS)

    def _see_theirs(self) -> None:
        self.accept()
        self.seeTheirs.emit()

    def _keep_mine(self) -> None:
        self.accept()
        self.keepMine.emit()

    def _save_merged(self) -> None:
        keys = self.taken_from_theirs()
        self.accept()
        self.merged.emit(keys)

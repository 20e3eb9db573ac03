"""The dialog that adds or edits one dream-casting entry (role idea → actor, rating, note).

Fields are checked as they change with the same rules the service applies, so the message
appears under the field at once and Save stays disabled; the service still has the last word,
and if it refuses, its message goes under the field and the dialog stays open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain import rules
from etoile_app.domain.errors import JournalError, ValidationError
from etoile_app.domain.models import Character, DreamCast, DreamCastDraft
from etoile_app.ui.common import fmt
from etoile_app.ui.common.widgets import (
    ERROR_STYLE,
    BackgroundSave,
    PlainLabel,
    StarRating,
    name_form_fields,
    plain_tooltip,
)

NO_CHARACTER = "— none —"
MUTED_STYLE = "color: palette(placeholder-text);"


class DreamCastDialog(QDialog):
    """Add (``entry`` is None) or edit a dream-casting entry.

    ``save(draft, done=…, failed=…)`` starts the change through the store when the person
    confirms; the dialog closes once it is made (emitting :attr:`saved` with the entry), and
    stays open with the message beside its field if it is refused.
    """

    #: The entry as saved.
    saved = Signal(object)

    def __init__(
        self,
        characters: Sequence[Character],
        save: Callable[..., object],
        entry: DreamCast | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._save = save
        self._touched: set[str] = set()
        self.setWindowTitle("Edit dream casting" if entry else "Add dream casting")
        self.setMinimumWidth(460)

        self.role_edit = QLineEdit()
        self.role_edit.setPlaceholderText("e.g. Cheyenne’s new rival")
        self.actor_edit = QLineEdit()
        self.actor_edit.setPlaceholderText("Who should play it?")
        self.character_combo = QComboBox()
        self.character_combo.addItem(NO_CHARACTER, None)
        for c in characters:
            self.character_combo.addItem(fmt.isolate(c.name), c.id)
        self.rating = StarRating()
        self.rating.setAccessibleName("Rating")
        self.rating.setToolTip(plain_tooltip("Rating: click a star; click it again or press 0 to clear"))
        self.note_edit = QPlainTextEdit()
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setPlaceholderText("Why them? (optional)")
        self.note_edit.setMinimumHeight(90)
        self.note_count = PlainLabel(wrap=False)
        self.note_count.setStyleSheet(MUTED_STYLE)

        self.errors: dict[str, PlainLabel] = {}
        for name in ("role_idea", "actor", "character", "rating", "note", "general"):
            label = PlainLabel()
            label.setStyleSheet(ERROR_STYLE)
            label.setObjectName(f"{name}_error")
            label.hide()
            self.errors[name] = label

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Role idea:", self._with_error(self.role_edit, "role_idea"))
        form.addRow("&Actor:", self._with_error(self.actor_edit, "actor"))
        form.addRow("C&haracter:", self._with_error(self.character_combo, "character"))
        form.addRow("Ra&ting:", self._with_error(self.rating, "rating"))
        form.addRow("&Note:", self._with_error(self.note_edit, "note", extra=self.note_count))
        name_form_fields(form)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Save" if entry else "Add")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.saving = BackgroundSave(self, self.buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors["general"])
        layout.addWidget(self.buttons)

        if entry is not None:
            self.role_edit.setText(entry.role_idea)
            self.actor_edit.setText(entry.actor)
            found = self.character_combo.findData(entry.character_id)
            self.character_combo.setCurrentIndex(max(0, found))
            self.rating.setValue(entry.rating)
            self.note_edit.setPlainText(entry.note)

        # A field's message shows once the person has typed in it (or left it), not on opening.
        self.role_edit.textEdited.connect(lambda: self._touch("role_idea"))
        self.actor_edit.textEdited.connect(lambda: self._touch("actor"))
        self.role_edit.editingFinished.connect(lambda: self._touch("role_idea"))
        self.actor_edit.editingFinished.connect(lambda: self._touch("actor"))
        self.note_edit.textChanged.connect(lambda: self._touch("note"))
        self.rating.changed.connect(lambda _v: self.validate())
        self.character_combo.currentIndexChanged.connect(lambda _i: self.validate())
        self.validate()

    def _with_error(self, field: QWidget, name: str, extra: QWidget | None = None) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        if extra is not None:
            column.addWidget(extra, 0, Qt.AlignmentFlag.AlignRight)
        column.addWidget(self.errors[name])
        return box

    # --- checking --------------------------------------------------------------------------

    def draft(self) -> DreamCastDraft:
        return DreamCastDraft(
            role_idea=self.role_edit.text(),
            actor=self.actor_edit.text(),
            note=self.note_edit.toPlainText(),
            rating=self.rating.value(),
            character_id=self.character_combo.currentData(),
        )

    def _touch(self, name: str) -> None:
        # A field losing focus while the dialog is torn down must not reach deleted siblings.
        if shiboken6.isValid(self.ok_button):
            self._touched.add(name)
            self.validate()

    def _problems(self) -> dict[str, str]:
        """Field → message, for every field that breaks a rule now."""
        draft, problems = self.draft(), {}
        checks = {
            "role_idea": lambda: rules.clean_text(
                draft.role_idea, "The role", field="role_idea", required=True
            ),
            "actor": lambda: rules.clean_text(draft.actor, "The actor", field="actor", required=True),
            "note": lambda: rules.clean_text(
                draft.note, "The note", field="note", max_len=rules.NOTE_MAX, multiline=True
            ),
            "rating": lambda: rules.clean_rating(draft.rating, "The rating"),
        }
        for name, check in checks.items():
            try:
                check()
            except ValidationError as exc:
                problems[name] = exc.message
        return problems

    def validate(self) -> bool:
        """Show the message under each bad field the person has touched; enable Save when all is well."""
        problems = self._problems()
        for name in ("role_idea", "actor", "note", "rating"):
            shown = problems.get(name) if (name in self._touched or name in ("note", "rating")) else None
            self._show_error(name, shown)
        self._show_error("general", None)
        length = len(self.note_edit.toPlainText())
        self.note_count.setText(f"{length:,} / {rules.NOTE_MAX:,}")
        self.note_count.setStyleSheet(ERROR_STYLE if length > rules.NOTE_MAX else MUTED_STYLE)
        self.ok_button.setEnabled(not problems)
        return not problems

    def _show_error(self, name: str, message: str | None) -> None:
        label = self.errors.get(name, self.errors["general"])
        label.setText(message or "")
        label.setVisible(bool(message))

    # --- saving ----------------------------------------------------------------------------

    def accept(self) -> None:
        if self.saving.busy() or not self.validate():
            return
        self.saving.start(partial(self._save, self.draft()), self._saved, self._refused)

    def reject(self) -> None:
        if not self.saving.busy():  # the save under way closes the dialog
            super().reject()

    def _saved(self, entry: object) -> None:
        self.saved.emit(entry)
        super().accept()

    def _refused(self, exc: JournalError) -> None:
        if isinstance(exc, ValidationError):
            name = {"characters": "character"}.get(exc.field, exc.field)
            name = name if name in self.errors else "general"
            self._touched.add(name)
            self._show_error(name, exc.message)
            self.ok_button.setEnabled(False)  # typing again re-checks and re-enables Save
        else:
            self._show_error("general", exc.message)

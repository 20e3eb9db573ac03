"""Add one tag to the selected theories, in one step to undo."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain import rules
from etoile_app.domain.errors import ValidationError
from etoile_app.ui.board.resolve_dialog import SelectedTheories
from etoile_app.ui.common.store import Store
from etoile_app.ui.common.widgets import BackgroundSave, PlainLabel, error_label, set_error

if TYPE_CHECKING:
    from etoile_app.services.board import BoardService


@dataclass(frozen=True)
class TagData:
    """What the tag dialog shows, read before it opens: the theories to tag, and the tags some
    live theory carries, to complete the one typed."""

    selected: SelectedTheories
    tags: tuple[str, ...]

    @classmethod
    def read(cls, board: BoardService, ids: Sequence[int]) -> TagData:
        """Read it from the board's service: this runs on a reader thread, never on the GUI thread."""
        return cls(SelectedTheories.read(board, ids), tuple(t.name for t in board.tags() if t.count))


class TagDialog(QDialog):
    """Add one tag to the selected theories, in one step to undo."""

    def __init__(self, store: Store, data: TagData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.ids = store, list(data.selected.ids)
        count = f"{len(self.ids):,} theories" if len(self.ids) > 1 else "the theory"
        self.setWindowTitle("Add a tag")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        layout.addWidget(PlainLabel(data.selected.preview()))
        self.entry = QLineEdit()
        self.entry.setPlaceholderText("romance/jack-cheyenne")
        self.entry.setAccessibleName(f"Tag to add to {count}")
        completer = QCompleter(list(data.tags), self.entry)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.entry.setCompleter(completer)
        self.entry.textChanged.connect(self.validate)
        self.error = error_label()
        form = QFormLayout()
        form.addRow("Tag", self.entry)
        form.addRow("", self.error)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(f"Add to {count}")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.saving = BackgroundSave(self, self.buttons)
        layout.addWidget(self.buttons)
        self.validate()

    def tag(self) -> str | None:
        try:
            return rules.normalise_tag(self.entry.text())
        except ValidationError:
            return None

    def validate(self) -> bool:
        text = self.entry.text()
        try:
            rules.normalise_tag(text)
        except ValidationError as exc:
            set_error(self.error, exc.message if text.strip() else "")
            self.ok_button.setEnabled(False)
            return False
        set_error(self.error, "")
        self.ok_button.setEnabled(True)
        return True

    def save(self) -> None:
        tag = self.tag()
        if tag is not None:
            self.saving.start(partial(self.store.add_tag_many, self.ids, tag), self._tagged)

    def _tagged(self, _theories: object) -> None:
        self.accept()

    def reject(self) -> None:
        if not self.saving.busy():  # the tagging under way closes the dialog
            super().reject()

"""Adopt the fan theories the canon pack lists, in one step, at a confidence of your own.

While Season 1 spoilers are hidden, a starter that tells story
(:func:`etoile_app.ui.common.spoilers.starter_spoils`) shows a placeholder instead of its title
and text, and cannot be ticked: adopted, it would put its title on the board. A note above the
list says how many are hidden and offers to show them."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import shiboken6
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain.models import StarterTheory, Theory
from etoile_app.ui.board.editor import ConfidenceInput
from etoile_app.ui.common import fmt
from etoile_app.ui.common.ops import Ticket
from etoile_app.ui.common.roles import ID_ROLE
from etoile_app.ui.common.spoilers import HIDDEN_NOTE, HIDDEN_STARTER, SHOW_BUTTON, SpoilerGuard, guard_for
from etoile_app.ui.common.store import Store
from etoile_app.ui.common.widgets import BackgroundSave, plain_tooltip


def open_starter_dialog(store: Store, parent: QWidget) -> Ticket[tuple[StarterTheory, ...]]:
    """Read the starter theories in the background, then open the dialog over ``parent``
    (window-modal; it goes when closed). Asked for again before they come, it opens once."""
    theories = store.theories

    def opened(starters: tuple[StarterTheory, ...]) -> None:
        if not shiboken6.isValid(parent):
            return  # the window went meanwhile
        dialog = StarterDialog(store, starters, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    return store.ops.read(lambda: tuple(theories.starters()), opened, key="starters:dialog")


def _hidden_note(hidden: int) -> str:
    """What the note above the list says of ``hidden`` starters."""
    if hidden == 1:
        return (
            "1 starter theory gives away Season 1: its title and text are hidden, and it cannot "
            "be adopted until you show it (View → Show Season 1 spoilers)."
        )
    return (
        f"{hidden} starter theories give away Season 1: their titles and texts are hidden, and "
        "they cannot be adopted until you show them (View → Show Season 1 spoilers)."
    )


class StarterDialog(QDialog):
    """Tick starter theories to adopt; ``starters`` (adopted or not) are read before it opens."""

    def __init__(
        self,
        store: Store,
        starters: Sequence[StarterTheory],
        parent: QWidget | None = None,
        *,
        spoilers: SpoilerGuard | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.starters = tuple(starters)
        self.spoilers = spoilers if spoilers is not None else guard_for(parent, owner=self)
        self.setWindowTitle("Adopt starter theories")
        self.resize(820, 600)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "These are the fan theories making the rounds when the canon pack was written. "
            "Tick the ones you want in your journal; each starts at the confidence below, "
            "and you can change any of them afterwards."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.spoiler_box = QWidget()
        spoiler_row = QHBoxLayout(self.spoiler_box)
        spoiler_row.setContentsMargins(0, 0, 0, 0)
        self.spoiler_note = QLabel()
        self.spoiler_note.setWordWrap(True)
        self.spoiler_note.setTextFormat(Qt.TextFormat.PlainText)
        self.show_spoilers_button = QPushButton(SHOW_BUTTON)
        self.show_spoilers_button.setAccessibleName("Show Season 1 spoilers")
        self.show_spoilers_button.setAutoDefault(False)
        self.show_spoilers_button.clicked.connect(lambda: self.spoilers.set_shown(True))
        spoiler_row.addWidget(self.spoiler_note, 1)
        spoiler_row.addWidget(self.show_spoilers_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.spoiler_box)

        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Theory", "Category", "Source"])
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnWidth(0, 440)
        self.tree.setColumnWidth(1, 130)
        self.tree.setAccessibleName("Starter theories")
        self.tree.itemChanged.connect(self._update)
        for starter in self.starters:
            item = QTreeWidgetItem(["", starter.category.label, fmt.isolate(starter.source)])
            item.setData(0, ID_ROLE, starter.key)
            item.setToolTip(2, plain_tooltip(fmt.isolate(starter.source)))
            self.tree.addTopLevelItem(item)
        self._show_texts()
        self.spoilers.changed.connect(self._spoilers_changed)
        layout.addWidget(self.tree, 1)

        row = QHBoxLayout()
        select_all = QPushButton("Tick all")
        select_all.clicked.connect(lambda: self._tick_all(Qt.CheckState.Checked))
        select_none = QPushButton("Tick none")
        select_none.clicked.connect(lambda: self._tick_all(Qt.CheckState.Unchecked))
        row.addWidget(select_all)
        row.addWidget(select_none)
        row.addSpacing(24)
        row.addWidget(QLabel("Start at confidence"))
        self.confidence = ConfidenceInput()
        row.addWidget(self.confidence, 1)
        layout.addLayout(row)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.adopt)
        self.buttons.rejected.connect(self.reject)
        self.saving = BackgroundSave(self, self.buttons)
        layout.addWidget(self.buttons)
        self._update()

    def _show_texts(self) -> None:
        """Each starter's title and text, or a placeholder for those that give Season 1 away."""
        hidden = 0
        with QSignalBlocker(self.tree):
            for starter, item in zip(self.starters, self._items(), strict=True):
                hide = self.spoilers.hides_starter(starter)
                hidden += hide
                title = HIDDEN_STARTER if hide else fmt.isolate(starter.title)
                tip = HIDDEN_NOTE if hide else fmt.isolate(starter.body or starter.title)
                item.setToolTip(0, plain_tooltip(tip))
                font = item.font(0)
                font.setItalic(hide)  # a placeholder, not a title
                item.setFont(0, font)
                flags = item.flags()
                if starter.adopted:
                    item.setFlags(flags & ~(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable))
                    item.setText(0, f"{title}  (already in your journal)")
                    continue
                item.setText(0, title)
                if hide:
                    item.setFlags(flags & ~Qt.ItemFlag.ItemIsUserCheckable)
                    item.setData(0, Qt.ItemDataRole.CheckStateRole, None)  # no box to tick
                else:
                    item.setFlags(flags | Qt.ItemFlag.ItemIsUserCheckable)
                    if item.data(0, Qt.ItemDataRole.CheckStateRole) is None:
                        item.setCheckState(0, Qt.CheckState.Unchecked)
        self.spoiler_box.setVisible(hidden > 0)
        self.spoiler_note.setText(_hidden_note(hidden))

    def _spoilers_changed(self, _shown: bool) -> None:
        self._show_texts()
        self._update()

    def _items(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]

    def _tick_all(self, state: Qt.CheckState) -> None:
        for item in self._items():
            if item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                item.setCheckState(0, state)

    def chosen_keys(self) -> list[str]:
        return [
            item.data(0, ID_ROLE)
            for item in self._items()
            if item.flags() & Qt.ItemFlag.ItemIsUserCheckable and item.checkState(0) == Qt.CheckState.Checked
        ]

    def _update(self, *_: object) -> None:
        n = len(self.chosen_keys())
        self.ok_button.setEnabled(n > 0)
        self.ok_button.setText(f"Adopt {n} theor{'y' if n == 1 else 'ies'}" if n else "Adopt")

    def adopt(self) -> None:
        keys = self.chosen_keys()
        if not keys or self.saving.busy():
            return
        self.saving.start(partial(self.store.adopt_starters, keys, self.confidence.value()), self._adopted)

    def _adopted(self, theories: list[Theory]) -> None:
        """Adopted: the grid to rate them all at once (confidence, juiciness) comes next."""
        parent = self.parentWidget()
        self.accept()
        if parent is not None and theories:
            from etoile_app.ui.board.rate_dialog import open_rate_dialog

            open_rate_dialog(self.store, [t.id for t in theories], parent)

    def reject(self) -> None:
        if not self.saving.busy():  # the adoption under way closes the dialog
            super().reject()

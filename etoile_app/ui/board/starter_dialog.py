"""Adopt the fan theories the canon pack lists, in one step, at a confidence of your own."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import shiboken6
from PySide6.QtCore import Qt
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

from etoile_app.domain.models import StarterTheory
from etoile_app.ui.board.editor import ConfidenceInput
from etoile_app.ui.common import fmt
from etoile_app.ui.common.ops import Ticket
from etoile_app.ui.common.roles import ID_ROLE
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


class StarterDialog(QDialog):
    """Tick starter theories to adopt; ``starters`` (adopted or not) are read before it opens."""

    def __init__(
        self, store: Store, starters: Sequence[StarterTheory], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
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

        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Theory", "Category", "Source"])
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnWidth(0, 440)
        self.tree.setColumnWidth(1, 130)
        self.tree.setAccessibleName("Starter theories")
        self.tree.itemChanged.connect(self._update)
        for starter in starters:
            title = fmt.isolate(starter.title)
            item = QTreeWidgetItem([title, starter.category.label, fmt.isolate(starter.source)])
            item.setData(0, ID_ROLE, starter.key)
            item.setToolTip(0, plain_tooltip(fmt.isolate(starter.body or starter.title)))
            item.setToolTip(2, plain_tooltip(fmt.isolate(starter.source)))
            if starter.adopted:
                item.setFlags(item.flags() & ~(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable))
                item.setText(0, f"{title}  (already in your journal)")
            else:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(0, Qt.CheckState.Unchecked)
            self.tree.addTopLevelItem(item)
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

    def _adopted(self, _theories: object) -> None:
        self.accept()

    def reject(self) -> None:
        if not self.saving.busy():  # the adoption under way closes the dialog
            super().reject()

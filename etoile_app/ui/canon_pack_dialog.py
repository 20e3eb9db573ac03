"""File → Load canon pack…: apply a newer pack and show what it changed.

The dialog lists the facts the pack added, changed and superseded, and the open theories that
cite a changed or superseded fact; clicking one shows it on the board.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain.errors import JournalError
from etoile_app.domain.models import Fact, PackChanges
from etoile_app.ui import fmt
from etoile_app.ui.store import Store

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _fact_item(fact: Fact | None, key: str) -> QListWidgetItem:
    if fact is None:
        return QListWidgetItem(key)
    item = QListWidgetItem(
        f"{fact.statement}\n{fact.shown_status.label} · {fact.source} · {fmt.short_date(fact.as_of)}"
    )
    item.setToolTip(fact.statement)
    return item


class PackChangesDialog(QDialog):
    """What a canon pack changed; activating a theory shows it on the board."""

    def __init__(self, store: Store, changes: PackChanges, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.changes = changes
        self.setWindowTitle(f"Canon pack edition {changes.version}")
        self.resize(760, 560)
        facts = {f.key: f for f in store.canon.facts()}

        layout = QVBoxLayout(self)
        summary = QLabel(
            f"Edition {changes.version} is now your canon: {fmt.count(len(changes.added), 'new fact')}, "
            f"{len(changes.changed)} changed, {len(changes.superseded)} superseded. "
            "Your own news and theories were not touched."
        )
        summary.setWordWrap(True)
        layout.addWidget(summary)

        self.tabs = QTabWidget()
        self.lists: dict[str, QListWidget] = {}
        for name, keys in (
            ("Added", changes.added),
            ("Changed", changes.changed),
            ("Superseded", changes.superseded),
        ):
            widget = QListWidget()
            widget.setWordWrap(True)
            widget.setAlternatingRowColors(True)
            for key in keys:
                widget.addItem(_fact_item(facts.get(key), key))
            self.lists[name] = widget
            self.tabs.addTab(widget, f"{name} ({len(keys)})")

        self.theories = QListWidget()
        self.theories.setAccessibleName("Open theories citing a changed fact")
        for theory_id in changes.affected_theory_ids:
            theory = store.theories.get(theory_id)
            item = QListWidgetItem(f"{theory.title}  ({theory.confidence} %)")
            item.setData(ID_ROLE, theory_id)
            item.setToolTip("Click to show it on the board")
            self.theories.addItem(item)
        self.theories.itemClicked.connect(self._show)
        self.theories.itemActivated.connect(self._show)
        self.tabs.addTab(self.theories, f"Your open theories to review ({len(changes.affected_theory_ids)})")
        if changes.affected_theory_ids:
            self.tabs.setCurrentWidget(self.theories)
        layout.addWidget(self.tabs, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def _show(self, item: QListWidgetItem) -> None:
        self.store.showTheory.emit(item.data(ID_ROLE))


def apply_pack_file(store: Store, path: Path, parent: QWidget) -> PackChangesDialog | None:
    """Apply the pack at ``path``; show its changes, or say why nothing changed."""
    try:
        changes = store.load_canon_pack(path)
    except JournalError as exc:
        QMessageBox.warning(parent, "Cannot load the canon pack", exc.message)
        return None
    if not changes.applied:
        current = store.canon.pack_version()
        QMessageBox.information(
            parent,
            "Canon pack not loaded",
            f"{path.name} is edition {changes.version}; your journal already has edition {current}. "
            "Nothing was changed.",
        )
        return None
    dialog = PackChangesDialog(store, changes, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def choose_pack_file(store: Store, parent: QWidget) -> PackChangesDialog | None:
    name, _ = QFileDialog.getOpenFileName(
        parent, "Load canon pack", "", "Canon packs (*.json);;All files (*)"
    )
    return apply_pack_file(store, Path(name), parent) if name else None

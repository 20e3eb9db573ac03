"""File → Restore from backup…: pick a backup and bring the journal back to it.

Restoring replaces what is in the journal, so the dialog says what happens before it does
it, and the service backs up the journal as it is first: a restore can itself be undone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain.errors import JournalError
from etoile_app.services.backups import KEEP, REASON_LABELS, BackupInfo
from etoile_app.ui.common.fmt import local_datetime
from etoile_app.ui.common.roles import RECORD_ROLE
from etoile_app.ui.common.widgets import PlainLabel, error_label, muted, plain_tooltip, set_error

if TYPE_CHECKING:
    from etoile_app.services.backups import BackupService

WHEN, KIND, SIZE = range(3)


def size_text(size: int) -> str:
    """``84 KB``, ``3.2 MB``: file sizes the way a file manager shows them."""
    if size < 1000:
        return f"{size} bytes"
    for unit, scale in (("KB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        if size < scale * 1000 or unit == "GB":
            value = size / scale
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    return f"{size} bytes"  # pragma: no cover


def policy_text() -> str:
    return (
        f"a daily one (the last {KEEP['daily']} are kept), and one before every app update "
        f"({KEEP['before-upgrade']}), import ({KEEP['before-import']}) and restore "
        f"({KEEP['before-restore']})"
    )


class BackupList(QTreeWidget):
    """Backups, newest first: when (local time), what kind, how big."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(3)
        self.setHeaderLabels(["Made", "Kind", "Size"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAccessibleName("Backups")
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(WHEN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(KIND, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SIZE, QHeaderView.ResizeMode.ResizeToContents)

    def set_backups(self, backups: Sequence[BackupInfo]) -> None:
        self.clear()
        for info in backups:
            item = QTreeWidgetItem(
                [
                    local_datetime(info.created_at),
                    REASON_LABELS.get(info.reason, info.reason),
                    size_text(info.size),
                ]
            )
            item.setTextAlignment(SIZE, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(WHEN, plain_tooltip(str(info.path)))
            item.setData(WHEN, RECORD_ROLE, info)
            self.addTopLevelItem(item)
        if backups:
            self.setCurrentItem(self.topLevelItem(0))

    def selected(self) -> BackupInfo | None:
        item = self.currentItem()
        return item.data(WHEN, RECORD_ROLE) if item is not None and item.isSelected() else None

    def select(self, path) -> None:
        for i in range(self.topLevelItemCount()):
            item = self.topLevelItem(i)
            if item.data(WHEN, RECORD_ROLE).path == path:
                self.setCurrentItem(item)
                return


class RestoreDialog(QDialog):
    """Lists the journal's backups; Restore brings the chosen one back."""

    #: The journal was restored; carries the backup made of it just before (``BackupInfo``).
    restored = Signal(object)

    def __init__(
        self,
        backups: BackupService,
        parent: QWidget | None = None,
        *,
        restore: Callable[[BackupInfo], BackupInfo] | None = None,
    ) -> None:
        super().__init__(parent)
        self.backups = backups
        self._restore = restore or backups.restore
        self.before: BackupInfo | None = None
        self.setWindowTitle("Restore from a backup")
        self.setMinimumWidth(620)
        self.resize(660, 420)

        heading = QLabel("Bring your journal back to an earlier state")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        heading.setFont(font)
        intro = QLabel(
            "Choose a backup. Everything in your journal is replaced by what the backup holds. "
            "Nothing is lost: your journal as it is now is backed up first (as “Before a "
            "restore”), so you can come back to it the same way."
        )
        intro.setWordWrap(True)

        self.backup_list = BackupList()
        self.empty = muted(QLabel("There are no backups of this journal yet."))
        self.where = muted(PlainLabel())
        self.error = error_label()

        self.buttons = QDialogButtonBox()
        self.restore_button = QPushButton("Restore this backup")
        self.restore_button.setDefault(True)
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.restore_button.clicked.connect(self.restore_selected)
        self.close_button.clicked.connect(self.reject)
        self.backup_list.itemSelectionChanged.connect(self._update_buttons)
        self.backup_list.itemDoubleClicked.connect(lambda *_: self.restore_selected())

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.backup_list, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.where)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.refresh()

    def refresh(self) -> None:
        if not self.backups.supported:
            self.backup_list.hide()
            self.empty.setText(
                "This journal is on a database server; back it up with the server's own tools."
            )
            self.where.hide()
            self.restore_button.hide()
            return
        found = self.backups.list()
        self.backup_list.set_backups(found)
        self.backup_list.setVisible(bool(found))
        self.empty.setVisible(not found)
        self.where.setText(f"Backups are kept in {self.backups.folder}: {policy_text()}.")
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(self.backup_list.selected() is not None)

    def restore_selected(self) -> None:
        info = self.backup_list.selected()
        if info is None:
            return
        set_error(self.error, "")
        try:
            self.before = self._restore(info)
        except JournalError as exc:
            set_error(self.error, str(exc))
            self.refresh()
            self.backup_list.select(info.path)
            return
        self.restored.emit(self.before)
        self.accept()

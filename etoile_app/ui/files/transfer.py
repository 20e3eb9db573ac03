"""File → Import…, Export…, Back up now and Restore from backup…: the journal as a whole.

Each action asks for a file (or a backup), does the work through the :class:`Store`, and says
how it went in a message box that does not block the event loop (``open()``, not ``exec()``),
so the outcome is shown the same way to a person and to a test. A refused import names the
line or field at fault and says that nothing was written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from etoile_app.domain.errors import JournalError
from etoile_app.ui.common import fmt
from etoile_app.ui.common.store import Store
from etoile_app.ui.common.widgets import documents_folder, tell

#: The export formats, in the order the save dialog offers them: (format, filter, suffix).
EXPORT_CHOICES = (
    ("json", "Complete journal, JSON (*.json)", ".json"),
    ("csv", "Fatebook CSV (*.csv)", ".csv"),
    ("md", "Markdown to share (*.md)", ".md"),
)
IMPORT_FILTER = "Journal exports (*.json *.csv);;JSON export (*.json);;Fatebook CSV (*.csv);;All files (*)"


def _show_in_status_bar(parent: QWidget, text: str) -> None:
    bar = getattr(parent, "statusBar", None)
    if callable(bar):
        bar().showMessage(text, 8000)


# --- export ---------------------------------------------------------------------------------


def format_for(path: Path, chosen_filter: str = "") -> tuple[str, Path]:
    """The export format and the final path: the suffix decides, else the chosen filter
    (whose suffix is then added), else JSON."""
    by_suffix = {suffix: name for name, _, suffix in EXPORT_CHOICES} | {".markdown": "md"}
    known = by_suffix.get(path.suffix.lower())
    if known is not None:
        return known, path
    name, suffix = next(((n, s) for n, f, s in EXPORT_CHOICES if f == chosen_filter), ("json", ".json"))
    return name, path.with_name(path.name + suffix)


def export_to(store: Store, path: Path, export_format: str, parent: QWidget) -> QMessageBox | None:
    """Write the export; on failure say why (nothing is left half-written)."""
    try:
        report = store.export_journal(path, export_format)
    except JournalError as exc:
        return tell(
            parent, QMessageBox.Icon.Warning, "Export failed", f"Could not export to {path}.", str(exc)
        )
    _show_in_status_bar(parent, f"Exported {fmt.count(report.theories, 'theory', 'theories')} to {path}")
    return None


def choose_export(store: Store, parent: QWidget) -> Path | None:
    """Ask where to export and in which format, then export; the path written, or ``None``."""
    suggested = documents_folder() / f"etoile-journal-{date.today().isoformat()}.json"
    filters = ";;".join(f for _, f, _ in EXPORT_CHOICES)
    name, chosen = QFileDialog.getSaveFileName(parent, "Export the journal", str(suggested), filters)
    if not name:
        return None
    export_format, path = format_for(Path(name), chosen)
    return None if export_to(store, path, export_format, parent) is not None else path


# --- import ---------------------------------------------------------------------------------


def import_from(store: Store, path: Path, parent: QWidget) -> QMessageBox:
    """Import ``path`` and say what it brought in, or why it was refused."""
    try:
        report = store.import_journal(path)
    except JournalError as exc:
        return tell(
            parent,
            QMessageBox.Icon.Warning,
            "Import refused",
            f"{path.name} was not imported: {exc}",
            "Nothing was written; your journal is as it was.",
        )
    if not report.changed:
        return tell(
            parent,
            QMessageBox.Icon.Information,
            "Nothing to import",
            f"Everything in {path.name} is already in your journal ({report.summary()}).",
        )
    detail = "Your journal as it was is in a backup (File → Restore from backup…)."
    return tell(
        parent, QMessageBox.Icon.Information, "Import done", f"{path.name}: {report.summary()}.", detail
    )


def choose_import(store: Store, parent: QWidget) -> QMessageBox | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Import theories", str(documents_folder()), IMPORT_FILTER)
    return import_from(store, Path(name), parent) if name else None


# --- backups --------------------------------------------------------------------------------


def backup_now(store: Store, parent: QWidget) -> QMessageBox | None:
    try:
        made = store.backup_now()
    except JournalError as exc:
        return tell(parent, QMessageBox.Icon.Warning, "Backup failed", str(exc))
    if made is not None:
        _show_in_status_bar(parent, f"Backup saved: {made.path}")
    return None


def open_restore(store: Store, parent: QWidget):
    """File → Restore from backup…: the dialog, open (window-modal); it deletes itself when closed."""
    from etoile_app.ui.files.restore_dialog import RestoreDialog

    dialog = RestoreDialog(store.journal.backups, parent, restore=store.restore_backup)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.restored.connect(
        lambda before: _show_in_status_bar(
            parent, f"Journal restored. It was backed up first, as {before.path.name}."
        )
    )
    dialog.open()
    return dialog

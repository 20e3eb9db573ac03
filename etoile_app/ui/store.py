"""The GUI's one door to the journal: every change goes through here.

Widgets never write to the database themselves. They call a method here, which runs the
service (one transaction), pushes an undoable command where the change can be taken back,
and emits a signal naming what changed, so every view refreshes what it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from etoile_app.domain.errors import JournalError
from etoile_app.domain.models import (
    DreamCast,
    DreamCastDraft,
    Fact,
    NewsDraft,
    PackChanges,
    Theory,
    TheoryDraft,
)

if TYPE_CHECKING:
    from etoile_app.domain.transfer import ExportReport, ImportReport
    from etoile_app.services.backups import BackupInfo
    from etoile_app.services.journal import Journal


#: How much of a headline an undo step quotes ("Add news “…”").
QUOTE_MAX = 50


def _quoted(fact: Fact) -> str:
    text = " ".join(fact.title_line.split())
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1].rstrip() + "…"


class _Command(QUndoCommand):
    """An undoable change whose first ``redo`` already happened when it was pushed."""

    def __init__(self, store: Store, text: str, do: Callable[[], Any], undo: Callable[[], Any]) -> None:
        super().__init__(text)
        self._store, self._do, self._undo, self._done = store, do, undo, True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._store._guard(self._do, f"Could not redo “{self.text()}”")

    def undo(self) -> None:
        self._store._guard(self._undo, f"Could not undo “{self.text()}”")


class Store(QObject):
    #: Theories changed; the ids, or an empty tuple when many did.
    theoriesChanged = Signal(tuple)
    #: Canon facts changed (user news, a new pack).
    canonChanged = Signal()
    #: Dream casting changed.
    castChanged = Signal()
    #: An undo or redo failed; the message says why.
    failed = Signal(str)
    #: Ask the board to show the theories about one character.
    showCharacterOnBoard = Signal(int)
    #: Ask the board to select (and show) one theory.
    showTheory = Signal(int)

    def __init__(self, journal: Journal, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.journal = journal
        self.undo_stack = QUndoStack(self)

    # --- reads (services return plain records) ---------------------------------------------

    def now(self) -> datetime:
        """The journal's clock (aware UTC)."""
        return self.journal.theories.now()

    def today(self) -> date:
        """Today by the journal's clock: the latest date a resolution or news item may carry."""
        return self.journal.theories.today()

    @property
    def theories(self):
        return self.journal.theories

    @property
    def board(self):
        return self.journal.board

    @property
    def canon(self):
        return self.journal.canon

    @property
    def cast(self):
        return self.journal.cast

    # --- theories --------------------------------------------------------------------------

    def create_theory(self, draft: TheoryDraft) -> Theory:
        theory = self.theories.create(draft)
        self._push(
            f"New theory “{theory.title}”",
            lambda: self._changed(self.theories.restore(theory.id)),
            lambda: self._changed(self.theories.delete(theory.id)),
        )
        self._changed(theory)
        return theory

    def edit_theory(self, theory_id: int, draft: TheoryDraft, confidence_note: str = "") -> Theory:
        theory = self.theories.edit(theory_id, draft, confidence_note=confidence_note)
        self._changed(theory)
        return theory

    def set_confidence(self, theory_id: int, confidence: int, note: str = "") -> Theory:
        theory = self.theories.set_confidence(theory_id, confidence, note)
        self._changed(theory)
        return theory

    def link_evidence(self, theory_id: int, fact_id: int, stance: Any, note: str = "") -> Theory:
        theory = self.theories.link_evidence(theory_id, fact_id, stance, note)
        self._changed(theory)
        self.canonChanged.emit()  # the Status tab counts citing theories
        return theory

    def unlink_evidence(self, theory_id: int, fact_id: int) -> Theory:
        theory = self.theories.unlink_evidence(theory_id, fact_id)
        self._changed(theory)
        self.canonChanged.emit()
        return theory

    def delete_theory(self, theory_id: int) -> Theory:
        theory = self.theories.delete(theory_id)
        self._push(
            f"Delete “{theory.title}”",
            lambda: self._changed(self.theories.delete(theory_id)),
            lambda: self._changed(self.theories.restore(theory_id)),
        )
        self._changed(theory)
        return theory

    def resolve(self, theory_id: int, status: Any, note: str = "", on: date | None = None) -> Theory:
        theory = self.theories.resolve(theory_id, status, note, on)
        self._push(
            f"Resolve “{theory.title}” as {theory.status.value}",
            lambda: self._changed(self.theories.resolve(theory_id, status, note, on)),
            lambda: self._changed(self.theories.reopen(theory_id)),
        )
        self._changed(theory)
        return theory

    def reopen(self, theory_id: int) -> Theory:
        before = self.theories.get(theory_id)
        theory = self.theories.reopen(theory_id)
        self._push(
            f"Reopen “{theory.title}”",
            lambda: self._changed(self.theories.reopen(theory_id)),
            lambda: self._changed(
                self.theories.resolve(theory_id, before.status, before.resolution_note, before.resolved_on)
            ),
        )
        self._changed(theory)
        return theory

    def adopt_starters(self, keys: Sequence[str], confidence: int) -> list[Theory]:
        theories = self.theories.adopt_starters(keys, confidence)
        self.theoriesChanged.emit(())
        return theories

    # --- canon and cast --------------------------------------------------------------------

    def add_news(self, draft: NewsDraft) -> Fact:
        fact = self.canon.add_news(draft)
        # Undoing news retracts it (it keeps its id, so theories citing it keep their link).
        self._push(
            f"Add news “{_quoted(fact)}”",
            lambda: self._news_changed(self.canon.restore_news(fact.id)),
            lambda: self._news_changed(self.canon.retract_news(fact.id)),
        )
        self._news_changed(fact)
        return fact

    def edit_news(self, fact_id: int, draft: NewsDraft) -> Fact:
        before = self.canon.fact(fact_id).as_news_draft()  # what undoing the edit goes back to
        fact = self.canon.edit_news(fact_id, draft)
        self._push(
            f"Edit news “{_quoted(fact)}”",
            lambda: self._news_changed(self.canon.edit_news(fact_id, draft)),
            lambda: self._news_changed(self.canon.edit_news(fact_id, before)),
        )
        self._news_changed(fact)
        return fact

    def retract_news(self, fact_id: int) -> Fact:
        fact = self.canon.retract_news(fact_id)
        self._push(
            f"Retract news “{_quoted(fact)}”",
            lambda: self._news_changed(self.canon.retract_news(fact_id)),
            lambda: self._news_changed(self.canon.restore_news(fact_id)),
        )
        self._news_changed(fact)
        return fact

    def load_canon_pack(self, path: Path) -> PackChanges:
        """Apply a newer canon pack; every view may change (facts, characters, citing theories)."""
        changes = self.canon.load_pack_file(path)
        if changes.applied:
            self._everything_changed()
        return changes

    def add_dream_cast(self, draft: DreamCastDraft) -> DreamCast:
        entry = self.cast.add_dream_cast(draft)
        self.castChanged.emit()
        return entry

    def edit_dream_cast(self, entry_id: int, draft: DreamCastDraft) -> DreamCast:
        entry = self.cast.edit_dream_cast(entry_id, draft)
        self.castChanged.emit()
        return entry

    def delete_dream_cast(self, entry_id: int) -> DreamCast:
        entry = self.cast.delete_dream_cast(entry_id)
        self.castChanged.emit()
        return entry

    # --- the whole journal: import, export, backups ----------------------------------------

    def export_journal(self, path: Path, fmt: str) -> ExportReport:
        return self.journal.transfer.export_file(path, fmt)

    def import_journal(self, path: Path, fmt: str | None = None) -> ImportReport:
        """Import a file, all or nothing, backing the journal up first when it will change."""
        report = self.journal.import_file(path, fmt)
        if report.changed:
            self._everything_changed()
        return report

    def backup_now(self) -> BackupInfo | None:
        return self.journal.backups.backup()

    def restore_backup(self, backup: BackupInfo) -> BackupInfo:
        """Bring the journal back to ``backup``; return the backup made of it just before.

        The undo history is cleared: its steps describe a journal that no longer exists.
        """
        before = self.journal.backups.restore(backup)
        self.undo_stack.clear()
        self._everything_changed()
        return before

    # --- plumbing --------------------------------------------------------------------------

    def _everything_changed(self) -> None:
        self.canonChanged.emit()
        self.castChanged.emit()
        self.theoriesChanged.emit(())

    def _news_changed(self, _fact: Fact | None = None) -> None:
        self.canonChanged.emit()
        self.castChanged.emit()  # return statuses may have changed

    def _changed(self, theory: Theory | Iterable[Theory]) -> None:
        ids = (theory.id,) if isinstance(theory, Theory) else tuple(t.id for t in theory)
        self.theoriesChanged.emit(ids)

    def _push(self, text: str, do: Callable[[], Any], undo: Callable[[], Any]) -> None:
        self.undo_stack.push(_Command(self, text, do, undo))

    def _guard(self, action: Callable[[], Any], what: str) -> None:
        try:
            action()
        except JournalError as exc:
            self.failed.emit(f"{what}: {exc.message}")

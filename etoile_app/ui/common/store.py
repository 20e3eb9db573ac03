"""The GUI's one door to the journal: every change goes through here.

Widgets never write to the database themselves. They call a method here, which runs the
service (one transaction), pushes an undoable command where the change can be taken back,
and emits a signal naming what changed, so every view refreshes what it shows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from etoile_app.domain import rules
from etoile_app.domain.errors import CancelledError, JournalBusyError, JournalError
from etoile_app.domain.models import (
    DreamCast,
    DreamCastDraft,
    Fact,
    NewsDraft,
    PackChanges,
    Theory,
    TheoryDraft,
    TheorySnapshot,
)
from etoile_app.services.background import unstoppable
from etoile_app.ui.common.changes import EVERYTHING, TheoryChanges
from etoile_app.ui.common.ops import Operations, Progress, Ticket

if TYPE_CHECKING:
    from etoile_app.domain.transfer import ExportReport, ImportReport
    from etoile_app.services.backups import BackupInfo
    from etoile_app.services.journal import Journal


#: How much of a headline an undo step quotes ("Add news “…”").
QUOTE_MAX = 50


def _quote(text: str) -> str:
    """``text`` on one line, cut to :data:`QUOTE_MAX` characters, for the name of an undo step."""
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1].rstrip() + "…"


def _quoted(fact: Fact) -> str:
    return _quote(fact.title_line)


def _theories_named(theories: Sequence[Theory]) -> str:
    """“Title” for one theory, “3 theories” for several."""
    if len(theories) == 1:
        return f"“{_quote(theories[0].title)}”"
    return f"{len(theories)} theories"


def _substance(snapshots: Sequence[TheorySnapshot]) -> list[TheorySnapshot]:
    """The snapshots less the time of the last change: saving what was there is no undo step."""
    return [replace(s, theory=replace(s.theory, updated_at=None)) for s in snapshots]


def _gone(theories: Sequence[Theory]) -> TheoryChanges:
    """The changes of moving ``theories`` (now deleted) to the bin."""
    return TheoryChanges.between([replace(t, deleted_at=None) for t in theories], theories)


def _back(theories: Sequence[Theory]) -> TheoryChanges:
    """The changes of bringing ``theories`` (now live) back from the bin."""
    return TheoryChanges.between([replace(t, deleted_at=t.updated_at) for t in theories], theories)


def _dream_named(entry: DreamCast) -> str:
    return f"“{_quote(f'{entry.actor} as {entry.role_idea}')}”"


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
    #: Theories changed: what changed, precisely (see :mod:`etoile_app.ui.common.changes`).
    changed = Signal(object)
    #: Theories changed; the ids, or an empty tuple when many did (for views that reread).
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
        #: Where database work runs off the GUI thread (see :mod:`etoile_app.ui.common.ops`).
        self.ops = Operations(self)
        self.ops.failed.connect(self.failed)

    def close(self) -> None:
        """Wait for the changes and jobs under way, stop the reads, and close the journal
        (checkpointed into its one file)."""
        self.ops.shutdown(wait=True)
        self.journal.close()

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
        self._check_no_job()
        theory = self.theories.create(draft)
        self._push(
            f"New theory “{_quote(theory.title)}”",
            lambda: self._emit(_back([self.theories.restore(theory.id)])),
            lambda: self._emit(_gone([self.theories.delete(theory.id)])),
        )
        self._emit(TheoryChanges.between([None], [theory]))
        return theory

    def edit_theory(self, theory_id: int, draft: TheoryDraft, confidence_note: str = "") -> Theory:
        self._check_no_job()
        (theory,) = self._undoable(
            [theory_id],
            lambda: [self.theories.edit(theory_id, draft, confidence_note=confidence_note)],
            lambda after: f"Edit {_theories_named(after)}",
            canon=draft.evidence is not None,
        )
        return theory

    def set_confidence(self, theory_id: int, confidence: int, note: str = "") -> Theory:
        self._check_no_job()
        (theory,) = self._undoable(
            [theory_id],
            lambda: [self.theories.set_confidence(theory_id, confidence, note)],
            lambda after: f"Set confidence in {_theories_named(after)} to {after[0].confidence} %",
        )
        return theory

    def link_evidence(self, theory_id: int, fact_id: int, stance: Any, note: str = "") -> Theory:
        self._check_no_job()
        cited = any(e.fact_id == fact_id for e in self.theories.get(theory_id).evidence)
        (theory,) = self._undoable(
            [theory_id],
            lambda: [self.theories.link_evidence(theory_id, fact_id, stance, note)],
            lambda after: f"{'Change' if cited else 'Add'} evidence on {_theories_named(after)}",
            canon=True,  # the Status tab counts citing theories
        )
        return theory

    def unlink_evidence(self, theory_id: int, fact_id: int) -> Theory:
        self._check_no_job()
        (theory,) = self._undoable(
            [theory_id],
            lambda: [self.theories.unlink_evidence(theory_id, fact_id)],
            lambda after: f"Remove evidence from {_theories_named(after)}",
            canon=True,
        )
        return theory

    def set_tags(self, theory_id: int, tags: Iterable[str]) -> Theory:
        """Replace a theory's tags (adding or removing some)."""
        self._check_no_job()
        names = list(tags)
        (theory,) = self._undoable(
            [theory_id],
            lambda: [self.theories.set_tags(theory_id, names)],
            lambda after: f"Change tags of {_theories_named(after)}",
        )
        return theory

    def delete_theory(self, theory_id: int) -> Theory:
        self._check_no_job()
        theory = self.theories.delete(theory_id)
        self._push(
            f"Delete “{_quote(theory.title)}”",
            lambda: self._emit(_gone([self.theories.delete(theory_id)])),
            lambda: self._emit(_back([self.theories.restore(theory_id)])),
        )
        self._emit(_gone([theory]))
        return theory

    def resolve(self, theory_id: int, status: Any, note: str = "", on: date | None = None) -> Theory:
        self._check_no_job()
        (theory,) = self._undoable(
            [theory_id],
            lambda: [self.theories.resolve(theory_id, status, note, on)],
            lambda after: f"Resolve {_theories_named(after)} as {after[0].status.value}",
        )
        return theory

    def reopen(self, theory_id: int) -> Theory:
        """Reopen a resolved theory; undo brings back its outcome, note and date exactly."""
        self._check_no_job()
        (theory,) = self._undoable(
            [theory_id],
            lambda: [self.theories.reopen(theory_id)],
            lambda after: f"Reopen {_theories_named(after)}",
        )
        return theory

    def adopt_starters(self, keys: Sequence[str], confidence: int) -> list[Theory]:
        """Adopt starter theories; undo deletes the ones this adopted (not those adopted before)."""
        self._check_no_job()
        had = {s.key for s in self.theories.starters() if s.adopted}
        theories = self.theories.adopt_starters(keys, confidence)
        new = [t for t in theories if t.starter_key not in had]
        new_ids = [t.id for t in new]
        if new_ids:
            count = len(new_ids)
            self._push(
                f"Adopt {count} starter theor{'y' if count == 1 else 'ies'}",
                lambda: self._emit(_back(self.theories.restore_many(new_ids))),
                lambda: self._emit(_gone(self.theories.delete_many(new_ids))),
            )
        self._emit(TheoryChanges.between([None] * len(new), new))
        return theories

    # --- several theories at once: each is one undo step ------------------------------------

    def resolve_many(
        self, ids: Sequence[int], status: Any, note: str = "", on: date | None = None
    ) -> list[Theory]:
        """Resolve the theories of ``ids`` with one note; undo puts each back as it was."""
        self._check_no_job()
        return self._undoable(
            ids,
            lambda: self.theories.resolve_many(ids, status, note, on),
            lambda after: f"Resolve {_theories_named(after)} as {after[0].status.value}",
        )

    def delete_many(self, ids: Sequence[int]) -> list[Theory]:
        self._check_no_job()
        return self._undoable(
            ids,
            lambda: self.theories.delete_many(ids),
            lambda after: f"Delete {_theories_named(after)}",
        )

    def add_tag_many(self, ids: Sequence[int], tag: str) -> list[Theory]:
        """Tag the theories of ``ids``; undo removes the tag only from those that lacked it."""
        self._check_no_job()
        return self._undoable(
            ids,
            lambda: self.theories.add_tag_many(ids, tag),
            lambda after: f"Tag {_theories_named(after)} “{_quote(rules.normalise_tag(tag))}”",
        )

    # --- canon and cast --------------------------------------------------------------------

    def add_news(self, draft: NewsDraft) -> Fact:
        self._check_no_job()
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
        self._check_no_job()
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
        self._check_no_job()
        fact = self.canon.retract_news(fact_id)
        self._push(
            f"Retract news “{_quoted(fact)}”",
            lambda: self._news_changed(self.canon.retract_news(fact_id)),
            lambda: self._news_changed(self.canon.restore_news(fact_id)),
        )
        self._news_changed(fact)
        return fact

    def add_dream_cast(self, draft: DreamCastDraft) -> DreamCast:
        self._check_no_job()
        entry = self.cast.add_dream_cast(draft)
        # One cell shared by undo and redo: the entry keeps its id unless another took it.
        cell = [entry]
        self._push(
            f"Add dream casting {_dream_named(entry)}",
            lambda: self._dream_put_back(cell, cell[0]),
            lambda: self._cast_changed(self.cast.delete_dream_cast(cell[0].id)),
        )
        self.castChanged.emit()
        return entry

    def edit_dream_cast(self, entry_id: int, draft: DreamCastDraft) -> DreamCast:
        self._check_no_job()
        before = next((e for e in self.cast.dream_casting() if e.id == entry_id), None)
        entry = self.cast.edit_dream_cast(entry_id, draft)
        if before is not None:
            cell = [entry]
            self._push(
                f"Edit dream casting {_dream_named(entry)}",
                lambda: self._dream_put_back(cell, entry),
                lambda: self._dream_put_back(cell, before),
            )
        self.castChanged.emit()
        return entry

    def delete_dream_cast(self, entry_id: int) -> DreamCast:
        self._check_no_job()
        entry = self.cast.delete_dream_cast(entry_id)
        cell = [entry]
        self._push(
            f"Delete dream casting {_dream_named(entry)}",
            lambda: self._cast_changed(self.cast.delete_dream_cast(cell[0].id)),
            lambda: self._dream_put_back(cell, cell[0]),
        )
        self.castChanged.emit()
        return entry

    # --- the whole journal: import, export, backups ----------------------------------------

    # Long jobs on the writer thread: the window stays responsive and shows their progress;
    # ``done`` runs on the GUI thread with the outcome.

    def start_import(
        self,
        path: Path,
        *,
        done: Callable[[ImportReport], Any],
        failed: Callable[[JournalError], Any],
        cancelled: Callable[[], Any],
    ) -> Ticket[ImportReport]:
        """Import ``path`` in the background; cancelled, it writes nothing."""
        journal = self.journal

        def finished(report: ImportReport) -> None:
            if report.changed:
                self._everything_changed()
            done(report)

        return self.ops.job(
            lambda progress: journal.import_file(path, progress=progress.report),
            finished,
            failed=failed,
            cancelled=cancelled,
        )

    def start_export(
        self,
        path: Path,
        fmt: str,
        *,
        done: Callable[[ExportReport], Any],
        failed: Callable[[JournalError], Any],
        cancelled: Callable[[], Any],
    ) -> Ticket[ExportReport]:
        """Export to ``path`` in the background; cancelled before the file is written, nothing is."""
        transfer = self.journal.transfer
        return self.ops.job(
            lambda progress: transfer.export_file(path, fmt, progress=progress.report),
            done,
            failed=failed,
            cancelled=cancelled,
        )

    def start_backup(
        self, *, done: Callable[[BackupInfo | None], Any], failed: Callable[[JournalError], Any]
    ) -> Ticket[BackupInfo | None]:
        """Back the journal up in the background (SQLite's online backup; not cancellable)."""
        backups = self.journal.backups

        def work(progress: Progress) -> BackupInfo | None:
            progress.report(0, 1, "Backing up the journal")
            return backups.backup()

        return self.ops.job(work, done, failed=failed)

    def start_load_canon_pack(
        self,
        path: Path,
        *,
        done: Callable[[PackChanges], Any],
        failed: Callable[[JournalError], Any],
        cancelled: Callable[[], Any],
    ) -> Ticket[PackChanges]:
        """Apply the canon pack at ``path`` in the background, if it is newer; one transaction,
        so cancelled before it commits, it writes nothing."""
        journal = self.journal

        def finished(changes: PackChanges) -> None:
            if changes.applied:
                self._everything_changed()
            done(changes)

        return self.ops.job(
            lambda progress: journal.load_pack_file(path, progress=progress.report),
            finished,
            failed=failed,
            cancelled=cancelled,
        )

    def start_restore(
        self,
        backup: BackupInfo,
        *,
        done: Callable[[BackupInfo], Any],
        failed: Callable[[JournalError], Any],
        cancelled: Callable[[], Any] | None = None,
    ) -> Ticket[BackupInfo]:
        """Bring the journal back to ``backup`` in the background; ``done`` gets the backup made
        of it just before. Not cancellable: once begun it runs to its end, even when the window
        closes (stopped half-way, the journal would be neither the old one nor the backup).
        ``cancelled`` hears of a restore that never began (the window closed first)."""
        backups = self.journal.backups

        def work(progress: Progress) -> BackupInfo:
            def report(step: int, total: int, text: str) -> None:
                with contextlib.suppress(CancelledError):  # shown if it can be; never a stop
                    progress.report(step, total, text)

            with unstoppable():
                return backups.restore(backup, progress=report)

        def finished(before: BackupInfo) -> None:
            # The undo history describes a journal that no longer exists.
            self.undo_stack.clear()
            self._everything_changed()
            done(before)

        return self.ops.job(work, finished, failed=failed, cancelled=cancelled)

    def _check_no_job(self) -> None:
        """Changes wait for a long job (an import) to end: it holds the journal's write lock."""
        if self.ops.job_running():
            raise JournalBusyError(
                "The journal is busy with an import, export or backup; try again when it has finished. "
                "Nothing was changed."
            )

    def restore_backup(self, backup: BackupInfo) -> BackupInfo:
        """Bring the journal back to ``backup``; return the backup made of it just before.

        The undo history is cleared: its steps describe a journal that no longer exists.
        """
        self._check_no_job()
        before = self.journal.backups.restore(backup)
        self.undo_stack.clear()
        self._everything_changed()
        return before

    # --- plumbing --------------------------------------------------------------------------

    def _everything_changed(self) -> None:
        self.canonChanged.emit()
        self.castChanged.emit()
        self._emit(EVERYTHING)

    def _emit(self, changes: TheoryChanges) -> None:
        if not changes:
            return
        self.changed.emit(changes)
        self.theoriesChanged.emit(() if changes.everything else tuple(sorted(changes.ids)))

    def _news_changed(self, _fact: Fact | None = None) -> None:
        self.canonChanged.emit()
        self.castChanged.emit()  # return statuses may have changed

    def _cast_changed(self, _entry: DreamCast | None = None) -> None:
        self.castChanged.emit()

    def _dream_put_back(self, cell: list[DreamCast], entry: DreamCast) -> None:
        back = self.cast.put_back_dream_cast(entry)
        cell[0] = back
        self.castChanged.emit()

    def _undoable(
        self,
        ids: Sequence[int],
        change: Callable[[], list[Theory]],
        text: Callable[[list[Theory]], str],
        *,
        canon: bool = False,
    ) -> list[Theory]:
        """Run ``change`` on the theories of ``ids`` and push one step that puts them back.

        Undo and redo return every theory to exactly how it stood before or after, so the
        step does not depend on how the change was made. A change that changed nothing but
        the time of the last change is not pushed. ``canon``: the Status tab counts citing
        theories, which may have changed.
        """
        ids = list(dict.fromkeys(ids))
        before = self.theories.snapshot(ids)
        theories = change()
        after = self.theories.snapshot(ids)
        if _substance(after) != _substance(before):
            self._push(
                text(theories),
                lambda: self._put_back(after, before, canon),
                lambda: self._put_back(before, after, canon),
            )
        self._emit(TheoryChanges.between([s.theory for s in before], [s.theory for s in after]))
        if canon:
            self.canonChanged.emit()
        return theories

    def _put_back(
        self, snapshots: Sequence[TheorySnapshot], current: Sequence[TheorySnapshot], canon: bool
    ) -> None:
        """Put the theories back as ``snapshots`` hold them; ``current`` is how they stand now."""
        self._emit(TheoryChanges.between([s.theory for s in current], self.theories.put_back(snapshots)))
        if canon:
            self.canonChanged.emit()

    def _push(self, text: str, do: Callable[[], Any], undo: Callable[[], Any]) -> None:
        self.undo_stack.push(_Command(self, text, do, undo))

    def _guard(self, action: Callable[[], Any], what: str) -> None:
        try:
            self._check_no_job()
            action()
        except JournalError as exc:
            self.failed.emit(f"{what}: {exc.message}")

"""The GUI's one door to the journal: every change goes through here.

Widgets never write to the database themselves. They call a method here, which runs the
service (one transaction), pushes an undoable command where the change can be taken back,
and emits a signal naming what changed, so every view refreshes what it shows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from etoile_app.domain import rules
from etoile_app.domain.club import Identity
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
from etoile_app.ui.common.changes import EVERYTHING, NOTHING, TheoryChanges
from etoile_app.ui.common.ops import Operations, Progress, Ticket

if TYPE_CHECKING:
    from etoile_app.domain.transfer import ExportReport, ImportReport
    from etoile_app.services.backups import BackupInfo
    from etoile_app.services.cast import CastService
    from etoile_app.services.journal import Journal
    from etoile_app.services.theories import TheoryService


T = TypeVar("T")

#: Why nothing can change while a long job runs (it holds the journal's write lock).
BUSY = "The journal is busy with an import, export or backup, so nothing was changed."

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


def _resolved_text(after: Sequence[Theory]) -> str:
    """ "Resolve “…” as busted"; a multiple-choice theory says what happened."""
    happened = after[0].option_happened if len(after) == 1 else None
    outcome = f"“{_quote(happened)}”" if happened else after[0].status.value
    return f"Resolve {_theories_named(after)} as {outcome}"


def _dream_named(entry: DreamCast) -> str:
    return f"“{_quote(f'{entry.actor} as {entry.role_idea}')}”"


@dataclass(frozen=True)
class _Step:
    """How to take a change back and make it again: work for the writer thread each."""

    text: str
    redo: Callable[[], _Done[Any]]
    undo: Callable[[], _Done[Any]]


@dataclass(frozen=True)
class _Done(Generic[T]):
    """What a change made on the writer thread hands back to the GUI thread: its value, what
    it changed for the views to update, and the undo step it makes (None: nothing to undo)."""

    value: T
    changes: TheoryChanges = NOTHING
    canon_changed: bool = False
    cast_changed: bool = False
    step: _Step | None = None


def _news(_fact: Fact) -> _Done[None]:
    return _Done(None, canon_changed=True, cast_changed=True)  # news changes return statuses too


def _dream_put_back(cast: CastService, cell: list[DreamCast], entry: DreamCast) -> _Done[None]:
    cell[0] = cast.put_back_dream_cast(entry)
    return _Done(None, cast_changed=True)


@dataclass(frozen=True)
class Forecasted:
    """What :meth:`Store.forecast` made: the theory after it, and the forecasts it added."""

    theory: Theory
    added: tuple[int, ...]


@dataclass(frozen=True)
class _Forecast:
    """One forecast as given: the theory just before it (to take it back) and what it made."""

    before: Theory
    value: Forecasted

    @classmethod
    def give(
        cls,
        theories: TheoryService,
        theory_id: int,
        confidence: int | None,
        options: Mapping[str, int] | None,
        note: str,
    ) -> _Forecast:
        was = theories.get(theory_id)
        theory, added = theories.forecast_added(theory_id, confidence, options=options, note=note)
        return cls(was, Forecasted(theory, added))

    def take_back(self, theories: TheoryService) -> Theory:
        """Withdraw the forecasts added. The author's forecast also set the theory's own
        confidence: that comes back too, by putting the theory back as it stands now less
        those forecasts and with its confidence as it was (others' changes since are kept)."""
        ids = self.value.added
        before, after = self.before, self.value.theory
        if (before.confidence, before.updated_at) == (after.confidence, after.updated_at):
            return theories.withdraw_forecasts(before.id, ids)
        (now,) = theories.snapshot([before.id])
        kept = [
            (point, i) for point, i in zip(now.theory.history, now.history_ids, strict=True) if i not in ids
        ]
        theory = replace(
            now.theory,
            confidence=before.confidence,
            updated_at=before.updated_at,
            history=tuple(point for point, _i in kept),
        )
        (back,) = theories.put_back([replace(now, theory=theory, history_ids=tuple(i for _p, i in kept))])
        return back


class _Command(QUndoCommand):
    """An undoable change whose first ``redo`` already happened when it was pushed; undo and
    redo run on the writer thread like any change, in the order they are asked for."""

    def __init__(self, store: Store, step: _Step) -> None:
        super().__init__(step.text)
        self._store, self._step, self._done = store, step, True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._store._replay(self._step.redo, f"redo “{self.text()}”")

    def undo(self) -> None:
        self._store._replay(self._step.undo, f"undo “{self.text()}”")


class Store(QObject):
    #: Theories changed: what changed, precisely (see :mod:`etoile_app.ui.common.changes`).
    changed = Signal(object)
    #: Theories changed; the ids, or an empty tuple when many did (for views that reread).
    theoriesChanged = Signal(tuple)
    #: Canon facts changed (user news, a new pack).
    canonChanged = Signal()
    #: Dream casting changed.
    castChanged = Signal()
    #: A refusal nobody else showed (as :attr:`Operations.failed`): an error or a message.
    failed = Signal(object)
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

    # Every change runs on the writer thread (see :meth:`_write`) and returns a ticket at once;
    # ``done`` runs on the GUI thread with what it returns once it is made, the undo step pushed
    # and the views told; a refusal goes to ``failed``, else to the window's message.

    def create_theory(self, draft: TheoryDraft, **handlers: Any) -> Ticket[Theory]:
        theories = self.theories

        def work() -> _Done[Theory]:
            theory = theories.create(draft)
            return _Done(
                theory,
                TheoryChanges.between([None], [theory]),
                step=_Step(
                    f"New theory “{_quote(theory.title)}”",
                    redo=lambda: _Done(None, _back([theories.restore(theory.id)])),
                    undo=lambda: _Done(None, _gone([theories.delete(theory.id)])),
                ),
            )

        return self._write(work, **handlers)

    def edit_theory(
        self, theory_id: int, draft: TheoryDraft, confidence_note: str = "", **handlers: Any
    ) -> Ticket[Theory]:
        return self._undoable(
            [theory_id],
            lambda: [self.theories.edit(theory_id, draft, confidence_note=confidence_note)],
            lambda after: f"Edit {_theories_named(after)}",
            canon=draft.evidence is not None,  # the Status tab counts citing theories
            one=True,
            **handlers,
        )

    def delete_theory(self, theory_id: int, **handlers: Any) -> Ticket[Theory]:
        theories = self.theories

        def work() -> _Done[Theory]:
            theory = theories.delete(theory_id)
            return _Done(
                theory,
                _gone([theory]),
                step=_Step(
                    f"Delete “{_quote(theory.title)}”",
                    redo=lambda: _Done(None, _gone([theories.delete(theory_id)])),
                    undo=lambda: _Done(None, _back([theories.restore(theory_id)])),
                ),
            )

        return self._write(work, **handlers)

    def resolve(
        self,
        theory_id: int,
        status: Any,
        note: str = "",
        on: date | None = None,
        *,
        option: str | None = None,
        **handlers: Any,
    ) -> Ticket[Theory]:
        """Resolve one theory (a multiple-choice one with the ``option`` that happened); the
        theories that depend on it and are voided with it come back with it on undo."""
        theories = self.theories
        return self._undoable(
            lambda: [theory_id, *theories.dependants([theory_id])],
            lambda: [theories.resolve(theory_id, status, note, on, option=option)],
            _resolved_text,
            one=True,
            **handlers,
        )

    def adopt_starters(self, keys: Sequence[str], confidence: int, **handlers: Any) -> Ticket[list[Theory]]:
        """Adopt starter theories; undo deletes the ones this adopted (not those adopted before)."""
        theories = self.theories

        def work() -> _Done[list[Theory]]:
            had = {s.key for s in theories.starters() if s.adopted}
            adopted = theories.adopt_starters(keys, confidence)
            new = [t for t in adopted if t.starter_key not in had]
            new_ids = [t.id for t in new]
            step = None
            if new_ids:
                count = len(new_ids)
                step = _Step(
                    f"Adopt {count} starter theor{'y' if count == 1 else 'ies'}",
                    redo=lambda: _Done(None, _back(theories.restore_many(new_ids))),
                    undo=lambda: _Done(None, _gone(theories.delete_many(new_ids))),
                )
            return _Done(adopted, TheoryChanges.between([None] * len(new), new), step=step)

        return self._write(work, **handlers)

    # --- forecasts and the club -------------------------------------------------------------

    def forecast(
        self,
        theory_id: int,
        confidence: int | None = None,
        *,
        options: Mapping[str, int] | None = None,
        note: str = "",
        **handlers: Any,
    ) -> Ticket[Forecasted]:
        """Add my forecast to a theory, anyone's (see :meth:`TheoryService.forecast`); the value
        is the theory and the ids of the forecasts added (none when nothing differed from my
        last one: then there is no undo step). Undo takes those forecasts back; redo gives them
        again."""
        theories = self.theories
        # One cell shared by undo and redo (both run on the writer thread, in turn): what the
        # latest forecast added, and the theory as it stood just before it.
        cell: list[_Forecast] = []

        def touched(changes: TheoryChanges) -> TheoryChanges:
            # Another's theory reads the same after my forecast, but its row (mine, the club's
            # median and count) does not.
            return replace(changes, updated=changes.updated | {theory_id})

        def give() -> _Done[Forecasted]:
            made = _Forecast.give(theories, theory_id, confidence, options, note)
            cell[:] = [made]
            return _Done(made.value, touched(TheoryChanges.between([made.before], [made.value.theory])))

        def take_back() -> _Done[None]:
            after = cell[0].take_back(theories)
            return _Done(None, touched(TheoryChanges.between([cell[0].value.theory], [after])))

        def work() -> _Done[Forecasted]:
            done = give()
            made = cell[0]
            if not made.value.added:
                return done
            step = _Step(f"Forecast on “{_quote(made.before.title)}”", redo=give, undo=take_back)
            return replace(done, step=step)

        return self._write(work, **handlers)

    def join_club(self, name: str, **handlers: Any) -> Ticket[Identity]:
        """Become a member of the club under ``name`` (or rename oneself): the value is who the
        journal now acts as. Not a step to undo: a member cannot leave the club."""
        journal = self.journal
        # The member's name shows beside their theories and forecasts: the views read again.
        return self._write(lambda: _Done(journal.join_club(name), EVERYTHING), **handlers)

    # --- one theory or several: each call is one undo step ----------------------------------

    def resolve_many(
        self, ids: Sequence[int], status: Any, note: str = "", on: date | None = None, **handlers: Any
    ) -> Ticket[list[Theory]]:
        """Resolve the theories of ``ids`` with one note; undo puts each back as it was, and
        the theories voided with them for depending on them."""
        theories = self.theories
        return self._undoable(
            lambda: [*ids, *theories.dependants(ids)],
            lambda: theories.resolve_many(ids, status, note, on),
            _resolved_text,
            **handlers,
        )

    def reopen_many(self, ids: Sequence[int], **handlers: Any) -> Ticket[list[Theory]]:
        """Reopen resolved theories; undo brings back each outcome, note and date exactly."""
        return self._undoable(
            ids,
            lambda: self.theories.reopen_many(ids),
            lambda after: f"Reopen {_theories_named(after)}",
            **handlers,
        )

    def delete_many(self, ids: Sequence[int], **handlers: Any) -> Ticket[list[Theory]]:
        return self._undoable(
            ids,
            lambda: self.theories.delete_many(ids),
            lambda after: f"Delete {_theories_named(after)}",
            **handlers,
        )

    def add_tag_many(self, ids: Sequence[int], tag: str, **handlers: Any) -> Ticket[list[Theory]]:
        """Tag the theories of ``ids``; undo removes the tag only from those that lacked it."""
        return self._undoable(
            ids,
            lambda: self.theories.add_tag_many(ids, tag),
            lambda after: f"Tag {_theories_named(after)} “{_quote(rules.normalise_tag(tag))}”",
            **handlers,
        )

    def rate_many(
        self,
        ratings: Sequence[tuple[int, int, int | None]],
        expected_versions: dict[int, int] | None = None,
        **handlers: Any,
    ) -> Ticket[list[Theory]]:
        """Set the confidence and juiciness of several theories, ``(id, confidence, juiciness)``
        each, in one step; undo puts each back as it was, its confidence history included.
        ``expected_versions``, by theory id, are the versions the ratings were made from: if
        someone else changed one of those theories since, nothing is written and
        :class:`~etoile_app.domain.errors.StaleEditError` refuses it."""
        ratings = list(ratings)
        expected = dict(expected_versions) if expected_versions is not None else None
        return self._undoable(
            [theory_id for theory_id, _confidence, _juiciness in ratings],
            lambda: self.theories.rate_many(ratings, expected_versions=expected),
            lambda after: f"Rate {_theories_named(after)}",
            **handlers,
        )

    # --- canon and cast --------------------------------------------------------------------

    def add_news(self, draft: NewsDraft, **handlers: Any) -> Ticket[Fact]:
        canon = self.canon

        def work() -> _Done[Fact]:
            fact = canon.add_news(draft)
            # Undoing news retracts it (it keeps its id, so theories citing it keep their link).
            return _Done(
                fact,
                canon_changed=True,
                cast_changed=True,  # news changes return statuses too
                step=_Step(
                    f"Add news “{_quoted(fact)}”",
                    redo=lambda: _news(canon.restore_news(fact.id)),
                    undo=lambda: _news(canon.retract_news(fact.id)),
                ),
            )

        return self._write(work, **handlers)

    def edit_news(self, fact_id: int, draft: NewsDraft, **handlers: Any) -> Ticket[Fact]:
        canon = self.canon

        def work() -> _Done[Fact]:
            before = canon.fact(fact_id).as_news_draft()  # what undoing the edit goes back to
            fact = canon.edit_news(fact_id, draft)
            return _Done(
                fact,
                canon_changed=True,
                cast_changed=True,  # news changes return statuses too
                step=_Step(
                    f"Edit news “{_quoted(fact)}”",
                    redo=lambda: _news(canon.edit_news(fact_id, draft)),
                    undo=lambda: _news(canon.edit_news(fact_id, before)),
                ),
            )

        return self._write(work, **handlers)

    def retract_news(self, fact_id: int, **handlers: Any) -> Ticket[Fact]:
        canon = self.canon

        def work() -> _Done[Fact]:
            fact = canon.retract_news(fact_id)
            return _Done(
                fact,
                canon_changed=True,
                cast_changed=True,  # news changes return statuses too
                step=_Step(
                    f"Retract news “{_quoted(fact)}”",
                    redo=lambda: _news(canon.retract_news(fact_id)),
                    undo=lambda: _news(canon.restore_news(fact_id)),
                ),
            )

        return self._write(work, **handlers)

    def add_dream_cast(self, draft: DreamCastDraft, **handlers: Any) -> Ticket[DreamCast]:
        cast = self.cast

        def work() -> _Done[DreamCast]:
            entry = cast.add_dream_cast(draft)
            # One cell shared by undo and redo (both run on the writer thread, in turn): the
            # entry keeps its id unless another took it.
            cell = [entry]
            return _Done(
                entry,
                cast_changed=True,
                step=_Step(
                    f"Add dream casting {_dream_named(entry)}",
                    redo=lambda: _dream_put_back(cast, cell, cell[0]),
                    undo=lambda: _Done(cast.delete_dream_cast(cell[0].id), cast_changed=True),
                ),
            )

        return self._write(work, **handlers)

    def edit_dream_cast(self, entry_id: int, draft: DreamCastDraft, **handlers: Any) -> Ticket[DreamCast]:
        cast = self.cast

        def work() -> _Done[DreamCast]:
            before = next((e for e in cast.dream_casting() if e.id == entry_id), None)
            entry = cast.edit_dream_cast(entry_id, draft)
            step = None
            if before is not None:
                cell = [entry]
                step = _Step(
                    f"Edit dream casting {_dream_named(entry)}",
                    redo=lambda: _dream_put_back(cast, cell, entry),
                    undo=lambda: _dream_put_back(cast, cell, before),
                )
            return _Done(entry, cast_changed=True, step=step)

        return self._write(work, **handlers)

    def delete_dream_cast(self, entry_id: int, **handlers: Any) -> Ticket[DreamCast]:
        cast = self.cast

        def work() -> _Done[DreamCast]:
            entry = cast.delete_dream_cast(entry_id)
            cell = [entry]
            return _Done(
                entry,
                cast_changed=True,
                step=_Step(
                    f"Delete dream casting {_dream_named(entry)}",
                    redo=lambda: _Done(cast.delete_dream_cast(cell[0].id), cast_changed=True),
                    undo=lambda: _dream_put_back(cast, cell, cell[0]),
                ),
            )

        return self._write(work, **handlers)

    # --- undo and redo ---------------------------------------------------------------------

    def undo(self) -> None:
        """Undo the last step, once the changes under way have pushed theirs."""
        self._step(self.undo_stack.undo, "undo")

    def redo(self) -> None:
        self._step(self.undo_stack.redo, "redo")

    def _step(self, move: Callable[[], None], word: str) -> None:
        if self.ops.job_running():
            # Refused before the history moves: it still matches the journal afterwards.
            self.failed.emit(f"{BUSY} {word.capitalize()} when it has finished.")
            return
        self.ops.when_written(move)

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
        return self._bring_in(
            lambda progress: journal.import_file(path, progress=progress.report),
            done=done,
            failed=failed,
            cancelled=cancelled,
        )

    def start_push(
        self,
        path: Path,
        *,
        done: Callable[[ImportReport], Any],
        failed: Callable[[JournalError], Any],
        cancelled: Callable[[], Any],
    ) -> Ticket[ImportReport]:
        """Push the journal of one at ``path`` into this club as my own, in the background
        (see ``club_transfer.push``); cancelled, it writes nothing."""
        from etoile_app.services import club_transfer

        journal = self.journal
        return self._bring_in(
            lambda progress: club_transfer.push(path, journal, progress=progress.report),
            done=done,
            failed=failed,
            cancelled=cancelled,
        )

    def _bring_in(
        self,
        work: Callable[[Any], ImportReport],
        *,
        done: Callable[[ImportReport], Any],
        failed: Callable[[JournalError], Any],
        cancelled: Callable[[], Any],
    ) -> Ticket[ImportReport]:
        """Run an import-like job in the background; every view reads again if it changed anything."""

        def finished(report: ImportReport) -> None:
            if report.changed:
                self._everything_changed()
            done(report)

        return self.ops.job(work, finished, failed=failed, cancelled=cancelled)

    def start_take_home(
        self,
        path: Path,
        *,
        done: Callable[[ImportReport], Any],
        failed: Callable[[JournalError], Any],
        cancelled: Callable[[], Any],
    ) -> Ticket[ImportReport]:
        """Write my part of this club to the new journal of one at ``path``, in the background;
        the club is only read."""
        from etoile_app import paths
        from etoile_app.services import club_transfer

        journal = self.journal
        return self.ops.job(
            lambda progress: club_transfer.take_home(
                journal, path, pack=paths.canon_pack_path(), progress=progress.report
            ),
            done,
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

    def _tell(self, done: _Done[Any]) -> None:
        """Tell the views what a change (or its undo or redo) changed."""
        self._emit(done.changes)
        if done.canon_changed:
            self.canonChanged.emit()
        if done.cast_changed:
            self.castChanged.emit()

    def _write(
        self,
        work: Callable[[], _Done[T]],
        *,
        done: Callable[[T], Any] | None = None,
        failed: Callable[[JournalError], Any] | None = None,
    ) -> Ticket[T]:
        """Run the change ``work`` on the writer thread; back on the GUI thread push its undo
        step, tell the views, then ``done`` with its value (also left on the ticket)."""
        if self.ops.job_running():
            # A long job holds the journal's write lock; the change would wait behind it unseen.
            return self.ops.refuse(JournalBusyError(f"{BUSY} Try again when it has finished."), failed)

        def finished(outcome: _Done[T]) -> None:
            ticket.result = outcome.value
            if outcome.step is not None:
                self.undo_stack.push(_Command(self, outcome.step))
            self._tell(outcome)
            if done is not None:
                done(outcome.value)

        ticket = self.ops.write(work, finished, failed=failed)
        return ticket

    def _replay(self, work: Callable[[], _Done[Any]], what: str) -> None:
        """Undo or redo a step: ``work`` on the writer thread, after every change before it."""
        self.ops.write(
            work, self._tell, failed=lambda exc: self.failed.emit(f"Could not {what}: {exc.message}")
        )

    def _undoable(
        self,
        ids: Sequence[int] | Callable[[], Sequence[int]],
        change: Callable[[], list[Theory]],
        text: Callable[[list[Theory]], str],
        *,
        canon: bool = False,
        one: bool = False,
        **handlers: Any,
    ) -> Ticket[Any]:
        """Run ``change`` on the theories of ``ids`` with one step that puts them back.

        Undo and redo return every theory to exactly how it stood before or after, so the
        step does not depend on how the change was made. A change that changed nothing but
        the time of the last change is not a step. ``canon``: the Status tab counts citing
        theories, which may have changed. ``one``: the value is the one theory, not a list.
        ``ids`` may be work for the writer thread too (the theories a change reaches beyond
        those named: the ones that depend on them), run just before the change.
        """
        theories = self.theories

        def put_back(snapshots: Sequence[TheorySnapshot], current: Sequence[TheorySnapshot]) -> _Done[None]:
            back = theories.put_back(snapshots)
            return _Done(None, TheoryChanges.between([s.theory for s in current], back), canon_changed=canon)

        def work() -> _Done[Any]:
            reached = list(dict.fromkeys(ids() if callable(ids) else ids))
            before = theories.snapshot(reached)
            changed = change()
            after = theories.snapshot(reached)
            step = None
            if _substance(after) != _substance(before):
                named = text(changed)
                also = sum(
                    1
                    for b, a in zip(before, after, strict=True)
                    if b.id not in {t.id for t in changed} and b.theory.status != a.theory.status
                )
                if also:
                    named += f", voiding {also} that depend{'s' if also == 1 else ''} on it"
                step = _Step(
                    named, redo=lambda: put_back(after, before), undo=lambda: put_back(before, after)
                )
            changes = TheoryChanges.between([s.theory for s in before], [s.theory for s in after])
            # The Status tab counts the theories citing each fact: only a change of evidence counts.
            cited = canon and [s.theory.evidence for s in before] != [s.theory.evidence for s in after]
            return _Done(changed[0] if one else changed, changes, canon_changed=cited, step=step)

        return self._write(work, **handlers)

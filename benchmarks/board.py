"""The window on a big journal: how late its event loop runs, and how long each action takes
until what it changes is on screen.

Runs the real window (``MainWindow`` with a ``Store`` on a copy of the journal) offscreen,
with a heartbeat on the GUI thread (:mod:`benchmarks.heartbeat`) recording how late the event
loop runs a 5 ms timer during each scenario, in this order:

- **idle**: a second with the window open and nothing to do (the heartbeat's own floor);
- **typing**: five words typed into the search field a letter at a time (``QTest.keyClick``),
  the field cleared between words;
- **filters**: a status box ticked and unticked (``click()``), two boxes, many times;
- **sorting**: clicks on column headers (``sortByColumn``), ending on the default order;
- **scrolling**: the scroll bar moved 200 rows at a time from top to bottom, then 23 jumps
  (to the end, back, and to random places), then back to the top;
- **saving**: theories on the first page edited (``Store.edit_theory`` with the theory's own
  draft, evidence included, as the editor saves it) and new ones written
  (``Store.create_theory``, then ``BoardTab.select_theory`` as the editor's ``saved`` does);
- **bulk resolve**: 100 open theories resolved at once (``Store.resolve_many``);
- **backing up**: File → Back up now (``ui.files.transfer.backup_now``);
- **importing**: File → Import of a JSON export of 10,000 other theories
  (``ui.files.transfer.import_from``, the window's own path);
- **restoring**: File → Restore from backup… (``ui.files.transfer.open_restore``), the backup
  made above chosen in the dialog and its button clicked.

The board reads off the GUI thread, so an action is timed until its result is on screen: the
board's signal for it (``queryApplied`` for the query asked for, ``rowsUpdated`` after a
change, the pages of the rows in view arriving) and then the end of the table's next paint.
Between actions the harness waits until no database work is pending (``store.ops.pending()
== 0``). It always waits by running the event loop (``processEvents(WaitForMoreEvents)``),
never by sleeping.

Floors, in the same run: each search prefix's and filter's first page (``PAGE_SIZE`` rows, in
the board's order) read by a raw ``sqlite3`` query on its own connection, while the window is
idle and the heartbeat is not recording.

    .venv/bin/python -m benchmarks.board [SIZE] [--quick] [--profile SCENARIO] [--freezes]

``--profile`` runs pyinstrument on the GUI thread during one scenario and prints where the
time went; ``--freezes`` prints the GUI thread's Python stacks sampled while the heartbeat was
more than 16 ms overdue, by scenario (:class:`benchmarks.heartbeat.FreezeSampler`).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.heartbeat import FreezeSampler, Heartbeat, Lateness
from benchmarks.timing import SCREEN, OtherLoad, Stats

#: Words a fan would search for, typed one character at a time.
WORDS = ("mishi", "genev", "gala", "swap", "london")
#: The scenarios, in the order they run, with how the results table names them.
SCENARIOS = {
    "idle": "the window idle",
    "typing": "typing a search",
    "filters": "ticking status filters",
    "sorting": "sorting by a column",
    "scrolling": "scrolling the whole board",
    "saving": "saving theories",
    "bulk resolve": "resolving 100 theories at once",
    "backing up": "backing up",
    "importing": "importing 10,000 theories",
    "restoring": "restoring a backup",
}
#: How long the heartbeat runs with the window idle (its floor).
IDLE_SECONDS = 1.0
#: How long any one wait may take before the run is declared stuck.
STUCK_SECONDS = 600

#: The columns of a board row (``theory_queries.ROW_COLUMNS``), for the floor's query.
ROW_SQL = (
    "SELECT id, title, category, characters_text, tags_text, confidence, juiciness, status, "
    "resolve_by, created_at, updated_at FROM theories WHERE deleted_at IS NULL"
)


@dataclass(frozen=True)
class BoardFigures:
    size: int
    keystroke: Stats  # search keystroke → its first page painted (seconds)
    keystroke_floor: Stats  # raw first-page query for the same prefixes
    fts_only: Stats  # FTS5 alone, the first PAGE_SIZE matches in no order (for the record)
    filter_toggle: Stats  # tick or untick a status box → first page painted
    filter_floor: Stats  # raw first-page query for the same filters
    sort_click: Stats  # click a column header → first page painted
    scroll: Stats  # a step of 200 rows → the rows in view painted
    jump: Stats  # a far jump → the rows in view painted
    save: Stats  # store call → board rows and counts updated, painted, nothing pending
    save_call: Stats  # the store call alone (the GUI thread busy)
    bulk_resolve: Stats  # resolve_many of 100 → board updated, nothing pending
    backup: Stats  # Back up now → "Backup saved" in the status bar, nothing pending
    imported: Stats  # import → the board shows the imported journal, nothing pending
    import_size: int
    restore: Stats  # restore → the board shows the restored journal, nothing pending
    lateness: dict[str, Lateness]  # by scenario
    rss_open: int  # bytes, with the board open on the journal
    rss_after: int  # after typing, filtering, sorting and scrolling it all
    rss_end: int  # after the writes (the journal then holds the import too)
    open_seconds: float  # Journal.open + window attach + first page, for the record
    paint: Stats  # one paint of the board's table (the event loop busy), for the record
    other_cores: float  # cores kept busy by other processes meanwhile (noise)
    page_size: int


def first_page_query(
    conn: sqlite3.Connection, limit: int, *, text: str = "", statuses: tuple[str, ...] = ()
) -> float:
    """Seconds for the first page of the board's default order (newest first) for a search
    and status filter, by hand-written SQL: the floor."""
    from etoile_app.storage.fulltext import match_expression

    sql, args = ROW_SQL, []
    if statuses:
        sql += f" AND status IN ({', '.join('?' * len(statuses))})"
        args += statuses
    if text.strip():
        sql += " AND id IN (SELECT rowid FROM theory_fts WHERE theory_fts MATCH ?)"
        args.append(match_expression(text))
    sql += " ORDER BY updated_at DESC, id DESC LIMIT ?"
    args.append(limit)
    started = time.perf_counter()
    conn.execute(sql, args).fetchall()
    return time.perf_counter() - started


def fts_only_query(conn: sqlite3.Connection, limit: int, prefix: str) -> float:
    from etoile_app.storage.fulltext import match_expression

    started = time.perf_counter()
    conn.execute(
        "SELECT rowid FROM theory_fts WHERE theory_fts MATCH ? LIMIT ?", (match_expression(prefix), limit)
    ).fetchall()
    return time.perf_counter() - started


def export_for_import(journal: Path, folder: Path) -> tuple[Path, int]:
    """The app's own JSON export of ``journal`` (written into ``folder``), and its theories."""
    from etoile_app.services.transfer import TransferService
    from etoile_app.storage.database import open_database

    source = folder / "import-source.sqlite3"
    shutil.copyfile(journal, source)
    db = open_database(source, backups=False)
    try:
        exported = folder / "import.json"
        exported.write_bytes(TransferService(db.sessions).export_json())
    finally:
        db.dispose()
    size = sqlite3.connect(f"file:{source}?mode=ro", uri=True).execute("SELECT count(*) FROM theories")
    return exported, size.fetchone()[0]


def _watcher_class():
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Watcher(QObject):
        """Time-stamps what the window does: paints of the board's table (their end), queries
        applied, rows updated, pages in view arriving, the end of pending work, status messages."""

        def __init__(self, window, store) -> None:
            super().__init__(window)
            self.tab = window.board_tab
            self.model, self.table, self.ops = self.tab.model, self.tab.table, store.ops
            self.paints: list[tuple[float, float]] = []
            self.applied: list[tuple[float, Any]] = []
            self.updated: list[float] = []
            self.messages: list[tuple[float, str]] = []
            self.in_view_data = 0.0
            self.idle_at = 0.0
            #: How long each paint of the table took (from its paint event to the next turn of
            #: the event loop), over the whole run.
            self.paint_seconds: list[float] = []
            self.paint_events = 0
            self.model.queryApplied.connect(self._applied)
            self.model.rowsUpdated.connect(lambda: self.updated.append(time.perf_counter()))
            self.model.dataChanged.connect(self._data_changed)
            self.ops.pendingChanged.connect(self._pending)
            window.statusBar().messageChanged.connect(
                lambda text: self.messages.append((time.perf_counter(), text))
            )
            self.table.viewport().installEventFilter(self)

        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.paint_events += 1
                started = time.perf_counter()
                QTimer.singleShot(0, lambda: self._painted(started))  # runs once this paint is over
            return False

        def _painted(self, started: float) -> None:
            done = time.perf_counter()
            self.paints.append((started, done))
            self.paint_seconds.append(done - started)

        def _applied(self) -> None:
            self.applied.append((time.perf_counter(), self.model.query()))

        def _pending(self, count: int) -> None:
            if count == 0:
                self.idle_at = time.perf_counter()

        def in_view(self) -> tuple[int, int]:
            first = max(0, self.table.rowAt(0))
            last = self.table.rowAt(self.table.viewport().height() - 1)
            return first, last if last >= 0 else self.model.rowCount() - 1

        def _data_changed(self, top_left, bottom_right, *_roles) -> None:
            first, last = self.in_view()
            if top_left.row() <= last and bottom_right.row() >= first:
                self.in_view_data = time.perf_counter()

        def forget(self) -> None:
            self.paints.clear()
            self.applied.clear()
            self.updated.clear()
            self.messages.clear()

        def paint_after(self, moment: float) -> float | None:
            """When the first paint that started after ``moment`` ended."""
            return next((done for started, done in self.paints if started >= moment), None)

        def applied_after(self, moment: float, text: str | None = None) -> float | None:
            return next(
                (at for at, q in self.applied if at >= moment and (text is None or q.text == text)), None
            )

        def changed_after(self, moment: float) -> float | None:
            """When the board took in a change made at ``moment``: its rows updated in place, or
            read again (a query applied)."""
            found = [at for at in self.updated if at >= moment]
            found += [at for at, _ in self.applied if at >= moment]
            return min(found, default=None)

        def message_after(self, moment: float, prefix: str) -> float | None:
            return next((at for at, text in self.messages if at >= moment and text.startswith(prefix)), None)

    return Watcher


@dataclass
class Run:
    """The window under measurement and the means to wait on it."""

    app: Any
    window: Any
    store: Any
    watch: Any
    beat: Heartbeat

    @property
    def tab(self):
        return self.window.board_tab

    def wait(self, ready: Callable[[], object], what: str, timeout: float = STUCK_SECONDS) -> None:
        """Run the event loop until ``ready()`` is true.

        Through a ``QEventLoop``'s ``processEvents``, which returns a bool: PySide6 6.12's
        ``QCoreApplication.processEvents`` (like every method returning void) gives back
        ``None`` one reference short, and thousands of calls would bring Python down.
        """
        from PySide6.QtCore import QEventLoop

        loop = QEventLoop()
        deadline = time.perf_counter() + timeout
        while not ready():
            if time.perf_counter() > deadline:
                raise RuntimeError(f"gave up after {timeout:.0f} s waiting for {what}")
            loop.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    def idle(self) -> None:
        """Wait until no database work is pending and the repaints it caused are over: two
        turns of the event loop go by without a paint of the table (a count that came last
        adds rows and repaints a moment later; the next action should not pay for that)."""
        from PySide6.QtCore import QTimer

        quiet = 0
        for _ in range(50):
            self.wait(lambda: self.store.ops.pending() == 0, "the database work to end")
            paints = self.watch.paint_events
            turned: list[bool] = []
            QTimer.singleShot(0, lambda turned=turned: turned.append(True))
            self.wait(lambda turned=turned: turned, "a turn of the event loop")
            quiet = quiet + 1 if self.watch.paint_events == paints and not self.store.ops.pending() else 0
            if quiet == 2:
                return

    def shown(self, started: float, text: str | None = None) -> float:
        """Seconds from ``started`` to the end of the first paint after the query asked for then
        was applied (``text``: the query with that search text)."""
        w = self.watch

        def painted() -> float | None:
            at = w.applied_after(started, text)
            return None if at is None else w.paint_after(at)

        self.wait(painted, f"the first page of {text!r}" if text is not None else "the first page")
        return painted() - started  # type: ignore[operator]

    def in_view_painted(self, started: float) -> float:
        """Seconds from ``started`` until the rows in view are loaded and painted."""
        from etoile_app.ui.common.roles import ID_ROLE

        w, model = self.watch, self.tab.model

        def painted() -> float | None:
            first, last = w.in_view()
            for row in {first, last}:
                if model.data(model.index(row, 0), ID_ROLE) is None:  # asks for it, as a paint does
                    return None
            return w.paint_after(max(started, w.in_view_data))

        self.wait(painted, "the rows in view")
        return painted() - started  # type: ignore[operator]

    def settled(self, started: float) -> float:
        """Seconds from ``started`` (a change to the journal) until the board has taken it in
        and painted it, and no database work is pending."""
        w = self.watch

        def done() -> float | None:
            at = w.changed_after(started)
            if at is None or self.store.ops.pending():
                return None
            painted = w.paint_after(at)
            return None if painted is None else max(painted, w.idle_at)

        self.wait(done, "the board to show the change")
        return done() - started  # type: ignore[operator]

    def close_boxes(self) -> None:
        """Close the message boxes the window opened (an import says how it went)."""
        from PySide6.QtWidgets import QMessageBox

        for box in self.window.findChildren(QMessageBox):
            if box.isVisible():
                box.close()
        self.app.processEvents()

    @contextmanager
    def scenario(self, name: str, profile: str | None = None):
        self.watch.forget()
        profiler = None
        if profile == name:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.001)
            profiler.start()
        self.beat.start(name)
        try:
            yield
        finally:
            self.beat.stop()
            if profiler is not None:
                profiler.stop()
                print(profiler.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)

    @contextmanager
    def aside(self, name: str):
        """Harness work in the middle of a scenario (a floor's query): not recorded."""
        self.beat.stop()
        try:
            yield
        finally:
            self.beat.start(name)


def measure(
    journal: Path,
    repeats: int = 3,
    *,
    import_journal: Path | None = None,
    quick: bool = False,
    profile: str | None = None,
    freezes: bool = False,
) -> BoardFigures:
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREEN}"
    import psutil
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from etoile_app import paths
    from etoile_app.domain.enums import TheoryStatus
    from etoile_app.services.backups import MANUAL
    from etoile_app.services.journal import Journal
    from etoile_app.ui import main_window
    from etoile_app.ui.board import model as bm
    from etoile_app.ui.common.roles import ID_ROLE
    from etoile_app.ui.common.store import Store
    from etoile_app.ui.files import transfer

    app = QApplication.instance() or QApplication([])
    process = psutil.Process()
    others = OtherLoad()
    now = time.perf_counter
    with tempfile.TemporaryDirectory(prefix="etoile-board-") as tmp:
        base = Path(tmp)
        db = base / "journal.sqlite3"
        shutil.copyfile(journal, db)
        size = sqlite3.connect(db).execute("SELECT count(*) FROM theories").fetchone()[0]
        to_import, import_size = export_for_import(import_journal, base) if import_journal else (None, 0)

        settings = QSettings(str(base / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("window/tab", main_window.BOARD)  # opens on the board, as if left there
        frozen_before = gc.get_freeze_count()
        started = now()
        journal_ = Journal.open(db, pack=paths.canon_pack_path(), backups=False)
        window = main_window.MainWindow(settings)
        window.resize(1280, 800)
        window.show()
        store = Store(journal_, window)
        window.attach(store, db)
        run = Run(app, window, store, _watcher_class()(window, store), Heartbeat())
        sampler = FreezeSampler(run.beat) if freezes else None
        tab, model = window.board_tab, window.board_tab.model
        # Open: every tab built (the window then freezes the cycle collector), rows on screen.
        run.wait(
            lambda: gc.get_freeze_count() > frozen_before and model.rowCount() and store.ops.pending() == 0,
            "the window to open",
        )
        open_seconds = now() - started
        rss_open = process.memory_info().rss
        # The heartbeat's own floor: the window open on the board, nothing to do.
        run.idle()
        with run.scenario("idle", profile):
            until = now() + IDLE_SECONDS
            run.wait(lambda: now() >= until, "a second of idling")
        raw = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        page = bm.PAGE_SIZE

        # --- typing -------------------------------------------------------------------------
        keystroke, key_floor, fts_only = [], [], []
        with run.scenario("typing", profile):
            for _ in range(repeats if quick else repeats + 2):
                for word in WORDS:
                    if tab.search.text():
                        t0 = now()
                        tab.search.clear()
                        run.shown(t0, "")
                        run.idle()
                    for i, char in enumerate(word):
                        prefix = word[: i + 1]
                        t0 = now()
                        QTest.keyClick(tab.search, char)
                        keystroke.append(run.shown(t0, prefix))
                        run.idle()
                        with run.aside("typing"):
                            key_floor.append(first_page_query(raw, page, text=prefix))
                            fts_only.append(fts_only_query(raw, page, prefix))
            t0 = now()
            tab.search.clear()
            run.shown(t0, "")
            run.idle()

        # --- filters ------------------------------------------------------------------------
        toggles, filter_floor = [], []
        boxes = list(tab.filters.status_boxes.values())[:2]
        with run.scenario("filters", profile):
            for _ in range(repeats * (2 if quick else 4)):
                for box in boxes:
                    for _state in (True, False):
                        t0 = now()
                        box.click()
                        toggles.append(run.shown(t0))
                        run.idle()
                        with run.aside("filters"):
                            statuses = tuple(sorted(s.value for s in tab.filters.statuses()))
                            filter_floor.append(first_page_query(raw, page, statuses=statuses))

        # --- sorting ------------------------------------------------------------------------
        sorts = []
        asc, desc = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
        clicks = [
            (bm.COL_TITLE, asc),
            (bm.COL_CONFIDENCE, asc),
            (bm.COL_UPDATED, asc),
            (bm.COL_CHARACTERS, asc),
            (bm.COL_UPDATED, desc),  # the default order, for what follows
        ]
        with run.scenario("sorting", profile):
            for _ in range(max(1, repeats - 1)):
                for column, order in clicks:
                    t0 = now()
                    tab.table.sortByColumn(column, order)
                    sorts.append(run.shown(t0))
                    run.idle()

        # --- scrolling ----------------------------------------------------------------------
        bar = tab.table.verticalScrollBar()
        rows_per_step = 1000 if quick else 200
        steps, jumps = [], []
        with run.scenario("scrolling", profile):
            step = max(1, round(rows_per_step * (bar.maximum() + bar.pageStep()) / max(1, model.rowCount())))
            value = bar.value()
            while value < bar.maximum():
                value = min(bar.maximum(), value + step)
                t0 = now()
                bar.setValue(value)
                steps.append(run.in_view_painted(t0))
            run.idle()
            rng = random.Random(3)
            for target in [0, bar.maximum(), 0, *(rng.randrange(bar.maximum() + 1) for _ in range(20))]:
                if target == bar.value():
                    continue
                t0 = now()
                bar.setValue(target)
                jumps.append(run.in_view_painted(t0))
            run.idle()
            rss_after = process.memory_info().rss
            if bar.value():
                t0 = now()
                bar.setValue(0)
                run.in_view_painted(t0)
            run.idle()

        # --- saving -------------------------------------------------------------------------
        edits_n, creates_n = (4, 2) if quick else (4 * repeats, 2 * repeats)
        ids = [model.data(model.index(row, 0), ID_ROLE) for row in range(2, 2 + edits_n)]
        theories = [store.theories.get(i) for i in ids]
        edits = [
            (t.id, replace(t.as_draft(), title=f"{t.title[:150]} (revised {k})"))
            for k, t in enumerate(theories)
        ]
        creates = [
            replace(theories[k % len(theories)].as_draft(), title=f"A new theory to time, number {k}")
            for k in range(creates_n)
        ]
        saves, save_calls = [], []
        with run.scenario("saving", profile):
            for theory_id, draft in edits:
                t0 = now()
                store.edit_theory(theory_id, draft)
                save_calls.append(now() - t0)
                saves.append(run.settled(t0))
                run.idle()
            for draft in creates:
                t0 = now()
                # Selecting it once made is what the editor's "saved" does.
                store.create_theory(draft, done=lambda made: tab.select_theory(made.id))
                save_calls.append(now() - t0)
                saves.append(run.settled(t0))
                run.idle()

        # --- bulk resolve -------------------------------------------------------------------
        resolves = []
        for _ in range(2 if quick else 3):
            open_ids = [
                r[0]
                for r in raw.execute(
                    "SELECT id FROM theories WHERE deleted_at IS NULL AND status = 'open' "
                    "ORDER BY updated_at DESC, id DESC LIMIT 100"
                )
            ]
            with run.scenario("bulk resolve", profile):
                t0 = now()
                store.resolve_many(open_ids, TheoryStatus.CONFIRMED, "Timed by the benchmark")
                resolves.append(run.settled(t0))
                run.idle()

        # --- backing up ---------------------------------------------------------------------
        backups = []
        for _ in range(1 if quick else 2):
            with run.scenario("backing up", profile):
                t0 = now()
                transfer.backup_now(store, window)

                def saved(t0=t0) -> float | None:
                    at = run.watch.message_after(t0, "Backup saved")
                    return None if at is None or store.ops.pending() else at

                run.wait(saved, "the backup")
                backups.append(saved() - t0)  # type: ignore[operator]
            run.close_boxes()
        made = next(b for b in store.journal.backups.list() if b.reason == MANUAL)

        # --- importing ----------------------------------------------------------------------
        imports = []
        if to_import is not None:
            with run.scenario("importing", profile):
                t0 = now()
                transfer.import_from(store, to_import, window)
                imports.append(run.settled(t0))
                run.idle()
            run.close_boxes()

        # --- restoring ----------------------------------------------------------------------
        restores = []
        with run.scenario("restoring", profile):
            # File → Restore from backup…: the dialog, the backup chosen, its button clicked.
            dialog = transfer.open_restore(store, window)
            chooser, button = getattr(dialog, "backup_list", None), getattr(dialog, "restore_button", None)
            if chooser is not None and hasattr(chooser, "select") and button is not None:
                chooser.select(made.path)
                run.idle()
                t0 = now()
                button.click()
            else:  # a dialog this harness does not know: the store's own call
                dialog.close()
                run.idle()
                t0 = now()
                store.start_restore(made, done=lambda _before: None, failed=lambda _exc: None)
            restores.append(run.settled(t0))
            run.idle()
        run.close_boxes()
        rss_end = process.memory_info().rss

        raw.close()
        if sampler is not None:
            sampler.close()
            print(sampler.report(), file=sys.stderr)
        run.beat.close()
        window.close()
        app.processEvents()
    return BoardFigures(
        size=size,
        keystroke=Stats.of(keystroke),
        keystroke_floor=Stats.of(key_floor),
        fts_only=Stats.of(fts_only),
        filter_toggle=Stats.of(toggles),
        filter_floor=Stats.of(filter_floor),
        sort_click=Stats.of(sorts),
        scroll=Stats.of(steps),
        jump=Stats.of(jumps),
        save=Stats.of(saves),
        save_call=Stats.of(save_calls),
        bulk_resolve=Stats.of(resolves),
        backup=Stats.of(backups),
        imported=Stats.of(imports or [float("nan")]),
        import_size=import_size,
        restore=Stats.of(restores),
        lateness={name: run.beat.lateness(name) for name in SCENARIOS if name in run.beat.scenarios()},
        rss_open=rss_open,
        rss_after=rss_after,
        rss_end=rss_end,
        open_seconds=open_seconds,
        paint=Stats.of(run.watch.paint_seconds),
        other_cores=others.cores(),
        page_size=page,
    )


def import_journal_for(size: int) -> Path:
    """A journal of 10,000 theories other than those of the board's journal (another seed)."""
    from benchmarks.generate import SEED, cached_journal

    return cached_journal(min(10_000, size), seed=SEED + 1)


def main(argv: list[str] | None = None) -> None:
    from benchmarks.generate import cached_journal

    parser = argparse.ArgumentParser(prog="python -m benchmarks.board")
    parser.add_argument("size", nargs="?", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", choices=list(SCENARIOS), help="pyinstrument on the GUI thread")
    parser.add_argument(
        "--freezes", action="store_true", help="print what the GUI thread ran while the heartbeat was late"
    )
    args = parser.parse_args(argv)
    f = measure(
        cached_journal(args.size),
        2 if args.quick else 3,
        import_journal=import_journal_for(args.size),
        quick=args.quick,
        profile=args.profile,
        freezes=args.freezes,
    )
    ms = 1000
    print(f"theories: {f.size:,}   open + attach + first page: {f.open_seconds:.2f} s")
    for name in (
        "keystroke",
        "keystroke_floor",
        "fts_only",
        "filter_toggle",
        "filter_floor",
        "sort_click",
        "scroll",
        "jump",
        "save",
        "save_call",
        "bulk_resolve",
        "backup",
        "imported",
        "restore",
        "paint",
    ):
        s = getattr(f, name)
        print(f"{name:16} p50 {s.median * ms:8.1f} ms   p95 {s.p95 * ms:8.1f} ms   n={s.n}")
    print("event loop lateness (heartbeat every 5 ms):")
    for name, late in f.lateness.items():
        print(
            f"  {name:13} worst {late.worst * ms:8.1f} ms   p95 {late.p95 * ms:6.1f} ms   "
            f"beats {late.beats:6}   over 50 ms: {late.frozen} ({late.frozen_seconds:.2f} s)   "
            f"{'met' if late.met else 'MISSED'}"
        )
    print(f"other processes kept {f.other_cores:.2f} cores busy meanwhile")
    print(
        f"RSS open {f.rss_open / 2**20:.0f} MiB; after reads {f.rss_after / 2**20:.0f} MiB; "
        f"after writes {f.rss_end / 2**20:.0f} MiB"
    )


if __name__ == "__main__":
    main()

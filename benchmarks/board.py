"""The board on a big journal: keystroke and filter latency, scrolling, resident memory.

Runs the real window (``MainWindow`` with a ``Store`` on the journal) offscreen and drives the
board's own widgets: it types into the search field one character at a time with
``QTest.keyClick``, ticks and unticks a status filter, and scrolls the table from top to
bottom. Each action is timed until the view has repainted (``processEvents`` after the
action, which runs the board's queries, the model reset and the paint). Side by side, the
same search prefixes go to SQLite's FTS5 table directly through ``sqlite3``: the floor.

    .venv/bin/python -m benchmarks.board [SIZE]        # prints the figures (default 100,000)
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.timing import SCREEN, Stats

#: Words a fan would search for, typed one character at a time.
WORDS = ("mishi", "genev", "gala", "swap", "london")
#: A frame longer than this blocks (the response budget of Google's RAIL model).
BLOCKING_MS = 50


@dataclass(frozen=True)
class BoardFigures:
    size: int
    keystroke: Stats  # search keystroke → board repainted (seconds)
    keystroke_model: Stats  # search keystroke → rowCount and first row ready (no paint)
    fts_floor: Stats  # the raw FTS5 prefix query for the same prefixes
    filter_toggle: Stats  # tick or untick a status filter → board repainted
    scroll: Stats  # one scroll step (200 rows, with a page load) → repainted
    scroll_worst: float
    jump_worst: float  # drag the scroll bar far (to the end, to random places)
    sort_click: Stats  # click a column header → sorted board repainted
    rss_open: int  # bytes, with the board open on the journal
    rss_after: int  # bytes, after all of the above
    open_seconds: float  # Journal.open + window attach, for the record


def _fts_query(conn: sqlite3.Connection, prefix: str) -> float:
    from etoile_app.storage.fulltext import match_expression

    started = time.perf_counter()
    conn.execute(
        "SELECT rowid FROM theory_fts WHERE theory_fts MATCH ?", (match_expression(prefix),)
    ).fetchall()
    return time.perf_counter() - started


def measure(journal: Path, repeats: int = 3) -> BoardFigures:
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREEN}"
    import psutil
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from etoile_app import paths
    from etoile_app.services.journal import Journal
    from etoile_app.ui.common.store import Store
    from etoile_app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="etoile-board-") as tmp:
        db = Path(tmp) / "journal.sqlite3"
        shutil.copyfile(journal, db)
        size = sqlite3.connect(db).execute("SELECT count(*) FROM theories").fetchone()[0]
        started = time.perf_counter()
        journal_ = Journal.open(db, pack=paths.canon_pack_path(), backups=False)
        window = MainWindow(QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(1280, 800)
        window.show()
        window.attach(Store(journal_, window), db)
        window.tabs.setCurrentWidget(window.board_tab)
        app.processEvents()
        open_seconds = time.perf_counter() - started
        tab = window.board_tab
        process = psutil.Process()
        rss_open = process.memory_info().rss
        raw = sqlite3.connect(f"file:{db}?mode=ro", uri=True)

        def settle() -> None:
            app.processEvents()

        keystroke, keystroke_model, floor = [], [], []
        for _ in range(repeats):
            for word in WORDS:
                tab.search.clear()
                settle()
                for i, char in enumerate(word):
                    t0 = time.perf_counter()
                    QTest.keyClick(tab.search, char)
                    if tab.model.rowCount():
                        tab.model.data(tab.model.index(0, 0))
                    t1 = time.perf_counter()
                    settle()
                    t2 = time.perf_counter()
                    keystroke_model.append(t1 - t0)
                    keystroke.append(t2 - t0)
                    floor.append(_fts_query(raw, word[: i + 1]))
        tab.search.clear()
        settle()

        toggles = []
        for _ in range(repeats * 4):
            for status_box in list(tab.filters.status_boxes.values())[:2]:
                for _state in (True, False):
                    t0 = time.perf_counter()
                    status_box.click()
                    settle()
                    toggles.append(time.perf_counter() - t0)

        bar = tab.table.verticalScrollBar()
        rows_per_step = 200
        step = max(1, round(rows_per_step * (bar.maximum() + bar.pageStep()) / max(1, tab.model.rowCount())))
        bar.setValue(0)
        settle()
        frames = []
        value = 0
        while value < bar.maximum():
            value = min(bar.maximum(), value + step)
            t0 = time.perf_counter()
            bar.setValue(value)
            settle()
            frames.append(time.perf_counter() - t0)
        jumps = []
        import random

        rng = random.Random(3)
        for target in [0, bar.maximum(), 0, *(rng.randrange(bar.maximum() + 1) for _ in range(20))]:
            t0 = time.perf_counter()
            bar.setValue(target)
            settle()
            jumps.append(time.perf_counter() - t0)

        sorts = []
        for column in (0, 4, 7, 2, 7):
            t0 = time.perf_counter()
            tab.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
            settle()
            sorts.append(time.perf_counter() - t0)
        rss_after = process.memory_info().rss
        raw.close()
        window.close()
        journal_.close()
    return BoardFigures(
        size=size,
        keystroke=Stats.of(keystroke),
        keystroke_model=Stats.of(keystroke_model),
        fts_floor=Stats.of(floor),
        filter_toggle=Stats.of(toggles),
        scroll=Stats.of(frames),
        scroll_worst=max(frames),
        jump_worst=max(jumps),
        sort_click=Stats.of(sorts),
        rss_open=rss_open,
        rss_after=rss_after,
        open_seconds=open_seconds,
    )


def main(size: int = 100_000) -> None:
    from benchmarks.generate import cached_journal

    figures = measure(cached_journal(size))
    ms = 1000
    print(f"theories: {figures.size:,}   open + attach: {figures.open_seconds:.2f} s")
    for name in ("keystroke", "keystroke_model", "fts_floor", "filter_toggle", "scroll", "sort_click"):
        s = getattr(figures, name)
        print(f"{name:16} p50 {s.median * ms:7.1f} ms   p95 {s.p95 * ms:7.1f} ms   n={s.n}")
    print(f"scroll worst {figures.scroll_worst * ms:.1f} ms; jump worst {figures.jump_worst * ms:.1f} ms")
    print(f"RSS open {figures.rss_open / 2**20:.0f} MiB; after {figures.rss_after / 2**20:.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

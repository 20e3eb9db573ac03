"""PostgreSQL beside SQLite: the window's keystroke, filter and save, the import of 10,000
theories and data on screen, each on both in one run, against floors measured alongside.

    .venv/bin/python -m benchmarks.pg_figures --url postgresql+psycopg://etoile@127.0.0.1:5432/postgres

``--url`` is a login on a server that may create databases (``tools/throwaway-postgres``
starts one). The journals are :mod:`benchmarks.generate`'s: the SQLite ones cached in
``benchmarks/.cache/``, the server's in databases of their own, kept between runs
(:func:`benchmarks.pg_search.journal_url`). Every database written during the run is a copy
(``CREATE DATABASE … TEMPLATE``), dropped at the end.

- **Window** (``--size`` theories, 100,000 by default): the real window (``MainWindow`` with a
  ``Store``) on a copy of the journal, offscreen, driven as :mod:`benchmarks.board` drives it
  and timed by its ``Run`` (until the result is painted): the search words typed a letter at
  a time, two status boxes ticked and unticked, theories edited and created. Each session runs
  in a child process of its own, SQLite and PostgreSQL in turn. The floors are the first page
  (100 rows, newest first) by hand-written SQL on a connection of its own, the window idle:
  ``sqlite3`` with FTS5 ``MATCH``, psycopg with ``search_vector @@ to_tsquery``.
- **Import**: ``TransferService.import_file`` of the app's JSON export of the 10,000-theory
  journal into an empty journal (migrated, canon applied), on each; the floors write the same
  rows into the same empty journal in one transaction: ``sqlite3`` ``executemany`` on SQLite,
  psycopg ``COPY`` (and, for the record, ``executemany``) on PostgreSQL. The server's rows are
  those the app's own import wrote (read back from its first run, so their types are the
  server's). All variants alternate, in a new random order each round.
- **Data on screen** (10,000 theories): process start to the board's first rows painted, the
  app with ``--db PATH`` and ``--db URL`` (``benchmarks/probe_app.py``), against
  ``benchmarks/floors/data_window.py`` on the same file or URL; all four alternate.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import URL, create_engine, make_url, text

from benchmarks.timing import HERE, OtherLoad, Stats, interleave, offscreen_env, run_marks

PAGE_SIZE = 100

#: The board row's columns (``theory_queries.ROW_COLUMNS``), for the floors' queries.
ROW_SQL = (
    "SELECT id, title, category, characters_text, tags_text, confidence, juiciness, status, "
    "resolve_by, created_at, updated_at FROM theories WHERE deleted_at IS NULL"
)


# --- databases on the server ------------------------------------------------------------------


def _admin(server: URL):
    return create_engine(server, isolation_level="AUTOCOMMIT")


def copy_database(server: URL, template: str, name: str) -> URL:
    """A new database ``name`` on the server, a copy of ``template`` (which nobody may be using)."""
    admin = _admin(server)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    finally:
        admin.dispose()
    return server.set(database=name)


def drop_database(server: URL, name: str) -> None:
    admin = _admin(server)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def empty_journal_database(server: URL, name: str) -> URL:
    """A migrated, seeded, empty journal on the server (as ``importing._empty_journal`` makes)."""
    from etoile_app import paths
    from etoile_app.canon.pack import load_pack
    from etoile_app.services.canon import CanonService
    from etoile_app.storage.database import open_database

    admin = _admin(server)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    url = server.set(database=name)
    db = open_database(url, backups=False)
    try:
        CanonService(db.sessions).apply_pack(load_pack(paths.canon_pack_path()))
    finally:
        db.dispose()
    return url


def psycopg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


# --- the window, in a child process -----------------------------------------------------------


def pg_first_page(conn, limit: int, *, text: str = "", statuses: tuple[str, ...] = ()) -> float:
    """The floor on the server: the first page of the board's default order by hand-written SQL."""
    sql, args = ROW_SQL, []
    if statuses:
        sql += f" AND status IN ({', '.join(['%s'] * len(statuses))})"
        args += statuses
    if text.strip():
        sql += " AND search_vector @@ to_tsquery('simple', %s)"
        args.append(f"{text.strip()}:*")
    sql += " ORDER BY updated_at DESC, id DESC LIMIT %s"
    args.append(limit)
    started = time.perf_counter()
    conn.execute(sql, args).fetchall()
    return time.perf_counter() - started


def window_session(target: str, repeats: int) -> dict[str, list[float] | float]:
    """Keystrokes, filter ticks and saves in the real window on ``target`` (a file or a URL),
    with their floors; seconds, as lists."""
    from benchmarks.timing import SCREEN

    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREEN}"
    import gc

    from PySide6.QtCore import QSettings
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from benchmarks.board import WORDS, Run, _watcher_class, first_page_query
    from benchmarks.heartbeat import Heartbeat
    from etoile_app import paths
    from etoile_app.services.journal import Journal
    from etoile_app.storage.engine import sqlite_file, to_url
    from etoile_app.ui import main_window
    from etoile_app.ui.common.roles import ID_ROLE
    from etoile_app.ui.common.store import Store

    url = to_url(target)
    file = sqlite_file(url)
    if file is not None:
        raw = sqlite3.connect(f"file:{file}?mode=ro", uri=True)

        def floor(text: str = "", statuses: tuple[str, ...] = ()) -> float:
            return first_page_query(raw, PAGE_SIZE, text=text, statuses=statuses)
    else:
        import psycopg

        raw = psycopg.connect(psycopg_dsn(url), autocommit=True)

        def floor(text: str = "", statuses: tuple[str, ...] = ()) -> float:
            return pg_first_page(raw, PAGE_SIZE, text=text, statuses=statuses)

    app = QApplication.instance() or QApplication([])
    others = OtherLoad()
    now = time.perf_counter
    with tempfile.TemporaryDirectory(prefix="etoile-pgfig-") as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("window/tab", main_window.BOARD)
        frozen_before = gc.get_freeze_count()
        started = now()
        journal = Journal.open(url, pack=paths.canon_pack_path(), backups=False)
        window = main_window.MainWindow(settings)
        window.resize(1280, 800)
        window.show()
        store = Store(journal, window)
        window.attach(store, file)
        run = Run(app, window, store, _watcher_class()(window, store), Heartbeat())
        tab, model = window.board_tab, window.board_tab.model
        run.wait(
            lambda: gc.get_freeze_count() > frozen_before and model.rowCount() and store.ops.pending() == 0,
            "the window to open",
        )
        open_seconds = now() - started
        run.idle()

        keystroke, key_floor = [], []
        with run.scenario("typing"):
            for _ in range(repeats):
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
                            key_floor.append(floor(text=prefix))
            t0 = now()
            tab.search.clear()
            run.shown(t0, "")
            run.idle()

        toggles, filter_floor = [], []
        boxes = list(tab.filters.status_boxes.values())[:2]
        with run.scenario("filters"):
            for _ in range(repeats * 4):
                for box in boxes:
                    for _state in (True, False):
                        t0 = now()
                        box.click()
                        toggles.append(run.shown(t0))
                        run.idle()
                        with run.aside("filters"):
                            statuses = tuple(sorted(s.value for s in tab.filters.statuses()))
                            filter_floor.append(floor(statuses=statuses))

        edits_n, creates_n = 4 * repeats, 2 * repeats
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
        with run.scenario("saving"):
            for theory_id, draft in edits:
                t0 = now()
                store.edit_theory(theory_id, draft)
                save_calls.append(now() - t0)
                saves.append(run.settled(t0))
                run.idle()
            for draft in creates:
                t0 = now()
                store.create_theory(draft, done=lambda made: tab.select_theory(made.id))
                save_calls.append(now() - t0)
                saves.append(run.settled(t0))
                run.idle()

        raw.close()
        run.beat.close()
        window.close()
        app.processEvents()
    return {
        "keystroke": keystroke,
        "keystroke_floor": key_floor,
        "filter": toggles,
        "filter_floor": filter_floor,
        "save": saves,
        "save_call": save_calls,
        "open_seconds": open_seconds,
        "other_cores": others.cores(),
    }


def run_window_session(target: str, repeats: int) -> dict:
    """:func:`window_session` in a child process (a window and its threads to itself)."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.pg_figures", "--window", target, "--repeats", str(repeats)],
        capture_output=True,
        text=True,
        cwd=HERE.parent,
        timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(f"window session on {target} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- import -----------------------------------------------------------------------------------


def _server_rows(
    url: URL, tables: tuple[str, ...], skip: dict[str, set]
) -> dict[str, tuple[list[str], list]]:
    """Every row of ``tables`` at ``url`` but those in ``skip`` (the empty journal's), without
    generated columns (which the server computes)."""
    import psycopg

    out = {}
    with psycopg.connect(psycopg_dsn(url)) as conn:
        for name in tables:
            columns = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                    "AND is_generated = 'NEVER' ORDER BY ordinal_position",
                    (name,),
                )
            ]
            rows = conn.execute(f"SELECT {', '.join(columns)} FROM {name}").fetchall()
            out[name] = (columns, [r for r in rows if r not in skip.get(name, set())])
    return out


def _copy(url: URL, rows: dict[str, tuple[list[str], list]], tables: tuple[str, ...]) -> float:
    import psycopg

    with psycopg.connect(psycopg_dsn(url)) as conn:
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            for name in tables:
                columns, values = rows[name]
                with cur.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
        return time.perf_counter() - started


def _executemany(url: URL, rows: dict[str, tuple[list[str], list]], tables: tuple[str, ...]) -> float:
    import psycopg

    with psycopg.connect(psycopg_dsn(url)) as conn:
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            for name in tables:
                columns, values = rows[name]
                marks = ", ".join(["%s"] * len(columns))
                cur.executemany(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})", values)
        return time.perf_counter() - started


@dataclass(frozen=True)
class ImportFigures:
    size: int
    file_bytes: int
    sqlite_app: Stats
    sqlite_floor: Stats
    pg_app: Stats
    pg_copy: Stats
    pg_executemany: Stats


def import_figures(journal: Path, server: URL, rounds: int) -> ImportFigures:
    from benchmarks import importing
    from etoile_app.services.transfer import TransferService
    from etoile_app.storage.database import open_database

    tables = importing.TABLES
    template = f"etoile_bench_import_empty_{os.getpid()}"
    made: list[str] = [template]
    with tempfile.TemporaryDirectory(prefix="etoile-pgimport-") as tmp:
        base = Path(tmp)
        source, exported = importing.export_copy(journal, base, TransferService)
        empty_file = base / "empty.sqlite3"
        importing._empty_journal(empty_file)
        sqlite_rows = importing._rows(source)
        size = len(sqlite_rows["theories"][1])
        empty_url = empty_journal_database(server, template)
        counter = iter(range(10**6))

        def pg_target() -> URL:
            name = f"etoile_bench_import_{os.getpid()}_{next(counter)}"
            made.append(name)
            return copy_database(server, template, name)

        def done_with(url: URL) -> None:
            drop_database(server, url.database)
            made.remove(url.database)

        def app_into(url: URL | Path) -> float:
            db = open_database(url, backups=False)
            try:
                service = TransferService(db.sessions)
                started = time.perf_counter()
                service.import_file(exported)
                return time.perf_counter() - started
            finally:
                db.dispose()

        try:
            # The server's rows for its floors: those the app's own import writes.
            first = pg_target()
            app_into(first)
            skip = {name: set(rows) for name, (_, rows) in _server_rows(empty_url, tables, {}).items()}
            pg_rows = _server_rows(first, tables, skip)
            done_with(first)
            assert len(pg_rows["theories"][1]) == size, "the import wrote another number of theories"

            def sqlite_app() -> float:
                target = base / f"app-{next(counter)}.sqlite3"
                shutil.copyfile(empty_file, target)
                try:
                    return app_into(target)
                finally:
                    target.unlink()

            def sqlite_floor() -> float:
                target = base / f"raw-{next(counter)}.sqlite3"
                shutil.copyfile(empty_file, target)
                try:
                    return importing._raw_insert(target, sqlite_rows)
                finally:
                    target.unlink()
                    for extra in target.parent.glob(target.name + "-*"):
                        extra.unlink()

            def on_server(write: Callable[[URL], float]) -> Callable[[], float]:
                def timed() -> float:
                    url = pg_target()
                    try:
                        return write(url)
                    finally:
                        done_with(url)

                return timed

            runs = interleave(
                {
                    "sqlite_app": sqlite_app,
                    "sqlite_floor": sqlite_floor,
                    "pg_app": on_server(app_into),
                    "pg_copy": on_server(lambda url: _copy(url, pg_rows, tables)),
                    "pg_executemany": on_server(lambda url: _executemany(url, pg_rows, tables)),
                },
                rounds,
            )
        finally:
            for name in list(made):
                drop_database(server, name)
        return ImportFigures(
            size=size,
            file_bytes=exported.stat().st_size,
            **{name: Stats.of(values) for name, values in runs.items()},
        )


# --- data on screen ---------------------------------------------------------------------------


def startup_figures(journal: Path, server_journal: URL, rounds: int) -> dict[str, Stats]:
    """Process start to the board's first rows painted, app and floor, on the file and the server."""
    from benchmarks.startup import app_command, prepare_folders

    target = server_journal.render_as_string(hide_password=False)
    with tempfile.TemporaryDirectory(prefix="etoile-pgstart-") as tmp:
        base = Path(tmp)
        db = base / "journal.sqlite3"
        shutil.copyfile(journal, db)
        config, data = prepare_folders(base)
        env = offscreen_env(config, data, ETOILE_BENCH_MARKS="1")
        python, data_window = sys.executable, str(HERE / "floors" / "data_window.py")
        variants = {
            "sqlite_floor": lambda: run_marks([python, data_window, str(db)], env),
            "sqlite_app": lambda: run_marks(app_command(db), env),
            "pg_floor": lambda: run_marks([python, data_window, target], env),
            "pg_app": lambda: run_marks([*app_command(db)[:-1], target], env),
        }
        runs = interleave(variants, rounds)
    return {name: Stats.of([r["rows-shown"] for r in values]) for name, values in runs.items()}


# --- the run ----------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.0095 else f"{seconds * 1000:.1f} ms"


def pair(stats: Stats) -> str:
    return f"{ms(stats.median)} / {ms(stats.p95)}"


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pg_figures", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--url", help="a login on the server that may create databases")
    parser.add_argument("--size", type=int, default=100_000, help="theories in the window's journal")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of each window scenario per session")
    parser.add_argument("--sessions", type=int, default=1, help="window sessions on each, alternating")
    parser.add_argument("--import-rounds", type=int, default=5)
    parser.add_argument("--startup-rounds", type=int, default=10)
    parser.add_argument(
        "--only", choices=("window", "import", "startup"), action="append", help="run only these parts"
    )
    parser.add_argument("--window", help=argparse.SUPPRESS)  # a child's window session on this target
    args = parser.parse_args(argv)
    if args.window:
        print(json.dumps(window_session(args.window, args.repeats)))
        return 0
    if not args.url:
        parser.error("--url is required")

    from benchmarks.generate import cached_journal
    from benchmarks.pg_search import journal_url

    server = make_url(args.url)
    parts = args.only or ["window", "import", "startup"]
    print(f"start {time.strftime('%Y-%m-%d %H:%M:%S %Z')}; load average {loadavg()}", flush=True)
    print(f"Python {platform.python_version()}; {os.cpu_count()} cores", flush=True)

    if "window" in parts:
        sqlite_journal = cached_journal(args.size)
        pg_journal = journal_url(server, args.size, fresh=False)
        results: dict[str, list[dict]] = {"sqlite": [], "pg": []}
        with tempfile.TemporaryDirectory(prefix="etoile-pgwin-") as tmp:
            order = ["sqlite", "pg"]
            rng = random.Random(2)
            for session in range(args.sessions):
                rng.shuffle(order)
                for which in order:
                    if which == "sqlite":
                        copy = Path(tmp) / f"journal-{session}.sqlite3"
                        shutil.copyfile(sqlite_journal, copy)
                        results["sqlite"].append(run_window_session(str(copy), args.repeats))
                        copy.unlink()
                    else:
                        name = f"etoile_bench_window_{os.getpid()}_{session}"
                        url = copy_database(server, pg_journal.database, name)
                        try:
                            target = url.render_as_string(hide_password=False)
                            results["pg"].append(run_window_session(target, args.repeats))
                        finally:
                            drop_database(server, name)
                    print(f"  window session on {which} done; load average {loadavg()}", flush=True)
        print(f"window, {args.size:,} theories (median / p95):")
        for which, sessions in results.items():
            merged = {
                k: [v for s in sessions for v in s[k]]
                for k in sessions[0]
                if isinstance(sessions[0][k], list)
            }
            stats = {k: Stats.of(v) for k, v in merged.items()}
            opened = ", ".join(f"{s['open_seconds']:.1f} s" for s in sessions)
            busy = ", ".join(f"{s['other_cores']:.2f}" for s in sessions)
            print(f"  {which}: opened in {opened}; other processes kept {busy} cores busy")
            for k, s in stats.items():
                print(f"    {k:16} {pair(s):>20}   n={s.n}")
            for k in ("keystroke", "filter"):
                floor = stats[f"{k}_floor"]
                print(
                    f"    {k} / floor: {stats[k].p95 / floor.p95:.2f}x (p95), "
                    f"{stats[k].median / floor.median:.2f}x (median)"
                )
        print(f"  load average {loadavg()}", flush=True)

    if "import" in parts:
        f = import_figures(cached_journal(10_000), server, args.import_rounds)
        print(f"import of {f.size:,} theories ({f.file_bytes / 2**20:.1f} MiB of JSON) (median / p95):")
        for name in ("sqlite_app", "sqlite_floor", "pg_app", "pg_copy", "pg_executemany"):
            s = getattr(f, name)
            print(f"  {name:16} {s.median:.2f} s / {s.p95:.2f} s   n={s.n}")
        print(f"  sqlite app / executemany: {f.sqlite_app.median / f.sqlite_floor.median:.2f}x (median)")
        print(f"  pg app / COPY: {f.pg_app.median / f.pg_copy.median:.2f}x (median)")
        print(f"  pg app / executemany: {f.pg_app.median / f.pg_executemany.median:.2f}x (median)")
        print(f"  load average {loadavg()}", flush=True)

    if "startup" in parts:
        pg_small = journal_url(server, 10_000, fresh=False)
        stats = startup_figures(cached_journal(10_000), pg_small, args.startup_rounds)
        print("data on screen, 10,000 theories (median / p95):")
        for name, s in stats.items():
            print(f"  {name:14} {pair(s):>20}   n={s.n}")
        for which in ("sqlite", "pg"):
            ratio = stats[f"{which}_app"].median / stats[f"{which}_floor"].median
            print(f"  {which} app / floor: {ratio:.2f}x (median)")
        print(f"  load average {loadavg()}", flush=True)
    print(f"end {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Measure every figure of PRODUCT.md's "Speed and size" against its floor, in one run.

    .venv/bin/python -m benchmarks            # everything, a few minutes; rewrites docs/BENCHMARKS.md
    .venv/bin/python -m benchmarks --quick    # fewer repetitions, for a first look
    .venv/bin/python -m benchmarks --no-write # print the table only

Generated journals are cached in benchmarks/.cache/. The results table replaces the part of
docs/BENCHMARKS.md between its ``results`` markers; the rest of that file (profiles, fixes,
before and after) is written by hand.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sqlite3
import sys
import time
from pathlib import Path

from benchmarks import board, bundle, heartbeat, importing, startup
from benchmarks.generate import cached_journal
from benchmarks.timing import HERE, OtherLoad, Stats

DOC = HERE.parent / "docs" / "BENCHMARKS.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def machine() -> list[str]:
    import psutil
    import PySide6
    import sqlalchemy
    from PySide6.QtCore import qVersion

    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                system = f"{line.split('=', 1)[1].strip(chr(34))} (Linux {platform.release()})"
    except OSError:
        pass
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores",
        f"- Memory: {psutil.virtual_memory().total / 2**30:.0f} GiB",
        f"- System: {system}",
        f"- Python {platform.python_version()}, Qt {qVersion()} (PySide6 {PySide6.__version__}), "
        f"SQLAlchemy {sqlalchemy.__version__}, SQLite {sqlite3.sqlite_version}",
    ]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.0095 else f"{seconds * 1000:.1f} ms"


def pair(stats: Stats) -> str:
    return f"{ms(stats.median)} / {ms(stats.p95)}"


def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--no-write", action="store_true", help="print the table, leave docs/BENCHMARKS.md")
    parser.add_argument("--no-bundle", action="store_true", help="skip the bundle (no PyInstaller build)")
    parser.add_argument("--size", type=int, default=100_000, help="theories for the board figures")
    args = parser.parse_args(argv)
    rounds = 5 if args.quick else 12
    started = time.monotonic()
    others = OtherLoad()

    def say(text: str) -> None:
        print(f"[{time.monotonic() - started:5.0f} s] {text}", file=sys.stderr, flush=True)

    rows: list[str] = []
    notes: list[str] = []

    say("journals (cached after the first run)")
    j10k, j1k, jbig = cached_journal(10_000), cached_journal(1_000), cached_journal(args.size)

    say("start-up: app against its floors, 10,000 theories")
    s = startup.measure(j10k, rounds)
    paint_ratio = s["app first paint"].median / s["bare first paint"].median
    rows.append(
        f"| First paint, 10,000 theories | {pair(s['app first paint'])} "
        f"| bare window {pair(s['bare first paint'])} "
        f"| {paint_ratio:.2f}× | ≤ 1.5× | {verdict(paint_ratio <= 1.5)} |"
    )
    data_ratio = s["app rows"].median / s["data floor rows"].median
    rows.append(
        f"| Data on screen, 10,000 theories | {pair(s['app rows'])} | window + SQLAlchemy + open + one query "
        f"{pair(s['data floor rows'])} | {data_ratio:.2f}× | ≤ 1.25× | {verdict(data_ratio <= 1.25)} |"
    )
    if not startup.app_has_marks():
        notes.append(
            "Start-up marks come from `benchmarks/probe_app.py`, which runs the unchanged "
            "`etoile_app.cli.run` with two wrappers on `MainWindow`."
        )

    say("import of 10,000 theories from JSON against raw sqlite3")
    imp = importing.measure(j10k, 3 if args.quick else 5)
    if imp is None:
        rows.append("| Import of 10,000 theories from JSON | not available yet | | | ≤ 4× | |")
    else:
        ratio = imp.app.median / imp.floor.median
        rows.append(
            f"| Import of {imp.size:,} theories from JSON ({imp.file_bytes / 1e6:.0f} MB) | "
            f"{imp.app.median:.2f} s / {imp.app.p95:.2f} s | sqlite3 executemany {imp.floor.median:.2f} s / "
            f"{imp.floor.p95:.2f} s | {ratio:.1f}× | ≤ 4× | {verdict(ratio <= 4)} |"
        )

    if not args.no_bundle:
        say("bundle: size and start, frozen against unfrozen")
        b = bundle.measure(j1k, 5 if args.quick else 8)
        rows.append(
            f"| Bundle size (one folder, {b.files} files) | {b.size_bytes / 1e6:.0f} MB | | | ≤ 150 MB "
            f"| {verdict(b.size_bytes <= 150e6)} |"
        )
        ratio = b.frozen.median / b.unfrozen.median
        rows.append(
            f"| Bundle start ({b.what}) | {pair(b.frozen)} | unfrozen app {pair(b.unfrozen)} | {ratio:.2f}× "
            f"| ≤ 1.2× | {verdict(ratio <= 1.2)} |"
        )

    say(f"window on {args.size:,} theories: heartbeat, keystrokes, filters, scrolling, saves, jobs")
    f = board.measure(
        jbig,
        2 if args.quick else 3,
        import_journal=board.import_journal_for(args.size),
        quick=args.quick,
    )
    rows.extend(board_rows(f))
    notes.extend(board_notes(f))
    tree = app_tree()
    if tree:
        notes.append(tree)

    notes.append(
        f"Other processes kept {others.cores():.2f} of the {os.cpu_count()} cores busy during the run "
        f"({f.other_cores:.2f} during the window figures)."
    )
    stamp = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    block = [
        START,
        f"Measured {stamp} by `python -m benchmarks{' --quick' if args.quick else ''}` "
        f"in {time.monotonic() - started:.0f} s, on:",
        "",
        *machine(),
        "",
        "| Figure | Measured (median / p95) | Floor, same run (median / p95) | Ratio | Target | Met |",
        "| --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        *(f"- {note}" for note in notes),
        END,
    ]
    text = "\n".join(block)
    print(text)
    if not args.no_write:
        write(text)
        say(f"wrote {DOC}")
    return 0


def board_rows(f: board.BoardFigures) -> list[str]:
    n = f"{f.size:,}"
    page = f"{f.page_size} rows"
    rows = []
    key_ratio = f.keystroke.p95 / f.keystroke_floor.p95
    rows.append(
        f"| Search keystroke → first page on screen, {n} | {pair(f.keystroke)} | raw first-page query "
        f"(FTS5 MATCH, {page}, newest first) {pair(f.keystroke_floor)} | {key_ratio:.1f}× (p95) "
        f"| ≤ 2× (p95) | {verdict(key_ratio <= 2)} |"
    )
    filter_ratio = f.filter_toggle.p95 / f.filter_floor.p95
    rows.append(
        f"| Status filter tick → first page on screen, {n} | {pair(f.filter_toggle)} | raw first-page "
        f"query (status IN, {page}, newest first) {pair(f.filter_floor)} | {filter_ratio:.1f}× (p95) "
        f"| ≤ 2× (p95) | {verdict(filter_ratio <= 2)} |"
    )
    rows.append(
        f"| Save → board and counts updated, {n} (store call → rows updated, painted, nothing pending) "
        f"| {pair(f.save)} | | | ≤ 100 ms (median) | {verdict(f.save.median <= 0.100)} |"
    )
    rows.append(
        f"| Sort by a column (click a header) → first page on screen, {n} | {pair(f.sort_click)} "
        "| | | (no target) | |"
    )
    rows.append(
        f"| Scrolling, {n}: a step of 200 rows / a far jump → rows in view painted | {pair(f.scroll)} / "
        f"{pair(f.jump)} | | | (no target; see the heartbeat) | |"
    )
    rows.append(
        f"| Resolve 100 theories at once → board updated, {n} | {pair(f.bulk_resolve)} | | | (no target) | |"
    )
    rows.append(f"| Back up now → done, {n} | {pair(f.backup)} | | | (no target) | |")
    if f.import_size:
        rows.append(
            f"| File → Import of {f.import_size:,} theories into {n} → board shows them | "
            f"{f.imported.median:.1f} s | | | (no target) | |"
        )
    rows.append(f"| Restore a backup → board shows it, {n} | {f.restore.median:.1f} s | | | (no target) | |")
    worst_rss = max(f.rss_open, f.rss_after, f.rss_end)
    rows.append(
        f"| Resident memory, board open on {n} (after reading it all; after the writes) | "
        f"{f.rss_open / 2**20:.0f} MiB ({f.rss_after / 2**20:.0f} MiB; {f.rss_end / 2**20:.0f} MiB) "
        f"| | | ≤ 300 MB | {verdict(worst_rss <= 300e6)} |"
    )
    idle = f.lateness.get("idle")
    floor = f"window idle: worst {ms(idle.worst)} / p95 {ms(idle.p95)}" if idle else ""
    for name, what in board.SCENARIOS.items():
        late = f.lateness.get(name)
        if name == "idle" or late is None:
            continue
        rows.append(
            f"| Event loop lateness while {what}, {n} (heartbeat every {heartbeat.PERIOD_MS} ms; "
            f"{late.beats:,} beats) | worst {ms(late.worst)} / p95 {ms(late.p95)} | {floor} | "
            f"| worst ≤ {heartbeat.WORST_MS} ms, p95 ≤ {heartbeat.P95_MS} ms | {verdict(late.met)} |"
        )
    return rows


def board_notes(f: board.BoardFigures) -> list[str]:
    notes = [
        f"Opening the {f.size:,}-theory journal, building the window and showing the first page took "
        f"{f.open_seconds:.1f} s.",
        f"FTS5 alone (`SELECT rowid … MATCH … LIMIT {f.page_size}`, no order) took {pair(f.fts_only)} "
        "for the same prefixes.",
        f"One repaint of the board's table (its paint event to the next turn of the event loop, "
        f"the loop busy meanwhile) took {pair(f.paint)} over {f.paint.n} repaints.",
        f"The save figure is the median of {f.save.n} saves (edits and new theories); the store call "
        f"alone, during which the GUI thread is busy, took {pair(f.save_call)}.",
    ]
    late = [(name, f.lateness[name]) for name in board.SCENARIOS if name in f.lateness and name != "idle"]
    frozen = [f"{name} {x.frozen} ({x.frozen_seconds:.2f} s)" for name, x in late if x.frozen]
    if frozen:
        notes.append(
            f"Beats later than {heartbeat.WORST_MS} ms (each a freeze a person notices), and their total: "
            + "; ".join(frozen)
            + "."
        )
    return notes


def app_tree() -> str:
    """Which app code was measured: the commit, and whether ``etoile_app`` had changes on top."""
    import subprocess

    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "etoile_app"],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    changed = len(dirty.splitlines())
    return f"App code measured: commit {head}" + (
        f", with uncommitted changes to {changed} file{'s' if changed != 1 else ''} under `etoile_app/`."
        if changed
        else "."
    )


def write(block: str) -> None:
    if DOC.exists():
        current = DOC.read_text(encoding="utf-8")
        if START in current and END in current:
            head, rest = current.split(START, 1)
            tail = rest.split(END, 1)[1]
            DOC.write_text(head + block + tail, encoding="utf-8")
            return
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(f"# Benchmarks\n\n{block}\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

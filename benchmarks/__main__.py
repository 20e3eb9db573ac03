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

from benchmarks import board, bundle, importing, startup
from benchmarks.generate import cached_journal
from benchmarks.timing import HERE, Stats

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

    say(f"board on {args.size:,} theories: keystrokes, filters, scrolling, memory")
    f = board.measure(jbig, 2 if args.quick else 3)
    n = f"{f.size:,}"
    key_ratio = f.keystroke.p95 / f.fts_floor.p95
    rows.append(
        f"| Search keystroke → board repainted, {n} | {pair(f.keystroke)} | raw FTS5 prefix query "
        f"{pair(f.fts_floor)} | {key_ratio:.1f}× (p95) | ≤ 5× and p95 ≤ 30 ms "
        f"| {verdict(key_ratio <= 5 and f.keystroke.p95 <= 0.030)} |"
    )
    filter_ratio = f.filter_toggle.p95 / f.fts_floor.p95
    rows.append(
        f"| Status filter tick → board repainted, {n} | {pair(f.filter_toggle)} | raw FTS5 prefix query "
        f"{pair(f.fts_floor)} | {filter_ratio:.1f}× (p95) | ≤ 5× and p95 ≤ 30 ms "
        f"| {verdict(filter_ratio <= 5 and f.filter_toggle.p95 <= 0.030)} |"
    )
    worst = max(f.scroll_worst, f.jump_worst)
    rows.append(
        f"| Scrolling the whole board, {n} (step of 200 rows / worst frame) | {pair(f.scroll)} / "
        f"worst {ms(worst)} | | | no frame > {board.BLOCKING_MS} ms "
        f"| {verdict(worst * 1000 <= board.BLOCKING_MS)} |"
    )
    rows.append(
        f"| Resident memory, board open on {n} (after scrolling it all) | {f.rss_open / 2**20:.0f} MiB "
        f"({f.rss_after / 2**20:.0f} MiB) | | | ≤ 300 MB | {verdict(f.rss_after <= 300e6)} |"
    )
    rows.append(f"| Sort by a column (click a header), {n} | {pair(f.sort_click)} | | | (no target) | |")
    notes.append(f"Opening the {n}-theory journal and building the window took {f.open_seconds:.1f} s.")

    stamp = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    block = [
        START,
        f"Measured {stamp} by `python -m benchmarks`{' --quick' if args.quick else ''} "
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

"""Nothing acknowledged is ever lost: kill a saving process at random moments, many times, and
check after each kill that the file is whole and holds every save the process reported.

The saver (tests/durability_child.py, forked afresh for each round from a process that has
imported the app once) saves theories through the app's services and prints each id once the
call returned, writes import-like bulk transactions, and makes online backups. Each round the
test waits for it to be under way, then sends SIGKILL: at a random moment, or just after a
bulk transaction or a backup began. After each kill it checks:

- ``PRAGMA integrity_check`` is ``ok``, and the app opens the file as usual;
- every id the child reported is there;
- every bulk transaction is there whole or not at all, and every reported one whole;
- every file with a backup's final name is a whole database.

Rounds: ``ETOILE_DURABILITY_ROUNDS`` (default 40); ``ETOILE_DURABILITY_SEED`` repeats a run.
"""

from __future__ import annotations

import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from durability_child import BULK_SIZE
from helpers import MINI_PACK

from etoile_app.storage import sqlite_backup
from etoile_app.storage.database import open_database

HERE = Path(__file__).resolve().parent
CHILD = HERE / "durability_child.py"
ROUNDS = int(os.environ.get("ETOILE_DURABILITY_ROUNDS", "40"))
SEED = int(os.environ.get("ETOILE_DURABILITY_SEED", str(random.SystemRandom().randrange(1 << 30))))
#: When to kill, by round: at a random moment, or just after a bulk transaction or a backup began.
TRIGGERS = ("time", "bulk", "backup")
STARTUP_TIMEOUT_S = 60

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")


@dataclass
class Round:
    lines: list[str] = field(default_factory=list)

    @property
    def saved(self) -> set[int]:
        return {int(line.split()[1]) for line in self.lines if line.startswith("saved ")}

    @property
    def bulks(self) -> dict[str, int]:
        return {
            parts[1]: int(parts[2])
            for parts in (line.split() for line in self.lines)
            if parts[0] == "bulk" and len(parts) == 3
        }

    def cut_short(self, kind: str) -> bool:
        """Whether the kill came after ``<kind>-begin`` and before its end line."""
        began = [i for i, line in enumerate(self.lines) if line.startswith(f"{kind}-begin")]
        ended = [i for i, line in enumerate(self.lines) if line.split()[0] == kind]
        return bool(began) and (not ended or ended[-1] < began[-1])


class Saver:
    """The forking parent of the savers (see durability_child.py), read on a thread."""

    def __init__(self, journal: Path, log: Path) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), str(journal), str(MINI_PACK)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log.open("w"),
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.pid: int | None = None
        self.seen: list[str] = []

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _next(self, deadline: float, waiting_for: str) -> str:
        try:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"the saver never printed {waiting_for!r}\n{self.log.read_text()}") from None
        if line is None or (line.startswith("reaped") and waiting_for != "reaped"):
            raise AssertionError(f"the saver ended before {waiting_for!r}:\n{self.log.read_text()}")
        if line.startswith("child "):
            self.pid = int(line.split()[1])
        elif not line.startswith("reaped"):
            self.seen.append(line)
        return line

    def start(self) -> None:
        assert self.proc.stdin is not None
        self.pid, self.seen = None, []
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def wait_for(self, prefix: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self._next(deadline, prefix).startswith(prefix):
            pass

    def kill(self) -> Round:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while self.pid is None:
            self._next(deadline, "child")
        os.kill(self.pid, signal.SIGKILL)  # no clean-up, no flush, no atexit
        # Everything the saver wrote before it died comes before "reaped": all of it committed.
        while not self._next(deadline, "reaped").startswith("reaped"):
            pass
        return Round(self.seen)

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(30)


def _check(journal: Path, everything: Round, verified: set[str], note: str) -> None:
    conn = sqlite3.connect(journal)  # a normal connection: it recovers the WAL like the app does
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], note
        present = {row[0] for row in conn.execute("SELECT id FROM theories")}
        bulk_counts = Counter(
            row[0].split(" ")[1]
            for row in conn.execute("SELECT title FROM theories WHERE title LIKE 'Bulk %'")
        )
    finally:
        conn.close()
    lost = everything.saved - present
    assert not lost, f"{note}: {len(lost)} acknowledged saves are missing, e.g. {sorted(lost)[:5]}"
    for label, count in everything.bulks.items():
        assert bulk_counts[label] == count, (
            f"{note}: bulk {label} was reported but holds {bulk_counts[label]}"
        )
    torn = {label: n for label, n in bulk_counts.items() if n != BULK_SIZE}
    assert not torn, f"{note}: bulk transactions were half written: {torn}"
    for backup in sqlite_backup.backup_folder(journal).glob(f"*{sqlite_backup.BACKUP_SUFFIX}"):
        if backup.name in verified:
            continue  # a backup never changes once it has its name
        verified.add(backup.name)
        b = sqlite3.connect(sqlite_backup.read_only_uri(backup), uri=True)
        try:
            assert b.execute("PRAGMA integrity_check").fetchall() == [("ok",)], f"{note}: {backup.name}"
        finally:
            b.close()
    open_database(journal).dispose()  # the app's own check on open agrees


def test_every_acknowledged_save_survives_sigkill(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    journal = tmp_path / "journal.sqlite3"
    everything = Round()
    hits: Counter[str] = Counter()
    started = time.monotonic()
    verified: set[str] = set()
    saver = Saver(journal, tmp_path / "saver.log")
    try:
        for n in range(ROUNDS):
            trigger = TRIGGERS[n % len(TRIGGERS)]
            note = (
                f"round {n + 1}/{ROUNDS} ({trigger}), seed {SEED} (ETOILE_DURABILITY_SEED={SEED} repeats it)"
            )
            saver.start()
            try:
                saver.wait_for("ready", STARTUP_TIMEOUT_S)
                if trigger == "time":
                    time.sleep(rng.uniform(0.020, 0.300))
                else:
                    saver.wait_for(f"{trigger}-begin", STARTUP_TIMEOUT_S)
                    time.sleep(rng.uniform(0.0, 0.015 if trigger == "bulk" else 0.003))
            finally:
                done = saver.kill()
            everything.lines += done.lines
            hits["during a bulk transaction"] += done.cut_short("bulk")
            hits["during a backup"] += done.cut_short("backup")
            _check(journal, everything, verified, note)
    finally:
        saver.close()

    elapsed = time.monotonic() - started
    print(
        f"\ndurability: {ROUNDS} kills in {elapsed:.1f} s (seed {SEED}); "
        f"{len(everything.saved)} saves and {len(everything.bulks)} bulk transactions acknowledged; "
        f"killed mid-bulk {hits['during a bulk transaction']}×, mid-backup {hits['during a backup']}×"
    )
    assert len(everything.saved) >= ROUNDS  # the children really were saving

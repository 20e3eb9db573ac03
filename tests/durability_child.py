"""The processes that tests/test_durability.py kills: they save theories in a loop and say so.

Usage: ``python tests/durability_child.py JOURNAL [PACK]``

This process imports the app once and then waits on stdin. For each ``go`` line it forks a
saver (so a round costs no start-up time) and prints ``child <pid>``; when the saver has died
(the parent kills it with SIGKILL) it prints ``reaped <status>``. Every line a saver wrote is
in the pipe before that ``reaped`` line. A saver opens the journal through the app's own
services and prints, flushing each line:

- ``ready`` once the journal is open;
- ``saved <id>`` right after ``journal.theories.create`` returned, i.e. after the commit;
- ``bulk-begin <label>`` and, after the commit, ``bulk <label> <count>`` around an import-like
  transaction that writes many theories at once;
- ``backup-begin`` and ``backup <path>`` around an online backup.

A saver never stops by itself.
"""

from __future__ import annotations

import os
import sys
import traceback
import uuid
from pathlib import Path

from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.models import TheoryDraft
from etoile_app.services.journal import Journal
from etoile_app.storage.models import ForecastRecord, TheoryRecord

BULK_SIZE = 150
BULK_EVERY = 6
BACKUP_EVERY = 9


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def bulk(journal: Journal, label: str) -> None:
    """Many theories in one transaction, as an import writes them: all or none must survive."""
    now = journal.theories.now()
    say(f"bulk-begin {label}")
    with journal.database.sessions.begin() as s:
        for k in range(BULK_SIZE):
            record = TheoryRecord(
                uid=str(uuid.uuid4()),
                title=f"Bulk {label} #{k}",
                body="Imported in one transaction. " * 8,
                category=Category.OTHER,
                confidence=50,
                status=TheoryStatus.OPEN,
                created_at=now,
                updated_at=now,
                resolution_note="",
            )
            record.history.append(ForecastRecord(confidence=50, changed_at=now, note=""))
            s.add(record)
    say(f"bulk {label} {BULK_SIZE}")


def save_forever(path: Path, pack: Path | None) -> None:
    journal = Journal.open(path, pack=pack)
    say("ready")
    me = os.getpid()
    i = 0
    while True:
        i += 1
        theory = journal.theories.create(
            TheoryDraft(
                title=f"Saved by {me} #{i}",
                body="A theory that must survive a kill. " * 4,
                confidence=1 + i % 99,
                tags=("durable", f"round-{me}"),
            )
        )
        say(f"saved {theory.id}")
        if i % BULK_EVERY == 0:
            bulk(journal, f"{me}-{i}")
        if i % BACKUP_EVERY == 0:
            say("backup-begin")
            made = journal.backups.backup("daily")
            say(f"backup {made.path if made else ''}")


def main(argv: list[str]) -> None:
    path = Path(argv[1])
    pack = Path(argv[2]) if len(argv) > 2 else None
    for command in sys.stdin:
        if command.strip() != "go":
            continue
        sys.stdout.flush()  # nothing buffered may be written twice, by both sides of the fork
        pid = os.fork()
        if pid == 0:
            try:
                save_forever(path, pack)
            except BaseException:
                traceback.print_exc()
                sys.stderr.flush()
            os._exit(1)  # only reached on an error
        say(f"child {pid}")
        _, status = os.waitpid(pid, 0)
        say(f"reaped {status}")


if __name__ == "__main__":
    main(sys.argv)

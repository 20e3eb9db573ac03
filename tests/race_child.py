"""One member of tests/test_race.py's race: random changes to a shared journal at full speed.

Usage: ``python tests/race_child.py CONFIG`` where CONFIG is a JSON file holding ``target`` (a
SQLite path or a server URL), ``worker``, ``seed``, ``seconds``, ``hot`` (the ids of the
theories every member edits), ``hot_bodies``, ``tags`` (the shared tag names), ``log`` (where
the outcomes go), ``ready`` (a file made once the journal is open) and ``folder`` (for the
files this member imports).

The member opens the journal through the app's services, makes the ``ready`` file and waits for
a line on stdin; then, for ``seconds``, it picks one operation after another with a RNG seeded
by ``seed`` (each kind once first, so that every member tries every kind):

- ``create``: a theory with a unique title and body, sometimes with a shared tag;
- ``edit``: read a theory (a hot one mostly), then save it with a unique body and the version
  read as ``expected_version``: the save lands or is refused as stale;
- ``tag``: add one of the shared tags to a theory (a hot one mostly);
- ``import``: a JSON file of 2–3 new theories with unique uids, some with shared tags.

A change turned away with "try again" (a write conflict, a busy file) is made again, up to
five times in all, as a person would. Each operation's outcome is one JSON line in ``log``,
written and flushed once the call has returned: ``"outcome": "ok"`` with what the journal
acknowledged, ``"stale"`` for a refused save, or ``"error"`` with the exception's class, module
and message; ``retried`` lists the "try again" errors met on the way. The last line is
``{"op": "done"}``; a member that ends without it stopped on an exception outside the loop
(its traceback is on stderr).
"""

from __future__ import annotations

import json
import random
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO, TypeVar

from etoile_app.domain.errors import JournalBusyError, JournalError, StaleEditError, WriteConflictError
from etoile_app.domain.models import TheoryDraft
from etoile_app.services.journal import Journal
from etoile_app.storage.database import open_database

T = TypeVar("T")

#: How often each operation is picked (edits most: they are where updates can be lost).
WEIGHTS = {"create": 2, "edit": 5, "tag": 3, "import": 1}
#: The share of edits and tags that go to a hot theory; the rest go to one this member made.
HOT_SHARE = 0.8
#: How many times a change turned away with "try again" is made, as a person would try again.
ATTEMPTS = 5
#: The errors that say "nothing was written, try again".
TRY_AGAIN = (WriteConflictError, JournalBusyError)


class Member:
    def __init__(self, config: dict[str, Any], journal: Journal, log: TextIO) -> None:
        self.worker: int = config["worker"]
        self.rng = random.Random(config["seed"])
        self.hot: list[int] = list(config["hot"])
        self.tags: list[str] = list(config["tags"])
        self.folder = Path(config["folder"])
        self.journal = journal
        self.log = log
        self.mine: list[int] = []
        #: What the operation under way is about, added to the record of its failure.
        self.context: dict[str, Any] = {}
        #: The "try again" errors the operation under way met, by class (each try wrote nothing).
        self.retried: list[str] = []
        self.jitter = random.Random(config["seed"] + 1)
        self.began = time.monotonic()
        self.n = 0
        self.started = time.monotonic()

    def token(self, what: str) -> str:
        """A text no other operation of any member writes."""
        return f"{what} w{self.worker} #{self.n}"

    def record(self, **fields: Any) -> None:
        fields.update(
            worker=self.worker,
            n=self.n,
            t=round(time.monotonic() - self.started, 4),
            took=round(time.monotonic() - self.began, 4),
            retried=self.retried,
        )
        self.log.write(json.dumps(fields) + "\n")
        self.log.flush()

    def attempt(self, call: Callable[[], T]) -> T:
        """``call()``, made again (up to :data:`ATTEMPTS` in all) while it says "try again"."""
        for _ in range(ATTEMPTS - 1):
            try:
                return call()
            except TRY_AGAIN as exc:
                self.retried.append(type(exc).__name__)
                time.sleep(self.jitter.uniform(0.0, 0.01))
        return call()

    def target(self) -> int:
        if not self.mine or self.rng.random() < HOT_SHARE:
            return self.rng.choice(self.hot)
        return self.rng.choice(self.mine[-20:])

    def run(self, seconds: float) -> None:
        handlers = {"create": self.create, "edit": self.edit, "tag": self.tag, "import": self.import_file}
        ops, weights = zip(*WEIGHTS.items(), strict=True)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.n += 1
            # Each kind once first (in an order of the member's own), then at random.
            op = (
                ops[(self.worker + self.n - 1) % len(ops)]
                if self.n <= len(ops)
                else self.rng.choices(ops, weights)[0]
            )
            self.context, self.retried, self.began = {}, [], time.monotonic()
            try:
                handlers[op]()
            except Exception as exc:  # every failure is recorded, whatever it is
                self.record(
                    op=op,
                    outcome="error",
                    cls=type(exc).__name__,
                    module=type(exc).__module__,
                    journal_error=isinstance(exc, JournalError),
                    message=str(exc)[:500],
                    trace=traceback.format_exc()[-2000:],
                    **self.context,
                )

    def create(self) -> None:
        title = self.token("Created")
        tags = (self.rng.choice(self.tags),) if self.rng.random() < 0.5 else ()
        draft = TheoryDraft(title=title, body=title + " body", tags=tags)
        theory = self.attempt(lambda: self.journal.theories.create(draft))
        self.mine.append(theory.id)
        self.record(
            op="create", outcome="ok", id=theory.id, title=title, body=theory.body, tags=list(theory.tags)
        )

    def edit(self) -> None:
        theory_id = self.target()
        read = self.journal.theories.get(theory_id)
        body = self.token("Edited")
        draft = replace(read.as_draft(), body=body, expected_version=read.version)
        self.context = {"id": theory_id, "base": read.version, "body": body}
        try:
            saved = self.attempt(lambda: self.journal.theories.edit(theory_id, draft))
        except StaleEditError as refused:
            theirs = refused.theirs.version  # type: ignore[attr-defined]
            self.record(op="edit", outcome="stale", id=theory_id, base=read.version, body=body, theirs=theirs)
            return
        self.record(
            op="edit", outcome="ok", id=theory_id, base=read.version, version=saved.version, body=body
        )

    def tag(self) -> None:
        theory_id = self.target()
        tag = self.rng.choice(self.tags)
        self.context = {"id": theory_id, "tag": tag}
        (theory,) = self.attempt(lambda: self.journal.theories.add_tag_many([theory_id], tag))
        self.record(
            op="tag", outcome="ok", id=theory_id, tag=tag, version=theory.version, tags=list(theory.tags)
        )

    def import_file(self) -> None:
        stamp = "2026-01-01T09:00:00Z"
        entries = []
        for k in range(self.rng.choice((2, 3))):
            uid = f"00000000-0000-4000-8000-{self.worker:04d}{self.n:05d}{k:03d}"
            entry: dict[str, Any] = {
                "uid": uid,
                "title": self.token(f"Imported {k}"),
                "body": "Brought in from a file.",
                "confidence": 40,
                "status": "open",
                "created_at": stamp,
                "history": [{"confidence": 40, "changed_at": stamp}],
                "tags": [self.rng.choice(self.tags)] if k else [],
            }
            entries.append(entry)
        path = self.folder / f"import-{self.n}.json"
        doc = {"format": "etoile-journal", "format_version": 1, "theories": entries}
        path.write_text(json.dumps(doc), encoding="utf-8")
        report = self.attempt(lambda: self.journal.import_file(path))
        self.record(
            op="import",
            outcome="ok",
            created=report.theories_created,
            theories=[{"uid": e["uid"], "title": e["title"], "tags": e["tags"]} for e in entries],
        )


def main(argv: list[str]) -> None:
    config = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    target = config["target"]
    journal = Journal.from_database(open_database(target if "://" in target else Path(target)))
    try:
        with open(config["log"], "w", encoding="utf-8") as log:
            member = Member(config, journal, log)
            Path(config["ready"]).touch()
            sys.stdin.readline()  # the parent says go once every member is ready
            member.started = time.monotonic()
            member.run(config["seconds"])
            member.retried, member.began = [], time.monotonic()
            member.record(op="done", outcome="ok")
    finally:
        journal.close()


if __name__ == "__main__":
    main(sys.argv)

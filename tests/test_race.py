"""Several members changing one journal at once lose nothing.

A few processes (tests/race_child.py), each with its own ``Journal`` on the same database,
create, edit, tag and import theories at full speed for a few seconds, with seeded RNGs: edits
go mostly to a handful of hot theories, tags come from a small shared set that no theory
carries yet, so several members make the same new tag at once. Each member logs every outcome.
Afterwards, for any interleaving:

- every acknowledged theory (created or imported) is there, and every acknowledged tag link;
- each theory's body is that of its acknowledged edit with the highest version, or its first
  one; no refused or failed edit's body is anywhere;
- two acknowledged edits of a theory never started from the same version (that would be an
  update lost without a refusal), and each one's version is the one it read plus one;
- every theory's ``tags_text`` is its links, and each tag name is there once;
- nothing failed but stale saves and "try again" errors (a write conflict on the server, a busy
  file on SQLite); a raw database error or anything else fails the test;
- every kind of operation was tried (each member tries each kind first).

On a PostgreSQL server, the club's case, "try again" must be rare, every kind of operation must
have been acknowledged, and some saves refused as stale. On a SQLite file the app keeps one
writer (its lock file), so several writing processes are not its case: most of their changes
are turned away as busy, and the test asks only that nothing be lost (see the SQLite test's
docstring).

Members: ``ETOILE_RACE_MEMBERS`` (default 4); seconds: ``ETOILE_RACE_SECONDS`` (default 6);
``ETOILE_RACE_SEED`` repeats a run's choices (not its interleaving, which is the point).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import URL, func, select

from etoile_app.domain.models import TheoryDraft
from etoile_app.services.journal import Journal
from etoile_app.storage.database import open_database
from etoile_app.storage.models import TagRecord, TheoryRecord, theory_tags
from etoile_app.storage.search_columns import tags_text

HERE = Path(__file__).resolve().parent
CHILD = HERE / "race_child.py"
MEMBERS = int(os.environ.get("ETOILE_RACE_MEMBERS", "4"))
SECONDS = float(os.environ.get("ETOILE_RACE_SECONDS", "6"))
SEED = int(os.environ.get("ETOILE_RACE_SEED", str(random.SystemRandom().randrange(1 << 30))))
#: The theories every member edits and tags: few, so that saves collide.
HOT = 5
#: The shared tags: none exists before the race, so members make them at the same moment.
TAGS = ("club/new-1", "club/new-2", "club/new-3", "rumour", "gala", "season-2")
STARTUP_TIMEOUT_S = 60
#: Errors that say "nothing was written, try again": a conflict on the server, a busy SQLite file.
RETRYABLE = frozenset({"WriteConflictError", "JournalBusyError"})
#: On a server, "try again" may turn away at most this many tries per operation (members try a
#: change again up to five times in all; each try turned away counts, as does a last one).
RETRYABLE_SHARE = 0.05

pytestmark = pytest.mark.slow


def _hot_theories(target: Path | URL) -> dict[int, str]:
    """The hot theories, made before the race: their ids and first bodies."""
    journal = Journal.from_database(open_database(target))
    try:
        made = [
            journal.theories.create(TheoryDraft(title=f"Hot theory {i}", body=f"First body {i}"))
            for i in range(HOT)
        ]
    finally:
        journal.close()
    return {t.id: t.body for t in made}


def _start(target: Path | URL, hot: dict[int, str], folder: Path) -> list[tuple[subprocess.Popen, Path]]:
    where = str(target) if isinstance(target, Path) else target.render_as_string(hide_password=False)
    members = []
    for worker in range(MEMBERS):
        home = folder / f"member-{worker}"
        (home / "files").mkdir(parents=True)
        config = {
            "target": where,
            "worker": worker,
            "seed": SEED * 1000 + worker,
            "seconds": SECONDS,
            "hot": list(hot),
            "tags": list(TAGS),
            "log": str(home / "log.jsonl"),
            "ready": str(home / "ready"),
            "folder": str(home / "files"),
        }
        (home / "config.json").write_text(json.dumps(config), encoding="utf-8")
        # Each member has user folders of its own, as on its own computer.
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
            XDG_DATA_HOME=str(home / "data"),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_CACHE_HOME=str(home / "cache"),
        )
        proc = subprocess.Popen(
            [sys.executable, str(CHILD), str(home / "config.json")],
            stdin=subprocess.PIPE,
            stdout=(home / "stdout").open("w"),
            stderr=(home / "stderr").open("w"),
            text=True,
            env=env,
        )
        members.append((proc, home))
    return members


def _race(members: list[tuple[subprocess.Popen, Path]]) -> None:
    """Wait until every member has its journal open, start them together, wait for their end."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    for proc, home in members:
        while not (home / "ready").exists():
            if proc.poll() is not None:
                raise AssertionError(f"{home.name} ended before the race:\n{(home / 'stderr').read_text()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{home.name} never opened the journal")
            time.sleep(0.02)
    for proc, _home in members:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.close()
    for proc, home in members:
        try:
            code = proc.wait(SECONDS + STARTUP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError(f"{home.name} did not stop after the race") from None
        assert code == 0, f"{home.name} exited with {code}:\n{(home / 'stderr').read_text()}"


def _outcomes(members: list[tuple[subprocess.Popen, Path]]) -> list[dict[str, Any]]:
    records = []
    for _proc, home in members:
        lines = [json.loads(line) for line in (home / "log.jsonl").read_text(encoding="utf-8").splitlines()]
        assert lines and lines[-1]["op"] == "done", (
            f"{home.name} stopped early:\n{(home / 'stderr').read_text()}"
        )
        records += lines[:-1]
    return records


def _database(target: Path | URL) -> tuple[dict[int, Any], dict[int, set[str]], list[str]]:
    """Every theory's row, every theory's tag links, and every tag name (with repeats)."""
    db = open_database(target)
    try:
        with db.sessions() as s:
            rows = {
                r.id: r
                for r in s.execute(
                    select(
                        TheoryRecord.id,
                        TheoryRecord.uid,
                        TheoryRecord.title,
                        TheoryRecord.body,
                        TheoryRecord.version,
                        TheoryRecord.tags_text,
                    )
                )
            }
            links: dict[int, set[str]] = defaultdict(set)
            for theory_id, name in s.execute(
                select(theory_tags.c.theory_id, TagRecord.name).join(
                    TagRecord, TagRecord.id == theory_tags.c.tag_id
                )
            ):
                links[theory_id].add(name)
            names = list(s.scalars(select(TagRecord.name)))
            assert s.scalar(select(func.count()).select_from(TagRecord)) == len(names)
    finally:
        db.dispose()
    return rows, links, names


def _race_and_check(
    target: Path | URL, folder: Path, *, retryable_share: float | None, every_kind_lands: bool
) -> None:
    """Run the race on ``target`` and check what it left (see the module's docstring).
    ``retryable_share``: the most tries per operation that "try again" may turn away (``None``:
    any number); ``every_kind_lands``: whether every kind of operation must have been
    acknowledged and some saves refused as stale (else every kind was tried, and something
    was acknowledged)."""
    hot = _hot_theories(target)
    members = _start(target, hot, folder)
    started = time.monotonic()
    try:
        _race(members)
    finally:
        for proc, _home in members:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    elapsed = time.monotonic() - started
    records = _outcomes(members)
    rows, links, names = _database(target)
    note = f"seed {SEED} (ETOILE_RACE_SEED={SEED} repeats its choices)"

    # --- what failed, and how -----------------------------------------------------------------
    kinds = Counter((r["op"], r["outcome"]) for r in records)
    errors = [r for r in records if r["outcome"] == "error"]
    retryable = [r for r in errors if r["journal_error"] and r["cls"] in RETRYABLE]
    unexpected = [r for r in errors if r not in retryable]
    try_again = Counter(cls for r in records for cls in r["retried"]) + Counter(r["cls"] for r in retryable)
    assert not unexpected, f"{note}: {len(unexpected)} operations failed, e.g.:\n" + "\n".join(
        f"{r['op']}: {r['module']}.{r['cls']}: {r['message']}\n{r['trace']}" for r in unexpected[:3]
    )
    assert retryable_share is None or try_again.total() <= retryable_share * len(records), (
        f"{note}: {try_again.total()} tries of {len(records)} operations were turned away with "
        f"'try again': {dict(try_again)}"
    )
    assert all(r["op"] == "edit" for r in records if r["outcome"] == "stale")

    # --- nothing acknowledged is missing --------------------------------------------------------
    by_uid = {row.uid: row for row in rows.values()}
    for r in records:
        if r["outcome"] != "ok":
            continue
        if r["op"] == "create":
            assert r["id"] in rows, f"{note}: created theory {r['id']} is missing"
            assert rows[r["id"]].title == r["title"]
            assert set(r["tags"]) <= links[r["id"]], f"{note}: theory {r['id']} lost a tag it was made with"
        elif r["op"] == "import":
            assert r["created"] == len(r["theories"])
            for entry in r["theories"]:
                row = by_uid.get(entry["uid"])
                assert row is not None, f"{note}: imported theory {entry['uid']} is missing"
                assert row.title == entry["title"]
                assert set(entry["tags"]) <= links[row.id], f"{note}: imported {entry['uid']} lost a tag"
        elif r["op"] == "tag":
            assert r["tag"] in r["tags"]
            assert r["tag"] in links[r["id"]], (
                f"{note}: tag {r['tag']!r} on theory {r['id']} was acknowledged (version {r['version']}) "
                f"and is gone: the theory has {sorted(links[r['id']])}"
            )
            assert rows[r["id"]].version >= r["version"]

    twice = [title for title, n in Counter(row.title for row in rows.values()).items() if n > 1]
    assert not twice, f"{note}: theories written twice (a try turned away had written): {twice[:5]}"

    # --- no update lost without a refusal -------------------------------------------------------
    first_bodies = dict(hot)
    first_bodies.update((r["id"], r["body"]) for r in records if r["op"] == "create" and r["outcome"] == "ok")
    saves: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        if r["op"] == "edit" and r["outcome"] == "ok":
            saves[r["id"]].append(r)
            assert r["version"] == r["base"] + 1, f"{note}: a save of theory {r['id']} counted wrong: {r}"
    for theory_id, acknowledged in saves.items():
        bases = Counter(r["base"] for r in acknowledged)
        twice = {base: n for base, n in bases.items() if n > 1}
        assert not twice, (
            f"{note}: theory {theory_id}: saves from the same version were all acknowledged (a lost "
            f"update): {[r for r in acknowledged if r['base'] in twice]}"
        )
    for theory_id, body in first_bodies.items():
        acknowledged = saves.get(theory_id)
        wanted = max(acknowledged, key=lambda r: r["version"])["body"] if acknowledged else body
        assert rows[theory_id].body == wanted, (
            f"{note}: theory {theory_id} holds {rows[theory_id].body!r}, not its last acknowledged body "
            f"{wanted!r}"
        )
        if acknowledged:
            assert rows[theory_id].version >= max(r["version"] for r in acknowledged)
    not_written = {r["body"] for r in records if r["op"] == "edit" and r["outcome"] != "ok" and "body" in r}
    written = not_written & {row.body for row in rows.values()}
    assert not written, f"{note}: refused or failed saves were written: {sorted(written)[:5]}"

    # --- the list column matches the links; tags are made once ----------------------------------
    mismatched = {
        i: (row.tags_text, sorted(links[i]))
        for i, row in rows.items()
        if row.tags_text != tags_text(links[i])
    }
    assert not mismatched, f"{note}: tags_text differs from the links: {dict(list(mismatched.items())[:5])}"
    repeated = [name for name, n in Counter(names).items() if n > 1]
    assert not repeated, f"{note}: tags made twice: {repeated}"
    used = {r["tag"] for r in records if r["op"] == "tag" and r["outcome"] == "ok"}
    assert used <= set(names)

    # --- every kind of operation happened, and saves collided ---------------------------------
    for op in ("create", "edit", "tag", "import"):
        assert sum(n for (kind, _), n in kinds.items() if kind == op) > 0, f"{note}: no {op} was tried"
        if every_kind_lands:
            assert kinds[(op, "ok")] > 0, f"{note}: no {op} was acknowledged: {kinds}"
    assert sum(n for (_, outcome), n in kinds.items() if outcome == "ok") > 0, f"{note}: nothing landed"
    if every_kind_lands:
        assert kinds[("edit", "stale")] > 0, f"{note}: no save was refused as stale: {kinds}"

    print(
        f"\nrace: {MEMBERS} members, {SECONDS:g} s ({elapsed:.1f} s in all), {note}: "
        f"{len(records)} operations; "
        + ", ".join(f"{op} {outcome} {n}" for (op, outcome), n in sorted(kinds.items()))
        + f"; tries turned away with 'try again': {dict(try_again)}"
    )


@pytest.mark.postgresql
def test_members_on_one_server_database_lose_nothing(db_target: Path | URL, tmp_path: Path) -> None:
    """The club's case: members on one server database, saves colliding on the hot theories."""
    _race_and_check(db_target, tmp_path, retryable_share=RETRYABLE_SHARE, every_kind_lands=True)


@pytest.mark.sqlite
def test_members_on_one_sqlite_file_lose_nothing_even_when_it_is_busy(
    db_target: Path | URL, tmp_path: Path
) -> None:
    """Several processes writing one SQLite file: not how the app runs (it keeps one writer per
    file, docs/DATA_SAFETY.md "One writer"), and most of their writes are turned away as busy.
    A change reads before it writes in a deferred transaction, and SQLite refuses at once, busy
    timeout or not, a transaction whose snapshot another process's commit has made old; so
    "try again" is not rare here (members try again, up to five times), and a kind of change
    may never get through, nor a save be refused as stale. What holds on a server holds here
    too: nothing acknowledged is lost, and a busy or refused change wrote nothing."""
    _race_and_check(db_target, tmp_path, retryable_share=None, every_kind_lands=False)

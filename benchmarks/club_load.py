"""A fan club under load: members in processes of their own, each with its own login, writing
and reading one journal on a PostgreSQL server for minutes at a fan's pace.

    .venv/bin/python -m benchmarks.club_load --url postgresql+psycopg://etoile@127.0.0.1:5432/postgres

``--url`` is a login that may create logins and databases (``tools/throwaway-postgres``
starts a server with one). The run makes a new database and an owner login, makes the
database a club (``club init``), gives ``--members`` members a login each (``club
add-member``), and the owner writes some theories to start from. Then every member runs in a
child process for ``--minutes``: about every ``--pace`` seconds (exponentially spread) it
writes a theory, forecasts on anyone's open theory, tags or edits one of its own (typed over a
few seconds from the copy read when the edit began), resolves one of its own, or reads the
board; about once a minute it
tries, through SQL of its own on its own login, to change another member's theory, forecast
and name, which the server must refuse. Each member listens for changes as the app does
(``storage.live.Listener``) and, on each, reads the board's first page again, as the window
does. Meanwhile the owner changes members' theories about once a second (so some members'
saves are refused as stale, as they must be; the member then saves over the theory as it now
is) and every 20 seconds writes a marker theory, whose first appearance on every member's
board is timed.

Afterwards the run checks, from the database as the owner sees it: every change a member was
told was made is there (each theory, forecast, tag, edit and resolution, by its unique note or
title); no member met an error other than a refused stale save; every attempt on another
member's rows was refused and changed nothing; every member's board showed every marker, and
how long after its commit. The figures go to stdout as JSON and into docs/BENCHMARKS.md by hand.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import URL, create_engine, func, make_url, select, text

MARKER_EVERY = 20.0
#: How long a member takes to type an edit (seconds, spread evenly).
EDIT_SECONDS = (3.0, 15.0)
#: How often, every half second, the owner changes a member's theory (its juiciness).
OWNER_EDIT_CHANCE = 0.6
#: After the members stop writing: how long they keep listening for the last marker.
SETTLE_SECONDS = 6.0


def _draft(title: str, confidence: int, **extra: Any):
    from etoile_app.domain.enums import Category
    from etoile_app.domain.models import TheoryDraft

    return TheoryDraft(title=title, category=Category.OTHER, confidence=confidence, **extra)


# --- a member ------------------------------------------------------------------------------------


class Member:
    def __init__(self, url: URL, index: int, seconds: float, pace: float, log: Path) -> None:
        from etoile_app.services.journal import Journal
        from etoile_app.storage.live import listener_for

        self.index, self.seconds, self.pace, self.log = index, seconds, pace, log
        self.rng = random.Random(index * 7919)
        self.journal = Journal.open(url, backups=False)
        self.journal.join_club(f"Member {index:02d}")
        self.me = self.journal.identity.member_id
        self.acks: list[dict[str, Any]] = []
        self.errors: Counter[str] = Counter()
        self.error_texts: list[str] = []
        self.attempts: list[dict[str, Any]] = []
        self.latency: dict[str, list[float]] = {}
        self.seen: dict[str, float] = {}
        self.count = 0
        self.last: dict[int, int] = {}  # my latest forecast on each theory
        self._changed = threading.Event()
        self.listener = listener_for(self.journal.database, lambda tables: self._changed.set())
        assert self.listener is not None
        self.listener.start()
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._watch, daemon=True)
        self._reader.start()

    # The window's refresh: on news, read the board's first page again.
    def _watch(self) -> None:
        from etoile_app.domain.models import TheoryQuery

        while not self._stop.is_set():
            if not self._changed.wait(0.2):
                continue
            self._changed.clear()
            try:
                rows = self.journal.board.page(TheoryQuery(), 0, 100)
            except Exception as exc:  # counted, never fatal to the run
                self.errors[f"refresh:{type(exc).__name__}"] += 1
                continue
            now = time.time()
            for row in rows:
                if row.title.startswith("Marker ") and row.title not in self.seen:
                    self.seen[row.title] = now

    def _timed(self, kind: str, work) -> Any:
        start = time.perf_counter()
        try:
            return work()
        finally:
            self.latency.setdefault(kind, []).append(time.perf_counter() - start)

    def run(self) -> None:
        from etoile_app.domain.errors import StaleEditError

        end = time.time() + self.seconds
        next_attack = time.time() + self.rng.uniform(20, 60)
        while time.time() < end:
            time.sleep(min(self.rng.expovariate(1 / self.pace), max(0.0, end - time.time())))
            if time.time() >= end:
                break
            try:
                if time.time() >= next_attack:
                    self.attack()
                    next_attack = time.time() + self.rng.uniform(40, 80)
                else:
                    self.act()
            except StaleEditError:
                self.errors["StaleEditError"] += 1
            except Exception as exc:
                self.errors[type(exc).__name__] += 1
                if len(self.error_texts) < 5:
                    self.error_texts.append(f"{type(exc).__name__}: {exc}")
        time.sleep(SETTLE_SECONDS)
        self._stop.set()
        self._reader.join(2)
        self.listener.stop()
        self.journal.close()

    def _note(self) -> str:
        self.count += 1
        return f"m{self.index:02d}-{self.count}"

    def _open_theories(self, mine: bool) -> list[Any]:
        from etoile_app.storage.models import TheoryRecord as T

        with self.journal.database.sessions() as s:
            stmt = select(T.id, T.version, T.title, T.author_id).where(
                T.status == "open", T.deleted_at.is_(None)
            )
            stmt = stmt.where(T.author_id == self.me) if mine else stmt.where(T.author_id != self.me)
            return list(s.execute(stmt.order_by(T.id.desc()).limit(50)).all())

    def act(self) -> None:
        from etoile_app.domain.errors import StaleEditError

        roll = self.rng.random()
        theories = self.journal.theories
        if roll < 0.15:
            note = self._note()
            made = self._timed(
                "create", lambda: theories.create(_draft(f"Theory {note}", self.rng.randint(5, 95)))
            )
            self.acks.append({"kind": "create", "id": made.id, "title": f"Theory {note}"})
        elif roll < 0.50:
            others = self._open_theories(mine=False)
            if not others:
                return
            target = self.rng.choice(others)
            # A forecast equal to one's last on the theory adds nothing (by design): pick
            # another value, so that every acknowledged forecast is a row to look for.
            value = self.rng.randint(1, 99)
            while value == self.last.get(target.id):
                value = self.rng.randint(1, 99)
            note = self._note()
            self._timed("forecast", lambda: theories.forecast(target.id, value, note=note))
            self.last[target.id] = value
            self.acks.append({"kind": "forecast", "id": target.id, "note": note, "confidence": value})
        elif roll < 0.60:
            mine = self._open_theories(mine=True)
            if not mine:
                return
            target = self.rng.choice(mine)
            tag = f"tag-{self.rng.randint(1, 30)}"
            current = theories.get(target.id)
            self._timed("tag", lambda: theories.set_tags(target.id, [*current.tags, tag]))
            self.acks.append({"kind": "tag", "id": target.id, "tag": tag})
        elif roll < 0.68:
            mine = self._open_theories(mine=True)
            if not mine:
                return
            target = self.rng.choice(mine)
            copy = theories.get(target.id)
            time.sleep(self.rng.uniform(*EDIT_SECONDS))  # the time it takes to type
            note = self._note()
            title = f"Theory {note} (edited)"
            try:
                draft = _draft(title, copy.confidence, tags=copy.tags, expected_version=copy.version)
                self._timed("edit", lambda: theories.edit(target.id, draft))
            except StaleEditError as stale:
                # Someone changed it meanwhile: the save is refused, as it must be. The member
                # then keeps their words over the theory as it now is (the conflict dialog's
                # "keep mine"), which is saved.
                self.errors["StaleEditError"] += 1
                theirs = stale.theirs
                draft = _draft(title, theirs.confidence, tags=theirs.tags, expected_version=theirs.version)
                self._timed("edit", lambda: theories.edit(target.id, draft))
            self.acks.append({"kind": "edit", "id": target.id, "title": f"Theory {note} (edited)"})
        elif roll < 0.72:
            mine = self._open_theories(mine=True)
            if not mine:
                return
            target = self.rng.choice(mine)
            status = self.rng.choice(["confirmed", "busted"])
            self._timed("resolve", lambda: theories.resolve(target.id, status))
            self.acks.append({"kind": "resolve", "id": target.id, "status": status})
        else:
            from etoile_app.domain.models import TheoryQuery

            self._timed("read", lambda: self.journal.board.page(TheoryQuery(), 0, 100))

    def attack(self) -> None:
        """Try, with SQL of one's own, to change another member's rows; record what happened."""
        from etoile_app.storage.models import ForecastRecord as F
        from etoile_app.storage.models import TheoryRecord as T

        with self.journal.database.sessions() as s:
            theirs = s.execute(select(T.id, T.author_id).where(T.author_id != self.me).limit(1)).first()
            their_forecast = s.execute(
                select(F.id, F.forecaster_id, F.theory_id).where(F.forecaster_id != self.me).limit(1)
            ).first()
        if theirs is None or their_forecast is None:
            return
        engine = self.journal.database.engine
        tries = [
            ("update another's theory", f"UPDATE theories SET title = 'hijacked' WHERE id = {theirs.id}"),
            ("delete another's forecast", f"DELETE FROM forecasts WHERE id = {their_forecast.id}"),
            (
                "rename another member",
                f"UPDATE forecasters SET name = 'hijacked' WHERE id = {theirs.author_id}",
            ),
            (
                "forecast as another member",
                "INSERT INTO forecasts (theory_id, forecaster_id, confidence, changed_at, note) "
                f"VALUES ({their_forecast.theory_id}, {their_forecast.forecaster_id}, 1, now(), 'hijacked')",
            ),
        ]
        for what, sql in tries:
            refused, detail = False, ""
            try:
                with engine.begin() as conn:
                    changed = conn.exec_driver_sql(sql).rowcount
                refused = changed == 0
                detail = f"{changed} rows"
            except Exception as exc:
                refused = "row-level security" in str(exc)
                detail = type(exc).__name__
            self.attempts.append({"what": what, "refused": refused, "detail": detail})

    def report(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "member": self.me,
            "acks": self.acks,
            "errors": dict(self.errors),
            "error_texts": self.error_texts,
            "attempts": self.attempts,
            "latency": self.latency,
            "seen": self.seen,
        }


def member_main(args: argparse.Namespace) -> int:
    member = Member(make_url(args.member_url), args.index, args.seconds, args.pace, Path(args.log))
    print("ready", flush=True)
    sys.stdin.readline()  # everyone starts together
    member.run()
    Path(args.log).write_text(json.dumps(member.report()))
    return 0


# --- the run -----------------------------------------------------------------------------------


def _quantiles(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]

    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(at(0.95) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def _setup(admin_url: URL, members: int) -> tuple[URL, list[URL], str]:
    from etoile_app.services.club import add_member, init_club
    from etoile_app.storage.engine import make_engine

    run = f"club_load_{os.getpid()}_{int(time.time())}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{run}_owner" LOGIN CREATEROLE'))
        conn.execute(text(f'CREATE DATABASE "{run}" OWNER "{run}_owner"'))
    admin.dispose()
    owner = admin_url.set(database=run, username=f"{run}_owner", password=None)
    engine = make_engine(owner)
    try:
        init_club(engine, "Owner")
        logins = [add_member(engine, f"{run}_m{i:02d}") for i in range(members)]
    finally:
        engine.dispose()
    return owner, [owner.set(username=m.login) for m in logins], run


def _teardown(admin_url: URL, run: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)'))
        roles = conn.execute(
            text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"), {"p": f"{run}%"}
        ).scalars()
        for role in sorted(roles, key=lambda r: r.endswith("_owner")):
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    admin.dispose()


def _owner_loop(owner_url: URL, seconds: float, markers: dict[str, float], edits: list[int]) -> None:
    """The owner: a marker theory every MARKER_EVERY seconds, and now and then an edit of a
    member's theory (which makes that member's next save from an older copy stale)."""
    from etoile_app.services.journal import Journal
    from etoile_app.storage.models import TheoryRecord as T

    journal = Journal.open(owner_url, backups=False)
    rng = random.Random(1)
    end = time.time() + seconds
    next_marker = time.time() + MARKER_EVERY / 2
    try:
        while time.time() < end:
            time.sleep(0.5)
            if time.time() >= next_marker:
                title = f"Marker {len(markers) + 1}"
                journal.theories.create(_draft(title, 50))
                markers[title] = time.time()
                next_marker += MARKER_EVERY
            elif rng.random() < OWNER_EDIT_CHANCE:
                with journal.database.sessions() as s:
                    ids = list(
                        s.scalars(
                            select(T.id).where(T.status == "open", T.title.like("Theory m%")).limit(2000)
                        )
                    )
                if ids:
                    target = rng.choice(ids)
                    current = journal.theories.get(target)
                    journal.theories.set_juiciness(target, rng.randint(1, 5))
                    edits.append(current.id)
        # The last marker, after every member has stopped writing.
        time.sleep(1.0)
        title = f"Marker {len(markers) + 1}"
        journal.theories.create(_draft(title, 50))
        markers[title] = time.time()
    finally:
        journal.close()


def _verify(owner_url: URL, reports: list[dict[str, Any]]) -> dict[str, Any]:
    from etoile_app.storage.engine import make_engine
    from etoile_app.storage.models import ForecasterRecord as M
    from etoile_app.storage.models import ForecastRecord as F
    from etoile_app.storage.models import TagRecord, theory_tags
    from etoile_app.storage.models import TheoryRecord as T

    engine = make_engine(owner_url)
    missing: list[str] = []
    try:
        with engine.connect() as conn:
            titles = dict(conn.execute(select(T.id, T.title)).all())
            statuses = dict(conn.execute(select(T.id, T.status)).all())
            notes = {(r.forecaster_id, r.note): (r.theory_id, r.confidence) for r in conn.execute(select(F))}
            tags = {
                (r.theory_id, r.name)
                for r in conn.execute(
                    select(theory_tags.c.theory_id, TagRecord.name).join(
                        TagRecord, TagRecord.id == theory_tags.c.tag_id
                    )
                )
            }
            hijacked = sum(
                conn.execute(select(func.count()).where(condition)).scalar_one()
                for condition in (T.title == "hijacked", M.name == "hijacked", F.note == "hijacked")
            )
    finally:
        engine.dispose()
    last_title: dict[int, str] = {}
    for report in reports:
        for ack in report["acks"]:
            kind, ident = ack["kind"], ack["id"]
            if kind in ("create", "edit"):
                last_title[ident] = ack["title"]
            elif kind == "forecast":
                if notes.get((report["member"], ack["note"])) != (ident, ack["confidence"]):
                    missing.append(f"forecast {ack['note']}")
            elif kind == "tag" and (ident, ack["tag"]) not in tags:
                missing.append(f"tag {ack['tag']} on {ident}")
            elif kind == "resolve" and statuses.get(ident) != ack["status"]:
                missing.append(f"resolution of {ident}")
    missing += [f"title of {i}" for i, title in last_title.items() if titles.get(i) != title]
    return {"missing": missing, "hijacked_rows": hijacked}


def run(args: argparse.Namespace) -> dict[str, Any]:
    admin_url = make_url(args.url)
    seconds = args.minutes * 60
    owner_url, member_urls, name = _setup(admin_url, args.members)
    folder = Path(tempfile.mkdtemp(prefix="club-load-"))
    try:
        from etoile_app.services.journal import Journal

        seed = Journal.open(owner_url, backups=False)
        for i in range(40):
            seed.theories.create(_draft(f"Theory seed-{i}", 10 + i * 2))
        seed.close()
        children = []
        for i, url in enumerate(member_urls):
            log = folder / f"{i}.json"
            command = [
                sys.executable, "-m", "benchmarks.club_load", "member",
                "--member-url", url.render_as_string(hide_password=False),
                "--index", str(i), "--seconds", str(seconds), "--pace", str(args.pace), "--log", str(log),
            ]  # fmt: skip
            child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            children.append((child, log))
        for child, _log in children:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        started = time.time()
        for child, _log in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        markers: dict[str, float] = {}
        edits: list[int] = []
        _owner_loop(owner_url, seconds, markers, edits)
        for child, _log in children:
            child.wait(timeout=seconds + 120)
        elapsed = time.time() - started
        reports = [json.loads(log.read_text()) for _child, log in children]
        checked = _verify(owner_url, reports)
    finally:
        _teardown(admin_url, name)
    errors: Counter[str] = Counter()
    for r in reports:
        errors.update(r["errors"])
    attempts = [a for r in reports for a in r["attempts"]]
    lags = [r["seen"][m] - t for r in reports for m, t in markers.items() if m in r["seen"]]
    unseen = sum(1 for r in reports for m in markers if m not in r["seen"])
    last = max(markers, key=markers.get)
    last_lags = [r["seen"][last] - markers[last] for r in reports if last in r["seen"]]
    kinds: dict[str, list[float]] = {}
    for r in reports:
        for kind, values in r["latency"].items():
            kinds.setdefault(kind, []).extend(values)
    acks = Counter(a["kind"] for r in reports for a in r["acks"])
    return {
        "members": args.members,
        "minutes": round(elapsed / 60, 2),
        "pace_seconds": args.pace,
        "acknowledged": dict(acks),
        "acknowledged_missing": checked["missing"][:20],
        "acknowledged_missing_count": len(checked["missing"]),
        "errors": dict(errors),
        "error_samples": [t for r in reports for t in r["error_texts"]][:10],
        "owner_edits": len(edits),
        "attacks": len(attempts),
        "attacks_refused": sum(1 for a in attempts if a["refused"]),
        "attacks_by_kind": dict(Counter(a["what"] for a in attempts)),
        "hijacked_rows": checked["hijacked_rows"],
        "markers": len(markers),
        "marker_sightings_missed": unseen,
        "marker_to_board": _quantiles(lags),
        "last_marker_to_board": _quantiles(last_lags),
        "latency": {kind: _quantiles(values) for kind, values in sorted(kinds.items())},
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.club_load", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="role")
    member = sub.add_parser("member")
    member.add_argument("--member-url", required=True)
    member.add_argument("--index", type=int, required=True)
    member.add_argument("--seconds", type=float, required=True)
    member.add_argument("--pace", type=float, required=True)
    member.add_argument("--log", required=True)
    parser.add_argument("--url", help="a login that may create logins and databases")
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--pace", type=float, default=3.0, help="mean seconds between a member's actions")
    args = parser.parse_args(argv)
    if args.role == "member":
        return member_main(args)
    if not args.url:
        parser.error("--url is required")
    print(json.dumps(run(args), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Search on PostgreSQL: a keystroke's board queries against the raw ``tsvector`` query.

    .venv/bin/python -m benchmarks.pg_search --url postgresql+psycopg://etoile@127.0.0.1:5432/postgres

``--url`` is a login on a server that may create databases (``tools/throwaway-postgres``
starts one). The journal, ``--size`` theories written by :mod:`benchmarks.generate` on the
app's own schema, goes into a database of its own on that server, kept between runs
(``etoile_bench_search_<size>_v<generator version>``; ``--fresh`` writes it again).

Each keystroke of five words typed a letter at a time (the words of ``benchmarks.board``) is
asked as the board asks for it (``ui/board/model.py``): :class:`BoardService`'s first page
(100 rows, newest first), then, when that page is full, its count. The floor is the first
page by hand-written SQL on a psycopg connection of its own: the row's columns ``FROM
theories WHERE deleted_at IS NULL AND search_vector @@ to_tsquery('simple', 'prefix:*') ORDER
BY updated_at DESC, id DESC LIMIT 100``. Each round runs every variant once per prefix in a
new random order; the first round is a warm-up. The target compares the keystroke's p95
with the floor's.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import URL, create_engine, make_url, text

from benchmarks.generate import GENERATOR_VERSION, generate
from benchmarks.timing import OtherLoad, Stats

#: The words typed, as in benchmarks.board.
WORDS = ("mishi", "genev", "gala", "swap", "london")
PAGE_SIZE = 100
TARGET = 2.0

RAW_SQL = (
    "SELECT id, title, category, characters_text, tags_text, confidence, juiciness, status, "
    "resolve_by, created_at, updated_at FROM theories WHERE deleted_at IS NULL "
    "AND search_vector @@ to_tsquery('simple', %s) ORDER BY updated_at DESC, id DESC LIMIT %s"
)
RAW_COUNT_SQL = (
    "SELECT count(*) FROM theories WHERE deleted_at IS NULL AND search_vector @@ to_tsquery('simple', %s)"
)


def prefixes() -> list[str]:
    return [word[: i + 1] for word in WORDS for i in range(len(word))]


def journal_url(server: URL, size: int, *, fresh: bool) -> URL:
    """The benchmark journal's database on ``server``, written now if missing (or ``fresh``)."""
    name = f"etoile_bench_search_{size}_v{GENERATOR_VERSION}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            complete = exists is not None and not fresh and _has_theories(server.set(database=name), size)
            if not complete:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    url = server.set(database=name)
    if not complete:
        generate(url, size)
        # What autovacuum does to a journal soon after a bulk write: statistics and the
        # visibility map, which the planner's choices depend on.
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text("VACUUM ANALYZE"))
        finally:
            engine.dispose()
    return url


def _has_theories(url: URL, size: int) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT count(*) FROM theories")).scalar_one()
            head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    except Exception:
        return False
    finally:
        engine.dispose()
    from etoile_app.storage.migrate import HEAD_REVISION

    return found == size and head == HEAD_REVISION


@dataclass(frozen=True)
class Figures:
    keystroke: Stats  # BoardService: first page, then the count when the page is full
    page: Stats  # BoardService's first page alone
    count: Stats  # BoardService's count alone (when asked)
    raw_page: Stats  # the floor: the first page by hand-written SQL
    raw_count: Stats  # the count by hand-written SQL (when the board asks for one)
    counted: int  # keystrokes whose first page was full, so the count was asked
    keystrokes: int
    server: str
    other_load: float


def measure(url: URL, rounds: int) -> Figures:
    import psycopg

    from etoile_app.domain.models import TheoryQuery
    from etoile_app.services.board import BoardService
    from etoile_app.storage.database import open_database

    db = open_database(url, backups=False)
    board = BoardService(db.sessions)
    raw = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    raw.autocommit = True
    server = raw.execute("SELECT version()").fetchone()[0].split(" on ")[0]
    try:
        assert board._fts(), "the journal has no search_vector column"
        keystroke: list[float] = []
        page: list[float] = []
        count: list[float] = []
        raw_page: list[float] = []
        raw_count: list[float] = []
        full = 0

        def board_keystroke(prefix: str) -> tuple[float, float, float | None]:
            query = TheoryQuery(text=prefix)
            started = time.perf_counter()
            rows = board.page(query, 0, PAGE_SIZE)
            paged = time.perf_counter()
            if len(rows) < PAGE_SIZE:
                return paged - started, paged - started, None
            board.count(query)
            done = time.perf_counter()
            return done - started, paged - started, done - paged

        def raw_first_page(prefix: str) -> float:
            started = time.perf_counter()
            raw.execute(RAW_SQL, (f"{prefix}:*", PAGE_SIZE)).fetchall()
            return time.perf_counter() - started

        def raw_counted(prefix: str) -> float:
            started = time.perf_counter()
            raw.execute(RAW_COUNT_SQL, (f"{prefix}:*",)).fetchone()
            return time.perf_counter() - started

        try:
            load: OtherLoad | None = OtherLoad()
        except ImportError:  # psutil comes with the "bench" extra
            load = None
        rng = random.Random(1)
        for round_ in range(rounds + 1):
            for prefix in prefixes():
                variants: dict[str, Callable[[], object]] = {
                    "board": lambda p=prefix: board_keystroke(p),
                    "raw_page": lambda p=prefix: raw_first_page(p),
                    "raw_count": lambda p=prefix: raw_counted(p),
                }
                names = list(variants)
                rng.shuffle(names)
                results = {name: variants[name]() for name in names}
                if not round_:
                    continue  # warm-up
                total, first, counted = results["board"]  # type: ignore[misc]
                keystroke.append(total)
                page.append(first)
                raw_page.append(results["raw_page"])  # type: ignore[arg-type]
                if counted is not None:
                    full += 1
                    count.append(counted)
                    raw_count.append(results["raw_count"])  # type: ignore[arg-type]
        return Figures(
            keystroke=Stats.of(keystroke),
            page=Stats.of(page),
            count=Stats.of(count or [0.0]),
            raw_page=Stats.of(raw_page),
            raw_count=Stats.of(raw_count or [0.0]),
            counted=full,
            keystrokes=len(keystroke),
            server=server,
            other_load=load.cores() if load is not None else float("nan"),
        )
    finally:
        raw.close()
        db.dispose()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.0095 else f"{seconds * 1000:.1f} ms"


def pair(stats: Stats) -> str:
    return f"{ms(stats.median)} / {ms(stats.p95)}"


def report(f: Figures, size: int) -> str:
    ratio = f.keystroke.p95 / f.raw_page.p95
    page_ratio = f.page.p95 / f.raw_page.p95
    lines = [
        f"{size:,} theories; {f.server}; Python {platform.python_version()}; {os.cpu_count()} cores; "
        f"other processes kept {f.other_load:.2f} cores busy",
        f"keystrokes measured: {f.keystrokes} ({f.counted} with a full first page, so counted)",
        "(median / p95)",
        f"keystroke, page + count as the board asks: {pair(f.keystroke)}",
        f"  first page alone (BoardService.page):     {pair(f.page)}",
        f"  count alone (BoardService.count):         {pair(f.count)}",
        f"raw first page (tsvector @@, 100 rows):     {pair(f.raw_page)}",
        f"raw count (tsvector @@):                    {pair(f.raw_count)}",
        f"ratio keystroke / raw first page (p95): {ratio:.2f}x "
        f"(median {f.keystroke.median / f.raw_page.median:.2f}x); target <= {TARGET:.0f}x: "
        f"{'met' if ratio <= TARGET else 'missed'}",
        f"ratio first page / raw first page (p95): {page_ratio:.2f}x "
        f"(median {f.page.median / f.raw_page.median:.2f}x)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pg_search", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--url", required=True, help="a login on the server that may create databases")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=8, help="timed rounds over every prefix")
    parser.add_argument("--fresh", action="store_true", help="write the journal again")
    args = parser.parse_args(argv)
    url = journal_url(make_url(args.url), args.size, fresh=args.fresh)
    figures = measure(url, args.rounds)
    print(report(figures, args.size))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Realistic journals of 1,000 to 100,000 theories, written fast, on the app's real schema.

The file is created with the app's own ``open_database`` (Alembic migrations, FTS5 table and
triggers) and seeded with the bundled canon pack through ``CanonService.apply_pack``, so the
app opens it without migrating or re-seeding. The theories then go in through SQLAlchemy Core
bulk inserts in one transaction; the FTS5 triggers index them as they would any save. The
denormalised ``tags_text`` and ``characters_text`` come from the app's own
:mod:`etoile_app.storage.search_columns`, as the services write them.

    .venv/bin/python -m benchmarks.generate 10000 /tmp/j10k.sqlite3

Journals are cached under ``benchmarks/.cache/`` by size and :data:`GENERATOR_VERSION`.
"""

from __future__ import annotations

import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import URL, make_url

from etoile_app.storage import search_columns, sort_keys

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
#: Bump when the generated data changes, so cached journals are made anew.
GENERATOR_VERSION = 6
SEED = 2025

# Words a fan would write with (titles and bodies are built from these, so searches find a
# realistic spread: a common prefix matches many theories, a name a few thousand).
PLACES = ("Paris", "New York", "London", "the Palais Garnier", "Lincoln Center", "Tokyo", "Berlin")
EVENTS = (
    "the gala",
    "the exchange season",
    "opening night",
    "the Giselle revival",
    "the board meeting",
    "the fundraiser",
    "the premiere of the new ballet",
    "the tour",
    "rehearsals",
    "the company class",
)
VERBS = (
    "sabotages",
    "falls for",
    "betrays",
    "rescues",
    "replaces",
    "confronts",
    "forgives",
    "upstages",
    "blackmails",
    "mentors",
    "reconciles with",
    "leaves",
)
OBJECTS = (
    "the lead role",
    "the company's funding",
    "the swap agreement",
    "the choreography",
    "the artistic director's job",
    "a secret contract",
    "the final pas de deux",
    "the touring budget",
)
HOOKS = (
    "in Season 2",
    "after the finale",
    "before the time jump",
    "during {event}",
    "in {place}",
    "when the swap ends",
    "in the revival",
    "by the midseason cliffhanger",
)
SENTENCES = (
    "{a} has been hiding something since {event}, and it will come out {hook}.",
    "Remember the look {a} gave {b} at {event}? That was not nothing.",
    "The Palladinos love a slow burn, so {a} and {b} will take the whole season.",
    "If the show comes back, {a} ends up in {place} and {b} follows.",
    "The budget talk in episode five sets up a fight over {obj}.",
    "{a} {verb} {b}; the clues are the rehearsal scenes and the interviews.",
    "Nobody in the cast has ruled it out, and {a}'s actor hinted at it.",
    "Le Ballet National cannot survive another season like this without {obj}.",
    "The Metropolitan Ballet Theater board will turn on {a} over {obj}.",
    "A new choreographer arrives and pits {a} against {b}.",
    "This mirrors Bunheads and Gilmore Girls: the mentor always leaves.",
    "Cancellation or not, a revival would open with {event} in {place}.",
)
EXTRA_TAGS = (
    "cliffhanger",
    "finale",
    "revival",
    "cancellation",
    "mentor",
    "ballet/giselle",
    "ballet/swan-lake",
    "ballet/new-work",
    "plot/tour",
    "plot/funding",
    "plot/board",
    "romance/slow-burn",
    "villain/board",
    "casting/return",
    "casting/new",
    "release/2027",
    "season-3",
    "paris",
    "new-york",
    "long-shot",
)
NOTES = ("first guess", "after rewatching", "the interview changes things", "gut feeling", "")
RESOLUTIONS = {
    "confirmed": "It happened, more or less as written.",
    "busted": "Did not happen.",
    "void": "The show was cancelled; this can never be settled.",
}
START = datetime(2025, 4, 24, 18, 0, tzinfo=UTC)  # the premiere
END = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # nothing is dated after this
SPAN_DAYS = 480


def cached_journal(size: int, *, seed: int = SEED, quiet: bool = False) -> Path:
    """The path of a generated journal of ``size`` theories, made now if not cached.

    Another ``seed`` gives other theories (other uids): a journal to import into one made
    with the default seed.
    """
    CACHE_DIR.mkdir(exist_ok=True)
    other = "" if seed == SEED else f"-seed{seed}"
    path = CACHE_DIR / f"journal-{size}-v{GENERATOR_VERSION}{other}.sqlite3"
    if not path.exists():
        partial = path.with_suffix(".partial")
        for leftover in CACHE_DIR.glob(partial.name + "*"):
            leftover.unlink()
        generate(partial, size, seed=seed, quiet=quiet)
        partial.rename(path)
    return path


def generate(path: Path | URL, size: int, *, seed: int = SEED, quiet: bool = False) -> Path | URL:
    """Write a new journal of ``size`` theories at ``path`` (which must not exist), or into the
    empty database on a server at the URL ``path``."""
    import time

    from sqlalchemy import insert, select, text

    from etoile_app import paths
    from etoile_app.canon.pack import load_pack
    from etoile_app.services.canon import CanonService
    from etoile_app.storage.database import open_database
    from etoile_app.storage.models import (
        CharacterRecord,
        EvidenceRecord,
        FactRecord,
        ForecastRecord,
        StarterRecord,
        TagRecord,
        TheoryRecord,
        theory_characters,
        theory_tags,
    )

    server = isinstance(path, URL)
    if not server and path.exists():
        raise FileExistsError(path)
    started = time.perf_counter()
    db = open_database(path, backups=False)
    try:
        CanonService(db.sessions, lambda: START).apply_pack(load_pack(paths.canon_pack_path()))
        with db.engine.connect() as conn:
            characters = list(conn.execute(select(CharacterRecord.id, CharacterRecord.name)))
            fact_ids = list(conn.execute(select(FactRecord.id)).scalars())
            starter_tags = {t for tags in conn.execute(select(StarterRecord.tags)).scalars() for t in tags}
        tag_names = sorted(starter_tags | set(EXTRA_TAGS))
        tag_ids = {name: i for i, name in enumerate(tag_names, start=1)}
        rows = _Rows(random.Random(seed), characters, tag_names, fact_ids)
        for theory_id in range(1, size + 1):
            rows.add(theory_id)
        with db.engine.begin() as conn:
            conn.execute(insert(TagRecord), [{"id": i, "name": n} for n, i in tag_ids.items()])
            for start in range(0, len(rows.theories), 5_000):
                conn.execute(insert(TheoryRecord), rows.theories[start : start + 5_000])
            conn.execute(
                insert(theory_tags), [{"theory_id": t, "tag_id": tag_ids[n]} for t, n in rows.tag_links]
            )
            conn.execute(
                insert(theory_characters), [{"theory_id": t, "character_id": c} for t, c in rows.char_links]
            )
            conn.execute(insert(ForecastRecord), rows.history)
            conn.execute(insert(EvidenceRecord), rows.evidence)
        with db.engine.begin() as conn:
            if server:  # the ids were given: the sequences go on after them
                for table in ("theories", "tags"):
                    conn.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
                    )
                conn.execute(text("ANALYZE"))
            else:
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        db.dispose()
    if not quiet:
        seconds = time.perf_counter() - started
        print(f"generated {size:,} theories in {seconds:.1f} s: {path}", file=sys.stderr)
    return path


class _Rows:
    """The rows of every table for the theories, built in memory and inserted in bulk."""

    def __init__(
        self, rng: random.Random, characters: list, tag_names: list[str], fact_ids: list[int]
    ) -> None:
        self.rng = rng
        self.characters = [(c.id, c.name) for c in characters]
        self.first_names = [name for _, name in self.characters if len(name.split()) <= 2]
        self.tag_names = tag_names
        # A few tags are far more popular than the rest, as in any real tag cloud.
        self.tag_weights = [1 / (rank + 1) for rank in range(len(tag_names))]
        rng.shuffle(self.tag_weights)
        self.fact_ids = fact_ids
        self.theories: list[dict] = []
        self.tag_links: list[tuple[int, str]] = []
        self.char_links: list[tuple[int, int]] = []
        self.history: list[dict] = []
        self.evidence: list[dict] = []

    def _fill(self, template: str, a: str, b: str) -> str:
        r = self.rng
        hook = r.choice(HOOKS).format(event=r.choice(EVENTS), place=r.choice(PLACES))
        return template.format(
            a=a,
            b=b,
            event=r.choice(EVENTS),
            place=r.choice(PLACES),
            obj=r.choice(OBJECTS),
            verb=r.choice(VERBS),
            hook=hook,
        )

    def add(self, theory_id: int) -> None:
        r = self.rng
        chars = r.sample(self.characters, r.choices((0, 1, 2, 3), (1, 4, 4, 2))[0])
        names = [name for _, name in chars] or r.sample(self.first_names, 2)
        a, b = names[0], names[-1] if len(names) > 1 else r.choice(self.first_names)
        title = f"{a} {r.choice(VERBS)} {b if r.random() < 0.5 else r.choice(OBJECTS)}"
        title = f"{title} {r.choice(HOOKS).format(event=r.choice(EVENTS), place=r.choice(PLACES))}"
        body = " ".join(self._fill(s, a, b) for s in r.sample(SENTENCES, r.randint(2, 5)))
        tags = sorted(set(r.choices(self.tag_names, self.tag_weights, k=r.choices((0, 1, 2, 3, 4))[0])))
        created = START + timedelta(minutes=r.randrange(SPAN_DAYS * 24 * 60))
        updated = created
        if r.random() < 0.4:  # edited later
            updated = min(created + timedelta(minutes=r.randrange(60 * 24 * 60)), END)
        confidence = r.randint(1, 99)
        status, resolved_on, resolved_at, note = "open", None, None, ""
        if r.random() < 0.22:
            status = r.choices(("confirmed", "busted", "void"), (2, 3, 1))[0]
            resolved_at = updated = min(updated + timedelta(days=r.randint(1, 90)), END)
            resolved_on, note = resolved_at.date(), RESOLUTIONS[status]
        resolve_by = created.date() + timedelta(days=r.randint(30, 500)) if r.random() < 0.2 else None
        self.theories.append(
            {
                "id": theory_id,
                "uid": str(uuid.UUID(int=r.getrandbits(128), version=4)),
                "title": title[:200],
                "title_key": sort_keys.title_key(title[:200]),
                "body": body,
                "category": r.choices(
                    ("romance", "villain_arc", "plot_arc", "casting", "release_production", "other"),
                    (5, 3, 4, 2, 1, 1),
                )[0],
                "confidence": confidence,
                "juiciness": r.choice((None, 1, 2, 3, 4, 5)),
                "status": status,
                "resolve_by": resolve_by,
                "resolved_on": resolved_on,
                "resolved_at": resolved_at,
                "resolution_note": note,
                "created_at": created,
                "updated_at": updated,
                "deleted_at": updated + timedelta(days=1) if r.random() < 0.01 else None,
                "starter_key": None,
                "tags_text": search_columns.tags_text(tags),
                "characters_text": search_columns.characters_text(name for _, name in chars),
            }
        )
        self.tag_links.extend((theory_id, t) for t in tags)
        self.char_links.extend((theory_id, c) for c, _ in chars)
        when, level = created, r.randint(1, 99)
        for _ in range(r.choices((0, 1, 2, 3), (5, 3, 1, 1))[0]):
            self.history.append(self._point(theory_id, level, min(when, updated)))
            when += timedelta(days=r.randint(1, 60))
            level = r.randint(1, 99)
        self.history.append(self._point(theory_id, confidence, min(when, updated)))
        if r.random() < 0.3:
            for fact_id in r.sample(self.fact_ids, r.randint(1, 3)):
                self.evidence.append(
                    {
                        "theory_id": theory_id,
                        "fact_id": fact_id,
                        "stance": r.choice(("supports", "contradicts")),
                        "note": r.choice(("", "see the interview", "the trailer says so")),
                        "created_at": created,
                    }
                )

    def _point(self, theory_id: int, confidence: int, when: datetime) -> dict:
        return {
            "theory_id": theory_id,
            "confidence": confidence,
            "changed_at": when,
            "note": self.rng.choice(NOTES),
        }


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m benchmarks.generate SIZE PATH|URL")
    where = sys.argv[2]
    generate(make_url(where) if "://" in where else Path(where), int(sys.argv[1]))

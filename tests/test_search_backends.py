"""Search finds the same theories on every backend: one table of searches and their answers.

The same corpus and table run on whichever database the run uses (SQLite's FTS5 index, or
PostgreSQL's ``search_vector``), so both must agree on how words are split (every character but
letters and digits is a break: ``romance/jack-gael`` is three words, ``v2.0`` is two), that
accents and case fold both ways, that every typed word matches as a prefix and every one is
required, and that nothing typed is read as query syntax.
"""

from __future__ import annotations

from typing import Any

import backends
import pytest
from helpers import FakeClock, character_id, listed, write
from sqlalchemy import text

from etoile_app.domain.models import SortKey, TheoryDraft, TheoryQuery
from etoile_app.services.journal import Journal

#: Theories by nickname. "binned" is deleted; the rest are live.
CORPUS: dict[str, dict[str, Any]] = {
    "gambit": {
        "title": "Geneviève's gambit",
        "body": "She takes over the company in Paris.",
        "characters": ("genevieve",),
        "tags": ("romance/jack-gael",),
    },
    "finale": {
        "title": "Cheyenne & Jack: the finale (part 2)",
        "body": "A kiss at the gala? Absolutely!",
        "characters": ("jack",),
        "tags": ("romance/jack-cheyenne", "season-2"),
    },
    "renewal": {
        "title": "Étoile renewal",
        "body": "Season 3 is coming… maybe. Amazon’s call.",
        "tags": ("release/2027",),
    },
    "swap": {
        "title": "The swap ends",
        "body": "Geneviève leaves Paris for New York; Mishi stays. Her gambit fails.",
        "characters": ("mishi",),
        "tags": ("plot/swap",),
    },
    "sabotage": {
        "title": "MISHI SABOTAGES THE GALA",
        "body": "Crème brûlée at the café; c'est la vie.",
        "characters": ("mishi",),
        "tags": ("villain",),
    },
    "numbers": {
        "title": "Naïve question about 3.14 and v2.0",
        "body": 'Quotes "like this", a back\\slash, 50% off, snake_case and x|y!',
        "tags": ("étoile/saison-3",),
    },
    "binned": {"title": "Binned Geneviève idea", "body": "Nothing."},
}
LIVE = frozenset(CORPUS) - {"binned"}

#: (what is typed, the live theories it finds).
SEARCHES: list[tuple[str, frozenset[str] | set[str]]] = [
    # accents fold both ways, and case
    ("genevieve", {"gambit", "swap"}),
    ("Geneviève", {"gambit", "swap"}),
    ("GENEVIÈVE", {"gambit", "swap"}),
    ("géné", {"gambit", "swap"}),
    ("etoile", {"renewal", "numbers"}),
    ("Étoile", {"renewal", "numbers"}),
    ("ÉTOILE", {"renewal", "numbers"}),
    ("étoi", {"renewal", "numbers"}),
    ("naive", {"numbers"}),
    ("NAÏVE", {"numbers"}),
    ("creme brulee", {"sabotage"}),
    ("crème", {"sabotage"}),
    ("BRÛL", {"sabotage"}),
    ("café", {"sabotage"}),
    ("cafe", {"sabotage"}),
    # prefixes
    ("genev", {"gambit", "swap"}),
    ("chey", {"finale"}),
    ("mis", {"swap", "sabotage"}),
    ("sabot", {"sabotage"}),
    ("Lavig", {"gambit"}),
    ("gala_", {"finale", "sabotage"}),
    # every word is required
    ("mishi gala", {"sabotage"}),
    ("kiss gala", {"finale"}),
    ("paris new york", {"swap"}),
    ("part 2", {"finale"}),
    ("season-2", {"finale", "renewal"}),  # "2" is a prefix of the tag release/2027
    ("jack mishi", set()),
    # title, body, tags and characters
    ("gambit", {"gambit", "swap"}),
    ("absolutely", {"finale"}),
    ("villain", {"sabotage"}),
    ("lavigne", {"gambit"}),
    ("jack", {"gambit", "finale"}),
    ("the", {"gambit", "finale", "swap", "sabotage"}),
    # tags: "/" and "-" split words
    ("romance", {"gambit", "finale"}),
    ("romance/jack", {"gambit", "finale"}),
    ("romance/jack-gael", {"gambit"}),
    ("jack-cheyenne", {"finale"}),
    ("gael", {"gambit"}),
    ("2027", {"renewal"}),
    ("saison", {"numbers"}),
    ("plot/swap", {"swap"}),
    # punctuation, apostrophes and digits split words too
    ("c'est la vie", {"sabotage"}),
    ("amazon's", {"renewal"}),
    ("amazon’s", {"renewal"}),
    ("3.14", {"numbers"}),
    ("v2.0", {"numbers"}),
    ("v2", {"numbers"}),
    ("50%", {"numbers"}),
    ("snake_case", {"numbers"}),
    ("x|y", {"numbers"}),
    ("back\\slash", {"numbers"}),
    ('"like this"', {"numbers"}),
    # characters with a meaning in FTS5's or tsquery's syntax are only breaks
    ("'jack'", {"gambit", "finale"}),
    ('"jack"', {"gambit", "finale"}),
    ("jack:*", {"gambit", "finale"}),
    ("jack*", {"gambit", "finale"}),
    ("(jack)", {"gambit", "finale"}),
    ("!jack", {"gambit", "finale"}),
    ("\\jack", {"gambit", "finale"}),
    ("jack\\", {"gambit", "finale"}),
    ("jack&", {"gambit", "finale"}),
    ("jack&mishi", set()),
    ("jack|mishi", set()),
    ("jack & !mishi", set()),
    ("jack:A", {"finale"}),  # "a" is a word of its own: the finale's body has "A kiss"
    ("jack <-> gael", {"gambit"}),
    ("NEAR(jack gael)", set()),  # "near" is a word like any other
    ("jack OR mishi", set()),  # so is "or"
    ("-mishi jack", set()),  # "-" is no negation
    ("jack 😍", {"gambit", "finale"}),
    # nothing found
    ("zzz", set()),
    ("binned", set()),  # deleted
    ("_", set()),  # a word of nothing but a break
    ("__ jack", set()),
    ("a" * 5_000, set()),
    # no words: the search filters nothing
    ("", LIVE),
    ("   ", LIVE),
    ("&", LIVE),
    ("|", LIVE),
    ("!", LIVE),
    (":", LIVE),
    ("*", LIVE),
    ("(", LIVE),
    (")", LIVE),
    ("\\", LIVE),
    ("'", LIVE),
    ('"', LIVE),
    ("&|!():*\\'\"", LIVE),
    ("''", LIVE),
    ("😍", LIVE),
    ("\x00", LIVE),
    ("…", LIVE),
]


@pytest.fixture
def corpus(journal: Journal, clock: FakeClock) -> dict[str, int]:
    """The theories of :data:`CORPUS`, one minute apart (so newest first is the reverse order)."""
    ids: dict[str, int] = {}
    for name, spec in CORPUS.items():
        clock.advance(minutes=1)
        fields = {k: v for k, v in spec.items() if k != "characters"}
        characters = tuple(character_id(journal, key) for key in spec.get("characters", ()))
        ids[name] = write(journal, character_ids=characters, **fields).id
    journal.theories.delete(ids["binned"])
    return ids


def _found(journal: Journal, corpus: dict[str, int], query: TheoryQuery) -> set[str]:
    names = {v: k for k, v in corpus.items()}
    return {names[i] for i in listed(journal.board, query)}


def test_the_board_reads_the_database_s_own_index(journal: Journal) -> None:
    assert journal.board._fts() is True


def test_every_search_in_the_table_finds_its_theories(journal: Journal, corpus: dict[str, int]) -> None:
    wrong = []
    for typed, expected in SEARCHES:
        for sort in (SortKey.UPDATED, SortKey.RELEVANCE):
            query = TheoryQuery(text=typed, sort=sort)
            found = _found(journal, corpus, query)
            total = journal.board.count(query)
            if found != set(expected) or total != len(found):
                wrong.append((typed[:40], sort.name, sorted(found), total, sorted(expected)))
    assert wrong == [], f"{backends.BACKEND}: (typed, sort, found, count, expected) {wrong}"


def test_deleted_theories_are_searched_only_in_the_bin(journal: Journal, corpus: dict[str, int]) -> None:
    assert _found(journal, corpus, TheoryQuery(text="genevieve", deleted=True)) == {"binned"}
    assert _found(journal, corpus, TheoryQuery(text="nothing", deleted=True)) == {"binned"}
    assert journal.board.count(TheoryQuery(text="GENEV", deleted=True)) == 1


@pytest.mark.parametrize(
    ("typed", "order"),
    [
        ("gambit", ["gambit", "swap"]),  # in a title before only in a body
        ("genevieve", ["gambit", "swap"]),  # title and character before body
        ("gala", ["sabotage", "finale"]),  # title before body (the finale is newer)
    ],
)
def test_relevance_puts_title_matches_before_body_matches(
    journal: Journal, corpus: dict[str, int], typed: str, order: list[str]
) -> None:
    query = TheoryQuery(text=typed, sort=SortKey.RELEVANCE)
    assert listed(journal.board, query) == [corpus[n] for n in order]


@pytest.mark.parametrize("sort", [SortKey.RELEVANCE, SortKey.UPDATED, SortKey.TITLE])
@pytest.mark.parametrize("typed", ["the", "a", "ge", "e"])
def test_pages_and_positions_agree_with_the_count(
    journal: Journal, corpus: dict[str, int], sort: SortKey, typed: str
) -> None:
    query = TheoryQuery(text=typed, sort=sort)
    whole = listed(journal.board, query)
    paged = [r.id for offset in range(0, 8, 2) for r in journal.board.page(query, offset=offset, limit=2)]
    assert paged == whole
    assert journal.board.count(query) == len(whole)
    for name, theory_id in corpus.items():
        where = journal.board.position(query, theory_id)
        assert where == (whole.index(theory_id) if theory_id in whole else None), name


def test_many_words_and_long_words_are_answered(journal: Journal, corpus: dict[str, int]) -> None:
    assert _found(journal, corpus, TheoryQuery(text="jack " * 40)) == {"gambit", "finale"}
    assert _found(journal, corpus, TheoryQuery(text=" ".join(["jack"] * 15 + ["zzz"]))) == set()
    assert _found(journal, corpus, TheoryQuery(text="é" * 3_000 + " jack")) == set()


def test_the_index_follows_new_edited_and_deleted_theories(
    journal: Journal, corpus: dict[str, int], clock: FakeClock
) -> None:
    clock.advance(minutes=1)
    journal.theories.set_tags(corpus["swap"], ["travel/tokyo-trip"])
    assert _found(journal, corpus, TheoryQuery(text="tokyo")) == {"swap"}
    assert _found(journal, corpus, TheoryQuery(text="plot")) == set()  # the old tag is gone
    draft = TheoryDraft(title="Gaël returns", body="Zoë’s idea.", tags=("casting/return",))
    journal.theories.edit(corpus["finale"], draft)
    assert _found(journal, corpus, TheoryQuery(text="gael")) == {"gambit", "finale"}
    assert _found(journal, corpus, TheoryQuery(text="zoe")) == {"finale"}
    assert _found(journal, corpus, TheoryQuery(text="cheyenne")) == set()
    new = write(journal, title="Ünïcödé titles", body="Straight to the top.").id
    corpus["new"] = new
    assert _found(journal, corpus, TheoryQuery(text="unicode")) == {"new"}
    journal.theories.delete(new)
    assert _found(journal, corpus, TheoryQuery(text="unicode")) == set()
    journal.theories.restore(corpus["binned"])
    assert _found(journal, corpus, TheoryQuery(text="binned")) == {"binned"}


# --- each backend's index ------------------------------------------------------------------


@pytest.mark.sqlite
def test_sqlite_has_no_search_vector_column(journal: Journal) -> None:
    with journal.database.engine.connect() as conn:
        columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(theories)")}
    assert "title" in columns
    assert "search_vector" not in columns


@pytest.mark.postgresql
def test_postgresql_keeps_a_generated_tsvector_with_a_gin_index(
    journal: Journal, corpus: dict[str, int]
) -> None:
    with journal.database.engine.connect() as conn:
        generated = conn.execute(
            text(
                "SELECT data_type, is_generated FROM information_schema.columns "
                "WHERE table_name = 'theories' AND column_name = 'search_vector'"
            )
        ).one()
        index = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_theories_search_vector'")
        ).scalar_one()
        vector = conn.execute(
            text("SELECT search_vector::text FROM theories WHERE id = :id"), {"id": corpus["gambit"]}
        ).scalar_one()
    assert tuple(generated) == ("tsvector", "ALWAYS")
    assert "gin (search_vector)" in index
    # Accents folded, case lowered, "/", "-" and "'" breaks, the title weighted most.
    for lexeme in ("'genevieve':1A", "'gambit':3A", "'romance'", "'gael'", "'lavigne'", "'paris'"):
        assert lexeme in vector


@pytest.mark.postgresql
def test_postgresql_narrows_a_search_with_the_gin_index(journal: Journal, corpus: dict[str, int]) -> None:
    """With plain scans ruled out (a handful of rows is cheaper to read in full), a search reads
    the GIN index: the query is a constant ``@@`` the index can answer."""
    from sqlalchemy import func, select

    from etoile_app.storage import fulltext
    from etoile_app.storage.models import TheoryRecord

    condition = fulltext.text_filter("Genev l'étoi", use_fts=True, dialect="postgresql").condition
    assert condition is not None
    stmt = select(func.count()).select_from(TheoryRecord).where(condition)
    with journal.database.sessions() as s:
        s.execute(text("SET LOCAL enable_seqscan = off"))
        s.execute(text("SET LOCAL enable_indexscan = off"))
        sql = stmt.compile(s.get_bind(), compile_kwargs={"literal_binds": True})
        plan = "\n".join(row[0] for row in s.connection().exec_driver_sql(f"EXPLAIN {sql}"))
    assert "ix_theories_search_vector" in plan, plan

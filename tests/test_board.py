"""The theory board: search, filters, sorting and paging, all done in SQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from helpers import START, FakeClock, character_id, listed, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.errors import TagError
from etoile_app.domain.models import SortKey, TheoryQuery, TheoryRow
from etoile_app.services.board import BoardService
from etoile_app.services.journal import Journal
from etoile_app.storage.models import TheoryRecord


@pytest.fixture
def corpus(journal: Journal, clock: FakeClock) -> dict[str, int]:
    """Seven theories (one deleted) with ties in every sortable column; ids by nickname."""
    jack, gen, mishi = (character_id(journal, k) for k in ("jack", "genevieve", "mishi"))
    specs: dict[str, dict[str, Any]] = {
        "alpha": {
            "title": "alpha plan",
            "body": "Mishi plots a sabotage at the gala.",
            "category": Category.VILLAIN_ARC,
            "character_ids": (mishi,),
            "tags": ("villain",),
            "confidence": 30,
            "juiciness": 5,
            "resolve_by": date(2026, 6, 1),
        },
        "bravo": {
            "title": "Bravo finale",
            "body": "A kiss in the finale.",
            "category": Category.ROMANCE,
            "character_ids": (jack,),
            "tags": ("romance/jack-cheyenne",),
            "confidence": 70,
        },
        "charlie": {
            "title": "charlie twist",
            "body": "The Paris company merges.",
            "category": Category.PLOT_ARC,
            "character_ids": (gen, jack),
            "tags": ("romance", "paris"),
            "confidence": 70,
            "juiciness": 3,
            "resolve_by": date(2026, 4, 1),
        },
        "delta": {
            "title": "Delta renewal",
            "body": "Season two after all.",
            "category": Category.RELEASE_PRODUCTION,
            "tags": ("romancex",),
            "confidence": 10,
            "resolve_by": date(2026, 6, 1),
        },
        "echo": {
            "title": "echo casting",
            "body": "A new dancer joins.",
            "category": Category.CASTING,
            "character_ids": (mishi,),
            "confidence": 90,
            "juiciness": 3,
        },
        "foxtrot": {
            "title": "Foxtrot rivalry",
            "body": "Mishi and Jack clash.",
            "category": Category.VILLAIN_ARC,
            "character_ids": (jack, mishi),
            "tags": ("villain", "rivalry"),
            "confidence": 50,
            "juiciness": 1,
        },
        "golf": {
            "title": "golf binned",
            "body": "Mishi again.",
            "category": Category.VILLAIN_ARC,
            "character_ids": (mishi,),
            "tags": ("villain",),
            "confidence": 50,
        },
    }
    ids: dict[str, int] = {}
    for name, fields in specs.items():
        if name != "charlie":  # charlie is created at the same moment as bravo
            clock.advance(minutes=1)
        ids[name] = write(journal, **fields).id
    clock.advance(minutes=1)
    journal.theories.resolve(ids["delta"], TheoryStatus.BUSTED)
    clock.advance(minutes=1)
    journal.theories.resolve(ids["echo"], TheoryStatus.CONFIRMED)
    clock.advance(minutes=1)
    journal.theories.set_juiciness(ids["alpha"], 5)  # alpha is now the most recently updated
    journal.theories.delete(ids["golf"])
    return ids


def _ids(journal: Journal, **query: Any) -> set[int]:
    return set(listed(journal.board, TheoryQuery(**query)))


def _names(corpus: dict[str, int], *names: str) -> set[int]:
    return {corpus[n] for n in names}


LIVE = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot")


def test_empty_query_lists_live_theories(journal: Journal, corpus: dict[str, int]) -> None:
    assert _ids(journal) == _names(corpus, *LIVE)
    assert journal.board.count(TheoryQuery()) == 6


def test_deleted_theories_show_only_when_asked(journal: Journal, corpus: dict[str, int]) -> None:
    assert _ids(journal, deleted=True) == {corpus["golf"]}
    assert _ids(journal, text="mishi", deleted=True) == {corpus["golf"]}
    assert journal.board.count(TheoryQuery(deleted=True)) == 1


# --- text search ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mis", {"alpha", "echo", "foxtrot"}),  # a word matches as a prefix
        ("Mishi", {"alpha", "echo", "foxtrot"}),
        ("genevieve", {"charlie"}),  # accents fold
        ("GENEVIÈVE", {"charlie"}),
        ("lavigne", {"charlie"}),  # character names
        ("foxtrot", {"foxtrot"}),  # title
        ("sabotage", {"alpha"}),  # body
        ("rivalry", {"foxtrot"}),  # tag
        ("cheyenne", {"bravo"}),  # part of a child tag
        ("jack", {"bravo", "charlie", "foxtrot"}),
        ("jack mishi", {"foxtrot"}),  # every word must match
        ("mishi sabotage", {"alpha"}),
        ("finale kiss", {"bravo"}),
        ("nothing-like-this", set()),
    ],
)
def test_search(journal: Journal, corpus: dict[str, int], text: str, expected: set[str]) -> None:
    assert _ids(journal, text=text) == _names(corpus, *expected)
    assert journal.board.count(TheoryQuery(text=text)) == len(expected)


HOSTILE = ['"', '""', "*", "mis*", "OR", "jack OR mishi", "NEAR(", "NEAR(jack mishi)", "-", "-jack",
           "jack -mishi", "NOT", "AND", "(", ")", "title:jack", "^jack", "'", "{title}: x", "a\\b", "%",
           "_", "jack'); DROP TABLE theories;--", "\x00", "😍", "   "]  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("use_fts", [True, False], ids=["fts", "like"])
def test_search_syntax_in_the_input_never_raises(
    journal: Journal, corpus: dict[str, int], text: str, use_fts: bool
) -> None:
    journal.board._use_fts = use_fts
    query = TheoryQuery(text=text, sort=SortKey.RELEVANCE)
    ids = listed(journal.board, query)
    assert journal.board.count(query) == len(ids)
    assert [r.id for r in journal.board.page(query)] == ids


def test_fts_operators_are_read_as_words(journal: Journal, corpus: dict[str, int]) -> None:
    assert _ids(journal, text="jack OR mishi") == set()  # "or" is a word, not an operator
    assert _ids(journal, text="-mishi jack") == {corpus["foxtrot"]}  # "-" is no negation


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=30))
def test_any_search_text_is_answered(journal: Journal, text: str) -> None:
    query = TheoryQuery(text=text)
    assert journal.board.count(query) == len(listed(journal.board, query))


PLAIN_WORDS = ["mishi", "mis", "jack", "jack mishi", "sabotage", "rivalry", "romance", "villain",
               "finale kiss", "lavigne", "paris", "twist", "zzz"]  # fmt: skip


@pytest.mark.parametrize("text", PLAIN_WORDS)
def test_like_fallback_finds_what_fts_finds_for_plain_words(
    journal: Journal, corpus: dict[str, int], clock: FakeClock, text: str
) -> None:
    like = BoardService(journal.database.sessions, clock)
    like._use_fts = False
    for deleted in (False, True):
        query = TheoryQuery(text=text, deleted=deleted)
        assert set(listed(like, query)) == set(listed(journal.board, query))
        assert like.count(query) == journal.board.count(query)


def test_board_uses_fts_when_the_index_exists(journal: Journal) -> None:
    assert journal.board._fts() is True


# --- filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"statuses": frozenset({TheoryStatus.OPEN})}, {"alpha", "bravo", "charlie", "foxtrot"}),
        ({"statuses": frozenset({TheoryStatus.BUSTED, TheoryStatus.CONFIRMED})}, {"delta", "echo"}),
        ({"statuses": frozenset({TheoryStatus.VOID})}, set()),
        ({"categories": frozenset({Category.VILLAIN_ARC})}, {"alpha", "foxtrot"}),
        ({"categories": frozenset({Category.ROMANCE, Category.CASTING})}, {"bravo", "echo"}),
        ({"tags": frozenset({"romance"})}, {"bravo", "charlie"}),  # children match, "romancex" not
        ({"tags": frozenset({"Romance "})}, {"bravo", "charlie"}),  # typed tags are normalised
        ({"tags": frozenset({"romance/jack-cheyenne"})}, {"bravo"}),
        ({"tags": frozenset({"villain", "paris"})}, {"alpha", "charlie", "foxtrot"}),
        ({"confidence_min": 50}, {"bravo", "charlie", "echo", "foxtrot"}),
        ({"confidence_max": 30}, {"alpha", "delta"}),
        ({"confidence_min": 50, "confidence_max": 70}, {"bravo", "charlie", "foxtrot"}),
        ({"categories": frozenset({Category.VILLAIN_ARC}), "text": "jack"}, {"foxtrot"}),
        ({"statuses": frozenset({TheoryStatus.OPEN}), "confidence_min": 60}, {"bravo", "charlie"}),
    ],
)
def test_filters(journal: Journal, corpus: dict[str, int], query: dict[str, Any], expected: set[str]) -> None:
    assert _ids(journal, **query) == _names(corpus, *expected)
    assert journal.board.count(TheoryQuery(**query)) == len(expected)


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (("jack",), {"bravo", "charlie", "foxtrot"}),
        (("mishi",), {"alpha", "echo", "foxtrot"}),
        (("genevieve", "mishi"), {"alpha", "charlie", "echo", "foxtrot"}),
    ],
)
def test_filter_by_character(
    journal: Journal, corpus: dict[str, int], keys: tuple[str, ...], expected: set[str]
) -> None:
    wanted = frozenset(character_id(journal, k) for k in keys)
    assert _ids(journal, character_ids=wanted) == _names(corpus, *expected)


def test_tag_filter_treats_like_wildcards_literally(journal: Journal) -> None:
    literal = write(journal, "Literal", tags=("a_b/child",)).id
    write(journal, "Wildcard", tags=("axb/child",))
    assert _ids(journal, tags=frozenset({"a_b"})) == {literal}


def test_bad_tag_in_a_filter_is_a_tag_error(journal: Journal) -> None:
    with pytest.raises(TagError):
        listed(journal.board, TheoryQuery(tags=frozenset({"a<b"})))


# --- sorting -------------------------------------------------------------------------------

SORT_KEYS: dict[SortKey, Callable[[TheoryRow], Any]] = {
    SortKey.TITLE: lambda r: r.title.lower(),
    SortKey.CATEGORY: lambda r: r.category.value,
    SortKey.CHARACTERS: lambda r: "\n".join(r.characters),
    SortKey.TAGS: lambda r: "\n".join(r.tags),
    SortKey.CONFIDENCE: lambda r: r.confidence,
    SortKey.JUICINESS: lambda r: r.juiciness,
    SortKey.STATUS: lambda r: r.status.value,
    SortKey.RESOLVE_BY: lambda r: r.resolve_by,
    SortKey.CREATED: lambda r: r.created_at,
    SortKey.UPDATED: lambda r: r.updated_at,
}


def _expected_order(rows: list[TheoryRow], key: Callable[[TheoryRow], Any], descending: bool) -> list[int]:
    """Sorted by ``key`` then id, both in the same direction; empty values last either way."""
    present = sorted(
        (r for r in rows if key(r) is not None), key=lambda r: (key(r), r.id), reverse=descending
    )
    missing = sorted((r for r in rows if key(r) is None), key=lambda r: r.id, reverse=descending)
    return [r.id for r in present + missing]


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("sort", list(SORT_KEYS))
def test_sorting(journal: Journal, corpus: dict[str, int], sort: SortKey, descending: bool) -> None:
    rows = journal.board.page(TheoryQuery())
    query = TheoryQuery(sort=sort, descending=descending)
    expected = _expected_order(rows, SORT_KEYS[sort], descending)
    assert listed(journal.board, query) == expected
    assert [r.id for r in journal.board.page(query)] == expected


def test_sorting_by_title_ignores_case(journal: Journal, corpus: dict[str, int]) -> None:
    ids = listed(journal.board, TheoryQuery(sort=SortKey.TITLE, descending=False))
    assert ids[:3] == [corpus["alpha"], corpus["bravo"], corpus["charlie"]]


@pytest.mark.parametrize("descending", [False, True])
def test_unrated_theories_sort_last_by_juiciness(
    journal: Journal, corpus: dict[str, int], descending: bool
) -> None:
    ids = listed(journal.board, TheoryQuery(sort=SortKey.JUICINESS, descending=descending))
    assert set(ids[-2:]) == _names(corpus, "bravo", "delta")


@pytest.mark.parametrize("descending", [False, True])
def test_ties_are_broken_by_id(journal: Journal, corpus: dict[str, int], descending: bool) -> None:
    ids = listed(journal.board, TheoryQuery(sort=SortKey.CREATED, descending=descending))
    pair = [i for i in ids if i in _names(corpus, "bravo", "charlie")]
    assert pair == sorted(pair, reverse=descending)
    assert ids.index(pair[1]) == ids.index(pair[0]) + 1


def test_default_order_is_most_recently_updated_first(journal: Journal, corpus: dict[str, int]) -> None:
    ids = listed(journal.board)
    assert ids[:3] == [corpus["alpha"], corpus["echo"], corpus["delta"]]


def test_relevance_puts_the_best_match_first(journal: Journal) -> None:
    weak = write(journal, "Something else", body="long text " * 50 + "quokka").id
    strong = write(journal, "Quokka quokka", body="quokka everywhere, quokka").id
    write(journal, "Unrelated")
    assert listed(journal.board, TheoryQuery(text="quokka", sort=SortKey.RELEVANCE)) == [strong, weak]


def test_relevance_without_text_is_newest_first(journal: Journal, corpus: dict[str, int]) -> None:
    assert listed(journal.board, TheoryQuery(sort=SortKey.RELEVANCE)) == listed(
        journal.board, TheoryQuery(sort=SortKey.UPDATED, descending=True)
    )


@pytest.mark.parametrize(
    "query",
    [
        TheoryQuery(),
        TheoryQuery(sort=SortKey.JUICINESS, descending=False),
        TheoryQuery(sort=SortKey.TITLE),
        TheoryQuery(text="mishi", sort=SortKey.RELEVANCE),
        TheoryQuery(text="jack", sort=SortKey.CONFIDENCE, descending=False),
        TheoryQuery(tags=frozenset({"villain"}), deleted=True),
    ],
    ids=["default", "juiciness-asc", "title", "relevance", "text-confidence", "deleted"],
)
def test_position_is_the_index_in_ids(journal: Journal, corpus: dict[str, int], query: TheoryQuery) -> None:
    ids = listed(journal.board, query)
    for theory_id in corpus.values():
        expected = ids.index(theory_id) if theory_id in ids else None
        assert journal.board.position(query, theory_id) == expected


def test_position_of_a_theory_that_does_not_match_is_none(journal: Journal, corpus: dict[str, int]) -> None:
    assert journal.board.position(TheoryQuery(text="sabotage"), corpus["bravo"]) is None
    assert journal.board.position(TheoryQuery(), corpus["golf"]) is None
    assert journal.board.position(TheoryQuery(), 999_999) is None


# --- paging and rows -----------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 2, 4, 10])
def test_pages_cover_every_id_once(journal: Journal, corpus: dict[str, int], limit: int) -> None:
    query = TheoryQuery(sort=SortKey.CONFIDENCE)
    paged: list[int] = []
    offset = 0
    while page := journal.board.page(query, offset=offset, limit=limit):
        assert len(page) <= limit
        paged += [r.id for r in page]
        offset += limit
    assert paged == listed(journal.board, query)
    assert len(paged) == len(set(paged)) == 6


def test_page_with_negative_offset_or_limit_is_safe(journal: Journal, corpus: dict[str, int]) -> None:
    assert journal.board.page(TheoryQuery(), offset=-5, limit=2) == journal.board.page(TheoryQuery(), 0, 2)
    assert journal.board.page(TheoryQuery(), limit=-1) == []


def test_rows_come_back_in_the_order_asked_and_skip_missing(journal: Journal, corpus: dict[str, int]) -> None:
    order = [corpus["foxtrot"], 999_999, corpus["alpha"], corpus["golf"]]
    rows = journal.board.rows(order)
    assert [r.id for r in rows] == [corpus["foxtrot"], corpus["alpha"], corpus["golf"]]


def test_row_holds_the_board_columns(journal: Journal, corpus: dict[str, int]) -> None:
    (row,) = journal.board.rows([corpus["charlie"]])
    assert row == TheoryRow(
        id=corpus["charlie"],
        title="charlie twist",
        category=Category.PLOT_ARC,
        characters=("Geneviève Lavigne", "Jack"),
        tags=("paris", "romance"),
        confidence=70,
        juiciness=3,
        status=TheoryStatus.OPEN,
        resolve_by=date(2026, 4, 1),
        created_at=START + timedelta(minutes=2),
        updated_at=START + timedelta(minutes=2),
    )


# --- tags in use ---------------------------------------------------------------------------


def test_tags_count_live_theories_only(journal: Journal, corpus: dict[str, int]) -> None:
    counts = {t.name: t.count for t in journal.board.tags()}
    assert counts["villain"] == 2  # golf is in the bin
    assert counts["romance"] == 1  # its child tag is counted on its own
    assert counts["romance/jack-cheyenne"] == 1
    assert counts["romancex"] == 1
    journal.theories.delete(corpus["foxtrot"])
    counts = {t.name: t.count for t in journal.board.tags()}
    assert counts["villain"] == 1
    assert counts.get("rivalry", 0) == 0


def test_tags_are_listed_most_used_first(journal: Journal, corpus: dict[str, int]) -> None:
    tags = [t for t in journal.board.tags() if t.count]
    assert tags[0].name == "villain"
    assert [t.count for t in tags] == sorted((t.count for t in tags), reverse=True)
    ones = [t.name for t in tags if t.count == 1]
    assert ones == sorted(ones)


# --- scale ---------------------------------------------------------------------------------

MANY = 20_000


def test_search_and_filters_stay_right_at_scale(journal: Journal) -> None:
    rows = [
        {
            "uid": str(uuid.UUID(int=i + 1)),
            "title": f"Theory number {i}",
            "body": "Some filler text about the ballet.",
            "category": Category.VILLAIN_ARC if i % 5 == 0 else Category.OTHER,
            "confidence": 1 + i % 99,
            "status": TheoryStatus.OPEN,
            "resolution_note": "",
            "created_at": START,
            "updated_at": START + timedelta(seconds=i),
            "tags_text": "villain" if i % 10 == 0 else "",
            "characters_text": "Mishi" if i % 4 == 0 else "Jack",
        }
        for i in range(MANY)
    ]
    with journal.database.sessions.begin() as s:
        s.execute(insert(TheoryRecord.__table__), rows)

    board = journal.board
    assert board.count(TheoryQuery()) == MANY
    assert board.count(TheoryQuery(text="mishi")) == MANY // 4
    assert board.count(TheoryQuery(categories=frozenset({Category.VILLAIN_ARC}))) == MANY // 5
    assert board.count(TheoryQuery(text="mis", categories=frozenset({Category.VILLAIN_ARC}))) == MANY // 20
    assert board.count(TheoryQuery(text="villain")) == MANY // 10
    assert board.count(TheoryQuery(confidence_min=99)) == len(range(98, MANY, 99))
    page = board.page(TheoryQuery(text="mishi"), offset=0, limit=50)
    assert len(page) == 50
    assert page[0].title == f"Theory number {MANY - 4}"  # newest update first
    assert all(r.characters == ("Mishi",) for r in page)
    assert len(listed(board, TheoryQuery(text="number 1999"))) == 1 + 10  # 1999 and 19990..19999


@pytest.mark.parametrize("use_fts", [True, False], ids=["fts", "like"])
@pytest.mark.parametrize(
    "query",
    [
        TheoryQuery(),
        TheoryQuery(text="mishi"),
        TheoryQuery(text="gala mish", statuses=frozenset({TheoryStatus.OPEN})),
        TheoryQuery(text="jack", sort=SortKey.CONFIDENCE, descending=False),
        TheoryQuery(tags=frozenset({"villain"}), deleted=True),
        TheoryQuery(text="nothing-like-this"),
    ],
)
def test_matches_agrees_with_the_full_query(
    journal: Journal, corpus: dict[str, int], query: TheoryQuery, use_fts: bool
) -> None:
    from etoile_app.storage import theory_queries

    with journal.database.sessions() as s:
        found = {r.id for r in theory_queries.page(s, query, 0, 1_000_000, use_fts)}
        for theory_id in [*corpus.values(), 999_999]:
            assert theory_queries.matches(s, query, theory_id, use_fts) == (theory_id in found)


@pytest.mark.parametrize("sort", [SortKey.UPDATED, SortKey.TITLE, SortKey.RELEVANCE])
def test_a_search_pages_the_same_rows_sorted_by_a_column_or_by_rank(
    journal: Journal, corpus: dict[str, int], sort: SortKey
) -> None:
    query = TheoryQuery(text="mi", sort=sort)
    paged = [r.id for offset in range(0, 10, 2) for r in journal.board.page(query, offset=offset, limit=2)]
    assert paged == listed(journal.board, query)
    assert len(paged) == journal.board.count(query) > 0


# --- due: open theories past their resolve-by date -------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 4, 1), set()),  # a resolve-by date of today is not past yet
        (date(2026, 4, 2), {"charlie"}),
        (date(2026, 6, 2), {"alpha", "charlie"}),  # delta is resolved: not due, whatever its date
        (date(2030, 1, 1), {"alpha", "charlie"}),  # no date, never due (bravo, foxtrot)
    ],
)
def test_due_before_lists_open_theories_past_their_resolve_by_date(
    journal: Journal, corpus: dict[str, int], day: date, expected: set[str]
) -> None:
    query = TheoryQuery(due_before=day)
    assert _ids(journal, due_before=day) == _names(corpus, *expected)
    assert journal.board.count(query) == len(expected)
    order = listed(journal.board, query)
    for name in LIVE:  # a theory found by id agrees with the list
        found = journal.board.position(query, corpus[name])
        assert found == (order.index(corpus[name]) if name in expected else None)


def test_due_before_combines_with_the_other_filters(journal: Journal, corpus: dict[str, int]) -> None:
    day = date(2026, 6, 2)
    binned = write(journal, "Binned and past due", resolve_by=date(2026, 1, 1)).id
    journal.theories.delete(binned)
    assert _ids(journal, due_before=day, categories=frozenset({Category.VILLAIN_ARC})) == {corpus["alpha"]}
    assert _ids(journal, due_before=day, text="paris") == {corpus["charlie"]}
    assert _ids(journal, due_before=day, statuses=frozenset({TheoryStatus.BUSTED})) == set()
    assert _ids(journal, due_before=day, deleted=True) == {binned}
    ordered = listed(journal.board, TheoryQuery(due_before=day, sort=SortKey.RESOLVE_BY, descending=False))
    assert ordered == [corpus["charlie"], corpus["alpha"]]


def test_titles_names_every_live_theory_by_title(journal) -> None:
    b = write(journal, "beta")
    a = write(journal, "Alpha")
    gone = write(journal, "aardvark")
    journal.theories.delete(gone.id)
    assert [(r.id, r.title) for r in journal.board.titles()] == [(a.id, "Alpha"), (b.id, "beta")]

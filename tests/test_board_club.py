"""The board in a club: each row's author, my latest forecast, the club's median and how many
members forecast it (read for the page's rows alone), and the "Not forecast by me" filter. A
journal of one reads none of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event

from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.models import OptionDraft, TheoryDraft, TheoryQuery, TheoryRow
from etoile_app.services.club import add_member
from etoile_app.services.journal import Journal
from etoile_app.storage.engine import make_engine
from tests import backends

pytestmark = pytest.mark.postgresql


@pytest.fixture(scope="module")
def club() -> Iterator[backends.Club]:
    with backends.club_database("Margot") as made:
        engine = make_engine(made.owner)
        try:
            for login in ("anna", "bob", "cleo"):
                add_member(engine, made.login(login))
        finally:
            engine.dispose()
        yield made


def _open(club: backends.Club, who: str, name: str | None = None) -> Journal:
    journal = Journal.open(club.owner if who == "owner" else club.url(who), backups=False)
    if name is not None and journal.identity.member is None:
        journal.join_club(name)
    return journal


@pytest.fixture(scope="module")
def members(club: backends.Club) -> Iterator[dict[str, Journal]]:
    opened = {
        "anna": _open(club, "anna", "Anna"),
        "bob": _open(club, "bob", "Bob"),
        "cleo": _open(club, "cleo", "Cléo"),
        "owner": _open(club, "owner"),
    }
    yield opened
    for journal in opened.values():
        journal.close()


def _draft(title: str, tag: str, confidence: int = 40, **extra: object) -> TheoryDraft:
    return TheoryDraft(
        title=title,
        category=Category.OTHER,
        confidence=confidence,
        tags=(tag,),
        **extra,  # type: ignore[arg-type]
    )


def _query(journal: Journal, tag: str, **extra: object) -> TheoryQuery:
    """The board's query as ``journal``'s member asks it, narrowed to one test's theories."""
    who = journal.identity
    return TheoryQuery(tags=frozenset({tag}), club=who.club, member_id=who.member_id, **extra)  # type: ignore[arg-type]


def _rows(journal: Journal, tag: str, **extra: object) -> dict[str, TheoryRow]:
    return {r.title: r for r in journal.board.page(_query(journal, tag, **extra))}


@pytest.fixture(scope="module")
def journal_of_theories(members: dict[str, Journal]) -> dict[str, int]:
    """Four theories tagged ``club-board``:

    "Cheyenne stays" (Anna's, 40): Bob 60 then 70, Cléo 20. Median of 40, 70, 20: 40.
    "Who runs the Met?" (Bob's: Jack 50, Gael 30, Nobody 20): Anna (20, 70, 10); Cléo
    (60, 30, 10) then (30, 60, 10). Medians: Jack 30, Gael 60, Nobody 10: Gael leads.
    "Gael leaves" (Bob's, 55): nobody else. "Jack sings" (Anna's, 30): Bob 45; median 37.5.
    """
    anna, bob, cleo = members["anna"], members["bob"], members["cleo"]
    tag = "club-board"
    stays = anna.theories.create(_draft("Cheyenne stays", tag, 40))
    met = bob.theories.create(
        _draft(
            "Who runs the Met?",
            tag,
            options=(OptionDraft("Jack", 50), OptionDraft("Gael", 30), OptionDraft("Nobody", 20)),
        )
    )
    leaves = bob.theories.create(_draft("Gael leaves", tag, 55))
    sings = anna.theories.create(_draft("Jack sings", tag, 30))
    bob.theories.forecast(stays.id, 60)
    bob.theories.forecast(stays.id, 70)
    cleo.theories.forecast(stays.id, 20)
    anna.theories.forecast(met.id, options={"Jack": 20, "Gael": 70, "Nobody": 10})
    cleo.theories.forecast(met.id, options={"Jack": 60, "Gael": 30, "Nobody": 10})
    cleo.theories.forecast(met.id, options={"Jack": 30, "Gael": 60, "Nobody": 10})
    bob.theories.forecast(sings.id, 45)
    return {"stays": stays.id, "met": met.id, "leaves": leaves.id, "sings": sings.id}


def _figures(row: TheoryRow) -> tuple[object, ...]:
    return (row.author, row.yours, row.yours_option, row.club_median, row.club_option, row.forecasters)


def test_each_row_carries_the_author_my_latest_forecast_the_median_and_the_count(
    members: dict[str, Journal], journal_of_theories: dict[str, int]
) -> None:
    anna = _rows(members["anna"], "club-board")
    assert _figures(anna["Cheyenne stays"]) == ("Anna", 40, None, 40.0, None, 3)
    # Multiple choice: my option rated highest, and the option whose median is highest.
    assert _figures(anna["Who runs the Met?"]) == ("Bob", 70, "Gael", 60.0, "Gael", 3)
    assert _figures(anna["Gael leaves"]) == ("Bob", None, None, 55.0, None, 1)
    assert _figures(anna["Jack sings"]) == ("Anna", 30, None, 37.5, None, 2)
    assert anna["Cheyenne stays"].author_id == members["anna"].identity.member_id

    # Only each member's latest forecast counts: Bob's 70, not his 60; Cléo's second call.
    bob = _rows(members["bob"], "club-board")
    assert _figures(bob["Cheyenne stays"]) == ("Anna", 70, None, 40.0, None, 3)
    assert _figures(bob["Who runs the Met?"]) == ("Bob", 50, "Jack", 60.0, "Gael", 3)
    cleo = _rows(members["cleo"], "club-board")
    assert (cleo["Who runs the Met?"].yours, cleo["Who runs the Met?"].yours_option) == (60, "Gael")
    # The owner never forecast any of them.
    owner = _rows(members["owner"], "club-board")
    assert [r.yours for r in owner.values()] == [None] * 4
    assert {r.forecasters for r in owner.values()} == {3, 1, 2}


def test_the_theorys_own_confidence_stays_its_authors(
    members: dict[str, Journal], journal_of_theories: dict[str, int]
) -> None:
    rows = _rows(members["bob"], "club-board")
    assert rows["Cheyenne stays"].confidence == 40  # Anna's, whatever Bob forecast
    assert (rows["Who runs the Met?"].confidence, rows["Who runs the Met?"].leading_option) == (50, "Jack")


def test_not_forecast_by_me_filters_counts_and_combines_with_other_filters(
    members: dict[str, Journal], journal_of_theories: dict[str, int]
) -> None:
    def unforecast(who: str, **extra: object) -> tuple[list[str], int]:
        journal = members[who]
        query = _query(journal, "club-board", not_forecast_by_me=True, **extra)
        return sorted(r.title for r in journal.board.page(query)), journal.board.count(query)

    assert unforecast("anna") == (["Gael leaves"], 1)
    assert unforecast("bob") == ([], 0)
    assert unforecast("cleo") == (["Gael leaves", "Jack sings"], 2)
    assert unforecast("owner")[1] == 4
    # It narrows like any other filter: with the search, and with a status.
    assert unforecast("cleo", text="Jack") == (["Jack sings"], 1)
    members["bob"].theories.resolve(journal_of_theories["leaves"], TheoryStatus.BUSTED)
    try:
        assert unforecast("cleo", statuses=frozenset({TheoryStatus.OPEN})) == (["Jack sings"], 1)
    finally:
        members["bob"].theories.reopen(journal_of_theories["leaves"])
    # Where a theory sits among those I have not forecast, and that one I have is not among them.
    anna = members["anna"]
    query = _query(anna, "club-board", not_forecast_by_me=True)
    assert anna.board.position(query, journal_of_theories["leaves"]) == 0
    assert anna.board.position(query, journal_of_theories["stays"]) is None


def test_a_forecast_shows_in_the_figures_and_leaves_the_filter(
    members: dict[str, Journal], club: backends.Club
) -> None:
    anna, cleo = members["anna"], members["cleo"]
    theory = anna.theories.create(_draft("Mindy moves out", "club-board-2", 25))
    query = _query(cleo, "club-board-2", not_forecast_by_me=True)
    assert [r.title for r in cleo.board.page(query)] == ["Mindy moves out"]
    cleo.theories.forecast(theory.id, 75)
    assert cleo.board.count(query) == 0
    (row,) = cleo.board.page(_query(cleo, "club-board-2"))
    assert _figures(row) == ("Anna", 75, None, 50.0, None, 2)


def test_the_club_figures_cost_one_query_per_page(
    members: dict[str, Journal], journal_of_theories: dict[str, int]
) -> None:
    anna = members["anna"]
    solo_like = TheoryQuery(tags=frozenset({"club-board"}))
    assert _statements(anna, solo_like) + 1 == _statements(anna, _query(anna, "club-board"))
    assert {r.forecasters for r in anna.board.page(solo_like)} == {None}


def test_a_journal_of_one_reads_no_club_figures(journal: Journal) -> None:
    assert not journal.identity.club
    journal.theories.create(_draft("Cheyenne stays", "solo", 40))
    (row,) = journal.board.page(TheoryQuery())
    assert _figures(row) == (None, None, None, None, None, None)
    assert row.author_id is None
    # The board's page is its two queries (the page's ids, then their rows), as ever.
    assert _statements(journal, TheoryQuery()) == 2


def _statements(journal: Journal, query: TheoryQuery) -> int:
    """How many statements one page of ``query`` runs (the full-text check asked first)."""
    journal.board.count(query)
    seen: list[str] = []

    def heard(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    engine = journal.database.engine
    event.listen(engine, "before_cursor_execute", heard)
    try:
        journal.board.page(query)
    finally:
        event.remove(engine, "before_cursor_execute", heard)
    return len([s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))])

"""The club's track record through the real services: which of each member's forecasts count,
on SQLite and PostgreSQL alike, in a fixed number of queries."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
from helpers import FakeClock, write
from sqlalchemy import event, select

from etoile_app.domain import club_scoring
from etoile_app.domain.club_scoring import ClubMember, ClubQuestion
from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.models import OptionDraft
from etoile_app.services.club_record import ClubRecordService
from etoile_app.services.journal import Journal
from etoile_app.storage.models import ForecasterRecord, ForecastRecord, OptionRecord


@pytest.fixture
def club(journal: Journal, clock: FakeClock) -> ClubRecordService:
    return ClubRecordService(journal.database.sessions, clock)


def member(journal: Journal, name: str) -> int:
    with journal.database.sessions.begin() as s:
        record = ForecasterRecord(name=name)
        s.add(record)
        s.flush()
        return record.id


def options_of(journal: Journal, theory_id: int) -> list[int]:
    with journal.database.sessions() as s:
        return list(
            s.scalars(
                select(OptionRecord.id)
                .where(OptionRecord.theory_id == theory_id)
                .order_by(OptionRecord.position)
            )
        )


def forecast(
    journal: Journal, theory_id: int, who: int, confidence: int, at: datetime, option_id: int | None = None
) -> None:
    """A member's forecast written directly, as the member's own client would."""
    with journal.database.sessions.begin() as s:
        s.add(
            ForecastRecord(
                theory_id=theory_id,
                option_id=option_id,
                forecaster_id=who,
                confidence=confidence,
                changed_at=at,
            )
        )


@contextmanager
def counted_queries(journal: Journal) -> Iterator[list[str]]:
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = journal.database.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def by_name(board: club_scoring.Leaderboard) -> dict[str, club_scoring.LeaderboardRow]:
    return {r.name: r for r in board.rows}


# --- solo or club ----------------------------------------------------------------------------


def test_a_solo_journal_is_no_club(journal: Journal, clock: FakeClock, club: ClubRecordService) -> None:
    t = write(journal, "Jack stays in Paris", confidence=70)
    clock.advance(days=1)
    journal.theories.resolve(t.id, TheoryStatus.CONFIRMED)
    assert not club.has_club()
    assert club.members() == ()
    board = club.leaderboard()
    assert board.members == () and board.club_median.questions == 0  # the owner is nobody's member
    assert club.calibration(None) == ()
    member(journal, "Ana")
    assert not club.has_club()  # one member is not a club yet
    member(journal, "Ben")
    assert club.has_club()
    assert [m.name for m in club.members()] == ["Ana", "Ben"]


def test_members_are_listed_by_name(journal: Journal, club: ClubRecordService) -> None:
    for name in ("chloé", "Ben", "ana"):
        member(journal, name)
    assert [m.name for m in club.members()] == ["ana", "Ben", "chloé"]


# --- which forecasts count -------------------------------------------------------------------


def test_each_member_is_scored_with_their_own_forecast_in_force(
    journal: Journal, clock: FakeClock, club: ClubRecordService
) -> None:
    ana, ben, chloe = member(journal, "Ana"), member(journal, "Ben"), member(journal, "Chloé")
    t = write(journal, "Jack stays in Paris", confidence=50)  # the owner's: nobody's member
    forecast(journal, t.id, ana, 30, clock.advance(hours=1))
    forecast(journal, t.id, ben, 90, clock.now)
    forecast(journal, t.id, ana, 80, clock.advance(hours=1))  # Ana's last before resolution
    moment = clock.advance(hours=1)
    forecast(journal, t.id, ben, 20, moment)
    forecast(journal, t.id, ben, 60, moment)  # same moment: the later row is in force
    journal.theories.resolve(t.id, TheoryStatus.CONFIRMED)  # at the same moment still
    forecast(journal, t.id, chloe, 99, clock.advance(hours=1))  # after resolution: ignored
    forecast(journal, t.id, ana, 1, clock.now)

    rows = by_name(club.leaderboard())
    # Ana 80: 2·0.2² = 0.08; Ben 60: 2·0.4² = 0.32; median of the two 0.20 → −0.12, +0.12.
    assert rows["Ana"].mean_brier == pytest.approx(0.08)
    assert rows["Ben"].mean_brier == pytest.approx(0.32)
    assert rows["Ana"].relative_brier == pytest.approx(-0.12)
    assert rows["Ben"].relative_brier == pytest.approx(0.12)
    assert (rows["Chloé"].questions, rows["Chloé"].mean_brier) == (0, None)
    # The median forecast: 70 % → 2·0.3² = 0.18, ln 0.7.
    assert rows["Club median"].mean_brier == pytest.approx(0.18)
    assert rows["Club median"].mean_log_score == pytest.approx(math.log(0.7))


def test_what_is_not_scored_counts_for_nobody(
    journal: Journal, clock: FakeClock, club: ClubRecordService
) -> None:
    ana, ben = member(journal, "Ana"), member(journal, "Ben")
    condition = write(journal, "Étoile is revived")
    ids = {
        name: write(journal, name, **fields).id
        for name, fields in (
            ("open", {}),
            ("void", {}),
            ("deleted", {}),
            ("unheld", {"condition_id": condition.id}),
        )
    }
    for ident in ids.values():
        forecast(journal, ident, ana, 70, clock.advance(minutes=1))
        forecast(journal, ident, ben, 40, clock.now)
    clock.advance(hours=1)
    journal.theories.resolve(ids["void"], TheoryStatus.VOID)
    journal.theories.resolve(ids["deleted"], TheoryStatus.CONFIRMED)
    journal.theories.delete(ids["deleted"])
    journal.theories.resolve(ids["unheld"], TheoryStatus.CONFIRMED)  # its condition is still open
    board = club.leaderboard()
    assert [r.questions for r in board.rows] == [0, 0, 0]

    journal.theories.resolve(condition.id, TheoryStatus.CONFIRMED)  # now the condition held
    board = club.leaderboard()
    assert [r.questions for r in board.rows] == [1, 1, 1]


def test_multiple_choice_counts_only_complete_forecasts(
    journal: Journal, clock: FakeClock, club: ClubRecordService
) -> None:
    ana, ben, chloe = member(journal, "Ana"), member(journal, "Ben"), member(journal, "Chloé")
    who = write(
        journal,
        "Who ends up with Cheyenne?",
        options=(OptionDraft("Jack", 40), OptionDraft("Gael", 40), OptionDraft("Nobody", 20)),
    )
    jack, gael, nobody = options_of(journal, who.id)
    at = clock.advance(hours=1)
    for option, confidence in ((jack, 50), (gael, 20), (nobody, 30)):
        forecast(journal, who.id, ana, confidence, at, option)
    for option, confidence in ((jack, 20), (gael, 50), (nobody, 30)):
        forecast(journal, who.id, ben, confidence, at, option)
    forecast(journal, who.id, chloe, 60, at, jack)
    forecast(journal, who.id, chloe, 40, at, gael)  # never a word on "Nobody" before resolution
    clock.advance(hours=1)
    journal.theories.resolve(who.id, TheoryStatus.CONFIRMED, option="Jack")
    forecast(journal, who.id, chloe, 1, clock.advance(hours=1), nobody)  # too late

    rows = by_name(club.leaderboard())
    # Ana 0.5² + 0.2² + 0.3² = 0.38; Ben 0.8² + 0.5² + 0.3² = 0.98; Chloé left out.
    assert rows["Ana"].mean_brier == pytest.approx(0.38)
    assert rows["Ben"].mean_brier == pytest.approx(0.98)
    assert (rows["Ana"].yes_no, rows["Ana"].choices) == (0, 1)
    assert rows["Chloé"].questions == 0
    # Median per option (35, 35, 30) sums to 100: 0.65² + 0.35² + 0.3² = 0.635.
    assert rows["Club median"].mean_brier == pytest.approx(0.635)
    assert rows["Club median"].mean_log_score == pytest.approx(math.log(0.35))
    assert [(b.low, b.count, b.confirmed) for b in club.calibration(ana)] == [
        (20, 1, 0),
        (30, 1, 0),
        (50, 1, 1),
    ]
    assert club.calibration(chloe) == ()


def test_the_service_agrees_with_the_domain_on_a_hand_made_club(
    journal: Journal, clock: FakeClock, club: ClubRecordService
) -> None:
    ana, ben, chloe = member(journal, "Ana"), member(journal, "Ben"), member(journal, "Chloé")
    q1 = write(journal, "Q1").id
    q2 = write(journal, "Q2").id
    q3 = write(journal, "Q3", options=(OptionDraft("A", 40), OptionDraft("B", 30), OptionDraft("C", 30))).id
    at = clock.advance(hours=1)
    for who, c in ((ana, 80), (ben, 60), (chloe, 30)):
        forecast(journal, q1, who, c, at)
    for who, c in ((ana, 20), (ben, 50)):
        forecast(journal, q2, who, c, at)
    options = options_of(journal, q3)
    for who, cs in ((ana, (50, 20, 30)), (ben, (20, 50, 30)), (chloe, (60, 30, 10))):
        for option, c in zip(options, cs, strict=True):
            forecast(journal, q3, who, c, at, option)
    clock.advance(hours=1)
    journal.theories.resolve(q1, TheoryStatus.CONFIRMED)
    journal.theories.resolve(q2, TheoryStatus.BUSTED)
    journal.theories.resolve(q3, TheoryStatus.CONFIRMED, option="A")

    expected = club_scoring.leaderboard(
        [ClubMember(ana, "Ana"), ClubMember(ben, "Ben"), ClubMember(chloe, "Chloé")],
        [
            ClubQuestion.yes_no(q1, True, {ana: 80, ben: 60, chloe: 30}),
            ClubQuestion.yes_no(q2, False, {ana: 20, ben: 50}),
            ClubQuestion.choice(q3, 0, {ana: (50, 20, 30), ben: (20, 50, 30), chloe: (60, 30, 10)}, 3),
        ],
    )
    assert club.leaderboard() == expected
    for who in (ana, ben, chloe, None):
        assert club.calibration(who) == club_scoring.calibration(club.questions(), who)


def test_the_leaderboard_takes_two_queries_however_large_the_club(
    journal: Journal, clock: FakeClock, club: ClubRecordService
) -> None:
    members = [member(journal, f"Member {i}") for i in range(4)]
    for i in range(6):
        t = write(
            journal, f"Theory {i}", options=(OptionDraft("A", 50), OptionDraft("B", 50)) if i % 2 else ()
        )
        at = clock.advance(minutes=1)
        for m in members:
            if t.options:
                for option in options_of(journal, t.id):
                    forecast(journal, t.id, m, 50, at, option)
            else:
                forecast(journal, t.id, m, 10 + 10 * m % 80, at)
        journal.theories.resolve(t.id, TheoryStatus.CONFIRMED, option="A" if t.options else None)
    with counted_queries(journal) as statements:
        board = club.leaderboard()
    assert all(r.questions == 6 for r in board.rows)
    assert len([s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]) == 2
    with counted_queries(journal) as statements:
        club.calibration(members[0])
    assert len([s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]) == 1


def test_reopening_takes_the_question_off_the_board(
    journal: Journal, clock: FakeClock, club: ClubRecordService
) -> None:
    ana, ben = member(journal, "Ana"), member(journal, "Ben")
    t = write(journal, "A time jump")
    forecast(journal, t.id, ana, 70, clock.advance(hours=1))
    forecast(journal, t.id, ben, 30, clock.now)
    clock.advance(hours=1)
    journal.theories.resolve(t.id, TheoryStatus.BUSTED)
    assert by_name(club.leaderboard())["Ana"].questions == 1
    journal.theories.reopen(t.id)
    assert by_name(club.leaderboard())["Ana"].questions == 0
    forecast(journal, t.id, ana, 10, clock.advance(hours=1))  # a change of mind while open
    clock.advance(hours=1)
    journal.theories.resolve(t.id, TheoryStatus.BUSTED)
    assert by_name(club.leaderboard())["Ana"].mean_brier == pytest.approx(2 * 0.1**2)

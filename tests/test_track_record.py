"""The track record through the real services: which theories count, with which confidence."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from helpers import FakeClock, character_id, write
from sqlalchemy import select, update

from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.errors import CharacterNotFoundError, ChoiceError, TagError
from etoile_app.services.journal import Journal
from etoile_app.services.track_record import TrackRecordService
from etoile_app.storage.models import ForecasterRecord, ForecastRecord, OptionRecord, TheoryRecord


@pytest.fixture
def track(journal: Journal, clock: FakeClock) -> TrackRecordService:
    return TrackRecordService(journal.database.sessions, clock)


def settle(
    journal: Journal, clock: FakeClock, confidence: int, status: TheoryStatus, title: str = "", **fields: Any
) -> int:
    """Write a theory at ``confidence``, let a day pass, resolve it; return its id."""
    theory = write(journal, title or f"At {confidence}", confidence=confidence, **fields)
    clock.advance(days=1)
    journal.theories.resolve(theory.id, status)
    return theory.id


def scored_confidence(track: TrackRecordService) -> int:
    """The confidence the one scored theory counts with (the mean of one, as a percentage)."""
    overall = track.summary().overall
    assert overall.count == 1 and overall.mean_probability is not None
    return round(overall.mean_probability * 100)


def add_history(journal: Journal, theory_id: int, confidence: int, at: datetime) -> None:
    """Write a history entry directly, as an import could, bypassing the open-only rule."""
    with journal.database.sessions.begin() as s:
        s.add(ForecastRecord(theory_id=theory_id, confidence=confidence, changed_at=at, note=""))


# --- the confidence in force at resolution -------------------------------------------------


def test_score_uses_the_confidence_in_force_at_resolution(
    journal: Journal, clock: FakeClock, track: TrackRecordService
) -> None:
    t = write(journal, "Jack stays in Paris", confidence=70)
    clock.advance(days=1)
    journal.theories.set_confidence(t.id, 40)
    clock.advance(days=1)
    journal.theories.resolve(t.id, TheoryStatus.CONFIRMED)
    s = track.summary().overall
    assert s.count == 1
    assert s.mean_brier == pytest.approx(0.36)  # (0.4 − 1)²

    journal.theories.reopen(t.id)
    clock.advance(days=1)
    journal.theories.set_confidence(t.id, 90)
    clock.advance(days=1)
    journal.theories.resolve(t.id, TheoryStatus.BUSTED)
    s = track.summary().overall
    assert s.count == 1
    assert s.mean_brier == pytest.approx(0.81)  # (0.9 − 0)²
    assert (scored_confidence(track), s.confirmed) == (90, 0)


def test_change_at_the_same_moment_as_resolution_is_in_force(
    journal: Journal, clock: FakeClock, track: TrackRecordService
) -> None:
    t = write(journal, confidence=70)
    clock.advance(days=1)
    journal.theories.set_confidence(t.id, 40)
    journal.theories.resolve(t.id, TheoryStatus.CONFIRMED)  # same clock reading
    assert scored_confidence(track) == 40


def test_history_written_after_resolution_is_ignored(
    journal: Journal, clock: FakeClock, track: TrackRecordService
) -> None:
    t = write(journal, confidence=20)
    clock.advance(days=1)
    journal.theories.resolve(t.id, TheoryStatus.CONFIRMED)
    later = clock.advance(days=1)
    add_history(journal, t.id, 95, later)
    with journal.database.sessions.begin() as s:
        s.execute(update(TheoryRecord).where(TheoryRecord.id == t.id).values(confidence=95))
    assert scored_confidence(track) == 20
    assert track.summary().overall.mean_brier == pytest.approx(0.64)  # (0.2 − 1)²
    assert [b.index for b in track.calibration()] == [2]
    assert [c.confidence for c in track.bold_calls()] == [20]  # still a long shot


def test_entries_at_the_same_moment_are_ordered_by_id(
    journal: Journal, clock: FakeClock, track: TrackRecordService
) -> None:
    t = write(journal, confidence=70)
    moment = clock.advance(hours=1)
    add_history(journal, t.id, 30, moment)
    add_history(journal, t.id, 60, moment)  # recorded later: in force
    clock.advance(hours=1)
    journal.theories.resolve(t.id, TheoryStatus.BUSTED)
    assert scored_confidence(track) == 60


def test_without_history_the_current_confidence_counts(
    journal: Journal, clock: FakeClock, track: TrackRecordService
) -> None:
    t = write(journal, confidence=70)
    clock.advance(days=1)
    journal.theories.resolve(t.id, TheoryStatus.CONFIRMED)
    with journal.database.sessions.begin() as s:
        s.query(ForecastRecord).filter_by(theory_id=t.id).delete()
    assert scored_confidence(track) == 70


# --- which theories count ------------------------------------------------------------------


def test_empty_journal_has_an_empty_track_record(track: TrackRecordService) -> None:
    summary = track.summary()
    assert (summary.overall.count, summary.void_count, summary.open_count) == (0, 0, 0)
    assert summary.overall.mean_brier is None and summary.overall.mean_log_score is None
    assert summary.by_category == summary.by_tag == summary.by_character == ()
    assert track.calibration() == ()
    assert track.category_ranking().most == track.category_ranking().least == ()
    assert track.bold_calls() == track.ready_to_resolve() == []


def test_void_open_and_deleted_theories_are_not_scored(
    journal: Journal, clock: FakeClock, track: TrackRecordService
) -> None:
    settle(journal, clock, 70, TheoryStatus.CONFIRMED)
    settle(journal, clock, 90, TheoryStatus.VOID)
    write(journal, "Still open", confidence=10)
    gone = settle(journal, clock, 99, TheoryStatus.BUSTED)
    journal.theories.delete(gone)
    journal.theories.delete(write(journal, "Open, then deleted").id)

    summary = track.summary()
    assert (summary.overall.count, summary.void_count, summary.open_count) == (1, 1, 1)
    assert summary.overall.mean_brier == pytest.approx(0.09)  # only the 70 % confirmed one
    assert sum(b.count for b in track.calibration()) == 1
    assert scored_confidence(track) == 70


def test_single_theory_summary(journal: Journal, clock: FakeClock, track: TrackRecordService) -> None:
    settle(journal, clock, 40, TheoryStatus.BUSTED)
    s = track.summary().overall
    # (0.4 − 0)² = 0.16; ln 0.6 = −0.510826
    assert (s.count, s.confirmed, s.share_confirmed) == (1, 0, 0.0)
    assert s.mean_brier == pytest.approx(0.16)
    assert s.mean_log_score == pytest.approx(-0.510826, abs=1e-6)


def test_scores_by_category_tag_and_character(
    journal: Journal, clock: FakeClock, track: TrackRecordService
) -> None:
    jack, mishi = character_id(journal, "jack"), character_id(journal, "mishi")
    settle(
        journal,
        clock,
        70,
        TheoryStatus.CONFIRMED,
        category=Category.ROMANCE,
        tags=("romance/jack-cheyenne",),
        character_ids=(jack,),
    )
    settle(journal, clock, 40, TheoryStatus.BUSTED, category=Category.ROMANCE, tags=("romance",))
    settle(
        journal,
        clock,
        20,
        TheoryStatus.CONFIRMED,
        category=Category.VILLAIN_ARC,
        tags=("villain",),
        character_ids=(mishi, jack),
    )
    settle(journal, clock, 80, TheoryStatus.VOID, category=Category.VILLAIN_ARC, character_ids=(mishi,))

    summary = track.summary()
    categories = {g.key: (g.count, g.confirmed) for g in summary.by_category}
    assert categories == {Category.ROMANCE: (2, 1), Category.VILLAIN_ARC: (1, 1)}
    romance = summary.by_category[0]
    assert romance.mean_brier == pytest.approx((0.09 + 0.16) / 2)
    tags = {g.key: g.count for g in summary.by_tag}
    assert tags == {"romance": 2, "romance/jack-cheyenne": 1, "villain": 1}
    characters = {g.label: (g.key, g.count) for g in summary.by_character}
    assert characters == {"Jack": (jack, 2), "Mishi": (mishi, 1)}  # the void one does not count
    # Jack: 70 confirmed (0.09) and 20 confirmed (0.64)
    assert next(g for g in summary.by_character if g.key == jack).mean_brier == pytest.approx(0.365)


# --- calibration ---------------------------------------------------------------------------


def test_calibration_bins_and_filters(journal: Journal, clock: FakeClock, track: TrackRecordService) -> None:
    jack, mishi = character_id(journal, "jack"), character_id(journal, "mishi")
    settle(
        journal,
        clock,
        70,
        TheoryStatus.CONFIRMED,
        category=Category.ROMANCE,
        tags=("romance/jack-cheyenne",),
        character_ids=(jack,),
    )
    settle(journal, clock, 75, TheoryStatus.BUSTED, category=Category.ROMANCE, tags=("romance",))
    settle(journal, clock, 10, TheoryStatus.CONFIRMED, category=Category.VILLAIN_ARC, character_ids=(mishi,))
    settle(journal, clock, 99, TheoryStatus.CONFIRMED, category=Category.CASTING, tags=("romanceish",))

    bins = track.calibration()
    assert [(b.index, b.count, b.confirmed) for b in bins] == [(1, 1, 1), (7, 2, 1), (9, 1, 1)]
    assert bins[1].mean_probability == pytest.approx(0.725)  # (0.70 + 0.75) / 2

    assert [(b.index, b.count) for b in track.calibration(category=Category.ROMANCE)] == [(7, 2)]
    assert [(b.index, b.count) for b in track.calibration(category="villain_arc")] == [(1, 1)]
    # a tag takes in its children, not tags that merely start with the same letters
    assert [(b.index, b.count) for b in track.calibration(tag="romance")] == [(7, 2)]
    assert [(b.index, b.count) for b in track.calibration(tag=" Romance / Jack Cheyenne ")] == [(7, 1)]
    assert [(b.index, b.count) for b in track.calibration(character_id=mishi)] == [(1, 1)]
    assert [(b.index, b.count) for b in track.calibration(character_id=jack)] == [(7, 1)]
    assert track.calibration(category=Category.ROMANCE, character_id=mishi) == ()
    assert track.calibration(tag="nobody-uses-this") == ()


def test_calibration_filters_refuse_bad_values(track: TrackRecordService) -> None:
    with pytest.raises(ChoiceError):
        track.calibration(category="soap")
    with pytest.raises(TagError):
        track.calibration(tag="a/")
    with pytest.raises(CharacterNotFoundError):
        track.calibration(character_id=99_999)


# --- lists ---------------------------------------------------------------------------------


def test_ready_to_resolve(journal: Journal, clock: FakeClock, track: TrackRecordService) -> None:
    today = track.today()
    late = write(journal, "Late", resolve_by=today - timedelta(days=3)).id
    later = write(journal, "Very late", resolve_by=today - timedelta(days=30)).id
    write(journal, "Due today", resolve_by=today)
    write(journal, "Due tomorrow", resolve_by=today + timedelta(days=1))
    write(journal, "No deadline")
    done = write(journal, "Resolved", resolve_by=today - timedelta(days=5)).id
    journal.theories.resolve(done, TheoryStatus.VOID)
    binned = write(journal, "Deleted", resolve_by=today - timedelta(days=5)).id
    journal.theories.delete(binned)

    due = track.ready_to_resolve()
    assert [(d.theory_id, d.days_overdue) for d in due] == [(later, 30), (late, 3)]
    assert due[1].title == "Late"

    clock.advance(days=1)  # today's deadline is now past, and everything is a day later
    due = track.ready_to_resolve()
    assert [d.title for d in due] == ["Very late", "Late", "Due today"]
    assert [d.days_overdue for d in due] == [31, 4, 1]

    journal.theories.resolve(later, TheoryStatus.CONFIRMED)
    journal.theories.restore(binned)
    assert [d.title for d in track.ready_to_resolve()] == ["Deleted", "Late", "Due today"]


def test_bold_calls(journal: Journal, clock: FakeClock, track: TrackRecordService) -> None:
    settle(journal, clock, 30, TheoryStatus.CONFIRMED, title="Long shot at 30", juiciness=2)
    settle(journal, clock, 5, TheoryStatus.CONFIRMED, title="Wild guess")
    settle(journal, clock, 80, TheoryStatus.CONFIRMED, title="Juicy", juiciness=4)
    settle(journal, clock, 80, TheoryStatus.CONFIRMED, title="Juiciest", juiciness=5)
    settle(journal, clock, 30, TheoryStatus.CONFIRMED, title="Juicy long shot", juiciness=5)
    settle(journal, clock, 31, TheoryStatus.CONFIRMED, title="Not bold", juiciness=3)
    settle(journal, clock, 10, TheoryStatus.BUSTED, title="Busted long shot", juiciness=5)
    settle(journal, clock, 10, TheoryStatus.VOID, title="Void long shot")
    write(journal, "Open long shot", confidence=5, juiciness=5)
    gone = settle(journal, clock, 10, TheoryStatus.CONFIRMED, title="Deleted long shot")
    journal.theories.delete(gone)

    calls = track.bold_calls()
    assert [c.title for c in calls] == [
        "Wild guess",
        "Juicy long shot",
        "Long shot at 30",
        "Juiciest",
        "Juicy",
    ]


def test_bold_call_uses_the_confidence_in_force(
    journal: Journal, clock: FakeClock, track: TrackRecordService
) -> None:
    t = write(journal, confidence=80)
    clock.advance(days=1)
    journal.theories.set_confidence(t.id, 25)
    clock.advance(days=1)
    journal.theories.resolve(t.id, TheoryStatus.CONFIRMED)
    assert [(c.theory_id, c.confidence) for c in track.bold_calls()] == [(t.id, 25)]


def test_most_and_least_calibrated_categories(
    journal: Journal, clock: FakeClock, track: TrackRecordService
) -> None:
    for outcome in (TheoryStatus.CONFIRMED, TheoryStatus.CONFIRMED, TheoryStatus.BUSTED):
        settle(journal, clock, 70, outcome, category=Category.ROMANCE)  # gap |0.7 − 2/3| = 0.033
    for outcome in (TheoryStatus.CONFIRMED, TheoryStatus.BUSTED):
        settle(journal, clock, 90, outcome, category=Category.VILLAIN_ARC)  # only two: not ranked
    assert track.category_ranking().ranked[0].category is Category.ROMANCE
    assert [c.category for c in track.category_ranking().most] == [Category.ROMANCE]
    assert track.category_ranking().least == ()

    settle(journal, clock, 90, TheoryStatus.BUSTED, category=Category.VILLAIN_ARC)  # gap |0.9 − 1/3|
    ranking = track.category_ranking()
    assert [c.category for c in ranking.most] == [Category.ROMANCE]
    assert [c.category for c in ranking.least] == [Category.VILLAIN_ARC]
    villain = ranking.least[0]
    assert (villain.count, villain.confirmed) == (3, 1)
    assert villain.gap == pytest.approx(0.9 - 1 / 3)
    # (0.9 − 1)² + 0.9² + 0.9² = 0.01 + 0.81 + 0.81 = 1.63, / 3
    assert villain.mean_brier == pytest.approx(1.63 / 3)

    # A higher bar leaves nothing to rank: empty lists, not an error.
    high_bar = track.category_ranking(min_resolved=4)
    assert high_bar.most == high_bar.least == high_bar.ranked == ()
    assert high_bar.min_resolved == 4


# --- it follows the database ---------------------------------------------------------------


def test_numbers_follow_resolve_reopen_and_rerate(
    journal: Journal, clock: FakeClock, track: TrackRecordService
) -> None:
    a = write(journal, "A", confidence=70, category=Category.ROMANCE).id
    b = write(journal, "B", confidence=20, category=Category.CASTING).id
    clock.advance(days=1)
    assert track.summary().overall.count == 0

    journal.theories.resolve(a, TheoryStatus.CONFIRMED)
    assert track.summary().overall.mean_brier == pytest.approx(0.09)
    assert [b_.index for b_ in track.calibration()] == [7]

    journal.theories.resolve(b, TheoryStatus.CONFIRMED)
    assert track.summary().overall.mean_brier == pytest.approx((0.09 + 0.64) / 2)
    assert [c.theory_id for c in track.bold_calls()] == [b]

    journal.theories.reopen(b)
    assert track.summary().overall.count == 1
    assert track.bold_calls() == []
    assert track.summary().open_count == 1

    clock.advance(days=1)
    journal.theories.set_confidence(b, 60)
    clock.advance(days=1)
    journal.theories.resolve(b, TheoryStatus.BUSTED)
    s = track.summary()
    assert s.overall.mean_brier == pytest.approx((0.09 + 0.36) / 2)
    assert [(bin_.index, bin_.count) for bin_ in track.calibration()] == [(6, 1), (7, 1)]
    assert {g.key: g.mean_brier for g in s.by_category} == pytest.approx(
        {Category.ROMANCE: 0.09, Category.CASTING: 0.36}
    )

    journal.theories.delete(a)
    assert track.summary().overall.count == 1
    journal.theories.restore(a)
    assert track.summary().overall.count == 2


# --- one member's record in a club ---------------------------------------------------------


def _member(journal: Journal, name: str) -> int:
    with journal.database.sessions.begin() as s:
        record = ForecasterRecord(name=name)
        s.add(record)
        s.flush()
        return record.id


def _member_forecast(
    journal: Journal, theory_id: int, who: int, confidence: int, at: datetime, option_id: int | None = None
) -> None:
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


def test_a_members_record_takes_their_own_forecast_and_nothing_else(
    journal: Journal, clock: FakeClock, track: TrackRecordService
) -> None:
    ana, ben = _member(journal, "Ana"), _member(journal, "Ben")
    mine = TrackRecordService(journal.database.sessions, clock, forecaster_id=ana)
    theirs = TrackRecordService(journal.database.sessions, clock, forecaster_id=ben)
    shared = write(journal, "Jack stays in Paris", confidence=50, juiciness=2)
    bens = write(journal, "Gael leaves", confidence=50, juiciness=5)
    nobodys = write(journal, "A time jump", confidence=50)
    _member_forecast(journal, shared.id, ana, 80, clock.advance(hours=1))
    _member_forecast(journal, shared.id, ana, 20, clock.advance(hours=1))  # Ana's in force
    _member_forecast(journal, shared.id, ben, 90, clock.now)
    _member_forecast(journal, bens.id, ben, 70, clock.now)
    clock.advance(hours=1)
    for t in (shared, bens, nobodys):
        journal.theories.resolve(t.id, TheoryStatus.CONFIRMED)
    _member_forecast(journal, bens.id, ana, 99, clock.advance(hours=1))  # after: not Ana's call
    open_one = write(journal, "Still open", confidence=50)
    _member_forecast(journal, open_one.id, ben, 40, clock.advance(hours=1))

    s = mine.summary()
    # Only the shared theory, at Ana's 20 %: (0.2 − 1)² = 0.64. No fallback to the theory's 50 %.
    assert (s.overall.count, s.overall.mean_brier) == (1, pytest.approx(0.64))
    assert (s.void_count, s.open_count) == (0, 0)
    assert [(b.low, b.count) for b in mine.calibration()] == [(20, 1)]
    assert [(c.theory_id, c.confidence) for c in mine.bold_calls()] == [(shared.id, 20)]
    assert [g.count for g in mine.summary().by_category] == [1]

    s = theirs.summary()
    # Ben: 90 % and 70 %, both confirmed: (0.01 + 0.09) / 2 = 0.05; one theory open.
    assert (s.overall.count, s.overall.mean_brier, s.open_count) == (2, pytest.approx(0.05), 1)
    assert [(c.theory_id, c.confidence) for c in theirs.bold_calls()] == [(bens.id, 70)]  # juicy

    # The whole journal's record is as it always was: every theory, the last forecast of anyone.
    s = track.summary()
    assert (s.overall.count, s.open_count) == (3, 1)
    # Ben's 90 % came after Ana's 20 % at the same moment; nobody forecast the third but its author.
    assert s.overall.mean_probability == pytest.approx((0.9 + 0.7 + 0.5) / 3)


def test_a_members_multiple_choice_counts_only_when_they_gave_every_option(
    journal: Journal, clock: FakeClock
) -> None:
    from etoile_app.domain.models import OptionDraft

    ana, ben = _member(journal, "Ana"), _member(journal, "Ben")
    who = write(
        journal, "Who ends up with Cheyenne?", options=(OptionDraft("Jack", 70), OptionDraft("Gael", 30))
    )
    with journal.database.sessions() as s:
        jack, gael = s.scalars(
            select(OptionRecord.id).where(OptionRecord.theory_id == who.id).order_by(OptionRecord.position)
        ).all()
    at = clock.advance(hours=1)
    _member_forecast(journal, who.id, ana, 40, at, jack)
    _member_forecast(journal, who.id, ana, 60, at, gael)
    _member_forecast(journal, who.id, ben, 90, at, jack)  # nothing on Gael
    clock.advance(hours=1)
    journal.theories.resolve(who.id, TheoryStatus.CONFIRMED, option="Gael")

    mine = TrackRecordService(journal.database.sessions, clock, forecaster_id=ana)
    theirs = TrackRecordService(journal.database.sessions, clock, forecaster_id=ben)
    assert [c.confidences for c in mine.choices()] == [(40, 60)]
    assert mine.summary().choices.mean_brier == pytest.approx(0.4**2 + 0.4**2)
    assert [(b.low, b.count, b.confirmed) for b in mine.calibration()] == [(40, 1, 0), (60, 1, 1)]
    assert theirs.choices() == []
    assert theirs.summary().choices.count == 0
    assert theirs.calibration() == ()


def test_a_member_with_no_forecasts_has_an_empty_record(journal: Journal, clock: FakeClock) -> None:
    ana = _member(journal, "Ana")
    settle(journal, clock, 70, TheoryStatus.CONFIRMED)
    settle(journal, clock, 70, TheoryStatus.VOID)
    mine = TrackRecordService(journal.database.sessions, clock, forecaster_id=ana)
    summary = mine.summary()
    assert (summary.overall.count, summary.void_count, summary.open_count) == (0, 0, 0)
    assert mine.calibration() == () and mine.bold_calls() == [] and mine.choices() == []
    assert mine.category_ranking().ranked == ()

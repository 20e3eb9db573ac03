"""The club leaderboard's maths: a small club worked out by hand, scores against scikit-learn,
and properties of the median forecast and the relative Brier score."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import brier_score_loss, log_loss

from etoile_app.domain import club_scoring, scoring
from etoile_app.domain.club_scoring import ClubMember, ClubQuestion, MemberForecast

ANA, BEN, CHLOE = 1, 2, 3
MEMBERS = (ClubMember(ANA, "Ana"), ClubMember(BEN, "Ben"), ClubMember(CHLOE, "Chloé"))

# Four questions; Brier scores on the 0–2 scale (a yes/no question is two options).
HAND_CLUB = (
    # Q1 yes/no, confirmed. Ana 80: 2·0.2² = 0.08; Ben 60: 2·0.4² = 0.32; Chloé 30: 2·0.7² = 0.98.
    # Median of scores 0.32 → relative −0.24, 0, +0.66. Median forecast 60 % → 0.32, ln 0.6.
    ClubQuestion.yes_no(1, True, {ANA: 80, BEN: 60, CHLOE: 30}),
    # Q2 yes/no, busted; Chloé never forecast it. Ana 20: 2·0.2² = 0.08; Ben 50: 2·0.5² = 0.5.
    # Median of scores (0.08 + 0.5) / 2 = 0.29 → relative −0.21, +0.21. Median forecast 35 %:
    # 2·0.35² = 0.245, ln 0.65; relative 0.245 − 0.29 = −0.045.
    ClubQuestion.yes_no(2, False, {ANA: 20, BEN: 50}),
    # Q3 three options, the first happened.
    # Ana (50, 20, 30): 0.5² + 0.2² + 0.3² = 0.38, ln 0.5
    # Ben (20, 50, 30): 0.8² + 0.5² + 0.3² = 0.98, ln 0.2
    # Chloé (60, 30, 10): 0.4² + 0.3² + 0.1² = 0.26, ln 0.6
    # Median of scores 0.38 → relative 0, +0.60, −0.12.
    # Median forecast: per option 50, 30, 30 → sum 110 → (5/11, 3/11, 3/11):
    # (6/11)² + 2·(3/11)² = 54/121 ≈ 0.446281, ln(5/11); relative 54/121 − 0.38 ≈ +0.066281.
    ClubQuestion.choice(3, 0, {ANA: (50, 20, 30), BEN: (20, 50, 30), CHLOE: (60, 30, 10)}, 3),
    # Q4 two options, the second happened. Ben never forecast the second option: left out.
    # Chloé (10, 90): 0.1² + 0.1² = 0.02, ln 0.9; alone, so no relative score. Median = Chloé's.
    ClubQuestion.choice(4, 1, {CHLOE: (10, 90), BEN: (70, None)}, 2),
)


def test_a_small_club_worked_out_by_hand() -> None:
    board = club_scoring.leaderboard(MEMBERS, HAND_CLUB)
    rows = {r.name: r for r in board.rows}
    ana, ben, chloe, median = rows["Ana"], rows["Ben"], rows["Chloé"], rows["Club median"]

    # Ana: Q1–Q3. Brier (0.08 + 0.08 + 0.38) / 3 = 0.18; log (ln 0.8 + ln 0.8 + ln 0.5) / 3;
    # relative (−0.24 − 0.21 + 0) / 3 = −0.15.
    assert (ana.questions, ana.yes_no, ana.choices, ana.compared) == (3, 2, 1, 3)
    assert ana.mean_brier == pytest.approx(0.18)
    assert ana.mean_log_score == pytest.approx((2 * math.log(0.8) + math.log(0.5)) / 3)
    assert ana.relative_brier == pytest.approx(-0.15)

    # Ben: Q1–Q3 (Q4 left out). Brier (0.32 + 0.5 + 0.98) / 3 = 0.6; relative (0 + 0.21 + 0.6) / 3 = 0.27.
    assert (ben.questions, ben.yes_no, ben.compared) == (3, 2, 3)
    assert ben.mean_brier == pytest.approx(0.6)
    assert ben.mean_log_score == pytest.approx((math.log(0.6) + math.log(0.5) + math.log(0.2)) / 3)
    assert ben.relative_brier == pytest.approx(0.27)

    # Chloé: Q1, Q3, Q4. Brier (0.98 + 0.26 + 0.02) / 3 = 0.42; relative over Q1 and Q3 only:
    # (0.66 − 0.12) / 2 = 0.27.
    assert (chloe.questions, chloe.yes_no, chloe.compared) == (3, 1, 2)
    assert chloe.mean_brier == pytest.approx(0.42)
    assert chloe.mean_log_score == pytest.approx((math.log(0.3) + math.log(0.6) + math.log(0.9)) / 3)
    assert chloe.relative_brier == pytest.approx(0.27)

    # The club median: all four. Brier (0.32 + 0.245 + 54/121 + 0.02) / 4 ≈ 0.257820;
    # relative (0 − 0.045 + 0.066281) / 3 ≈ 0.007094.
    assert median.is_club_median and median.member_id is None
    assert (median.questions, median.yes_no, median.compared) == (4, 2, 3)
    assert median.mean_brier == pytest.approx((0.32 + 0.245 + 54 / 121 + 0.02) / 4)
    assert median.mean_log_score == pytest.approx(
        (math.log(0.6) + math.log(0.65) + math.log(5 / 11) + math.log(0.9)) / 4
    )
    assert median.relative_brier == pytest.approx((0 - 0.045 + (54 / 121 - 0.38)) / 3)
    assert [r.name for r in board.members] == ["Ana", "Ben", "Chloé"]  # as given: the UI sorts


def test_the_median_forecast_is_renormalised_per_option() -> None:
    assert club_scoring.median_forecast(HAND_CLUB[2]) == pytest.approx((5 / 11, 3 / 11, 3 / 11))
    assert club_scoring.median_forecast(HAND_CLUB[1]) == pytest.approx((0.35, 0.65))
    assert club_scoring.median_forecast(ClubQuestion.yes_no(9, True, {})) is None


def test_calibration_of_a_member_and_of_the_club_median() -> None:
    chloe = {(b.low, b.count, b.confirmed) for b in club_scoring.calibration(HAND_CLUB, CHLOE)}
    # Q1 30 % (confirmed); Q3 60 % (happened), 30 %, 10 %; Q4 10 %, 90 % (happened).
    assert chloe == {(30, 2, 1), (60, 1, 1), (10, 2, 0), (90, 1, 1)}
    median = {(b.low, b.count, b.confirmed) for b in club_scoring.calibration(HAND_CLUB, None)}
    # Q1 60 % ✓; Q2 35 %; Q3 45 % ✓, 27 %, 27 % (5/11, 3/11 rounded); Q4 10 %, 90 % ✓.
    assert median == {(60, 1, 1), (30, 1, 0), (40, 1, 1), (20, 2, 0), (10, 1, 0), (90, 1, 1)}
    assert club_scoring.calibration(HAND_CLUB, 99) == ()


def test_a_member_with_nothing_scored_is_listed_with_no_scores() -> None:
    board = club_scoring.leaderboard([*MEMBERS, ClubMember(4, "Dara")], HAND_CLUB[:1])
    dara = board.members[-1]
    assert (dara.questions, dara.mean_brier, dara.mean_log_score, dara.relative_brier) == (
        0,
        None,
        None,
        None,
    )
    empty = club_scoring.leaderboard(MEMBERS, [])
    assert empty.club_median.questions == 0 and empty.club_median.mean_brier is None


def test_forecasts_by_someone_not_in_the_club_are_refused() -> None:
    with pytest.raises(ValueError, match="non-members"):
        club_scoring.leaderboard(MEMBERS[:1], HAND_CLUB[:1])


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (lambda: ClubQuestion(1, 2, ()), "no outcome 2"),  # yes/no outcomes are 0 and 1
        (lambda: ClubQuestion(1, 3, (), options=3), "no outcome 3"),
        (lambda: ClubQuestion(1, 0, (), options=1), "two options or more"),
        (lambda: ClubQuestion(1, 0, (MemberForecast(1, (50, 50)),)), r"needs 1 confidence\(s\), not 2"),
        (lambda: ClubQuestion(1, 0, (MemberForecast(1, (50,)), MemberForecast(1, (60,)))), "twice"),
        (lambda: ClubQuestion.yes_no(1, True, {1: 100}), "between 1 and 99"),
    ],
)
def test_malformed_questions_are_refused(question, message) -> None:
    with pytest.raises(ValueError, match=message):
        question()


# --- against scikit-learn ------------------------------------------------------------------

confidence = st.integers(1, 99)


@st.composite
def yes_no_calls(draw) -> list[tuple[int, bool]]:
    calls = draw(st.lists(st.tuples(confidence, st.booleans()), min_size=1, max_size=30))
    if len({o for _, o in calls}) == 1:  # scikit-learn's binary scores want both outcomes seen
        calls.append((draw(confidence), not calls[0][1]))
    return calls


@given(yes_no_calls())
def test_a_members_yes_no_scores_match_scikit_learn(calls) -> None:
    questions = [ClubQuestion.yes_no(i, o, {ANA: c}) for i, (c, o) in enumerate(calls)]
    row = club_scoring.leaderboard(MEMBERS[:1], questions).members[0]
    y = [int(o) for _, o in calls]
    p = [c / 100 for c, _ in calls]
    # The leaderboard's scale is 0–2: twice scikit-learn's binary Brier score.
    assert row.mean_brier == pytest.approx(2 * brier_score_loss(y, p))
    assert row.mean_log_score == pytest.approx(-log_loss(y, p, labels=[0, 1]))
    assert row.mean_brier == pytest.approx(2 * scoring.summarize(
        scoring.Forecast(i, c, o) for i, (c, o) in enumerate(calls)
    ).mean_brier)  # fmt: skip


@st.composite
def three_way(draw) -> tuple[tuple[int, int, int], int]:
    """Whole-percent confidences for three options, 1–98 each, summing to 100, and the one
    that happened."""
    a = draw(st.integers(1, 98))
    b = draw(st.integers(1, 99 - a))
    return (a, b, 100 - a - b), draw(st.integers(0, 2))


@given(st.lists(three_way(), min_size=1, max_size=20))
def test_a_members_multiple_choice_scores_match_scikit_learn(calls) -> None:
    questions = [ClubQuestion.choice(i, h, {BEN: cs}, 3) for i, (cs, h) in enumerate(calls)]
    row = club_scoring.leaderboard(MEMBERS[1:2], questions).members[0]
    y = [h for _, h in calls]
    p = [[c / 100 for c in cs] for cs, _ in calls]
    assert row.mean_brier == pytest.approx(brier_score_loss(y, p, labels=[0, 1, 2], scale_by_half=False))
    assert row.mean_log_score == pytest.approx(-log_loss(y, p, labels=[0, 1, 2]))


# --- properties ----------------------------------------------------------------------------


@st.composite
def split_100(draw, n: int) -> tuple[int, ...]:
    """Whole-percent confidences for ``n`` options, 1 % or more each, adding up to 100 % (as the
    journal asks of a multiple-choice forecast)."""
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=n - 1, max_size=n - 1, unique=True)))
    return tuple(b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True))


@st.composite
def clubs(draw) -> list[ClubQuestion]:
    """Up to 8 questions among members 1–5, yes/no or with 2–4 options, some multiple-choice
    forecasts missing an option (never forecast before resolution)."""
    questions = []
    for ident in range(draw(st.integers(0, 8))):
        options = draw(st.sampled_from([0, 2, 3, 4]))
        forecasts = []
        for m in draw(st.lists(st.integers(1, 5), unique=True, max_size=5)):
            if not options:
                forecasts.append(MemberForecast(m, (draw(confidence),)))
                continue
            given = draw(split_100(options))
            missing = draw(st.lists(st.booleans(), min_size=options, max_size=options))
            forecasts.append(
                MemberForecast(m, tuple(None if gap else c for c, gap in zip(given, missing, strict=True)))
            )
        happened = draw(st.integers(0, (options or 2) - 1))
        questions.append(ClubQuestion(ident, happened, tuple(forecasts), options))
    return questions


CLUB = tuple(ClubMember(i, f"Member {i}") for i in range(1, 6))


@given(clubs())
def test_figures_stay_in_range_and_counts_add_up(questions) -> None:
    board = club_scoring.leaderboard(CLUB, questions)
    for row in board.rows:
        assert 0 <= row.compared <= row.questions
        if row.questions:
            assert row.mean_brier is not None and 0.0 <= row.mean_brier <= 2.0
            assert row.mean_log_score is not None and row.mean_log_score <= 0.0
            # A member's confidences are 1–99 %; the median, rescaled, may go below 1 %.
            assert row.is_club_median or row.mean_log_score >= math.log(0.01) - 1e-9
        if row.compared:
            assert row.relative_brier is not None and -2.0 <= row.relative_brier <= 2.0
        else:
            assert row.relative_brier is None
    # Each question counts for every member whose forecast is complete, and for the median if any is.
    assert sum(r.questions for r in board.members) == sum(len(q.counted) for q in questions)
    assert board.club_median.questions == sum(1 for q in questions if q.counted)
    assert board.club_median.compared == sum(1 for q in questions if len(q.counted) >= 2)


@given(clubs())
def test_the_median_forecast_sums_to_one(questions) -> None:
    for q in questions:
        median = club_scoring.median_forecast(q)
        if median is None:
            assert not q.counted
            continue
        assert math.fsum(median) == pytest.approx(1.0)
        assert all(0 < p < 1 for p in median)
        assert len(median) == (q.options or 2)


@given(clubs())
def test_the_order_of_members_and_forecasts_changes_nothing(questions) -> None:
    shuffled = [
        ClubQuestion(q.theory_id, q.happened, tuple(reversed(q.forecasts)), q.options) for q in questions
    ]
    one = club_scoring.leaderboard(CLUB, questions)
    other = club_scoring.leaderboard(tuple(reversed(CLUB)), shuffled)
    assert sorted(one.members, key=lambda r: r.name) == pytest.approx(
        sorted(other.members, key=lambda r: r.name)
    )
    assert one.club_median == other.club_median


@given(st.lists(confidence, min_size=1, max_size=7), st.booleans())
def test_on_yes_no_the_median_forecast_scores_no_worse_than_the_median_member(confidences, confirmed) -> None:
    # Brier is monotone in p for a known outcome, and convex: with an odd number of members the
    # median forecast's Brier is the median score; with an even number, the mean of the middle
    # two forecasts scores no worse than the mean of their scores. Likewise for the log score.
    q = ClubQuestion.yes_no(1, confirmed, dict(enumerate(confidences, start=1)))
    s = club_scoring.score_question(q)
    assert s.median_brier is not None and s.median_log_score is not None
    assert s.median_brier <= statistics.median(s.brier.values()) + 1e-12
    assert s.median_log_score >= statistics.median(s.log_score.values()) - 1e-12
    if len(confidences) % 2:
        assert s.median_brier == pytest.approx(statistics.median(s.brier.values()))


@given(clubs())
def test_relative_brier_is_the_mean_gap_to_each_questions_median(questions) -> None:
    board = club_scoring.leaderboard(CLUB, questions)
    for row in board.members:
        gaps = []
        for q in questions:
            scores = club_scoring.score_question(q)
            if row.member_id in scores.brier and len(scores.brier) >= 2:
                gaps.append(scores.brier[row.member_id] - statistics.median(scores.brier.values()))
        assert row.compared == len(gaps)
        assert row.relative_brier == (pytest.approx(statistics.fmean(gaps)) if gaps else None)


@given(st.lists(confidence, min_size=2, max_size=6), st.booleans())
def test_a_member_who_is_best_on_every_question_is_at_or_below_the_club(confidences, confirmed) -> None:
    best = max(confidences) if confirmed else min(confidences)
    forecasts = {i: c for i, c in enumerate(confidences, start=1) if i != 1} | {1: best}
    board = club_scoring.leaderboard(
        (*CLUB, ClubMember(6, "Member 6")), [ClubQuestion.yes_no(1, confirmed, forecasts)]
    )
    assert board.members[0].relative_brier is not None and board.members[0].relative_brier <= 1e-12


def test_yes_no_on_the_leaderboard_is_twice_the_track_records_brier() -> None:
    for c in (1, 30, 50, 77, 99):
        for confirmed in (True, False):
            row = club_scoring.leaderboard(
                MEMBERS[:1], [ClubQuestion.yes_no(1, confirmed, {ANA: c})]
            ).members[0]
            assert row.mean_brier == pytest.approx(2 * scoring.brier(c / 100, confirmed))

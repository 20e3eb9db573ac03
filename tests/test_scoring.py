"""The scoring maths: Brier and log scores, calibration bins, Wilson intervals, groupings.

Expected values are worked out by hand in the comments, not by calling the code under test.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etoile_app.domain import scoring
from etoile_app.domain.enums import Category
from etoile_app.domain.models import CharacterRef
from etoile_app.domain.scoring import Forecast

JACK, MISHI = CharacterRef(1, "Jack"), CharacterRef(3, "Mishi")


def fc(
    confidence: int,
    confirmed: bool,
    *,
    theory_id: int = 0,
    category: Category = Category.OTHER,
    tags: tuple[str, ...] = (),
    characters: tuple[CharacterRef, ...] = (),
) -> Forecast:
    return Forecast(theory_id, confidence, confirmed, category, tags, characters)


# --- Brier and log scores ------------------------------------------------------------------


def test_brier_of_70_percent() -> None:
    # confirmed: (0.7 − 1)² = 0.3² = 0.09; busted: (0.7 − 0)² = 0.49
    assert scoring.brier(0.7, True) == pytest.approx(0.09)
    assert scoring.brier(0.7, False) == pytest.approx(0.49)


def test_brier_extremes_and_the_coin_flip() -> None:
    assert scoring.brier(1.0, True) == 0.0
    assert scoring.brier(0.0, True) == 1.0
    assert scoring.brier(0.5, True) == scoring.brier(0.5, False) == 0.25  # 0.5² = 0.25


def test_log_score_values() -> None:
    # ln 0.7 = −0.356675; ln(1 − 0.7) = ln 0.3 = −1.203973; ln 0.5 = −0.693147; ln 0.01 = −4.605170
    assert scoring.log_score(0.7, True) == pytest.approx(-0.356675, abs=1e-6)
    assert scoring.log_score(0.7, False) == pytest.approx(-1.203973, abs=1e-6)
    assert scoring.log_score(0.5, True) == pytest.approx(-0.693147, abs=1e-6)
    assert scoring.log_score(0.99, False) == pytest.approx(-4.605170, abs=1e-6)
    assert scoring.log_score(0.01, True) == pytest.approx(-4.605170, abs=1e-6)


@pytest.mark.parametrize("p", [0.0, 1.0, -0.1, 1.1])
def test_log_score_refuses_certainty_and_nonsense(p: float) -> None:
    with pytest.raises(ValueError, match="strictly between"):
        scoring.log_score(p, True)


@pytest.mark.parametrize("p", [-0.01, 1.01])
def test_brier_refuses_probabilities_outside_0_1(p: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        scoring.brier(p, False)


def test_forecast_uses_its_confidence_as_a_probability() -> None:
    f = fc(70, True)
    assert f.probability == 0.7
    assert f.brier == pytest.approx(0.09)
    assert f.log_score == pytest.approx(math.log(0.7))


def test_explanations_are_there_for_the_ui() -> None:
    assert "0.25" in scoring.BRIER_EXPLANATION and "0–2" in scoring.BRIER_EXPLANATION
    assert "ln" in scoring.LOG_SCORE_EXPLANATION and "0 is perfect" in scoring.LOG_SCORE_EXPLANATION


# --- summaries -----------------------------------------------------------------------------


def test_summary_of_a_few_forecasts() -> None:
    forecasts = [fc(70, True), fc(70, False), fc(20, False), fc(90, True)]
    s = scoring.summarize(forecasts)
    # Brier: 0.09 + 0.49 + 0.04 + 0.01 = 0.63, / 4 = 0.1575
    # log: ln 0.7 + ln 0.3 + ln 0.8 + ln 0.9 = −0.356675 − 1.203973 − 0.223144 − 0.105361 = −1.889153, / 4
    # mean probability: (0.7 + 0.7 + 0.2 + 0.9) / 4 = 2.5 / 4 = 0.625; share confirmed 2 / 4
    assert (s.count, s.confirmed, s.busted) == (4, 2, 2)
    assert s.mean_brier == pytest.approx(0.1575)
    assert s.mean_log_score == pytest.approx(-1.889153 / 4, abs=1e-6)
    assert s.mean_probability == pytest.approx(0.625)
    assert s.share_confirmed == 0.5


def test_summary_of_a_single_forecast() -> None:
    s = scoring.summarize([fc(40, True)])
    # (0.4 − 1)² = 0.36; ln 0.4 = −0.916291
    assert (s.count, s.confirmed) == (1, 1)
    assert s.mean_brier == pytest.approx(0.36)
    assert s.mean_log_score == pytest.approx(-0.916291, abs=1e-6)
    assert s.share_confirmed == 1.0


def test_summary_of_nothing_has_no_means() -> None:
    s = scoring.summarize([])
    assert (s.count, s.confirmed, s.busted) == (0, 0, 0)
    assert s.mean_brier is s.mean_log_score is s.mean_probability is s.share_confirmed is None


def test_mean_of_nothing_is_none() -> None:
    assert scoring.mean([]) is None


# --- calibration bins ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("confidence", "index"),
    [
        (0, 0),
        (1, 0),
        (9, 0),
        (10, 1),
        (19, 1),
        (20, 2),
        (30, 3),
        (40, 4),
        (50, 5),
        (60, 6),
        (70, 7),
        (80, 8),
        (89, 8),
        (90, 9),
        (99, 9),
        (100, 9),
    ],
)
def test_bin_edges(confidence: int, index: int) -> None:
    assert scoring.bin_index(confidence) == index


def test_bin_bounds_cover_0_to_100() -> None:
    assert [scoring.bin_bounds(i) for i in range(10)] == [(i * 10, i * 10 + 10) for i in range(10)]
    with pytest.raises(ValueError, match="bin"):
        scoring.bin_bounds(10)


@pytest.mark.parametrize("confidence", [-1, 101])
def test_bin_index_refuses_out_of_range(confidence: int) -> None:
    with pytest.raises(ValueError, match="between 0 and 100"):
        scoring.bin_index(confidence)


def test_calibration_leaves_out_empty_bins_and_fills_the_others() -> None:
    forecasts = [fc(10, True), fc(15, False), fc(19, False), fc(9, False), fc(99, True), fc(90, True)]
    bins = scoring.calibration(forecasts)
    assert [b.index for b in bins] == [0, 1, 9]
    low, mid, top = bins
    # [0, 10): 9 % busted → 0 of 1, mean 0.09
    assert (low.low, low.high, low.count, low.confirmed, low.share_confirmed) == (0, 10, 1, 0, 0.0)
    assert low.mean_probability == pytest.approx(0.09)
    # [10, 20): 10, 15, 19 → 1 of 3 confirmed; mean (0.10 + 0.15 + 0.19) / 3 = 0.44 / 3 = 0.146667
    assert (mid.count, mid.confirmed) == (3, 1)
    assert mid.share_confirmed == pytest.approx(1 / 3)
    assert mid.mean_probability == pytest.approx(0.146667, abs=1e-6)
    # [90, 100]: 90 and 99, both confirmed; mean (0.90 + 0.99) / 2 = 0.945
    assert (top.low, top.high, top.count, top.confirmed, top.share_confirmed) == (90, 100, 2, 2, 1.0)
    assert top.mean_probability == pytest.approx(0.945)
    assert top.label == "[90, 100] %" and mid.label == "[10, 20) %"
    # Wilson, 1 of 3 (z² = 3.841459): centre (0.333333 + 0.640243) / 2.280486 = 0.426916,
    # half = (1.959964 / 2.280486) · √(0.074074 + 0.106707) = 0.859451 · 0.425184 = 0.365424
    # → (0.061492, 0.792340)
    assert mid.interval_low == pytest.approx(0.061492, abs=1e-4)
    assert mid.interval_high == pytest.approx(0.792340, abs=1e-4)


def test_calibration_of_a_single_forecast() -> None:
    (only,) = scoring.calibration([fc(70, False)])
    assert (only.index, only.count, only.confirmed, only.share_confirmed) == (7, 1, 0, 0.0)
    assert only.mean_probability == pytest.approx(0.7)
    # Wilson 0 of 1: centre = half = (z²/2) / (1 + z²) = 1.920729 / 4.841459 = 0.396725 → (0, 0.793451)
    assert only.interval_low == 0.0
    assert only.interval_high == pytest.approx(0.793451, abs=1e-4)


def test_calibration_of_nothing_is_empty() -> None:
    assert scoring.calibration([]) == ()


# --- Wilson interval -----------------------------------------------------------------------
# z = 1.959964, z² = 3.841459; n = 10: 1 + z²/n = 1.384146, z²/2n = 0.192073, z²/4n² = 0.009604


def test_wilson_0_of_10() -> None:
    # centre = 0.192073 / 1.384146 = 0.138767; half = (z / 1.384146) · √(0 + 0.009604)
    #        = 1.416007 · 0.098000 = 0.138767 → (0, 0.277533)
    low, high = scoring.wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.277533, abs=1e-4)


def test_wilson_10_of_10() -> None:
    # the mirror image of 0 of 10: (1 − 0.277533, 1)
    low, high = scoring.wilson_interval(10, 10)
    assert low == pytest.approx(0.722467, abs=1e-4)
    assert high == 1.0


def test_wilson_5_of_10() -> None:
    # centre = (0.5 + 0.192073) / 1.384146 = 0.5; half = 1.416007 · √(0.025 + 0.009604)
    #        = 1.416007 · 0.186021 = 0.263407 → (0.236593, 0.763407)
    low, high = scoring.wilson_interval(5, 10)
    assert low == pytest.approx(0.236593, abs=1e-4)
    assert high == pytest.approx(0.763407, abs=1e-4)


def test_wilson_of_no_data_is_everything() -> None:
    assert scoring.wilson_interval(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize(("k", "n"), [(-1, 3), (4, 3), (0, -1)])
def test_wilson_refuses_impossible_counts(k: int, n: int) -> None:
    with pytest.raises(ValueError, match="not a share"):
        scoring.wilson_interval(k, n)


# --- groups --------------------------------------------------------------------------------


def _board() -> list[Forecast]:
    return [
        fc(
            70,
            True,
            theory_id=1,
            category=Category.ROMANCE,
            tags=("romance/jack-cheyenne",),
            characters=(JACK,),
        ),
        fc(40, False, theory_id=2, category=Category.ROMANCE, tags=("romance", "romance/jack-cheyenne")),
        fc(20, True, theory_id=3, category=Category.VILLAIN_ARC, tags=("villain",), characters=(MISHI, JACK)),
    ]


def test_by_category_counts_and_means() -> None:
    groups = {g.key: g for g in scoring.by_category(_board())}
    assert set(groups) == {Category.ROMANCE, Category.VILLAIN_ARC}
    romance = groups[Category.ROMANCE]
    # 70 confirmed: 0.09; 40 busted: 0.16 → mean 0.125; share 1/2; mean probability 0.55
    assert (romance.label, romance.count, romance.confirmed) == ("Romance", 2, 1)
    assert romance.mean_brier == pytest.approx(0.125)
    assert romance.mean_probability == pytest.approx(0.55)
    assert romance.share_confirmed == 0.5
    villain = groups[Category.VILLAIN_ARC]
    # 20 confirmed: (0.2 − 1)² = 0.64; ln 0.2 = −1.609438
    assert (villain.label, villain.count) == ("Villain arc", 1)
    assert villain.mean_brier == pytest.approx(0.64)
    assert villain.mean_log_score == pytest.approx(-1.609438, abs=1e-6)


def test_by_category_puts_the_biggest_group_first() -> None:
    assert [g.key for g in scoring.by_category(_board())] == [Category.ROMANCE, Category.VILLAIN_ARC]


def test_by_tag_rolls_children_into_parents_once_per_forecast() -> None:
    groups = {g.key: (g.count, g.confirmed) for g in scoring.by_tag(_board())}
    # romance: theories 1 (child only) and 2 (parent and child, counted once) → 2, 1 confirmed
    assert groups == {"romance": (2, 1), "romance/jack-cheyenne": (2, 1), "villain": (1, 1)}


def test_by_character_counts_each_theory_for_each_of_its_characters() -> None:
    groups = {g.key: g for g in scoring.by_character(_board())}
    assert {k: (g.label, g.count) for k, g in groups.items()} == {1: ("Jack", 2), 3: ("Mishi", 1)}
    # Jack: 70 confirmed (0.09) and 20 confirmed (0.64) → 0.365
    assert groups[1].mean_brier == pytest.approx(0.365)


def test_groups_of_nothing_are_empty() -> None:
    assert scoring.by_category([]) == scoring.by_tag([]) == scoring.by_character([]) == ()


def test_tag_with_parents() -> None:
    assert scoring.tag_with_parents("villain") == ("villain",)
    assert scoring.tag_with_parents("a/b/c") == ("a", "a/b", "a/b/c")


# --- most and least calibrated categories --------------------------------------------------


def test_ranking_by_calibration_gap() -> None:
    forecasts = [
        # romance: 70, 70, 70 with 2 of 3 confirmed → gap |0.7 − 0.6667| = 0.0333
        *(fc(70, c, category=Category.ROMANCE) for c in (True, True, False)),
        # villain: 90 ×3, 1 confirmed → gap |0.9 − 0.3333| = 0.5667
        *(fc(90, c, category=Category.VILLAIN_ARC) for c in (True, False, False)),
        # casting: 40 ×3, 1 confirmed → gap |0.4 − 0.3333| = 0.0667
        *(fc(40, c, category=Category.CASTING) for c in (True, False, False)),
        # plot arc: only two → not ranked
        fc(50, True, category=Category.PLOT_ARC),
        fc(50, False, category=Category.PLOT_ARC),
    ]
    r = scoring.rank_categories(forecasts, min_resolved=3)
    assert [c.category for c in r.ranked] == [Category.ROMANCE, Category.CASTING, Category.VILLAIN_ARC]
    # three ranked: the better two (half, rounded up) are "most", the last one "least"
    assert [c.category for c in r.most] == [Category.ROMANCE, Category.CASTING]
    assert [c.category for c in r.least] == [Category.VILLAIN_ARC]
    assert r.most[0].gap == pytest.approx(0.7 - 2 / 3)
    assert r.most[1].gap == pytest.approx(0.4 - 1 / 3)
    villain = r.least[0]
    assert villain.gap == pytest.approx(0.9 - 1 / 3)
    # (0.9 − 1)² + 2 · 0.9² = 0.01 + 1.62 = 1.63, / 3 = 0.543333
    assert villain.mean_brier == pytest.approx(0.543333, abs=1e-6)
    assert r.min_resolved == 3


def test_ranking_with_too_few_resolved_is_empty() -> None:
    r = scoring.rank_categories([fc(70, True, category=Category.ROMANCE)] * 2, min_resolved=3)
    assert r.most == r.least == r.ranked == ()


def test_ranking_of_one_category_has_no_least() -> None:
    r = scoring.rank_categories([fc(70, True, category=Category.ROMANCE)] * 3, min_resolved=3)
    assert [c.category for c in r.most] == [Category.ROMANCE]
    assert r.least == ()


def test_ranking_lists_are_cut_to_the_limit() -> None:
    forecasts = [fc(10 * (i + 2), True, category=cat) for i, cat in enumerate(Category) for _ in range(3)]
    r = scoring.rank_categories(forecasts, min_resolved=3, limit=2)
    assert len(r.ranked) == 6 and len(r.most) == 2 and len(r.least) == 2
    assert not {c.category for c in r.most} & {c.category for c in r.least}
    # all confirmed, so the gap is 1 − p: the highest confidence is the best calibrated
    assert r.most[0].category is Category.OTHER and r.least[0].category is Category.ROMANCE


# --- properties ----------------------------------------------------------------------------

probabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
open_probabilities = st.floats(min_value=1e-9, max_value=1 - 1e-9, allow_nan=False)
confidences = st.integers(min_value=1, max_value=99)
forecast_lists = st.lists(st.builds(fc, confidences, st.booleans()), max_size=60)


@given(probabilities, st.booleans())
def test_brier_lies_in_0_1(p: float, confirmed: bool) -> None:
    assert 0.0 <= scoring.brier(p, confirmed) <= 1.0


@given(open_probabilities, st.booleans())
def test_log_score_is_never_positive(p: float, confirmed: bool) -> None:
    assert scoring.log_score(p, confirmed) <= 0.0


@given(confidences, st.booleans())
def test_log_score_of_a_journal_confidence_is_at_least_ln_001(c: int, confirmed: bool) -> None:
    assert scoring.log_score(c / 100, confirmed) >= math.log(0.01) - 1e-12


@given(probabilities, probabilities)
def test_brier_is_monotonic(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert scoring.brier(hi, True) <= scoring.brier(lo, True)  # confirmed: surer never hurts
    assert scoring.brier(hi, False) >= scoring.brier(lo, False)  # busted: surer never helps


@given(open_probabilities, open_probabilities)
def test_log_score_is_monotonic(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert scoring.log_score(hi, True) >= scoring.log_score(lo, True)
    assert scoring.log_score(hi, False) <= scoring.log_score(lo, False)


@given(forecast_lists.filter(bool))
def test_mean_brier_lies_between_the_parts(forecasts: list[Forecast]) -> None:
    s = scoring.summarize(forecasts)
    parts = [f.brier for f in forecasts]
    assert s.mean_brier is not None
    assert min(parts) <= s.mean_brier <= max(parts)


@given(st.integers(min_value=0, max_value=500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_holds_the_share_and_stays_in_0_1(kn: tuple[int, int]) -> None:
    k, n = kn
    low, high = scoring.wilson_interval(k, n)
    assert 0.0 <= low <= high <= 1.0
    if n:
        assert low <= k / n <= high


@given(forecast_lists)
def test_every_forecast_lands_in_exactly_one_bin(forecasts: list[Forecast]) -> None:
    bins = scoring.calibration(forecasts)
    assert sum(b.count for b in bins) == len(forecasts)
    assert sum(b.confirmed for b in bins) == sum(f.confirmed for f in forecasts)
    assert all(b.count > 0 for b in bins)
    assert [b.index for b in bins] == sorted({b.index for b in bins})  # each bin once, in order
    for f in forecasts:
        holders = [
            b for b in bins if b.low <= f.confidence < b.high or (b.index == 9 and f.confidence == 100)
        ]
        assert [b.index for b in holders] == [scoring.bin_index(f.confidence)]
    for b in bins:
        assert b.low / 100 <= b.mean_probability <= b.high / 100
        assert b.interval_low <= b.share_confirmed <= b.interval_high


@given(st.integers(min_value=0, max_value=100))
def test_confidence_lands_in_bin_c_div_10_capped_at_9(c: int) -> None:
    assert scoring.bin_index(c) == min(c // 10, 9)
    low, high = scoring.bin_bounds(scoring.bin_index(c))
    assert low <= c < high or c == high == 100

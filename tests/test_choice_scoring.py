"""Multiple-choice scores against scikit-learn, and the track record that uses them: options
scored on the 0–2 Brier scale, each option a call on the calibration chart, conditional
theories counted only when their condition held."""

from __future__ import annotations

import math

import pytest
from helpers import write
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import brier_score_loss, log_loss

from etoile_app.domain import scoring
from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.models import OptionDraft
from etoile_app.services.journal import Journal


@st.composite
def _choice(draw):
    """Whole-percent confidences for 2–12 options, 1–98 each, summing to 100, and the option
    that happened."""
    n = draw(st.integers(2, 12))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=n - 1, max_size=n - 1, unique=True)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    if any(p < 1 or p > 98 for p in parts):
        parts = [100 // n] * n
        parts[0] += 100 - sum(parts)
    return tuple(parts), draw(st.integers(0, n - 1))


@given(_choice())
def test_the_multi_class_brier_matches_scikit_learn(choice) -> None:
    confidences, happened = choice
    p = [c / 100 for c in confidences]
    ours = scoring.choice_brier(p, happened)
    # scikit-learn's multi-class Brier score is the same sum over the classes (0–2 scale).
    theirs = brier_score_loss([happened], [p], labels=list(range(len(p))), scale_by_half=False)
    assert ours == pytest.approx(theirs)
    assert 0.0 <= ours <= 2.0


@given(_choice())
def test_the_log_score_is_minus_scikit_learns_log_loss(choice) -> None:
    confidences, happened = choice
    p = [c / 100 for c in confidences]
    theirs = log_loss([happened], [p], labels=list(range(len(p))))
    assert scoring.choice_log_score(p, happened) == pytest.approx(-theirs)


def test_a_yes_no_theory_scored_as_two_options_is_twice_its_brier() -> None:
    for confidence in (1, 30, 50, 77, 99):
        p = confidence / 100
        assert scoring.choice_brier([p, 1 - p], 0) == pytest.approx(2 * scoring.brier(p, True))


def test_the_track_record_scores_options_apart_and_charts_each_one(journal: Journal, clock) -> None:
    who = write(
        journal, "Who ends up with Cheyenne?", options=(OptionDraft("Jack", 70), OptionDraft("Gael", 30))
    )
    clock.advance(days=2)
    journal.theories.resolve(who.id, TheoryStatus.CONFIRMED, option="Gael")
    yes_no = write(journal, "Season 2 is made", confidence=80)
    journal.theories.resolve(yes_no.id, TheoryStatus.BUSTED)

    summary = journal.track.summary()
    assert summary.overall.count == 1  # the yes/no theory only
    assert summary.choices.count == 1
    assert summary.choices.mean_brier == pytest.approx((0.7 - 0) ** 2 + (0.3 - 1) ** 2)
    assert summary.choices.mean_log_score == pytest.approx(math.log(0.3))
    bins = {b.low: (b.count, b.confirmed) for b in journal.track.calibration()}
    # Jack at 70 % (did not happen), Gael at 30 % (happened), the yes/no theory at 80 % (busted).
    assert bins == {70: (1, 0), 30: (1, 1), 80: (1, 0)}


def test_options_are_scored_with_the_confidence_in_force_at_resolution(journal: Journal, clock) -> None:
    who = write(journal, "Who leads the Met?", options=(OptionDraft("Cheyenne", 50), OptionDraft("Jack", 50)))
    clock.advance(days=1)
    from dataclasses import replace

    journal.theories.edit(
        who.id, replace(who.as_draft(), options=(OptionDraft("Cheyenne", 90), OptionDraft("Jack", 10)))
    )
    clock.advance(days=1)
    journal.theories.resolve(who.id, TheoryStatus.CONFIRMED, option="Cheyenne")
    (choice,) = journal.track.choices()
    assert choice.confidences == (90, 10) and choice.happened == 0


def test_a_conditional_theory_counts_only_if_its_condition_held(journal: Journal) -> None:
    revived = write(journal, "Étoile is revived by 2028")
    met = write(journal, "Cheyenne runs the Met", confidence=70, condition_id=revived.id)
    journal.theories.resolve(met.id, TheoryStatus.CONFIRMED)  # known before its condition
    summary = journal.track.summary()
    assert (summary.overall.count, summary.conditional_counted, summary.conditional_left_out) == (0, 0, 1)
    journal.theories.resolve(revived.id, TheoryStatus.CONFIRMED)
    summary = journal.track.summary()
    assert summary.overall.count == 2
    assert (summary.conditional_counted, summary.conditional_left_out) == (1, 0)

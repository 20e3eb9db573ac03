"""Rating several theories at once: confidence and juiciness in one transaction."""

from __future__ import annotations

import pytest
from helpers import FakeClock, write

from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.errors import ConfidenceError, InvalidStateError, RatingError, TheoryNotFoundError
from etoile_app.domain.models import OptionDraft
from etoile_app.services.journal import Journal


def test_new_confidences_join_the_history_and_juiciness_is_set(journal: Journal, clock: FakeClock) -> None:
    a = write(journal, "Jack returns", confidence=50)
    b = write(journal, "Mishi turns villain", confidence=30, juiciness=2)
    later = clock.advance(hours=1)
    rated = journal.theories.rate_many([(a.id, 70, 4), (b.id, 30, None)])

    assert [(t.id, t.confidence, t.juiciness) for t in rated] == [(a.id, 70, 4), (b.id, 30, None)]
    a_now, b_now = journal.theories.get(a.id), journal.theories.get(b.id)
    assert [(p.confidence, p.changed_at) for p in a_now.history] == [(50, a.created_at), (70, later)]
    assert [p.confidence for p in b_now.history] == [30]  # the same confidence adds no point
    assert b_now.juiciness is None
    assert a_now.updated_at == b_now.updated_at == later


def test_a_theory_left_as_it_was_keeps_its_time_of_change(journal: Journal, clock: FakeClock) -> None:
    a = write(journal, "Jack returns", confidence=50, juiciness=3)
    clock.advance(hours=1)
    journal.theories.rate_many([(a.id, 50, 3)])
    assert journal.theories.get(a.id).updated_at == a.updated_at


def test_a_theory_given_twice_takes_the_last_rating(journal: Journal) -> None:
    a = write(journal, "Jack returns")
    (rated,) = journal.theories.rate_many([(a.id, 60, 1), (a.id, 65, 5)])
    assert (rated.confidence, rated.juiciness) == (65, 5)
    assert [p.confidence for p in rated.history] == [50, 65]


def test_a_resolved_theory_can_be_made_juicier_but_its_confidence_is_refused_and_nothing_written(
    journal: Journal, db_snapshot
) -> None:
    a = write(journal, "Jack returns", confidence=40)
    b = write(journal, "Gael leaves", confidence=40)
    journal.theories.resolve(b.id, TheoryStatus.BUSTED)
    (juicier,) = journal.theories.rate_many([(b.id, 40, 5)])
    assert juicier.juiciness == 5

    before = db_snapshot(journal)
    with pytest.raises(InvalidStateError, match="reopen it to change its confidence"):
        journal.theories.rate_many([(a.id, 90, 1), (b.id, 60, 5)])
    assert db_snapshot(journal) == before  # all or nothing: the open theory kept its rating too


def test_a_multiple_choice_theory_keeps_its_confidences_in_its_options(journal: Journal) -> None:
    theory = write(
        journal, "Who does Cheyenne end up with?", options=(OptionDraft("Jack", 60), OptionDraft("Gael", 40))
    )
    (juicier,) = journal.theories.rate_many([(theory.id, theory.confidence, 4)])
    assert juicier.juiciness == 4
    with pytest.raises(InvalidStateError, match="multiple choice"):
        journal.theories.rate_many([(theory.id, 20, 4)])


@pytest.mark.parametrize(
    ("confidence", "juiciness", "error"),
    [(0, None, ConfidenceError), (100, 3, ConfidenceError), (50, 6, RatingError), (50, 0, RatingError)],
)
def test_bad_ratings_are_refused_before_anything_is_read(
    journal: Journal, db_snapshot, confidence, juiciness, error
) -> None:
    a = write(journal, "Jack returns")
    before = db_snapshot(journal)
    with pytest.raises(error):
        journal.theories.rate_many([(a.id, 70, 2), (a.id, confidence, juiciness)])
    assert db_snapshot(journal) == before


def test_unknown_and_deleted_theories_are_refused(journal: Journal) -> None:
    a = write(journal, "Jack returns")
    with pytest.raises(TheoryNotFoundError):
        journal.theories.rate_many([(a.id, 70, 2), (999_999, 70, 2)])
    journal.theories.delete(a.id)
    with pytest.raises(InvalidStateError, match="bin"):
        journal.theories.rate_many([(a.id, 70, 2)])
    assert journal.theories.rate_many([]) == []

"""Multiple-choice and conditional theories in the service: options and their forecasts,
resolving by the option that happened, conditions, chains, loops and voiding."""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import write

from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.errors import ChoiceError, ConfidenceError, InvalidStateError, TextFieldError
from etoile_app.domain.models import Forecast, OptionDraft, TheoryOption
from etoile_app.services.journal import Journal

WHO = (OptionDraft("Jack", 60), OptionDraft("Gael", 30), OptionDraft("nobody", 10))


def _choice(journal: Journal, title: str = "Who does Cheyenne end up with?", options=WHO, **fields):
    return write(journal, title, options=options, **fields)


# --- multiple choice ---------------------------------------------------------------------------


def test_a_multiple_choice_theory_keeps_its_options_and_one_forecast_each(journal: Journal, clock) -> None:
    theory = _choice(journal)
    assert theory.is_multiple_choice
    assert theory.options == (TheoryOption("Jack", 60), TheoryOption("Gael", 30), TheoryOption("nobody", 10))
    assert theory.confidence == 60  # the leading option's, for sorting the board
    assert [(f.option, f.confidence) for f in theory.history] == [("Jack", 60), ("Gael", 30), ("nobody", 10)]
    assert {f.changed_at for f in theory.history} == {clock.now}


def test_each_change_of_an_option_is_a_forecast_of_its_own(journal: Journal, clock) -> None:
    theory = _choice(journal)
    clock.advance(days=3)
    moved = (OptionDraft("Jack", 45), OptionDraft("Gael", 45), OptionDraft("nobody", 10))
    edited = journal.theories.edit(
        theory.id, replace(theory.as_draft(), options=moved), confidence_note="ep. 8"
    )
    later = [f for f in edited.history if f.changed_at == clock.now]
    assert [(f.option, f.confidence, f.note) for f in later] == [("Jack", 45, "ep. 8"), ("Gael", 45, "ep. 8")]
    assert [o.confidence for o in edited.options] == [45, 45, 10]
    # A renamed option is a new one; one taken out goes with its forecasts.
    clock.advance(days=1)
    renamed = (OptionDraft("Jack", 50), OptionDraft("Gabin", 50))
    again = journal.theories.edit(theory.id, replace(edited.as_draft(), options=renamed))
    assert [o.name for o in again.options] == ["Jack", "Gabin"]
    assert {f.option for f in again.history} == {"Jack", "Gabin"}
    assert [f.confidence for f in again.history if f.option == "Jack"] == [60, 45, 50]


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ((OptionDraft("Jack", 100),), ChoiceError, "from 2 to 12 options"),
        (tuple(OptionDraft(f"O{i}", 1) for i in range(13)), ChoiceError, "from 2 to 12 options"),
        ((OptionDraft("Jack", 50), OptionDraft("jack", 50)), ChoiceError, "Two options are called"),
        ((OptionDraft("Jack", 60), OptionDraft("Gael", 30)), ConfidenceError, "add up to 90 %"),
        ((OptionDraft("Jack", 99), OptionDraft("Gael", 1)), ConfidenceError, "from 1 to 98"),
        ((OptionDraft("Jack", 0), OptionDraft("Gael", 100)), ConfidenceError, "from 1 to 98"),
        ((OptionDraft(" ", 50), OptionDraft("Gael", 50)), TextFieldError, "option's name"),
    ],
)
def test_bad_options_are_refused_and_nothing_is_written(
    journal, db_snapshot, options, error, message
) -> None:
    before = db_snapshot(journal)
    with pytest.raises(error, match=message):
        _choice(journal, options=options)
    assert db_snapshot(journal) == before


def test_a_multiple_choice_theory_is_settled_by_its_option_or_void(journal: Journal) -> None:
    theory = _choice(journal)
    with pytest.raises(InvalidStateError, match="cannot be busted"):
        journal.theories.resolve(theory.id, TheoryStatus.BUSTED)
    with pytest.raises(InvalidStateError, match="Say which option"):
        journal.theories.resolve(theory.id, TheoryStatus.CONFIRMED)
    with pytest.raises(InvalidStateError, match="no option called"):
        journal.theories.resolve(theory.id, TheoryStatus.CONFIRMED, option="Tobias")
    settled = journal.theories.resolve(theory.id, TheoryStatus.CONFIRMED, "the finale", option="gael")
    assert settled.option_happened == "Gael"
    reopened = journal.theories.reopen_many([theory.id])[0]
    assert reopened.option_happened is None
    assert reopened.earlier_resolutions[-1].option == "Gael"
    yes_no = write(journal, "Season 2 is made")
    with pytest.raises(InvalidStateError, match="no options"):
        journal.theories.resolve(yes_no.id, TheoryStatus.CONFIRMED, option="Jack")


def test_a_yes_no_theory_can_become_multiple_choice_and_back(journal: Journal, clock) -> None:
    theory = write(journal, "Who leads the Met?", confidence=40)
    clock.advance(days=1)
    choice = journal.theories.edit(
        theory.id, replace(theory.as_draft(), options=(OptionDraft("Cheyenne", 70), OptionDraft("Jack", 30)))
    )
    assert [f.option for f in choice.history] == ["Cheyenne", "Jack"]  # the yes/no forecasts no longer fit
    clock.advance(days=1)
    back = journal.theories.edit(theory.id, replace(choice.as_draft(), options=(), confidence=55))
    assert back.options == () and back.history == (Forecast(55, clock.now),)


# --- conditions ----------------------------------------------------------------------------------


def test_a_condition_is_kept_and_shown_by_name(journal: Journal) -> None:
    revived = write(journal, "Étoile is revived by 2028", confidence=20)
    met = write(journal, "Cheyenne runs the Met", condition_id=revived.id)
    assert met.condition is not None and met.condition.title == "Étoile is revived by 2028"
    assert met.as_draft().condition_id == revived.id
    cleared = journal.theories.edit(met.id, replace(met.as_draft(), condition_id=None))
    assert cleared.condition is None


def test_a_loop_of_conditions_is_refused(journal: Journal, db_snapshot) -> None:
    a = write(journal, "A")
    b = write(journal, "B", condition_id=a.id)
    c = write(journal, "C", condition_id=b.id)
    before = db_snapshot(journal)
    with pytest.raises(InvalidStateError, match="cannot be a condition of its own condition"):
        journal.theories.edit(a.id, replace(a.as_draft(), condition_id=c.id))
    with pytest.raises(InvalidStateError, match="its own condition"):
        journal.theories.edit(a.id, replace(a.as_draft(), condition_id=a.id))
    assert db_snapshot(journal) == before


def test_busting_a_condition_voids_its_chain_with_a_note_naming_each_condition(journal: Journal) -> None:
    revived = write(journal, "Étoile is revived by 2028")
    met = write(journal, "Cheyenne runs the Met", condition_id=revived.id)
    gala = write(journal, "The Met gala opens season 2", condition_id=met.id)
    settled = write(journal, "Already settled", condition_id=revived.id)
    journal.theories.resolve(settled.id, TheoryStatus.CONFIRMED)
    assert sorted(journal.theories.dependants([revived.id])) == sorted([met.id, gala.id])

    journal.theories.resolve(revived.id, TheoryStatus.BUSTED, "cancelled")

    met_now, gala_now = journal.theories.get(met.id), journal.theories.get(gala.id)
    assert met_now.status is gala_now.status is TheoryStatus.VOID
    assert met_now.resolution_note == "Void: its condition “Étoile is revived by 2028” was busted."
    assert gala_now.resolution_note == "Void: its condition “Cheyenne runs the Met” was void."
    assert journal.theories.get(settled.id).status is TheoryStatus.CONFIRMED  # left as it was


def test_confirming_a_condition_leaves_its_dependants_open_and_voiding_it_voids_them(
    journal: Journal,
) -> None:
    revived = write(journal, "Étoile is revived by 2028")
    met = write(journal, "Cheyenne runs the Met", condition_id=revived.id)
    journal.theories.resolve(revived.id, TheoryStatus.CONFIRMED)
    assert journal.theories.get(met.id).status is TheoryStatus.OPEN
    other = write(journal, "Another revival")
    dependant = write(journal, "If so, in Paris", condition_id=other.id)
    journal.theories.resolve_many([other.id], TheoryStatus.VOID, "never settled")
    assert journal.theories.get(dependant.id).status is TheoryStatus.VOID

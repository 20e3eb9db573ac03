"""Writing, editing, rating, citing, resolving and deleting theories."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from helpers import START, FakeClock, character_id, fact_id, listed, write

from etoile_app.domain.enums import Category, FactStatus, Stance, TheoryStatus, Topic
from etoile_app.domain.errors import (
    BodyError,
    CharacterNotFoundError,
    ChoiceError,
    ConfidenceError,
    DateError,
    FactNotFoundError,
    InvalidStateError,
    JournalError,
    RatingError,
    StarterNotFoundError,
    TagError,
    TextFieldError,
    TheoryNotFoundError,
    TitleError,
)
from etoile_app.domain.models import (
    EvidenceDraft,
    Forecast,
    NewsDraft,
    Theory,
    TheoryDraft,
    TheoryQuery,
)
from etoile_app.services.journal import Journal

NO_SUCH_ID = 999_999


@pytest.fixture
def theory(journal: Journal) -> Theory:
    """A theory with a tag, a character and a piece of evidence, so there is something to damage."""
    made = write(
        journal,
        "Mishi sabotages the gala",
        body="She has motive.",
        category=Category.VILLAIN_ARC,
        tags=("villain",),
        character_ids=(character_id(journal, "mishi"),),
        confidence=40,
    )
    return journal.theories.link_evidence(made.id, fact_id(journal, "renewal-order"), Stance.SUPPORTS)


# --- creating ------------------------------------------------------------------------------


def test_create_stores_every_field(journal: Journal, clock: FakeClock) -> None:
    jack, gen = character_id(journal, "jack"), character_id(journal, "genevieve")
    draft = TheoryDraft(
        title="  Jack and   Geneviève\nteam up ",
        body="Body text\nwith two lines.",
        category=Category.PLOT_ARC,
        character_ids=(jack, gen, jack),
        tags=(" Romance / Jack  Cheyenne ", "ALLIANCE", "alliance"),
        confidence=65,
        juiciness=4,
        resolve_by=date(2026, 12, 31),
    )
    created = journal.theories.create(draft, note="first hunch")

    assert created.title == "Jack and Geneviève team up"
    assert created.body == "Body text\nwith two lines."
    assert created.category is Category.PLOT_ARC
    assert [c.name for c in created.characters] == ["Geneviève Lavigne", "Jack"]
    assert created.tags == ("alliance", "romance/jack-cheyenne")
    assert created.confidence == 65
    assert created.juiciness == 4
    assert created.resolve_by == date(2026, 12, 31)
    assert created.status is TheoryStatus.OPEN
    assert created.created_at == created.updated_at == START
    assert created.history == (Forecast(65, START, "first hunch"),)
    assert created.deleted_at is None
    assert created.starter_key is None
    assert created.evidence == ()
    assert str(uuid.UUID(created.uid)) == created.uid
    assert journal.theories.get(created.id) == created


def test_each_theory_gets_its_own_uid(journal: Journal) -> None:
    assert write(journal, "One").uid != write(journal, "Two").uid


def test_returned_datetimes_are_aware_utc(journal: Journal) -> None:
    stored = journal.theories.get(write(journal, "Zone check").id)
    assert stored.created_at.tzinfo is UTC
    assert stored.history[0].changed_at.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "<img src=x>",
        "<script>alert(1)</script>",
        "&amp; 'quotes' \"double\"",
        "Robert'); DROP TABLE theories;--",
    ],
)
def test_user_text_is_stored_exactly(journal: Journal, text: str) -> None:
    created = write(journal, text, body=f"{text}\n{text}")
    stored = journal.theories.get(created.id)
    assert stored.title == text
    assert stored.body == f"{text}\n{text}"
    assert journal.board.rows([created.id])[0].title == text


# --- editing -------------------------------------------------------------------------------


def test_edit_replaces_every_field(journal: Journal, theory: Theory, clock: FakeClock) -> None:
    clock.advance(hours=2)
    jack = character_id(journal, "jack")
    edited = journal.theories.edit(
        theory.id,
        TheoryDraft(
            title="Jack leaves New York",
            body="New body.",
            category=Category.PLOT_ARC,
            character_ids=(jack,),
            tags=("exit",),
            confidence=80,
            juiciness=2,
            resolve_by=date(2027, 1, 1),
        ),
        confidence_note="changed my mind",
    )
    assert edited.title == "Jack leaves New York"
    assert edited.body == "New body."
    assert edited.category is Category.PLOT_ARC
    assert edited.character_ids == (jack,)
    assert edited.tags == ("exit",)
    assert edited.confidence == 80
    assert edited.juiciness == 2
    assert edited.resolve_by == date(2027, 1, 1)
    assert edited.created_at == START
    assert edited.updated_at == clock.now
    assert edited.history[-1] == Forecast(80, clock.now, "changed my mind")
    assert len(edited.history) == 2
    assert edited.evidence == theory.evidence  # citations are not part of the draft
    assert journal.theories.get(theory.id) == edited


def test_edit_with_the_same_confidence_adds_no_history(journal: Journal, theory: Theory) -> None:
    edited = journal.theories.edit(theory.id, TheoryDraft(title="New title", confidence=theory.confidence))
    assert edited.history == theory.history


def test_edit_of_a_resolved_theory_keeps_its_resolution(journal: Journal, theory: Theory) -> None:
    journal.theories.resolve(theory.id, TheoryStatus.BUSTED, "nope")
    edited = journal.theories.edit(theory.id, TheoryDraft(title="Renamed", confidence=theory.confidence))
    assert edited.status is TheoryStatus.BUSTED
    assert edited.resolution_note == "nope"


def test_edit_of_a_deleted_theory_is_refused(journal: Journal, theory: Theory) -> None:
    journal.theories.delete(theory.id)
    with pytest.raises(InvalidStateError, match="bin"):
        journal.theories.edit(theory.id, TheoryDraft(title="Renamed"))


# --- deleting ------------------------------------------------------------------------------


def test_deleted_theory_leaves_the_board_and_restore_brings_all_of_it_back(
    journal: Journal, theory: Theory, clock: FakeClock
) -> None:
    journal.theories.set_confidence(theory.id, 45, "nudge")
    before = journal.theories.get(theory.id)
    clock.advance(minutes=5)

    deleted = journal.theories.delete(theory.id)
    assert deleted.deleted_at == clock.now
    assert deleted.is_deleted
    assert theory.id not in listed(journal.board)
    assert listed(journal.board, TheoryQuery(deleted=True)) == [theory.id]

    restored = journal.theories.restore(theory.id)
    assert restored.deleted_at is None
    assert theory.id in listed(journal.board)
    for field in ("title", "tags", "characters", "evidence", "history", "confidence", "uid"):
        assert getattr(restored, field) == getattr(before, field)


def test_deleting_twice_is_refused(journal: Journal, theory: Theory) -> None:
    journal.theories.delete(theory.id)
    with pytest.raises(InvalidStateError):
        journal.theories.delete(theory.id)


def test_restoring_a_live_theory_is_refused(journal: Journal, theory: Theory) -> None:
    with pytest.raises(InvalidStateError, match="not deleted"):
        journal.theories.restore(theory.id)


# --- tags, category, characters -------------------------------------------------------------


def test_set_tags_normalises_and_dedupes(journal: Journal, theory: Theory) -> None:
    updated = journal.theories.set_tags(theory.id, ["Romance", " romance ", "Villain", "New Tag"])
    assert updated.tags == ("new-tag", "romance", "villain")
    assert journal.board.rows([theory.id])[0].tags == ("new-tag", "romance", "villain")
    child = journal.theories.set_tags(theory.id, ["Romance / Jack Cheyenne"])
    assert child.tags == ("romance/jack-cheyenne",)
    assert journal.board.rows([theory.id])[0].tags == ("romance/jack-cheyenne",)


def test_same_tag_on_two_theories_is_one_tag(journal: Journal, theory: Theory) -> None:
    other = write(journal, "Another", tags=("VILLAIN",))
    assert other.tags == ("villain",)
    assert [(t.name, t.count) for t in journal.board.tags() if t.name == "villain"] == [("villain", 2)]


def test_edit_accepts_a_category_or_its_value(journal: Journal, theory: Theory) -> None:
    def edited(category: object) -> Category:
        draft = TheoryDraft(theory.title, category=category, confidence=theory.confidence)  # type: ignore[arg-type]
        return journal.theories.edit(theory.id, draft).category

    assert edited("casting") is Category.CASTING
    assert edited(Category.ROMANCE) is Category.ROMANCE


def test_edit_replaces_the_characters(journal: Journal, theory: Theory) -> None:
    jack, gen = character_id(journal, "jack"), character_id(journal, "genevieve")

    def edited(*ids: int) -> Theory:
        return journal.theories.edit(theory.id, TheoryDraft(theory.title, character_ids=ids, confidence=40))

    assert [c.name for c in edited(jack, gen).characters] == ["Geneviève Lavigne", "Jack"]
    assert journal.board.rows([theory.id])[0].characters == ("Geneviève Lavigne", "Jack")
    assert edited().characters == ()
    assert journal.board.rows([theory.id])[0].characters == ()


# --- confidence and ratings ----------------------------------------------------------------


def test_set_confidence_records_every_change_with_time_and_note(
    journal: Journal, theory: Theory, clock: FakeClock
) -> None:
    first = clock.advance(days=1)
    journal.theories.set_confidence(theory.id, 70, "trailer dropped")
    second = clock.advance(days=3)
    journal.theories.set_confidence(theory.id, 20)
    clock.advance(days=1)
    updated = journal.theories.set_confidence(theory.id, 20, "same again")

    assert updated.history == (
        Forecast(40, START, ""),
        Forecast(70, first, "trailer dropped"),
        Forecast(20, second, ""),
    )
    assert updated.confidence == 20
    assert journal.theories.get(theory.id).history == updated.history


def test_set_confidence_moves_updated_at(journal: Journal, theory: Theory, clock: FakeClock) -> None:
    clock.advance(hours=1)
    assert journal.theories.set_confidence(theory.id, 41).updated_at == clock.now


@pytest.mark.parametrize("stars", [1, 2, 3, 4, 5, None])
def test_juiciness_is_one_to_five_stars_or_none(journal: Journal, theory: Theory, stars: int | None) -> None:
    assert journal.theories.set_juiciness(theory.id, stars).juiciness == stars
    assert journal.board.rows([theory.id])[0].juiciness == stars


# --- evidence ------------------------------------------------------------------------------


def test_link_evidence_with_stance_and_note(journal: Journal) -> None:
    made = write(journal, "Season 2 never comes")
    cancelled = fact_id(journal, "renewal-cancelled")
    linked = journal.theories.link_evidence(made.id, cancelled, "supports", "  it was cancelled\nfor real ")
    (evidence,) = linked.evidence
    assert evidence.fact_id == cancelled
    assert evidence.stance is Stance.SUPPORTS
    assert evidence.note == "it was cancelled\nfor real"
    assert evidence.statement == "Prime Video cancelled the show after one season."
    assert evidence.topic is Topic.RENEWAL
    assert evidence.fact_status is FactStatus.REPORTED
    assert evidence.source == "Deadline"
    assert evidence.as_of == date(2025, 6, 6)


def test_linking_the_same_fact_again_updates_it(journal: Journal, theory: Theory) -> None:
    order = fact_id(journal, "renewal-order")
    updated = journal.theories.link_evidence(theory.id, order, Stance.CONTRADICTS, "second thoughts")
    assert [(e.fact_id, e.stance, e.note) for e in updated.evidence] == [
        (order, Stance.CONTRADICTS, "second thoughts")
    ]


def test_unlink_evidence(journal: Journal, theory: Theory) -> None:
    london = fact_id(journal, "locations-london")
    journal.theories.link_evidence(theory.id, london, Stance.CONTRADICTS)
    updated = journal.theories.unlink_evidence(theory.id, fact_id(journal, "renewal-order"))
    assert [e.fact_id for e in updated.evidence] == [london]
    assert journal.theories.get(theory.id).evidence == updated.evidence


def test_evidence_on_a_superseded_fact_shows_superseded(journal: Journal) -> None:
    made = write(journal, "Season 2 is coming")
    updated = journal.theories.link_evidence(made.id, fact_id(journal, "renewal-happening"), Stance.SUPPORTS)
    assert updated.evidence[0].fact_status is FactStatus.SUPERSEDED


def test_evidence_turns_superseded_when_news_overtakes_it(journal: Journal) -> None:
    made = write(journal, "London season")
    london = fact_id(journal, "locations-london")
    journal.theories.link_evidence(made.id, london, Stance.SUPPORTS)
    assert journal.theories.get(made.id).evidence[0].fact_status is FactStatus.RUMOURED
    journal.canon.add_news(
        NewsDraft(Topic.LOCATIONS, "No London.", FactStatus.REPORTED, "Variety", date(2026, 1, 5), london)
    )
    assert journal.theories.get(made.id).evidence[0].fact_status is FactStatus.SUPERSEDED


def test_create_with_evidence_cites_the_facts(journal: Journal) -> None:
    order, london = fact_id(journal, "renewal-order"), fact_id(journal, "locations-london")
    created = write(
        journal,
        "Cited from the editor",
        evidence=(
            EvidenceDraft(order, Stance.SUPPORTS, "first"),
            EvidenceDraft(london, "contradicts", " spaced "),
            EvidenceDraft(order, Stance.CONTRADICTS, "second thoughts"),  # the last one for a fact wins
        ),
    )
    assert [(e.fact_id, e.stance, e.note) for e in created.evidence] == [
        (order, Stance.CONTRADICTS, "second thoughts"),
        (london, Stance.CONTRADICTS, "spaced"),
    ]
    assert journal.theories.get(created.id).evidence == created.evidence


def test_edit_without_evidence_leaves_the_citations(journal: Journal, theory: Theory) -> None:
    edited = journal.theories.edit(theory.id, TheoryDraft(title="Renamed", confidence=theory.confidence))
    assert edited.evidence == theory.evidence


def test_edit_with_evidence_replaces_the_citations(journal: Journal, theory: Theory) -> None:
    order, london = fact_id(journal, "renewal-order"), fact_id(journal, "locations-london")
    draft = TheoryDraft(
        title=theory.title,
        confidence=theory.confidence,
        evidence=(EvidenceDraft(london, Stance.SUPPORTS), EvidenceDraft(order, Stance.CONTRADICTS, "hm")),
    )
    edited = journal.theories.edit(theory.id, draft)
    assert {(e.fact_id, e.stance, e.note) for e in edited.evidence} == {
        (london, Stance.SUPPORTS, ""),
        (order, Stance.CONTRADICTS, "hm"),
    }
    cleared = journal.theories.edit(theory.id, TheoryDraft(title=theory.title, confidence=40, evidence=()))
    assert cleared.evidence == ()
    assert journal.theories.get(theory.id).evidence == ()


def test_today_comes_from_the_clock(journal: Journal, clock: FakeClock) -> None:
    assert journal.theories.today() == date(2026, 3, 1)
    clock.advance(days=1)
    assert journal.canon.today() == date(2026, 3, 2)


# --- resolve-by and resolution -------------------------------------------------------------


def test_set_and_clear_resolve_by(journal: Journal, theory: Theory) -> None:
    assert journal.theories.set_resolve_by(theory.id, date(2026, 6, 1)).resolve_by == date(2026, 6, 1)
    assert journal.theories.set_resolve_by(theory.id, None).resolve_by is None
    assert journal.theories.get(theory.id).resolve_by is None


@pytest.mark.parametrize("status", [TheoryStatus.CONFIRMED, TheoryStatus.BUSTED, TheoryStatus.VOID])
def test_resolve_with_note_and_date(
    journal: Journal, theory: Theory, clock: FakeClock, status: TheoryStatus
) -> None:
    clock.advance(days=2)
    resolved = journal.theories.resolve(theory.id, status.value, "episode 3 settled it", date(2026, 2, 20))
    assert resolved.status is status
    assert resolved.resolution_note == "episode 3 settled it"
    assert resolved.resolved_on == date(2026, 2, 20)
    assert resolved.resolved_at == clock.now
    assert journal.theories.get(theory.id) == resolved


def test_resolve_defaults_to_today(journal: Journal, theory: Theory) -> None:
    assert journal.theories.resolve(theory.id, TheoryStatus.CONFIRMED).resolved_on == date(2026, 3, 1)


def test_resolving_twice_is_refused(journal: Journal, theory: Theory) -> None:
    journal.theories.resolve(theory.id, TheoryStatus.CONFIRMED)
    with pytest.raises(InvalidStateError, match="confirmed"):
        journal.theories.resolve(theory.id, TheoryStatus.BUSTED)


def test_resolving_as_open_is_refused(journal: Journal, theory: Theory) -> None:
    with pytest.raises(InvalidStateError):
        journal.theories.resolve(theory.id, TheoryStatus.OPEN)


def test_resolving_on_a_future_date_is_refused(journal: Journal, theory: Theory, db_snapshot) -> None:
    before = db_snapshot(journal)
    with pytest.raises(DateError, match="future"):
        journal.theories.resolve(theory.id, TheoryStatus.BUSTED, on=date(2026, 3, 5))
    assert db_snapshot(journal) == before


def test_confidence_of_a_resolved_theory_cannot_change(journal: Journal, theory: Theory, db_snapshot) -> None:
    journal.theories.resolve(theory.id, TheoryStatus.BUSTED)
    before = db_snapshot(journal)
    with pytest.raises(InvalidStateError, match="reopen"):
        journal.theories.set_confidence(theory.id, 10)
    with pytest.raises(InvalidStateError, match="reopen"):
        journal.theories.edit(theory.id, TheoryDraft(title="Renamed", confidence=10))
    assert db_snapshot(journal) == before


def test_reopen_clears_the_resolution(journal: Journal, theory: Theory) -> None:
    journal.theories.resolve(theory.id, TheoryStatus.VOID, "never answered", date(2026, 2, 1))
    reopened = journal.theories.reopen(theory.id)
    assert reopened.status is TheoryStatus.OPEN
    assert reopened.resolution_note == ""
    assert reopened.resolved_on is None
    assert reopened.resolved_at is None
    assert journal.theories.set_confidence(theory.id, 60).confidence == 60


def test_reopen_keeps_each_earlier_resolution(journal: Journal, theory: Theory, clock) -> None:
    journal.theories.resolve(theory.id, TheoryStatus.BUSTED, "he stayed", date(2026, 2, 1))
    resolved_at = journal.theories.get(theory.id).resolved_at
    clock.advance(days=1)
    reopened = journal.theories.reopen(theory.id)
    (first,) = reopened.earlier_resolutions
    assert (first.status, first.note, first.resolved_on) == (
        TheoryStatus.BUSTED,
        "he stayed",
        date(2026, 2, 1),
    )
    assert (first.resolved_at, first.reopened_at) == (resolved_at, clock.now)
    clock.advance(days=1)
    journal.theories.resolve(theory.id, TheoryStatus.CONFIRMED, "he came back")
    clock.advance(days=1)
    again = journal.theories.reopen(theory.id)
    assert [(e.status, e.note) for e in again.earlier_resolutions] == [
        (TheoryStatus.BUSTED, "he stayed"),
        (TheoryStatus.CONFIRMED, "he came back"),
    ]
    assert journal.theories.get(theory.id).earlier_resolutions == again.earlier_resolutions


def test_resolving_a_resolved_theory_again_keeps_the_old_resolution(journal: Journal, theory: Theory) -> None:
    journal.theories.resolve(theory.id, TheoryStatus.BUSTED, "he stayed", date(2026, 2, 1))
    (voided,) = journal.theories.resolve_many([theory.id], TheoryStatus.VOID, "cancelled")
    assert voided.status is TheoryStatus.VOID
    assert [(e.status, e.note) for e in voided.earlier_resolutions] == [(TheoryStatus.BUSTED, "he stayed")]


def test_a_new_theory_has_no_earlier_resolutions(journal: Journal, theory: Theory) -> None:
    journal.theories.resolve(theory.id, TheoryStatus.VOID)
    assert journal.theories.get(theory.id).earlier_resolutions == ()


def test_reopening_an_open_theory_is_refused(journal: Journal, theory: Theory) -> None:
    with pytest.raises(InvalidStateError, match="already open"):
        journal.theories.reopen(theory.id)


# --- starter theories ----------------------------------------------------------------------


def test_adopt_starters_copies_them_as_user_theories(journal: Journal) -> None:
    romance, villain = journal.theories.adopt_starters(["jack-cheyenne", "mishi-villain"], confidence=35)
    assert romance.title == "Jack and Cheyenne become a couple"
    assert romance.body == "The finale kiss leads somewhere."
    assert romance.category is Category.ROMANCE
    assert romance.tags == ("love-triangle", "romance")
    assert [c.name for c in romance.characters] == ["Jack"]
    assert romance.confidence == 35
    assert romance.starter_key == "jack-cheyenne"
    assert romance.history == (Forecast(35, START, "Adopted from the starter pack"),)
    assert villain.category is Category.VILLAIN_ARC
    assert [c.name for c in villain.characters] == ["Mishi"]
    assert journal.board.rows([romance.id])[0].characters == ("Jack",)


def test_adopting_twice_does_not_duplicate(journal: Journal) -> None:
    (first,) = journal.theories.adopt_starters(["jack-cheyenne"])
    again = journal.theories.adopt_starters(["jack-cheyenne", "jack-cheyenne"])
    assert [t.id for t in again] == [first.id]
    assert journal.board.count(TheoryQuery()) == 1


def test_adopting_an_unknown_starter_writes_nothing(journal: Journal, db_snapshot) -> None:
    before = db_snapshot(journal)
    with pytest.raises(StarterNotFoundError):
        journal.theories.adopt_starters(["jack-cheyenne", "no-such-starter"])
    assert db_snapshot(journal) == before


def test_starters_mark_the_adopted_ones(journal: Journal) -> None:
    assert [(s.key, s.adopted) for s in journal.theories.starters()] == [
        ("jack-cheyenne", False),
        ("mishi-villain", False),
    ]
    (adopted,) = journal.theories.adopt_starters(["mishi-villain"])
    assert [(s.key, s.adopted) for s in journal.theories.starters()] == [
        ("jack-cheyenne", False),
        ("mishi-villain", True),
    ]
    journal.theories.delete(adopted.id)
    assert not any(s.adopted for s in journal.theories.starters())


# --- bad input writes nothing --------------------------------------------------------------

Action = Callable[[Journal, Theory], object]


def _create(**fields: object) -> Action:
    fields.setdefault("title", "Valid title")
    return lambda j, t: j.theories.create(TheoryDraft(**fields))  # type: ignore[arg-type]


def _edit(**fields: object) -> Action:
    fields.setdefault("title", "Valid title")
    return lambda j, t: j.theories.edit(t.id, TheoryDraft(**fields))  # type: ignore[arg-type]


def _fact(j: Journal) -> int:
    return fact_id(j, "release-none")


BAD_INPUT: dict[str, tuple[Action, type[JournalError]]] = {
    "create empty title": (_create(title=""), TitleError),
    "create whitespace title": (_create(title=" \n\t "), TitleError),
    "create 201-char title": (_create(title="t" * 201), TitleError),
    "create control char title": (_create(title="bell\x07"), TitleError),
    "create 20001-char body": (_create(body="b" * 20_001), BodyError),
    "create confidence 0": (_create(confidence=0), ConfidenceError),
    "create confidence 100": (_create(confidence=100), ConfidenceError),
    "create confidence -5": (_create(confidence=-5), ConfidenceError),
    "create confidence '50'": (_create(confidence="50"), ConfidenceError),
    "create juiciness 0": (_create(juiciness=0), RatingError),
    "create juiciness 6": (_create(juiciness=6), RatingError),
    "create empty tag": (_create(tags=("",)), TagError),
    "create 41-char tag": (_create(tags=("x" * 41,)), TagError),
    "create tag a<b": (_create(tags=("a<b",)), TagError),
    "create one bad tag among good": (_create(tags=("fresh-tag", "also-new", "bad!")), TagError),
    "create bad category": (_create(category="drama"), ChoiceError),
    "create unknown character": (
        _create(character_ids=(NO_SUCH_ID,), tags=("brand-new",)),
        CharacterNotFoundError,
    ),
    "create bool character id": (_create(character_ids=(True,)), ChoiceError),
    "create unknown evidence fact": (
        _create(tags=("brand-new",), evidence=(EvidenceDraft(NO_SUCH_ID, Stance.SUPPORTS),)),
        FactNotFoundError,
    ),
    "create evidence bad stance": (_create(evidence=(EvidenceDraft(1, "neutral"),)), ChoiceError),
    "create evidence bad fact id": (_create(evidence=(EvidenceDraft("1", Stance.SUPPORTS),)), ChoiceError),
    "create evidence long note": (
        _create(evidence=(EvidenceDraft(1, Stance.SUPPORTS, "n" * 2001),)),
        TextFieldError,
    ),
    "edit unknown evidence fact": (
        _edit(confidence=40, evidence=(EvidenceDraft(NO_SUCH_ID, Stance.SUPPORTS),)),
        FactNotFoundError,
    ),
    "create datetime resolve-by": (_create(resolve_by=datetime(2026, 5, 1, tzinfo=UTC)), DateError),
    "create long note": (lambda j, t: j.theories.create(TheoryDraft("Ok"), note="n" * 2001), TextFieldError),
    "edit unknown theory": (lambda j, t: j.theories.edit(NO_SUCH_ID, TheoryDraft("Ok")), TheoryNotFoundError),
    "edit empty title": (_edit(title=""), TitleError),
    "edit 20001-char body": (_edit(body="b" * 20_001), BodyError),
    "edit confidence 100": (_edit(confidence=100), ConfidenceError),
    "edit bad tag": (_edit(tags=("ok", "a<b")), TagError),
    "edit unknown character": (_edit(character_ids=(NO_SUCH_ID,)), CharacterNotFoundError),
    "delete unknown": (lambda j, t: j.theories.delete(NO_SUCH_ID), TheoryNotFoundError),
    "restore unknown": (lambda j, t: j.theories.restore(NO_SUCH_ID), TheoryNotFoundError),
    "set_confidence unknown": (lambda j, t: j.theories.set_confidence(NO_SUCH_ID, 50), TheoryNotFoundError),
    "set_confidence 0": (lambda j, t: j.theories.set_confidence(t.id, 0), ConfidenceError),
    "set_confidence 100": (lambda j, t: j.theories.set_confidence(t.id, 100), ConfidenceError),
    "set_confidence '50'": (lambda j, t: j.theories.set_confidence(t.id, "50"), ConfidenceError),
    "set_confidence bool": (lambda j, t: j.theories.set_confidence(t.id, True), ConfidenceError),
    "set_juiciness 0": (lambda j, t: j.theories.set_juiciness(t.id, 0), RatingError),
    "set_juiciness 6": (lambda j, t: j.theories.set_juiciness(t.id, 6), RatingError),
    "set_juiciness unknown": (lambda j, t: j.theories.set_juiciness(NO_SUCH_ID, 3), TheoryNotFoundError),
    "edit bad category": (_edit(category="drama"), ChoiceError),
    "edit a known and an unknown character": (
        lambda j, t: j.theories.edit(
            t.id, TheoryDraft("Ok", confidence=40, character_ids=(character_id(j, "jack"), NO_SUCH_ID))
        ),
        CharacterNotFoundError,
    ),
    "set_tags empty": (lambda j, t: j.theories.set_tags(t.id, ["new", ""]), TagError),
    "set_tags 41 chars": (lambda j, t: j.theories.set_tags(t.id, ["x" * 41]), TagError),
    "set_tags a<b": (lambda j, t: j.theories.set_tags(t.id, ["a<b"]), TagError),
    "set_tags a//b": (lambda j, t: j.theories.set_tags(t.id, ["villain", "a//b"]), TagError),
    "set_tags unknown theory": (lambda j, t: j.theories.set_tags(NO_SUCH_ID, ["new"]), TheoryNotFoundError),
    "set_resolve_by datetime": (
        lambda j, t: j.theories.set_resolve_by(t.id, datetime(2026, 1, 1, tzinfo=UTC)),
        DateError,
    ),
    "link_evidence unknown theory": (
        lambda j, t: j.theories.link_evidence(NO_SUCH_ID, _fact(j), Stance.SUPPORTS),
        TheoryNotFoundError,
    ),
    "link_evidence unknown fact": (
        lambda j, t: j.theories.link_evidence(t.id, NO_SUCH_ID, Stance.SUPPORTS),
        FactNotFoundError,
    ),
    "link_evidence bad stance": (
        lambda j, t: j.theories.link_evidence(t.id, _fact(j), "neutral"),
        ChoiceError,
    ),
    "link_evidence long note": (
        lambda j, t: j.theories.link_evidence(t.id, _fact(j), Stance.SUPPORTS, "n" * 2001),
        TextFieldError,
    ),
    "unlink_evidence unknown fact": (
        lambda j, t: j.theories.unlink_evidence(t.id, NO_SUCH_ID),
        FactNotFoundError,
    ),
    "unlink_evidence unknown theory": (
        lambda j, t: j.theories.unlink_evidence(NO_SUCH_ID, _fact(j)),
        TheoryNotFoundError,
    ),
    "resolve unknown theory": (lambda j, t: j.theories.resolve(NO_SUCH_ID, "busted"), TheoryNotFoundError),
    "resolve bad status": (lambda j, t: j.theories.resolve(t.id, "maybe"), ChoiceError),
    "resolve future date": (lambda j, t: j.theories.resolve(t.id, "busted", on=date(2027, 1, 1)), DateError),
    "reopen unknown": (lambda j, t: j.theories.reopen(NO_SUCH_ID), TheoryNotFoundError),
    "reopen open": (lambda j, t: j.theories.reopen(t.id), InvalidStateError),
    "adopt bad confidence": (lambda j, t: j.theories.adopt_starters(["jack-cheyenne"], 0), ConfidenceError),
}


@pytest.mark.parametrize(("action", "error"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_raises_its_error_and_writes_nothing(
    journal: Journal, theory: Theory, db_snapshot, action: Action, error: type[JournalError]
) -> None:
    before = db_snapshot(journal)
    with pytest.raises(error):
        action(journal, theory)
    assert db_snapshot(journal) == before


def test_get_unknown_theory_is_not_found(journal: Journal) -> None:
    with pytest.raises(TheoryNotFoundError, match=str(NO_SUCH_ID)):
        journal.theories.get(NO_SUCH_ID)

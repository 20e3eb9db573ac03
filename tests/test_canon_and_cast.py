"""The Status tab (topic cards, user news, the fact list) and the Cast tab (characters, dream casting)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from helpers import START, FakeClock, character_id, fact_id, write

from etoile_app.domain.enums import (
    STATUS_TOPICS,
    Company,
    FactOrigin,
    FactStatus,
    RoleKind,
    Stance,
    TheoryStatus,
    Topic,
)
from etoile_app.domain.errors import (
    CharacterNotFoundError,
    ChoiceError,
    DateError,
    DreamCastNotFoundError,
    FactNotFoundError,
    JournalError,
    RatingError,
    TextFieldError,
)
from etoile_app.domain.models import DreamCastDraft, NewsDraft, TopicCard
from etoile_app.services.journal import Journal

NO_SUCH_ID = 999_999


def _card(journal: Journal, topic: Topic) -> TopicCard:
    return next(c for c in journal.canon.status_board() if c.topic is topic)


def _news(**fields: object) -> NewsDraft:
    values: dict[str, object] = {
        "topic": Topic.RENEWAL,
        "statement": "A revival was announced.",
        "status": FactStatus.REPORTED,
        "source": "Variety",
        "as_of": date(2026, 2, 1),
    }
    values.update(fields)
    return NewsDraft(**values)  # type: ignore[arg-type]


# --- status board --------------------------------------------------------------------------


def test_status_board_has_one_card_per_status_topic_in_order(journal: Journal) -> None:
    assert [c.topic for c in journal.canon.status_board()] == list(STATUS_TOPICS)


def test_renewal_card_shows_the_cancellation_and_the_history(journal: Journal) -> None:
    card = _card(journal, Topic.RENEWAL)
    assert card.current is not None
    assert card.current.key == "renewal-cancelled"
    assert card.current.shown_status is FactStatus.REPORTED
    assert [f.key for f in card.history] == ["renewal-happening", "renewal-order"]
    shown = {f.key: f.shown_status for f in card.history}
    assert shown == {"renewal-happening": FactStatus.SUPERSEDED, "renewal-order": FactStatus.CONFIRMED}
    happening = card.history[0]
    assert happening.status is FactStatus.REPORTED  # the stored status is kept
    assert happening.superseded_by_id == card.current.id


def test_topics_without_facts_have_an_empty_card(journal: Journal) -> None:
    card = _card(journal, Topic.TRAILER)
    assert (card.current, card.history, card.open_theories) == (None, (), 0)


def test_open_theories_count_open_live_theories_citing_the_topic(journal: Journal) -> None:
    def cite(title: str, *keys: str) -> int:
        theory_id = write(journal, title).id
        for key in keys:
            journal.theories.link_evidence(theory_id, fact_id(journal, key), Stance.SUPPORTS)
        return theory_id

    cite("Cites two renewal facts", "renewal-order", "renewal-cancelled")  # counted once
    cite("Cites renewal and release", "renewal-happening", "release-none")
    journal.theories.resolve(cite("Resolved", "renewal-order"), TheoryStatus.CONFIRMED)
    journal.theories.delete(cite("Deleted", "renewal-order"))
    write(journal, "Cites nothing")

    counts = {c.topic: c.open_theories for c in journal.canon.status_board()}
    assert counts == {
        Topic.RENEWAL: 2,
        Topic.RELEASE: 1,
        Topic.TRAILER: 0,
        Topic.PRODUCTION: 0,
        Topic.LOCATIONS: 0,
        Topic.CAST: 0,
    }


# --- user news -----------------------------------------------------------------------------


def test_add_news_is_stored_as_the_users(journal: Journal, clock: FakeClock) -> None:
    jack = character_id(journal, "jack")
    news = journal.canon.add_news(
        _news(topic=Topic.CAST, statement="  Jack's actor   hints at a return. ", character_ids=(jack,))
    )
    assert news.origin is FactOrigin.USER
    assert news.key is not None and news.key.startswith("user-")
    assert news.statement == "Jack's actor hints at a return."
    assert news.source == "Variety"
    assert news.as_of == date(2026, 2, 1)
    assert news.character_ids == (jack,)
    assert journal.canon.fact(news.id) == news


def test_news_can_be_dated_today(journal: Journal) -> None:
    assert journal.canon.add_news(_news(as_of=date(2026, 3, 1))).as_of == date(2026, 3, 1)


def test_news_can_supersede_a_pack_fact(journal: Journal) -> None:
    release_none = fact_id(journal, "release-none")
    news = journal.canon.add_news(
        _news(topic=Topic.RELEASE, statement="Season 2 revived for 2027.", supersedes_id=release_none)
    )
    card = _card(journal, Topic.RELEASE)
    assert card.current is not None
    assert card.current.id == news.id
    assert card.current.supersedes_id == release_none
    old = next(f for f in card.history if f.id == release_none)
    assert old.shown_status is FactStatus.SUPERSEDED
    assert old.superseded_by_id == news.id


BAD_NEWS: dict[str, tuple[Callable[[Journal], NewsDraft], type[JournalError]]] = {
    "empty statement": (lambda j: _news(statement="  "), TextFieldError),
    "statement too long": (lambda j: _news(statement="s" * 1001), TextFieldError),
    "empty source": (lambda j: _news(source=""), TextFieldError),
    "future date": (lambda j: _news(as_of=date(2026, 3, 5)), DateError),
    "no date": (lambda j: _news(as_of=None), DateError),
    "status superseded": (lambda j: _news(status=FactStatus.SUPERSEDED), ChoiceError),
    "bad status": (lambda j: _news(status="gossip"), ChoiceError),
    "bad topic": (lambda j: _news(topic="weather"), ChoiceError),
    "unknown supersedes": (lambda j: _news(supersedes_id=NO_SUCH_ID), FactNotFoundError),
    "supersedes a newer fact": (
        lambda j: _news(as_of=date(2025, 1, 1), supersedes_id=fact_id(j, "renewal-cancelled")),
        DateError,
    ),
    "unknown character": (
        lambda j: _news(character_ids=(character_id(j, "jack"), NO_SUCH_ID)),
        CharacterNotFoundError,
    ),
}


@pytest.mark.parametrize(("draft", "error"), BAD_NEWS.values(), ids=BAD_NEWS.keys())
def test_bad_news_raises_its_error_and_writes_nothing(
    journal: Journal, db_snapshot, draft: Callable[[Journal], NewsDraft], error: type[JournalError]
) -> None:
    news = draft(journal)
    before = db_snapshot(journal)
    with pytest.raises(error):
        journal.canon.add_news(news)
    assert db_snapshot(journal) == before


def test_unknown_fact_is_not_found(journal: Journal) -> None:
    with pytest.raises(FactNotFoundError):
        journal.canon.fact(NO_SUCH_ID)


# --- the fact list -------------------------------------------------------------------------


def test_facts_are_listed_newest_first(journal: Journal) -> None:
    facts = journal.canon.facts()
    assert len(facts) == 10
    assert [f.as_of for f in facts] == sorted((f.as_of for f in facts), reverse=True)


def test_facts_filter_by_topic(journal: Journal) -> None:
    assert {f.key for f in journal.canon.facts(Topic.RENEWAL)} == {
        "renewal-order",
        "renewal-happening",
        "renewal-cancelled",
    }
    assert journal.canon.facts(Topic.CREW) == []


def test_facts_filter_by_every_word_of_text(journal: Journal) -> None:
    assert {f.key for f in journal.canon.facts(text="CANCELLED")} == {"renewal-cancelled", "release-none"}
    assert {f.key for f in journal.canon.facts(text="cancel")} == {
        "renewal-cancelled",
        "release-none",
        "cast-cancelled",
    }
    assert {f.key for f in journal.canon.facts(Topic.RELEASE, "cancelled")} == {"release-none"}
    assert {f.key for f in journal.canon.facts(text="season cancelled")} == {
        "renewal-cancelled",
        "release-none",
    }
    assert {f.key for f in journal.canon.facts(text="deadline")} == {  # the source counts too
        "renewal-cancelled",
        "release-none",
        "cast-cancelled",
    }
    assert journal.canon.facts(text="nothing-matches-this") == []


def test_facts_include_user_news(journal: Journal) -> None:
    news = journal.canon.add_news(_news(statement="A zebra joins the ballet."))
    assert [f.id for f in journal.canon.facts(text="zebra")] == [news.id]


# --- cast ----------------------------------------------------------------------------------


def test_characters_are_listed_main_cast_first_then_by_name(journal: Journal) -> None:
    characters = journal.cast.characters()
    assert [(c.name, c.role) for c in characters] == [
        ("Geneviève Lavigne", RoleKind.MAIN),
        ("Jack", RoleKind.MAIN),
        ("Mishi", RoleKind.RECURRING),
    ]


def test_character_fields_come_from_the_pack(journal: Journal) -> None:
    by_key = {c.key: c for c in journal.cast.characters()}
    assert by_key["jack"].actor == "Luke Kirby"
    assert by_key["jack"].company is Company.NEW_YORK
    assert by_key["jack"].description == "Director in New York."
    assert by_key["jack"].season1_arc == "Swaps dancers."
    assert by_key["jack"].full_name == "Jack McMillan"
    assert by_key["jack"].display_name == "Jack McMillan"
    assert [(r.outlet, r.section, r.url) for r in by_key["jack"].sources] == [
        ("Test article", "Cast", ""),
        ("Test Review", "", "https://example.org/review/etoile-1"),
    ]
    assert by_key["jack"].verified and not by_key["genevieve"].verified
    assert by_key["mishi"].actor is None
    assert by_key["mishi"].actor_note == "Not credited in the sources read."


def test_return_status_follows_the_cast_facts(journal: Journal) -> None:
    by_key = {c.key: c for c in journal.cast.characters()}
    for key in ("jack", "genevieve"):
        status = by_key[key].return_status
        assert status is not None
        assert status.key == "cast-cancelled"
    assert by_key["mishi"].return_status is None


def test_return_status_follows_news_that_supersedes_it(journal: Journal) -> None:
    jack = character_id(journal, "jack")
    news = journal.canon.add_news(
        _news(
            topic=Topic.CAST,
            statement="Jack's actor signs for a revival.",
            supersedes_id=fact_id(journal, "cast-cancelled"),
            character_ids=(jack,),
        )
    )
    status = next(c for c in journal.cast.characters() if c.id == jack).return_status
    assert status is not None
    assert status.id == news.id


def test_theory_counts_per_character(journal: Journal) -> None:
    jack, mishi = character_id(journal, "jack"), character_id(journal, "mishi")
    write(journal, "Open one", character_ids=(jack, mishi))
    journal.theories.resolve(write(journal, "Resolved one", character_ids=(jack,)).id, TheoryStatus.BUSTED)
    journal.theories.delete(write(journal, "Deleted one", character_ids=(jack, mishi)).id)

    counts = {c.key: (c.theory_count, c.open_theory_count) for c in journal.cast.characters()}
    assert counts == {"jack": (2, 1), "mishi": (1, 1), "genevieve": (0, 0)}


# --- dream casting -------------------------------------------------------------------------


def test_dream_cast_add_edit_delete(journal: Journal, clock: FakeClock) -> None:
    jack = character_id(journal, "jack")
    added = journal.cast.add_dream_cast(
        DreamCastDraft(
            role_idea="  Jack's  brother ",
            actor="Paul Mescal",
            note="same energy",
            rating=4,
            character_id=jack,
        )
    )
    assert (added.role_idea, added.actor, added.note, added.rating) == (
        "Jack's brother",
        "Paul Mescal",
        "same energy",
        4,
    )
    assert (added.character_id, added.character_name) == (jack, "Jack")
    assert added.created_at == added.updated_at == START
    assert journal.cast.dream_casting() == [added]

    clock.advance(hours=1)
    edited = journal.cast.edit_dream_cast(added.id, DreamCastDraft(role_idea="New rival", actor="Zendaya"))
    assert (edited.role_idea, edited.actor, edited.note, edited.rating) == ("New rival", "Zendaya", "", None)
    assert (edited.character_id, edited.character_name) == (None, None)
    assert edited.created_at == START
    assert edited.updated_at == START + timedelta(hours=1)
    assert journal.cast.dream_casting() == [edited]

    assert journal.cast.delete_dream_cast(added.id) == edited
    assert journal.cast.dream_casting() == []


def test_dream_casting_lists_best_rated_first(journal: Journal) -> None:
    unrated = journal.cast.add_dream_cast(DreamCastDraft("Role A", "Actor A"))
    good = journal.cast.add_dream_cast(DreamCastDraft("Role B", "Actor B", rating=5))
    fair = journal.cast.add_dream_cast(DreamCastDraft("Role C", "Actor C", rating=2))
    assert [d.id for d in journal.cast.dream_casting()] == [good.id, fair.id, unrated.id]


BAD_DREAMS: dict[str, tuple[Callable[[Journal, int], object], type[JournalError]]] = {
    "add empty role": (lambda j, e: j.cast.add_dream_cast(DreamCastDraft(" ", "Actor")), TextFieldError),
    "add empty actor": (lambda j, e: j.cast.add_dream_cast(DreamCastDraft("Role", "")), TextFieldError),
    "add rating 6": (
        lambda j, e: j.cast.add_dream_cast(DreamCastDraft("Role", "Actor", rating=6)),
        RatingError,
    ),
    "add rating 0": (
        lambda j, e: j.cast.add_dream_cast(DreamCastDraft("Role", "Actor", rating=0)),
        RatingError,
    ),
    "add unknown character": (
        lambda j, e: j.cast.add_dream_cast(DreamCastDraft("Role", "Actor", character_id=NO_SUCH_ID)),
        CharacterNotFoundError,
    ),
    "edit empty role": (lambda j, e: j.cast.edit_dream_cast(e, DreamCastDraft("", "Actor")), TextFieldError),
    "edit rating 6": (
        lambda j, e: j.cast.edit_dream_cast(e, DreamCastDraft("Role", "Actor", rating=6)),
        RatingError,
    ),
    "edit unknown character": (
        lambda j, e: j.cast.edit_dream_cast(e, DreamCastDraft("Role", "Actor", character_id=NO_SUCH_ID)),
        CharacterNotFoundError,
    ),
    "edit unknown entry": (
        lambda j, e: j.cast.edit_dream_cast(NO_SUCH_ID, DreamCastDraft("Role", "Actor")),
        DreamCastNotFoundError,
    ),
    "delete unknown entry": (lambda j, e: j.cast.delete_dream_cast(NO_SUCH_ID), DreamCastNotFoundError),
}


@pytest.mark.parametrize(("action", "error"), BAD_DREAMS.values(), ids=BAD_DREAMS.keys())
def test_bad_dream_cast_raises_its_error_and_writes_nothing(
    journal: Journal,
    db_snapshot,
    action: Callable[[Journal, int], object],
    error: type[JournalError],
) -> None:
    entry = journal.cast.add_dream_cast(
        DreamCastDraft(
            "Cheyenne's rival", "Florence Pugh", rating=3, character_id=character_id(journal, "mishi")
        )
    )
    before = db_snapshot(journal)
    with pytest.raises(error):
        action(journal, entry.id)
    assert db_snapshot(journal) == before

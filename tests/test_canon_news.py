"""User news on the timeline: a rumour never buries a reported fact, news supersedes only when
asked, and news can be edited, retracted and restored; the bundled pack's edition 1 upgrades to
edition 2 with every theory and evidence link kept."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import CANON_V1, FakeClock, fact_id, listed, write

from etoile_app.canon.pack import load_pack
from etoile_app.domain.enums import FactStatus, Stance, TheoryStatus, Topic
from etoile_app.domain.errors import ChoiceError, InvalidStateError, TextFieldError
from etoile_app.domain.models import DreamCastDraft, NewsDraft, TheoryQuery
from etoile_app.paths import canon_pack_path
from etoile_app.services.journal import Journal


def _news(**fields: object) -> NewsDraft:
    values: dict[str, object] = {
        "topic": Topic.RENEWAL,
        "statement": "Another streamer is said to be circling Étoile.",
        "status": FactStatus.RUMOURED,
        "source": "A fan forum",
        "as_of": date(2026, 2, 1),
    }
    values.update(fields)
    return NewsDraft(**values)  # type: ignore[arg-type]


def _renewal(journal: Journal):
    return next(c for c in journal.canon.status_board() if c.topic is Topic.RENEWAL)


# --- the state of a topic ------------------------------------------------------------------


def test_a_later_rumour_does_not_bury_the_reported_cancellation(journal: Journal) -> None:
    rumour = journal.canon.add_news(_news())
    card = _renewal(journal)
    assert card.current.key == "renewal-cancelled"
    assert card.current.title_line == "Cancelled after one season"
    assert [f.id for f in card.newer_talk] == [rumour.id]
    assert rumour.id not in {f.id for f in card.history}


def test_news_supersedes_nothing_unless_asked(journal: Journal) -> None:
    journal.canon.add_news(_news(status=FactStatus.REPORTED, statement="Talks are reported."))
    cancelled = journal.canon.fact(fact_id(journal, "renewal-cancelled"))
    assert cancelled.superseded_by_id is None
    assert cancelled.shown_status is FactStatus.REPORTED


def test_a_rumour_cannot_supersede_a_reported_fact(journal: Journal, db_snapshot) -> None:
    before = db_snapshot(journal)
    with pytest.raises(ChoiceError, match="cannot supersede") as caught:
        journal.canon.add_news(_news(supersedes_id=fact_id(journal, "renewal-cancelled")))
    assert caught.value.field == "supersedes"
    assert db_snapshot(journal) == before


def test_news_cannot_supersede_what_is_already_superseded(journal: Journal, db_snapshot) -> None:
    before = db_snapshot(journal)
    with pytest.raises(ChoiceError, match="already superseded"):
        journal.canon.add_news(
            _news(status=FactStatus.REPORTED, supersedes_id=fact_id(journal, "renewal-happening"))
        )
    assert db_snapshot(journal) == before


def test_reported_news_can_overtake_the_cancellation(journal: Journal) -> None:
    revival = journal.canon.add_news(
        _news(
            status=FactStatus.REPORTED,
            statement="Another service picks up Étoile.",
            headline="Picked up elsewhere",
            source="Deadline",
            source_title="Étoile finds a new home",
            source_url="https://example.org/new-home",
            supersedes_id=fact_id(journal, "renewal-cancelled"),
        )
    )
    card = _renewal(journal)
    assert card.current.id == revival.id
    assert card.current.title_line == "Picked up elsewhere"
    assert (revival.source_title, revival.source_url) == (
        "Étoile finds a new home",
        "https://example.org/new-home",
    )
    assert journal.canon.fact(fact_id(journal, "renewal-cancelled")).shown_status is FactStatus.SUPERSEDED


def test_a_bad_address_is_refused_and_nothing_is_written(journal: Journal, db_snapshot) -> None:
    before = db_snapshot(journal)
    with pytest.raises(TextFieldError, match="web address") as caught:
        journal.canon.add_news(_news(source_url="javascript:alert(1)"))
    assert caught.value.field == "source_url"
    assert db_snapshot(journal) == before


def test_contradicted_facts_show_contradicted_and_are_never_the_state(journal: Journal) -> None:
    daughter = journal.canon.fact(fact_id(journal, "s1-mishi-daughter"))
    minister = journal.canon.fact(fact_id(journal, "s1-mishi-minister"))
    assert daughter.shown_status is FactStatus.CONTRADICTED
    assert daughter.contradicted_by_id == minister.id
    assert minister.contradicts_ids == (daughter.id,)
    assert not daughter.verified and minister.verified
    detail = journal.canon.detail(daughter.id)
    assert detail.contradicted_by == minister
    assert journal.canon.detail(minister.id).contradicts == (daughter,)


def test_evidence_on_a_contradicted_fact_shows_contradicted(journal: Journal) -> None:
    theory = write(journal, "Mishi turns on her mother")
    journal.theories.link_evidence(theory.id, fact_id(journal, "s1-mishi-daughter"), Stance.SUPPORTS)
    (evidence,) = journal.theories.get(theory.id).evidence
    assert evidence.fact_status is FactStatus.CONTRADICTED


# --- edit, retract, restore ----------------------------------------------------------------


def test_news_can_be_edited(journal: Journal, clock: FakeClock) -> None:
    news = journal.canon.add_news(_news())
    clock.advance(minutes=1)
    edited = journal.canon.edit_news(
        news.id, _news(statement="Talks confirmed by Variety.", status=FactStatus.REPORTED, source="Variety")
    )
    assert (edited.id, edited.statement, edited.status, edited.source) == (
        news.id,
        "Talks confirmed by Variety.",
        FactStatus.REPORTED,
        "Variety",
    )
    assert journal.canon.fact(news.id) == edited


def test_editing_news_can_change_what_it_supersedes(journal: Journal) -> None:
    release = fact_id(journal, "release-none")
    news = journal.canon.add_news(
        _news(topic=Topic.RELEASE, status=FactStatus.REPORTED, statement="Dated.", supersedes_id=release)
    )
    assert journal.canon.fact(release).superseded_by_id == news.id
    journal.canon.edit_news(
        news.id, _news(topic=Topic.RELEASE, status=FactStatus.REPORTED, statement="Dated.")
    )
    assert journal.canon.fact(release).superseded_by_id is None


def test_retracting_news_brings_back_what_it_superseded(journal: Journal) -> None:
    cancelled = fact_id(journal, "renewal-cancelled")
    revival = journal.canon.add_news(_news(status=FactStatus.REPORTED, supersedes_id=cancelled))
    assert _renewal(journal).current.id == revival.id

    retracted = journal.canon.retract_news(revival.id)
    assert retracted.is_retracted
    assert _renewal(journal).current.id == cancelled
    assert journal.canon.fact(cancelled).shown_status is FactStatus.REPORTED
    assert revival.id not in {f.id for f in journal.canon.facts()}
    assert revival.id in {f.id for f in journal.canon.facts(retracted=True)}

    restored = journal.canon.restore_news(revival.id)
    assert not restored.is_retracted
    assert _renewal(journal).current.id == revival.id


def test_theories_keep_their_link_to_retracted_news(journal: Journal) -> None:
    news = journal.canon.add_news(_news(status=FactStatus.REPORTED))
    theory = write(journal, "It comes back")
    journal.theories.link_evidence(theory.id, news.id, Stance.SUPPORTS)
    journal.canon.retract_news(news.id)
    assert [e.fact_id for e in journal.theories.get(theory.id).evidence] == [news.id]
    assert [t.id for t in journal.canon.detail(news.id).citing] == [theory.id]


@pytest.mark.parametrize("verb", ["edit_news", "retract_news", "restore_news"])
def test_pack_facts_are_not_the_users_to_change(journal: Journal, db_snapshot, verb: str) -> None:
    before = db_snapshot(journal)
    args = (fact_id(journal, "renewal-cancelled"),) + ((_news(),) if verb == "edit_news" else ())
    with pytest.raises(InvalidStateError, match="Only news you added"):
        getattr(journal.canon, verb)(*args)
    assert db_snapshot(journal) == before


def test_citing_counts_count_live_theories(journal: Journal) -> None:
    cancelled = fact_id(journal, "renewal-cancelled")
    for title in ("One", "Two"):
        theory = write(journal, title)
        journal.theories.link_evidence(theory.id, cancelled, Stance.SUPPORTS)
    journal.theories.delete(theory.id)
    assert journal.canon.citing_counts() == {cancelled: 1}


# --- edition 1 to edition 2 ----------------------------------------------------------------


@pytest.fixture
def v1_journal(tmp_path) -> Journal:
    journal = Journal.open(tmp_path / "journal.sqlite3", pack=CANON_V1)
    yield journal
    journal.close()


def _characters(journal: Journal) -> dict[str, int]:
    return {c.key: c.id for c in journal.cast.characters()}


def test_upgrading_the_bundled_pack_keeps_theories_and_evidence(v1_journal: Journal) -> None:
    journal = v1_journal
    assert journal.canon.pack_version() == 1
    chars = _characters(journal)
    arturo_theory = write(journal, "Arturo buys the Paris company", character_ids=(chars["arturo"],))
    for key, stance in (("s1-arturo", Stance.SUPPORTS), ("s1-mishi-lashes-out", Stance.SUPPORTS)):
        journal.theories.link_evidence(arturo_theory.id, fact_id(journal, key), stance, "the article says so")
    guess = write(journal, "Season 2 goes to London")
    journal.theories.link_evidence(guess.id, fact_id(journal, "locations-london-scouting"), Stance.SUPPORTS)
    untouched = write(journal, "Nothing cited")
    adopted = journal.theories.adopt_starters(["fortunes-diverge"], 40)[0]
    dream = journal.cast.add_dream_cast(
        DreamCastDraft("Arturo's rival", "Someone", character_id=chars["arturo"])
    )

    changes = journal.canon.apply_pack(load_pack(canon_pack_path()))

    assert changes.applied and changes.version == 2
    assert ("arturo", "crispin") in changes.characters_merged
    assert ("unity-phelan", "julie") in changes.characters_merged
    assert {"s1-arturo", "s1-mishi-lashes-out", "s1-crispin-schemes"} <= set(changes.contradicted)
    assert "locations-london-scouting" in changes.superseded
    assert {arturo_theory.id, guess.id} <= set(changes.affected_theory_ids)
    assert untouched.id not in changes.affected_theory_ids

    # Every theory and evidence link is still there; Arturo's theories now name Crispin.
    after = journal.theories.get(arturo_theory.id)
    assert [c.name for c in after.characters] == ["Crispin"]
    assert {e.note for e in after.evidence} == {"the article says so"}
    assert {e.fact_status for e in after.evidence} == {FactStatus.CONTRADICTED}
    assert arturo_theory.id in listed(journal.board, TheoryQuery(text="Crispin"))
    assert journal.theories.get(guess.id).evidence[0].fact_status is FactStatus.SUPERSEDED
    assert journal.theories.get(untouched.id).status is TheoryStatus.OPEN
    crispin = next(c for c in journal.cast.characters() if c.key == "crispin")
    assert (crispin.full_name, crispin.actor) == ("Crispin Shamblee", "Simon Callow")
    assert "arturo" not in _characters(journal)
    assert next(d for d in journal.cast.dream_casting() if d.id == dream.id).character_id == crispin.id
    assert journal.theories.get(adopted.id).characters[0].name == "Crispin"

    # The status cards say the state in plain words.
    board = {c.topic: c for c in journal.canon.status_board()}
    assert board[Topic.RENEWAL].current.title_line.startswith("Cancelled after one season")
    assert board[Topic.RELEASE].current.title_line == "No Season 2 release planned"


def test_the_upgrade_is_applied_at_open_like_any_newer_pack(tmp_path) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal.open(path, pack=CANON_V1).close()
    journal = Journal.open(path, pack=canon_pack_path())
    try:
        assert journal.seeded is not None and journal.seeded.applied
        assert journal.canon.pack_version() == 2
    finally:
        journal.close()

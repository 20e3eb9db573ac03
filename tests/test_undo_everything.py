"""What undo rests on, below the GUI: snapshots put back exactly, and bulk changes all or nothing."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import character_id, db_snapshot, fact_id, write, write_full_theory

from etoile_app.domain.enums import Category, Stance, TheoryStatus
from etoile_app.domain.errors import InvalidStateError, TagError, TheoryNotFoundError
from etoile_app.domain.models import DreamCastDraft, EvidenceDraft, TheoryDraft


@pytest.fixture
def rich(journal, clock):
    """A theory with every field filled in, two pieces of evidence and two confidence points."""
    theory = write_full_theory(journal, Category.ROMANCE)
    clock.advance(hours=1)
    journal.theories.set_confidence(theory.id, 55, "a hunch")
    clock.advance(hours=1)
    return journal.theories.get(theory.id)


def test_as_draft_writes_the_theory_again(journal, rich):
    copy = journal.theories.create(rich.as_draft())
    for name in ("title", "body", "category", "characters", "tags", "confidence", "juiciness", "resolve_by"):
        assert getattr(copy, name) == getattr(rich, name)
    assert [(e.fact_id, e.stance, e.note) for e in copy.evidence] == [
        (e.fact_id, e.stance, e.note) for e in rich.evidence
    ]


def test_put_back_undoes_an_edit_row_for_row(journal, clock, rich):
    before_dump = db_snapshot(journal)
    (before,) = journal.theories.snapshot([rich.id])
    draft = TheoryDraft(
        title="Mishi turns hero",
        body="",
        category=Category.VILLAIN_ARC,
        tags=("hero",),
        confidence=80,
        juiciness=None,
        resolve_by=None,
        # The first piece of evidence goes, the second changes, a third comes.
        evidence=(
            EvidenceDraft(fact_id(journal, "release-none"), Stance.SUPPORTS, "changed"),
            EvidenceDraft(fact_id(journal, "locations-london"), Stance.SUPPORTS),
        ),
    )
    journal.theories.edit(rich.id, draft, confidence_note="sure now")
    (after,) = journal.theories.snapshot([rich.id])
    after_dump = db_snapshot(journal)
    assert after_dump != before_dump

    clock.advance(hours=1)
    (back,) = journal.theories.put_back([before])
    assert back == rich
    # Every row as it was, ids and dates included; the tag nothing carries any more is gone.
    assert db_snapshot(journal) == before_dump

    (again,) = journal.theories.put_back([after])
    assert again == after.theory
    # The same again, except that the edit left the tags it dropped behind, unused, and the
    # tag made again may have a new id (a server's sequence never hands one out twice).
    now_dump, then_dump = _tags_by_name(db_snapshot(journal)), _tags_by_name(after_dump)
    assert now_dump["tags"] == ["hero"] and "hero" in then_dump["tags"]
    assert {k: v for k, v in now_dump.items() if k != "tags"} == {
        k: v for k, v in then_dump.items() if k != "tags"
    }


def _tags_by_name(dump: dict) -> dict:
    """``dump`` with tags and their links told by the tag's name instead of its id."""
    names = dict(dump["tags"])
    links = [(row[0], names[row[1]], *row[2:]) for row in dump["theory_tags"]]
    return {**dump, "tags": sorted(names.values()), "theory_tags": sorted(links)}


def test_put_back_takes_a_new_row_id_when_its_own_was_taken(journal, rich):
    (before,) = journal.theories.snapshot([rich.id])
    renewal = fact_id(journal, "renewal-order")
    journal.theories.unlink_evidence(rich.id, renewal)
    other = write(journal, "Another", evidence=(EvidenceDraft(renewal, Stance.SUPPORTS),))
    (back,) = journal.theories.put_back([before])
    assert [(e.fact_id, e.stance, e.note) for e in back.evidence] == [
        (e.fact_id, e.stance, e.note) for e in rich.evidence
    ]
    assert journal.theories.get(other.id).evidence[0].fact_id == renewal


def test_resolve_many_resolves_open_and_resolved_alike_in_one_go(journal, clock):
    a, b = write(journal, "A"), write(journal, "B")
    journal.theories.resolve(b.id, TheoryStatus.BUSTED, "old note", date(2026, 2, 1))
    clock.advance(days=1)
    done = journal.theories.resolve_many([a.id, b.id], TheoryStatus.VOID, "cancelled")
    assert [(t.status, t.resolution_note, t.resolved_on) for t in done] == [
        (TheoryStatus.VOID, "cancelled", clock.now.astimezone().date())
    ] * 2


def test_bulk_changes_are_all_or_nothing(journal):
    a = write(journal, "A")
    gone = write(journal, "Gone")
    journal.theories.delete(gone.id)
    dump = db_snapshot(journal)
    with pytest.raises(TheoryNotFoundError):
        journal.theories.resolve_many([a.id, 999_999], TheoryStatus.VOID)
    with pytest.raises(InvalidStateError):
        journal.theories.delete_many([a.id, gone.id])
    with pytest.raises(InvalidStateError):
        journal.theories.add_tag_many([a.id, gone.id], "x")
    with pytest.raises(TagError):
        journal.theories.add_tag_many([a.id], "  ")
    with pytest.raises(InvalidStateError):
        journal.theories.restore_many([gone.id, a.id])
    assert db_snapshot(journal) == dump


def test_add_tag_many_leaves_theories_that_have_it_alone(journal, clock):
    a, b = write(journal, "A", tags=("gala",)), write(journal, "B")
    clock.advance(hours=1)
    tagged = journal.theories.add_tag_many([a.id, b.id], " Gala ")
    assert [t.tags for t in tagged] == [("gala",), ("gala",)]
    assert tagged[0].updated_at == a.updated_at
    assert tagged[1].updated_at == clock.now


def test_delete_many_and_restore_many(journal):
    a, b = write(journal, "A"), write(journal, "B")
    assert all(t.is_deleted for t in journal.theories.delete_many([a.id, b.id]))
    assert not any(t.is_deleted for t in journal.theories.restore_many([b.id, a.id]))


def test_a_deleted_dream_cast_comes_back_under_its_id(journal, clock):
    entry = journal.cast.add_dream_cast(
        DreamCastDraft("Gala villain", "Ana Dancer", "sharp", 4, character_id(journal, "mishi"))
    )
    dump = db_snapshot(journal)
    journal.cast.delete_dream_cast(entry.id)
    clock.advance(hours=1)
    assert journal.cast.put_back_dream_cast(entry) == entry
    assert db_snapshot(journal) == dump


def test_a_dream_cast_whose_id_was_taken_comes_back_under_another(journal, clock):
    entry = journal.cast.add_dream_cast(DreamCastDraft("Role", "First"))
    journal.cast.delete_dream_cast(entry.id)
    clock.advance(seconds=1)
    taken = journal.cast.add_dream_cast(DreamCastDraft("Role", "Second"))
    back = journal.cast.put_back_dream_cast(entry)
    assert back.actor == "First"
    assert {e.actor for e in journal.cast.dream_casting()} == {"First", "Second"}
    assert taken.id in {e.id for e in journal.cast.dream_casting()}

"""Every change made through the Store is one named undo step that undoes and redoes exactly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from helpers import character_id, db_snapshot, fact_id, write, write_full_theory

from etoile_app.domain.enums import Category, Stance, TheoryStatus
from etoile_app.domain.models import DreamCastDraft, EvidenceDraft, TheoryDraft
from etoile_app.ui.common.store import Store

from .conftest import link_evidence, redo, set_confidence, set_tags, undo, unlink_evidence, wait


def _dump(journal) -> dict:
    """Every row, less the tags no theory carries (an edit leaves those behind; undo tidies them).

    Rows that a redo writes again are told by what they hold, not by their ids: a server's
    sequence never hands an id out twice, so a tag or an earlier resolution made again has a
    new one there (SQLite reuses the highest)."""
    dump = db_snapshot(journal)
    names = dict(dump["tags"])
    dump["theory_tags"] = sorted((theory, names[tag_id]) for theory, tag_id in dump["theory_tags"])
    dump["tags"] = sorted({name for _theory, name in dump["theory_tags"]})
    dump["earlier_resolutions"] = sorted(row[1:] for row in dump["earlier_resolutions"])
    return dump


@pytest.fixture
def villain(journal, clock):
    theory = write_full_theory(journal)
    clock.advance(hours=1)
    return theory


@pytest.fixture
def three(journal, clock, villain):
    """The villain theory, one busted with a note, and one open."""
    busted = write(journal, "Jack leaves", tags=("gala",))
    journal.theories.resolve(busted.id, TheoryStatus.BUSTED, "he stayed", date(2026, 2, 1))
    other = write(journal, "Cheyenne returns")
    clock.advance(hours=1)
    return [villain.id, busted.id, other.id]


def _edit(store: Store, villain, journal) -> None:
    draft = TheoryDraft(
        title="Mishi turns hero",
        category=Category.PLOT_ARC,
        tags=("hero", "gala"),
        confidence=80,
        evidence=(
            EvidenceDraft(fact_id(journal, "release-none"), Stance.SUPPORTS, "changed"),
            EvidenceDraft(fact_id(journal, "locations-london"), Stance.SUPPORTS),
        ),
    )
    wait(store.edit_theory(villain.id, draft, confidence_note="sure now"))


CHANGES: dict[str, tuple[Callable, str]] = {
    "edit": (_edit, "Edit “Mishi turns hero”"),
    "confidence": (
        lambda store, t, j: set_confidence(store, t.id, 70, "a hunch"),
        "Edit “Mishi turns villain”",
    ),
    "add evidence": (
        lambda store, t, j: link_evidence(store, t.id, fact_id(j, "locations-london"), Stance.SUPPORTS, "n"),
        "Edit “Mishi turns villain”",
    ),
    "change evidence": (
        lambda store, t, j: link_evidence(store, t.id, fact_id(j, "renewal-order"), Stance.CONTRADICTS),
        "Edit “Mishi turns villain”",
    ),
    "remove evidence": (
        lambda store, t, j: unlink_evidence(store, t.id, fact_id(j, "renewal-order")),
        "Edit “Mishi turns villain”",
    ),
    "tags": (
        lambda store, t, j: set_tags(store, t.id, ["villain", "New Tag"]),
        "Edit “Mishi turns villain”",
    ),
    "resolve": (
        lambda store, t, j: wait(store.resolve(t.id, TheoryStatus.BUSTED, "nope")),
        "Resolve “Mishi turns villain” as busted",
    ),
}


@pytest.mark.parametrize("kind", list(CHANGES))
def test_a_change_to_one_theory_undoes_and_redoes_exactly(kind, store, journal, clock, villain):
    change, text = CHANGES[kind]
    before = _dump(journal)
    record_before = store.theories.get(villain.id)
    change(store, villain, journal)
    after = _dump(journal)
    record_after = store.theories.get(villain.id)
    assert after != before
    assert store.undo_stack.count() == 1
    assert store.undo_stack.undoText() == text

    clock.advance(hours=1)
    undo(store)
    assert store.theories.get(villain.id) == record_before
    assert _dump(journal) == before
    assert store.undo_stack.redoText() == text

    clock.advance(hours=1)
    redo(store)
    assert store.theories.get(villain.id) == record_after
    assert _dump(journal) == after


def test_undoing_an_edit_restores_the_draft_and_drops_the_new_confidence_point(store, journal, villain):
    before = store.theories.get(villain.id)
    _edit(store, villain, journal)
    assert len(store.theories.get(villain.id).history) == 2
    undo(store)
    back = store.theories.get(villain.id)
    assert back.as_draft() == before.as_draft()
    assert back.history == before.history


def test_reopen_undoes_to_the_same_outcome_note_and_date(store, journal, clock, villain):
    wait(store.resolve(villain.id, TheoryStatus.CONFIRMED, "called it", date(2026, 2, 20)))
    resolved, dump = store.theories.get(villain.id), _dump(journal)
    clock.advance(days=2)
    wait(store.reopen_many([villain.id]))[0]
    assert store.undo_stack.undoText() == "Reopen “Mishi turns villain”"
    reopened, reopened_dump = store.theories.get(villain.id), _dump(journal)
    assert [e.note for e in reopened.earlier_resolutions] == ["called it"]
    undo(store)
    assert store.theories.get(villain.id) == resolved
    assert _dump(journal) == dump
    redo(store)
    assert store.theories.get(villain.id) == reopened
    assert _dump(journal) == reopened_dump


def test_a_change_that_changes_nothing_is_no_undo_step(store, villain):
    set_confidence(store, villain.id, villain.confidence)
    set_tags(store, villain.id, villain.tags)
    assert store.undo_stack.count() == 0


def test_undoing_evidence_tells_the_status_tab(qtbot, store, journal, villain):
    unlink_evidence(store, villain.id, fact_id(journal, "renewal-order"))
    with qtbot.waitSignal(store.canonChanged), qtbot.waitSignal(store.theoriesChanged) as changed:
        undo(store)
    assert changed.args == [(villain.id,)]


BULK: dict[str, tuple[Callable, str]] = {
    "resolve": (
        lambda store, ids: wait(store.resolve_many(ids, TheoryStatus.VOID, "cancelled", date(2026, 2, 27))),
        "Resolve 3 theories as void",
    ),
    "delete": (lambda store, ids: wait(store.delete_many(ids)), "Delete 3 theories"),
    "tag": (lambda store, ids: wait(store.add_tag_many(ids, " Gala ")), "Tag 3 theories “gala”"),
}


@pytest.mark.parametrize("kind", list(BULK))
def test_a_bulk_action_is_one_step_that_undoes_all_of_it(kind, store, journal, clock, three):
    change, text = BULK[kind]
    before = _dump(journal)
    records_before = [store.theories.get(i) for i in three]
    done = change(store, three)
    assert [t.id for t in done] == three
    after = _dump(journal)
    records_after = [store.theories.get(i) for i in three]
    assert store.undo_stack.count() == 1
    assert store.undo_stack.undoText() == text

    clock.advance(hours=1)
    undo(store)
    assert [store.theories.get(i) for i in three] == records_before
    assert _dump(journal) == before

    clock.advance(hours=1)
    redo(store)
    assert [store.theories.get(i) for i in three] == records_after
    assert _dump(journal) == after


def test_undoing_a_bulk_resolve_reopens_the_open_and_re_resolves_the_resolved(store, three):
    wait(store.resolve_many(three, TheoryStatus.VOID, "cancelled"))
    undo(store)
    villain, busted, other = (store.theories.get(i) for i in three)
    assert villain.status is TheoryStatus.OPEN and other.status is TheoryStatus.OPEN
    assert (busted.status, busted.resolution_note, busted.resolved_on) == (
        TheoryStatus.BUSTED,
        "he stayed",
        date(2026, 2, 1),
    )


def test_undoing_a_bulk_tag_keeps_it_where_it_was(store, three):
    wait(store.add_tag_many(three, "gala"))
    undo(store)
    assert ["gala" in store.theories.get(i).tags for i in three] == [True, True, False]


def test_a_bulk_action_on_one_theory_names_it(store, villain):
    wait(store.delete_many([villain.id]))
    assert store.undo_stack.undoText() == "Delete “Mishi turns villain”"


def test_dream_casting_add_edit_delete_undo_and_redo(store, journal, clock):
    mishi = character_id(journal, "mishi")
    empty = _dump(journal)
    entry = wait(store.add_dream_cast(DreamCastDraft("Gala villain", "Ana Dancer", "sharp", 4, mishi)))
    added = _dump(journal)
    assert store.undo_stack.undoText() == "Add dream casting “Ana Dancer as Gala villain”"
    clock.advance(hours=1)
    wait(store.edit_dream_cast(entry.id, DreamCastDraft("Gala villain", "Bea Dancer", "", None, None)))
    edited = _dump(journal)
    assert store.undo_stack.undoText() == "Edit dream casting “Bea Dancer as Gala villain”"
    clock.advance(hours=1)
    wait(store.delete_dream_cast(entry.id))
    assert store.undo_stack.undoText() == "Delete dream casting “Bea Dancer as Gala villain”"
    assert store.cast.dream_casting() == []

    # Undo all three, one by one, then redo them: each state comes back row for row, same id.
    for state in (edited, added, empty):
        undo(store)
        assert _dump(journal) == state
    for state in (added, edited):
        redo(store)
        assert _dump(journal) == state
    assert [e.id for e in store.cast.dream_casting()] == [entry.id]
    redo(store)
    assert store.cast.dream_casting() == []


def test_adopting_starters_undoes_and_redoes(store, journal):
    wait(store.adopt_starters(["jack-cheyenne"], 50))
    store.undo_stack.clear()
    theories = wait(store.adopt_starters(["jack-cheyenne", "mishi-villain"], 60))
    assert store.undo_stack.undoText() == "Adopt 1 starter theory"

    undo(store)
    adopted = {s.key: s.adopted for s in store.theories.starters()}
    assert adopted == {"jack-cheyenne": True, "mishi-villain": False}
    assert store.theories.get(theories[1].id).is_deleted
    assert not store.theories.get(theories[0].id).is_deleted  # adopted before: not this step's

    redo(store)
    assert store.theories.get(theories[1].id) == theories[1]
    assert all(s.adopted for s in store.theories.starters())


def test_a_long_title_is_cut_in_the_step_name(store, journal):
    theory = write(journal, "A" * 120)
    wait(store.delete_many([theory.id]))
    assert store.undo_stack.undoText() == f"Delete “{'A' * 49}…”"


def test_busting_a_condition_voids_its_dependants_in_one_step_and_undo_puts_them_back(store, journal, clock):
    from etoile_app.domain.enums import TheoryStatus as Status

    revived = wait(store.create_theory(TheoryDraft("Étoile is revived by 2028", confidence=20)))
    met = wait(store.create_theory(TheoryDraft("Cheyenne runs the Met", condition_id=revived.id)))
    gala = wait(store.create_theory(TheoryDraft("The gala opens season 2", condition_id=met.id)))
    steps = store.undo_stack.count()
    before = _dump(journal)
    clock.advance(hours=1)
    wait(store.resolve(revived.id, Status.BUSTED, "cancelled"))
    assert store.undo_stack.count() == steps + 1
    assert store.undo_stack.undoText() == (
        "Resolve “Étoile is revived by 2028” as busted, voiding 2 that depend on it"
    )
    assert {journal.theories.get(i).status for i in (met.id, gala.id)} == {Status.VOID}
    undo(store)
    assert _dump(journal) == before
    redo(store)
    assert {journal.theories.get(i).status for i in (met.id, gala.id)} == {Status.VOID}

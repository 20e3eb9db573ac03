"""Two people at once lose nothing: a save from a copy someone else changed since is refused,
tags are made once whoever makes them, and a theory's list columns always match its links."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from helpers import db_snapshot, write
from sqlalchemy import select, update

from etoile_app.domain.enums import Category
from etoile_app.domain.errors import StaleEditError
from etoile_app.domain.models import Theory
from etoile_app.services.base import ensure_tags
from etoile_app.services.journal import Journal
from etoile_app.storage.database import open_database
from etoile_app.storage.models import TagRecord, TheoryRecord, theory_tags
from etoile_app.storage.search_columns import tags_text

STALE = "This theory was changed by someone else while you were editing it."


def _theory(journal: Journal, title: str = "Mishi turns villain", **fields) -> Theory:
    return write(journal, title, category=Category.VILLAIN_ARC, body="She sabotages the gala.", **fields)


# --- a save from an old copy ----------------------------------------------------------------


def test_a_theory_counts_its_changes(journal, clock):
    theory = _theory(journal)
    assert theory.version == 1
    clock.advance(minutes=1)
    edited = journal.theories.edit(theory.id, replace(theory.as_draft(), title="Mishi turns hero"))
    assert edited.version == 2
    assert journal.theories.set_juiciness(theory.id, 4).version == 3
    assert journal.theories.get(theory.id).version == 3
    # The version is not part of what the theory says.
    assert replace(edited, version=99) == edited


def test_a_save_from_a_copy_someone_changed_since_writes_nothing(journal, other, clock):
    mine = _theory(journal)
    clock.advance(minutes=1)
    theirs = other.theories.edit(mine.id, replace(mine.as_draft(), body="She saves the gala."))
    before = db_snapshot(journal)

    draft = replace(mine.as_draft(), title="Mishi turns hero", expected_version=mine.version)
    with pytest.raises(StaleEditError) as refused:
        journal.theories.edit(mine.id, draft, confidence_note="sure now")

    assert str(refused.value) == STALE
    assert refused.value.theirs == theirs  # the theory as it stands, to choose from
    assert refused.value.theirs.version == theirs.version > mine.version
    assert db_snapshot(journal) == before


def test_a_save_from_the_current_version_goes_through(journal, other, clock):
    mine = _theory(journal)
    theirs = other.theories.edit(mine.id, replace(mine.as_draft(), body="Theirs."))
    clock.advance(minutes=1)
    draft = replace(mine.as_draft(), title="Mine, over theirs", expected_version=theirs.version)
    saved = journal.theories.edit(mine.id, draft)
    assert (saved.title, saved.body, saved.version) == ("Mine, over theirs", "She sabotages the gala.", 3)
    # A draft without a version saves whatever happened meanwhile (import, scripts).
    other.theories.set_juiciness(mine.id, 2)
    assert journal.theories.edit(mine.id, replace(mine.as_draft(), title="Anyway")).title == "Anyway"


def test_a_row_changed_between_read_and_write_is_a_stale_edit(journal, monkeypatch):
    """The ORM's own check (its UPDATE finds the row at another version) is the same refusal."""
    theory = _theory(journal)
    service = journal.theories
    apply = service._apply

    def changed_underneath(s, record, *args, **kwargs):
        s.execute(
            update(TheoryRecord).where(TheoryRecord.id == record.id).values(version=TheoryRecord.version + 5),
            execution_options={"synchronize_session": False},
        )
        return apply(s, record, *args, **kwargs)

    monkeypatch.setattr(service, "_apply", changed_underneath)
    before = db_snapshot(journal)
    with pytest.raises(StaleEditError) as refused:
        service.edit(theory.id, replace(theory.as_draft(), title="Lost?", expected_version=theory.version))
    assert refused.value.theirs.title == theory.title
    assert db_snapshot(journal) == before


def test_undo_puts_a_theory_back_under_a_newer_version(journal, clock):
    theory = _theory(journal, tags=("gala",))
    (before,) = journal.theories.snapshot([theory.id])
    clock.advance(minutes=1)
    edited = journal.theories.edit(theory.id, replace(theory.as_draft(), title="Other", tags=("hero",)))
    (back,) = journal.theories.put_back([before])
    assert back == theory
    assert back.version > edited.version > theory.version
    # A copy read before the undo is stale after it.
    with pytest.raises(StaleEditError):
        journal.theories.edit(theory.id, replace(edited.as_draft(), expected_version=edited.version))


def test_ratings_from_an_old_grid_are_refused_whole(journal, other):
    first, second = _theory(journal, confidence=40), _theory(journal, "Jack leaves", confidence=30)
    other.theories.set_juiciness(second.id, 5)
    before = db_snapshot(journal)
    versions = {first.id: first.version, second.id: second.version}
    with pytest.raises(StaleEditError) as refused:
        journal.theories.rate_many([(first.id, 60, None), (second.id, 70, 2)], expected_versions=versions)
    assert refused.value.theirs.id == second.id and refused.value.theirs.juiciness == 5
    assert db_snapshot(journal) == before
    current = {t.id: t.version for t in (journal.theories.get(first.id), journal.theories.get(second.id))}
    rated = journal.theories.rate_many([(second.id, 70, 2)], expected_versions=current)
    assert (rated[0].confidence, rated[0].juiciness) == (70, 2)


# --- tags: made once, and tags_text always the links ----------------------------------------


def _tag_rows(journal: Journal) -> list[tuple[int, str]]:
    with journal.database.sessions() as s:
        return [tuple(r) for r in s.execute(select(TagRecord.id, TagRecord.name).order_by(TagRecord.name))]


def _links_and_text(journal: Journal, theory_id: int) -> tuple[str, str]:
    """A theory's tags_text, and what its tag links say it should be."""
    with journal.database.sessions() as s:
        names = s.scalars(
            select(TagRecord.name)
            .join(theory_tags, theory_tags.c.tag_id == TagRecord.id)
            .where(theory_tags.c.theory_id == theory_id)
        ).all()
        text = s.scalar(select(TheoryRecord.tags_text).where(TheoryRecord.id == theory_id))
    return text, tags_text(names)


def test_insert_or_get_makes_each_tag_once(journal):
    with journal.database.sessions.begin() as s:
        ids, created = ensure_tags(s, ["gala", "hero", "gala"])
        assert created == ["gala", "hero"] and sorted(ids) == ["gala", "hero"]
    with journal.database.sessions.begin() as s:
        again, created = ensure_tags(s, ["hero", "villain", "gala"])
        assert created == ["villain"]
        assert {name: again[name] for name in ids} == ids
        assert ensure_tags(s, []) == ({}, [])
    assert [name for _id, name in _tag_rows(journal)] == ["gala", "hero", "villain"]


def test_insert_or_get_survives_a_tag_made_between_look_and_insert(journal, other, monkeypatch):
    """Another member makes the tag after this one looked for it: the insert skips it and its
    id is read, with no error about a duplicate name."""
    import etoile_app.services.base as base

    made: list[str] = []
    real_insert = base._insert

    def insert_after_the_other(session, model):
        if not made:
            made.append("theirs")
            other.theories.create(replace(_draft(), tags=("gala",)))
        return real_insert(session, model)

    if journal.database.engine.dialect.name == "sqlite":
        # SQLite lets one writer in at a time: here the other member's write comes first.
        other.theories.create(replace(_draft(), tags=("gala",)))
        made.append("theirs")
    monkeypatch.setattr(base, "_insert", insert_after_the_other)
    with journal.database.sessions.begin() as s:
        ids, created = ensure_tags(s, ["gala", "hero"])
    assert created == ["hero"]
    assert sorted(ids) == ["gala", "hero"]
    assert [name for _id, name in _tag_rows(journal)] == ["gala", "hero"]


def _draft():
    from etoile_app.domain.models import TheoryDraft

    return TheoryDraft("Someone else's theory", category=Category.OTHER)


def _together(workers: list[Callable[[], None]]) -> list[BaseException]:
    """Run ``workers`` on threads of their own, started at the same moment; what they raised."""
    start = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def run(work: Callable[[], None]) -> None:
        try:
            start.wait(10)
            work()
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a writer never finished"
    return errors


@pytest.fixture
def members(db_target, clock) -> Iterator[Callable[[int], list[Journal]]]:
    opened: list[Journal] = []

    def make(n: int) -> list[Journal]:
        made = [Journal.from_database(open_database(db_target), clock=clock) for _ in range(n)]
        opened.extend(made)
        return made

    yield make
    for j in opened:
        j.close()


@pytest.mark.postgresql
def test_many_members_making_the_same_new_tag_at_once_make_one(journal, members):
    crowd = members(8)
    theories = [_theory(journal, f"Theory {i}") for i in range(len(crowd))]
    for round_ in range(5):
        tag = f"new-{round_}"
        workers = [
            (lambda j=j, t=t, tag=tag: j.theories.add_tag_many([t.id], tag))
            for j, t in zip(crowd, theories, strict=True)
        ]
        workers += [
            (lambda j=j, t=t, tag=tag: j.theories.set_tags(t.id, [f"{tag}-set", f"{tag}-shared"]))
            for j, t in zip(members(4), theories, strict=False)
        ]
        assert _together(workers) == []
    names = [name for _id, name in _tag_rows(journal)]
    assert len(names) == len(set(names))
    assert {f"new-{r}" for r in range(5)} <= set(names)
    for t in theories:
        text, links = _links_and_text(journal, t.id)
        assert text == links


@pytest.mark.postgresql
def test_two_members_tagging_one_theory_at_once_keep_tags_text_equal_to_the_links(journal, members):
    theory = _theory(journal, tags=("start",))
    first, second = members(2)
    rounds = 25

    def tagging(j: Journal, prefix: str) -> Callable[[], None]:
        def work() -> None:
            for i in range(rounds):
                j.theories.add_tag_many([theory.id], f"{prefix}-{i}")

        return work

    assert _together([tagging(first, "a"), tagging(second, "b")]) == []
    text, links = _links_and_text(journal, theory.id)
    assert text == links
    assert len(journal.theories.get(theory.id).tags) == 1 + 2 * rounds


@pytest.mark.postgresql
def test_two_members_saving_one_theory_at_once_one_is_refused(journal, members):
    """Both read version 1 and save at the same moment: one save lands, the other is refused
    as stale (never both, never a database error)."""
    theory_id = _theory(journal).id
    first, second = members(2)
    outcomes: list[str] = []

    def save(j: Journal, read: Theory, title: str) -> Callable[[], None]:
        def work() -> None:
            try:
                j.theories.edit(
                    theory_id, replace(read.as_draft(), title=title, expected_version=read.version)
                )
                outcomes.append(title)
            except StaleEditError:
                outcomes.append("refused")

        return work

    for round_ in range(5):
        read = journal.theories.get(theory_id)
        outcomes.clear()
        assert _together([save(first, read, f"First {round_}"), save(second, read, f"Second {round_}")]) == []
        assert sorted(outcomes) in ([f"First {round_}", "refused"], [f"Second {round_}", "refused"])
        assert journal.theories.get(theory_id).title in outcomes

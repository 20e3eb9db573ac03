"""JSON export and import: complete and versioned, a byte-identical round trip, updates on re-import,
and bad files rejected with the field named and nothing written."""

from __future__ import annotations

import copy
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from backends import copied_database
from helpers import FakeClock, character_id, fact_id, write
from sqlalchemy import URL, func, select

from etoile_app import __version__
from etoile_app.domain.enums import Category, FactOrigin, FactStatus, Stance, TheoryStatus, Topic
from etoile_app.domain.models import DreamCastDraft, EvidenceDraft, NewsDraft, OptionDraft
from etoile_app.domain.transfer import (
    FORMAT,
    FORMAT_VERSION,
    MAX_IMPORT_BYTES,
    ImportFileError,
    ImportReport,
    parse_json,
)
from etoile_app.services.journal import Journal
from etoile_app.services.transfer import TransferService
from etoile_app.storage.database import open_database
from etoile_app.storage.models import FactRecord, TheoryRecord

HOSTILE = "<img src=x> '; DROP TABLE theories; -- *bold* | # not a heading"


def build_rich_journal(journal: Journal, clock: FakeClock) -> None:
    """A journal with something in every field the JSON export carries."""
    jack, gen, mishi = (character_id(journal, k) for k in ("jack", "genevieve", "mishi"))
    cancelled = fact_id(journal, "renewal-cancelled")
    revival = journal.canon.add_news(
        NewsDraft(
            Topic.RENEWAL,
            "Another streamer is said to be talking about a revival.",
            FactStatus.REPORTED,
            "Variety",
            date(2025, 9, 1),
            supersedes_id=cancelled,
            character_ids=(jack, gen),
            headline="Revival talks",
            source_title="A streamer eyes Étoile",
            source_url="https://example.org/etoile-revival",
        )
    )
    clock.advance(minutes=5)
    journal.canon.add_news(
        NewsDraft(
            Topic.RENEWAL,
            "The revival talks ended.",
            FactStatus.REPORTED,
            "Deadline",
            date(2025, 12, 1),
            supersedes_id=revival.id,
        )
    )
    clock.advance(minutes=5, microseconds=250_001)
    couple = write(
        journal,
        "Jack and Cheyenne become a couple",
        body="The finale kiss\nleads somewhere.\n\n“Étoile” forever.",
        category=Category.ROMANCE,
        character_ids=(jack,),
        tags=("romance", "romance/jack-cheyenne", "love triangle"),
        confidence=55,
        juiciness=4,
        resolve_by=date(2026, 12, 31),
        evidence=(
            EvidenceDraft(fact_id(journal, "renewal-order"), Stance.SUPPORTS, "Two seasons were ordered."),
            EvidenceDraft(revival.id, Stance.SUPPORTS, "Revival talk"),
            EvidenceDraft(cancelled, Stance.CONTRADICTS),
        ),
    )
    clock.advance(days=2)
    journal.theories.set_confidence(couple.id, 70, "After the trailer")
    clock.advance(hours=5, microseconds=17)
    journal.theories.set_confidence(couple.id, 65)

    clock.advance(minutes=1)
    villain = write(
        journal,
        "Mishi sabotages the gala",
        category=Category.VILLAIN_ARC,
        character_ids=(mishi, gen),
        tags=("villain",),
        confidence=40,
    )
    clock.advance(days=1)
    journal.theories.set_confidence(villain.id, 70, "She looked guilty")
    clock.advance(days=1)
    journal.theories.resolve(
        villain.id, TheoryStatus.CONFIRMED, "Episode 3 showed it.\nCalled it!", on=date(2026, 2, 20)
    )

    clock.advance(minutes=1)
    busted = write(journal, HOSTILE, body=HOSTILE, category=Category.PLOT_ARC, confidence=80, tags=("plot",))
    journal.theories.resolve(busted.id, TheoryStatus.BUSTED, "Nope.", on=date(2026, 2, 1))

    clock.advance(minutes=1)
    void = write(journal, "A time jump of five years", confidence=30, resolve_by=date(2026, 1, 1))
    journal.theories.resolve(void.id, TheoryStatus.VOID)

    clock.advance(minutes=1)
    reopened = write(journal, "Nicholas returns", confidence=25)
    journal.theories.resolve(reopened.id, TheoryStatus.BUSTED, "Too early")
    journal.theories.reopen(reopened.id)

    clock.advance(minutes=1)
    binned = write(journal, "Geneviève leaves Paris", character_ids=(gen,), tags=("genevieve",))
    clock.advance(minutes=1)
    journal.theories.delete(binned.id)

    clock.advance(minutes=1)
    journal.theories.adopt_starters(["mishi-villain"], confidence=35)

    # Multiple choice: confirmed with one option, reopened, then confirmed with another.
    clock.advance(minutes=1)
    partner = write(
        journal,
        "Who partners Cheyenne at the gala?",
        category=Category.ROMANCE,
        options=(OptionDraft("Jack", 50), OptionDraft("Gael", 30), OptionDraft("Nobody", 20)),
    )
    clock.advance(days=1)
    changed = (OptionDraft("Jack", 60), OptionDraft("Gael", 30), OptionDraft("Nobody", 10))
    journal.theories.edit(
        partner.id, replace(partner.as_draft(), options=changed), confidence_note="Rehearsal photos"
    )
    clock.advance(hours=2)
    journal.theories.resolve(partner.id, TheoryStatus.CONFIRMED, "Gael, at first.", option="Gael")
    clock.advance(hours=1)
    journal.theories.reopen(partner.id)
    journal.theories.resolve(partner.id, TheoryStatus.CONFIRMED, "Jack after all.", option="Jack")
    # A chain of conditions: an open multiple-choice theory on a yes/no one, a yes/no one on it.
    clock.advance(minutes=1)
    company = write(
        journal,
        "Which company does a revival follow?",
        options=(OptionDraft("Le Ballet National", 55), OptionDraft("Metropolitan Ballet Theater", 45)),
        condition_id=couple.id,
    )
    clock.advance(minutes=1)
    write(journal, "Cheyenne stays in Paris", confidence=60, condition_id=company.id)
    # Multiple choice, void.
    clock.advance(minutes=1)
    places = (OptionDraft("Paris", 70), OptionDraft("New York", 30))
    city = write(journal, "Where is the finale filmed?", options=places)
    journal.theories.resolve(city.id, TheoryStatus.VOID, "Never filmed.")

    clock.advance(minutes=1)
    journal.cast.add_dream_cast(
        DreamCastDraft("Cheyenne's new partner", "Someone Famous", "Perfect.", 5, jack)
    )
    journal.cast.add_dream_cast(DreamCastDraft("A new ballet master", "Another Actor"))
    clock.advance(minutes=1)


def transfer(journal: Journal, clock: FakeClock) -> TransferService:
    return TransferService(journal.database.sessions, clock)


def export_bytes(journal: Journal, clock: FakeClock, fmt: str) -> bytes:
    """What File → Export writes in ``fmt`` (``csv`` or ``md``), read back."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{fmt}"
        transfer(journal, clock).export_file(path, fmt)
        return path.read_bytes()


@pytest.fixture(scope="session")
def rich_template(template_db: Path | URL, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """The rich journal, built once per session; each test gets a copy and the clock where it ended."""
    with copied_database(template_db, tmp_path_factory.mktemp("rich"), "rich") as target:
        clock = FakeClock()
        built = Journal.from_database(open_database(target), clock=clock)
        try:
            build_rich_journal(built, clock)
        finally:
            built.close()
        yield target, clock.now


@pytest.fixture
def rich(rich_template: tuple, tmp_path: Path, clock: FakeClock) -> Iterator[Journal]:
    source, ended = rich_template
    with copied_database(source, tmp_path, "rich") as target:
        clock.now = ended
        j = Journal.from_database(open_database(target), clock=clock)
        try:
            yield j
        finally:
            j.close()


@pytest.fixture
def fresh(template_db: Path | URL, tmp_path: Path, clock: FakeClock) -> Iterator[Journal]:
    """A second, empty journal with the same canon."""
    with copied_database(template_db, tmp_path, "b") as target:
        j = Journal.from_database(open_database(target), clock=clock)
        try:
            yield j
        finally:
            j.close()


def ids_by_uid(journal: Journal) -> dict[str, int]:
    with journal.database.sessions() as s:
        return dict(s.execute(select(TheoryRecord.uid, TheoryRecord.id)).all())


def theory_count(journal: Journal) -> int:
    with journal.database.sessions() as s:
        return s.scalar(select(func.count()).select_from(TheoryRecord))


def plain_theory(journal: Journal, theory_id: int) -> dict[str, Any]:
    """A theory with every database id replaced by what it stands for."""
    with journal.database.sessions() as s:
        fact_keys = dict(s.execute(select(FactRecord.id, FactRecord.key)).all())
    data = asdict(journal.theories.get(theory_id))
    data.pop("id")
    data.pop("version")  # each database counts its own changes
    data["characters"] = [c["name"] for c in data["characters"]]
    if data["condition"] is not None:
        data["condition"].pop("id")
    for evidence in data["evidence"]:
        evidence["fact_id"] = fact_keys[evidence["fact_id"]]
    return data


def plain_user_facts(journal: Journal) -> list[dict[str, Any]]:
    by_id = {f.id: f for f in journal.canon.facts()}
    out = []
    for fact in by_id.values():
        if fact.origin is not FactOrigin.USER:
            continue
        data = asdict(fact)
        for name in ("superseded_by_id", "contradicted_by_id"):
            data[name] = by_id[data[name]].key if data[name] is not None else None
        for name in ("supersedes_ids", "contradicts_ids"):
            data[name] = sorted(by_id[i].key for i in data[name])
        data.pop("id")
        data["character_ids"] = sorted(c.key for c in journal.cast.characters() if c.id in fact.character_ids)
        out.append(data)
    return sorted(out, key=lambda f: f["key"])


def plain_dreams(journal: Journal) -> list[dict[str, Any]]:
    out = []
    for entry in journal.cast.dream_casting():
        data = asdict(entry)
        data.pop("id")
        data.pop("character_id")
        out.append(data)
    return out


def export_doc(journal: Journal, clock: FakeClock) -> dict[str, Any]:
    return json.loads(transfer(journal, clock).export_json())


def to_bytes(doc: object) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def index_of(doc: dict[str, Any], title: str) -> int:
    return next(i for i, t in enumerate(doc["theories"]) if t["title"] == title)


# --- the export ------------------------------------------------------------------------------


def test_export_carries_format_version_and_every_field(rich: Journal, clock: FakeClock) -> None:
    doc = export_doc(rich, clock)
    assert doc["format"] == FORMAT == "etoile-journal"
    assert doc["format_version"] == FORMAT_VERSION == 5
    assert doc["app_version"] == __version__
    assert doc["exported_at"] == clock.now.strftime("%Y-%m-%dT%H:%M:%S") + ".250018Z"
    assert doc["canon_pack_version"] == 1
    assert len(doc["theories"]) == 11  # binned ones too
    couple = doc["theories"][index_of(doc, "Jack and Cheyenne become a couple")]
    assert list(couple) == [
        "uid",
        "title",
        "body",
        "category",
        "confidence",
        "juiciness",
        "status",
        "resolve_by",
        "resolved_on",
        "resolved_at",
        "resolution_note",
        "created_at",
        "updated_at",
        "deleted_at",
        "starter_key",
        "tags",
        "characters",
        "evidence",
        "history",
        "earlier_resolutions",
        "options",
    ]
    assert couple["earlier_resolutions"] == couple["options"] == []  # no condition: no field
    reopened = doc["theories"][index_of(doc, "Nicholas returns")]
    assert reopened["status"] == "open"
    assert reopened["resolution_note"] == ""
    (earlier,) = reopened["earlier_resolutions"]
    assert list(earlier) == ["status", "resolved_on", "resolved_at", "note", "reopened_at"]
    assert (earlier["status"], earlier["note"]) == ("busted", "Too early")
    assert couple["tags"] == ["love-triangle", "romance", "romance/jack-cheyenne"]
    assert couple["characters"] == [{"key": "jack", "name": "Jack"}]
    assert [(e["fact"], e["stance"]) for e in couple["evidence"]] == [  # in the order cited
        ("renewal-order", "supports"),
        (doc["user_facts"][0]["key"], "supports"),
        ("renewal-cancelled", "contradicts"),
    ]
    assert [(h["confidence"], h["note"]) for h in couple["history"]] == [
        (55, ""),
        (70, "After the trailer"),
        (65, ""),
    ]
    assert couple["history"][2]["changed_at"].endswith(".250018Z")
    assert list(couple["history"][0]) == ["confidence", "changed_at", "note"]  # for the theory itself
    partner = doc["theories"][index_of(doc, "Who partners Cheyenne at the gala?")]
    assert partner["options"] == [
        {"name": "Jack", "happened": True},
        {"name": "Gael", "happened": False},
        {"name": "Nobody", "happened": False},
    ]
    assert [(h["option"], h["confidence"], h["note"]) for h in partner["history"]] == [
        ("Jack", 50, ""),
        ("Gael", 30, ""),
        ("Nobody", 20, ""),
        ("Jack", 60, "Rehearsal photos"),
        ("Nobody", 10, "Rehearsal photos"),
    ]
    assert partner["confidence"] == 60  # its likeliest option's
    (earlier,) = partner["earlier_resolutions"]
    assert (earlier["status"], earlier["option"], earlier["note"]) == ("confirmed", "Gael", "Gael, at first.")
    company = doc["theories"][index_of(doc, "Which company does a revival follow?")]
    stays = doc["theories"][index_of(doc, "Cheyenne stays in Paris")]
    assert (company["condition"], stays["condition"]) == (couple["uid"], company["uid"])
    assert couple["resolve_by"] == "2026-12-31"
    binned = doc["theories"][index_of(doc, "Geneviève leaves Paris")]
    assert binned["deleted_at"] is not None
    starter = doc["theories"][index_of(doc, "Mishi turns villain")]
    assert starter["starter_key"] == "mishi-villain"
    villain = doc["theories"][index_of(doc, "Mishi sabotages the gala")]
    assert (villain["status"], villain["resolved_on"]) == ("confirmed", "2026-02-20")
    assert villain["resolution_note"] == "Episode 3 showed it.\nCalled it!"
    first, second = doc["user_facts"]
    assert first["supersedes"] == "renewal-cancelled"
    assert second["supersedes"] == first["key"]
    assert first["characters"] == [
        {"key": "genevieve", "name": "Geneviève Lavigne"},
        {"key": "jack", "name": "Jack"},
    ]
    assert [d["character"] for d in doc["dream_casting"]] == [None, {"key": "jack", "name": "Jack"}]


def test_export_is_the_same_bytes_every_time_except_exported_at(rich: Journal, clock: FakeClock) -> None:
    service = transfer(rich, clock)
    first = service.export_json().decode().splitlines()
    clock.advance(days=3)
    second = service.export_json().decode().splitlines()
    differ = [(a, b) for a, b in zip(first, second, strict=True) if a != b]
    assert len(differ) == 1
    assert all(line.strip().startswith('"exported_at"') for line in differ[0])
    fixed = clock.now
    assert service.export_json(exported_at=fixed) == service.export_json(exported_at=fixed)


def test_user_text_is_written_as_typed(rich: Journal, clock: FakeClock) -> None:
    raw = transfer(rich, clock).export_json()
    assert "“Étoile” forever." in raw.decode("utf-8")  # UTF-8, not \u escapes
    doc = json.loads(raw)
    hostile = doc["theories"][index_of(doc, HOSTILE)]
    assert hostile["body"] == HOSTILE


# --- the round trip --------------------------------------------------------------------------


def test_round_trip_into_an_empty_journal_gives_the_same_file(
    rich: Journal, fresh: Journal, clock: FakeClock, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert transfer(rich, clock).export_file(first, "json").theories == 11
    report = transfer(fresh, clock).import_file(first)
    assert report == ImportReport(
        "json",
        theories_created=11,
        forecasts_added=20,
        tags_created=6,
        dream_casting_created=2,
        user_facts_created=2,
    )
    transfer(fresh, clock).export_file(second, "json")
    assert second.read_bytes() == first.read_bytes()


def test_every_field_survives_the_round_trip(rich: Journal, fresh: Journal, clock: FakeClock) -> None:
    transfer(fresh, clock).import_bytes(transfer(rich, clock).export_json(), "json")
    source, copied = ids_by_uid(rich), ids_by_uid(fresh)
    assert set(source) == set(copied)
    for uid, ident in source.items():
        assert plain_theory(fresh, copied[uid]) == plain_theory(rich, ident)
    assert plain_user_facts(fresh) == plain_user_facts(rich)
    assert plain_dreams(fresh) == plain_dreams(rich)
    # The board and search see imported theories like any other.
    assert [r.title for r in fresh.board.page(_query("gala sabotages"))] == ["Mishi sabotages the gala"]


def _query(text: str):
    from etoile_app.domain.models import TheoryQuery

    return TheoryQuery(text=text)


def test_imported_theories_keep_working(rich: Journal, fresh: Journal, clock: FakeClock) -> None:
    transfer(fresh, clock).import_bytes(transfer(rich, clock).export_json(), "json")
    ident = ids_by_uid(fresh)[export_doc(rich, clock)["theories"][0]["uid"]]
    clock.advance(days=1)
    changed = fresh.theories.set_confidence(ident, 90, "later")
    assert changed.history[-1].confidence == 90
    assert fresh.track.summary().overall.count == 2


# --- re-importing ----------------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(rich: Journal, clock: FakeClock, db_snapshot) -> None:
    raw = transfer(rich, clock).export_json()
    before = db_snapshot(rich)
    calls: list[str] = []
    report = transfer(rich, clock).import_bytes(raw, "json", before_write=lambda: calls.append("backup"))
    assert report == ImportReport("json", theories_unchanged=11)
    assert report.summary() == "0 new, 0 updated, 11 unchanged"
    assert calls == []  # nothing to write, nothing to back up
    assert db_snapshot(rich) == before


def test_an_edited_file_updates_instead_of_duplicating(
    rich: Journal, fresh: Journal, clock: FakeClock
) -> None:
    doc = export_doc(rich, clock)
    service = transfer(fresh, clock)
    service.import_bytes(to_bytes(doc), "json")
    i = index_of(doc, "Jack and Cheyenne become a couple")
    doc["theories"][i]["title"] = "Jack and Cheyenne marry"
    doc["theories"][i]["tags"].append("wedding")
    doc["theories"][i]["history"].append(
        {"confidence": 80, "changed_at": "2026-03-09T10:00:00Z", "note": "n"}
    )
    doc["theories"][i]["confidence"] = 80
    doc["theories"][i]["evidence"].pop(0)
    doc["dream_casting"][1]["note"] = "Even better."
    doc["user_facts"][1]["statement"] = "The revival talks ended for good."
    report = service.import_bytes(to_bytes(doc), "json")
    assert report == ImportReport(
        "json",
        theories_updated=1,
        theories_unchanged=10,
        forecasts_added=1,
        tags_created=1,
        dream_casting_updated=1,
        user_facts_updated=1,
    )
    assert report.summary() == "0 new, 1 updated, 10 unchanged"
    assert theory_count(fresh) == 11
    updated = fresh.theories.get(ids_by_uid(fresh)[doc["theories"][i]["uid"]])
    assert updated.title == "Jack and Cheyenne marry"
    assert updated.confidence == 80
    assert [p.confidence for p in updated.history] == [55, 70, 65, 80]
    assert "wedding" in updated.tags
    assert len(updated.evidence) == 2
    assert fresh.cast.dream_casting()[0].note == "Even better."
    assert fresh.board.page(_query("marry"))[0].title == "Jack and Cheyenne marry"


def test_import_leaves_theories_that_are_not_in_the_file_alone(
    rich: Journal, fresh: Journal, clock: FakeClock
) -> None:
    mine = write(fresh, "My own theory", tags=("romance",))
    transfer(fresh, clock).import_bytes(transfer(rich, clock).export_json(), "json")
    assert fresh.theories.get(mine.id) == mine
    assert theory_count(fresh) == 12


def test_a_file_with_only_what_is_required_imports(journal: Journal, clock: FakeClock) -> None:
    doc = {
        "format": "etoile-journal",
        "format_version": 1,
        "theories": [
            {
                "uid": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
                "title": "  A hand-written   theory ",
                "confidence": 60,
                "status": "open",
                "created_at": "2026-01-01T10:00:00+01:00",
                "history": [{"confidence": 60, "changed_at": "2026-01-01T09:00:00Z"}],
                "tags": ["Hand Written"],
            }
        ],
    }
    report = transfer(journal, clock).import_bytes(to_bytes(doc), "json")
    assert report.theories_created == 1
    (theory,) = [journal.theories.get(i) for i in ids_by_uid(journal).values()]
    assert theory.title == "A hand-written theory"
    assert theory.category is Category.OTHER
    assert theory.tags == ("hand-written",)
    assert theory.created_at == theory.updated_at == theory.history[0].changed_at
    assert theory.created_at.isoformat() == "2026-01-01T09:00:00+00:00"


# --- the backup hook -------------------------------------------------------------------------


def test_before_write_is_called_once_before_anything_is_written(
    rich: Journal, fresh: Journal, clock: FakeClock, db_snapshot
) -> None:
    raw = transfer(rich, clock).export_json()
    before = db_snapshot(fresh)
    seen: list[bool] = []
    transfer(fresh, clock).import_bytes(
        raw, "json", before_write=lambda: seen.append(db_snapshot(fresh) == before)
    )
    assert seen == [True]
    assert db_snapshot(fresh) != before


def test_a_failing_hook_stops_the_import(
    rich: Journal, fresh: Journal, clock: FakeClock, db_snapshot
) -> None:
    raw = transfer(rich, clock).export_json()
    before = db_snapshot(fresh)

    def broken() -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        transfer(fresh, clock).import_bytes(raw, "json", before_write=broken)
    assert db_snapshot(fresh) == before


# --- bad files -------------------------------------------------------------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation that sets ``theories.0.title``-style ``path`` in the exported document."""

    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]

    return mutate


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


# (mutation of the exported document, the field the error names, words in the message)
_EARLIER = {
    "status": "busted",
    "resolved_on": "2026-02-01",
    "resolved_at": "2026-02-01T10:00:00Z",
    "note": "",
    "reopened_at": "2026-02-02T10:00:00Z",
}

BAD_DOCUMENTS = {
    "wrong type": (_set("theories.0.confidence", "70"), "theories[0].confidence", "whole number"),
    "a list instead of an object": (_set("theories.1", []), "theories[1]", "must be an object"),
    "theories not a list": (_set("theories", {}), "theories", "must be a list"),
    "unknown format": (_set("format", "fatebook"), "format", "not an Étoile Theory Journal export"),
    "newer format": (_set("format_version", FORMAT_VERSION + 1), "format_version", "newer version"),
    "format version as text": (_set("format_version", "1"), "format_version", "whole number"),
    "format version zero": (_set("format_version", 0), "format_version", "not a valid format version"),
    "no format": (_delete("format"), "format", "missing"),
    "title too long": (_set("theories.0.title", "x" * 201), "theories[0].title", "keep it to 200"),
    "empty title": (_set("theories.0.title", "   "), "theories[0].title", "Give the theory a title"),
    "body too long": (_set("theories.0.body", "b" * 20_001), "theories[0].body", "20,000"),
    "huge body": (_set("theories.0.body", "b" * 3_000_000), "theories[0].body", "20,000"),
    "bad tag": (_set("theories.0.tags.1", "not ok!"), "theories[0].tags[1]", "'!'"),
    "tag not text": (_set("theories.0.tags.0", 5), "theories[0].tags[0]", "must be text"),
    "tag too long": (_set("theories.0.tags.0", "t" * 41), "theories[0].tags[0]", "limit is 40"),
    "control character": (_set("theories.0.title", "bell\x07"), "theories[0].title", "control character"),
    "lone surrogate": (_set("theories.0.body", "a\ud800b"), "theories[0].body", "control character"),
    "unknown character": (
        _set("theories.0.characters.0.key", "nicholas"),
        "theories[0].characters[0].key",
        "not a character in this journal",
    ),
    "character not an object": (
        _set("theories.0.characters.0", "jack"),
        "theories[0].characters[0]",
        "object",
    ),
    "unknown fact": (
        _set("theories.0.evidence.0.fact", "renewal-maybe"),
        "theories[0].evidence[0].fact",
        "not a canon fact",
    ),
    "bad stance": (_set("theories.0.evidence.0.stance", "meh"), "theories[0].evidence[0].stance", "supports"),
    "NaN": (_set("theories.0.confidence", float("nan")), "theories[0].confidence", "found NaN"),
    "Infinity": (_set("theories.0.juiciness", float("inf")), "theories[0].juiciness", "found Infinity"),
    "-Infinity": (
        _set("theories.0.history.0.confidence", float("-inf")),
        "theories[0].history[0].confidence",
        "-Infinity",
    ),
    "a decimal": (_set("theories.0.confidence", 55.5), "theories[0].confidence", "decimal"),
    "a huge number": (_set("theories.0.confidence", 10**40), "theories[0].confidence", "41-digit"),
    "confidence 100": (
        _set("theories.0.history.0.confidence", 100),
        "theories[0].history[0].confidence",
        "1 to 99",
    ),
    "true as a number": (_set("theories.0.juiciness", True), "theories[0].juiciness", "true/false"),
    "deep nesting in a field": (_set("theories.0.tags", _nested(50)), "theories[0].tags[0]", "must be text"),
    "unknown field": (_set("theories.0.colour", "red"), "theories[0].colour", "no field"),
    "unknown top-level field": (_set("extra", 1), "extra", "no field"),
    "missing uid": (_delete("theories.0.uid"), "theories[0].uid", "missing"),
    "bad uid": (_set("theories.0.uid", "12345"), "theories[0].uid", "not a uid"),
    "null title": (_set("theories.0.title", None), "theories[0].title", "cannot be null"),
    "bad category": (_set("theories.0.category", "thriller"), "theories[0].category", "romance"),
    "bad status": (_set("theories.0.status", "maybe"), "theories[0].status", "confirmed"),
    "confidence not in history": (_set("theories.0.confidence", 12), "theories[0].confidence", "latest"),
    "empty history": (_set("theories.0.history", []), "theories[0].history", "at least one"),
    "open but resolved_on": (
        _set("theories.0.resolved_on", "2026-01-01"),
        "theories[0].resolved_on",
        "open theory",
    ),
    "bad date": (_set("theories.0.resolve_by", "31/12/2026"), "theories[0].resolve_by", "YYYY-MM-DD"),
    "impossible date": (_set("theories.0.resolve_by", "2026-02-30"), "theories[0].resolve_by", "YYYY-MM-DD"),
    "date out of range": (
        _set("theories.0.resolve_by", "1066-10-14"),
        "theories[0].resolve_by",
        "out of range",
    ),
    "time without zone": (
        _set("theories.0.created_at", "2026-03-01T12:00:00"),
        "theories[0].created_at",
        "UTC",
    ),
    "time as a word": (
        _set("theories.0.created_at", "yesterday"),
        "theories[0].created_at",
        "2026-03-01T12:00:00Z",
    ),
    "note too long": (_set("theories.0.history.0.note", "n" * 2001), "theories[0].history[0].note", "2,000"),
    "user fact key": (_set("user_facts.0.key", "renewal-order"), "user_facts[0].key", "start with 'user-'"),
    "user fact status": (
        _set("user_facts.0.status", "superseded"),
        "user_facts[0].status",
        "cannot be marked",
    ),
    "user fact contradicted": (
        _set("user_facts.0.status", "contradicted"),
        "user_facts[0].status",
        "cannot be marked contradicted",
    ),
    "user fact bad address": (
        _set("user_facts.0.source_url", "file:///etc/passwd"),
        "user_facts[0].source_url",
        "web address",
    ),
    "user fact supersedes unknown": (
        _set("user_facts.0.supersedes", "nothing-here"),
        "user_facts[0].supersedes",
        "not a fact",
    ),
    "user fact statement empty": (
        _set("user_facts.0.statement", ""),
        "user_facts[0].statement",
        "cannot be empty",
    ),
    "user fact in the future": (_set("user_facts.0.as_of", "2099-01-01"), "user_facts[0].as_of", "future"),
    "earlier resolution open": (
        _set("theories.0.earlier_resolutions", [_EARLIER | {"status": "open"}]),
        "theories[0].earlier_resolutions[0].status",
        "confirmed, busted or void",
    ),
    "earlier resolution reopened first": (
        _set("theories.0.earlier_resolutions", [_EARLIER | {"reopened_at": "2026-01-01T00:00:00Z"}]),
        "theories[0].earlier_resolutions[0].reopened_at",
        "reopened before it was resolved",
    ),
    "earlier resolution in the future": (
        _set("theories.0.earlier_resolutions", [_EARLIER | {"resolved_on": "2099-01-01"}]),
        "theories[0].earlier_resolutions[0].resolved_on",
        "future",
    ),
    "earlier resolution without a date": (
        _set("theories.0.earlier_resolutions", [{k: v for k, v in _EARLIER.items() if k != "resolved_on"}]),
        "theories[0].earlier_resolutions[0].resolved_on",
        "missing",
    ),
    "dream rating": (_set("dream_casting.0.rating", 6), "dream_casting[0].rating", "1 to 5"),
    "dream character": (
        _set("dream_casting.1.character.key", "nobody"),
        "dream_casting[1].character.key",
        "not a character",
    ),
    "dream without actor": (_delete("dream_casting.0.actor"), "dream_casting[0].actor", "missing"),
}


def _sort_first(doc: dict[str, Any]) -> None:
    """Put the theory with evidence, tags and characters first, so paths like theories[0].tags[1] exist."""
    i = index_of(doc, "Jack and Cheyenne become a couple")
    doc["theories"].insert(0, doc["theories"].pop(i))


def expect_rejected(
    journal: Journal,
    clock: FakeClock,
    raw: bytes,
    db_snapshot,
    *,
    field: str | None = None,
    line: int | None = None,
) -> ImportFileError:
    before = db_snapshot(journal)
    calls: list[int] = []
    with pytest.raises(ImportFileError) as caught:
        transfer(journal, clock).import_bytes(raw, "json", before_write=lambda: calls.append(1))
    error = caught.value
    if field is not None:
        assert error.field == field, error.message
        assert error.message.startswith(f"{field}: ")
    if line is not None:
        assert error.line == line, error.message
        assert error.message.startswith(f"line {line}: ")
    assert calls == []
    assert db_snapshot(journal) == before
    return error


@pytest.mark.parametrize("case", BAD_DOCUMENTS)
def test_bad_documents_are_rejected_naming_the_field(
    rich: Journal, clock: FakeClock, db_snapshot, case: str
) -> None:
    mutate, field, words = BAD_DOCUMENTS[case]
    doc = export_doc(rich, clock)
    _sort_first(doc)
    doc["theories"][0]["title"] = "A title no theory has yet"  # an import that would otherwise write
    mutate(doc)
    raw = json.dumps(doc, ensure_ascii=True).encode()  # NaN and Infinity come out as bare words
    error = expect_rejected(rich, clock, raw, db_snapshot, field=field)
    assert words in error.message


def test_a_duplicate_uid_is_rejected(rich: Journal, clock: FakeClock, db_snapshot) -> None:
    doc = export_doc(rich, clock)
    doc["theories"][3]["uid"] = doc["theories"][1]["uid"]
    error = expect_rejected(rich, clock, to_bytes(doc), db_snapshot, field="theories[3].uid")
    assert "theories[1]" in error.message


def test_a_field_given_twice_is_rejected(rich: Journal, clock: FakeClock, db_snapshot) -> None:
    raw = b'{"format": "etoile-journal", "format_version": 1, "format_version": 1, "theories": []}'
    error = expect_rejected(rich, clock, raw, db_snapshot, field="(top level)")
    assert "'format_version' appears twice" in error.message


def test_superseding_loops_are_rejected(rich: Journal, clock: FakeClock, db_snapshot) -> None:
    doc = export_doc(rich, clock)
    first, second = doc["user_facts"]
    first["supersedes"] = second["key"]
    first["as_of"] = second["as_of"]
    error = expect_rejected(rich, clock, to_bytes(doc), db_snapshot, field="user_facts[0].supersedes")
    assert "loops" in error.message
    first["supersedes"] = first["key"]
    error = expect_rejected(rich, clock, to_bytes(doc), db_snapshot, field="user_facts[0].supersedes")
    assert "itself" in error.message


def test_news_cannot_supersede_newer_news(rich: Journal, clock: FakeClock, db_snapshot) -> None:
    doc = export_doc(rich, clock)
    doc["user_facts"][1]["as_of"] = "2025-08-01"
    error = expect_rejected(rich, clock, to_bytes(doc), db_snapshot, field="user_facts[1].supersedes")
    assert "cannot supersede" in error.message


def test_a_resolved_theory_needs_its_dates(rich: Journal, clock: FakeClock, db_snapshot) -> None:
    doc = export_doc(rich, clock)
    i = index_of(doc, "Mishi sabotages the gala")
    doc["theories"][i]["resolved_at"] = None
    expect_rejected(rich, clock, to_bytes(doc), db_snapshot, field=f"theories[{i}].resolved_at")


@pytest.mark.parametrize(
    ("raw", "line", "words"),
    [
        (b'{"format": "etoile-journal",\n  "format_version": 1,\n  "theories": [}', 3, "not valid JSON"),
        (b'{"format": "etoile-journal", "format_version": 1}\n{}', 2, "Extra data"),
        (b"", 1, "not valid JSON"),
        (b'{"format": "etoile-journal",\n "format_version": 1,\n "app_version": "\xff\xfe"}', 3, "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", 1, "not UTF-8"),
        (b"{'format': 'etoile-journal'}", 1, "not valid JSON"),
    ],
)
def test_unreadable_files_are_rejected_naming_the_line(
    rich: Journal, clock: FakeClock, db_snapshot, raw: bytes, line: int, words: str
) -> None:
    error = expect_rejected(rich, clock, raw, db_snapshot, line=line)
    assert words in error.message


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (
            b'{"format": "etoile-journal", "format_version": 1, "theories": '
            + b"[" * 5000
            + b"]" * 5000
            + b"}",
            "nested too deeply",
        ),
        (b"[]", "must be an object"),
        (b'"etoile-journal"', "must be an object"),
        (b'{"format": "etoile-journal", "format_version": 1e400}', "decimal"),
        (b'{"format": "etoile-journal", "format_version": NaN}', "NaN"),
        (b'{"format": "etoile-journal", "format_version": ' + b"9" * 5000 + b"}", "newer version"),
    ],
)
def test_hostile_structures_are_rejected(
    rich: Journal, clock: FakeClock, db_snapshot, raw: bytes, words: str
) -> None:
    error = expect_rejected(rich, clock, raw, db_snapshot)
    assert words in error.message


def test_a_file_over_the_size_limit_is_refused_before_reading(
    rich: Journal, clock: FakeClock, db_snapshot, tmp_path: Path
) -> None:
    big = tmp_path / "huge.json"
    with big.open("wb") as f:
        f.truncate(MAX_IMPORT_BYTES + 1)  # sparse: costs no disk and would take long to read
    before = db_snapshot(rich)
    with pytest.raises(ImportFileError, match="50 MB"):
        transfer(rich, clock).import_file(big)
    assert db_snapshot(rich) == before


def test_missing_and_unreadable_paths_are_import_errors(
    rich: Journal, clock: FakeClock, tmp_path: Path
) -> None:
    with pytest.raises(ImportFileError, match="Cannot read"):
        transfer(rich, clock).import_file(tmp_path / "nope.json")
    with pytest.raises(ImportFileError, match="Cannot read"):
        transfer(rich, clock).import_file(tmp_path)


def test_markdown_is_not_importable(rich: Journal, clock: FakeClock, tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    transfer(rich, clock).export_file(path, "md")
    with pytest.raises(ImportFileError, match="Markdown"):
        transfer(rich, clock).import_file(path)


def test_parse_without_a_catalogue_checks_only_the_file(rich: Journal, clock: FakeClock) -> None:
    doc = export_doc(rich, clock)
    doc["theories"][0]["characters"] = [{"key": "somebody-new", "name": "?"}]
    parsed = parse_json(to_bytes(doc))
    assert parsed.theories[0].characters == ("somebody-new",)
    assert copy.deepcopy(parsed) == parsed


def as_older_format(doc: dict[str, Any], version: int) -> dict[str, Any]:
    """``doc`` as a file of format ``version`` (from 1 to 3) could hold it: without the
    multiple-choice theories and the fields format 4 added (options, conditions, and the option
    of a forecast or an earlier resolution)."""
    doc = copy.deepcopy(doc)
    doc["format_version"] = version
    doc["theories"] = [t for t in doc["theories"] if not t.pop("options")]
    for theory in doc["theories"]:
        theory.pop("condition", None)
        for entry in theory["history"] + theory["earlier_resolutions"]:
            assert "option" not in entry
    return doc


def test_a_version_1_file_without_the_news_fields_still_imports(rich: Journal, fresh: Journal) -> None:
    """Format 1 files had no headline, source title, address or retraction for user news."""
    doc = as_older_format(json.loads(rich.transfer.export_json()), 1)
    for fact in doc["user_facts"]:
        for name in ("headline", "source_title", "source_url", "retracted_at"):
            fact.pop(name)
    report = fresh.transfer.import_bytes(to_bytes(doc), "json")
    assert report.user_facts_created == len(doc["user_facts"])
    imported = {f.key: f for f in fresh.canon.facts() if f.key.startswith("user-")}
    assert {f.headline for f in imported.values()} == {""}


def test_a_version_2_file_keeps_the_journals_earlier_resolutions(
    rich: Journal, fresh: Journal, clock: FakeClock
) -> None:
    """Format 2 files had no earlier resolutions: a theory already in the journal keeps its own."""
    doc = as_older_format(json.loads(rich.transfer.export_json()), 2)
    for theory in doc["theories"]:
        theory.pop("earlier_resolutions")
    report = rich.transfer.import_bytes(to_bytes(doc), "json")
    assert report.theories_updated == 0
    assert report.theories_unchanged == len(doc["theories"])
    (reopened,) = rich.board.page(_query("Nicholas returns"))
    assert [e.note for e in rich.theories.get(reopened.id).earlier_resolutions] == ["Too early"]
    report = fresh.transfer.import_bytes(to_bytes(doc), "json")
    assert report.theories_created == len(doc["theories"])
    (copied,) = fresh.board.page(_query("Nicholas returns"))
    assert fresh.theories.get(copied.id).earlier_resolutions == ()


def test_an_edited_file_replaces_earlier_resolutions(rich: Journal, clock: FakeClock) -> None:
    doc = export_doc(rich, clock)
    reopened = doc["theories"][index_of(doc, "Nicholas returns")]
    reopened["earlier_resolutions"][0]["note"] = "Too early, said so"
    reopened["earlier_resolutions"].insert(0, _EARLIER | {"status": "void", "note": "First try"})
    report = transfer(rich, clock).import_bytes(to_bytes(doc), "json")
    assert report.theories_updated == 1
    (row,) = rich.board.page(_query("Nicholas returns"))
    earlier = rich.theories.get(row.id).earlier_resolutions
    assert [(e.status, e.note) for e in earlier] == [
        (TheoryStatus.VOID, "First try"),
        (TheoryStatus.BUSTED, "Too early, said so"),
    ]

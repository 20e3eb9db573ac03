"""Reading and validating canon packs, and writing them into a journal."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import MINI_PACK, MINI_PACK_V1, character_id, fact_id, listed, mini_pack_data, write

from etoile_app.canon import pack as pack_module
from etoile_app.canon.pack import load_pack, parse_pack
from etoile_app.domain.enums import Category, Company, FactOrigin, FactStatus, SourceKind, Stance, Topic
from etoile_app.domain.errors import CanonPackError
from etoile_app.domain.models import CanonPack, NewsDraft, TheoryDraft, TheoryQuery
from etoile_app.services.journal import Journal


def _parse(data: dict[str, Any]) -> CanonPack:
    return parse_pack(json.dumps(data).encode("utf-8"), name="test-pack.json")


# --- loading -------------------------------------------------------------------------------


def test_mini_pack_loads() -> None:
    pack = load_pack(MINI_PACK)
    assert (pack.schema_version, pack.version, pack.as_of) == (2, 1, date(2025, 6, 10))
    assert [c.key for c in pack.characters] == ["jack", "genevieve", "mishi"]
    assert len(pack.facts) == 10
    assert [s.key for s in pack.starters] == ["jack-cheyenne", "mishi-villain"]


def test_mini_pack_entries_are_read_fully() -> None:
    pack = load_pack(MINI_PACK)
    facts = {f.key: f for f in pack.facts}
    cancelled = facts["renewal-cancelled"]
    assert cancelled.topic is Topic.RENEWAL
    assert cancelled.status is FactStatus.REPORTED
    assert cancelled.supersedes == ("renewal-happening",)
    assert cancelled.headline == "Cancelled after one season"
    assert cancelled.source.outlet == "Deadline"
    assert cancelled.source.title == "Étoile Canceled After One Season"
    assert cancelled.source.url == "https://example.org/deadline/etoile-canceled"
    assert cancelled.source.kind is SourceKind.NEWS
    assert cancelled.as_of == date(2025, 6, 6)  # a fact without a date takes its source's
    assert cancelled.verified
    happening = facts["renewal-happening"]
    assert (happening.source.outlet, happening.source.section) == ("Test article", "Renewal")
    assert not happening.verified, "a claim resting on the article alone is unverified"
    assert facts["release-late-2026"].verified, "the article's own guess is what it says"
    assert facts["s1-mishi-minister"].contradicts == ("s1-mishi-daughter",)
    assert facts["cast-return"].characters == ("jack", "genevieve")

    jack, genevieve, mishi = pack.characters
    assert jack.full_name == "Jack McMillan"
    assert [s.outlet for s in jack.sources] == ["Test article", "Test Review"]
    assert jack.sources[0].section == "Cast" and jack.sources[1].section == ""
    assert jack.verified and not genevieve.verified
    assert mishi.actor is None
    assert mishi.actor_note == "Not credited in the sources read."
    assert mishi.company is Company.PARIS


def test_schema_1_packs_are_still_read() -> None:
    pack = load_pack(MINI_PACK_V1)
    assert pack.schema_version == 1
    facts = {f.key: f for f in pack.facts}
    assert facts["renewal-cancelled"].supersedes == ("renewal-happening",)
    assert facts["renewal-order"].source.citation.startswith("Test article, § Renewal")
    assert facts["renewal-order"].status is FactStatus.CONFIRMED  # schema 1 had no such rule
    mishi = pack.characters[2]
    assert mishi.actor is None and mishi.actor_note == "Not credited in the sources read."

    starter = pack.starters[0]
    assert starter.category is Category.ROMANCE
    assert starter.tags == ("romance", "love-triangle")
    assert starter.characters == ("jack",)


def _set(section: str, index: int, **values: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        data[section][index].update(values)

    return mutate


def _drop(section: str, index: int, name: str) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        del data[section][index][name]

    return mutate


def _top(**values: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: data.update(values)


BROKEN_PACKS = {
    "unknown status": (
        _set("facts", 3, status="maybe"),
        ["facts[3].status", "release-late-2026", "maybe"],
    ),
    "unknown topic": (_set("facts", 0, topic="gossip"), ["facts[0].topic", "renewal-order", "gossip"]),
    "missing statement": (
        _drop("facts", 1, "statement"),
        ["facts[1].statement", "renewal-happening", "missing"],
    ),
    "blank statement": (_set("facts", 1, statement="  "), ["facts[1].statement", "empty"]),
    "unknown source": (_set("facts", 5, source="tabloid"), ["facts[5]", "locations-london", "tabloid"]),
    "bad date": (_set("facts", 5, as_of="2025-13-01"), ["facts[5]", "as_of", "2025-13-01"]),
    "supersedes unknown key": (_set("facts", 2, supersedes=["nothing-here"]), ["facts[2]", "nothing-here"]),
    "supersedes a newer fact": (
        _set("facts", 1, as_of="2025-07-01"),
        ["facts[2]", "renewal-cancelled", "renewal-happening", "newer"],
    ),
    "supersedes itself": (_set("facts", 0, supersedes=["renewal-order"]), ["facts[0]", "itself"]),
    "supersede cycle": (
        lambda d: (
            d["facts"][2].update(supersedes=["renewal-happening", "release-none"]),
            d["facts"][4].update(supersedes=["release-late-2026", "renewal-cancelled"]),
        ),
        ["facts[2]", "renewal-cancelled", "loops"],
    ),
    "fact superseded twice": (
        _set("facts", 4, supersedes=["release-late-2026", "renewal-happening"]),
        ["facts[4]", "release-none", "renewal-happening", "already superseded", "renewal-cancelled"],
    ),
    "a guess supersedes a reported fact": (
        _set("facts", 5, supersedes=["renewal-happening"]),
        ["facts[5]", "locations-london", "rumoured", "renewal-happening", "reported", "never overtakes"],
    ),
    "the article alone confirms": (
        _set("facts", 1, status="confirmed"),
        ["facts[1]", "renewal-happening", "article alone cannot confirm"],
    ),
    "a confirmed fact is contradicted": (
        _set("facts", 8, status="confirmed", source="review"),
        ["facts[9]", "s1-mishi-minister", "s1-mishi-daughter", "confirmed", "nothing a source contradicts"],
    ),
    "a guess contradicts": (
        _set("facts", 9, status="speculation"),
        ["facts[9]", "s1-mishi-minister", "only a confirmed or reported fact"],
    ),
    "the article contradicts": (
        _set("facts", 9, source="article"),
        ["facts[9]", "checked source"],
    ),
    "contradicts unknown key": (_set("facts", 9, contradicts=["nowhere"]), ["facts[9]", "nowhere"]),
    "contradicted twice": (
        _set("facts", 2, contradicts=["s1-mishi-daughter"]),
        ["s1-mishi-daughter", "already contradicted", "renewal-cancelled"],
    ),
    "contradicted status written": (
        _set("facts", 1, status="contradicted"),
        ["facts[1]", "shown, not written", "contradicts"],
    ),
    "character without actor or note": (
        _drop("characters", 2, "actor_note"),
        ["characters[2]", "mishi", "actor_note"],
    ),
    "character without sources": (
        _set("characters", 0, sources=[]),
        ["characters[0].sources", "jack", "empty"],
    ),
    "character replaces a current key": (
        _set("characters", 0, replaces=["mishi"]),
        ["characters[0]", "jack", "mishi", "still a character"],
    ),
    "source with a bad address": (
        _set("sources", 1, url="javascript:alert(1)"),
        ["sources[1]", "deadline", "web address"],
    ),
    "source of unknown kind": (_set("sources", 1, kind="blog"), ["sources[1].kind", "blog"]),
    "fact without any date": (
        lambda d: (d["sources"][1].pop("date"), None),
        ["facts[2]", "renewal-cancelled", "as_of"],
    ),
    "duplicate fact key": (_set("facts", 4, key="renewal-order"), ["facts[4]", "renewal-order", "twice"]),
    "bad key format": (_set("facts", 0, key="Renewal Order"), ["facts[0]", "Renewal Order", "lower-case"]),
    "double hyphen key": (_set("facts", 0, key="renewal--order"), ["facts[0]", "renewal--order"]),
    "user- key": (_set("facts", 0, key="user-renewal"), ["facts[0]", "user-renewal", "user-"]),
    "fact names unknown character": (
        _set("facts", 6, characters=["jack", "cheyenne"]),
        ["facts[6]", "cast-return", "cheyenne", "character"],
    ),
    "fact is not an object": (lambda d: d["facts"].__setitem__(2, "renewal"), ["facts[2]", "object"]),
    "character with bad company": (
        _set("characters", 1, company="london"),
        ["characters[1].company", "genevieve", "london"],
    ),
    "character with bad role": (_set("characters", 2, role="lead"), ["characters[2]", "mishi", "lead"]),
    "character without name": (_drop("characters", 0, "name"), ["characters[0].name", "jack", "missing"]),
    "duplicate character": (_set("characters", 2, key="jack"), ["characters[2]", "jack", "twice"]),
    "starter with bad tag": (
        _set("starters", 1, tags=["villain", "evil!"]),
        ["starters[1]", "mishi-villain", "evil!"],
    ),
    "starter with 201-char title": (
        _set("starters", 0, title="t" * 201),
        ["starters[0]", "jack-cheyenne", "201"],
    ),
    "starter with bad category": (_set("starters", 0, category="drama"), ["starters[0]", "drama"]),
    "starter names unknown character": (
        _set("starters", 1, characters=["nobody"]),
        ["starters[1]", "nobody"],
    ),
    "no sources": (_top(sources=[]), ["sources: ", "empty"]),
    "schema too new": (_top(schema_version=3), ["test-pack.json", "schema version 3", "newer"]),
    "schema zero": (_top(schema_version=0), ["schema_version", "0 is not a valid schema version"]),
    "schema is text": (_top(schema_version="1"), ["schema_version", "whole number", "text"]),
    "wrong format": (_top(format="something-else"), ["test-pack.json", "format: ", "etoile-canon-pack"]),
    "version zero": (_top(version=0), ["version: ", "found 0"]),
    "version is bool": (_top(version=True), ["version: ", "whole number", "true/false"]),
    "facts not a list": (_top(facts={}), ["facts: ", "list"]),
    # As strict as a journal export (both read through etoile_app.domain.json_checks).
    "unknown field": (_set("facts", 0, colour="red"), ["facts[0].colour", "renewal-order", "no field"]),
    "schema 1 field in schema 2": (_set("sources", 0, name="Article"), ["sources[0].name", "no field"]),
    "unknown top-level field": (_top(extra=1), ["test-pack.json: extra: ", "no field"]),
    "date without hyphens": (_set("facts", 5, as_of="20250606"), ["facts[5].as_of", "YYYY-MM-DD"]),
    "date out of range": (_set("facts", 5, as_of="1066-10-14"), ["facts[5].as_of", "out of range"]),
    "version a decimal": (_top(version=2.0), ["version: ", "decimal"]),
    "version NaN": (_top(version=float("nan")), ["version: ", "NaN"]),
    "version of 41 digits": (_top(version=10**40), ["version: ", "41-digit"]),
    "version past the limit": (_top(version=2**31 + 1), ["version: ", "2147483649"]),
    "key too long": (_set("facts", 0, key="k" * 81), ["facts[0].key", "not a key"]),
    "tag not text": (_set("starters", 0, tags=[5]), ["starters[0].tags[0]", "jack-cheyenne", "must be text"]),
}


@pytest.mark.parametrize(("mutate", "expected"), BROKEN_PACKS.values(), ids=BROKEN_PACKS.keys())
def test_broken_pack_is_rejected_naming_the_entry(
    mutate: Callable[[dict[str, Any]], None], expected: list[str]
) -> None:
    data = mini_pack_data()
    mutate(data)
    with pytest.raises(CanonPackError) as caught:
        _parse(data)
    message = str(caught.value)
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_pack_that_is_not_an_object_is_rejected() -> None:
    with pytest.raises(CanonPackError, match="must be an object"):
        parse_pack(b"[1, 2, 3]")


def test_a_field_given_twice_is_rejected() -> None:
    text = json.dumps(mini_pack_data())
    twice = text.replace('"key": "renewal-order",', '"key": "renewal-order", "key": "renewal-again",', 1)
    assert twice != text
    with pytest.raises(
        CanonPackError, match=r"facts\[0\] \(key 'renewal-again'\): the field 'key' appears twice"
    ):
        parse_pack(twice)


def test_pack_that_is_not_json_says_where(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "etoile-canon-pack",\n  oops\n}', encoding="utf-8")
    with pytest.raises(CanonPackError, match=r"broken\.json: this is not valid JSON.*line 3, column 3"):
        load_pack(path)


def test_pack_that_is_not_utf8_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"title": "Étoile"}'.encode("latin-1"))
    with pytest.raises(CanonPackError, match="not UTF-8"):
        load_pack(path)


def test_pack_too_large_is_rejected_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pack_module, "MAX_PACK_BYTES", 100)
    path = tmp_path / "big.json"
    path.write_bytes(MINI_PACK.read_bytes())
    with pytest.raises(CanonPackError, match="at most 100"):
        load_pack(path)


def test_missing_pack_file_is_a_pack_error(tmp_path: Path) -> None:
    with pytest.raises(CanonPackError, match="Cannot read"):
        load_pack(tmp_path / "nowhere.json")


def test_deeply_nested_pack_is_a_pack_error() -> None:
    with pytest.raises(CanonPackError):
        parse_pack("[" * 100_000 + "]" * 100_000)


# --- seeding a journal ---------------------------------------------------------------------


def _pack_v2() -> CanonPack:
    data = mini_pack_data()
    data["version"] = 2
    data["as_of"] = "2025-07-01"
    facts = {f["key"]: f for f in data["facts"]}
    facts["renewal-order"]["statement"] = "Two seasons were ordered in 2023, then only one was made."
    data["facts"].append(
        {
            "key": "locations-none",
            "topic": "locations",
            "statement": "No more scouting: the show is over.",
            "status": "reported",
            "source": "deadline",
            "supersedes": ["locations-london"],
        }
    )
    data["characters"][0]["name"] = "Jack Mercier"
    return _parse(data)


def test_journal_open_applies_the_pack_only_once(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    first = Journal.open(path, pack=MINI_PACK)
    first.close()
    assert first.seeded is not None
    assert first.seeded.applied is True
    assert first.seeded.added[:2] == ("renewal-order", "renewal-happening")
    assert first.seeded.characters_added == ("jack", "genevieve", "mishi")
    assert first.seeded.starters_added == ("jack-cheyenne", "mishi-villain")
    again = Journal.open(path, pack=MINI_PACK)
    again.close()
    assert again.seeded is not None
    assert again.seeded.applied is False


def test_a_journal_holding_the_packs_edition_opens_without_reading_it_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal.open(path, pack=MINI_PACK).close()

    def read_in_full(_path: Path) -> CanonPack:
        raise AssertionError("the pack was read and checked again")

    monkeypatch.setattr(pack_module, "load_pack", read_in_full)
    again = Journal.open(path, pack=MINI_PACK)
    again.close()
    assert again.seeded is not None and again.seeded.applied is False


def test_a_newer_edition_is_read_in_full_and_a_bad_one_refused_at_open(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal.open(path, pack=MINI_PACK).close()
    data = mini_pack_data()
    data["version"] = 2
    data["facts"][0]["statement"] = ""  # breaks a rule: the whole pack is checked before use
    bad = tmp_path / "pack-v2.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CanonPackError):
        Journal.open(path, pack=bad)
    data = mini_pack_data()
    data["version"] = 2
    good = tmp_path / "pack-v2-good.json"
    good.write_text(json.dumps(data), encoding="utf-8")
    opened = Journal.open(path, pack=good)
    opened.close()
    assert opened.seeded is not None and opened.seeded.applied is True


def test_pack_edition_is_read_without_checking_the_rest(tmp_path: Path) -> None:
    from etoile_app.canon import pack_edition

    assert pack_edition(MINI_PACK) == mini_pack_data()["version"]
    odd = tmp_path / "odd.json"
    for text in ("not json", "[]", '{"version": "2"}', '{"version": true}'):
        odd.write_text(text, encoding="utf-8")
        assert pack_edition(odd) is None
    assert pack_edition(tmp_path / "missing.json") is None


def test_newer_pack_with_the_same_content_reports_no_changes(journal: Journal, db_snapshot) -> None:
    data = mini_pack_data()
    data["version"] = 2
    before = db_snapshot(journal)
    changes = journal.canon.apply_pack(_parse(data))
    assert changes.applied is True
    assert (changes.added, changes.changed, changes.superseded) == ((), (), ())
    assert (changes.characters_added, changes.characters_changed, changes.starters_added) == ((), (), ())
    after = db_snapshot(journal)
    assert len(after["canon_packs"]) == len(before["canon_packs"]) + 1
    assert {k: v for k, v in after.items() if k != "canon_packs"} == {
        k: v for k, v in before.items() if k != "canon_packs"
    }


def test_applying_the_same_pack_again_adds_nothing(journal: Journal, db_snapshot) -> None:
    before = db_snapshot(journal)
    changes = journal.canon.apply_pack(load_pack(MINI_PACK))
    assert changes.applied is False
    assert (changes.added, changes.changed, changes.superseded) == ((), (), ())
    assert db_snapshot(journal) == before
    assert journal.canon.pack_version() == 1


def test_template_was_seeded_with_the_mini_pack(journal: Journal) -> None:
    assert journal.canon.pack_version() == 1
    assert journal.canon.pack_as_of() == date(2025, 6, 10)
    assert len(journal.canon.facts()) == 10
    assert {c.key for c in journal.cast.characters()} == {"jack", "genevieve", "mishi"}
    assert [s.key for s in journal.theories.starters()] == ["jack-cheyenne", "mishi-villain"]


def test_newer_pack_reports_what_changed(journal: Journal) -> None:
    changes = journal.canon.apply_pack(_pack_v2())
    assert changes.applied is True
    assert changes.version == 2
    assert changes.added == ("locations-none",)
    assert changes.changed == ("renewal-order",)
    assert changes.superseded == ("locations-london",)
    assert changes.characters_added == ()
    assert changes.characters_changed == ("jack",)
    assert changes.starters_added == ()
    assert journal.canon.pack_version() == 2


def test_newer_pack_updates_the_pack_facts(journal: Journal) -> None:
    journal.canon.apply_pack(_pack_v2())
    order = journal.canon.fact(fact_id(journal, "renewal-order"))
    assert order.statement == "Two seasons were ordered in 2023, then only one was made."
    london = journal.canon.fact(fact_id(journal, "locations-london"))
    new = journal.canon.fact(fact_id(journal, "locations-none"))
    assert new.supersedes_id == london.id
    assert london.superseded_by_id == new.id
    assert london.shown_status is FactStatus.SUPERSEDED
    assert new.origin is FactOrigin.PACK


def test_newer_pack_lists_open_theories_citing_changed_or_superseded_facts(journal: Journal) -> None:
    def citing(title: str, key: str) -> int:
        theory = write(journal, title)
        journal.theories.link_evidence(theory.id, fact_id(journal, key), Stance.SUPPORTS)
        return theory.id

    open_changed = citing("Cites the changed fact", "renewal-order")
    open_superseded = citing("Cites the superseded fact", "locations-london")
    citing("Cites an untouched fact", "release-none")
    resolved = citing("Resolved theory", "renewal-order")
    journal.theories.resolve(resolved, "busted")
    deleted = citing("Deleted theory", "locations-london")
    journal.theories.delete(deleted)

    changes = journal.canon.apply_pack(_pack_v2())

    assert changes.affected_theory_ids == (open_changed, open_superseded)


def test_newer_pack_renames_characters_in_theories_and_search(journal: Journal) -> None:
    jack = character_id(journal, "jack")
    theory = write(journal, "Plain title", character_ids=(jack,))
    assert listed(journal.board, TheoryQuery(text="mercier")) == []

    journal.canon.apply_pack(_pack_v2())

    assert listed(journal.board, TheoryQuery(text="mercier")) == [theory.id]
    assert journal.board.rows([theory.id])[0].characters == ("Jack Mercier",)
    assert journal.theories.get(theory.id).characters[0].name == "Jack Mercier"


def test_newer_pack_leaves_user_facts_and_theories_alone(journal: Journal, clock) -> None:
    news = journal.canon.add_news(
        NewsDraft(
            topic=Topic.RENEWAL,
            statement="A fan campaign asks for a revival.",
            status=FactStatus.RUMOURED,
            source="A forum",
            as_of=date(2025, 8, 1),
        )
    )
    jack = character_id(journal, "jack")
    theory = write(
        journal,
        "Jack comes back anyway",
        body="Somehow.",
        tags=("revival",),
        confidence=30,
        character_ids=(jack,),
    )
    clock.advance(days=1)
    journal.theories.set_confidence(theory.id, 35, "a little more hopeful")
    journal.theories.link_evidence(theory.id, fact_id(journal, "renewal-order"), Stance.SUPPORTS, "old")
    before = journal.theories.get(theory.id)

    journal.canon.apply_pack(_pack_v2())

    assert journal.canon.fact(news.id) == news
    after = journal.theories.get(theory.id)
    same = ("title", "body", "tags", "confidence", "history", "status", "updated_at", "uid")
    assert {f: getattr(after, f) for f in same} == {f: getattr(before, f) for f in same}
    assert [(e.fact_id, e.stance, e.note) for e in after.evidence] == [
        (e.fact_id, e.stance, e.note) for e in before.evidence
    ]


def test_older_pack_is_not_applied(journal: Journal, db_snapshot) -> None:
    journal.canon.apply_pack(_pack_v2())
    before = db_snapshot(journal)

    changes = journal.canon.apply_pack(load_pack(MINI_PACK))

    assert changes.applied is False
    assert db_snapshot(journal) == before
    assert journal.canon.pack_version() == 2
    order = journal.canon.fact(fact_id(journal, "renewal-order"))
    assert order.statement.endswith("then only one was made.")


def test_newer_pack_adds_new_starters_and_keeps_adopted_ones(journal: Journal) -> None:
    journal.theories.adopt_starters(["jack-cheyenne"])
    data = mini_pack_data()
    data["version"] = 2
    data["starters"].append(
        {
            "key": "new-starter",
            "title": "A brand new starter",
            "category": "other",
            "source": "deadline",
        }
    )
    changes = journal.canon.apply_pack(_parse(data))
    assert changes.starters_added == ("new-starter",)
    adopted = {s.key: s.adopted for s in journal.theories.starters()}
    assert adopted == {"jack-cheyenne": True, "mishi-villain": False, "new-starter": False}


def test_adopted_starter_theory_stays_a_user_theory(journal: Journal) -> None:
    (theory,) = journal.theories.adopt_starters(["mishi-villain"])
    journal.theories.edit(theory.id, TheoryDraft(title="My own words", category=Category.OTHER))
    data = mini_pack_data()
    data["version"] = 2
    data["starters"][1]["title"] = "Mishi turns villain for real"
    journal.canon.apply_pack(_parse(data))
    assert journal.theories.get(theory.id).title == "My own words"

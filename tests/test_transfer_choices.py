"""Multiple-choice theories and conditions in the JSON, CSV and Markdown exports: carried both
ways, updated in place on re-import, every new rule enforced with the field named and nothing
written, and files of older formats read as before."""

from __future__ import annotations

import copy
import csv
import io
import json
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from helpers import FakeClock, write
from sqlalchemy import select
from test_transfer_json import (  # noqa: F401
    as_older_format,
    expect_rejected,
    export_bytes,
    export_doc,
    fresh,
    ids_by_uid,
    index_of,
    rich,
    rich_template,
    to_bytes,
    transfer,
)

from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.models import OptionDraft, Theory
from etoile_app.domain.transfer import ImportReport, OptionEntry, parse_json
from etoile_app.services.journal import Journal
from etoile_app.storage.models import ConditionRecord, ForecastRecord, OptionRecord

PARTNER = "Who partners Cheyenne at the gala?"
COMPANY = "Which company does a revival follow?"
STAYS = "Cheyenne stays in Paris"
COUPLE = "Jack and Cheyenne become a couple"
CITY = "Where is the finale filmed?"


def by_title(journal: Journal, title: str) -> Theory:
    (found,) = [t for t in map(journal.theories.get, ids_by_uid(journal).values()) if t.title == title]
    return found


def option_rows(journal: Journal, theory_id: int) -> dict[str, int]:
    """The option rows of a theory: name → row id."""
    with journal.database.sessions() as s:
        stmt = select(OptionRecord.name, OptionRecord.id).where(OptionRecord.theory_id == theory_id)
        return dict(s.execute(stmt).all())  # type: ignore[arg-type]


def forecast_ids(journal: Journal, theory_id: int) -> list[int]:
    with journal.database.sessions() as s:
        stmt = (
            select(ForecastRecord.id)
            .where(ForecastRecord.theory_id == theory_id)
            .order_by(ForecastRecord.changed_at, ForecastRecord.id)
        )
        return list(s.scalars(stmt))


# --- the round trip --------------------------------------------------------------------------


def test_options_forecasts_conditions_and_earlier_options_survive_the_round_trip(
    rich: Journal,  # noqa: F811
    fresh: Journal,  # noqa: F811
    clock: FakeClock,
) -> None:
    transfer(fresh, clock).import_bytes(transfer(rich, clock).export_json(), "json")
    partner = by_title(fresh, PARTNER)
    assert [(o.name, o.confidence, o.happened) for o in partner.options] == [
        ("Jack", 60, True),
        ("Gael", 30, False),
        ("Nobody", 10, False),
    ]
    assert partner.option_happened == "Jack"
    assert [(p.option, p.confidence, p.note) for p in partner.history] == [
        ("Jack", 50, ""),
        ("Gael", 30, ""),
        ("Nobody", 20, ""),
        ("Jack", 60, "Rehearsal photos"),
        ("Nobody", 10, "Rehearsal photos"),
    ]
    (earlier,) = partner.earlier_resolutions
    assert (earlier.status, earlier.option) == (TheoryStatus.CONFIRMED, "Gael")
    company, stays = by_title(fresh, COMPANY), by_title(fresh, STAYS)
    assert company.condition is not None and company.condition.title == COUPLE
    assert stays.condition is not None and stays.condition.id == company.id
    assert by_title(fresh, CITY).status is TheoryStatus.VOID
    # Imported conditions work like any other: busting the couple voids what depends on it.
    fresh.theories.resolve(by_title(fresh, COUPLE).id, TheoryStatus.BUSTED)
    assert by_title(fresh, COMPANY).status is by_title(fresh, STAYS).status is TheoryStatus.VOID


def test_an_imported_multiple_choice_theory_can_be_edited_and_resolved(
    rich: Journal,  # noqa: F811
    fresh: Journal,  # noqa: F811
    clock: FakeClock,
) -> None:
    transfer(fresh, clock).import_bytes(transfer(rich, clock).export_json(), "json")
    company = by_title(fresh, COMPANY)
    clock.advance(days=1)
    options = (OptionDraft("Le Ballet National", 70), OptionDraft("Metropolitan Ballet Theater", 30))
    edited = fresh.theories.edit(company.id, replace(company.as_draft(), options=options))
    assert [o.confidence for o in edited.options] == [70, 30]
    resolved = fresh.theories.resolve(company.id, TheoryStatus.CONFIRMED, option="Le Ballet National")
    assert resolved.option_happened == "Le Ballet National"


# --- re-importing: updated in place ------------------------------------------------------------


def test_an_edited_file_updates_options_by_name_keeping_their_rows(
    rich: Journal,  # noqa: F811
    clock: FakeClock,
) -> None:
    ident = by_title(rich, PARTNER).id
    options_before, forecasts_before = option_rows(rich, ident), forecast_ids(rich, ident)
    doc = export_doc(rich, clock)
    partner = doc["theories"][index_of(doc, PARTNER)]
    # "Jack" keeps its row under new capitals, "Nobody" goes with its forecasts, "Nicholas" is new.
    partner["options"] = [
        {"name": "JACK", "happened": True},
        {"name": "Gael", "happened": False},
        {"name": "Nicholas", "happened": False},
    ]
    partner["history"] = [h for h in partner["history"] if h["option"] != "Nobody"]
    for h in partner["history"]:
        h["option"] = h["option"].replace("Jack", "JACK")
    partner["history"].append(
        {"confidence": 10, "changed_at": "2026-03-07T09:00:00Z", "note": "A new name", "option": "Nicholas"}
    )
    report = transfer(rich, clock).import_bytes(to_bytes(doc), "json")
    assert (report.theories_updated, report.theories_unchanged, report.forecasts_added) == (1, 10, 1)
    after = by_title(rich, PARTNER)
    assert [(o.name, o.confidence, o.happened) for o in after.options] == [
        ("JACK", 60, True),
        ("Gael", 30, False),
        ("Nicholas", 10, False),
    ]
    rows = option_rows(rich, ident)
    assert rows["JACK"] == options_before["Jack"] and rows["Gael"] == options_before["Gael"]
    assert options_before["Nobody"] not in rows.values()
    # The forecasts before the first one that changed keep their rows; Nobody's are gone.
    ids = forecast_ids(rich, ident)
    assert ids[:2] == forecasts_before[:2]
    assert len(ids) == 4
    assert [(p.option, p.confidence) for p in after.history] == [
        ("JACK", 50),
        ("Gael", 30),
        ("JACK", 60),
        ("Nicholas", 10),
    ]
    # And the same file again changes nothing.
    again = transfer(rich, clock).import_bytes(to_bytes(doc), "json")
    assert again == ImportReport("json", theories_unchanged=11)


def test_a_forecast_added_in_the_file_leaves_every_existing_row_alone(
    rich: Journal,  # noqa: F811
    clock: FakeClock,
) -> None:
    ident = by_title(rich, PARTNER).id
    options_before, forecasts_before = option_rows(rich, ident), forecast_ids(rich, ident)
    doc = export_doc(rich, clock)
    partner = doc["theories"][index_of(doc, PARTNER)]
    partner["history"].append(
        {"confidence": 55, "changed_at": "2026-03-06T18:00:00Z", "note": "", "option": "Jack"}
    )
    partner["confidence"] = 55
    report = transfer(rich, clock).import_bytes(to_bytes(doc), "json")
    assert (report.theories_updated, report.forecasts_added) == (1, 1)
    assert option_rows(rich, ident) == options_before
    assert forecast_ids(rich, ident)[:5] == forecasts_before
    assert by_title(rich, PARTNER).options[0].confidence == 55


def test_an_edited_file_changes_and_removes_conditions(
    rich: Journal,  # noqa: F811
    clock: FakeClock,
) -> None:
    doc = export_doc(rich, clock)
    company = doc["theories"][index_of(doc, COMPANY)]
    stays = doc["theories"][index_of(doc, STAYS)]
    villain_uid = doc["theories"][index_of(doc, "Mishi sabotages the gala")]["uid"]
    company["condition"] = villain_uid
    del stays["condition"]
    report = transfer(rich, clock).import_bytes(to_bytes(doc), "json")
    assert report.theories_updated == 2
    assert by_title(rich, COMPANY).condition.title == "Mishi sabotages the gala"  # type: ignore[union-attr]
    assert by_title(rich, STAYS).condition is None
    with rich.database.sessions() as s:
        assert len(s.scalars(select(ConditionRecord)).all()) == 1


def test_a_condition_may_be_a_theory_of_the_journal_only(
    rich: Journal,  # noqa: F811
    fresh: Journal,  # noqa: F811
    clock: FakeClock,
) -> None:
    """A file with one theory whose condition is not in the file but in the journal."""
    doc = export_doc(rich, clock)
    company = doc["theories"][index_of(doc, COMPANY)]
    transfer(fresh, clock).import_bytes(to_bytes(doc), "json")
    company["title"] = "Which company does a revival follow, then?"
    doc["theories"] = [company]
    report = transfer(fresh, clock).import_bytes(to_bytes(doc), "json")
    assert report.theories_updated == 1
    assert by_title(fresh, company["title"]).condition.title == COUPLE  # type: ignore[union-attr]


def test_a_yes_no_theory_becomes_multiple_choice_and_back(
    rich: Journal,  # noqa: F811
    clock: FakeClock,
) -> None:
    doc = export_doc(rich, clock)
    stays = doc["theories"][index_of(doc, STAYS)]
    stays["options"] = [{"name": "Yes", "happened": False}, {"name": "Not yet", "happened": False}]
    stays["history"] = [
        {"confidence": 60, "changed_at": stays["created_at"], "note": "", "option": "Yes"},
        {"confidence": 40, "changed_at": stays["created_at"], "note": "", "option": "Not yet"},
    ]
    transfer(rich, clock).import_bytes(to_bytes(doc), "json")
    theory = by_title(rich, STAYS)
    assert [(o.name, o.confidence) for o in theory.options] == [("Yes", 60), ("Not yet", 40)]
    assert all(p.option is not None for p in theory.history)
    back = export_doc(rich, clock)
    back["theories"][index_of(back, STAYS)].update(
        options=[], history=[{"confidence": 35, "changed_at": stays["created_at"], "note": ""}], confidence=35
    )
    transfer(rich, clock).import_bytes(to_bytes(back), "json")
    theory = by_title(rich, STAYS)
    assert (theory.options, [p.confidence for p in theory.history]) == ((), [35])
    assert option_rows(rich, theory.id) == {}


# --- files of older formats --------------------------------------------------------------------


def test_an_older_file_keeps_the_journals_options_and_condition(
    rich: Journal,  # noqa: F811
    clock: FakeClock,
    db_snapshot,
) -> None:
    """A format 3 file knows nothing of options and conditions: a theory the journal has made
    multiple choice since, or given a condition, keeps them; the rest of the file applies."""
    old = as_older_format(export_doc(rich, clock), 3)
    assert transfer(rich, clock).import_bytes(to_bytes(old), "json").theories_unchanged == 8
    couple = by_title(rich, COUPLE)
    clock.advance(days=1)
    options = (OptionDraft("This season", 30), OptionDraft("Later", 50), OptionDraft("Never", 20))
    rich.theories.edit(
        couple.id, replace(couple.as_draft(), options=options, condition_id=by_title(rich, CITY).id)
    )
    before = by_title(rich, COUPLE)
    old["theories"][index_of(old, COUPLE)]["title"] = "Jack and Cheyenne, a couple"
    report = transfer(rich, clock).import_bytes(to_bytes(old), "json")
    assert (report.theories_updated, report.forecasts_added) == (1, 0)
    after = by_title(rich, "Jack and Cheyenne, a couple")
    assert after.options == before.options
    assert after.history == before.history
    assert after.condition == before.condition
    assert after.confidence == before.confidence == 50
    # The same older file again changes nothing.
    snapshot = db_snapshot(rich)
    assert transfer(rich, clock).import_bytes(to_bytes(old), "json").theories_unchanged == 8
    assert db_snapshot(rich) == snapshot


def test_an_older_file_makes_yes_no_theories_without_conditions(
    rich: Journal,  # noqa: F811
    fresh: Journal,  # noqa: F811
    clock: FakeClock,
) -> None:
    old = as_older_format(export_doc(rich, clock), 3)
    report = transfer(fresh, clock).import_bytes(to_bytes(old), "json")
    assert report.theories_created == 8
    stays = by_title(fresh, STAYS)
    assert (stays.options, stays.condition) == ((), None)
    assert parse_json(to_bytes(old)).format_version == 3


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("theory", "options"),
        ("theory", "condition"),
        ("forecast", "option"),
        ("earlier", "option"),
    ],
)
def test_an_older_file_may_not_hold_the_new_fields(
    rich: Journal,  # noqa: F811
    clock: FakeClock,
    db_snapshot,
    where: str,
    field: str,
) -> None:
    old = as_older_format(export_doc(rich, clock), 3)
    i = index_of(old, "Nicholas returns")
    theory = old["theories"][i]
    target, path = {
        "theory": (theory, f"theories[{i}].{field}"),
        "forecast": (theory["history"][0], f"theories[{i}].history[0].{field}"),
        "earlier": (theory["earlier_resolutions"][0], f"theories[{i}].earlier_resolutions[0].{field}"),
    }[where]
    target[field] = [] if field == "options" else str(uuid.uuid4())
    error = expect_rejected(rich, clock, to_bytes(old), db_snapshot, field=path)
    assert "no field" in error.message


# --- bad files -------------------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _theory(doc: dict[str, Any], title: str) -> dict[str, Any]:
    return doc["theories"][index_of(doc, title)]


def _options(title: str, options: list[dict[str, Any]]) -> Mutation:
    return lambda doc: _theory(doc, title).update(options=options)


def _names(*names: str) -> list[dict[str, Any]]:
    return [{"name": n, "happened": False} for n in names]


def _happened(index: int) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        _theory(doc, PARTNER)["options"][index]["happened"] = True

    return mutate


def _forecast(title: str, index: int, **changes: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        entry = _theory(doc, title)["history"][index]
        for name, value in changes.items():
            if value is None:
                entry.pop(name, None)
            else:
                entry[name] = value

    return mutate


def _set(title: str, **changes: Any) -> Mutation:
    return lambda doc: _theory(doc, title).update(changes)


def _condition(title: str, value: Callable[[dict[str, Any]], str]) -> Mutation:
    return lambda doc: _theory(doc, title).update(condition=value(doc))


def _uid_of(title: str) -> Callable[[dict[str, Any]], str]:
    return lambda doc: _theory(doc, title)["uid"]


def _earlier_option(status: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        entry = _theory(doc, PARTNER)["earlier_resolutions"][0]
        entry["status"] = status

    return mutate


def _busted(doc: dict[str, Any]) -> None:
    """The confirmed multiple-choice theory as busted, with no option marked as what happened."""
    partner = _theory(doc, PARTNER)
    partner["status"] = "busted"
    partner["options"][0]["happened"] = False


# (mutation, the theory whose path the error names, the rest of the path, words in the message)
BAD_CHOICES: dict[str, tuple[Mutation, str, str, str]] = {
    "one option": (_options(COMPANY, _names("Paris")), COMPANY, "options", "from 2 to 12 options"),
    "thirteen options": (
        _options(COMPANY, _names(*(f"Company {n}" for n in range(13)))),
        COMPANY,
        "options",
        "this one has 13",
    ),
    "the same name twice": (
        _options(COMPANY, _names("Le Ballet National", "le ballet NATIONAL")),
        COMPANY,
        "options[1].name",
        "same name",
    ),
    "an empty name": (_options(COMPANY, _names("", "Paris")), COMPANY, "options[0].name", "empty"),
    "a name too long": (_options(COMPANY, _names("x" * 61, "Paris")), COMPANY, "options[0].name", "60"),
    "happened not true or false": (
        lambda doc: _theory(doc, PARTNER)["options"][1].update(happened="yes"),
        PARTNER,
        "options[1].happened",
        "true or false",
    ),
    "an unknown field in an option": (
        lambda doc: _theory(doc, PARTNER)["options"][1].update(confidence=30),
        PARTNER,
        "options[1].confidence",
        "no field",
    ),
    "two options happened": (_happened(2), PARTNER, "options[2].happened", "only one option"),
    "an option happened on an open theory": (
        lambda doc: _theory(doc, COMPANY)["options"][0].update(happened=True),
        COMPANY,
        "options[0].happened",
        "only a confirmed theory",
    ),
    "an option happened on a void theory": (
        lambda doc: _theory(doc, CITY)["options"][0].update(happened=True),
        CITY,
        "options[0].happened",
        "this one is void",
    ),
    "confirmed without the option that happened": (
        lambda doc: _theory(doc, PARTNER)["options"][0].update(happened=False),
        PARTNER,
        "options",
        "names the option that happened",
    ),
    "busted multiple choice": (
        _busted,
        PARTNER,
        "status",
        "cannot be busted",
    ),
    "a forecast for an unknown option": (
        _forecast(PARTNER, 1, option="Nicholas"),
        PARTNER,
        "history[1].option",
        "not one of this theory's options",
    ),
    "a forecast for an option under other capitals": (
        _forecast(PARTNER, 1, option="gael"),
        PARTNER,
        "history[1].option",
        "not one of this theory's options",
    ),
    "a forecast for no option": (
        _forecast(PARTNER, 2, option=None),
        PARTNER,
        "history[2].option",
        "each forecast of a multiple-choice theory",
    ),
    "a yes/no forecast naming an option": (
        _forecast(STAYS, 0, option="Yes"),
        STAYS,
        "history[0].option",
        "a yes/no theory has no options",
    ),
    "confidence not the likeliest option's": (
        _set(PARTNER, confidence=50),
        PARTNER,
        "confidence",
        "highest of its options' latest confidences (60)",
    ),
    "an earlier busted resolution naming an option": (
        _earlier_option("busted"),
        PARTNER,
        "earlier_resolutions[0].option",
        "only a confirmed resolution",
    ),
    "a condition that is no uid": (_set(STAYS, condition="the couple one"), STAYS, "condition", "not a uid"),
    "a condition that is a number": (_set(STAYS, condition=5), STAYS, "condition", "must be text"),
    "a condition nowhere": (
        _set(STAYS, condition="1b4e28ba-2fa1-11d2-883f-0016d3cca427"),
        STAYS,
        "condition",
        "not the uid of a theory in the file or in this journal",
    ),
    "its own condition": (_condition(STAYS, _uid_of(STAYS)), STAYS, "condition", "its own condition"),
    "a loop of two": (_condition(COMPANY, _uid_of(STAYS)), COMPANY, "condition", "loops back"),
}


@pytest.mark.parametrize("case", BAD_CHOICES)
def test_bad_options_and_conditions_are_rejected_naming_the_field(
    rich: Journal,  # noqa: F811
    clock: FakeClock,
    db_snapshot,
    case: str,
) -> None:
    mutate, title, rest, words = BAD_CHOICES[case]
    doc = export_doc(rich, clock)
    doc["theories"][0]["title"] = "A title no theory has yet"  # an import that would otherwise write
    mutate(doc)
    error = expect_rejected(
        rich, clock, to_bytes(doc), db_snapshot, field=f"theories[{index_of(doc, title)}].{rest}"
    )
    assert words in error.message


def test_a_loop_through_several_theories_is_rejected(
    rich: Journal,  # noqa: F811
    clock: FakeClock,
    db_snapshot,
) -> None:
    """couple → stays → company → couple, all in the file."""
    doc = export_doc(rich, clock)
    _theory(doc, COUPLE)["condition"] = _theory(doc, STAYS)["uid"]
    error = expect_rejected(
        rich, clock, to_bytes(doc), db_snapshot, field=f"theories[{index_of(doc, COUPLE)}].condition"
    )
    assert "loops back" in error.message


def test_a_loop_between_the_file_and_the_journal_is_rejected(
    rich: Journal,  # noqa: F811
    clock: FakeClock,
    db_snapshot,
) -> None:
    """In the journal the company depends on the couple; a file with only the couple, made to
    depend on the company, would close the loop."""
    doc = export_doc(rich, clock)
    couple = _theory(doc, COUPLE)
    couple["condition"] = _theory(doc, COMPANY)["uid"]
    doc["theories"] = [couple]
    error = expect_rejected(rich, clock, to_bytes(doc), db_snapshot, field="theories[0].condition")
    assert "loops back" in error.message
    # Without the journal to ask, the file alone holds no loop and no unknown condition.
    assert parse_json(to_bytes(doc)).theories[0].condition == _theory(export_doc(rich, clock), COMPANY)["uid"]


def test_the_file_decides_a_theory_it_holds_not_the_journal(
    rich: Journal,  # noqa: F811
    clock: FakeClock,
) -> None:
    """The journal's company depends on the couple; a file that frees the company and makes the
    couple depend on it holds no loop once imported."""
    doc = export_doc(rich, clock)
    company, couple = _theory(doc, COMPANY), _theory(doc, COUPLE)
    del company["condition"]
    couple["condition"] = company["uid"]
    doc["theories"] = [company, couple]
    assert transfer(rich, clock).import_bytes(to_bytes(doc), "json").theories_updated == 2
    assert by_title(rich, COUPLE).condition.title == COMPANY  # type: ignore[union-attr]
    assert by_title(rich, COMPANY).condition is None


def test_parsed_entries_hold_options_and_conditions(rich: Journal, clock: FakeClock) -> None:  # noqa: F811
    doc = export_doc(rich, clock)
    parsed = {t.title: t for t in parse_json(to_bytes(doc)).theories}
    assert parsed[PARTNER].options == (OptionEntry("Jack", True), OptionEntry("Gael"), OptionEntry("Nobody"))
    assert parsed[PARTNER].option_confidences == {"Jack": 60, "Gael": 30, "Nobody": 10}
    assert parsed[STAYS].condition == _theory(doc, COMPANY)["uid"]
    assert copy.deepcopy(parsed) == parsed


# --- Markdown and CSV exports ----------------------------------------------------------------


def test_markdown_shows_options_what_happened_and_the_condition(
    rich: Journal,  # noqa: F811
    clock: FakeClock,
) -> None:
    text = export_bytes(rich, clock, "md").decode("utf-8")
    lines = text.splitlines()
    partner = lines.index(f"- **{PARTNER}** — multiple choice")
    assert lines[partner + 1 : partner + 5] == [
        "    - Category: Romance",
        "    - Options: Jack 60 %, Gael 30 %, Nobody 10 %",
        "    - Happened: Jack",
        f"    - Resolved on {clock.now.date().isoformat()}: Jack after all.",
    ]
    assert lines[partner + 5].startswith("    - Earlier confirmed (Gael) on ")
    company = lines.index(f"- **{COMPANY}** — multiple choice")
    assert lines[company + 1 : company + 4] == [
        f"    - If: {COUPLE}",
        "    - Category: Other",
        "    - Options: Le Ballet National 55 %, Metropolitan Ballet Theater 45 %",
    ]
    stays = lines.index(f"- **{STAYS}** — 60 %")
    assert lines[stays + 1] == f"    - If: {COMPANY}"
    city = lines.index(f"- **{CITY}** — multiple choice")
    assert "Happened" not in lines[city + 3]


def test_markdown_names_a_binned_condition_and_escapes_option_names(
    journal: Journal, clock: FakeClock
) -> None:
    returns = write(journal, "Étoile *returns*")
    write(
        journal,
        "Who leads?",
        options=(OptionDraft("<b>Jack</b>", 50), OptionDraft("Gael_", 50)),
        condition_id=returns.id,
    )
    journal.theories.delete(returns.id)
    text = export_bytes(journal, clock, "md").decode("utf-8")
    assert "    - If: Étoile \\*returns\\*\n" in text
    assert "    - Options: \\<b\\>Jack\\</b\\> 50 %, Gael\\_ 50 %\n" in text
    assert "- **Étoile" not in text  # binned: named as a condition, not listed


def test_csv_rows_of_a_multiple_choice_theory_name_their_option(
    rich: Journal,  # noqa: F811
    clock: FakeClock,
) -> None:
    out = list(csv.DictReader(io.StringIO(export_bytes(rich, clock, "csv").decode("utf-8"), newline="")))
    partner = [r for r in out if r["Question title"] == PARTNER]
    assert [(r["Multiple choice option"], r["Forecast (scale = 0-1)"], r["Resolution"]) for r in partner] == [
        ("Jack", "0.5", "YES"),
        ("Gael", "0.3", "NO"),
        ("Nobody", "0.2", "NO"),
        ("Jack", "0.6", "YES"),
        ("Nobody", "0.1", "NO"),
    ]
    assert {r["Your Brier score for this question"] for r in partner} == {""}
    city = [r for r in out if r["Question title"] == CITY]
    assert {(r["Multiple choice option"], r["Resolution"]) for r in city} == {
        ("Paris", "AMBIGUOUS"),
        ("New York", "AMBIGUOUS"),
    }
    company = [r for r in out if r["Question title"] == COMPANY]
    assert {r["Resolution"] for r in company} == {""}
    assert [r["Multiple choice option"] for r in out if r["Question title"] == STAYS] == [""]


def test_json_ids_do_not_leak_into_the_file(rich: Journal, clock: FakeClock) -> None:  # noqa: F811
    """Conditions travel by uid, options by name: nothing in the file is a database id."""
    doc = export_doc(rich, clock)
    stays = _theory(doc, STAYS)
    assert stays["condition"] == _theory(doc, COMPANY)["uid"]
    ids = ids_by_uid(rich)
    assert stays["condition"] in ids
    text = json.dumps(_theory(doc, PARTNER))
    assert '"id"' not in text and "option_id" not in text

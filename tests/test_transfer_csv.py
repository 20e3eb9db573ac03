"""CSV in Fatebook's export layout: one row per forecast out; a Fatebook user's history in."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from helpers import DATA_DIR, FakeClock, write
from hypothesis import given, settings
from hypothesis import strategies as st
from test_transfer_json import (  # noqa: F401
    build_rich_journal,
    export_bytes,
    fresh,
    ids_by_uid,
    theory_count,
    transfer,
)

from etoile_app.domain import rules
from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.errors import ValidationError
from etoile_app.domain.models import Forecast, Theory
from etoile_app.domain.transfer import (
    CSV_COLUMNS,
    ImportFileError,
    ImportReport,
    TheoryEntry,
    fatebook_tag,
    format_csv,
    parse_csv,
)
from etoile_app.domain.transfer.csv_format import fatebook_brier, guard_formula, js_number, unguard_formula
from etoile_app.services.journal import Journal

FATEBOOK = DATA_DIR / "fatebook-export.csv"
MINIMAL = DATA_DIR / "fatebook-export-minimal.csv"
HEADER = (
    "Question title,Multiple choice option,Forecast created by,Forecast (scale = 0-1),Forecast created at,"
    "Question created by,Question created at,Question resolve by,Resolution,Resolved at,"
    "Your Brier score for this question,Your relative Brier score for this question,Question notes,"
    "Question shared with,Question shared publicly,Question comments,Question tags"
)
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def rows(raw: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))


def theories_by_title(journal: Journal) -> dict[str, Theory]:
    found = [journal.theories.get(i) for i in ids_by_uid(journal).values()]
    return {t.title: t for t in found}


# --- export ----------------------------------------------------------------------------------


def test_header_is_fatebooks_in_order(journal: Journal, clock: FakeClock) -> None:
    raw = export_bytes(journal, clock, "csv")
    assert raw.decode("utf-8") == HEADER  # Fatebook joins lines with "\n", with none after the last
    assert ",".join(CSV_COLUMNS) == HEADER


def test_one_row_per_forecast_with_fatebook_values(journal: Journal, clock: FakeClock) -> None:
    build_rich_journal(journal, clock)
    out = rows(export_bytes(journal, clock, "csv"))
    assert list(out[0]) == list(CSV_COLUMNS)
    live = [t for t in theories_by_title(journal).values() if not t.is_deleted]
    assert len(out) == sum(len(t.history) for t in live)
    assert "Geneviève leaves Paris" not in {r["Question title"] for r in out}  # binned theories stay home

    couple = [r for r in out if r["Question title"] == "Jack and Cheyenne become a couple"]
    assert [r["Forecast (scale = 0-1)"] for r in couple] == ["0.55", "0.7", "0.65"]
    assert couple[0]["Question tags"] == "love-triangle; romance; romance/jack-cheyenne"  # Fatebook's "; "
    assert couple[0]["Question notes"] == "The finale kiss\nleads somewhere.\n\n“Étoile” forever."
    assert couple[0]["Question resolve by"] == "2026-12-31 00:00:00"
    assert {r["Resolution"] for r in couple} == {""}
    for r in out:
        for column in ("Forecast created at", "Question created at"):
            assert STAMP.match(r[column]), r[column]
        assert r["Resolved at"] == "" or STAMP.match(r["Resolved at"])
        assert r["Your relative Brier score for this question"] == ""
        assert r["Question shared publicly"] == "false"
    # Only a multiple-choice theory's forecasts name an option (see test_transfer_choices.py).
    multiple = {"Who partners Cheyenne at the gala?", "Which company does a revival follow?"}
    multiple.add("Where is the finale filmed?")
    assert {r["Question title"] for r in out if r["Multiple choice option"]} == multiple

    def first(title: str) -> dict[str, str]:
        return next(r for r in out if r["Question title"] == title)

    villain = first("Mishi sabotages the gala")
    # 40 % for a day, then 70 % for a day, confirmed: (2·0.6² + 2·0.3²) / 2 days, Fatebook's 0–2 scale.
    assert villain["Resolution"] == "YES"
    assert float(villain["Your Brier score for this question"]) == pytest.approx(0.45)
    assert villain["Question comments"] == "Episode 3 showed it.\nCalled it!"
    assert first("<img src=x> '; DROP TABLE theories; -- *bold* | # not a heading")["Resolution"] == "NO"
    void = first("A time jump of five years")
    assert (void["Resolution"], void["Your Brier score for this question"]) == ("AMBIGUOUS", "")
    reopened = first("Nicholas returns")
    assert (
        reopened["Resolution"],
        reopened["Resolved at"],
        reopened["Your Brier score for this question"],
    ) == (
        "",
        "",
        "",
    )


def test_fatebooks_own_layout_byte_for_byte(journal: Journal, clock: FakeClock) -> None:
    """Text quoted always, numbers, times and booleans bare, nothing for a missing value, lines
    joined by "\\n", as lib/web/export.ts in Sage-Future/fatebook writes them (seconds aside:
    Fatebook drops their leading zero)."""
    theory = write(journal, 'Jack says "oui"', body="", tags=("romance", "season-2"), confidence=70)
    clock.advance(days=1)
    journal.theories.resolve(theory.id, TheoryStatus.CONFIRMED, "Called it")
    lines = export_bytes(journal, clock, "csv").decode("utf-8").split("\n")
    assert lines[1] == (
        '"Jack says ""oui""",,,0.7,2026-03-01 12:00:00,,2026-03-01 12:00:00,,"YES",2026-03-02 12:00:00,'
        '0.18000000000000005,,"","",false,"Called it","romance; season-2"'
    )


@pytest.mark.parametrize(
    ("steps", "status", "brier"),
    [
        # (hours after creation, confidence) …, then resolved at the last hour given
        ([(0, 70), (1, None)], TheoryStatus.CONFIRMED, 0.18),  # 2 × 0.3², under a day: one interval
        ([(0, 70), (48, None)], TheoryStatus.BUSTED, 0.98),  # 2 × 0.7² every day
        ([(0, 90), (72, 95), (168, None)], TheoryStatus.CONFIRMED, 0.0114),  # Fatebook's own test: 0.0114
        ([(0, 40), (24, 70), (36, None)], TheoryStatus.CONFIRMED, (0.72 + 0.18 * 0.5) / 1.5),  # half a day
        (
            [(0, 50), (12, 80), (24, None)],
            TheoryStatus.CONFIRMED,
            2 * (1 - 0.65) ** 2,
        ),  # average within a day
        ([(0, 50), (24, None)], TheoryStatus.VOID, None),  # Fatebook stores no score for AMBIGUOUS
        ([(0, 50), (0, None)], TheoryStatus.CONFIRMED, None),  # resolved at once: no day to score
    ],
)
def test_brier_column_is_fatebooks_score(
    journal: Journal,
    clock: FakeClock,
    steps: list[tuple[int, int | None]],
    status: TheoryStatus,
    brier: float | None,
) -> None:
    """Two-sided (0–2), the forecast in force averaged over the days the question was open."""
    start = clock.now
    theory = write(journal, "Scored", confidence=steps[0][1])
    for hours, value in steps[1:]:
        clock.advance(start + timedelta(hours=hours) - clock.now)
        if value is not None:
            journal.theories.set_confidence(theory.id, value)
    journal.theories.resolve(theory.id, status)
    cells = {r["Your Brier score for this question"] for r in rows(export_bytes(journal, clock, "csv"))}
    if brier is None:
        assert cells == {""}
    else:
        (cell,) = cells
        assert float(cell) == pytest.approx(brier, abs=1e-4)  # Fatebook's own tolerance


def test_fatebook_scoring_test_vectors() -> None:
    """The cases in Fatebook's pages/api/test_scoring.ts, with the values it expects."""
    t0 = utc(2025, 1, 1)

    def at(days: float) -> datetime:
        return t0 + timedelta(days=days)

    single = fatebook_brier(t0, at(7), True, [(at(0), 0.9), (at(3), 0.95)])
    assert single == pytest.approx(0.0114, abs=1e-4)
    part_day = fatebook_brier(t0, at(0.7), True, [(at(0.2), 0.9)])
    assert part_day == pytest.approx(0.02, abs=1e-4)
    two_in_a_day = fatebook_brier(t0, at(0.7), True, [(at(0), 0.9), (at(0.21), 0.95)])
    assert two_in_a_day == pytest.approx(0.00845, abs=1e-4)
    assert fatebook_brier(t0, at(1), False, []) is None


def test_numbers_are_written_as_javascript_writes_them() -> None:
    assert [js_number(x) for x in (0.18000000000000005, 2.0, 0.0, 0.0002, 5e-05, 1e-07, 1.5e-08, 1e21)] == [
        "0.18000000000000005",
        "2",
        "0",
        "0.0002",
        "0.00005",
        "1e-7",
        "1.5e-8",
        "1e+21",
    ]


def test_awkward_text_survives_csv_quoting(journal: Journal, clock: FakeClock) -> None:
    title = 'Jack says "non", then, "oui"'
    body = 'Line one, with a comma\nLine two with "quotes"\r\nLine three; =1+1'
    write(journal, title, body=body)
    (row,) = rows(export_bytes(journal, clock, "csv"))
    assert row["Question title"] == title
    assert row["Question notes"] == body.replace("\r\n", "\n")


# --- import ----------------------------------------------------------------------------------


def test_a_fatebook_export_becomes_theories_with_their_history(journal: Journal, clock: FakeClock) -> None:
    report = transfer(journal, clock).import_file(FATEBOOK)
    assert report == ImportReport("csv", theories_created=5, forecasts_added=10, tags_created=5)
    assert report.summary() == "5 new, 0 updated, 0 unchanged"
    found = theories_by_title(journal)
    company = found["Which company will a revival follow?"]  # multiple choice
    assert [(o.name, o.confidence, o.happened) for o in company.options] == [
        ("Le Ballet National", 60, False),
        ("Metropolitan Ballet Theater", 40, False),
    ]
    assert [(p.option, p.confidence) for p in company.history] == [
        ("Le Ballet National", 60),
        ("Metropolitan Ballet Theater", 40),
    ]
    assert (company.status, company.confidence, company.tags) == (TheoryStatus.OPEN, 60, ("étoile",))

    renew = found["Will Prime Video renew Étoile for a second season?"]
    assert renew.status is TheoryStatus.BUSTED
    assert renew.history == (  # in time order, though the file lists them otherwise
        Forecast(80, utc(2025, 5, 1, 9, 15)),
        Forecast(65, utc(2025, 5, 20, 18, 2, 7)),
        Forecast(7, utc(2025, 6, 6, 18, 5, 3)),  # Fatebook writes seconds without a zero
    )
    assert renew.confidence == 7
    assert renew.created_at == utc(2025, 5, 1, 9, 15)
    assert renew.resolved_at == utc(2025, 6, 6, 18, 30)
    assert renew.resolved_on == date(2025, 6, 6)
    assert renew.resolve_by == date(2025, 12, 31)
    assert renew.resolution_note == "Ann Dupont: Cancelled after one season, despite the order."
    assert renew.body == "Two seasons were ordered in 2023, so this looks safe."
    assert renew.tags == ("renewal", "étoile")
    assert renew.category is Category.OTHER

    drop = found["Will all eight episodes drop on the same day?"]
    assert drop.status is TheoryStatus.CONFIRMED
    assert [p.confidence for p in drop.history] == [55, 71]
    assert drop.body == ""

    london = found["Will filming move to London?"]
    assert london.status is TheoryStatus.VOID
    assert london.resolve_by is None

    couple = found['Will Cheyenne and Jack get together, "for real", in a revival?']
    assert couple.status is TheoryStatus.OPEN
    assert [p.confidence for p in couple.history] == [35, 40]
    assert couple.body == (
        "Only if there is a revival.\nThe finale kiss, though…\n\nComments: Ann Dupont: agreed, with caveats"
    )
    assert couple.tags == ("love-triangle", "romance", "étoile")
    assert couple.resolved_at is None

    # Scored like any resolved theory, with the confidence in force at resolution.
    assert journal.track.summary().overall.count == 2


def test_reimporting_the_same_csv_creates_nothing(journal: Journal, clock: FakeClock, db_snapshot) -> None:
    transfer(journal, clock).import_file(FATEBOOK)
    before = db_snapshot(journal)
    calls: list[int] = []
    report = transfer(journal, clock).import_file(FATEBOOK, before_write=lambda: calls.append(1))
    assert report == ImportReport("csv", theories_unchanged=5)
    assert calls == []
    assert db_snapshot(journal) == before


def test_new_rows_for_a_known_question_add_to_its_history(journal: Journal, clock: FakeClock) -> None:
    transfer(journal, clock).import_file(FATEBOOK)
    text = FATEBOOK.read_text(encoding="utf-8")
    extra = text.splitlines()[5].replace("0.71,2025-04-01 21:45:10", "0.9,2025-04-20 08:00:00")
    report = transfer(journal, clock).import_bytes((text + extra + "\n").encode("utf-8"), "csv")
    assert (report.theories_created, report.theories_updated, report.forecasts_added) == (0, 1, 1)
    drop = theories_by_title(journal)["Will all eight episodes drop on the same day?"]
    assert [p.confidence for p in drop.history] == [55, 71, 90]
    assert drop.updated_at == clock.now
    assert theory_count(journal) == 5


def test_a_file_without_the_optional_columns_imports(journal: Journal, clock: FakeClock) -> None:
    report = transfer(journal, clock).import_file(MINIMAL)
    assert (report.theories_created, report.forecasts_added, report.rows_skipped) == (3, 5, 0)
    found = theories_by_title(journal)
    renew = found["Will Prime Video renew Étoile for a second season?"]
    assert renew.status is TheoryStatus.BUSTED
    assert renew.created_at == utc(2025, 5, 1, 9, 15)  # no "Question created at": the first forecast
    assert renew.resolved_at == utc(2025, 5, 20, 18, 2, 7)  # no "Resolved at": the last forecast
    assert found["Will all eight episodes drop on the same day?"].body == "Announced in the trailer."
    mishi = found["Will Mishi turn villain?"]
    assert [p.confidence for p in mishi.history] == [99, 1]  # 0.999 and 0.004, kept within 1–99 %
    assert mishi.tags == ()


def test_a_missing_column_leaves_what_the_journal_knows(journal: Journal, clock: FakeClock) -> None:
    transfer(journal, clock).import_file(FATEBOOK)
    report = transfer(journal, clock).import_file(MINIMAL)
    # Two questions are the same (title and first forecast), with other notes; the third is new.
    assert (report.theories_created, report.theories_updated, report.theories_unchanged) == (1, 2, 0)
    renew = theories_by_title(journal)["Will Prime Video renew Étoile for a second season?"]
    assert renew.tags == ("renewal", "étoile")  # the minimal file has no tags column
    assert renew.resolve_by == date(2025, 12, 31)
    assert renew.resolution_note == "Ann Dupont: Cancelled after one season, despite the order."
    assert renew.body == ""  # it does have a notes column, empty for this question
    assert renew.resolved_at == utc(2025, 6, 6, 18, 30)  # it has no "Resolved at" column
    drop = theories_by_title(journal)["Will all eight episodes drop on the same day?"]
    assert drop.body == "Announced in the trailer."
    assert [p.confidence for p in drop.history] == [55, 71]


def test_a_csv_export_round_trips_into_an_empty_journal(
    journal: Journal,
    fresh: Journal,  # noqa: F811
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    build_rich_journal(journal, clock)
    path = tmp_path / "theories.csv"
    assert transfer(journal, clock).export_file(path, "csv").theories == 10
    report = transfer(fresh, clock).import_file(path)
    assert report.theories_created == 10
    source, copied = theories_by_title(journal), theories_by_title(fresh)
    assert set(copied) == {t for t, v in source.items() if not v.is_deleted}
    for title, theory in copied.items():
        original = source[title]
        assert theory.status is original.status
        assert theory.confidence == original.confidence
        assert theory.tags == original.tags
        assert theory.body == original.body
        assert theory.resolution_note == original.resolution_note
        assert theory.options == original.options
        assert [(p.option, p.confidence, p.changed_at.replace(microsecond=0)) for p in theory.history] == [
            (p.option, p.confidence, p.changed_at.replace(microsecond=0)) for p in original.history
        ]
    # Same bytes out again: the CSV carries everything it can hold.
    assert export_bytes(fresh, clock, "csv") == path.read_bytes()
    again = transfer(fresh, clock).import_file(path)
    assert (again.theories_created, again.theories_unchanged) == (0, 10)


def test_reimporting_our_own_csv_export_changes_nothing(
    journal: Journal, clock: FakeClock, db_snapshot
) -> None:
    build_rich_journal(journal, clock)
    raw = export_bytes(journal, clock, "csv")
    before = db_snapshot(journal)
    report = transfer(journal, clock).import_bytes(raw, "csv")
    assert report == ImportReport("csv", theories_unchanged=10)
    assert db_snapshot(journal) == before


def test_fatebook_tags_become_journal_tags() -> None:
    assert fatebook_tag(" U.S. Politics ") == "u-s-politics"
    assert fatebook_tag("Étoile/Season 2") == "étoile/season-2"
    assert fatebook_tag("!!!") == ""
    assert fatebook_tag("a//b") == "a/b"


# --- bad files -------------------------------------------------------------------------------

GOOD_HEADER = "Question title,Forecast (scale = 0-1),Forecast created at,Resolution,Question tags\n"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "empty"),
        ("Question title,Forecast created at\nA,2025-01-01\n", 1, '"Forecast (scale = 0-1)" column'),
        ("Question title,Question title,Forecast (scale = 0-1),Forecast created at\n", 1, "twice"),
        (
            GOOD_HEADER + "Fine,0.5,2025-01-01 10:00:00,,\nBad,1.5,2025-01-01 10:00:00,,\n",
            3,
            "between 0 and 1",
        ),
        (GOOD_HEADER + "Fine,0.5,2025-01-01 10:00:00,,\nBad,abc,2025-01-01 10:00:00,,\n", 3, "not a number"),
        (GOOD_HEADER + "Bad,NaN,2025-01-01 10:00:00,,\n", 2, "not a number"),
        (GOOD_HEADER + "Bad,Infinity,2025-01-01 10:00:00,,\n", 2, "not a number"),
        (GOOD_HEADER + "Bad,,2025-01-01 10:00:00,,\n", 2, "is empty"),
        (GOOD_HEADER + "Bad,0.5,01/02/2025,,\n", 2, "YYYY-MM-DD HH:MM:SS"),
        (GOOD_HEADER + "Bad,0.5,2025-02-30 10:00:00,,\n", 2, "YYYY-MM-DD HH:MM:SS"),
        (GOOD_HEADER + "Bad,0.5,1066-10-14 10:00:00,,\n", 2, "out of range"),
        (GOOD_HEADER + "Bad,0.5,2025-01-01 10:00:00,MAYBE,\n", 2, "YES, NO, AMBIGUOUS"),
        (GOOD_HEADER + "Bad,0.5,2025-01-01 10:00:00,YES,\n".replace("2025", "2099"), 2, "future"),
        (GOOD_HEADER + "Long " * 5_000 + ",0.5,2025-01-01 10:00:00,,\n", 2, "The body is 24,999 characters"),
        (
            "Question title;Forecast (scale = 0-1);Forecast created at\nA;0,5;2025-01-01 10:00:00\n",
            1,
            "separated by semicolons",
        ),
        ("Question title\tForecast (scale = 0-1)\tForecast created at\n", 1, "separated by tabs"),
        (GOOD_HEADER + ",0.5,2025-01-01 10:00:00,,\n", 2, "Give the theory a title"),
        (GOOD_HEADER + '"Ok\n\nmulti-line, quoted",0.5,2025-01-01 10:00:00,,\nBad,0.5,never,,\n', 5, "never"),
        (GOOD_HEADER + "Bad,0.5,2025-01-01 10:00:00,\n", 2, "4 cells"),
        (GOOD_HEADER + 'Bad,0.5,"2025-01-01"x,,\n', 2, "not valid CSV"),
        (GOOD_HEADER + "Bad\x07bell,0.5,2025-01-01 10:00:00,,\n", 2, "control character"),
        (GOOD_HEADER + "Bad,0.5,2025-01-01 10:00:00,," + "t" * 41 + "\n", 2, "limit is 40"),
    ],
)
def test_bad_csv_is_rejected_naming_the_line(
    journal: Journal, clock: FakeClock, db_snapshot, text: str, line: int, words: str
) -> None:
    write(journal, "Already here")
    before = db_snapshot(journal)
    calls: list[int] = []
    with pytest.raises(ImportFileError) as caught:
        transfer(journal, clock).import_bytes(
            text.encode("utf-8"), "csv", before_write=lambda: calls.append(1)
        )
    assert caught.value.line == line, caught.value.message
    assert caught.value.message.startswith(f"line {line}: ")
    assert words in caught.value.message
    assert calls == []
    assert db_snapshot(journal) == before


def test_invalid_utf8_names_the_line(journal: Journal, clock: FakeClock, db_snapshot) -> None:
    raw = GOOD_HEADER.encode() + b"Fine,0.5,2025-01-01 10:00:00,,\nCaf\xe9,0.5,2025-01-01 10:00:00,,\n"
    before = db_snapshot(journal)
    with pytest.raises(ImportFileError, match=r"^line 3: the file is not UTF-8"):
        transfer(journal, clock).import_bytes(raw, "csv")
    assert db_snapshot(journal) == before


def test_a_byte_order_mark_and_old_column_names_are_understood() -> None:
    text = (
        "\ufeffQuestion title,Forecast (scale = 0-1),Forecast created at,"
        "Question resolution,Question resolved at\n"
        "Old export,0.25,2024-01-01 10:00:00,YES,2024-02-01 10:00:00\n"
    )
    (question,) = parse_csv(text.encode("utf-8")).questions
    assert question.status is TheoryStatus.CONFIRMED
    assert question.resolved_at == utc(2024, 2, 1, 10)


def test_forecasts_are_rounded_half_up_and_percentages_understood() -> None:
    text = GOOD_HEADER + "".join(
        f"Q{i},{value},2025-01-0{i} 10:00:00,,\n"
        for i, value in enumerate(["0.505", "0.5049", "70%", "0", "1"], 1)
    )
    found = [q.forecasts[0].confidence for q in parse_csv(text.encode()).questions]
    assert found == [51, 50, 70, 1, 99]


def test_times_with_offsets_are_converted_to_utc() -> None:
    text = GOOD_HEADER + "Q,0.5,2025-01-01T10:00:00+02:00,,\nQ,0.6,2025-01-02T10:00:00.5Z,,\n"
    (question,) = parse_csv(text.encode()).questions
    assert [f.at for f in question.forecasts] == [utc(2025, 1, 1, 8), utc(2025, 1, 2, 10, 0, 0, 500000)]


# --- Fatebook's tags, spreadsheets, long titles, shared questions ------------------------------

FULL_HEADER = ",".join(CSV_COLUMNS) + "\n"


def fatebook_row(
    title: str,
    forecast: str,
    at: str,
    *,
    by: str = "Ann Dupont",
    made_by: str = "Ann Dupont",
    created: str = "2025-05-01 09:15:0",
    tags: str = "",
    notes: str = "",
    option: str = "",
) -> str:
    """One row as Fatebook's exporter writes it (text quoted, one-digit seconds)."""
    cells = [
        f'"{title}"',
        f'"{option}"' if option else "",
        f'"{by}"',
        forecast,
        at,
        f'"{made_by}"',
        created,
        "2025-12-31 00:00:0",
        "",
        "",
        "",
        "",
        f'"{notes}"',
        '""',
        "false",
        '""',
        f'"{tags}"',
    ]
    return ",".join(cells) + "\n"


def test_fatebook_tags_are_split_on_semicolons() -> None:
    text = FULL_HEADER + fatebook_row("Season 2?", "0.4", "2025-05-01 09:15:0", tags="romance; season 2")
    (question,) = parse_csv(text.encode()).questions
    assert question.tags == ("romance", "season-2")  # not one tag "romance-season-2"


def test_tags_from_older_comma_joined_exports_are_still_split() -> None:
    text = GOOD_HEADER + 'Q,0.5,2025-01-01 10:00:00,,"romance, love triangle"\n'
    (question,) = parse_csv(text.encode()).questions
    assert question.tags == ("love-triangle", "romance")


def test_formula_guard_is_symmetric() -> None:
    for text in ("=1+1", "+33 6", "-2 episodes", "@mention", "\tindent", "'=quoted", "''-x"):
        guarded = guard_formula(text)
        assert guarded == "'" + text
        assert unguard_formula(guarded) == text
    for text in ("plain", "'apostrophe", "a=b", "", "'", "1-2"):
        assert guard_formula(text) == text
        assert unguard_formula(text) == text


def test_a_formula_cannot_reach_a_spreadsheet(journal: Journal, clock: FakeClock) -> None:
    title = '=HYPERLINK("http://evil.example","click")'
    body = "@SUM(1+1)*cmd|' /C calc'!A0\n-then a list"
    theory = write(journal, title, body=body, tags=("romance",))
    journal.theories.resolve(theory.id, TheoryStatus.VOID, "+1 for drama")
    raw = export_bytes(journal, clock, "csv")
    (row,) = rows(raw)
    assert row["Question title"] == "'" + title
    assert row["Question notes"] == "'" + body
    assert row["Question comments"] == "'+1 for drama"
    for name, value in row.items():
        assert not value or value[0] not in "=+-@\t\r", (name, value)
    (question,) = parse_csv(raw).questions
    assert (question.title, question.body, question.resolution_note) == (title, body, "+1 for drama")


PLAIN_TEXT = st.characters(exclude_categories=("Cc", "Cs"))  # what a person can type: line breaks aside
LEADS = st.sampled_from(["", "=", "+", "-", "@", "'", "'=", "''+", "' -", "\t", '"=', "\u00a0="])


def _valid(clean: object, text: str) -> bool:
    try:
        return clean(text) == text  # type: ignore[operator]
    except ValidationError:
        return False


titles = st.builds(str.__add__, LEADS, st.text(PLAIN_TEXT, min_size=1, max_size=60)).filter(
    lambda t: _valid(rules.clean_title, t)
)
bodies = st.builds(
    str.__add__, LEADS, st.text(st.one_of(PLAIN_TEXT, st.sampled_from("\n\t\"',;")), max_size=80)
).filter(lambda t: _valid(rules.clean_body, t))


@settings(max_examples=300, deadline=None)
@given(title=titles, body=bodies)
def test_any_title_and_notes_survive_export_and_import(title: str, body: str) -> None:
    moment = utc(2025, 5, 1, 9, 15)
    theory = TheoryEntry(
        uid="1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        title=title,
        body=body,
        category=Category.OTHER,
        confidence=60,
        juiciness=None,
        status=TheoryStatus.OPEN,
        resolve_by=None,
        resolved_on=None,
        resolved_at=None,
        resolution_note="",
        created_at=moment,
        updated_at=moment,
        deleted_at=None,
        starter_key=None,
        history=(Forecast(60, moment),),
    )
    raw = format_csv([theory]).encode("utf-8")
    (question,) = parse_csv(raw).questions
    assert (question.title, question.body) == (title, body)
    assert not question.shortened


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("=1+1", "+33 6 12 34 56 78"),
        ("'=already quoted", "''-twice"),
        ("-2 episodes?", "\t-indented\n=line two"),
        ('@Jack "and" Cheyenne, again', "'"),
    ],
)
def test_formulas_survive_the_services_round_trip(
    journal: Journal,
    fresh: Journal,  # noqa: F811
    clock: FakeClock,
    title: str,
    body: str,
) -> None:
    write(journal, title, body=body)
    raw = export_bytes(journal, clock, "csv")
    assert transfer(fresh, clock).import_bytes(raw, "csv").theories_created == 1
    (copied,) = theories_by_title(fresh).values()
    assert (copied.title, copied.body) == (title, body)
    assert export_bytes(fresh, clock, "csv") == raw


def test_a_long_title_is_shortened_not_refused(journal: Journal, clock: FakeClock, db_snapshot) -> None:
    long_title = "Will " + " ".join(["the Paris company and the New York company merge"] * 6) + "?"
    assert len(long_title) > rules.TITLE_MAX
    text = FULL_HEADER + "".join(
        [
            fatebook_row(long_title, "0.2", "2025-05-01 09:15:0", notes="My notes."),
            fatebook_row("Short and fine", "0.6", "2025-05-02 10:00:0"),
        ]
    )
    report = transfer(journal, clock).import_bytes(text.encode(), "csv")
    assert report.theories_created == 2
    (short,) = report.titles_shortened
    assert len(short) <= rules.TITLE_MAX and short.endswith("…")
    assert long_title.startswith(short[:-1].rstrip())
    assert "1 long title shortened" in report.summary()
    theory = theories_by_title(journal)[short]
    assert theory.body == f"{long_title}\n\nMy notes."  # nothing is lost
    before = db_snapshot(journal)
    again = transfer(journal, clock).import_bytes(text.encode(), "csv")
    assert (again.theories_created, again.theories_unchanged) == (0, 2)
    assert db_snapshot(journal) == before


SHARED = FULL_HEADER + "".join(
    [
        fatebook_row("Season 2?", "0.4", "2025-05-01 09:15:0"),
        fatebook_row("Season 2?", "0.9", "2025-05-02 09:15:0", by="Bob"),
        fatebook_row("Season 2?", "0.5", "2025-05-03 09:15:0"),
        fatebook_row("Revival?", "0.3", "2025-05-04 09:15:0", created="2025-05-04 09:15:0"),
        # Bob's question, shared with Ann: she never forecast on it.
        fatebook_row(
            "Bob's own", "0.7", "2025-05-05 09:15:0", by="Bob", made_by="Bob", created="2025-05-05 9:15:0"
        ),
        fatebook_row(
            "Which company?", "0.6", "2025-05-06 09:15:0", option="Paris", created="2025-05-06 09:15:0"
        ),
    ]
)


def test_a_shared_question_imports_the_owners_forecasts(journal: Journal, clock: FakeClock) -> None:
    report = transfer(journal, clock).import_bytes(SHARED.encode(), "csv")
    assert report == ImportReport(
        "csv",
        theories_created=2,
        forecasts_added=3,
        tags_created=0,
        rows_skipped=1,
        forecasts_skipped=2,
        questions_skipped=1,
        forecaster="Ann Dupont",
        forecaster_guessed=True,
    )
    assert report.summary() == (
        "2 new, 0 updated, 0 unchanged (1 row of multiple-choice questions the journal cannot hold "
        "skipped; only Ann Dupont's forecasts "
        "imported, guessed to be yours: 2 forecasts by other people skipped, 1 question without "
        "any of theirs left out)"
    )
    found = theories_by_title(journal)
    assert [p.confidence for p in found["Season 2?"].history] == [40, 50]
    assert "Bob's own" not in found


def test_the_forecaster_can_be_named(journal: Journal, clock: FakeClock) -> None:
    report = transfer(journal, clock).import_bytes(SHARED.encode(), "csv", forecaster="  bob ")
    assert (report.forecaster, report.forecaster_guessed) == ("Bob", False)
    assert (report.theories_created, report.forecasts_skipped, report.questions_skipped) == (2, 3, 1)
    found = theories_by_title(journal)
    assert [p.confidence for p in found["Season 2?"].history] == [90]
    assert [p.confidence for p in found["Bob's own"].history] == [70]


def test_a_forecaster_not_in_the_file_is_refused(journal: Journal, clock: FakeClock, db_snapshot) -> None:
    before = db_snapshot(journal)
    with pytest.raises(ImportFileError, match=r"nobody named 'Carol'.*'Ann Dupont', 'Bob'"):
        transfer(journal, clock).import_bytes(SHARED.encode(), "csv", forecaster="Carol")
    assert db_snapshot(journal) == before


def test_one_persons_file_needs_no_forecaster(journal: Journal, clock: FakeClock) -> None:
    report = transfer(journal, clock).import_file(FATEBOOK, forecaster="Ann Dupont")
    assert (report.theories_created, report.forecasts_skipped, report.forecaster) == (5, 0, "")

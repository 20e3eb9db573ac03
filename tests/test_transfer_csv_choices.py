"""Fatebook's multiple-choice questions in a CSV import: one multiple-choice theory each, with its
options and their forecasts over time, resolved with the option that happened.

The fixture follows Fatebook's exporter (``lib/web/export.ts`` in Sage-Future/fatebook, the
version with "Multiple choice option"): one row per forecast, the option's text in "Multiple
choice option", "Resolution" and "Resolved at" the option's own; an exclusive question resolved
to an option has that option YES and the others NO, and resolved as "other" (or ambiguous) has
them all NO (``lib/interactive_handlers/resolve.ts``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from helpers import DATA_DIR, FakeClock, write
from sqlalchemy import select
from test_transfer_json import ids_by_uid, transfer

from etoile_app.domain import rules
from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.models import Forecast, OptionDraft, Theory
from etoile_app.domain.transfer import CSV_COLUMNS, ImportFileError, ImportReport, parse_csv
from etoile_app.services.journal import Journal
from etoile_app.storage.models import OptionRecord

CHOICES = DATA_DIR / "fatebook-export-multiple-choice.csv"
HEADER = ",".join(CSV_COLUMNS) + "\n"
DIRECT = "Who will direct the first episode of season 2?"
SET = "Where will a revival be set?"
BALLET = "Which ballet opens season 2?"
DANCERS = "Which dancers return for season 2?"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def theories_by_title(journal: Journal) -> dict[str, Theory]:
    return {t.title: t for t in (journal.theories.get(i) for i in ids_by_uid(journal).values())}


def row(
    title: str,
    option: str,
    forecast: str,
    at: str,
    *,
    by: str = "Ann Dupont",
    created: str = "2025-05-01 09:15:0",
    resolution: str = "",
    resolved_at: str = "",
) -> str:
    """One row of a multiple-choice question as Fatebook's exporter writes it."""
    cells = [
        f'"{title}"',
        f'"{option}"' if option else "",
        f'"{by}"',
        forecast,
        at,
        '"Ann Dupont"',
        created,
        "2025-12-31 00:00:0",
        f'"{resolution}"' if resolution else "",
        resolved_at,
        "",
        "",
        '""',
        '""',
        "false",
        '""',
        '""',
    ]
    return ",".join(cells) + "\n"


def question(title: str, *options: tuple[str, str, str], **kwargs: str) -> str:
    """Rows of one question: ``(option, forecast, resolution)`` each, forecast at one time."""
    return "".join(
        row(title, name, forecast, "2025-05-02 10:00:0", resolution=resolution, **kwargs)
        for name, forecast, resolution in options
    )


# --- a Fatebook export -----------------------------------------------------------------------


def test_multiple_choice_questions_become_multiple_choice_theories(
    journal: Journal, clock: FakeClock
) -> None:
    report = transfer(journal, clock).import_file(CHOICES)
    assert report == ImportReport("csv", theories_created=4, forecasts_added=13, rows_skipped=3)
    assert report.summary() == (
        "4 new, 0 updated, 0 unchanged (3 rows of multiple-choice questions the journal cannot hold skipped)"
    )
    found = theories_by_title(journal)
    assert DANCERS not in found  # two of its options came true: not one multiple-choice call

    direct = found[DIRECT]
    assert direct.status is TheoryStatus.CONFIRMED
    assert direct.option_happened == "Marc Webb"
    assert [(o.name, o.confidence, o.happened) for o in direct.options] == [
        ("Marc Webb", 60, True),
        ("Amy Sherman-Palladino", 30, False),
        ("Someone new", 10, False),
    ]
    assert direct.history == (  # the option forecasts over time
        Forecast(50, utc(2025, 5, 1, 9, 15), "", "Marc Webb"),
        Forecast(30, utc(2025, 5, 1, 9, 15), "", "Amy Sherman-Palladino"),
        Forecast(20, utc(2025, 5, 1, 9, 15), "", "Someone new"),
        Forecast(60, utc(2025, 6, 20, 18, 2, 7), "", "Marc Webb"),
        Forecast(10, utc(2025, 6, 20, 18, 2, 7), "", "Someone new"),
    )
    assert direct.confidence == 60
    # Settled when the last of its options was.
    assert (direct.resolved_at, direct.resolved_on) == (utc(2025, 9, 1, 12, 0, 1), date(2025, 9, 1))
    assert direct.resolution_note == "Ann Dupont: announced at the premiere"
    assert direct.body == "Only if there is a season 2."
    assert direct.resolve_by == date(2025, 9, 30)

    # Every option NO: Fatebook's "other" or ambiguous, which the file cannot tell apart.
    revival = found[SET]
    assert revival.status is TheoryStatus.VOID
    assert revival.option_happened is None
    assert [(o.name, o.confidence) for o in revival.options] == [("Paris", 45), ("New York", 45)]

    ballet = found[BALLET]
    assert ballet.status is TheoryStatus.OPEN
    assert [(o.name, o.confidence) for o in ballet.options] == [
        ("Giselle", 20),
        ("Swan Lake", 55),
        ("The Nutcracker", 25),
    ]
    assert len(ballet.history) == 5

    announced = found["Will season 2 be announced in 2025?"]
    assert (announced.options, [p.confidence for p in announced.history]) == ((), [30])


def test_reimporting_the_same_multiple_choice_csv_changes_nothing(
    journal: Journal, clock: FakeClock, db_snapshot
) -> None:
    transfer(journal, clock).import_file(CHOICES)
    before = db_snapshot(journal)
    calls: list[int] = []
    report = transfer(journal, clock).import_file(CHOICES, before_write=lambda: calls.append(1))
    assert report == ImportReport("csv", theories_unchanged=4, rows_skipped=3)
    assert calls == []
    assert db_snapshot(journal) == before


def test_new_option_forecasts_join_the_theory_and_keep_its_option_rows(
    journal: Journal, clock: FakeClock
) -> None:
    transfer(journal, clock).import_file(CHOICES)
    ballet = theories_by_title(journal)[BALLET]
    with journal.database.sessions() as s:
        stmt = select(OptionRecord.name, OptionRecord.id).where(OptionRecord.theory_id == ballet.id)
        before = dict(s.execute(stmt).all())
    giselle = next(line for line in CHOICES.read_text(encoding="utf-8").splitlines() if '"Giselle"' in line)
    extra = [
        giselle.replace("0.25,2025-07-01 20:00:0", "0.4,2025-08-01 20:00:0"),
        giselle.replace("0.25,2025-07-01 20:00:0", "0.1,2025-08-01 20:00:0").replace(
            "Giselle", "Don Quixote"
        ),
    ]
    raw = CHOICES.read_bytes() + "\n".join(extra).encode()
    report = transfer(journal, clock).import_bytes(raw, "csv")
    assert (report.theories_updated, report.forecasts_added, report.theories_unchanged) == (1, 2, 3)
    after = theories_by_title(journal)[BALLET]
    assert [(o.name, o.confidence) for o in after.options] == [
        ("Giselle", 40),
        ("Swan Lake", 55),
        ("The Nutcracker", 25),
        ("Don Quixote", 10),
    ]
    with journal.database.sessions() as s:
        stmt = select(OptionRecord.name, OptionRecord.id).where(OptionRecord.theory_id == after.id)
        now = dict(s.execute(stmt).all())
    assert {name: now[name] for name in before} == before


def test_a_resolution_in_a_later_export_settles_the_theory(journal: Journal, clock: FakeClock) -> None:
    transfer(journal, clock).import_file(CHOICES)
    text = CHOICES.read_text(encoding="utf-8")
    resolved = []
    for line in text.splitlines():
        if line.startswith(f'"{BALLET}"'):
            option = line.split('","')[1]
            outcome = '"YES",2026-05-01 20:00:0' if option == "Swan Lake" else '"NO",2026-05-01 20:00:0'
            line = line.replace("2026-06-30 00:00:0,,", f"2026-06-30 00:00:0,{outcome}")
        resolved.append(line)
    clock.now = utc(2026, 6, 1, 12)
    report = transfer(journal, clock).import_bytes("\n".join(resolved).encode(), "csv")
    assert (report.theories_updated, report.forecasts_added) == (1, 0)
    ballet = theories_by_title(journal)[BALLET]
    assert (ballet.status, ballet.option_happened) == (TheoryStatus.CONFIRMED, "Swan Lake")
    assert ballet.resolved_at == utc(2026, 5, 1, 20)


# --- questions the journal cannot hold, and bad rows -----------------------------------------


@pytest.mark.parametrize(
    ("rows", "why"),
    [
        (question("Q?", ("Paris", "0.6", "")), "one option"),
        (question("Q?", *((f"Option {n}", "0.05", "") for n in range(13))), "thirteen options"),
        (question("Q?", ("Paris", "0.6", ""), ("PARIS", "0.4", "")), "names that differ in capitals"),
        (question("Q?", ("Paris", "0.6", "YES"), ("Rome", "0.3", "YES")), "two options came true"),
        (question("Q?", ("Paris", "0.6", "YES"), ("Rome", "0.3", "AMBIGUOUS")), "one came true, one unsure"),
    ],
)
def test_a_question_the_journal_cannot_hold_is_skipped_and_counted(
    journal: Journal, clock: FakeClock, rows: str, why: str
) -> None:
    text = HEADER + rows + row("Fine?", "", "0.5", "2025-05-03 10:00:0")
    report = transfer(journal, clock).import_bytes(text.encode(), "csv")
    assert (report.theories_created, report.rows_skipped) == (1, rows.count("\n")), why
    assert set(theories_by_title(journal)) == {"Fine?"}


@pytest.mark.parametrize(
    ("resolutions", "status", "happened"),
    [
        (("YES", "NO", "NO"), TheoryStatus.CONFIRMED, "Rome"),
        (("NO", "NO", "NO"), TheoryStatus.VOID, None),
        (("AMBIGUOUS", "AMBIGUOUS", "AMBIGUOUS"), TheoryStatus.VOID, None),
        (("NO", "AMBIGUOUS", "NO"), TheoryStatus.VOID, None),
        (("YES", "", ""), TheoryStatus.OPEN, None),  # options resolved one by one, not all yet
        (("", "", ""), TheoryStatus.OPEN, None),
    ],
)
def test_how_fatebook_settled_the_options_gives_the_theorys_resolution(
    resolutions: tuple[str, str, str], status: TheoryStatus, happened: str | None
) -> None:
    options = [(name, "0.3", r) for name, r in zip(("Rome", "Paris", "Oslo"), resolutions, strict=True)]
    resolved_at = "2025-06-01 10:00:0" if any(resolutions) else ""
    (parsed,) = parse_csv((HEADER + question("Q?", *options, resolved_at=resolved_at)).encode()).questions
    assert (parsed.options, parsed.status, parsed.happened) == (("Rome", "Paris", "Oslo"), status, happened)
    assert parsed.resolved_at == (utc(2025, 6, 1, 10) if status.is_resolved else None)


def test_a_long_option_name_is_shortened(journal: Journal, clock: FakeClock) -> None:
    long = "The company " + "of the Paris opera house " * 4
    assert len(long) > rules.OPTION_NAME_MAX
    text = HEADER + question("Q?", (long, "0.6", ""), ("Elsewhere", "0.4", ""))
    transfer(journal, clock).import_bytes(text.encode(), "csv")
    (theory,) = theories_by_title(journal).values()
    name = theory.options[0].name
    assert len(name) <= rules.OPTION_NAME_MAX and name.endswith("…")
    assert long.startswith(name[:-1].rstrip())
    assert [p.option for p in theory.history] == [name, "Elsewhere"]


@pytest.mark.parametrize(
    ("rows", "line", "words"),
    [
        (question("Q?", ("Paris", "0.6", "MAYBE"), ("Rome", "0.4", "NO")), 2, "not YES, NO, AMBIGUOUS"),
        (question("Q?", ("Paris", "0.6", ""), ("Ro\x07me", "0.4", "")), 3, "control character"),
        (question("Q?", ("Paris", "1.6", ""), ("Rome", "0.4", "")), 2, "between 0 and 1"),
        (
            question("Q?", ("Paris", "0.6", "YES"), ("Rome", "0.4", "NO"), resolved_at="2099-01-01 00:00:0"),
            2,
            "in the future",
        ),
    ],
)
def test_a_bad_multiple_choice_row_is_refused_naming_its_line(
    journal: Journal, clock: FakeClock, db_snapshot, rows: str, line: int, words: str
) -> None:
    before = db_snapshot(journal)
    with pytest.raises(ImportFileError) as caught:
        transfer(journal, clock).import_bytes((HEADER + rows).encode(), "csv")
    assert caught.value.line == line
    assert words in caught.value.message
    assert db_snapshot(journal) == before


# --- shared questions, and yes/no calls of the same name -------------------------------------


def test_only_the_chosen_forecasters_option_forecasts_come_in(journal: Journal, clock: FakeClock) -> None:
    text = HEADER + "".join(
        [
            row("Q?", "Paris", "0.7", "2025-05-02 10:00:0"),
            row("Q?", "Rome", "0.3", "2025-05-02 10:00:0"),
            row("Q?", "Paris", "0.2", "2025-05-03 10:00:0", by="Bob"),
            row("Q?", "Oslo", "0.8", "2025-05-03 10:00:0", by="Bob"),
        ]
    )
    report = transfer(journal, clock).import_bytes(text.encode(), "csv", forecaster="Ann Dupont")
    assert (report.theories_created, report.forecasts_added, report.forecasts_skipped) == (1, 2, 2)
    (theory,) = theories_by_title(journal).values()
    # The question's options are everyone's; only Ann's forecasts are hers.
    assert [(o.name, o.confidence) for o in theory.options] == [("Paris", 70), ("Rome", 30), ("Oslo", 0)]
    assert [p.option for p in theory.history] == ["Paris", "Rome"]


def test_a_yes_no_theory_of_the_same_name_is_not_the_question(journal: Journal, clock: FakeClock) -> None:
    text = (
        HEADER
        + row("Q?", "", "0.4", "2025-05-01 09:15:0")
        + question("Q?", ("A", "0.5", ""), ("B", "0.5", ""))
    )
    report = transfer(journal, clock).import_bytes(text.encode(), "csv")
    assert report.theories_created == 2
    again = transfer(journal, clock).import_bytes(text.encode(), "csv")
    assert (again.theories_created, again.theories_unchanged) == (0, 2)
    kinds = sorted(bool(journal.theories.get(i).options) for i in ids_by_uid(journal).values())
    assert kinds == [False, True]


def test_a_journals_multiple_choice_theory_round_trips_through_csv(
    journal: Journal, clock: FakeClock, db_snapshot
) -> None:
    made = write(journal, "Who leads?", options=(OptionDraft("Jack", 40), OptionDraft("Gael", 60)))
    clock.advance(days=1)
    journal.theories.resolve(made.id, TheoryStatus.CONFIRMED, option="Gael")
    from test_transfer_json import export_bytes

    raw = export_bytes(journal, clock, "csv")
    before = db_snapshot(journal)
    assert transfer(journal, clock).import_bytes(raw, "csv") == ImportReport("csv", theories_unchanged=1)
    assert db_snapshot(journal) == before
    (parsed,) = parse_csv(raw).questions
    assert (parsed.options, parsed.status, parsed.happened) == (
        ("Jack", "Gael"),
        TheoryStatus.CONFIRMED,
        "Gael",
    )

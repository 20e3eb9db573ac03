"""Malformed and hostile import files: each is imported correctly or rejected cleanly.

Rejected means :class:`ImportFileError` with nothing written and the backup hook never called;
imported means a database that passes ``PRAGMA integrity_check`` and exports files that load
again. Any other exception fails the test.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from helpers import FakeClock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_transfer_json import export_bytes, rich, rich_template, transfer  # noqa: F401

from etoile_app.domain.transfer import CSV_COLUMNS, ImportFileError, ImportReport, parse_csv, parse_json
from etoile_app.services.journal import Journal

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE theories; --",
    "Robert'); DELETE FROM tags; --",
    "\u202eevil\u202c",
    "\x00",
    "\ud800",
    "\udfff tail",
    "../../etc/passwd",
    "NaN",
    "Infinity",
    "1e400",
    "",
    " ",
    "user-0123456789abcdef",
    "renewal-order",
    "jack",
    "open",
    "confirmed",
    "romance/jack-cheyenne",
    "2026-03-01T12:00:00Z",
    "2026-02-30T12:00:00Z",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00+01:00",
    "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    "Ω≈ç√ 🩰 Étoile",
]

texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(exclude_categories=()), max_size=30),  # surrogates and controls too
    st.builds(
        lambda ch, n: ch * n, st.sampled_from("a <é\n"), st.sampled_from([41, 201, 2_001, 20_001, 70_000])
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)
DEEP = "__deep__"


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document: each key of each object, each element of each list."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += paths(item, (*prefix, i))
    return out


def at(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def container(doc: Any, path: tuple[Any, ...]) -> Any:
    return at(doc, path[:-1])


def encode(doc: Any, ascii_only: bool) -> bytes:
    """JSON bytes; NaN and Infinity as bare words; unpaired surrogates either escaped or as raw bytes."""
    text = json.dumps(doc, allow_nan=True, ensure_ascii=ascii_only)
    return text.encode("utf-8", "surrogatepass")


class Attempt:
    """Imports one file and checks the outcome either way."""

    def __init__(self, journal: Journal, clock: FakeClock, db_snapshot: Callable[[Journal], dict]) -> None:
        self.journal, self.clock, self.snapshot = journal, clock, db_snapshot
        self.outcomes: dict[str, int] = {"imported": 0, "rejected": 0}

    def __call__(self, raw: bytes, fmt: str) -> ImportReport | None:
        before = self.snapshot(self.journal)
        calls: list[int] = []
        service = transfer(self.journal, self.clock)
        try:
            report = service.import_bytes(raw, fmt, before_write=lambda: calls.append(1))
        except ImportFileError as exc:
            str(exc).encode("utf-8")  # printable as it is: no unpaired surrogates in messages
            assert calls == []
            assert self.snapshot(self.journal) == before
            self.outcomes["rejected"] += 1
            return None
        assert calls == ([1] if report.changed else [])
        with self.journal.database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        parse_json(service.export_json())
        parse_csv(export_bytes(self.journal, self.clock, "csv"))
        export_bytes(self.journal, self.clock, "md").decode("utf-8")
        self.outcomes["imported"] += 1
        return report


@pytest.fixture
def attempt(rich: Journal, clock: FakeClock, db_snapshot) -> Attempt:  # noqa: F811
    return Attempt(rich, clock, db_snapshot)


@pytest.fixture
def exported(attempt: Attempt) -> dict[str, Any]:
    return json.loads(transfer(attempt.journal, attempt.clock).export_json())


@FUZZ
@given(data=st.data(), value=json_values, ascii_only=st.booleans())
def test_any_value_anywhere_in_an_export(
    attempt: Attempt, exported: dict[str, Any], data: st.DataObject, value: Any, ascii_only: bool
) -> None:
    doc = copy.deepcopy(exported)
    where = data.draw(st.sampled_from(paths(doc)))
    container(doc, where)[where[-1]] = value
    attempt(encode(doc, ascii_only), "json")


@FUZZ
@given(data=st.data(), key=texts, value=json_values)
def test_unknown_fields_and_deep_nesting(
    attempt: Attempt, exported: dict[str, Any], data: st.DataObject, key: str, value: Any
) -> None:
    doc = copy.deepcopy(exported)
    objects = [p for p in [(), *paths(doc)] if isinstance(at(doc, p), dict)]
    target = at(doc, data.draw(st.sampled_from(objects)))
    if data.draw(st.booleans()):
        target[key] = value
        raw = encode(doc, True)
    else:
        depth = data.draw(st.integers(min_value=1, max_value=3_000))
        opener, closer = data.draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        target[data.draw(st.sampled_from(sorted(target) or ["x"]))] = DEEP
        raw = encode(doc, True).replace(
            json.dumps(DEEP).encode(), (opener * depth + "1" + closer * depth).encode()
        )
    attempt(raw, "json")


MUTATIONS = ["delete", "retype", "truncate", "duplicate", "swap", "flip byte"]


@FUZZ
@given(data=st.data(), mutation=st.sampled_from(MUTATIONS))
def test_mutated_exports(
    attempt: Attempt, exported: dict[str, Any], data: st.DataObject, mutation: str
) -> None:
    doc = copy.deepcopy(exported)
    where = data.draw(st.sampled_from(paths(doc)))
    parent, last = container(doc, where), where[-1]
    raw: bytes | None = None
    if mutation == "delete":
        del parent[last]
    elif mutation == "retype":
        old = parent[last]
        parent[last] = data.draw(
            st.sampled_from([None, 0, -1, 1.5, "", "x", [], {}, True, [old], {"value": old}, str(old)])
        )
    elif mutation == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    elif mutation == "swap":
        other = data.draw(st.sampled_from(paths(doc)))
        other_parent = container(doc, other)
        mine, theirs = copy.deepcopy(parent[last]), copy.deepcopy(other_parent[other[-1]])
        other_parent[other[-1]], parent[last] = mine, theirs
    whole = encode(doc, data.draw(st.booleans()))
    if mutation == "truncate":
        raw = whole[: data.draw(st.integers(min_value=0, max_value=len(whole) - 1))]
    elif mutation == "flip byte":
        at = data.draw(st.integers(min_value=0, max_value=len(whole) - 1))
        raw = whole[:at] + bytes([data.draw(st.integers(0, 255))]) + whole[at + 1 :]
    attempt(raw if raw is not None else whole, "json")


@FUZZ
@given(
    raw=st.binary(max_size=3_000),
    prefix=st.sampled_from(
        [
            b"",
            b'{"format": "etoile-journal", ',
            b"\xef\xbb\xbf",
            b"Question title,Forecast (scale = 0-1),Forecast created at\n",
        ]
    ),
    fmt=st.sampled_from(["json", "csv"]),
)
def test_random_bytes(attempt: Attempt, raw: bytes, prefix: bytes, fmt: str) -> None:
    attempt(prefix + raw, fmt)


cells = st.one_of(
    texts,
    st.sampled_from(
        [
            "0.5",
            "0.07",
            "1",
            "0",
            "1.5",
            "-0.1",
            "70%",
            "NaN",
            "1e999",
            "YES",
            "no",
            "AMBIGUOUS",
            "MAYBE",
            "2025-05-01 09:15:00",
            "2025-05-01 9:15:7",
            "2025-13-01 00:00:00",
            "2099-01-01 00:00:00",
            "2025-05-01T09:15:00+14:00",
            "Étoile, Renewal",
            "a//b, ,,",
            "Ann",
            "Bob",
            "Will Prime Video renew Étoile for a second season?",
        ]
    ),
)


moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2026, 2, 1)).map(
    lambda d: d.strftime("%Y-%m-%d %H:%M:%S")
)
PLAUSIBLE = {
    "Question title": st.sampled_from(
        [
            "Will Étoile return?",
            "Mishi turns villain",
            "<script>alert(1)</script>",
            "'; DROP TABLE theories; --",
        ]
    ),
    "Multiple choice option": st.sampled_from(["", "", "", "Paris", "New York", "paris"]),
    "Forecast created by": st.sampled_from(["", "Ann"]),
    "Forecast (scale = 0-1)": st.decimals(0, 1, places=3).map(str),
    "Forecast created at": moments,
    "Question created at": moments,
    "Question resolve by": moments,
    "Resolution": st.sampled_from(["", "YES", "NO", "AMBIGUOUS"]),
    "Resolved at": moments,
    "Question notes": st.one_of(st.just(""), texts),
    "Question comments": st.one_of(st.just(""), texts),
    "Question tags": st.sampled_from(["", "Étoile, Renewal", "U.S. politics", "a//b, ,,"]),
}


def cell(data: st.DataObject, column: str) -> str:
    """Mostly what the column should hold, now and then anything at all."""
    junk = data.draw(st.integers(0, 19).map(lambda i: i == 7))
    return data.draw(cells if junk else PLAUSIBLE.get(column, texts))


@FUZZ
@given(
    data=st.data(),
    extra=st.lists(st.sampled_from([*CSV_COLUMNS, "Extra", "question resolution"]), max_size=12, unique=True),
    rows=st.integers(min_value=0, max_value=8),
    ragged=st.booleans(),
)
def test_csv_with_random_cells(
    attempt: Attempt, data: st.DataObject, extra: list[str], rows: int, ragged: bool
) -> None:
    required = ["Question title", "Forecast (scale = 0-1)", "Forecast created at"]
    if data.draw(st.integers(0, 9)) == 0:
        required = required[: data.draw(st.integers(0, 2))]
    columns = required + [c for c in extra if c not in required]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(columns)
    for _ in range(rows):
        row = [cell(data, c) for c in columns]
        if ragged and data.draw(st.integers(0, 5)) == 0:
            row = row[: data.draw(st.integers(0, len(row)))]
        writer.writerow(row)
    attempt(out.getvalue().encode("utf-8", "surrogatepass"), "csv")


@FUZZ
@given(data=st.data(), changes=st.integers(min_value=1, max_value=6))
def test_options_and_conditions_recombined(
    attempt: Attempt, exported: dict[str, Any], data: st.DataObject, changes: int
) -> None:
    """Plausible values in the fields format 4 added: names of real options, uids of real
    theories, flags and statuses that may or may not fit together."""
    doc = copy.deepcopy(exported)
    theories = doc["theories"]
    uids = [t["uid"] for t in theories] + ["1b4e28ba-2fa1-11d2-883f-0016d3cca427", None]
    names = sorted({o["name"] for t in theories for o in t["options"]} | {"Jack", "jack", "Other"})
    for _ in range(changes):
        theory = data.draw(st.sampled_from(theories))
        what = data.draw(st.sampled_from(["condition", "options", "happened", "option", "status", "earlier"]))
        if what == "condition":
            theory["condition"] = data.draw(st.sampled_from(uids))
        elif what == "options":
            chosen = data.draw(st.lists(st.sampled_from(names), max_size=4))
            theory["options"] = [{"name": n, "happened": data.draw(st.booleans())} for n in chosen]
        elif what == "happened" and theory["options"]:
            option = data.draw(st.sampled_from(theory["options"]))
            option["happened"] = not option["happened"]
        elif what == "option":
            forecast = data.draw(st.sampled_from(theory["history"]))
            forecast["option"] = data.draw(st.sampled_from([*names, None]))
        elif what == "status":
            theory["status"] = data.draw(st.sampled_from(["open", "confirmed", "busted", "void"]))
        elif what == "earlier" and theory["earlier_resolutions"]:
            theory["earlier_resolutions"][0]["option"] = data.draw(st.sampled_from([*names, None]))
    attempt(encode(doc, True), "json")


def test_the_fuzzed_export_holds_options_and_conditions(exported: dict[str, Any]) -> None:
    """The documents the JSON fuzzers change hold every field format 4 added, so those are
    fuzzed too: options (one that happened), forecasts naming an option, a condition, and an
    earlier resolution naming the option that had happened."""
    places = {tuple(p[2:]) for p in paths(exported) if p[0] == "theories"}
    assert ("options", 0, "happened") in places
    assert ("history", 0, "option") in places
    assert ("condition",) in places
    assert ("earlier_resolutions", 0, "option") in places


def test_the_fuzzers_reach_both_outcomes(attempt: Attempt, exported: dict[str, Any]) -> None:
    """A sanity check on the harness: a valid file imports, a broken one is rejected."""
    raw = json.dumps(exported).encode()
    assert attempt(raw, "json") == ImportReport("json", theories_unchanged=11)
    assert attempt(raw[:-2], "json") is None
    assert attempt.outcomes == {"imported": 1, "rejected": 1}

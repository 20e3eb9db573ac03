"""``etoile-journal export`` and ``import``: no window, one line of output, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import DATA_DIR

from etoile_app.cli import parser

ROOT = Path(__file__).resolve().parents[1]
FATEBOOK = DATA_DIR / "fatebook-export.csv"


def env_for(tmp_path: Path) -> dict[str, str]:
    """No display, and every per-user folder inside ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(tmp_path / name.lower())
    env["HOME"] = str(tmp_path / "home")
    return env


def run(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "etoile_app", *map(str, args)],
        cwd=ROOT,
        env=env_for(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A journal made by the CLI from the Fatebook fixture (the real canon pack is seeded)."""
    folder = tmp_path_factory.mktemp("cli")
    db = folder / "journal.sqlite3"
    result = run(folder, "import", FATEBOOK, "--db", db)
    assert result.returncode == 0, result.stderr
    assert one_line(result.stdout) == (f"Imported {FATEBOOK}: 5 new, 0 updated, 0 unchanged")
    assert result.stderr == ""
    # The import backed the database up first.
    assert [p.name for p in (folder / "backups").iterdir() if "before-import" in p.name]
    return db


def test_export_each_format_and_import_the_json_back(filled: Path, tmp_path: Path) -> None:
    db = tmp_path / "journal.sqlite3"
    shutil.copyfile(filled, db)
    for fmt, suffix in (("json", "json"), ("csv", "csv"), ("md", "md")):
        out = tmp_path / f"export.{suffix}"
        result = run(tmp_path, "export", "--format", fmt, "--out", out, "--db", db)
        assert result.returncode == 0, result.stderr
        assert one_line(result.stdout) == f"Exported 5 theories to {out}"
        assert out.stat().st_size > 0
    assert json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))["format"] == "etoile-journal"
    assert (tmp_path / "export.md").read_text(encoding="utf-8").startswith("# My Étoile theories")

    again = run(tmp_path, "--db", db, "import", tmp_path / "export.json")  # --db before the command
    assert again.returncode == 0, again.stderr
    assert one_line(again.stdout) == f"Imported {tmp_path / 'export.json'}: 0 new, 0 updated, 5 unchanged"


def test_the_format_follows_the_suffix(filled: Path, tmp_path: Path) -> None:
    out = tmp_path / "list.markdown"
    result = run(tmp_path, "export", "--out", out, "--db", filled)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("# My Étoile theories")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (
            '{"format": "etoile-journal",\n "format_version": 1,\n "theories": [}',
            "line 3: this is not valid JSON",
        ),
        (
            '{"format": "etoile-journal", "format_version": 9}',
            "format_version: the file was made by a newer version",
        ),
        (
            '{"format": "etoile-journal", "format_version": 1, "theories": [{"uid": 5}]}',
            "theories[0].uid: must be text",
        ),
    ],
)
def test_a_bad_file_fails_in_one_line_without_a_traceback(
    filled: Path, tmp_path: Path, content: str, words: str
) -> None:
    db = tmp_path / "journal.sqlite3"
    shutil.copyfile(filled, db)
    before = db.read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = run(tmp_path, "import", bad, "--db", db)
    assert result.returncode == 1
    assert result.stdout == ""
    line = one_line(result.stderr)
    assert line.startswith(f"etoile-journal: cannot import {bad}: ")
    assert words in line
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before
    assert not (tmp_path / "backups").exists()


def test_a_bad_csv_names_its_line(filled: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Question title,Forecast (scale = 0-1),Forecast created at\nQ,0.5,2025-01-01\nQ,2,2025-01-02\n"
    )
    result = run(tmp_path, "import", bad, "--db", filled)
    assert result.returncode == 1
    assert "line 3:" in one_line(result.stderr)


def test_missing_files_and_journals_fail_cleanly(tmp_path: Path) -> None:
    result = run(tmp_path, "import", tmp_path / "nope.csv", "--db", tmp_path / "j.sqlite3")
    assert result.returncode == 1
    assert "Cannot read" in one_line(result.stderr)
    result = run(
        tmp_path,
        "export",
        "--format",
        "json",
        "--out",
        tmp_path / "x.json",
        "--db",
        tmp_path / "none.sqlite3",
    )
    assert result.returncode == 1
    assert "There is no journal" in one_line(result.stderr)
    assert not (tmp_path / "none.sqlite3").exists()


def test_an_unwritable_export_fails_cleanly(filled: Path, tmp_path: Path) -> None:
    result = run(
        tmp_path, "export", "--format", "csv", "--out", tmp_path / "no" / "such" / "x.csv", "--db", filled
    )
    assert result.returncode == 1
    assert one_line(result.stderr).startswith("etoile-journal: cannot export: Cannot write")


def test_the_default_database_is_the_data_folders(tmp_path: Path) -> None:
    result = run(tmp_path, "import", FATEBOOK)
    assert result.returncode == 0, result.stderr
    made = list((tmp_path / "xdg_data_home").rglob("journal.sqlite3"))
    assert len(made) == 1
    out = tmp_path / "out.json"
    result = run(tmp_path, "export", "--format", "json", "--out", out)
    assert one_line(result.stdout) == f"Exported 5 theories to {out}"


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--format", "json"],  # no --out
        ["export", "--format", "xml", "--out", "x.xml"],
        ["export", "--out", "x.txt"],  # no format, none from the suffix
        ["import"],
        ["import", "x.json", "--format", "md"],
        ["frobnicate"],
        ["--screenshot", "shots", "export", "--format", "json", "--out", "x.json"],
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    result = run(tmp_path, *args)
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert "Traceback" not in result.stderr


def test_commands_never_load_qt(filled: Path, tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from etoile_app.__main__ import main\n"
        f"out, db = {str(tmp_path / 'x.md')!r}, {str(filled)!r}\n"
        "code = main(['export', '--format', 'md', '--out', out, '--db', db])\n"
        "assert code == 0, code\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt was imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env_for(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_window_options_still_parse() -> None:
    args = parser().parse_args(["--db", "j.sqlite3", "--screenshot", "shots"])
    assert (args.command, args.db, str(args.screenshot)) == (None, "j.sqlite3", "shots")
    args = parser().parse_args(["--db", "a.sqlite3", "export", "--out", "x.json", "--db", "b.sqlite3"])
    assert (args.command, args.db) == ("export", "b.sqlite3")
    args = parser().parse_args(["--db", "a.sqlite3", "import", "x.csv"])
    assert (args.command, args.db, args.format) == ("import", "a.sqlite3", None)


def test_an_import_while_the_app_holds_the_journal_is_refused_and_writes_nothing(
    filled: Path, tmp_path: Path
) -> None:
    from etoile_app import instance

    db = tmp_path / "held.sqlite3"
    shutil.copyfile(filled, db)
    before = db.read_bytes()
    app = instance.SingleInstance(db)  # what a running app holds
    assert app.acquire()
    try:
        result = run(tmp_path, "import", DATA_DIR / "fatebook-export-minimal.csv", "--db", db)
    finally:
        app.release()
    assert result.returncode == 1
    line = one_line(result.stderr)
    assert str(db) in line and "Close the app first" in line
    assert db.read_bytes() == before
    assert not (tmp_path / "backups").exists()
    # Once the app has let go, the same import goes through.
    assert run(tmp_path, "import", DATA_DIR / "fatebook-export-minimal.csv", "--db", db).returncode == 0


def test_import_picks_whose_forecasts_to_bring_in(tmp_path):
    """A Fatebook export shared by two people: --forecaster chooses whose forecasts come in."""
    csv_text = (
        "Question title,Multiple choice option,Forecast created by,Forecast (scale = 0-1),"
        "Forecast created at,Question created by,Question created at,Question resolve by,Resolution,"
        "Resolved at,Your Brier score for this question,Your relative Brier score for this question,"
        "Question notes,Question shared with,Question shared publicly,Question comments,Question tags\n"
        '"Cheyenne stays in New York",,"Ana",0.7,2025-05-01 10:00:00,"Ana",2025-05-01 10:00:00,,,,,,"",'
        '"",false,"",""\n'
        '"Cheyenne stays in New York",,"Ben",0.2,2025-05-02 10:00:00,"Ana",2025-05-01 10:00:00,,,,,,"",'
        '"",false,"",""'
    )
    source = tmp_path / "shared.csv"
    source.write_text(csv_text, encoding="utf-8")
    db = tmp_path / "journal.sqlite3"
    done = run(tmp_path, "import", source, "--db", db, "--forecaster", "Ben")
    assert done.returncode == 0, done.stderr
    assert "skipped" in done.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT title, confidence FROM theories").fetchall() == [
            ("Cheyenne stays in New York", 20)
        ]


def test_output_read_by_nobody_ends_quietly(filled: Path, tmp_path: Path) -> None:
    """``… | head`` closes the pipe early: the command ends with 141 (as for SIGPIPE) and no
    message, not with an error about a file."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will read what it prints
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "etoile_app",
                "export",
                "--db",
                str(filled),
                "--out",
                str(tmp_path / "x.json"),
            ],
            cwd=ROOT,
            env=env_for(tmp_path),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (141, "")
    assert (tmp_path / "x.json").exists()  # the work itself was done

"""First paint and data on screen: the app against its floors, in one interleaved run."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.timing import HERE, Stats, interleave, offscreen_env, run_marks

ROOT = HERE.parent
APP_SOURCE = ROOT / "etoile_app" / "app.py"


def app_has_marks() -> bool:
    """Whether ``etoile_app/app.py`` prints the start-up marks itself (``ETOILE_BENCH_MARKS``)."""
    return "ETOILE_BENCH_MARKS" in APP_SOURCE.read_text(encoding="utf-8")


def app_command(db: Path) -> list[str]:
    if app_has_marks():
        return [sys.executable, "-m", "etoile_app", "--db", str(db)]
    return [sys.executable, str(HERE / "probe_app.py"), "--db", str(db)]


def prepare_folders(base: Path) -> tuple[Path, Path]:
    """Private config and data folders; the window opens on the board, as if last left there."""
    config, data = base / "config", base / "data"
    ini = config / "EtoileJournal" / "Etoile Theory Journal.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[window]\ntab=2\n", encoding="utf-8")
    data.mkdir()
    return config, data


def measure(journal: Path, rounds: int) -> dict[str, Stats]:
    """Seconds from process start to each mark, for the app and both floors."""
    with tempfile.TemporaryDirectory(prefix="etoile-bench-") as tmp:
        base = Path(tmp)
        db = base / "journal.sqlite3"
        shutil.copyfile(journal, db)
        config, data = prepare_folders(base)
        env = offscreen_env(config, data, ETOILE_BENCH_MARKS="1")
        python = sys.executable
        variants = {
            "bare": lambda: run_marks([python, str(HERE / "floors" / "bare_window.py")], env),
            "data": lambda: run_marks([python, str(HERE / "floors" / "data_window.py"), str(db)], env),
            "app": lambda: run_marks(app_command(db), env),
        }
        runs = interleave(variants, rounds)
    return {
        "bare first paint": Stats.of([r["first-paint"] for r in runs["bare"]]),
        "data floor rows": Stats.of([r["rows-shown"] for r in runs["data"]]),
        "app first paint": Stats.of([r["first-paint"] for r in runs["app"]]),
        "app rows": Stats.of([r["rows-shown"] for r in runs["app"]]),
    }


if __name__ == "__main__":
    from benchmarks.generate import cached_journal

    for name, stats in measure(cached_journal(10_000), int(sys.argv[1]) if len(sys.argv) > 1 else 10).items():
        print(f"{name:20} median {stats.median * 1000:7.1f} ms   p95 {stats.p95 * 1000:7.1f} ms")

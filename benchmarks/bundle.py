"""The one-folder bundle: its size, and its start against the same app unfrozen.

The start is timed to the first paint when the app prints start-up marks
(``ETOILE_BENCH_MARKS=1``, see ``benchmarks/startup.py``); until then, to the end of a
``--screenshot`` run on a small journal, the same work frozen and unfrozen.

    .venv/bin/python -m benchmarks.bundle      # builds dist/etoile-journal first if missing or stale
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.startup import app_has_marks, prepare_folders
from benchmarks.timing import HERE, Stats, interleave, offscreen_env, run_marks, run_wall

ROOT = HERE.parent
BUNDLE = ROOT / "dist" / "etoile-journal"
PROGRAM = BUNDLE / "etoile-journal"


@dataclass(frozen=True)
class BundleFigures:
    size_bytes: int
    files: int
    what: str  # what the start figures measure
    frozen: Stats
    unfrozen: Stats


def folder_size(folder: Path) -> tuple[int, int]:
    """Bytes and number of files in ``folder`` (links are not counted twice)."""
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files), len(files)


def build(quiet: bool = True) -> None:
    done = subprocess.run([str(ROOT / "build_spec" / "build.sh")], cwd=ROOT, capture_output=quiet, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"build_spec/build.sh failed:\n{(done.stderr or '')[-3000:]}")


def stale() -> bool:
    """Whether the bundle is missing or older than the code and resources it is built from
    (a stale one measures an older app, or refuses a journal of a newer schema)."""
    if not PROGRAM.exists():
        return True
    built = PROGRAM.stat().st_mtime
    sources = (ROOT / "etoile_app", ROOT / "resources", ROOT / "build_spec")
    return any(
        p.stat().st_mtime > built
        for folder in sources
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


def measure(journal: Path, rounds: int = 8) -> BundleFigures:
    if stale():
        build()
    size, files = folder_size(BUNDLE)
    unfrozen_program = Path(sys.executable).with_name("etoile-journal")
    with tempfile.TemporaryDirectory(prefix="etoile-bundle-") as tmp:
        base = Path(tmp)
        db = base / "journal.sqlite3"
        shutil.copyfile(journal, db)
        config, data = prepare_folders(base)
        if app_has_marks():
            what = "process start → first paint"
            env = offscreen_env(config, data, ETOILE_BENCH_MARKS="1")
            variants = {
                "frozen": lambda: run_marks([str(PROGRAM), "--db", str(db)], env)["first-paint"],
                "unfrozen": lambda: run_marks([str(unfrozen_program), "--db", str(db)], env)["first-paint"],
            }
        else:
            what = "process start → exit of --screenshot (all four tabs)"
            env = offscreen_env(config, data)
            shots = base / "shots"
            variants = {
                "frozen": lambda: run_wall([str(PROGRAM), "--db", str(db), "--screenshot", str(shots)], env),
                "unfrozen": lambda: run_wall(
                    [str(unfrozen_program), "--db", str(db), "--screenshot", str(shots)], env
                ),
            }
        runs = interleave(variants, rounds)
    return BundleFigures(size, files, what, Stats.of(runs["frozen"]), Stats.of(runs["unfrozen"]))


def main() -> None:
    from benchmarks.generate import cached_journal

    figures = measure(cached_journal(1_000))
    print(f"bundle: {figures.size_bytes / 1e6:.0f} MB in {figures.files} files ({BUNDLE})")
    print(f"start ({figures.what}):")
    for name in ("frozen", "unfrozen"):
        s = getattr(figures, name)
        print(f"  {name:8} median {s.median * 1000:6.0f} ms   p95 {s.p95 * 1000:6.0f} ms")
    print(f"  ratio {figures.frozen.median / figures.unfrozen.median:.2f}x")


if __name__ == "__main__":
    main()

"""The PyInstaller one-folder bundle: it starts frozen, migrates a new journal and renders every tab.

Skipped unless ``ETOILE_BUNDLE=1`` (then the bundle is built with ``build_spec/build.sh`` when
it is missing or older than the sources; CI does this) or a bundle built from the current
sources is already in ``dist/etoile-journal/``.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "etoile-journal"
PROGRAM = BUNDLE / "etoile-journal"
BUILD = ROOT / "build_spec" / "build.sh"
MAX_BYTES = 150 * 1000 * 1000
#: Qt pieces the app does not use, which must stay out of the bundle.
LEFT_OUT = ("WebEngine", "Qml", "Quick", "3D", "Multimedia", "Pdf", "VirtualKeyboard", "Designer")


def _newest_source() -> float:
    sources = [ROOT / "pyproject.toml", *BUILD.parent.iterdir()]
    for folder in (ROOT / "etoile_app", ROOT / "resources"):
        sources += [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return max(p.stat().st_mtime for p in sources)


def _fresh() -> bool:
    return PROGRAM.exists() and PROGRAM.stat().st_mtime >= _newest_source()


@pytest.fixture(scope="module")
def bundle() -> Path:
    wanted = os.environ.get("ETOILE_BUNDLE") == "1"
    if not wanted:
        if not PROGRAM.exists():
            pytest.skip(
                "no bundle in dist/etoile-journal: build it with build_spec/build.sh, "
                "or set ETOILE_BUNDLE=1 to build it here"
            )
        if not _fresh():
            pytest.skip(
                "dist/etoile-journal is older than the sources: rebuild it with build_spec/build.sh, "
                "or set ETOILE_BUNDLE=1 to rebuild it here"
            )
        return BUNDLE
    # Several xdist workers may get here at once: one builds, the others wait for it.
    lock = ROOT / "build" / "bundle-test.lock"
    lock.parent.mkdir(exist_ok=True)
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        if not _fresh():
            done = subprocess.run([str(BUILD)], cwd=ROOT, capture_output=True, text=True, timeout=1200)
            assert done.returncode == 0, (
                f"build_spec/build.sh failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
            PROGRAM.touch()
    return BUNDLE


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "PYTHONPATH")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    return env


def _looks_drawn(path: Path) -> bool:
    """A real screenshot has many colours; a blank or failed one has one or two."""
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    if image.isNull() or image.width() < 640 or image.height() < 400:
        return False
    colours = {
        image.pixel(x, y)
        for x in range(0, image.width(), max(1, image.width() // 64))
        for y in range(0, image.height(), max(1, image.height() // 40))
    }
    return len(colours) >= 12


def test_frozen_app_creates_a_journal_and_renders_every_tab(bundle, tmp_path):
    journal = tmp_path / "journal.sqlite3"
    shots = tmp_path / "shots"
    done = subprocess.run(
        [str(bundle / "etoile-journal"), "--db", str(journal), "--screenshot", str(shots)],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    pictures = sorted(shots.glob("*.png"))
    assert [p.name for p in pictures] == [
        "01-status.png",
        "02-cast.png",
        "03-theory-board.png",
        "04-track-record.png",
        "05-canon-browser.png",
    ]
    assert all(_looks_drawn(p) for p in pictures)
    # The migrations ran from the bundle (Alembic reads them from disk) and the canon pack was found.
    from etoile_app.storage.migrate import HEAD_REVISION

    with sqlite3.connect(journal) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD_REVISION,)]
        assert conn.execute("SELECT count(*) FROM canon_facts").fetchone()[0] > 0


def test_frozen_app_prints_its_version(bundle, tmp_path):
    from etoile_app import __version__

    done = subprocess.run(
        [str(bundle / "etoile-journal"), "--version"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"etoile-journal {__version__}"


def test_bundle_carries_its_data_and_leaves_out_unused_qt(bundle):
    internal = bundle / "_internal"
    assert (internal / "resources" / "canon" / "etoile-canon.json").is_file()
    assert (internal / "resources" / "icons" / "etoile-journal.svg").is_file()
    assert (internal / "resources" / "etoile-journal.desktop").is_file()
    migrations = internal / "etoile_app" / "storage" / "migrations"
    assert (migrations / "env.py").is_file()
    assert list((migrations / "versions").glob("*.py"))
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    names = [p.relative_to(bundle).as_posix() for p in files]
    unwanted = [n for n in names if any(f"Qt6{piece}" in n or f"Qt{piece}" in n for piece in LEFT_OUT)]
    assert not unwanted, unwanted
    plugins = {p.parent.name for p in (internal / "PySide6" / "Qt" / "plugins").rglob("*.so")}
    assert {"platforms", "imageformats", "iconengines"} <= plugins
    assert "tls" not in plugins and "sqldrivers" not in plugins
    size = sum(p.stat().st_size for p in files)
    assert size <= MAX_BYTES, f"the bundle is {size / 1e6:.0f} MB"

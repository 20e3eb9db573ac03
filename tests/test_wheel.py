"""The wheel: built from the checkout, installed apart from it, it runs with its own data.

The wheel is built with pip from a copy of the checkout (so stale ``build/`` folders and the
other tests never mix in), then

- its listing is checked: every module of ``etoile_app``, the migrations, and every data file of
  ``resources/`` as ``etoile_app/resources/``;
- it is imported straight from the zip file, where ``etoile_app.paths`` must still hand out real
  files;
- it is installed with ``pip --python`` into a new virtual environment that cannot see the
  checkout, and ``python -m etoile_app --screenshot`` runs there from an empty folder.

The new environment gets the app's dependencies (PySide6 is 500 MB) without downloading them:
a ``.pth`` file adds this environment's ``site-packages`` to its ``sys.path``. Folders named in a
``.pth`` file are only added to ``sys.path``; the ``.pth`` files inside them (here, the editable
install's import hook that points at the checkout) are not run, so ``etoile_app`` can only come
from the wheel.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
#: Top-level entries of the checkout that are not sources (and can be large).
NOT_SOURCES = {"build", "dist"}
SHOTS = ["01-status.png", "02-cast.png", "03-theory-board.png", "04-track-record.png", "05-canon-browser.png"]


def _env(tmp_path: Path) -> dict[str, str]:
    drop = ("DISPLAY", "WAYLAND_DISPLAY", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def _run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def _ignore(folder: str, names: list[str]) -> set[str]:
    skip = {n for n in names if n == "__pycache__" or n.endswith(".egg-info")}
    if Path(folder) == ROOT:
        skip |= {n for n in names if n.startswith(".") or n in NOT_SOURCES}
    return skip


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=_ignore)
    wheelhouse = work / "wheelhouse"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheelhouse, source],
        cwd=work,
        env=_env(work),
        timeout=300,
    )
    (built,) = wheelhouse.glob("etoile_theory_journal-*.whl")
    return built


def test_wheel_carries_the_code_the_migrations_and_the_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "etoile_app").rglob("*.py")}
    missing = sorted(modules - names)
    assert not missing, f"not in the wheel (a new subpackage missing from pyproject.toml?): {missing}"
    assert "etoile_app/storage/migrations/script.py.mako" in names
    # Every data file of resources/ (not the script that renders the icons) goes in, byte for byte.
    data = [p for p in (ROOT / "resources").rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")]
    assert any(p.name == "etoile-canon.json" for p in data)
    with zipfile.ZipFile(wheel) as archive:
        for path in data:
            name = "etoile_app/resources/" + path.relative_to(ROOT / "resources").as_posix()
            assert name in names, f"{name} is not in the wheel"
            assert archive.read(name) == path.read_bytes(), f"{name} differs from the checkout"
    # Nothing lands outside the package (a top-level resources/ would clash with other projects).
    tops = {n.split("/")[0] for n in names}
    dist_info = {t for t in tops if t.endswith(".dist-info")}
    assert len(dist_info) == 1
    assert tops - dist_info == {"etoile_app"}
    metadata = zipfile.ZipFile(wheel).read(f"{dist_info.pop()}/METADATA").decode()
    assert "License-Expression: MIT" in metadata


def test_resources_are_real_files_when_imported_from_the_zip(wheel, tmp_path):
    # -S: no site-packages, so no editable install; etoile_app comes from the wheel file itself.
    env = _env(tmp_path) | {"PYTHONPATH": str(wheel)}
    out = _run(
        [
            sys.executable,
            "-S",
            "-c",
            "import etoile_app, etoile_app.paths as p;"
            "print(etoile_app.__file__);"
            "print(p.canon_pack_path().stat().st_size);"
            "print(all(f.is_file() for f in p.icon_files()));"
            "print((p.resources_dir() / 'etoile-journal.desktop').is_file())",
        ],
        cwd=tmp_path,
        env=env,
        timeout=60,
    ).split()
    assert out[0].startswith(str(wheel))
    assert int(out[1]) > 10_000
    assert out[2:] == ["True", "True"]


def test_installed_wheel_runs_apart_from_the_checkout(wheel, tmp_path):
    venv = tmp_path / "venv"
    env = _env(tmp_path)
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path, env=env, timeout=120)
    python = venv / "bin" / "python"
    _run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel],
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    # The dependencies come from this environment's site-packages (see the module docstring).
    site = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        cwd=tmp_path,
        env=env,
        timeout=60,
    ).strip()
    ours = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (Path(site) / "zz_outer_site_packages.pth").write_text("".join(f"{p}\n" for p in ours))

    run_dir = tmp_path / "elsewhere"
    run_dir.mkdir()
    where = _run(
        [python, "-c", "import sys, etoile_app; print(etoile_app.__file__); print(*sys.path, sep='\\n')"],
        cwd=run_dir,
        env=env,
        timeout=60,
    ).splitlines()
    assert Path(where[0]).is_relative_to(venv), f"etoile_app was imported from {where[0]}"
    assert str(ROOT) not in where[1:], "the checkout is on the new environment's sys.path"

    journal = tmp_path / "j.sqlite3"
    shots = tmp_path / "shots"
    _run(
        [python, "-m", "etoile_app", "--db", journal, "--screenshot", shots],
        cwd=run_dir,
        env=env,
        timeout=180,
    )
    assert sorted(p.name for p in shots.glob("*.png")) == SHOTS
    assert all(p.stat().st_size > 10_000 for p in shots.glob("*.png"))
    from etoile_app.storage.migrate import HEAD_REVISION

    with sqlite3.connect(journal) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD_REVISION,)]
        assert conn.execute("SELECT count(*) FROM canon_facts").fetchone()[0] > 100
    # The program pipx and pip put on PATH.
    from etoile_app import __version__

    version = _run([venv / "bin" / "etoile-journal", "--version"], cwd=run_dir, env=env, timeout=60)
    assert version.strip() == f"etoile-journal {__version__}"

"""Where bundled resources and the user's data live, frozen or not: decided here only."""

from __future__ import annotations

import atexit
import functools
import importlib.resources
import shutil
import sys
import tempfile
from importlib.resources.abc import Traversable
from pathlib import Path

APP_NAME = "EtoileTheoryJournal"
APP_AUTHOR = "EtoileJournal"
DB_FILENAME = "journal.sqlite3"


def resources_dir() -> Path:
    """The bundled ``resources/`` folder (canon pack, icons, desktop entry), as a real folder.

    The data lives once in the repository, in ``resources/`` at its top. It is found

    - in a PyInstaller bundle at ``sys._MEIPASS/resources`` (``build_spec/etoile.spec`` puts it there);
    - in an installed wheel as the package data ``etoile_app/resources`` (``pyproject.toml``
      maps the package ``etoile_app.resources`` to ``resources/``), through ``importlib.resources``;
    - in a source checkout or an editable install beside the package, ``etoile_app/../resources``.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    installed = _installed_resources()
    if installed is not None:
        return installed
    return Path(__file__).resolve().parent.parent / "resources"


@functools.cache
def _installed_resources() -> Path | None:
    """``etoile_app/resources`` from the installed package, or None when it is not there (a checkout)."""
    folder = importlib.resources.files("etoile_app") / "resources"
    if not folder.is_dir():
        return None
    if isinstance(folder, Path):
        return folder
    # Installed somewhere that is not a folder (a zip archive on sys.path): the callers need
    # real files, so copy the data out once; the copy is removed when the program exits.
    copy = Path(tempfile.mkdtemp(prefix="etoile-resources-"))
    atexit.register(shutil.rmtree, copy, ignore_errors=True)
    _copy_tree(folder, copy)
    return copy


def _copy_tree(source: Traversable, target: Path) -> None:
    for entry in source.iterdir():
        if entry.is_dir():
            (target / entry.name).mkdir()
            _copy_tree(entry, target / entry.name)
        else:
            (target / entry.name).write_bytes(entry.read_bytes())


ICON_NAME = "etoile-journal"
#: The square sizes the app icon is rendered at (resources/icons/etoile-journal-SIZE.png).
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def icon_files() -> list[Path]:
    """The app icon's PNG renderings, smallest first (Qt picks the nearest size)."""
    folder = resources_dir() / "icons"
    return [folder / f"{ICON_NAME}-{size}.png" for size in ICON_SIZES]


def canon_pack_path() -> Path:
    return resources_dir() / "canon" / "etoile-canon.json"


def user_data_dir() -> Path:
    """The platform's per-user data folder (not created here)."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, APP_AUTHOR, roaming=False)


def default_database_path() -> Path:
    return user_data_dir() / DB_FILENAME

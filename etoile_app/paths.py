"""Where bundled resources and the user's data live, frozen or not: decided here only."""

from __future__ import annotations

import sys
from pathlib import Path

APP_NAME = "EtoileTheoryJournal"
APP_AUTHOR = "EtoileJournal"
DB_FILENAME = "journal.sqlite3"


def resources_dir() -> Path:
    """The bundled ``resources/`` folder.

    In a PyInstaller bundle it sits in the unpacked bundle; from a source checkout (or an
    editable install) beside the package; from a wheel it is installed as ``etoile_app/resources``.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    here = Path(__file__).resolve().parent
    checkout = here.parent / "resources"
    if checkout.is_dir():
        return checkout
    return here / "resources"


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

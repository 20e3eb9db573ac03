"""Reading the canon pack: the bundled, versioned record of what is known about *Étoile*."""

from __future__ import annotations

import json
from pathlib import Path


def pack_edition(path: Path) -> int | None:
    """The edition the pack file at ``path`` says it is, read without checking the rest
    (``None`` when that cannot be told). A journal that holds this edition already need not
    read and check the whole pack at every start; one that does not reads it in full
    (:func:`etoile_app.canon.pack.load_pack`), and a bad pack is refused then."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return version if type(version) is int else None

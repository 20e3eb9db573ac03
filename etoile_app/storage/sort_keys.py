"""The board's title order, computed by the app: the same on SQLite and on any server.

A server sorts text by its collation (an ICU one puts accented titles elsewhere than
``C.UTF-8`` does); SQLite's ``lower()`` folds ASCII only. ``theories.title_key`` holds the
title with its accents taken off and its case folded, compared byte by byte on every backend.
"""

from __future__ import annotations

import unicodedata


def title_key(title: str) -> str:
    """The key the board sorts ``title`` by: "Étoile" and "etoile" sort together, before "F"."""
    decomposed = unicodedata.normalize("NFKD", title)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()

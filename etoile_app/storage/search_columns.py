"""The theory's denormalised list columns, ``tags_text`` and ``characters_text``: one definition.

Full-text search indexes them and the board sorts by and shows them without a join. Each holds
the sorted names joined by :data:`LIST_SEPARATOR`. Whatever writes a theory's tags or
characters writes these through here: the services, the import and the benchmark generator.
"""

from __future__ import annotations

from collections.abc import Iterable

from etoile_app.storage.models import TheoryRecord

LIST_SEPARATOR = "\n"


def tags_text(names: Iterable[str]) -> str:
    """``tags_text`` for a theory carrying the tags ``names``."""
    return LIST_SEPARATOR.join(sorted(names))


def characters_text(names: Iterable[str]) -> str:
    """``characters_text`` for a theory about the characters called ``names``."""
    return LIST_SEPARATOR.join(sorted(names))


def split_list(text: str) -> tuple[str, ...]:
    """The names a list column holds, in its order."""
    return tuple(part for part in text.split(LIST_SEPARATOR) if part)


def refresh(record: TheoryRecord) -> None:
    """Bring both columns in line with the record's tags and characters, after changing them,
    in the transaction that changes them.

    The record must have been loaded with its row locked (``SELECT … FOR UPDATE`` on PostgreSQL;
    SQLite lets one writer in at a time): its tags and characters are then the links as they
    stand, and no other member changes them before this transaction ends, so two members tagging
    one theory at once both end up in its links and in its ``tags_text``.
    """
    record.tags_text = tags_text(t.name for t in record.tags)
    record.characters_text = characters_text(c.name for c in record.characters)

"""Full-text search over theories: SQLite FTS5 where there is one, ``LIKE`` elsewhere.

The FTS5 table ``theory_fts`` is an external-content index over ``theories`` (title, body,
tags_text, characters_text), created in a migration together with the triggers that keep it
current on every insert, update and delete. Accents are folded (``genevieve`` finds
"Geneviève") and each word typed matches as a prefix, so results follow the typing.

Where FTS5 is missing (another database, or SQLite built without it) the same query falls back
to case-insensitive ``LIKE`` on the same columns: slower and without accent folding, but the
same results for plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Subquery,
    TableClause,
    and_,
    column,
    exists,
    func,
    or_,
    select,
    table,
    text,
)

from etoile_app.storage.models import TheoryRecord

FTS_TABLE = "theory_fts"
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 16


def is_search_table(name: str) -> bool:
    return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")


def words(query: str) -> list[str]:
    """The words of a search, as FTS5's tokenizer would split them, at most :data:`MAX_WORDS`."""
    return _WORD.findall(query)[:MAX_WORDS]


def fts_available(connection: Connection) -> bool:
    if connection.dialect.name != "sqlite":
        return False
    found = connection.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": FTS_TABLE}
    ).first()
    return found is not None


def match_expression(query: str) -> str:
    """An FTS5 MATCH string in which every typed word must occur as a prefix.

    Each word is quoted, so nothing a person types is read as FTS5 syntax.
    """
    return " AND ".join(f'"{w}"*' for w in words(query))


@dataclass(frozen=True)
class TextFilter:
    """How to narrow a query on ``theories`` to a search.

    ``hits`` (FTS5 only) is a subquery of ``rowid`` and ``rank`` to join on ``theories.id``;
    ``condition`` is a WHERE clause; ``rank`` orders by relevance (best first), or is ``None``.
    ``match`` (FTS5 only) is the MATCH clause on the index itself.
    """

    hits: Subquery | None
    condition: ColumnElement[bool] | None
    rank: ColumnElement[Any] | None
    match: ColumnElement[bool] | None = None
    index: TableClause | None = None

    def apply(self, stmt: Select[Any], *, ranked: bool = True) -> Select[Any]:
        """Narrow ``stmt`` to the search.

        Ranked, the index is joined so its ``rank`` can order the rows. Unranked (the rows are
        sorted by a column), ``theories.id IN (matching rowids)`` lets SQLite walk the sort
        column's index and stop at the page's end, which is several times faster when a short
        prefix matches most theories.
        """
        if self.hits is not None and ranked:
            stmt = stmt.join(self.hits, self.hits.c.rowid == TheoryRecord.id)
        elif self.match is not None and self.index is not None:
            stmt = stmt.where(TheoryRecord.id.in_(select(self.index.c.rowid).where(self.match)))
        if self.condition is not None:
            stmt = stmt.where(self.condition)
        return stmt

    def probe(self, theory_id: ColumnElement[Any]) -> ColumnElement[bool] | None:
        """Whether the one theory ``theory_id`` matches, looked up in the index by rowid (no scan)."""
        if self.match is not None and self.index is not None:
            index = self.index
            return exists(select(1).select_from(index).where(self.match, index.c.rowid == theory_id))
        return self.condition


def _fts() -> TableClause:
    return table(FTS_TABLE, column("rowid"), column("rank"), column(FTS_TABLE))


def text_filter(query: str, *, use_fts: bool) -> TextFilter:
    """The filter for a search string; an empty search filters nothing."""
    found = words(query)
    if not found:
        return TextFilter(None, None, None)
    if use_fts:
        fts = _fts()
        match = fts.c[FTS_TABLE].op("MATCH")(match_expression(query))
        hits = select(fts.c.rowid.label("rowid"), fts.c.rank.label("rank")).where(match).subquery("hits")
        return TextFilter(hits, None, hits.c.rank, match, fts)
    columns = (
        TheoryRecord.title,
        TheoryRecord.body,
        TheoryRecord.tags_text,
        TheoryRecord.characters_text,
    )
    condition = and_(
        *(or_(*(func.lower(c).contains(w.lower(), autoescape=True) for c in columns)) for w in found)
    )
    return TextFilter(None, condition, None)

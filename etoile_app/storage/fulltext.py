"""Full-text search over theories: the database's own index, ``LIKE`` where there is none.

On SQLite the index is the FTS5 table ``theory_fts``, an external-content index over
``theories`` (title, body, tags_text, characters_text), created in migration 0001 together with
the triggers that keep it current on every insert, update and delete. On PostgreSQL it is the
stored generated column ``theories.search_vector`` (a ``tsvector`` over the same columns, with
a GIN index), from migration 0008. Both split words alike (every character but letters and
digits is a break), fold accents (``genevieve`` finds "Geneviève") and case, and each word
typed matches as a prefix, every word required, so results follow the typing.

Where SQLite was built without FTS5 the same query falls back to case-insensitive ``LIKE`` on
the same columns: slower and without accent folding, but the same results for plain words.
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
    Text,
    and_,
    bindparam,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)

from etoile_app.storage.models import TheoryRecord

FTS_TABLE = "theory_fts"
#: PostgreSQL's index: a generated ``tsvector`` column on ``theories`` (migration 0008).
VECTOR_COLUMN = "search_vector"
#: Its GIN index (made by migration 0008).
VECTOR_INDEX = "ix_theories_search_vector"
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 16
#: Longer words are cut to this many characters in a PostgreSQL search: its index leaves out
#: words over 2,047 bytes, and a longer one in a ``tsquery`` is an error.
MAX_WORD_CHARS = 200


def is_search_table(name: str) -> bool:
    return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")


def words(query: str) -> list[str]:
    """The words of a search, as FTS5's tokenizer would split them, at most :data:`MAX_WORDS`."""
    return _WORD.findall(query)[:MAX_WORDS]


def fts_available(connection: Connection) -> bool:
    """Whether the database has its full-text index: FTS5's table on SQLite, the
    ``search_vector`` column on PostgreSQL."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        found = connection.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": FTS_TABLE}
        ).first()
        return found is not None
    if dialect == "postgresql":
        found = connection.execute(
            text(
                "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('theories') "
                "AND attname = :name AND NOT attisdropped"
            ),
            {"name": VECTOR_COLUMN},
        ).first()
        return found is not None
    return False


def match_expression(query: str) -> str:
    """An FTS5 MATCH string in which every typed word must occur as a prefix.

    Each word is quoted, so nothing a person types is read as FTS5 syntax.
    """
    return " AND ".join(f'"{w}"*' for w in words(query))


def tsquery(found: list[str]) -> ColumnElement[Any]:
    """PostgreSQL's ``tsquery`` in which every word of ``found`` must occur as a prefix.

    Each word goes to the server as a bound parameter and is folded there by the function that
    folds the indexed text (``etoile_search_text``: accents off, separators made spaces); each
    word that comes out is quoted and given ``:*``, and all are joined with ``&``. Quotes and
    backslashes are separators, so nothing a person types is read as ``tsquery`` syntax. A
    typed word that folds to nothing (``_``) makes the query ``NULL``, which matches no theory,
    as such a word makes FTS5 find nothing. Every step is immutable, so the planner folds the
    whole expression to a constant and estimates the match from the column's statistics.
    """
    parts = []
    for word in found:
        typed = bindparam("search_word", word[:MAX_WORD_CHARS], type_=Text, unique=True)
        folded = func.nullif(func.btrim(func.etoile_search_text(typed)), literal_column("''"))
        quoted = func.regexp_replace(
            folded, literal_column("' +'"), literal_column("''':* & '''"), literal_column("'g'")
        )
        parts.append(literal_column("''''").concat(quoted).concat(literal_column("''':*'")))
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.concat(literal_column("' & '")).concat(part)
    return func.to_tsquery(literal_column("'simple'::regconfig"), joined)


@dataclass(frozen=True)
class TextFilter:
    """How to narrow a query on ``theories`` to a search.

    ``hits`` (FTS5 only) is a subquery of ``rowid`` and ``rank`` to join on ``theories.id``;
    ``condition`` is a WHERE clause (PostgreSQL's ``search_vector @@ …``, or ``LIKE``);
    ``rank`` is an ORDER BY term by relevance (best first), or is ``None``.
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
        prefix matches most theories. On PostgreSQL the condition is ``search_vector @@ …``
        either way, and the planner chooses between the GIN index and the sort column's.
        """
        if self.hits is not None and ranked:
            stmt = stmt.join(self.hits, self.hits.c.rowid == TheoryRecord.id)
        elif self.match is not None and self.index is not None:
            stmt = stmt.where(TheoryRecord.id.in_(select(self.index.c.rowid).where(self.match)))
        if self.condition is not None:
            stmt = stmt.where(self.condition)
        return stmt

    def probe(self, theory_id: ColumnElement[Any]) -> ColumnElement[bool] | None:
        """Whether the one theory ``theory_id`` matches, looked up in the index by rowid (no scan).

        On PostgreSQL (and with ``LIKE``) the condition is checked on the theory's own row, which
        the caller finds by its id.
        """
        if self.match is not None and self.index is not None:
            index = self.index
            return exists(select(1).select_from(index).where(self.match, index.c.rowid == theory_id))
        return self.condition


def _fts() -> TableClause:
    return table(FTS_TABLE, column("rowid"), column("rank"), column(FTS_TABLE))


def text_filter(query: str, *, use_fts: bool, dialect: str = "sqlite") -> TextFilter:
    """The filter for a search string on a ``dialect`` database; an empty search filters nothing.

    ``use_fts`` says to read the database's full-text index (see :func:`fts_available`): FTS5
    on SQLite, ``search_vector`` on PostgreSQL. Without it, the search is ``LIKE``.
    """
    found = words(query)
    if not found:
        return TextFilter(None, None, None)
    if use_fts and dialect == "postgresql":
        vector = literal_column(f"theories.{VECTOR_COLUMN}")
        wanted = tsquery(found)
        # ts_rank weighs title words most (A), then tags and characters (B), then the body (D).
        return TextFilter(None, vector.bool_op("@@")(wanted), func.ts_rank(vector, wanted).desc())
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

"""The theory board's reads: counts, pages and rows for a query, and the tags in use."""

from __future__ import annotations

from collections.abc import Sequence

from etoile_app.domain import rules
from etoile_app.domain.models import TagCount, TheoryQuery, TheoryRef, TheoryRow
from etoile_app.services.base import Service
from etoile_app.storage import fulltext, theory_queries


class BoardService(Service):
    _use_fts: bool | None = None

    def _fts(self) -> bool:
        """Whether searches read the database's full-text index (FTS5 on SQLite, the
        ``search_vector`` column on PostgreSQL) rather than ``LIKE``; asked once."""
        if self._use_fts is None:
            with self._sessions() as s:
                self._use_fts = fulltext.fts_available(s.connection())
        return self._use_fts

    def count(self, query: TheoryQuery) -> int:
        query = _clean(query)
        with self._sessions() as s:
            return theory_queries.count(s, query, self._fts())

    def page(self, query: TheoryQuery, offset: int = 0, limit: int = 200) -> list[TheoryRow]:
        query = _clean(query)
        with self._sessions() as s:
            return theory_queries.page(s, query, max(0, offset), max(0, limit), self._fts())

    def position(self, query: TheoryQuery, theory_id: int) -> int | None:
        """The row at which a theory appears for ``query`` (for selecting it), or ``None``."""
        query = _clean(query)
        with self._sessions() as s:
            return theory_queries.position(s, query, theory_id, self._fts())

    def rows(self, theory_ids: Sequence[int]) -> list[TheoryRow]:
        with self._sessions() as s:
            return theory_queries.rows_by_id(s, theory_ids)

    def titles(self) -> list[TheoryRef]:
        """Every theory not in the bin, named, by title: what a theory may depend on."""
        with self._sessions() as s:
            return theory_queries.titles(s)

    def tags(self) -> list[TagCount]:
        with self._sessions() as s:
            return theory_queries.tag_counts(s)


def _clean(query: TheoryQuery) -> TheoryQuery:
    """Tags typed into a filter are normalised like stored tags; a bad one raises TagError."""
    if not query.tags:
        return query
    from dataclasses import replace

    return replace(query, tags=frozenset(rules.clean_tags(list(query.tags))))

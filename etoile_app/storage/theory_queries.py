"""The board's queries: filter, sort and page theories in SQL, never in Python.

Rows come from the theory table (tags and characters are denormalised into it), with three
small look-ups by the row's id (its condition's title, its leading option, the option that
happened), so a page of the board is one indexed query however many theories there are. In a
club, one more query per page reads the club's figures for that page's ids alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, null, or_, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session, aliased

from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.models import SortKey, TagCount, TheoryQuery, TheoryRef, TheoryRow
from etoile_app.storage import fulltext, mapping
from etoile_app.storage.models import (
    ConditionRecord,
    ForecasterRecord,
    ForecastRecord,
    OptionRecord,
    TagRecord,
    TheoryRecord,
    theory_characters,
    theory_tags,
)

T = TheoryRecord


def _row_lookups() -> tuple[Any, Any, Any]:
    """The condition's title, the leading option (the one whose latest forecast is the
    theory's confidence) and the option that happened, as correlated look-ups."""
    condition = aliased(TheoryRecord)
    condition_title = (
        select(condition.title)
        .select_from(ConditionRecord)
        .join(condition, condition.id == ConditionRecord.condition_id)
        .where(ConditionRecord.theory_id == T.id)
        .correlate(T)
        .scalar_subquery()
        .label("condition_title")
    )
    option, forecast = aliased(OptionRecord), aliased(ForecastRecord)
    # The author's latest: in a club others forecast on the option too (in a journal of one
    # both are NULL, the owner's). Compared through coalesce so that no index on the forecaster
    # is chosen over the option's (in a journal of one, every forecast's is NULL).
    mine = func.coalesce(forecast.forecaster_id, 0) == func.coalesce(T.author_id, 0)
    latest = (
        select(forecast.confidence)
        .where(forecast.option_id == option.id, mine)
        .order_by(forecast.changed_at.desc(), forecast.id.desc())
        .limit(1)
        .correlate(option, T)
        .scalar_subquery()
    )
    leading = (
        select(option.name)
        .where(option.theory_id == T.id, latest == T.confidence)
        .order_by(option.position)
        .limit(1)
        .correlate(T)
        .scalar_subquery()
        .label("leading_option")
    )
    settled = aliased(OptionRecord)
    happened = (
        select(settled.name)
        .where(settled.theory_id == T.id, settled.happened.is_(True))
        .correlate(T)
        .scalar_subquery()
        .label("happened_option")
    )
    return condition_title, leading, happened


ROW_COLUMNS = (
    T.id,
    T.title,
    T.category,
    T.characters_text,
    T.tags_text,
    T.confidence,
    T.juiciness,
    T.status,
    T.resolve_by,
    T.created_at,
    T.updated_at,
    *_row_lookups(),
)

_SORT_COLUMNS: dict[SortKey, Any] = {
    SortKey.TITLE: T.title_key,
    SortKey.CATEGORY: T.category,
    SortKey.CHARACTERS: T.characters_text,
    SortKey.TAGS: T.tags_text,
    SortKey.CONFIDENCE: T.confidence,
    SortKey.JUICINESS: T.juiciness,
    SortKey.STATUS: T.status,
    SortKey.RESOLVE_BY: T.resolve_by,
    SortKey.CREATED: T.created_at,
    SortKey.UPDATED: T.updated_at,
}


#: Sort keys whose column may be empty; empty ones sort last either way.
_NULLABLE_SORTS = frozenset({SortKey.JUICINESS, SortKey.RESOLVE_BY})


def tag_condition(tags: frozenset[str]) -> ColumnElement[bool]:
    """A theory has one of ``tags``, or a child of one (``romance`` → ``romance/…``)."""
    names = [TagRecord.name == t for t in tags] + [
        TagRecord.name.startswith(t + "/", autoescape=True) for t in tags
    ]
    return exists(
        select(1)
        .select_from(theory_tags.join(TagRecord, TagRecord.id == theory_tags.c.tag_id))
        .where(theory_tags.c.theory_id == T.id, or_(*names))
    )


def _ranked(query: TheoryQuery) -> bool:
    return query.sort is SortKey.RELEVANCE


def _dialect(session: Session) -> str:
    """The database's kind (``sqlite``, ``postgresql``): which full-text index a search reads."""
    return session.get_bind().dialect.name


def _filtered(
    query: TheoryQuery, columns: Sequence[Any], use_fts: bool, dialect: str, *, ranked: bool = True
) -> tuple[Select[Any], Any]:
    """``columns`` of the theories ``query`` matches, and the search rank (or ``None``).

    ``ranked=False`` is for statements that do not order by relevance: the search then
    narrows by ``IN`` instead of a join (see :meth:`fulltext.TextFilter.apply`) and the rank
    returned is ``None``.
    """
    text_filter = fulltext.text_filter(query.text, use_fts=use_fts, dialect=dialect)
    stmt = text_filter.apply(select(*columns).select_from(T), ranked=ranked)
    conditions = _conditions(query)
    return stmt.where(and_(*conditions)), text_filter.rank if ranked else None


def _conditions(query: TheoryQuery) -> list[ColumnElement[bool]]:
    """Every filter of ``query`` but the search text, as WHERE clauses on the theory table."""
    conditions: list[ColumnElement[bool]] = [
        T.deleted_at.is_not(None) if query.deleted else T.deleted_at.is_(None)
    ]
    if query.statuses:
        conditions.append(T.status.in_(sorted(query.statuses)))
    if query.categories:
        conditions.append(T.category.in_(sorted(query.categories)))
    if query.character_ids:
        conditions.append(
            exists(
                select(1).where(
                    theory_characters.c.theory_id == T.id,
                    theory_characters.c.character_id.in_(sorted(query.character_ids)),
                )
            )
        )
    if query.tags:
        conditions.append(tag_condition(query.tags))
    if query.confidence_min > 1:
        conditions.append(T.confidence >= query.confidence_min)
    if query.confidence_max < 99:
        conditions.append(T.confidence <= query.confidence_max)
    if query.due_before is not None:
        conditions.append(T.status == TheoryStatus.OPEN)
        conditions.append(T.resolve_by < query.due_before)
    if query.not_forecast_by_me:
        # A look-up per theory in ix_forecasts_forecaster_theory (a member without an id yet
        # has forecast nothing: every theory passes).
        conditions.append(
            ~exists(
                select(1).where(
                    ForecastRecord.forecaster_id == query.member_id, ForecastRecord.theory_id == T.id
                )
            )
        )
    return conditions


def _order(query: TheoryQuery, rank: Any) -> list[Any]:
    if query.sort is SortKey.RELEVANCE:
        # The search's rank orders best first; without a search, relevance means newest first.
        if rank is not None:
            return [rank, T.id.desc()]
        return [T.updated_at.desc(), T.id.desc()]
    column = _SORT_COLUMNS[query.sort]
    if query.sort not in _NULLABLE_SORTS:
        # No NULLS LAST where there are no NULLs: SQLite then walks an index in its own order.
        return [column.desc(), T.id.desc()] if query.descending else [column.asc(), T.id.asc()]
    if query.descending:
        return [column.desc().nulls_last(), T.id.desc()]
    return [column.asc().nulls_last(), T.id.asc()]


def _ordered(stmt: Select[Any], query: TheoryQuery, rank: Any) -> Select[Any]:
    return stmt.order_by(*_order(query, rank))


def count(session: Session, query: TheoryQuery, use_fts: bool) -> int:
    stmt, _ = _filtered(query, [func.count()], use_fts, _dialect(session))
    return session.execute(stmt).scalar_one()


def page(session: Session, query: TheoryQuery, offset: int, limit: int, use_fts: bool) -> list[TheoryRow]:
    """One page of rows: the page's ids in order first, then the rows of those ids alone.

    The row's look-ups (condition, leading option, the option that happened) then run for
    the page's rows only, never for every match the sort has to weigh (PostgreSQL computes a
    row's columns before its top-N sort; at 100,000 matches that is most of a keystroke).
    """
    stmt, rank = _filtered(query, [T.id], use_fts, _dialect(session), ranked=_ranked(query))
    ids = list(session.scalars(_ordered(stmt, query, rank).offset(offset).limit(limit)))
    rows = rows_by_id(session, ids)
    return with_club_figures(session, rows, query.member_id) if query.club and rows else rows


def position(session: Session, query: TheoryQuery, theory_id: int, use_fts: bool) -> int | None:
    """Where ``theory_id`` sits (0-based) in the query's order, or ``None`` if it does not match.

    Numbering the rows costs a pass over every match, so a theory that does not match (the
    usual case when a search narrows the board) is ruled out first by a look-up of its own.
    """
    if not matches(session, query, theory_id, use_fts):
        return None
    stmt, rank = _filtered(query, [T.id], use_fts, _dialect(session), ranked=_ranked(query))
    numbered = stmt.add_columns(func.row_number().over(order_by=_order(query, rank)).label("n")).subquery()
    found = session.scalar(select(numbered.c.n).where(numbered.c.id == theory_id))
    return None if found is None else found - 1


def matches(session: Session, query: TheoryQuery, theory_id: int, use_fts: bool) -> bool:
    """Whether one theory matches ``query``: a look-up by id, however many theories match."""
    text = fulltext.text_filter(query.text, use_fts=use_fts, dialect=_dialect(session)).probe(T.id)
    conditions = [T.id == theory_id, *_conditions(query), *([text] if text is not None else [])]
    return session.scalar(select(T.id).where(*conditions)) is not None


def rows_by_id(session: Session, theory_ids: Sequence[int]) -> list[TheoryRow]:
    """Board rows for ``theory_ids``, in the order given (missing ids are skipped)."""
    found = {
        r.id: mapping.theory_row(r)
        for r in session.execute(select(*ROW_COLUMNS).where(T.id.in_(list(theory_ids))))
    }
    return [found[i] for i in theory_ids if i in found]


def with_club_figures(session: Session, rows: Sequence[TheoryRow], member_id: int | None) -> list[TheoryRow]:
    """``rows`` with the club's figures (see :class:`TheoryRow`), as ``member_id`` sees them,
    read in one query for their ids alone (PostgreSQL: a club lives on a server)."""
    found = {r.id: r for r in session.execute(_club_figures([r.id for r in rows], member_id))}
    out = []
    for row in rows:
        f = found.get(row.id)
        if f is None:  # deleted meanwhile
            out.append(row)
            continue
        out.append(
            replace(
                row,
                author_id=f.author_id,
                author=f.author,
                yours=f.yours,
                yours_option=f.yours_option,
                club_median=None if f.median is None else float(f.median),
                club_option=f.median_option,
                forecasters=f.forecasters or 0,
            )
        )
    return out


def _club_figures(theory_ids: list[int], member_id: int | None) -> Select[Any]:
    """Per theory of ``theory_ids``: its author, ``member_id``'s latest forecast, the median of
    each member's latest and how many members forecast it.

    A multiple-choice theory's forecasts are per option; a yes/no one's have none (those left
    from before a theory gained options are not its forecasts any more, so they are skipped).
    Ties between options go to the first in the theory's order.
    """
    f = ForecastRecord
    # The page's options, read by the page's ids: each look-up below stays within the page.
    options = (
        select(OptionRecord.id, OptionRecord.theory_id, OptionRecord.name, OptionRecord.position)
        .where(OptionRecord.theory_id.in_(theory_ids))
        .cte("page_options")
    )
    latest = (
        select(f.theory_id, f.forecaster_id, f.option_id, f.confidence)
        .where(
            f.theory_id.in_(theory_ids),
            or_(f.option_id.is_not(None), f.theory_id.not_in(select(options.c.theory_id))),
        )
        .ext(distinct_on(f.theory_id, f.forecaster_id, f.option_id))
        .order_by(f.theory_id, f.forecaster_id, f.option_id, f.changed_at.desc(), f.id.desc())
        .cte("latest")
    )
    per_option = (
        select(
            latest.c.theory_id,
            latest.c.option_id,
            func.percentile_cont(0.5).within_group(latest.c.confidence).label("median"),
        )
        .group_by(latest.c.theory_id, latest.c.option_id)
        .cte("per_option")
    )
    median = (
        select(per_option.c.theory_id, per_option.c.median, options.c.name.label("option"))
        .outerjoin(options, options.c.id == per_option.c.option_id)
        .ext(distinct_on(per_option.c.theory_id))
        .order_by(per_option.c.theory_id, per_option.c.median.desc(), options.c.position)
        .cte("median")
    )
    counted = (
        select(latest.c.theory_id, func.count(latest.c.forecaster_id.distinct()).label("n"))
        .group_by(latest.c.theory_id)
        .cte("counted")
    )
    author = aliased(ForecasterRecord)
    joined = (
        T.__table__.outerjoin(author, author.id == T.author_id)
        .outerjoin(median, median.c.theory_id == T.id)
        .outerjoin(counted, counted.c.theory_id == T.id)
    )
    yours: list[Any] = [null().label("yours"), null().label("yours_option")]
    if member_id is not None:
        mine = (
            select(latest.c.theory_id, latest.c.confidence, options.c.name.label("option"))
            .outerjoin(options, options.c.id == latest.c.option_id)
            .where(latest.c.forecaster_id == member_id)
            .ext(distinct_on(latest.c.theory_id))
            .order_by(latest.c.theory_id, latest.c.confidence.desc(), options.c.position)
            .cte("mine")
        )
        joined = joined.outerjoin(mine, mine.c.theory_id == T.id)
        yours = [mine.c.confidence.label("yours"), mine.c.option.label("yours_option")]
    return (
        select(
            T.id,
            T.author_id,
            author.name.label("author"),
            median.c.median,
            median.c.option.label("median_option"),
            counted.c.n.label("forecasters"),
            *yours,
        )
        .select_from(joined)
        .where(T.id.in_(theory_ids))
    )


def titles(session: Session) -> list[TheoryRef]:
    """Every live theory's id, title and status, by title (the title index serves the order)."""
    stmt = select(T.id, T.title, T.status).where(T.deleted_at.is_(None)).order_by(T.title_key, T.id)
    return [TheoryRef(r.id, r.title, r.status) for r in session.execute(stmt)]


def tag_counts(session: Session) -> list[TagCount]:
    """Every tag with the number of live theories that carry it, most used first.

    The links are counted per tag first and the names joined after, so SQLite walks the live
    theories once instead of looking each link's theory up from every tag.
    """
    used = (
        select(theory_tags.c.tag_id, func.count().label("used"))
        .join(T, T.id == theory_tags.c.theory_id)
        .where(T.deleted_at.is_(None))
        .group_by(theory_tags.c.tag_id)
        .subquery("used")
    )
    count = func.coalesce(used.c.used, 0)
    stmt = (
        select(TagRecord.name, count)
        .select_from(TagRecord)
        .join(used, used.c.tag_id == TagRecord.id, isouter=True)
        .order_by(count.desc(), TagRecord.name)
    )
    return [TagCount(name, n) for name, n in session.execute(stmt)]

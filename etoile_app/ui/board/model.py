"""The theory board's table model: counts in SQL, loads rows a page at a time as they scroll in.

It never holds more than a few pages of rows, so 100,000 theories cost a count and one page
per screenful, and filtering and sorting are SQL queries.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.errors import JournalError
from etoile_app.domain.models import SortKey, TheoryQuery, TheoryRow
from etoile_app.ui.common import fmt
from etoile_app.ui.common.roles import ID_ROLE, RECORD_ROLE
from etoile_app.ui.common.widgets import is_dark, plain_tooltip

if TYPE_CHECKING:
    from etoile_app.services.board import BoardService
    from etoile_app.ui.common.changes import TheoryChanges
    from etoile_app.ui.common.ops import Operations, Ticket

Index = QModelIndex | QPersistentModelIndex

# New columns go at the end: a header layout saved before they came (QHeaderView.saveState,
# by column number) then still fits every older column, and the new one follows them.
(
    COL_TITLE,
    COL_CATEGORY,
    COL_CHARACTERS,
    COL_TAGS,
    COL_CONFIDENCE,
    COL_JUICINESS,
    COL_STATUS,
    COL_UPDATED,
    COL_RESOLVE_BY,
) = range(9)
HEADERS = (
    "Title",
    "Category",
    "Characters",
    "Tags",
    "Confidence",
    "Juiciness",
    "Status",
    "Updated",
    "Resolve by",
)
#: A club's columns (see ``TheoryRow``), after those: a journal of one has none of them.
COL_YOURS, COL_CLUB, COL_FORECASTERS, COL_BY = range(len(HEADERS), len(HEADERS) + 4)
CLUB_HEADERS = ("Yours", "Club", "Forecasters", "By")
#: What a club column's heading says when pointed at (they do not sort: each row's figure is
#: read for the rows shown only, so ordering 100,000 theories by one would read them all).
CLUB_HEADER_TIPS = (
    "Your latest forecast (multiple choice: the option you rate highest)",
    "The club's median: the middle of each member's latest forecast "
    "(multiple choice: the option whose median is highest)",
    "How many members have forecast it",
    "Who wrote it",
)
SORT_KEYS = (
    SortKey.TITLE,
    SortKey.CATEGORY,
    SortKey.CHARACTERS,
    SortKey.TAGS,
    SortKey.CONFIDENCE,
    SortKey.JUICINESS,
    SortKey.STATUS,
    SortKey.UPDATED,
    SortKey.RESOLVE_BY,
)

# Flags and alignments are made once: combining Qt enums in Python costs a call each time.
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_CENTRED = int(Qt.AlignmentFlag.AlignCenter)
_CENTRED_COLUMNS = frozenset({COL_CONFIDENCE, COL_JUICINESS, COL_YOURS, COL_CLUB, COL_FORECASTERS})
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_ROLES = frozenset(
    int(r)
    for r in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.AccessibleTextRole,
        ID_ROLE,
        RECORD_ROLE,
    )
)
#: What the resolve-by column says beyond its text: whether the date has passed.
_DATE_ROLES = frozenset(
    int(r)
    for r in (
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.AccessibleTextRole,
    )
)
#: The resolve-by date of an open theory past it, in amber (attention, not failure): dark
#: text on a light window, light text on a dark one, each at least 4.5:1 on the rows behind it.
DUE_COLOURS = {"light": "#8a5100", "dark": "#f0b44c"}

T = TypeVar("T")

#: Marks the title of a theory that depends on another ("if … then this").
CONDITIONAL_MARK = "↳ "

PAGE_SIZE = 100
PAGES_KEPT = 80
#: Pages asked for by the view and not loaded yet, newest first; older wishes are dropped
#: (scrolling fast past a thousand pages loads the ones it stops at, not every one passed).
PAGES_WANTED = 6


class TheoryTableModel(QAbstractTableModel):
    """Rows of the board for one query, read on a reader thread (see ``ops``).

    A new query is read in the background: its first page replaces the rows (a reset, which
    the board keeps the selection across) and the exact count follows, adding the rows
    beyond the first page. A page scrolled into view is read on demand; until it arrives its
    cells are empty. The query submitted last wins: one that went stale is stopped.
    """

    #: A query's first page is on screen (the model was reset for it).
    queryApplied = Signal()
    #: The number of rows is now exact (it was the first page's until the count came).
    countKnown = Signal(int)
    #: The rows on screen were read again after a change and are about to be updated in place.
    rowsAboutToUpdate = Signal()
    #: The rows on screen were read again after a change and updated in place.
    rowsUpdated = Signal()

    def __init__(self, board: BoardService, ops: Operations, parent=None, *, club: bool = False) -> None:
        super().__init__(parent)
        self._board, self._ops = board, ops
        #: The headings: in a club, the club's columns follow the others.
        self._headers = HEADERS + CLUB_HEADERS if club else HEADERS
        self._query = TheoryQuery()
        self._count = 0
        self._exact = True
        self._pages: OrderedDict[int, list[TheoryRow]] = OrderedDict()
        self._wanted: OrderedDict[int, None] = OrderedDict()
        self._page_ticket: Ticket | None = None
        self._generation = 0
        #: Queries asked for and not on screen yet.
        self._waiting = 0

    # --- the query -------------------------------------------------------------------------

    def query(self) -> TheoryQuery:
        """The query whose rows are shown."""
        return self._query

    def exact(self) -> bool:
        """Whether :meth:`rowCount` is the exact number of matches (not only the first page)."""
        return self._exact

    def query_pending(self) -> bool:
        """Whether rows asked for (a query, a refresh) have not replaced the shown ones yet."""
        return self._waiting > 0

    def set_query(self, query: TheoryQuery) -> None:
        """Read ``query``'s rows in the background; they replace the shown ones when they come."""
        self._generation += 1
        generation = self._generation
        self._waiting += 1
        self._ops.cancel("board.count")
        board = self._board

        def first_page() -> tuple[list[TheoryRow], int | None]:
            rows = board.page(query, 0, PAGE_SIZE)
            # A short first page is every match: no count needed.
            return rows, (len(rows) if len(rows) < PAGE_SIZE else None)

        self._ops.read(
            first_page,
            lambda found: self._first_page(generation, query, *found),
            key="board.query",
            failed=lambda exc: self._query_failed(generation, exc),
        )

    def refresh(self) -> None:
        """Read the rows again after the data changed, keeping the query."""
        self.set_query(self._query)

    def update(self, changes: TheoryChanges) -> None:
        """After a change to a few theories: read the rows on screen again and update only
        those that differ (``dataChanged``), inserting and removing rows where theories came
        or went. A query on its way, a change to everything, or rows far from the top loaded
        apart from it, read everything again instead (a reset, as for a new query)."""
        if changes.everything or self._waiting or not self._exact or not changes:
            self.refresh()
            return
        numbers = self._window()
        if numbers is None:
            self.refresh()
            return
        self._generation += 1
        generation, query, board = self._generation, self._query, self._board
        self._waiting += 1
        first, count = numbers[0] * PAGE_SIZE, len(numbers) * PAGE_SIZE

        def reread() -> tuple[int, list[TheoryRow]]:
            return board.count(query), board.page(query, first, count)

        self._ops.read(
            reread,
            lambda found: self._reread_came(generation, numbers, *found),
            key="board.query",
            failed=lambda exc: self._query_failed(generation, exc),
        )

    def _window(self) -> list[int] | None:
        """The loaded pages read again after a change: the run of consecutive loaded pages
        around the one painted last (the rows on screen). ``None`` when nothing is loaded."""
        if not self._pages:
            return None
        latest = next(reversed(self._pages))
        run = [latest]
        while run[0] - 1 in self._pages:
            run.insert(0, run[0] - 1)
        while run[-1] + 1 in self._pages:
            run.append(run[-1] + 1)
        return run

    def _reread_came(self, generation: int, numbers: list[int], total: int, rows: list[TheoryRow]) -> None:
        if generation != self._generation:
            return
        self._waiting = 0
        if any(n not in self._pages for n in numbers):  # dropped meanwhile: start afresh
            self.refresh()
            return
        self.rowsAboutToUpdate.emit()
        first = numbers[0] * PAGE_SIZE
        old = [row for n in numbers for row in self._pages[n]]
        # Rows loaded away from those read again are read again when next painted.
        others = [n for n in self._pages if n not in numbers]
        self._pages.clear()
        self._wanted.clear()
        for n in others:
            top = n * PAGE_SIZE
            if top < self._count:
                self.dataChanged.emit(
                    self.index(top, 0), self.index(min(top + PAGE_SIZE, self._count) - 1, 0)
                )
        matcher = SequenceMatcher(None, [r.id for r in old], [r.id for r in rows], autojunk=False)
        shown = list(old)  # the rows as the view knows them, kept in step with each signal
        last_column = len(self._headers) - 1
        offset = 0  # rows inserted less rows removed so far
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            at = first + i1 + offset
            if op == "equal":
                for k in range(i2 - i1):
                    if shown[i1 + offset + k] != rows[j1 + k]:
                        shown[i1 + offset + k] = rows[j1 + k]
                        self.dataChanged.emit(self.index(at + k, 0), self.index(at + k, last_column))
                continue
            if i2 > i1:  # theories gone from these rows (deleted, filtered out, moved away)
                self.beginRemoveRows(QModelIndex(), at, at + (i2 - i1) - 1)
                del shown[i1 + offset : i2 + offset]
                self._count -= i2 - i1
                self.endRemoveRows()
                offset -= i2 - i1
            if j2 > j1:  # theories that came into these rows
                at = first + i2 + offset
                self.beginInsertRows(QModelIndex(), at, at + (j2 - j1) - 1)
                shown[i2 + offset : i2 + offset] = rows[j1:j2]
                self._count += j2 - j1
                self.endInsertRows()
                offset += j2 - j1
        # The rows beyond those read again: as many as the count says.
        if total > self._count:
            self.beginInsertRows(QModelIndex(), self._count, total - 1)
            self._count = total
            self.endInsertRows()
        elif total < self._count:
            keep = max(total, first + len(rows))
            if keep < self._count:
                self.beginRemoveRows(QModelIndex(), keep, self._count - 1)
                self._count = keep
                self.endRemoveRows()
        for start in range(0, len(rows), PAGE_SIZE):
            self._pages[(first + start) // PAGE_SIZE] = rows[start : start + PAGE_SIZE]
        self.countKnown.emit(self._count)
        self.rowsUpdated.emit()

    def _query_failed(self, generation: int, exc: JournalError) -> None:
        if generation == self._generation:
            self._waiting = 0
        self._ops.failed.emit(exc)

    def _first_page(
        self, generation: int, query: TheoryQuery, rows: list[TheoryRow], count: int | None
    ) -> None:
        if generation != self._generation:
            return  # a newer query is on its way
        self._waiting = 0
        self.beginResetModel()
        self._query = query
        self._pages.clear()
        self._wanted.clear()
        if self._page_ticket is not None:
            self._page_ticket.cancel()
            self._page_ticket = None
        if rows:
            self._pages[0] = rows
        self._count = len(rows)
        self._exact = count is not None
        self.endResetModel()
        self.queryApplied.emit()
        if self._exact:
            self.countKnown.emit(self._count)
            return
        board = self._board
        self._ops.read(
            lambda: board.count(query),
            lambda total: self._count_came(generation, total),
            key="board.count",
        )

    def _count_came(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        if total > self._count:
            self.beginInsertRows(QModelIndex(), self._count, total - 1)
            self._count = total
            self.endInsertRows()
        elif total < self._count:  # the journal changed between the two reads
            self.beginRemoveRows(QModelIndex(), total, self._count - 1)
            self._count = total
            for number in [n for n in self._pages if n * PAGE_SIZE >= total]:
                del self._pages[number]
            self.endRemoveRows()
        self._exact = True
        self.countKnown.emit(self._count)

    def row_of(self, theory_id: int) -> int | None:
        """The row of ``theory_id`` among the rows loaded, or ``None``: after a reset, the first
        page (what the view shows). :meth:`find_row` looks further, in the background."""
        for number, page in self._pages.items():
            for offset, row in enumerate(page):
                if row.id == theory_id:
                    return number * PAGE_SIZE + offset
        return None

    def find_row(self, theory_id: int, done: Callable[[int | None], Any]) -> None:
        """The row of ``theory_id`` (``None``: the query does not show it), to ``done``: at once
        if it is among the rows loaded, else after a look-up in the background."""
        found = self.row_of(theory_id)
        if found is not None or (self._count <= PAGE_SIZE and self._exact):
            done(found)
            return
        query, board = self._query, self._board

        def came(row: int | None) -> None:
            if query == self._query:  # else the rows it was looked up in are gone
                done(row if row is None or row < self._count else None)

        self._ops.read(lambda: board.position(query, theory_id), came, key="board.find")

    def theory_id(self, row: int) -> int | None:
        """The theory at ``row`` if its page is loaded (it is read in the background if not)."""
        found = self._row(row)
        return found.id if found else None

    def theory_row(self, row: int) -> TheoryRow | None:
        """The board row shown at ``row`` if its page is loaded, or ``None``."""
        return self._row(row)

    def loaded_rows(self, rows: Sequence[int]) -> list[TheoryRow] | None:
        """The board rows at ``rows`` when every one's page is loaded, else ``None``."""
        if any(n // PAGE_SIZE not in self._pages for n in rows if 0 <= n < self._count):
            return None
        return [r for r in map(self._row, rows) if r is not None]

    def read_rows(self, rows: Sequence[int], done: Callable[[list[TheoryRow]], T]) -> T | None:
        """The board rows at ``rows`` (row numbers, top to bottom), to ``done``: at once (its
        result returned) when their pages are loaded, else after one read in the background of
        the pages missing (a selection of 100,000 rows reads them in one query, not 1,000
        pages on the GUI thread). A newer call replaces one still reading."""
        loaded = self.loaded_rows(rows)
        if loaded is not None:
            self._ops.cancel("board.rows")
            return done(loaded)
        wanted = sorted({n // PAGE_SIZE for n in rows if 0 <= n < self._count} - set(self._pages))
        spans: list[list[int]] = []
        for number in wanted:
            if spans and spans[-1][1] == number - 1:
                spans[-1][1] = number
            else:
                spans.append([number, number])
        query, board, pages = self._query, self._board, dict(self._pages)

        def read() -> dict[int, list[TheoryRow]]:
            found: dict[int, list[TheoryRow]] = {}
            for first, last in spans:
                got = board.page(query, first * PAGE_SIZE, (last - first + 1) * PAGE_SIZE)
                for k in range(first, last + 1):
                    found[k] = got[(k - first) * PAGE_SIZE : (k - first + 1) * PAGE_SIZE]
            return found

        def came(found: dict[int, list[TheoryRow]]) -> None:
            if query != self._query:
                return  # another search or filter since: the selection went with its rows
            pages.update(found)
            out = []
            for n in rows:
                page = pages.get(n // PAGE_SIZE, [])
                if n % PAGE_SIZE < len(page):
                    out.append(page[n % PAGE_SIZE])
            done(out)

        self._ops.read(read, came, key="board.rows")
        return None

    def _row(self, row: int) -> TheoryRow | None:
        """The row if its page is loaded; if not, the page is asked for in the background."""
        if not 0 <= row < self._count:
            return None
        number = row // PAGE_SIZE
        page = self._pages.get(number)
        if page is None:
            self._want(number)
            return None
        self._pages.move_to_end(number)
        offset = row - number * PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def _keep(self, number: int, page: list[TheoryRow]) -> None:
        self._pages[number] = page
        self._wanted.pop(number, None)
        while len(self._pages) > PAGES_KEPT:
            self._pages.popitem(last=False)

    def _want(self, number: int) -> None:
        self._wanted[number] = None
        self._wanted.move_to_end(number, last=False)
        while len(self._wanted) > PAGES_WANTED:
            self._wanted.popitem(last=True)
        self._next_page()

    def _next_page(self) -> None:
        """Read the page wanted most recently, one at a time."""
        if self._page_ticket is not None or not self._wanted:
            return
        number = next(iter(self._wanted))
        generation, query, board = self._generation, self._query, self._board
        self._page_ticket = self._ops.read(
            lambda: board.page(query, number * PAGE_SIZE, PAGE_SIZE),
            lambda rows: self._page_came(generation, number, rows),
            failed=lambda exc: self._page_failed(exc),
        )

    def _page_failed(self, exc: JournalError) -> None:
        self._page_ticket = None
        self._wanted.clear()
        self._ops.failed.emit(exc)

    def _page_came(self, generation: int, number: int, rows: list[TheoryRow]) -> None:
        self._page_ticket = None
        if generation == self._generation:
            self._keep(number, rows)
            first = number * PAGE_SIZE
            last = min(first + len(rows), self._count) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(self._headers) - 1))
        else:
            self._wanted.clear()
        self._next_page()

    # --- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._headers):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._headers[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section in _CENTRED_COLUMNS:
                return int(Qt.AlignmentFlag.AlignCenter)
            if role == Qt.ItemDataRole.ToolTipRole and section >= COL_YOURS:
                return CLUB_HEADER_TIPS[section - COL_YOURS]
        return None

    @staticmethod
    def sortable(column: int) -> bool:
        """Whether a click on the column's heading sorts the board (the club's columns do not)."""
        return 0 <= column < len(SORT_KEYS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The view asks for a dozen roles per cell on every paint; most are not ours.
        if role not in _ROLES or not index.isValid():
            return None
        row = self._row(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if column == COL_RESOLVE_BY and role in _DATE_ROLES and row.resolve_by is not None:
            return self._resolve_by_data(row, role)
        if role == Qt.ItemDataRole.ToolTipRole:
            # Qt shows a tooltip that looks like HTML as HTML: user text is escaped.
            if column == COL_TITLE and row.condition:
                return plain_tooltip(f"{fmt.isolate(row.title)}\nIf: {fmt.isolate(row.condition)}")
            if column in (COL_TITLE, COL_CHARACTERS, COL_TAGS):
                return plain_tooltip(_display(row, column))
            if column == COL_CONFIDENCE and row.leading_option is not None:
                return plain_tooltip(f"Multiple choice: {fmt.isolate(row.leading_option)} leads")
            if column == COL_UPDATED:
                updated, written = fmt.local_datetime(row.updated_at), fmt.local_datetime(row.created_at)
                return plain_tooltip(f"Updated {updated}; written {written}")
            if column >= COL_YOURS:
                return _club_tooltip(row, column)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _CENTRED if column in _CENTRED_COLUMNS else _LEFT
        if role == ID_ROLE:
            return row.id
        if role == RECORD_ROLE:
            return row
        return None

    def is_due(self, row: TheoryRow) -> bool:
        """Whether ``row`` is an open theory past its resolve-by date, today by the journal's clock
        (asked at each paint: a date that passed at midnight shows as due once repainted)."""
        return (
            row.status is TheoryStatus.OPEN
            and row.resolve_by is not None
            and row.resolve_by < self._board.today()
        )

    def day_changed(self) -> None:
        """A new day began: repaint the resolve-by dates, some of which may have come due."""
        if self._count:
            self.dataChanged.emit(
                self.index(0, COL_RESOLVE_BY),
                self.index(self._count - 1, COL_RESOLVE_BY),
                [Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole],
            )

    def _resolve_by_data(self, row: TheoryRow, role: int) -> Any:
        assert row.resolve_by is not None
        due = self.is_due(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            if not due:
                return f"Resolve by {fmt.long_date(row.resolve_by)}"
            days = (self._board.today() - row.resolve_by).days
            return f"Due since {fmt.long_date(row.resolve_by)} ({fmt.count(days, 'day')} overdue)"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            shown = fmt.short_date(row.resolve_by)
            return f"{shown}, past due" if due else shown
        if not due:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return due_colour()
        font = QGuiApplication.font()  # FontRole: bold, so it is not told by colour alone
        font.setBold(True)
        return font

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self.sortable(column):
            descending = order == Qt.SortOrder.DescendingOrder
            self.set_query(replace(self._query, sort=SORT_KEYS[column], descending=descending))


class TitleDelegate(QStyledItemDelegate):
    """Draws a title too long for its cell elided in the middle, so both its start and its end
    stay readable (its tooltip holds the whole title)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


def _display(row: TheoryRow, column: int) -> str:
    # User text is isolated (fmt.isolate): a right-to-left override in one title or tag must
    # not reorder what the cell shows after it.
    if column == COL_TITLE:
        # A theory that depends on another is marked, and its tooltip names the condition.
        return f"{CONDITIONAL_MARK}{fmt.isolate(row.title)}" if row.condition else fmt.isolate(row.title)
    if column == COL_CATEGORY:
        return row.category.label
    if column == COL_CHARACTERS:
        return ", ".join(map(fmt.isolate, row.characters))
    if column == COL_TAGS:
        return "  ".join(map(fmt.isolate, row.tags))
    if column == COL_CONFIDENCE:
        if row.leading_option is not None:  # multiple choice: the leading option and its share
            return f"{fmt.percent(row.confidence)} {fmt.isolate(row.leading_option)}"
        return fmt.percent(row.confidence)
    if column == COL_JUICINESS:
        return fmt.stars(row.juiciness)
    if column == COL_STATUS:
        if row.happened_option is not None:
            return f"{row.status.label}: {fmt.isolate(row.happened_option)}"
        return row.status.label
    if column == COL_UPDATED:
        return fmt.short_date(row.updated_at.astimezone().date())
    if column == COL_RESOLVE_BY:
        return fmt.short_date(row.resolve_by)
    if column == COL_YOURS:
        return _share(row.yours, row.yours_option)
    if column == COL_CLUB:
        return _share(row.club_median, row.club_option)
    if column == COL_FORECASTERS:
        return "" if row.forecasters is None else f"{row.forecasters:,}"
    if column == COL_BY:
        return fmt.isolate(row.author) if row.author else ""
    return ""


def _share(confidence: float | None, option: str | None) -> str:
    """A confidence as the Confidence column shows one (multiple choice: with its option); a
    median between two whole percents keeps its half."""
    if confidence is None:
        return ""
    shown = fmt.percent(int(confidence)) if float(confidence).is_integer() else f"{confidence:.1f} %"
    return f"{shown} {fmt.isolate(option)}" if option is not None else shown


def _club_tooltip(row: TheoryRow, column: int) -> str | None:
    if column == COL_YOURS:
        if row.yours is None:
            return "You have not forecast it"
        if row.yours_option is not None:
            return plain_tooltip(f"Your latest forecast: {fmt.isolate(row.yours_option)} rated highest")
        return "Your latest forecast"
    if column == COL_CLUB and row.club_median is not None:
        members = fmt.count(row.forecasters or 0, "member")
        if row.club_option is not None:
            return plain_tooltip(
                f"Median of the latest forecasts of {members}: {fmt.isolate(row.club_option)} leads"
            )
        return f"Median of the latest forecasts of {members}"
    if column == COL_BY and row.author:
        return plain_tooltip(f"Written by {fmt.isolate(row.author)}")
    return None


def due_colour(palette: QPalette | None = None) -> QColor:
    """The colour of a past-due resolve-by date on ``palette`` (the application's by default)."""
    dark = is_dark(palette if palette is not None else QGuiApplication.palette())
    return QColor(DUE_COLOURS["dark" if dark else "light"])

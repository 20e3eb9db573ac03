"""Qt models of the Cast tab: the characters, the theories about one of them, the dream casting;
and the delegate that paints the character list from the model's roles.

Each model holds plain records from the services and is refilled whole when the store says
something changed; the lists are small (tens of rows), so a reset is cheaper than diffing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from etoile_app.domain.enums import Company, RoleKind
from etoile_app.domain.models import Character, DreamCast, TheoryRow
from etoile_app.ui.common import fmt
from etoile_app.ui.common.roles import (
    ACTOR_ROLE,
    COMPANY_ROLE,
    ID_ROLE,
    RECORD_ROLE,
    ROLE_KIND_ROLE,
    SEARCH_ROLE,
    SORT_ROLE,
    THEORY_COUNT_ROLE,
)
from etoile_app.ui.common.widgets import badge_colours, plain_tooltip

Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole

#: Said when canon names no actor and gives no reason of its own.
NO_ACTOR = "Actor not named in canon"
#: What the character list shows in place of a missing actor; the reason is in the tooltip.
NO_ACTOR_MARK = "—"
#: Said of a character only the fan-site article mentions.
UNVERIFIED_NOTE = "Only the fan-site article mentions this character; the sources read do not confirm it."

# --- custom roles (shared by the three models so views can ask any of them the same way) ----

#: Group headings of the character list, which comes main cast first.
ROLE_GROUPS = {RoleKind.MAIN: "Main cast", RoleKind.RECURRING: "Recurring", RoleKind.GUEST: "Guests"}


def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching: ``Geneviève`` → ``genevieve``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def one_line(text: str) -> str:
    return " ".join(text.split())


def actor_text(c: Character) -> str:
    """Who plays ``c``, or canon's reason for naming no one: ``Played by Luke Kirby``."""
    return f"Played by {c.actor}" if c.actor else c.actor_note or NO_ACTOR


# --- characters ----------------------------------------------------------------------------


class CharacterListModel(QAbstractListModel):
    """Every character, in the service's order (main cast first, then by name)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._characters: list[Character] = []

    def set_characters(self, characters: Sequence[Character]) -> None:
        self.beginResetModel()
        self._characters = list(characters)
        self.endResetModel()

    def character(self, row: int) -> Character | None:
        return self._characters[row] if 0 <= row < len(self._characters) else None

    def characters(self) -> list[Character]:
        return list(self._characters)

    def row_of(self, character_id: int) -> int | None:
        return next((i for i, c in enumerate(self._characters) if c.id == character_id), None)

    def row_of_key(self, key: str) -> int | None:
        return next((i for i, c in enumerate(self._characters) if c.key == key), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(self._characters)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._characters):
            return None
        c = self._characters[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return c.display_name
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [c.display_name, actor_text(c)]
            if not c.verified:
                lines.append(UNVERIFIED_NOTE)
            return plain_tooltip("\n".join(lines))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{c.display_name}, {actor_text(c)}, {ROLE_GROUPS[c.role].lower()}"
        return {
            ID_ROLE: c.id,
            RECORD_ROLE: c,
            SORT_ROLE: c.display_name.casefold(),
            ACTOR_ROLE: c.actor,
            ROLE_KIND_ROLE: c.role,
            COMPANY_ROLE: c.company,
            # The short name too, so "Crispin" finds Crispin Shamblee and "Jack" Jack McMillan.
            SEARCH_ROLE: fold(f"{c.name}\n{c.full_name}\n{c.actor or ''}"),
            THEORY_COUNT_ROLE: c.theory_count,
        }.get(role)


class CharacterFilterProxy(QSortFilterProxyModel):
    """Filters the characters by search text (full or short name, or actor) and company; keeps the
    source order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._company: Company | None = None

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._words = fold(text).split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_company(self, company: Company | None) -> None:
        self.beginFilterChange()
        self._company = company
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def is_filtering(self) -> bool:
        return bool(self._words) or self._company is not None

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        index = self.sourceModel().index(source_row, 0, source_parent)
        if self._company is not None and index.data(COMPANY_ROLE) != self._company:
            return False
        haystack = index.data(SEARCH_ROLE) or ""
        # Every word must match somewhere, so "lou laage" finds Lou de Laâge.
        return all(word in haystack for word in self._words)


# --- theories about one character ------------------------------------------------------------

THEORY_COL_TITLE, THEORY_COL_STATUS, THEORY_COL_CONFIDENCE = range(3)
THEORY_HEADERS = ("Theory", "Status", "Confidence")


class CharacterTheoriesModel(QAbstractTableModel):
    """The theories that involve one character: title, status and confidence."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[TheoryRow] = []

    def set_rows(self, rows: Sequence[TheoryRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def theory(self, row: int) -> TheoryRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(THEORY_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(THEORY_HEADERS):
            return THEORY_HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        t, col = self._rows[index.row()], index.column()
        if role == ID_ROLE:
            return t.id
        if role == RECORD_ROLE:
            return t
        if role == Qt.ItemDataRole.DisplayRole:
            return (t.title, t.status.label, fmt.percent(t.confidence))[col]
        if role == SORT_ROLE:
            return (t.title.casefold(), t.status.value, t.confidence)[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == THEORY_COL_TITLE:
            return plain_tooltip(t.title)
        if role == Qt.ItemDataRole.DecorationRole and col == THEORY_COL_STATUS:
            return badge_colours(t.status)[0]  # the status's badge colour, as a swatch
        if role == Qt.ItemDataRole.TextAlignmentRole and col == THEORY_COL_CONFIDENCE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


# --- dream casting -------------------------------------------------------------------------

DREAM_COL_ROLE, DREAM_COL_ACTOR, DREAM_COL_CHARACTER, DREAM_COL_RATING, DREAM_COL_NOTE = range(5)
DREAM_HEADERS = ("Role idea", "Actor", "Character", "Rating", "Note")


class DreamCastTableModel(QAbstractTableModel):
    """The user's dream casting, one entry a row, in the service's order (best rated first)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[DreamCast] = []

    def set_entries(self, entries: Sequence[DreamCast]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entry(self, row: int) -> DreamCast | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def row_of(self, entry_id: int) -> int | None:
        return next((i for i, e in enumerate(self._entries) if e.id == entry_id), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(DREAM_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(DREAM_HEADERS):
            return DREAM_HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        e, col = self._entries[index.row()], index.column()
        if role == ID_ROLE:
            return e.id
        if role == RECORD_ROLE:
            return e
        if role == Qt.ItemDataRole.DisplayRole:
            # A note may span lines; a table cell shows it on one, the tooltip in full.
            return (e.role_idea, e.actor, e.character_name or "", fmt.stars(e.rating), one_line(e.note))[col]
        if role == SORT_ROLE:
            return (e.role_idea.casefold(), e.actor.casefold(), (e.character_name or "").casefold(),
                    e.rating or 0, e.note.casefold())[col]  # fmt: skip
        if role == Qt.ItemDataRole.ToolTipRole:
            text = (e.role_idea, e.actor, e.character_name or "", "", e.note)[col]
            if col == DREAM_COL_RATING and e.rating:
                text = f"{e.rating} of 5 stars"
            return plain_tooltip(text) if text else None
        if role == Qt.ItemDataRole.AccessibleTextRole and col == DREAM_COL_RATING:
            return f"{e.rating} of 5 stars" if e.rating else "No rating"
        if role == Qt.ItemDataRole.ForegroundRole and col == DREAM_COL_RATING and e.rating:
            return QColor("#b8860b")  # the gold of StarRating, a shade darker to read on white
        return None


# --- painting the character list ------------------------------------------------------------


class CharacterDelegate(QStyledItemDelegate):
    """Two lines a character (name, then the actor in muted text, or a dash where canon names no
    one), under a heading where the list moves from main cast to recurring to guests."""

    PAD = 6

    def _starts_group(self, index: QModelIndex) -> bool:
        kind = index.data(ROLE_KIND_ROLE)
        return index.row() == 0 or index.siblingAtRow(index.row() - 1).data(ROLE_KIND_ROLE) != kind

    def _header_height(self, option: QStyleOptionViewItem) -> int:
        return option.fontMetrics.height() + 2 * self.PAD

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        height = 2 * option.fontMetrics.height() + 2 * self.PAD + 2
        if self._starts_group(index):
            height += self._header_height(option)
        return QSize(200, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        palette, rect = opt.palette, opt.rect
        painter.save()
        if self._starts_group(index):
            header = rect.adjusted(self.PAD + 4, 0, -self.PAD, 0)
            header.setHeight(self._header_height(option))
            font = QFont(opt.font)
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 0.85)
            painter.setFont(font)
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            text = ROLE_GROUPS[index.data(ROLE_KIND_ROLE)].upper()
            painter.drawText(header, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, text)
            rect = rect.adjusted(0, header.height(), 0, 0)
        # The style draws the selection and focus over the item only, not its group heading.
        opt.rect, opt.text = rect, ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        text_colour = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted_colour = QColor(text_colour)
        muted_colour.setAlphaF(0.65)
        inner = rect.adjusted(self.PAD + 4, self.PAD, -self.PAD - 4, -self.PAD)
        line = opt.fontMetrics.height()

        count = index.data(THEORY_COUNT_ROLE) or 0
        count_text = f"{count} {'theory' if count == 1 else 'theories'}" if count else ""
        small = QFont(opt.font)
        small.setPointSizeF(small.pointSizeF() * 0.9)
        if count_text:
            painter.setFont(small)
            painter.setPen(muted_colour)
            painter.drawText(inner, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, count_text)
            inner_name = inner.adjusted(0, 0, -painter.fontMetrics().horizontalAdvance(count_text) - 8, 0)
        else:
            inner_name = inner

        bold = QFont(opt.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text_colour)
        name = painter.fontMetrics().elidedText(
            index.data() or "", Qt.TextElideMode.ElideRight, inner_name.width()
        )
        painter.drawText(inner_name.adjusted(0, 0, 0, -line), Qt.AlignmentFlag.AlignLeft, name)

        actor = index.data(ACTOR_ROLE)
        painter.setFont(opt.font)
        painter.setPen(muted_colour)
        shown = painter.fontMetrics().elidedText(
            actor or NO_ACTOR_MARK, Qt.TextElideMode.ElideRight, inner.width()
        )
        painter.drawText(inner.adjusted(0, line + 2, 0, 0), Qt.AlignmentFlag.AlignLeft, shown)
        painter.restore()

"""The club's part of the Track record tab: every member's scores side by side, sortable, with
the club median forecast as a row of its own."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from etoile_app.domain import club_scoring
from etoile_app.domain.club_scoring import Leaderboard, LeaderboardRow
from etoile_app.ui.common import fmt
from etoile_app.ui.common.record_model import Column, RecordTableModel
from etoile_app.ui.common.roles import SORT_ROLE
from etoile_app.ui.common.widgets import muted, plain_tooltip

Index = QModelIndex | QPersistentModelIndex

NO_SCORE = "—"
COL_MEMBER, COL_QUESTIONS, COL_BRIER, COL_LOG, COL_RELATIVE = range(5)

LEADERBOARD_NOTE = (
    "Every question on one Brier scale, 0–2, as Good Judgment Open scores them: a yes/no question "
    "counts as two options, so its score is twice the 0–1 score above. Click a heading to sort."
)


def _num(value: float | None, digits: int = 3, *, sign: bool = False) -> str:
    if value is None:
        return NO_SCORE
    text = f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"
    return text.replace("-", "−")


def _questions(row: LeaderboardRow) -> str:
    text = f"{fmt.count(row.questions, 'question')}: {row.yes_no:,} yes/no, {row.choices:,} multiple choice."
    return f"{text} {club_scoring.QUESTIONS_EXPLANATION}"


def _over(row: LeaderboardRow, count: int, explanation: str) -> str:
    if not count:
        return f"Nothing scored yet. {explanation}"
    return f"Over {fmt.count(count, 'question')}. {explanation}"


def _relative_tip(row: LeaderboardRow) -> str:
    if not row.compared:
        return f"No question forecast by another member too. {club_scoring.RELATIVE_EXPLANATION}"
    return (
        f"Over {fmt.count(row.compared, 'question')} forecast by two members or more. "
        f"{club_scoring.RELATIVE_EXPLANATION}"
    )


def _member_tip(row: LeaderboardRow) -> str:
    return club_scoring.MEDIAN_EXPLANATION if row.is_club_median else row.name


LEADERBOARD_COLUMNS = (
    Column("Member", lambda r: r.name, tooltip=_member_tip),
    Column("Questions", lambda r: f"{r.questions:,}", numeric=True, tooltip=_questions),
    Column(
        "Brier",
        lambda r: _num(r.mean_brier),
        numeric=True,
        tooltip=lambda r: _over(r, r.questions, club_scoring.LEADERBOARD_BRIER_EXPLANATION),
    ),
    Column(
        "Log score",
        lambda r: _num(r.mean_log_score, 2),
        numeric=True,
        tooltip=lambda r: _over(r, r.questions, club_scoring.LEADERBOARD_LOG_EXPLANATION),
    ),
    Column(
        "vs club median", lambda r: _num(r.relative_brier, sign=True), numeric=True, tooltip=_relative_tip
    ),
)
HEADER_TIPS = (
    "The member, and the club median forecast (in italics).",
    club_scoring.QUESTIONS_EXPLANATION,
    club_scoring.LEADERBOARD_BRIER_EXPLANATION,
    club_scoring.LEADERBOARD_LOG_EXPLANATION,
    club_scoring.RELATIVE_EXPLANATION,
)


def sort_value(row: LeaderboardRow, column: int) -> Any:
    """What a column sorts by; with nothing scored, last when the best come first."""
    if column == COL_MEMBER:
        return row.name.casefold()
    if column == COL_QUESTIONS:
        return row.questions
    if column == COL_LOG:  # higher is better
        return -math.inf if row.mean_log_score is None else row.mean_log_score
    value = row.mean_brier if column == COL_BRIER else row.relative_brier
    return math.inf if value is None else value


class LeaderboardModel(RecordTableModel):
    """The leaderboard's rows, the club median's set apart by its font and background."""

    def __init__(self, parent=None) -> None:
        super().__init__(LEADERBOARD_COLUMNS, parent)

    def set_leaderboard(self, board: Leaderboard) -> None:
        self.set_records(board.rows)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(HEADER_TIPS)
        ):
            return plain_tooltip(HEADER_TIPS[section])
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.record(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == SORT_ROLE:
            return sort_value(row, index.column())
        if role == Qt.ItemDataRole.FontRole and row.is_club_median:
            font = QGuiApplication.font()
            font.setItalic(True)
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and row.is_club_median:
            colour = QColor(QGuiApplication.palette().color(QPalette.ColorRole.Highlight))
            colour.setAlpha(48)
            return colour
        return super().data(index, role)


class ClubPanel(QWidget):
    """The leaderboard: a sortable table, best relative Brier score first to begin with."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        note = muted(QLabel(LEADERBOARD_NOTE))
        note.setWordWrap(True)
        column.addWidget(note)
        self.model = LeaderboardModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setAccessibleName("Club leaderboard")
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(COL_RELATIVE, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_MEMBER, QHeaderView.ResizeMode.Stretch)
        column.addWidget(self.view, 1)

    def set_leaderboard(self, board: Leaderboard) -> None:
        self.model.set_leaderboard(board)

    def shown_rows(self) -> list[LeaderboardRow]:
        """The rows in the order the table shows them."""
        return [self._row(r) for r in range(self.proxy.rowCount())]

    def _row(self, proxy_row: int) -> LeaderboardRow:
        return self.model.record(self.proxy.mapToSource(self.proxy.index(proxy_row, 0)).row())

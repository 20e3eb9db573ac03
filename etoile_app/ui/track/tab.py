"""The Track record tab: scores of resolved theories, calibration, and the lists worth acting on."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedLayout,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain import club_scoring, scoring
from etoile_app.domain.club_scoring import Leaderboard
from etoile_app.domain.scoring import BoldCall, CalibrationBin, CalibrationRanking, DueTheory, GroupScore
from etoile_app.ui.common import fmt
from etoile_app.ui.common.charts import CalibrationChart
from etoile_app.ui.common.due import DueWatch
from etoile_app.ui.common.record_model import Column, RecordTableModel
from etoile_app.ui.common.store import Store
from etoile_app.ui.common.widgets import muted, plain_tooltip
from etoile_app.ui.track.club import ClubPanel

if TYPE_CHECKING:
    from etoile_app.services.club_record import ClubRecordService

NO_SCORE = "—"
#: The "Whose calls" choices besides the members': the journal's own record, and the club median.
MINE, MEDIAN = "mine", "median"
WHOSE_TIP = (
    "Whose calls the chart shows: yours, another member's, or the club median forecast's. "
    "The filters by category, tag and character apply to your own calls."
)
BOLD_EMPTY = (
    f"No bold calls yet: a bold call is a theory you gave {scoring.BOLD_MAX_CONFIDENCE} % or less, "
    f"or rated {scoring.BOLD_MIN_JUICINESS} stars or more for juiciness, that came true."
)


def ranking_empty(min_resolved: int, closest: GroupScore | None) -> str:
    """Why no category is ranked yet, and how far the nearest one has come."""
    text = (
        f"No category can be ranked yet: a category needs at least {min_resolved} theories resolved "
        "as confirmed or busted before its calibration means anything."
    )
    if closest is not None:
        text += f" Closest: {fmt.isolate(closest.label)}, with {closest.count} of {min_resolved}."
    return text


def least_empty(min_resolved: int) -> str:
    return (
        f"Only one category has {min_resolved} or more scored calls, and it is listed above. "
        "A second one is needed before either can be called the least calibrated."
    )


def _num(value: float | None, digits: int = 3) -> str:
    return NO_SCORE if value is None else f"{value:.{digits}f}".replace("-", "−")


def _pct(value: float | None) -> str:
    return NO_SCORE if value is None else f"{value * 100:.0f} %"


def _index_of(combo: QComboBox, data: object) -> int:
    """Where ``data`` is among the combo's items, else 0. Compared by value: ``findData``
    compares Python objects by identity, and the items are made afresh on every refresh."""
    return next((i for i in range(combo.count()) if combo.itemData(i) == data), 0)


def _muted(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return muted(label)


GROUP_COLUMNS = (
    Column("Name", lambda g: g.label),
    Column("Scored", lambda g: str(g.count), numeric=True),
    Column("Brier", lambda g: _num(g.mean_brier), numeric=True),
    Column("Log score", lambda g: _num(g.mean_log_score, 2), numeric=True),
    Column("Came true", lambda g: f"{g.confirmed} of {g.count}", numeric=True),
    Column("Avg. confidence", lambda g: _pct(g.mean_probability), numeric=True),
)
BIN_COLUMNS = (
    Column("Confidence", lambda b: f"{b.low}–{b.high} %"),
    Column("Calls", lambda b: str(b.count), numeric=True),
    Column("Came true", lambda b: f"{b.confirmed} ({_pct(b.share_confirmed)})", numeric=True),
    Column("Mean confidence", lambda b: _pct(b.mean_probability), numeric=True),
    Column("95 % interval", lambda b: f"{_pct(b.interval_low)} – {_pct(b.interval_high)}", numeric=True),
)
DUE_COLUMNS = (
    Column("Theory", lambda d: d.title),
    Column("Resolve by", lambda d: fmt.short_date(d.resolve_by)),
    Column("Overdue", lambda d: f"{d.days_overdue} day{'s' if d.days_overdue != 1 else ''}", numeric=True),
    Column("Confidence", lambda d: fmt.percent(d.confidence), numeric=True),
)
BOLD_COLUMNS = (
    Column("Theory", lambda b: b.title),
    Column("Called at", lambda b: fmt.percent(b.confidence), numeric=True),
    Column("Juiciness", lambda b: fmt.stars(b.juiciness)),
    Column("Confirmed on", lambda b: fmt.short_date(b.resolved_on)),
)
RANK_COLUMNS = (
    Column("Category", lambda c: c.label),
    Column("Scored", lambda c: str(c.count), numeric=True),
    Column("Mean confidence", lambda c: _pct(c.mean_probability), numeric=True),
    Column("Came true", lambda c: _pct(c.share_confirmed), numeric=True),
    Column("Gap", lambda c: f"{c.gap * 100:.0f} points", numeric=True),
    Column("Brier", lambda c: _num(c.mean_brier), numeric=True),
)


@dataclass(frozen=True)
class TrackData:
    """Everything the tab shows but the calibration, read together off the GUI thread."""

    summary: scoring.TrackSummary
    due: tuple[DueTheory, ...]
    bold: tuple[BoldCall, ...]
    ranking: CalibrationRanking
    #: The club's leaderboard; ``None`` for a journal of one.
    club: Leaderboard | None = None


def _table(columns, empty_text: str) -> tuple[QWidget, QTableView, RecordTableModel, QLabel]:
    """A table with a message that stands in for it while it is empty."""
    model = RecordTableModel(columns)
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    empty = _muted(empty_text)
    empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
    empty.setMargin(16)
    holder = QWidget()
    stack = QStackedLayout(holder)
    stack.addWidget(view)
    stack.addWidget(empty)
    model.modelReset.connect(lambda: stack.setCurrentIndex(0 if model.rowCount() else 1))
    stack.setCurrentIndex(1)
    return holder, view, model, empty


class TrackTab(QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._stale = True
        self._member_names: dict[int, str] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)

        layout.addLayout(self._summary_strip())

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self._calibration_box())
        self.splitter.addWidget(self._lists())
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([600, 640])
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)

        store.theoriesChanged.connect(self._changed)
        store.castChanged.connect(self._changed)
        # What is ready to resolve, and how overdue, depends on the day.
        DueWatch.of(store).dayPassed.connect(self._changed)

    # --- building --------------------------------------------------------------------------

    def _summary_strip(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(28)
        self.numbers: dict[str, QLabel] = {}
        for column, (key, caption) in enumerate(
            (
                ("brier", "Brier score"),
                ("log", "Log score"),
                ("scored", "Scored calls"),
                ("unscored", "Not scored"),
            )
        ):
            value = QLabel(NO_SCORE)
            font = value.font()
            font.setPointSizeF(font.pointSizeF() * 1.8)
            font.setBold(True)
            value.setFont(font)
            value.setAccessibleName(caption)
            grid.addWidget(value, 0, column)
            grid.addWidget(_muted(caption), 1, column)
            self.numbers[key] = value
        self.explanation = _muted(scoring.BRIER_EXPLANATION)
        self.explanation.setToolTip(plain_tooltip(scoring.LOG_SCORE_EXPLANATION))
        grid.addWidget(self.explanation, 0, 4, 2, 1)
        grid.setColumnStretch(4, 1)
        # Multiple-choice calls (scored on their own scale) and conditional ones, when there are.
        self.questions_note = _muted("")
        self.questions_note.setToolTip(plain_tooltip(scoring.CHOICE_BRIER_EXPLANATION))
        self.questions_note.hide()
        grid.addWidget(self.questions_note, 2, 0, 1, 5)
        return grid

    def _calibration_box(self) -> QWidget:
        box = QGroupBox("Calibration")
        column = QVBoxLayout(box)
        row = QHBoxLayout()
        row.addWidget(QLabel("Show"))
        self.calibration_filter = QComboBox()
        self.calibration_filter.setAccessibleName("Calibration filter")
        self.calibration_filter.currentIndexChanged.connect(self._refresh_calibration)
        row.addWidget(self.calibration_filter, 1)
        self.whose_label = QLabel("Whose calls")
        self.whose = QComboBox()
        self.whose.setAccessibleName("Whose calls")
        self.whose.setToolTip(plain_tooltip(WHOSE_TIP))
        self.whose.addItem(self._my_label(), (MINE, None))
        self.whose.currentIndexChanged.connect(self._whose_changed)
        self.whose_label.setBuddy(self.whose)
        row.addWidget(self.whose_label)
        row.addWidget(self.whose)
        self.whose_label.hide()  # a journal of one has nobody else's calls
        self.whose.hide()
        column.addLayout(row)

        self.chart = CalibrationChart()
        self.chart_empty = _muted(
            "No scored calls here yet. Resolve theories as confirmed or busted to see them."
        )
        self.chart_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        chart_holder = QWidget()
        self.chart_stack = QStackedLayout(chart_holder)
        self.chart_stack.addWidget(self.chart)
        self.chart_stack.addWidget(self.chart_empty)
        column.addWidget(chart_holder, 3)

        holder, self.bin_view, self.bin_model, _ = _table(BIN_COLUMNS, "")
        self.bin_view.setAccessibleName("Calibration by confidence")
        self.bin_view.setMaximumHeight(130)
        column.addWidget(holder, 1)
        self.calibration_note = _muted(scoring.CALIBRATION_EXPLANATION)
        column.addWidget(self.calibration_note)
        return box

    def _lists(self) -> QTabWidget:
        tabs = QTabWidget()
        tabs.tabBar().setAccessibleName("Track record lists")
        self.lists = tabs
        self.models: dict[str, RecordTableModel] = {}
        self.views: dict[str, QTableView] = {}
        specs = (
            ("category", "Categories", GROUP_COLUMNS, "No scored calls yet."),
            ("tag", "Tags", GROUP_COLUMNS, "No scored calls with tags yet."),
            ("character", "Characters", GROUP_COLUMNS, "No scored calls about characters yet."),
            ("due", "Ready to resolve", DUE_COLUMNS, "Nothing is past its resolve-by date."),
            ("bold", "Bold calls", BOLD_COLUMNS, BOLD_EMPTY),
        )
        self.empty_labels: dict[str, QLabel] = {}
        self.list_pages: dict[str, QWidget] = {}
        for key, title, columns, empty in specs:
            holder, view, model, self.empty_labels[key] = _table(columns, empty)
            view.setAccessibleName(title)
            self.models[key], self.views[key], self.list_pages[key] = model, view, holder
            tabs.addTab(holder, title)
        for key in ("due", "bold"):
            self.views[key].activated.connect(lambda index, k=key: self._open(k, index.row()))
            self.views[key].doubleClicked.connect(lambda index, k=key: self._open(k, index.row()))

        ranking = QWidget()
        column = QVBoxLayout(ranking)
        self.ranking_note = _muted()
        column.addWidget(self.ranking_note)
        self.rank_empty: dict[str, QLabel] = {}
        for key, title in (("most", "Most calibrated"), ("least", "Least calibrated")):
            column.addWidget(QLabel(title))
            holder, view, self.models[key], self.rank_empty[key] = _table(RANK_COLUMNS, "")
            view.setAccessibleName(title)
            column.addWidget(holder)
        tabs.addTab(ranking, "Best and worst")

        self.club_panel = ClubPanel()
        self.club_index = tabs.addTab(self.club_panel, "Club")
        tabs.setTabVisible(self.club_index, False)  # until a read finds a club
        return tabs

    # --- data ------------------------------------------------------------------------------

    def _changed(self, *_: object) -> None:
        self._stale = True
        if self.isVisible():
            # Many changes arrive together (adopting starters, an undo); refresh once after them.
            self.store.ops.debounce(self._key("refresh"), 0, self._when_alive(self.refresh))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Reread everything off the GUI thread; the tables change when the answer comes. A
        refresh asked for while one is under way replaces it."""
        self._stale = False
        track = self.store.journal.track  # made here, on the GUI thread, if not made yet
        club = self.club_record

        def work() -> TrackData:
            return TrackData(
                track.summary(), tuple(track.ready_to_resolve()), tuple(track.bold_calls()),
                track.category_ranking(), club.leaderboard() if club.has_club() else None,
            )  # fmt: skip

        self.store.ops.read(work, self._when_alive(self._show), key=self._key("summary"))

    @property
    def club_record(self) -> ClubRecordService:
        """The club's scores, for this tab's journal (made on first use, on the GUI thread)."""
        return self.store.journal.club_record

    def _key(self, area: str) -> str:
        return f"track.{area}.{id(self)}"

    def _when_alive(self, apply: Callable[..., object]) -> Callable[..., None]:
        # A tab closed with the journal while its read was under way has nothing to fill.
        def call(*args: object) -> None:
            if shiboken6.isValid(self):
                apply(*args)

        return call

    def _show(self, data: TrackData) -> None:
        summary, ranking = data.summary, data.ranking
        overall = summary.overall
        self.numbers["brier"].setText(_num(overall.mean_brier))
        self.numbers["log"].setText(_num(overall.mean_log_score, 2))
        self.numbers["scored"].setText(str(overall.count))
        self.numbers["scored"].setToolTip(
            plain_tooltip(f"{overall.confirmed} confirmed, {overall.busted} busted")
        )
        self.numbers["unscored"].setText(f"{summary.void_count + summary.open_count}")
        self.numbers["unscored"].setToolTip(
            plain_tooltip(f"{summary.void_count} void, {summary.open_count} open")
        )
        note = questions_note(summary)
        self.questions_note.setText(note)
        self.questions_note.setVisible(bool(note))
        self.models["category"].set_records(summary.by_category)
        self.models["tag"].set_records(summary.by_tag)
        self.models["character"].set_records(summary.by_character)
        self.models["due"].set_records(data.due)
        self.models["bold"].set_records(data.bold)
        self.models["most"].set_records(ranking.most)
        self.models["least"].set_records(ranking.least)
        closest = max(summary.by_category, key=lambda g: g.count, default=None)
        self.rank_empty["most"].setText(ranking_empty(ranking.min_resolved, closest))
        self.rank_empty["least"].setText(
            least_empty(ranking.min_resolved) if ranking.most else "Nothing to rank yet (see above)."
        )
        self.ranking_note.setText(
            f"Categories with at least {ranking.min_resolved} scored calls, ranked by the gap between "
            "how sure you were on average and how often you were right."
        )
        self._fill_filter(summary)
        self._show_club(data.club)
        self._refresh_calibration()

    def _show_club(self, board: Leaderboard | None) -> None:
        """The leaderboard and the members to pick on the chart; all hidden without a club."""
        club = board is not None
        self.lists.setTabVisible(self.club_index, club)
        self.whose_label.setVisible(club)
        self.whose.setVisible(club)
        combo = self.whose
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self._my_label(), (MINE, None))
        if board is not None:
            self.club_panel.set_leaderboard(board)
            me = self.store.journal.identity.member_id
            self._member_names = {r.member_id: r.name for r in board.members if r.member_id is not None}
            for row in board.members:
                if row.member_id != me:
                    combo.addItem(f"{fmt.isolate(row.name)}  ({row.questions:,})", ("member", row.member_id))
            combo.addItem(club_scoring.CLUB_MEDIAN, (MEDIAN, None))
        combo.setCurrentIndex(_index_of(combo, current))
        combo.blockSignals(False)
        self._whose_changed(refresh=False)

    def _my_label(self) -> str:
        me = self.store.journal.identity.member  # once I have chosen my name in a club
        return f"Me ({fmt.isolate(me.name)})" if me is not None else "Me"

    def _whose_changed(self, *_: object, refresh: bool = True) -> None:
        kind, _member = self.whose.currentData() or (MINE, None)
        # The filters are the journal's own record's: another member's calls come whole.
        self.calibration_filter.setEnabled(kind == MINE)
        if refresh:
            self._refresh_calibration()

    def _fill_filter(self, summary: scoring.TrackSummary) -> None:
        combo = self.calibration_filter
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("All scored calls", None)
        groups: tuple[tuple[str, tuple[GroupScore, ...]], ...] = (
            ("category", summary.by_category),
            ("tag", summary.by_tag),
            ("character", summary.by_character),
        )
        for kind, items in groups:
            for g in items:
                combo.addItem(f"{kind.capitalize()}: {fmt.isolate(g.label)}  ({g.count})", (kind, g.key))
        combo.setCurrentIndex(_index_of(combo, current))
        combo.blockSignals(False)

    def _refresh_calibration(self) -> None:
        whose, member_id = self.whose.currentData() or (MINE, None)
        if whose != MINE:
            club = self.club_record

            def theirs() -> tuple[CalibrationBin, ...]:
                return club.calibration(member_id)

            name = self._member_names.get(member_id) if member_id is not None else None
            # An axis title is rich text: a member's name is shown as written.
            axis = f"{html.escape(name)}'s" if name else "The club median's"
            self.store.ops.read(
                theirs,
                self._when_alive(lambda bins: self._show_calibration(bins, axis)),
                key=self._key("calibration"),
            )
            return
        choice = self.calibration_filter.currentData()
        kind, key = choice if choice else (None, None)
        track = self.store.journal.track

        def work() -> tuple[CalibrationBin, ...]:
            return tuple(
                track.calibration(
                    category=key if kind == "category" else None,
                    tag=key if kind == "tag" else None,
                    character_id=key if kind == "character" else None,
                )
            )

        self.store.ops.read(work, self._when_alive(self._show_calibration), key=self._key("calibration"))

    def _show_calibration(self, bins: tuple[CalibrationBin, ...], whose: str = "Your") -> None:
        self.chart.set_bins(bins, whose=whose)
        # Another member's (or the club median's) calls are not "your calls".
        explanation = scoring.CALIBRATION_EXPLANATION
        self.calibration_note.setText(
            explanation if whose == "Your" else explanation.replace("your calls", "these calls", 1)
        )
        self.bin_model.set_records(bins)
        self.chart_stack.setCurrentIndex(0 if bins else 1)

    def show_ready_to_resolve(self) -> None:
        """Bring the Ready to resolve list forward with the keyboard focus in it, on its first
        theory (the status bar's due count leads here): Enter then opens it on the board."""
        self.lists.setCurrentWidget(self.list_pages["due"])
        view, model = self.views["due"], self.models["due"]
        if not model.rowCount():  # the list says nothing is due: the focus stays on its tab
            self.lists.tabBar().setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            view.setFocus(Qt.FocusReason.OtherFocusReason)
            if not view.currentIndex().isValid():
                view.setCurrentIndex(model.index(0, 0))
        if self._stale:
            self.refresh()

    def _open(self, key: str, row: int) -> None:
        record = self.models[key].record(row)
        if record is not None:
            self.store.showTheory.emit(record.theory_id)

    # --- state -----------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("track/splitter", self.splitter.saveState())
        settings.setValue("track/list", self.lists.currentIndex())

    def restore_state(self, settings: QSettings) -> None:
        state = settings.value("track/splitter")
        if state is not None:
            self.splitter.restoreState(state)
        self.lists.setCurrentIndex(settings.value("track/list", 0, int))


def questions_note(summary: scoring.TrackSummary) -> str:
    """What the scores above leave to one side: multiple-choice calls, scored on their own 0–2
    Brier scale, and conditional calls, counted only where their condition held."""
    parts = []
    choices = summary.choices
    if choices.count:
        parts.append(
            f"Multiple choice: {choices.count:,} settled, Brier {_num(choices.mean_brier)} on a 0–2 scale, "
            f"log score {_num(choices.mean_log_score, 2)}."
        )
    counted, left_out = summary.conditional_counted, summary.conditional_left_out
    if counted or left_out:
        text = f"Conditional: {counted:,} counted (their condition held)"
        if left_out:
            text += f", {left_out:,} left out (their condition was not confirmed)"
        parts.append(text + ".")
    return " ".join(parts)

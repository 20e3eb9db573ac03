"""The Status tab: what is actually known about a Season 2, one card per topic.

Each card shows the topic's newest state (a coloured badge, the statement, its source and
date), how many open theories cite the topic, and its earlier states on demand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPalette, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain.enums import STATUS_TOPICS, FactOrigin, FactStatus, Topic
from etoile_app.domain.models import Fact, TopicCard
from etoile_app.ui.fmt import long_date
from etoile_app.ui.news_dialog import NewsDialog
from etoile_app.ui.widgets import Badge, PlainLabel, muted

if TYPE_CHECKING:
    from etoile_app.ui.store import Store

SETTINGS_EXPANDED = "status/expanded_history"
CARD_MIN_WIDTH = 440  # below this a statement wraps every few words
MAX_COLUMNS = 3
SPACING = 16

CARD_STYLE = """
QFrame#topicCard { background: palette(base); border: 1px solid palette(mid); border-radius: 8px; }
QFrame#historyBox { border: none; border-left: 2px solid palette(midlight); }
QFrame#cardRule { border: none; background: palette(midlight); }
QToolButton#cardAddNews { color: palette(link); }
QToolButton#historyToggle:checked { background: transparent; border: none; }
QLabel#yourNews { color: palette(highlight); border: 1px solid palette(highlight);
                  border-radius: 4px; padding: 1px 6px; }
"""


def citing_text(count: int) -> str:
    if count == 0:
        return "No open theories cite this yet"
    if count == 1:
        return "1 open theory cites this"
    return f"{count:,} open theories cite this"


def source_line(fact: Fact) -> str:
    """``Deadline · 6 June 2025``."""
    return f"{fact.source} · {long_date(fact.as_of)}"


def history_line(fact: Fact) -> str:
    """Date first, as history reads as a timeline: ``1 May 2025 · Variety · your news``."""
    parts = [long_date(fact.as_of), fact.source]
    if fact.origin is FactOrigin.USER:
        parts.append(FactOrigin.USER.label.lower())
    return " · ".join(parts)


def badge_width(badge: Badge) -> int:
    widest = max(badge.fontMetrics().horizontalAdvance(s.value.upper()) for s in FactStatus)
    return widest + 18  # the badge's padding and a little air


class HistoryEntry(QWidget):
    """One earlier state: a small badge with source and date, then the statement."""

    def __init__(self, fact: Fact, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fact = fact
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        top = QHBoxLayout()
        top.setSpacing(8)
        self.badge = Badge(fact.shown_status)
        # One width for every history badge, so the dates line up down the timeline.
        self.badge.setFixedWidth(badge_width(self.badge))
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.meta = muted(PlainLabel(history_line(fact)))
        top.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.meta, 1)
        layout.addLayout(top)
        self.statement = PlainLabel(fact.statement)
        layout.addWidget(self.statement)


class TopicCardView(QFrame):
    """The card of one topic; it keeps its widgets across refreshes so toggles stay put."""

    addNewsRequested = Signal(object)  # Topic
    historyToggled = Signal(bool)

    def __init__(self, topic: Topic, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.topic = topic
        self.card: TopicCard | None = None
        self.history_entries: list[HistoryEntry] = []
        self.setObjectName("topicCard")
        self.setMinimumWidth(280)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)

        header = QHBoxLayout()
        self.title = QLabel(topic.label)
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.title.setFont(font)
        self.add_button = QToolButton()
        self.add_button.setText("Add news…")
        self.add_button.setObjectName("cardAddNews")
        self.add_button.setAutoRaise(True)
        self.add_button.setToolTip(f"Record news about {topic.label.lower()}")
        self.add_button.clicked.connect(lambda: self.addNewsRequested.emit(self.topic))
        header.addWidget(self.title, 1)
        header.addWidget(self.add_button)
        layout.addLayout(header)

        status_row = QHBoxLayout()
        status_row.setSpacing(8)
        self.badge = Badge()
        self.your_news = QLabel(FactOrigin.USER.label)
        self.your_news.setObjectName("yourNews")
        self.your_news.setToolTip("You recorded this news yourself")
        status_row.addWidget(self.badge)
        status_row.addWidget(self.your_news)
        status_row.addStretch(1)
        layout.addLayout(status_row)

        self.statement = PlainLabel()
        self.meta = muted(PlainLabel())
        self.empty = muted(PlainLabel("Nothing is known about this yet."))
        self.cites = QLabel()
        for widget in (self.statement, self.meta, self.empty, self.cites):
            layout.addWidget(widget)

        self.rule = QFrame()
        self.rule.setObjectName("cardRule")
        self.rule.setFixedHeight(1)
        layout.addWidget(self.rule)

        self.history_button = QToolButton()
        self.history_button.setObjectName("historyToggle")
        self.history_button.setCheckable(True)
        self.history_button.setAutoRaise(True)
        self.history_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.history_button.setArrowType(Qt.ArrowType.RightArrow)
        self.history_button.setToolTip("Show or hide the earlier states of this topic")
        self.history_button.toggled.connect(self._toggle_history)
        layout.addWidget(self.history_button)
        # Shown instead of the toggle, which keeps its remembered state for when history arrives.
        self.no_history = muted(QLabel("No earlier states"))
        layout.addWidget(self.no_history)

        self.history_box = QFrame()
        self.history_box.setObjectName("historyBox")
        self._history_layout = QVBoxLayout(self.history_box)
        self._history_layout.setContentsMargins(12, 2, 0, 2)
        self._history_layout.setSpacing(12)
        self.history_box.hide()
        layout.addWidget(self.history_box)
        # Cards in a row share a height; the spare room goes below the content.
        layout.addStretch(1)

    def show_card(self, card: TopicCard) -> None:
        self.card = card
        current = card.current
        has_current = current is not None
        for widget in (self.badge, self.statement, self.meta):
            widget.setVisible(has_current)
        self.empty.setVisible(not has_current)
        self.your_news.setVisible(has_current and current.origin is FactOrigin.USER)
        if current is not None:
            self.badge.set_status(current.shown_status)
            self.statement.setText(current.statement)
            self.meta.setText(source_line(current))
        self.cites.setVisible(has_current)  # nothing to cite yet
        self.cites.setText(citing_text(card.open_theories))
        # A count that matters reads in full colour; "none yet" stays quiet.
        self.cites.setForegroundRole(
            QPalette.ColorRole.WindowText if card.open_theories else QPalette.ColorRole.PlaceholderText
        )
        self._fill_history(card.history)
        count = len(card.history)
        self.history_button.setText(f"History ({count})")
        self.history_button.setVisible(bool(count))
        self.history_box.setVisible(self.history_button.isChecked() and bool(count))
        # An empty topic says so once; "no earlier states" would only repeat it.
        self.no_history.setVisible(has_current and not count)
        self.rule.setVisible(has_current)

    def _fill_history(self, history: tuple[Fact, ...]) -> None:
        for entry in self.history_entries:
            self._history_layout.removeWidget(entry)
            entry.deleteLater()
        self.history_entries = [HistoryEntry(fact, self.history_box) for fact in history]
        for entry in self.history_entries:
            self._history_layout.addWidget(entry)

    def _toggle_history(self, expanded: bool) -> None:
        arrow = Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow
        self.history_button.setArrowType(arrow)
        self.history_box.setVisible(expanded and bool(self.history_entries))
        self.historyToggled.emit(expanded)


class StatusTab(QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.news_dialog: NewsDialog | None = None
        self._columns = 0
        self._dirty = True
        # Signals come in bursts (link evidence emits two); one refresh answers them all.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._top_bar())

        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        content.setStyleSheet(CARD_STYLE)
        page = QVBoxLayout(content)
        page.setContentsMargins(SPACING, 4, SPACING, SPACING)
        self.grid = QGridLayout()
        self.grid.setSpacing(SPACING)
        page.addLayout(self.grid)
        page.addStretch(1)
        self.scroll.setWidget(content)
        outer.addWidget(self.scroll, 1)

        self.cards: dict[Topic, TopicCardView] = {}
        for topic in STATUS_TOPICS:
            view = TopicCardView(topic, content)
            view.addNewsRequested.connect(self.open_news_dialog)
            view.historyToggled.connect(self._align_rows)
            self.cards[topic] = view
        self._lay_out(2)

        store.canonChanged.connect(self._schedule_refresh)
        store.theoriesChanged.connect(self._schedule_refresh)
        self.refresh()

    def _top_bar(self) -> QWidget:
        bar = QWidget()
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(SPACING, 12, SPACING, 12)
        layout.setSpacing(12)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        heading = QLabel("What is known about Season 2")
        font = QFont(heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        heading.setFont(font)
        self.pack_line = muted(QLabel())
        titles.addWidget(heading)
        titles.addWidget(self.pack_line)
        layout.addLayout(titles, 1)
        hint = muted(QLabel("Heard something new? Record it with its source."))
        self.add_news_button = QPushButton("Add news…")
        self.add_news_button.setToolTip("Record a piece of news about Étoile, with its source and date")
        self.add_news_button.clicked.connect(lambda: self.open_news_dialog())
        layout.addWidget(hint, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.add_news_button, 0, Qt.AlignmentFlag.AlignVCenter)
        return bar

    # --- data ------------------------------------------------------------------------------

    def refresh(self) -> None:
        self._refresh_timer.stop()
        self._dirty = False
        for card in self.store.canon.status_board():
            if card.topic in self.cards:
                self.cards[card.topic].show_card(card)
        self._align_rows()
        as_of = self.store.canon.pack_as_of()
        self.pack_line.setText(
            f"From the canon pack as of {long_date(as_of)}, and the news you add."
            if as_of
            else "From the news you add."
        )

    def _schedule_refresh(self, *_: object) -> None:
        # A hidden tab catches up when it is shown, so edits on the board stay cheap.
        if self.isVisible():
            self._refresh_timer.start()
        else:
            self._dirty = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    # --- news ------------------------------------------------------------------------------

    def open_news_dialog(self, topic: Topic | None = None) -> NewsDialog:
        """Open (not exec) the dialog, so it never blocks and tests can drive it."""
        dialog = NewsDialog(self.store, topic, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda *_: self._forget_dialog(dialog))
        self.news_dialog = dialog
        dialog.open()
        return dialog

    def _forget_dialog(self, dialog: NewsDialog) -> None:
        if self.news_dialog is dialog:
            self.news_dialog = None

    # --- layout ----------------------------------------------------------------------------

    def _lay_out(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for view in self.cards.values():
            self.grid.removeWidget(view)
        for column in range(MAX_COLUMNS):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        for index, view in enumerate(self.cards.values()):
            self.grid.addWidget(view, index // columns, index % columns)
        self._align_rows()

    def _align_rows(self, *_: object) -> None:
        """Cards in a row share a height, unless one has its history open: then they keep their
        own and sit at the top, so an open history does not leave a tall empty card beside it."""
        views = list(self.cards.values())
        for start in range(0, len(views), self._columns):
            row = views[start : start + self._columns]
            expanded = any(v.history_box.isVisibleTo(v) for v in row)
            for view in row:
                self.grid.setAlignment(view, Qt.AlignmentFlag.AlignTop if expanded else Qt.AlignmentFlag(0))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # The tab's own width, not the viewport's: that one is stale until the layout has run.
        scrollbar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        width = self.width() - scrollbar - 2 * SPACING
        columns = (width + SPACING) // (CARD_MIN_WIDTH + SPACING)
        self._lay_out(max(1, min(MAX_COLUMNS, columns)))

    # --- window state ----------------------------------------------------------------------

    def expanded_topics(self) -> list[Topic]:
        return [topic for topic, view in self.cards.items() if view.history_button.isChecked()]

    def save_state(self, settings: QSettings) -> None:
        settings.setValue(SETTINGS_EXPANDED, ",".join(t.value for t in self.expanded_topics()))

    def restore_state(self, settings: QSettings) -> None:
        # A comma-joined string, because QSettings turns a one-item list into a bare string.
        raw = settings.value(SETTINGS_EXPANDED, "", str) or ""
        wanted = {part.strip() for part in raw.split(",")}
        for topic, view in self.cards.items():
            view.history_button.setChecked(topic.value in wanted)

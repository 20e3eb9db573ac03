"""The selected theory in full: text, evidence, resolution and the history of its confidence;
for a multiple-choice theory its options, and for a conditional one the theory it depends on."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from itertools import groupby
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QFocusEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain.enums import Stance
from etoile_app.domain.models import Theory, TheoryRef
from etoile_app.ui.board.option_list import OptionList
from etoile_app.ui.board.wrap_text import WrapText, quiet
from etoile_app.ui.common import fmt
from etoile_app.ui.common.spoilers import SpoilerGuard, guard_for
from etoile_app.ui.common.widgets import Badge, PlainLabel, muted

if TYPE_CHECKING:
    from etoile_app.ui.common.charts import HistoryChart


class LinkLabel(QLabel):
    """Rich text whose links are followed by a click, or by Enter once Tab reaches the label:
    a plain QLabel takes a second Tab to put the keyboard on its link."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)  # what it shows is escaped where it is made
        self.setWordWrap(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason):
            self.focusNextPrevChild(event.reason() == Qt.FocusReason.TabFocusReason)


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    label.setContentsMargins(0, 8, 0, 0)
    return label


class TheoryDetail(QWidget):
    editRequested = Signal(int)
    resolveRequested = Signal(int)
    reopenRequested = Signal(int)
    deleteRequested = Signal(int)
    #: Another theory (this one's condition) asked to be shown on the board.
    showTheoryRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theory: Theory | None = None
        #: In a club, this member's id: another member's theory then says whose it is.
        self.me: int | None = None
        self._now: datetime | None = None
        self._guard: SpoilerGuard | None = None
        self.stack = QStackedWidget()
        empty = QLabel("Select a theory to see it in full.")
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty.setWordWrap(True)
        self.stack.addWidget(muted(empty))

        page = QWidget()
        columns = QHBoxLayout(page)
        columns.setContentsMargins(12, 8, 12, 12)
        columns.setSpacing(24)
        column = QVBoxLayout()
        column.setSpacing(6)
        side = QVBoxLayout()
        side.setSpacing(6)
        columns.addLayout(column, 3)
        columns.addLayout(side, 2)

        buttons = QHBoxLayout()
        self.edit_button = QPushButton("Edit…")
        self.resolve_button = QPushButton("Resolve…")
        self.reopen_button = QPushButton("Reopen")
        self.delete_button = QPushButton("Delete")
        for button in (self.edit_button, self.resolve_button, self.reopen_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.edit_button.clicked.connect(lambda: self._emit(self.editRequested))
        self.resolve_button.clicked.connect(lambda: self._emit(self.resolveRequested))
        self.reopen_button.clicked.connect(lambda: self._emit(self.reopenRequested))
        self.delete_button.clicked.connect(lambda: self._emit(self.deleteRequested))
        column.addLayout(buttons)

        self.title = WrapText()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        column.addWidget(self.title)

        summary = QHBoxLayout()
        self.badge = Badge()
        self.summary = PlainLabel(wrap=False)  # numbers and names the app chose
        summary.addWidget(self.badge)
        summary.addWidget(self.summary, 1)
        column.addLayout(summary)

        facts = QGridLayout()
        facts.setHorizontalSpacing(12)
        self.facts: dict[str, QWidget] = {}
        # "If": the theory this one depends on, as a link that shows it on the board.
        self.condition = LinkLabel()
        self.condition.setToolTip("Show the condition on the board")
        self.condition.linkActivated.connect(self._condition_clicked)
        # "Options": a multiple-choice theory's options with their confidence.
        self.options = OptionList()
        values: dict[str, QWidget] = {"If": self.condition, "Options": self.options}
        names = ("If", "Options", "Characters", "Tags", "Resolve by", "Resolution", "Written")
        for row, name in enumerate(names):
            key = muted(QLabel(name))
            value = values.get(name) or WrapText()
            facts.addWidget(key, row, 0, Qt.AlignmentFlag.AlignTop)
            facts.addWidget(value, row, 1)
            self.facts[name] = value
            self.facts[name + ":label"] = key
        facts.setColumnStretch(1, 1)
        column.addLayout(facts)

        column.addWidget(_heading("Theory"))
        self.body = WrapText()
        column.addWidget(self.body)
        # Resolutions it had before it was reopened, newest first; hidden when there are none.
        self.earlier_heading = _heading("Earlier resolutions")
        column.addWidget(self.earlier_heading)
        self.earlier = QVBoxLayout()
        self.earlier.setSpacing(2)
        column.addLayout(self.earlier)
        column.addStretch(1)

        side.addWidget(_heading("Evidence"))
        self.evidence = QVBoxLayout()
        self.evidence.setSpacing(6)
        side.addLayout(self.evidence)

        side.addWidget(_heading("Confidence history"))
        # The chart (and QtCharts) is made when the first theory is shown.
        self._chart_place = QVBoxLayout()
        self._history_chart: HistoryChart | None = None
        side.addLayout(self._chart_place)
        self.history = QVBoxLayout()
        self.history.setSpacing(2)
        side.addLayout(self.history)
        side.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        self.stack.addWidget(scroll)

        # Several theories selected: how many, and what can be done to them all at once.
        several = QWidget()
        several_layout = QVBoxLayout(several)
        several_layout.addStretch(1)
        self.selection_label = QLabel()
        self.selection_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.selection_label.font()
        font.setBold(True)
        self.selection_label.setFont(font)
        several_layout.addWidget(self.selection_label)
        hint = QLabel("Resolve, void, tag or delete them all at once: one step to undo, one note for all.")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        several_layout.addWidget(muted(hint))
        self._bulk_buttons = QHBoxLayout()
        self._bulk_buttons.addStretch(1)
        self._bulk_buttons.addStretch(1)
        several_layout.addLayout(self._bulk_buttons)
        several_layout.addStretch(1)
        self.stack.addWidget(several)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    @property
    def history_chart(self) -> HistoryChart:
        if self._history_chart is None:
            from etoile_app.ui.common.charts import HistoryChart

            self._history_chart = HistoryChart()
            self._chart_place.addWidget(self._history_chart)
        return self._history_chart

    def set_bulk_actions(self, actions: list[QAction]) -> None:
        """Buttons for ``actions`` on the page shown when several theories are selected."""
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self._bulk_buttons.insertWidget(self._bulk_buttons.count() - 1, button)

    def show_selection(self, count: int) -> None:
        """Say that ``count`` theories are selected (several: no one theory to show in full)."""
        self.theory = None
        self.selection_label.setText(f"{count:,} theories selected")
        self.stack.setCurrentIndex(2)

    def _emit(self, signal: Signal) -> None:
        if self.theory is not None:
            signal.emit(self.theory.id)

    def _spoilers(self) -> SpoilerGuard:
        """The window's spoiler switch (found once the pane is in a window); the theory shown
        is drawn again when it is flipped."""
        if self._guard is None:
            self._guard = guard_for(self, owner=self)
            self._guard.changed.connect(self._spoilers_flipped)
        return self._guard

    def _spoilers_flipped(self, _shown: bool) -> None:
        if self.theory is not None:
            self.show_theory(self.theory, self._now)

    def show_theory(self, theory: Theory | None, now: datetime | None = None) -> None:
        """Show ``theory``; ``now`` ends the history chart of an open theory (default: the clock)."""
        self.theory, self._now = theory, now
        if theory is None:
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        t = theory
        self.title.setText(t.title)
        self.badge.set_status(t.status)
        self.summary.setText(summary_text(t, self.me))
        self._show_condition(t)
        self.options.set_options(t.options)
        self.options.setVisible(t.is_multiple_choice)
        self.facts["Options:label"].setVisible(t.is_multiple_choice)
        self._set("Characters", ", ".join(fmt.isolate(c.name) for c in t.characters) or "None chosen")
        self._set("Tags", "  ".join(fmt.isolate(tag) for tag in t.tags) or "No tags")
        self._set("Resolve by", fmt.long_date(t.resolve_by) if t.resolve_by else "", hide_empty=True)
        if t.status.is_resolved and t.resolved_on is not None:
            note = f" — {fmt.isolate(t.resolution_note)}" if t.resolution_note else ""
            self._set(
                "Resolution",
                f"{t.status.label} on {fmt.long_date(t.resolved_on)}{_happened(t.option_happened)}{note}",
            )
        else:
            self._set("Resolution", "", hide_empty=True)
        self._set(
            "Written", f"{fmt.local_datetime(t.created_at)}; last changed {fmt.local_datetime(t.updated_at)}"
        )
        self.body.setText(t.body or "No details written yet.")
        _clear(self.earlier)
        self.earlier_heading.setVisible(bool(t.earlier_resolutions))
        for earlier in reversed(t.earlier_resolutions):
            note = f" — {fmt.isolate(earlier.note)}" if earlier.note else ""
            self.earlier.addWidget(
                WrapText(
                    f"{earlier.status.label} on {fmt.long_date(earlier.resolved_on)}"
                    f"{_happened(earlier.option)}{note}; "
                    f"reopened on {fmt.long_date(earlier.reopened_at.astimezone().date())}"
                )
            )

        _clear(self.evidence)
        if not t.evidence:
            self.evidence.addWidget(muted(QLabel("No canon facts cited yet. Edit the theory to add some.")))
        for e in t.evidence:
            mark = "✔ Supports" if e.stance is Stance.SUPPORTS else "✘ Contradicts"
            statement = self._spoilers().story_text(e.topic, e.statement)  # Season 1 story may be hidden
            self.evidence.addWidget(WrapText(f"{mark}: {fmt.isolate(statement)}"))
            source = f"{e.fact_status.label} · {fmt.isolate(e.source)} · as of {fmt.short_date(e.as_of)}"
            if e.note:
                source += f"\nYour note: {fmt.isolate(e.note)}"
            self.evidence.addWidget(quiet(WrapText(source)))

        moment = now or datetime.now(UTC)
        self.history_chart.set_history(
            t.history,
            t.status,
            t.resolved_at,
            moment,
            options=[o.name for o in t.options],
            happened=t.option_happened,
        )
        _clear(self.history)
        for line in history_lines(t):
            self.history.addWidget(WrapText(line))

        resolved = t.status.is_resolved
        self.resolve_button.setVisible(not resolved)
        self.reopen_button.setVisible(resolved)

    def _show_condition(self, t: Theory) -> None:
        ref = t.condition
        if ref is not None:
            self.condition.setText(condition_html(ref))
            self.condition.setAccessibleName(f"If: {ref.title} — {ref.status.label.lower()}")
        else:
            self.condition.clear()
        self.condition.setVisible(ref is not None)
        self.facts["If:label"].setVisible(ref is not None)

    def _condition_clicked(self, _link: str) -> None:
        if self.theory is not None and self.theory.condition is not None:
            self.showTheoryRequested.emit(self.theory.condition.id)

    def _set(self, name: str, text: str, hide_empty: bool = False) -> None:
        self.facts[name].setText(text)
        visible = bool(text) or not hide_empty
        self.facts[name].setVisible(visible)
        self.facts[name + ":label"].setVisible(visible)


def _clear(layout: QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().deleteLater()


#: An option name up to this long is written whole in the summary line (a longer one is cut
#: short there; the options' list shows each in full) and kept on one line with its value.
SHORT_NAME_CHARS = 24
#: A condition's title breaks after this many letters without a space, so it wraps in its column.
CONDITION_WORD_CHARS = 20


def summary_text(t: Theory, me: int | None = None) -> str:
    """The line under the title: how sure (for multiple choice: the leading option, or the one
    that happened), the category and the juiciness. In a club, another member's theory says
    whose confidence it is (``me``: this member's id)."""
    juicy = f" · juiciness {fmt.stars(t.juiciness)}" if t.juiciness else ""
    theirs = fmt.isolate(t.author) if t.author and t.author_id != me else None
    return f"{_sureness(t, theirs)} · {t.category.label}{juicy}"


def _sureness(t: Theory, theirs: str | None = None) -> str:
    if not t.is_multiple_choice:
        return f"{theirs}: {t.confidence} % sure" if theirs else f"{t.confidence} % sure"
    happened = next((o for o in t.options if o.happened), None)
    if happened is not None:
        who = f"{theirs} gave" if theirs else "you gave"
        return f"Happened: {_short(happened.name)} ({who} it {happened.confidence} %)"
    top = max(o.confidence for o in t.options)
    leaders = [_short(o.name) for o in t.options if o.confidence == top]
    thought = f"{theirs} thought most likely" if theirs else "You thought most likely"
    said = (f"Most likely to {theirs}" if theirs else "Most likely") if not t.status.is_resolved else thought
    if len(leaders) == 1:
        return f"{said}: {leaders[0]} ({top} %)"
    return f"{said}: {', '.join(leaders[:-1])} or {leaders[-1]} ({top} % each)"


def _short(name: str) -> str:
    if len(name) > SHORT_NAME_CHARS:
        name = name[: SHORT_NAME_CHARS - 1].rstrip() + "…"
    return fmt.isolate(name)


def _happened(option: str | None) -> str:
    return f" · Happened: {fmt.isolate(option)}" if option else ""


def condition_html(ref: TheoryRef) -> str:
    """The condition's title, quoted and escaped, as a link, then its status."""
    title = html.escape(_breakable(fmt.isolate(ref.title)))
    return f'<a href="theory:{ref.id}">“{title}”</a> — {html.escape(ref.status.label.lower())}'


def _breakable(text: str) -> str:
    """``text`` with a zero-width space in each run of letters longer than
    ``CONDITION_WORD_CHARS``: a rich-text label breaks only at spaces, and one long word would
    widen the pane (the link is not selectable, so the breaks are never copied)."""
    return re.sub(rf"\S{{{CONDITION_WORD_CHARS}}}(?=\S)", lambda m: m.group(0) + "\u200b", text)


def history_lines(t: Theory) -> list[str]:
    """The confidence history in words, newest first: one line a change, and for multiple
    choice one line per save, every option's confidence then, with "60 → 70 %" for those that
    changed."""
    if not t.is_multiple_choice:
        return [
            f"{fmt.local_datetime(p.changed_at)}:  {p.confidence} %{_note(p.note)}"
            for p in reversed(t.history)
        ]
    order = [o.name for o in t.options]
    order += sorted({p.option for p in t.history if p.option is not None} - set(order))
    current: dict[str, int] = {}
    lines: list[str] = []
    for changed_at, group in groupby(
        (p for p in t.history if p.option is not None), key=lambda p: p.changed_at
    ):
        forecasts = list(group)
        before = dict(current)
        current.update({p.option: p.confidence for p in forecasts if p.option is not None})
        changed = {p.option for p in forecasts}
        parts = []
        for name in order:
            if name not in current:
                continue
            was = before.get(name)
            # No-break spaces keep a number with its "%" (and a change with both its ends).
            value = f"{current[name]}\u00a0%"
            if name in changed and was is not None:
                value = f"{was}\u00a0→\u00a0{value}"
            space = "\u00a0" if len(name) <= SHORT_NAME_CHARS else " "
            parts.append(f"{fmt.isolate(name)}{space}{value}")
        note = next((p.note for p in forecasts if p.note), "")
        lines.append(f"{fmt.local_datetime(changed_at)}:  {', '.join(parts)}{_note(note)}")
    return lines[::-1]


def _note(note: str) -> str:
    return f" — {fmt.isolate(note)}" if note else ""

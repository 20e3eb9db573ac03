"""Multiple-choice and conditional theories in the board's detail pane and its history chart.

The pane lists the options with their confidence and marks the one that happened; a condition
is a link that shows that theory on the board; the chart draws one line per option with a
legend. Screenshots of the board in a light and a dark palette go to /tmp/detail-shots/.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import QApplication

from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.models import Forecast, OptionDraft, TheoryDraft
from etoile_app.ui.board.tab import BoardTab
from etoile_app.ui.common.charts import HistoryChart
from etoile_app.ui.common.option_colours import OPTION_COLOURS, OPTION_COLOURS_DARK, option_colour
from etoile_app.ui.screenshots import _settle

from .conftest import settle, wait
from .test_dark_palette import DARK, MIN_CONTRAST, contrast, dark_palette, low_contrast_labels

SHOTS = Path("/tmp/detail-shots")
WHO = (OptionDraft("Jack", 60), OptionDraft("Gael", 30), OptionDraft("nobody", 10))


def _board(qtbot, store) -> BoardTab:
    tab = BoardTab(store)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    qtbot.waitUntil(lambda: tab.filters.characters.count() > 0)
    settle(store)
    return tab


def _select(tab: BoardTab, theory_id: int) -> None:
    tab.select_theory(theory_id)
    settle(tab.store)
    assert tab.detail.theory is not None and tab.detail.theory.id == theory_id


def _rows(layout) -> list[str]:
    return [layout.itemAt(i).widget().text() for i in range(layout.count())]


def _who_kisses(store, clock, **draft):
    """A multiple-choice theory changed once two days after it was written."""
    theory = wait(
        store.create_theory(
            TheoryDraft(
                "Who kisses Cheyenne first", category=Category.ROMANCE, juiciness=4, options=WHO, **draft
            )
        )
    )
    clock.advance(days=2)
    changed = (OptionDraft("Jack", 45), OptionDraft("Gael", 45), OptionDraft("nobody", 10))
    return wait(store.edit_theory(theory.id, replace(theory.as_draft(), options=changed), "the trailer"))


# --- the detail pane -----------------------------------------------------------------------


def test_the_pane_lists_the_options_and_says_which_lead(qtbot, store, clock):
    theory = _who_kisses(store, clock)
    tab = _board(qtbot, store)
    _select(tab, theory.id)
    detail = tab.detail
    assert detail.options.isVisible() and detail.facts["Options:label"].isVisible()
    assert detail.options.texts() == ["Jack 45 %", "Gael 45 %", "nobody 10 %"]
    assert [bar.confidence for _n, bar, _p in detail.options.rows] == [45, 45, 10]
    assert [p.text() for _n, _b, p in detail.options.rows] == ["45 %", "45 %", "10 %"]
    # Each bar is in the colour of its option's chart line.
    chart = detail.history_chart
    for name, bar, _p in detail.options.rows:
        assert bar.colour() == chart.option_lines[name.text()].pen().color()
    # No "% sure" for multiple choice: the leading options, tied here.
    assert detail.summary.text() == "Most likely: Jack or Gael (45 % each) · Romance · juiciness ★★★★☆"
    assert detail.options.happened_label is None
    assert not detail.condition.isVisible()


def test_the_history_list_groups_each_save_of_the_options(qtbot, store, clock):
    theory = _who_kisses(store, clock)
    tab = _board(qtbot, store)
    _select(tab, theory.id)
    newest, first = _rows(tab.detail.history)
    # A number stays on one line with its "%": the spaces inside a value do not break.
    assert newest.endswith(":  Jack 60 → 45 %, Gael 30 → 45 %, nobody 10 % — the trailer")
    shown = tab.detail.history.itemAt(0).widget().document().toRawText()  # as laid out
    assert "60\u00a0→\u00a045\u00a0%" in shown
    assert first.endswith(":  Jack 60 %, Gael 30 %, nobody 10 %")


def test_the_option_that_happened_is_marked_everywhere(qtbot, store, clock):
    theory = _who_kisses(store, clock)
    clock.advance(days=3)
    wait(store.resolve(theory.id, TheoryStatus.CONFIRMED, "Episode 2", option="Gael"))
    tab = _board(qtbot, store)
    _select(tab, theory.id)
    detail = tab.detail
    assert detail.options.texts() == ["Jack 45 %", "Gael 45 % ✔ Happened", "nobody 10 %"]
    name, _bar, percent = detail.options.rows[1]
    assert name.font().bold() and percent.font().bold()
    assert detail.options.happened_label is not None and detail.options.happened_label.isVisible()
    # The others step back.
    quiet = detail.palette().color(QPalette.ColorRole.PlaceholderText)
    assert detail.options.rows[0][0].palette().color(QPalette.ColorRole.Text) == quiet
    assert detail.summary.text().startswith("Happened: Gael (you gave it 45 %) · Romance")
    assert "· Happened: Gael — Episode 2" in detail.facts["Resolution"].text()
    chart = detail.history_chart
    assert chart.marker is not None and chart.marker.at(0).y() == 45
    assert chart.label.text() == "Happened: Gael"
    assert chart.option_lines["Gael"].pen().widthF() > chart.option_lines["Jack"].pen().widthF()

    # Reopened, the earlier resolution still names the option.
    wait(store.reopen_many([theory.id]))
    settle(store)
    (earlier,) = _rows(detail.earlier)
    assert earlier.startswith("Confirmed on ") and "· Happened: Gael — Episode 2; reopened on" in earlier
    assert detail.options.happened_label is None
    assert detail.history_chart.marker is None


def test_a_void_multiple_choice_theory_has_a_rule_where_it_was_resolved(qtbot, store, clock):
    theory = _who_kisses(store, clock)
    wait(store.resolve(theory.id, TheoryStatus.VOID, "cancelled again"))
    tab = _board(qtbot, store)
    _select(tab, theory.id)
    chart = tab.detail.history_chart
    assert chart.marker is None and chart.rule is not None
    assert chart.rule.at(0).x() == chart.rule.at(1).x()
    assert chart.label.isVisible() and chart.label.text() == "Void"
    assert chart.chart().plotArea().contains(chart.label_rect())
    assert tab.detail.summary.text().startswith("You thought most likely: Jack or Gael")
    assert tab.detail.options.texts()[0] == "Jack 45 %"


def test_a_yes_no_theory_shows_no_options_and_no_condition(qtbot, store):
    theory = wait(store.create_theory(TheoryDraft("A time jump of a year", confidence=55)))
    tab = _board(qtbot, store)
    _select(tab, theory.id)
    detail = tab.detail
    assert not detail.options.isVisible() and not detail.facts["Options:label"].isVisible()
    assert not detail.condition.isVisible() and not detail.facts["If:label"].isVisible()
    assert detail.summary.text() == "55 % sure · Other"
    chart = detail.history_chart
    assert chart.line is not None and chart.option_lines == {}
    assert not chart.legend.isVisible() and chart.legend_text() == ""
    assert chart.accessibleName() == "Confidence history chart"


# --- the condition -------------------------------------------------------------------------


def _conditional(store, clock):
    revived = wait(store.create_theory(TheoryDraft("Étoile is revived by 2028", confidence=30)))
    then = wait(
        store.create_theory(TheoryDraft("Gael leads the company", confidence=60, condition_id=revived.id))
    )
    return revived, then


def test_the_condition_is_a_link_that_shows_it_on_the_board(qtbot, store, clock):
    revived, then = _conditional(store, clock)
    tab = _board(qtbot, store)
    qtbot.keyClicks(tab.search, "Gael leads")  # the condition is hidden by the search
    settle(store)
    _select(tab, then.id)
    detail = tab.detail
    assert detail.condition.isVisible() and detail.facts["If:label"].isVisible()
    assert detail.condition.textFormat() == Qt.TextFormat.RichText
    assert f'href="theory:{revived.id}"' in detail.condition.text()
    assert detail.condition.text().endswith("</a> — open")
    assert detail.condition.accessibleName() == "If: Étoile is revived by 2028 — open"

    with qtbot.waitSignal(detail.showTheoryRequested) as asked:
        qtbot.mouseClick(
            detail.condition, Qt.MouseButton.LeftButton, pos=QPoint(6, detail.condition.height() // 2)
        )
    assert asked.args == [revived.id]
    settle(store)
    qtbot.waitUntil(lambda: tab.current_id() == revived.id)
    settle(store)
    assert detail.theory is not None and detail.theory.id == revived.id
    assert detail.title.text() == "Étoile is revived by 2028"
    assert tab.search.text() == ""  # the search that hid it was cleared


def test_the_condition_link_works_from_the_keyboard(qtbot, store, clock):
    revived, then = _conditional(store, clock)
    tab = _board(qtbot, store)
    _select(tab, then.id)
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow)
    tab.detail.delete_button.setFocus()
    qtbot.keyClick(tab.detail.delete_button, Qt.Key.Key_Tab)  # the next stop is the link
    link = tab.detail.condition
    assert QApplication.focusWidget() is link
    with qtbot.waitSignal(tab.detail.showTheoryRequested) as asked:
        qtbot.keyClick(link, Qt.Key.Key_Return)
    assert asked.args == [revived.id]
    settle(store)
    qtbot.waitUntil(lambda: tab.current_id() == revived.id)


def test_the_conditions_status_follows_it(qtbot, store, clock):
    revived, then = _conditional(store, clock)
    wait(store.resolve(revived.id, TheoryStatus.CONFIRMED))
    tab = _board(qtbot, store)
    _select(tab, then.id)
    assert tab.detail.condition.text().endswith("</a> — confirmed")


def test_a_conditions_title_is_shown_as_typed_and_wraps(qtbot, store, clock):
    hostile = "<b>bold</b> " + "x" * 180
    condition = wait(store.create_theory(TheoryDraft(hostile, confidence=30)))
    then = wait(store.create_theory(TheoryDraft("Then", confidence=60, condition_id=condition.id)))
    tab = _board(qtbot, store)
    _select(tab, then.id)
    label = tab.detail.condition
    from PySide6.QtGui import QTextDocument

    shown = QTextDocument()
    shown.setHtml(label.text())
    assert shown.toPlainText().replace("\u200b", "") == f"“{hostile}” — open"
    page = tab.detail.stack.currentWidget()
    assert page.horizontalScrollBar().maximum() == 0  # the long word wraps inside the column
    assert label.geometry().right() <= page.viewport().width()


# --- the chart -----------------------------------------------------------------------------


@pytest.fixture
def history(qtbot):
    view = HistoryChart()
    qtbot.addWidget(view)
    view.resize(400, 220)
    view.show()
    qtbot.waitExposed(view)
    return view


def _points(series) -> list[tuple[float, float]]:
    return [(series.at(i).x(), series.at(i).y()) for i in range(series.count())]


def _assert_legend_below_the_plot(history: HistoryChart) -> None:
    """The legend lies inside the view, under the plot and its date labels."""
    QApplication.processEvents()
    legend = history.legend.sceneBoundingRect()
    view = history.viewport().rect()
    assert legend.top() > history.chart().plotArea().bottom() + 10, (legend, history.chart().plotArea())
    assert view.contains(legend.toRect()), (view, legend)


def test_one_step_line_per_option_with_a_legend(qtbot, history):
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    later = datetime(2026, 3, 4, 12, tzinfo=UTC)
    now = datetime(2026, 3, 6, 12, tzinfo=UTC)
    points = [
        Forecast(60, start, option="Jack"),
        Forecast(40, start, option="Gael"),
        Forecast(75, later, "interview", option="Jack"),
        Forecast(25, later, "interview", option="Gael"),
    ]
    history.set_history(points, TheoryStatus.OPEN, None, now, options=["Jack", "Gael"])
    ms = [int(t.timestamp() * 1000) for t in (start, later, now)]
    assert list(history.option_lines) == ["Jack", "Gael"]
    assert _points(history.option_lines["Jack"]) == [(ms[0], 60), (ms[1], 60), (ms[1], 75), (ms[2], 75)]
    assert _points(history.option_lines["Gael"]) == [(ms[0], 40), (ms[1], 40), (ms[1], 25), (ms[2], 25)]
    assert _points(history.option_points["Jack"]) == [(ms[0], 60), (ms[1], 75)]
    assert history.line is None and history.marker is None
    # The series on the chart: a line and its dots per option, nothing else.
    assert len(history.chart().series()) == 4
    assert [s.name() for s in history.chart().series() if s.name()] == ["Jack", "Gael"]
    assert history.legend_text() == "━━ Jack   ━━ Gael"
    _assert_legend_below_the_plot(history)
    colours = {history.option_lines[n].pen().color().name() for n in ("Jack", "Gael")}
    assert len(colours) == 2
    assert history.accessibleName() == "Confidence history chart, one line per option: Jack, Gael"
    assert history.minimumHeight() > HistoryChart().minimumHeight()  # room for the legend

    # Back to a yes/no theory: one line, no legend.
    history.set_history([Forecast(55, start)], TheoryStatus.OPEN, None, now)
    assert history.option_lines == {} and history.line is not None
    assert len(history.chart().series()) == 2
    assert not history.legend.isVisible() and history.legend_text() == ""
    assert history.minimumHeight() == HistoryChart().minimumHeight()
    assert history.accessibleName() == "Confidence history chart"


def test_the_option_that_happened_is_marked_at_the_end(qtbot, history):
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    resolved = datetime(2026, 3, 9, 12, tzinfo=UTC)
    points = [Forecast(70, start, option="Jack"), Forecast(30, start, option="Gael")]
    history.set_history(points, TheoryStatus.CONFIRMED, resolved, resolved, ["Jack", "Gael"], "Gael")
    assert history.marker is not None
    assert _points(history.marker) == [(int(resolved.timestamp() * 1000), 30)]
    assert history.legend_text() == "━━ Jack   ━━ Gael"  # the marker is not in it
    assert history.legend.toHtml().count("font-weight") >= 1  # the one that happened in bold
    qtbot.wait(10)
    assert history.chart().plotArea().contains(history.label_rect())
    assert history.label.text() == "Happened: Gael"
    # Marked in Gael's colour (not the confirmed green, which could be read as another line);
    # its thicker line is drawn first, under the others.
    assert history.marker.color() == history.option_lines["Gael"].pen().color() == QColor(OPTION_COLOURS[1])
    assert history.chart().series()[0] is history.option_lines["Gael"]
    assert list(history.option_lines) == ["Jack", "Gael"]


def test_the_tooltip_of_an_options_point_names_the_option():
    from etoile_app.ui.common.charts import point_tooltip

    text = point_tooltip(
        Forecast(30, datetime(2026, 3, 1, tzinfo=UTC), option="<b>Gael</b>"),
        QFontMetrics(QApplication.font()),
    )
    assert "&lt;b&gt;Gael&lt;/b&gt; 30 %" in text


def test_twelve_options_each_have_their_own_look_and_a_legend_that_wraps(qtbot, history):
    names = [f"Option {i}" for i in range(11)] + ["Someone from the Paris company we have not met"]
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    history.set_history([Forecast(8, start, option=n) for n in names], TheoryStatus.OPEN, None, start, names)
    looks = {(s.pen().color().name(), s.pen().style()) for s in history.option_lines.values()}
    assert len(looks) == 12
    assert history.legend_text().startswith("━━ Option 0   ━━ Option 1")
    assert "╍╍ Option 8" in history.legend_text()  # the hues come round again, dashed
    assert history.legend_text().endswith("╍╍ Someone from the Paris company we have not met")
    # Every name whole, on several lines, and the view asks for the height they take.
    line = QFontMetrics(history.legend.font()).height()
    assert history.legend.boundingRect().height() >= 3 * line
    assert history.minimumHeight() >= 170 + history.legend.boundingRect().height()
    history.resize(400, history.minimumHeight())
    qtbot.waitUntil(lambda: history.height() == history.minimumHeight())
    _assert_legend_below_the_plot(history)
    assert history.chart().plotArea().height() > 80  # the plot keeps its height


@pytest.mark.parametrize(
    ("colours", "background"),
    [(OPTION_COLOURS, "#ffffff"), (OPTION_COLOURS_DARK, DARK[QPalette.ColorRole.Base])],
)
def test_option_colours_stand_out_on_the_chart_background(colours, background):
    for colour in colours:
        assert contrast(QColor(colour), QColor(background)) >= MIN_CONTRAST, colour


def test_the_chart_and_bars_take_the_dark_colours_in_a_dark_palette(qtbot, qapp, history):
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    points = [Forecast(70, start, option="Jack"), Forecast(30, start, option="Gael")]
    history.set_history(points, TheoryStatus.OPEN, None, start, ["Jack", "Gael"])
    light = QPalette(qapp.palette())
    assert history.option_lines["Jack"].pen().color() == QColor(OPTION_COLOURS[0])
    try:
        qapp.setPalette(dark_palette())
        qtbot.waitUntil(lambda: history.option_lines["Jack"].pen().color() == QColor(OPTION_COLOURS_DARK[0]))
        assert history.option_lines["Gael"].pen().color() == QColor(OPTION_COLOURS_DARK[1])
        assert history.legend.defaultTextColor() == QColor(DARK[QPalette.ColorRole.Text])
        assert OPTION_COLOURS_DARK[0] in history.legend.toHtml()
        assert option_colour(0, qapp.palette()) == QColor(OPTION_COLOURS_DARK[0])
    finally:
        qapp.setPalette(light)
        QApplication.processEvents()


# --- as a person sees it -------------------------------------------------------------------


def _scene(store, clock):
    """A multiple-choice theory resolved, and one that depends on another."""
    revived, then = _conditional(store, clock)
    theory = _who_kisses(store, clock, condition_id=revived.id)
    clock.advance(days=4)
    draft = replace(
        store.theories.get(theory.id).as_draft(),
        options=(OptionDraft("Jack", 30), OptionDraft("Gael", 60), OptionDraft("nobody", 10)),
    )
    wait(store.edit_theory(theory.id, draft, "Gael's contract renewed"))
    clock.advance(days=2)
    wait(store.resolve(theory.id, TheoryStatus.CONFIRMED, "Season 2, episode 1", option="Gael"))
    names = ["Jack", "Gael", "Mishi", "Nicholas", "Geneviève Lavigne", "Crispin", "nobody"]
    names.append("Someone from the Paris company we have not met yet, surely")  # 60 letters
    many = wait(
        store.create_theory(
            TheoryDraft(
                "Who becomes the new étoile",
                options=tuple(
                    OptionDraft(n, c) for n, c in zip(names, (20, 20, 15, 10, 10, 10, 5, 10), strict=True)
                ),
            )
        )
    )
    return theory, then, many


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_screenshots_of_the_detail_pane(qtbot, qapp, store, clock, tmp_path, palette):
    before = QPalette(qapp.palette())
    if palette == "dark":
        qapp.setPalette(dark_palette())
    try:
        theory, then, many = _scene(store, clock)
        tab = _board(qtbot, store)
        SHOTS.mkdir(parents=True, exist_ok=True)
        shots = (("multiple-choice", theory.id), ("conditional", then.id), ("eight-options", many.id))
        for name, theory_id in shots:
            _select(tab, theory_id)
            _settle(tab)
            image = tab.grab().toImage()
            assert image.save(str(SHOTS / f"{palette}-{name}.png"), "PNG")
            if palette == "dark":  # the light palette's muted labels are the platform's own
                assert not low_contrast_labels(tab.detail, tab.detail.grab().toImage())
            page = tab.detail.stack.currentWidget()
            assert page.horizontalScrollBar().maximum() == 0
    finally:
        qapp.setPalette(before)
        QApplication.processEvents()


def test_a_long_leading_option_is_cut_short_in_the_summary_only(qtbot, store):
    long_name = "Someone from the Paris company we have not met yet"
    theory = wait(
        store.create_theory(
            TheoryDraft(
                "The new étoile", options=(OptionDraft(long_name, 70), OptionDraft("<b>Jack</b>", 30))
            )
        )
    )
    tab = _board(qtbot, store)
    _select(tab, theory.id)
    detail = tab.detail
    assert detail.summary.text() == "Most likely: Someone from the Paris… (70 %) · Other"
    assert detail.options.rows[0][0].text() == long_name
    # Names are shown as typed: plain text in the list, escaped in the chart's legend.
    assert detail.options.rows[1][0].text() == "<b>Jack</b>"
    assert detail.options.rows[1][0].textFormat() == Qt.TextFormat.PlainText
    assert detail.history_chart.legend_text().endswith("━━ <b>Jack</b>")

"""How the app looks in a dark palette, and the charts and empty lists of the Track record.

Screenshots of every tab and the canon browser are taken with a dark palette on the whole
application (copies go to /tmp/dark-shots/ to be looked at); every visible label's text is
measured against what is painted behind it.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from etoile_app.domain import scoring
from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.models import DreamCastDraft, Forecast, TheoryDraft
from etoile_app.ui.common.charts import MIN_MARKER, CalibrationChart, HistoryChart
from etoile_app.ui.main_window import TAB_NAMES, MainWindow
from etoile_app.ui.screenshots import _settle
from etoile_app.ui.track.tab import TrackTab
from gui.widget_owner import owner

from .conftest import set_confidence, settle, wait

SHOTS = Path("/tmp/dark-shots")
#: WCAG AA for body text.
MIN_CONTRAST = 4.5
#: The modules of this change: no label in them may fall short.
OWN_MODULES = {
    "etoile_app.ui.common.charts",
    "etoile_app.ui.track.tab",
    "etoile_app.ui.main_window",
    "etoile_app.ui.board.resolve_dialog",
}

# A system dark palette (KDE Breeze Dark's colours), as a desktop would hand it to Qt.
DARK = {
    QPalette.ColorRole.Window: "#202326",
    QPalette.ColorRole.WindowText: "#fcfcfc",
    QPalette.ColorRole.Base: "#141618",
    QPalette.ColorRole.AlternateBase: "#1d1f22",
    QPalette.ColorRole.ToolTipBase: "#292c30",
    QPalette.ColorRole.ToolTipText: "#fcfcfc",
    QPalette.ColorRole.Text: "#fcfcfc",
    QPalette.ColorRole.Button: "#292c30",
    QPalette.ColorRole.ButtonText: "#fcfcfc",
    QPalette.ColorRole.BrightText: "#ffffff",
    QPalette.ColorRole.Light: "#40464c",
    QPalette.ColorRole.Midlight: "#33383c",
    QPalette.ColorRole.Mid: "#1e2124",
    QPalette.ColorRole.Dark: "#141618",
    QPalette.ColorRole.Shadow: "#0b0c0d",
    QPalette.ColorRole.Highlight: "#3daee9",
    QPalette.ColorRole.HighlightedText: "#fcfcfc",
    QPalette.ColorRole.Link: "#1d99f3",
    QPalette.ColorRole.LinkVisited: "#9b59b6",
    QPalette.ColorRole.PlaceholderText: "#a1a9b1",
}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in DARK.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6e7175"))
    return palette


@pytest.fixture
def dark(qapp):
    """The dark palette on the whole application, and the old one back afterwards."""
    before = QPalette(qapp.palette())
    qapp.setPalette(dark_palette())
    try:
        yield qapp.palette()
    finally:
        qapp.setPalette(before)
        QApplication.processEvents()


# --- contrast ------------------------------------------------------------------------------


def luminance(c: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def painted_contrast(image: QImage, rect: QRect) -> float | None:
    """Text against background as painted: the commonest colour in ``rect`` is the background,
    the pixel that differs from it most is the core of a glyph."""
    colours = Counter(
        image.pixel(x, y)
        for x in range(max(rect.left(), 0), min(rect.right(), image.width() - 1) + 1)
        for y in range(max(rect.top(), 0), min(rect.bottom(), image.height() - 1) + 1)
    )
    if len(colours) < 2:
        return None  # nothing drawn (an empty or clipped label)
    background = QColor.fromRgb(colours.most_common(1)[0][0])
    return max(contrast(QColor.fromRgb(p), background) for p in colours)


def low_contrast_labels(root: QWidget, image: QImage) -> list[tuple[str, str, float]]:
    """(module, text, contrast) of every visible label with text painted below MIN_CONTRAST."""
    found = []
    for label in root.findChildren(QLabel):
        if not label.isVisible() or not label.text().strip() or label.width() < 4:
            continue
        top_left = label.mapTo(root, QPoint(0, 0))
        rect = QRect(top_left, label.size()).intersected(
            label.visibleRegion().boundingRect().translated(top_left)
        )
        if rect.isEmpty():
            continue
        ratio = painted_contrast(image, rect)
        if ratio is not None and ratio < MIN_CONTRAST:
            found.append((owner(label), label.text()[:60], round(ratio, 2)))
    return found


# --- the screenshots -----------------------------------------------------------------------


def _seed(store, clock) -> None:
    a = wait(
        store.create_theory(TheoryDraft("Jack and Cheyenne marry", category=Category.ROMANCE, confidence=70))
    )
    b = wait(
        store.create_theory(
            TheoryDraft("Mishi sabotages the gala", category=Category.VILLAIN_ARC, confidence=20)
        )
    )
    c = wait(
        store.create_theory(TheoryDraft("A time jump of a year", category=Category.PLOT_ARC, confidence=45))
    )
    clock.advance(days=3)
    set_confidence(store, c.id, 60)
    clock.advance(days=4)
    wait(store.resolve(a.id, TheoryStatus.CONFIRMED, "Episode 3"))
    wait(store.resolve(b.id, TheoryStatus.CONFIRMED))
    wait(store.add_dream_cast(DreamCastDraft("A new étoile", "Someone Famous", "She can dance", 4)))


@pytest.fixture
def dark_window(qtbot, dark, store, settings, clock):
    _seed(store, clock)
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    w.attach(store, None)
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: len(w._built) == len(TAB_NAMES))
    settle(store)  # the board's rows and its selected theory, as a person sees them
    return w


def _shoot(widget: QWidget, path: Path) -> QImage:
    _settle(widget)
    image = widget.grab().toImage()
    assert image.save(str(path), "PNG")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, SHOTS / path.name)
    return image


def _check_looks_dark_and_filled(image: QImage, name: str) -> None:
    samples = [
        QColor.fromRgb(image.pixel(x, y))
        for x in range(0, image.width(), 16)
        for y in range(0, image.height(), 16)
    ]
    assert len({c.rgb() for c in samples}) > 8, f"{name} looks blank"
    mean = sum(c.lightnessF() for c in samples) / len(samples)
    assert mean < 0.35, f"{name} is not dark (mean lightness {mean:.2f}): something ignores the palette"


def _shots(window: MainWindow, tmp_path: Path) -> dict[str, list[tuple[str, str, float]]]:
    """Shoot every tab and the canon browser; the low-contrast labels found in each."""
    found = {}
    for index, name in enumerate(TAB_NAMES):
        window.tabs.setCurrentIndex(index)
        if index == 3:
            window.track_tab.lists.setCurrentIndex(4)  # the bold calls
        settle(window.store)  # what the tab reads in the background is on it when shot
        image = _shoot(window, tmp_path / f"dark-{index + 1:02d}-{name.lower().replace(' ', '-')}.png")
        _check_looks_dark_and_filled(image, name)
        found[name] = low_contrast_labels(window, image)
    browser = window.open_canon_browser()
    assert browser is not None
    browser.resize(1280, 800)
    image = _shoot(browser, tmp_path / "dark-05-canon-browser.png")
    _check_looks_dark_and_filled(image, "Canon browser")
    found["Canon browser"] = low_contrast_labels(browser, image)
    browser.close()
    return found


@pytest.fixture
def dark_offenders(dark_window, tmp_path) -> dict[str, list[tuple[str, str, float]]]:
    found = _shots(dark_window, tmp_path)
    assert sorted(p.name for p in tmp_path.glob("dark-*.png")) == [
        "dark-01-status.png",
        "dark-02-cast.png",
        "dark-03-theory-board.png",
        "dark-04-track-record.png",
        "dark-05-canon-browser.png",
    ]
    return found


def test_every_tab_and_the_canon_browser_are_dark_filled_and_readable(dark_offenders):
    mine = [
        (where, *o) for where, offenders in dark_offenders.items() for o in offenders if o[0] in OWN_MODULES
    ]
    assert not mine, f"low-contrast text: {mine}"


def test_labels_elsewhere_are_readable_in_a_dark_palette(dark_offenders):
    others = [
        (where, *o)
        for where, offenders in dark_offenders.items()
        for o in offenders
        if o[0] not in OWN_MODULES
    ]
    assert not others, f"low-contrast text elsewhere: {others}"


def test_charts_take_their_colours_from_the_palette_and_follow_a_change(qtbot, qapp):
    light = QPalette(qapp.palette())
    chart = CalibrationChart()
    qtbot.addWidget(chart)
    chart.show()
    history = HistoryChart()
    qtbot.addWidget(history)
    history.show()
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    history.set_history([Forecast(40, now)], TheoryStatus.CONFIRMED, now, now)

    def colours(view):
        c = view.chart()
        x = c.axes()[0]
        return c.backgroundBrush().color(), x.labelsColor()

    assert colours(chart)[0] == light.color(QPalette.ColorRole.Base)
    try:
        qapp.setPalette(dark_palette())
        for view in (chart, history):
            qtbot.waitUntil(lambda v=view: colours(v)[0] == QColor(DARK[QPalette.ColorRole.Base]))
            background, text = colours(view)
            assert text == QColor(DARK[QPalette.ColorRole.Text])
            assert contrast(background, text) >= MIN_CONTRAST
            image = view.grab().toImage()
            corner = QColor.fromRgb(image.pixel(2, 2))
            assert corner.lightnessF() < 0.3, "the chart is still painted white"
    finally:
        qapp.setPalette(light)
    qtbot.waitUntil(lambda: colours(chart)[0] == light.color(QPalette.ColorRole.Base))


# --- the confidence history chart ----------------------------------------------------------


@pytest.fixture
def history(qtbot):
    view = HistoryChart()
    qtbot.addWidget(view)
    view.resize(320, 170)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_one_point_shows_a_visible_marker_and_each_date_once(qtbot, history):
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    history.set_history([Forecast(55, now)], TheoryStatus.OPEN, None, now)
    assert history.points is not None and history.points.count() == 1
    assert history.points.markerSize() >= MIN_MARKER
    labels = history.tick_labels()
    assert len(labels) >= 2
    assert len(labels) == len(set(labels)), labels
    # The point sits inside the range, not on its edge.
    axis = history.x_axis()
    ms = history.points.at(0).x()
    assert axis.min().toMSecsSinceEpoch() < ms < axis.max().toMSecsSinceEpoch()


def test_dates_are_not_repeated_over_a_few_hours_or_a_long_history(history):
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for end in (
        datetime(2026, 3, 1, 15, tzinfo=UTC),
        datetime(2026, 3, 2, 9, tzinfo=UTC),
        datetime(2026, 9, 1, tzinfo=UTC),
    ):
        history.set_history([Forecast(30, start), Forecast(60, end)], TheoryStatus.OPEN, None, end)
        labels = history.tick_labels()
        assert len(labels) == len(set(labels)), labels


@pytest.mark.parametrize("confidence", [0, 50, 100])
def test_the_resolution_label_stays_inside_the_plot_area(qtbot, history, confidence):
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    history.set_history([Forecast(confidence, start)], TheoryStatus.BUSTED, start, start)
    qtbot.wait(10)
    plot = history.chart().plotArea()
    label = history.label_rect()
    assert history.label.isVisible() and history.label.text() == "Busted"
    assert plot.contains(label), (plot, label)


def test_a_long_note_is_elided_in_its_points_tooltip(history):
    from etoile_app.ui.common.charts import point_tooltip

    note = "Because " + "the director said so in an interview " * 20
    text = point_tooltip(Forecast(30, datetime(2026, 3, 1, tzinfo=UTC), note), history.fontMetrics())
    assert "…" in text and len(text) < len(note)


# --- the Track record's empty lists say why ------------------------------------------------


@pytest.fixture
def track(qtbot, store):
    tab = TrackTab(store)
    qtbot.addWidget(tab)
    tab.resize(1280, 760)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def test_bold_calls_explain_what_a_bold_call_is_while_there_are_none(qtbot, track):
    track.lists.setCurrentIndex(4)
    label = track.empty_labels["bold"]
    qtbot.waitUntil(label.isVisible)
    assert "bold call is" in label.text()
    assert f"{scoring.BOLD_MAX_CONFIDENCE} %" in label.text() and "came true" in label.text()


def test_best_and_worst_say_why_they_are_empty_and_how_close_a_category_is(qtbot, track, store):
    t = wait(store.create_theory(TheoryDraft("Jack returns", category=Category.ROMANCE, confidence=70)))
    wait(store.resolve(t.id, TheoryStatus.CONFIRMED))
    track.lists.setCurrentIndex(5)
    most, least = track.rank_empty["most"], track.rank_empty["least"]
    qtbot.waitUntil(lambda: most.isVisible() and "Romance" in most.text())
    assert most.text() != "—" and f"at least {scoring.MIN_RESOLVED_PER_CATEGORY}" in most.text()
    assert "1 of 3" in most.text()
    assert least.isVisible() and least.text() not in ("", "—")

    for title in ("Jack stays", "Jack leaves"):
        more = wait(store.create_theory(TheoryDraft(title, category=Category.ROMANCE, confidence=60)))
        wait(store.resolve(more.id, TheoryStatus.BUSTED))
    qtbot.waitUntil(lambda: track.models["most"].rowCount() == 1)
    assert not most.isVisible()
    assert least.isVisible() and "second" in least.text()

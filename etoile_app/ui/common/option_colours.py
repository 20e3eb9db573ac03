"""The colour of each option of a multiple-choice theory, shared by its chart line and its bar.

Eight hues in the order options are listed, each at least 4.5:1 against the chart's background
in a light palette and in a dark one (tests/gui/test_detail_options.py measures them); a ninth
option and beyond take the hues again with a dashed line, so no two lines look the same.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from etoile_app.ui.common.widgets import is_dark

OPTION_COLOURS = ("#1f5fa8", "#c2410c", "#1e7b3a", "#8e44ad", "#a16207", "#0e7490", "#be185d", "#57534e")
#: The same hues lightened for a dark background.
OPTION_COLOURS_DARK = ("#8bb8f0", "#fb923c", "#6fcf8c", "#c4a3ea", "#facc15", "#5eead4", "#f9a8d4", "#d6d3d1")


def option_colour(index: int, palette: QPalette) -> QColor:
    """The colour of the option at ``index`` (counted from 0) on a window with ``palette``."""
    colours = OPTION_COLOURS_DARK if is_dark(palette) else OPTION_COLOURS
    return QColor(colours[index % len(colours)])


def option_pen_style(index: int) -> Qt.PenStyle:
    """Solid for the first round of hues, dashed when they come round again."""
    return Qt.PenStyle.SolidLine if index < len(OPTION_COLOURS) else Qt.PenStyle.DashLine

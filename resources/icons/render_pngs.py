"""Render the app icon's PNG sizes from the SVG with Qt's own SVG renderer.

    .venv/bin/python resources/icons/render_pngs.py

Writes ``etoile-journal-<size>.png`` beside this file for every size in :data:`SIZES`, and
``etoile-journal.png`` (256 px) for the desktop entry and the window. Sizes up to 32 px are
drawn from ``etoile-journal-small.svg``, a simpler drawing that stays clear at 16 px.
Run it again after changing either SVG; the PNGs are committed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SMALL_UP_TO = 32


def render(svg: Path, size: int, target: Path) -> None:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    if not image.save(str(target), "PNG"):
        raise SystemExit(f"could not write {target}")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (needed for QImage text/fonts)
    full, small = HERE / "etoile-journal.svg", HERE / "etoile-journal-small.svg"
    for size in SIZES:
        source = small if size <= SMALL_UP_TO and small.exists() else full
        render(source, size, HERE / f"etoile-journal-{size}.png")
        print(HERE / f"etoile-journal-{size}.png")
    render(full, 256, HERE / "etoile-journal.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())

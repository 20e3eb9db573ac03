"""Start the real app and print when it first painted and when the board first showed rows.

    python benchmarks/probe_app.py --db JOURNAL.sqlite3

It runs ``etoile_app.cli.run`` unchanged; the only additions are two wrappers on
``MainWindow`` that print ``etoile-mark first-paint`` when the window's ``firstPainted``
signal fires and ``etoile-mark rows-shown`` once the board's table has painted rows, on
``time.monotonic()`` (system-wide on Linux, so the parent can subtract its own start time),
and then quit. Importing ``etoile_app.ui.main_window`` first moves the PySide6 imports a
little earlier than ``launch`` does, but not the total before the first paint.

When ``etoile_app/app.py`` prints these marks itself (``ETOILE_BENCH_MARKS=1``), the
benchmarks run the app directly instead.
"""

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from etoile_app.ui import main_window


def mark(name: str) -> None:
    print(f"etoile-mark {name} {time.monotonic():.6f}", flush=True)


class RowsPainted(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and self.window.board_tab.model.rowCount():
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.done)
        return False

    def done(self) -> None:
        mark("rows-shown")
        QApplication.quit()


_init = main_window.MainWindow.__init__
_attach = main_window.MainWindow.attach


def _wrapped_init(self, *args, **kwargs) -> None:
    _init(self, *args, **kwargs)
    # Connected before launch() connects its own fill_in, so it fires first.
    self.firstPainted.connect(lambda: mark("first-paint"))


def _wrapped_attach(self, *args, **kwargs) -> None:
    _attach(self, *args, **kwargs)
    self._bench_rows = RowsPainted(self)
    self.board_tab.table.viewport().installEventFilter(self._bench_rows)
    self.tabs.setCurrentWidget(self.board_tab)


main_window.MainWindow.__init__ = _wrapped_init
main_window.MainWindow.attach = _wrapped_attach

if __name__ == "__main__":
    from etoile_app.cli import run

    sys.exit(run(sys.argv[1:]))

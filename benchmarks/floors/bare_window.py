"""Floor for first paint: a bare PySide6 window with three tabs of empty tables.

Prints ``etoile-mark first-paint <time.monotonic()>`` once the window has painted, then quits.
"""

import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView, QTabWidget


def mark(name: str) -> None:
    print(f"etoile-mark {name} {time.monotonic():.6f}", flush=True)


class Window(QMainWindow):
    painted = False

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            QTimer.singleShot(0, lambda: (mark("first-paint"), QApplication.quit()))


app = QApplication(sys.argv[:1])
window = Window()
tabs = QTabWidget()
for name in ("One", "Two", "Three"):
    table = QTableView()
    table.setModel(QStandardItemModel(0, 8, table))
    tabs.addTab(table, name)
window.setCentralWidget(tabs)
window.resize(1280, 800)
window.show()
app.exec()

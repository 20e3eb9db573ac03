"""Floor for data on screen: bare window, then import SQLAlchemy, open the database, one query.

    python data_window.py JOURNAL.sqlite3
    python data_window.py postgresql+psycopg://user@host/journal

The window with three tabs of tables paints first (as the app does); then SQLAlchemy (Core and
ORM, as the app uses both) is imported, an engine opens the file (or connects to the server,
given a URL) and one query fetches the board's first page (100 rows, the board's
``PAGE_SIZE``), which fills the first table. Prints
``etoile-mark first-paint`` and ``etoile-mark rows-shown`` (``time.monotonic()``), then quits.
"""

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView, QTabWidget

QUERY = (
    "SELECT id, title, category, characters_text, tags_text, confidence, juiciness, status, updated_at "
    "FROM theories WHERE deleted_at IS NULL ORDER BY updated_at DESC, id DESC LIMIT 100"
)


def mark(name: str) -> None:
    print(f"etoile-mark {name} {time.monotonic():.6f}", flush=True)


class RowsPainted(QObject):
    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and model.rowCount():
            watched.removeEventFilter(self)
            QTimer.singleShot(0, lambda: (mark("rows-shown"), QApplication.quit()))
        return False


class Window(QMainWindow):
    painted = False

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            QTimer.singleShot(0, fill_in)


def fill_in() -> None:
    mark("first-paint")
    import sqlalchemy
    import sqlalchemy.orm

    target = sys.argv[1]
    engine = sqlalchemy.create_engine(target if "://" in target else f"sqlite:///{target}")
    with engine.connect() as conn:
        rows = conn.execute(sqlalchemy.text(QUERY)).all()
    for row in rows:
        model.appendRow([QStandardItem(str(value)) for value in row])


app = QApplication(sys.argv[:1])
window = Window()
tabs = QTabWidget()
model = QStandardItemModel(0, 9)
for name in ("One", "Two", "Three"):
    table = QTableView()
    table.setModel(model if name == "One" else QStandardItemModel(0, 8, table))
    tabs.addTab(table, name)
filter_ = RowsPainted()
tabs.widget(0).viewport().installEventFilter(filter_)
window.setCentralWidget(tabs)
window.resize(1280, 800)
window.show()
app.exec()

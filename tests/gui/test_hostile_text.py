"""User text stays text everywhere: markup is shown as typed, never rendered, and a right-to-left
override or a 200-letter word stays inside its own place on screen.

Qt renders a tooltip, a ``QLabel`` in ``AutoText`` or a delegate's ``QTextDocument.setHtml`` as
HTML when the string looks like it (``Qt.mightBeRichText``). The journal below holds hostile
text in every field a person can write; every view of the main window and every dialog that
shows that text is walked, and each string that Qt would render as HTML is rendered and compared
with what was typed.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QModelIndex, QRect, Qt
from PySide6.QtGui import QFont, QImage, QPainter, QTextDocument, QTextLayout
from PySide6.QtGui import Qt as QtGui_Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QMessageBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabBar,
    QTextEdit,
    QWidget,
)

from etoile_app.domain.enums import Category, FactStatus, Stance, TheoryStatus, Topic
from etoile_app.domain.models import DreamCastDraft, EvidenceDraft, NewsDraft, TheoryDraft
from etoile_app.ui.board import model as bm
from etoile_app.ui.common import fmt
from etoile_app.ui.common.widgets import plain_tooltip
from etoile_app.ui.main_window import BOARD, CAST, STATUS, TRACK, MainWindow

from .conftest import board_dialog, set_confidence, settle, wait

HOSTILE = (
    "<img src=x>",
    "<b>bold</b>",
    '<a href="https://evil.example">link</a>',
    "&lt;script&gt;",
)
TEXT = " ".join(HOSTILE)
#: Tags hold letters, digits and - _ / only: the nearest a tag comes to markup.
TAGS = ("lt/script", "b-bold", "a_href")
RLO = "\u202e"


# --- how Qt would show a string ------------------------------------------------------------


def as_html(text: str) -> str:
    """What a person sees when Qt renders ``text`` as HTML."""
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def rich_problem(text: str) -> str | None:
    """Why ``text``, rendered as HTML, does not show the hostile strings as typed (or None)."""
    for hostile in HOSTILE:
        if hostile in text:
            return f"renders {hostile!r} as HTML"
    return plain_problem(as_html(text))


def plain_problem(shown: str) -> str | None:
    """Why ``shown``, the text on screen, is wrong (or None): escaped twice, it shows entities."""
    for hostile in HOSTILE:
        if html.escape(hostile) in shown:
            return f"shows {hostile!r} escaped twice"
    return None


def auto_problem(text: str) -> str | None:
    """A tooltip or an AutoText label: HTML when it looks like HTML, else plain."""
    return rich_problem(text) if QtGui_Qt.mightBeRichText(text) else plain_problem(text)


def test_the_checks_tell_escaped_from_raw():
    assert rich_problem(TEXT) is not None
    assert rich_problem(plain_tooltip(TEXT)) is None
    assert as_html(plain_tooltip(TEXT)) == TEXT
    assert rich_problem(plain_tooltip(html.escape(TEXT))) is not None  # escaped twice
    assert auto_problem("Plain words") is None


# --- walking the widgets -------------------------------------------------------------------


def describe(widget: QWidget) -> str:
    names = []
    w: QWidget | None = widget
    while w is not None and len(names) < 4:
        names.append(w.objectName() or type(w).__name__)
        w = w.parentWidget()
    return "/".join(reversed(names))


@contextmanager
def html_given_to_documents() -> Iterator[list[str]]:
    """Every string Python code hands to ``QTextDocument.setHtml`` meanwhile (a delegate that
    paints rich text does so)."""
    seen: list[str] = []
    original = QTextDocument.setHtml

    def recording(self, text):
        seen.append(text)
        return original(self, text)

    QTextDocument.setHtml = recording
    try:
        yield seen
    finally:
        QTextDocument.setHtml = original


def _indexes(model, parent: QModelIndex = QModelIndex(), depth: int = 0) -> Iterator[QModelIndex]:  # noqa: B008
    if depth > 3:
        return
    for row in range(min(model.rowCount(parent), 500)):
        column = 0
        # (columnCount and hasChildren are private in PySide's list models: ask for indexes.)
        while (index := model.index(row, column, parent)).isValid():
            yield index
            if column == 0 and model.rowCount(index) > 0:
                yield from _indexes(model, index, depth + 1)
            column += 1


def view_offenders(view: QAbstractItemView) -> list[str]:
    found = []
    model = view.model()
    if model is None:
        return found
    image = QImage(400, 200, QImage.Format.Format_ARGB32)
    for index in _indexes(model):
        tip = index.data(Qt.ItemDataRole.ToolTipRole)
        if isinstance(tip, str) and (problem := auto_problem(tip)):
            found.append(
                f"{describe(view)} row {index.row()} col {index.column()} tooltip {problem}: {tip!r}"
            )
        # The standard delegates draw the display text as plain text; a delegate of our own may
        # render HTML: paint it and look at what it gave to QTextDocument.
        shown = index.data(Qt.ItemDataRole.DisplayRole)
        if isinstance(shown, str) and (problem := plain_problem(shown)):
            found.append(f"{describe(view)} row {index.row()} col {index.column()} text {problem}: {shown!r}")
        delegate = view.itemDelegateForIndex(index)
        if type(delegate) not in (QStyledItemDelegate,) and delegate is not None:
            option = QStyleOptionViewItem()
            option.rect = QRect(0, 0, 400, 200)
            option.font = view.font()
            option.fontMetrics = view.fontMetrics()
            option.palette = view.palette()
            with html_given_to_documents() as given:
                painter = QPainter(image)
                try:
                    delegate.sizeHint(option, index)
                    delegate.paint(painter, option, index)
                finally:
                    painter.end()
            for text in given:
                if problem := rich_problem(text):
                    found.append(f"{describe(view)} ({type(delegate).__name__}) paints {problem}: {text!r}")
    return found


def offenders(root: QWidget) -> list[str]:
    """Every place under ``root`` (itself included) where hostile text is not shown as typed."""
    found: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        tip = widget.toolTip()
        if tip and (problem := auto_problem(tip)):
            found.append(f"{describe(widget)} toolTip {problem}: {tip!r}")
        if isinstance(widget, QLabel):
            text, form = widget.text(), widget.textFormat()
            if form == Qt.TextFormat.PlainText:
                problem = plain_problem(text)
            elif form == Qt.TextFormat.AutoText:
                problem = auto_problem(text)
            else:
                problem = rich_problem(text)
            if problem:
                found.append(f"{describe(widget)} QLabel {problem}: {text!r}")
        elif isinstance(widget, QTextEdit):
            marked_up = widget.document().toHtml()
            if 'href="https://evil.example"' in marked_up or '<img src="x"' in marked_up:
                found.append(
                    f"{describe(widget)} QTextEdit renders links or images: {widget.toPlainText()!r}"
                )
            elif problem := plain_problem(widget.toPlainText()):
                found.append(f"{describe(widget)} QTextEdit {problem}")
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                tab_tip = widget.tabToolTip(i)
                if tab_tip and (problem := auto_problem(tab_tip)):
                    found.append(f"{describe(widget)} tab {i} toolTip {problem}: {tab_tip!r}")
        if isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):
            found.extend(view_offenders(widget))
    return found


# --- the journal ---------------------------------------------------------------------------


@dataclass
class Hostile:
    window: MainWindow
    theory: object
    resolved: object
    overdue: object
    news: object
    news_direct: object
    dream: object
    mishi: int


def _character(store, name: str) -> int:
    return next(c.id for c in store.cast.characters() if c.name == name)


@pytest.fixture
def hostile(qtbot, store, settings, clock, tmp_path) -> Hostile:
    mishi, jack = _character(store, "Mishi"), _character(store, "Jack")
    canon_fact = store.canon.facts()[0]
    news = wait(
        store.add_news(
            NewsDraft(
                topic=Topic.RENEWAL,
                statement=f"News: {TEXT}",
                status=FactStatus.REPORTED,
                source=f"Source {TEXT}",
                as_of=clock.now.date() - timedelta(days=3),
                headline=TEXT,
                source_title=f"Piece {TEXT}",
                source_url="https://evil.example/news",
            )
        )
    )
    news_direct = store.canon.add_news(
        NewsDraft(
            topic=Topic.CAST,
            statement=f"Cast news: {TEXT}",
            status=FactStatus.RUMOURED,
            source=f"Gossip {TEXT}",
            as_of=clock.now.date() - timedelta(days=2),
            character_ids=(mishi,),
            headline=TEXT,
        )
    )
    theory = wait(
        store.create_theory(
            TheoryDraft(
                title=f"Title {TEXT}",
                body=f"Body {TEXT}\nSecond line {TEXT}",
                category=Category.VILLAIN_ARC,
                character_ids=(mishi,),
                tags=TAGS,
                confidence=30,
                juiciness=5,
                evidence=(
                    EvidenceDraft(news.id, Stance.SUPPORTS, f"Evidence note {TEXT}"),
                    EvidenceDraft(canon_fact.id, Stance.CONTRADICTS, f"Against {TEXT}"),
                ),
            )
        )
    )
    clock.advance(days=1)
    set_confidence(store, theory.id, 25, f"Confidence note {TEXT}")
    resolved = wait(
        store.create_theory(
            TheoryDraft(f"Came true {TEXT}", TEXT, Category.ROMANCE, (jack,), ("b-bold",), 10, 5)
        )
    )
    wait(store.resolve(resolved.id, TheoryStatus.CONFIRMED, f"Resolution note {TEXT}"))
    overdue = wait(
        store.create_theory(
            TheoryDraft(
                f"Overdue {TEXT}",
                confidence=60,
                tags=("lt/script",),
                resolve_by=clock.now.date() - timedelta(days=10),
            )
        )
    )
    dream = wait(
        store.add_dream_cast(
            DreamCastDraft(
                role_idea=f"Role {TEXT}",
                actor=f"Actor {TEXT}",
                note=f"Why {TEXT}",
                rating=4,
                character_id=mishi,
            )
        )
    )

    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.attach(store, tmp_path / "journal.sqlite3")
    qtbot.waitUntil(lambda: len(window._built) == 4)
    settle(store)
    return Hostile(window, theory, resolved, overdue, news, news_direct, dream, mishi)


def _settle(qtbot, store) -> None:
    """What a person sees a moment later: the background reads delivered, then laid out."""
    settle(store)
    qtbot.wait(20)
    QApplication.processEvents()


def _report(found: list[str]) -> str:
    return "User text shown as HTML or escaped twice:\n  " + "\n  ".join(found)


def test_every_tab_of_the_main_window_shows_user_text_as_typed(qtbot, hostile):
    w = hostile.window
    found: list[str] = []
    for index in (STATUS, CAST, BOARD, TRACK):
        w.tabs.setCurrentIndex(index)
        _settle(qtbot, hostile.window.store)
    w.track_tab.refresh()
    for theory in (hostile.theory, hostile.resolved, hostile.overdue):
        w.board_tab.select_theory(theory.id)
        _settle(qtbot, hostile.window.store)
        assert w.board_tab.detail.theory.id == theory.id
        found += offenders(w)
    w.cast_tab.select_character(hostile.mishi)
    _settle(qtbot, hostile.window.store)
    found += offenders(w)
    assert not found, _report(found)


def test_the_canon_browser_shows_user_text_as_typed(qtbot, hostile):
    browser = hostile.window.open_canon_browser()
    qtbot.addWidget(browser)
    found: list[str] = []
    for fact in (hostile.news, hostile.news_direct):
        assert browser.select_fact(fact.id)
        _settle(qtbot, hostile.window.store)
        found += offenders(browser)
    assert not found, _report(found)


def _theory_editor(h: Hostile) -> QWidget:
    h.window.board_tab.edit_theory(h.theory.id)
    return board_dialog(h.window.board_tab)


def _resolve_dialog(h: Hostile) -> QWidget:
    h.window.board_tab.resolve_theory(h.overdue.id)
    return board_dialog(h.window.board_tab)


def _dream_dialog(h: Hostile) -> QWidget:
    dialog = h.window.cast_tab.dream_dialog(h.dream)
    dialog.open()
    return dialog


def _news_dialog(h: Hostile) -> QWidget:
    # It opens once what it offers has been read in the background.
    h.window.status_tab.edit_news(h.news)
    settle(h.window.store)
    return h.window.status_tab.news_dialog


def _starter_dialog(h: Hostile) -> QWidget:
    from etoile_app.ui.board.starter_dialog import StarterDialog, open_starter_dialog

    wait(open_starter_dialog(h.window.store, h.window))
    return h.window.findChild(StarterDialog)


def _restore_dialog(h: Hostile) -> QWidget:
    from etoile_app.ui.files.transfer import open_restore

    h.window.store.journal.backups.backup()
    return open_restore(h.window.store, h.window)


@pytest.mark.parametrize(
    "open_dialog",
    [
        _theory_editor,
        _resolve_dialog,
        _dream_dialog,
        _news_dialog,
        _starter_dialog,
        _restore_dialog,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_dialogs_show_user_text_as_typed(qtbot, hostile, open_dialog):
    dialog = open_dialog(hostile)
    qtbot.waitExposed(dialog)
    _settle(qtbot, hostile.window.store)
    found = offenders(dialog)
    dialog.close()
    assert not found, _report(found)


def test_a_refusal_quoting_user_text_shows_it_as_typed(qtbot, hostile, monkeypatch):
    from etoile_app.domain.errors import JournalError

    def refuse(_theory_ids):
        raise JournalError(f"Cannot reopen “{TEXT}”.")

    monkeypatch.setattr(hostile.window.store.theories, "reopen_many", refuse)
    board = hostile.window.board_tab
    board.reopen_theory(hostile.resolved.id)
    qtbot.waitUntil(lambda: board.reopen_box is not None)
    question = board.reopen_box
    assert question.textFormat() == Qt.TextFormat.PlainText
    assert not offenders(question)
    qtbot.keyClick(question, Qt.Key.Key_Return)
    boxes: list[QMessageBox] = []
    qtbot.waitUntil(
        lambda: bool(
            boxes.extend(b for b in hostile.window.findChildren(QMessageBox) if b.isVisible()) or boxes
        )
    )
    box = boxes[0]
    assert box.text() == f"Cannot reopen “{TEXT}”."
    assert box.textFormat() == Qt.TextFormat.PlainText
    found = offenders(box)
    box.close()
    assert not found, _report(found)


# --- right-to-left overrides ----------------------------------------------------------------


def _reads_left_to_right(line: str, tail: str) -> bool:
    """Whether ``tail``, at the end of ``line``, is laid out left to right as written."""
    layout = QTextLayout(line, QFont())
    layout.beginLayout()
    text_line = layout.createLine()
    text_line.setLineWidth(100_000)
    layout.endLayout()
    start = line.rindex(tail)
    xs = [text_line.cursorToX(start + i)[0] for i in range(len(tail) + 1)]
    return xs == sorted(xs) and xs[0] < xs[-1]


def test_isolate_wraps_only_what_needs_it_and_balances_isolates():
    assert fmt.isolate("Mishi sabotages the gala") == "Mishi sabotages the gala"
    assert fmt.isolate(f"abc{RLO}def") == f"{fmt.FSI}abc{RLO}def{fmt.PDI}"
    # A stray PDI would close the isolate early; an unclosed FSI would swallow its PDI.
    assert fmt.isolate(f"x{fmt.PDI}{RLO}y") == f"{fmt.FSI}x{RLO}y{fmt.PDI}"
    assert fmt.isolate(f"x{fmt.FSI}y") == f"{fmt.FSI}x{fmt.FSI}y{fmt.PDI}{fmt.PDI}"
    # Each line is its own paragraph, and gets its own isolate.
    assert fmt.isolate(f"one\ntwo{RLO}") == f"one\n{fmt.FSI}two{RLO}{fmt.PDI}"
    assert fmt.isolate("שלום") == f"{fmt.FSI}שלום{fmt.PDI}"


def test_a_right_to_left_override_stays_inside_the_title(qtbot, store, settings, tmp_path):
    title = f"Sneaky {RLO}title"
    source = f"Outlet {RLO}desrever"
    news = wait(
        store.add_news(
            NewsDraft(Topic.RENEWAL, f"Renewed {RLO}yllaer", FactStatus.REPORTED, source, date(2025, 6, 1))
        )
    )
    theory = wait(
        store.create_theory(
            TheoryDraft(title, evidence=(EvidenceDraft(news.id, Stance.SUPPORTS, f"note {RLO}eton"),))
        )
    )
    set_confidence(store, theory.id, 70, f"because {RLO}esuaceb")
    # Without isolation the override reverses what follows it: the probe can tell.
    assert not _reads_left_to_right(f"{title} · 50 % sure", " · 50 % sure")

    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.attach(store, tmp_path / "journal.sqlite3")
    window.tabs.setCurrentIndex(BOARD)
    board = window.board_tab
    board.select_theory(theory.id)
    _settle(qtbot, store)

    shown = board.model.index(0, bm.COL_TITLE).data()
    assert shown == fmt.isolate(title)
    assert _reads_left_to_right(f"{shown} · 50 % sure", " · 50 % sure")
    tip = board.model.index(0, bm.COL_TITLE).data(Qt.ItemDataRole.ToolTipRole)
    assert _reads_left_to_right(as_html(tip) + " · tail", " · tail")

    # The detail pane shows the title as written (alone on its lines, it reorders nothing
    # else); where user text has company, it is isolated.
    detail = board.detail
    assert detail.title.text() == title
    lines = [detail.evidence.itemAt(i).widget().text() for i in range(detail.evidence.count())]
    statement_line, source_line = lines[0], lines[1].split("\n")[0]
    assert statement_line.endswith(fmt.isolate(f"Renewed {RLO}yllaer"))
    # The evidence's source line goes on after the source: its date reads as written.
    assert source_line.endswith(" · as of 1 Jun 2025")
    assert _reads_left_to_right(source_line, " · as of 1 Jun 2025")
    assert _reads_left_to_right(lines[1] + " · tail", " · tail")  # after the note
    history = detail.history.itemAt(0).widget().text()
    assert _reads_left_to_right(history + " · tail", " · tail")

    # Deleting says which theory went, then how to undo: that must still read as written.
    board.delete_theory(theory.id)
    settle(store)
    message = window.statusBar().currentMessage()
    assert _reads_left_to_right(message, "Undo with Ctrl+Z.")


# --- long words ------------------------------------------------------------------------------


def test_a_200_letter_word_wraps_inside_the_detail_pane(qtbot, store, settings, tmp_path):
    word = "Ballet" * 33 + "Ét"  # 200 letters, no break
    news = wait(
        store.add_news(NewsDraft(Topic.RENEWAL, word, FactStatus.REPORTED, word[:150], date(2025, 6, 1)))
    )
    theory = wait(
        store.create_theory(
            TheoryDraft(
                word,
                body=f"{word}\n{word}",
                confidence=40,
                evidence=(EvidenceDraft(news.id, Stance.SUPPORTS, word),),
            )
        )
    )
    set_confidence(store, theory.id, 60, word)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.attach(store, tmp_path / "journal.sqlite3")
    window.tabs.setCurrentIndex(BOARD)
    board = window.board_tab
    board.select_theory(theory.id)
    detail = board.detail
    qtbot.waitUntil(lambda: detail.title.isVisible())
    _settle(qtbot, store)

    scroll = detail.stack.currentWidget()
    page = scroll.widget()
    assert detail.width() <= detail.parentWidget().width()
    assert page.width() <= scroll.viewport().width()
    assert scroll.horizontalScrollBar().maximum() == 0
    line = detail.title.fontMetrics().height()
    for text in (detail.title, detail.body):
        assert text.text().startswith(word)
        assert text.toPlainText().startswith(word)  # shown whole, and copied whole
        assert text.geometry().right() <= page.width()
        assert text.height() >= 2 * line  # wrapped onto several lines
        assert text.document().size().width() <= text.viewport().width() + 1
    # The text column stops before the chart's column.
    chart = detail.history_chart
    title_right = detail.title.mapTo(page, detail.title.rect().topRight()).x()
    assert title_right < chart.mapTo(page, chart.rect().topLeft()).x()
    for layout in (detail.evidence, detail.history):
        for i in range(layout.count()):
            widget = layout.itemAt(i).widget()
            assert widget.mapTo(page, widget.rect().topRight()).x() <= page.width()

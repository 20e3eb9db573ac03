"""The theory board driven as a person would: write, find, resolve, delete and undo."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox

from etoile_app.domain.enums import Category, Stance, TheoryStatus
from etoile_app.domain.models import TheoryDraft, TheoryQuery
from etoile_app.ui.board import model as bm
from etoile_app.ui.board.tab import BoardTab

from .conftest import board_dialog, closed, redo, set_confidence, settle, undo, wait


def _ids(journal, name):
    return {c.name: c.id for c in journal.cast.characters()}[name]


def _board(qtbot, store) -> BoardTab:
    tab = BoardTab(store)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    # The filter lists fill in just after the rows are on screen, as a person sees them.
    qtbot.waitUntil(lambda: tab.filters.characters.count() > 0)
    settle(store)  # the rows, their count and the selected theory in full have come
    return tab


def _select(tab: BoardTab, theory_id: int) -> None:
    """Select a theory by name and wait for the detail pane to show it in full."""
    tab.select_theory(theory_id)
    settle(tab.store)


def _titles(tab: BoardTab) -> list[str]:
    settle(tab.store)
    model = tab.model
    return [model.data(model.index(r, bm.COL_TITLE)) for r in range(model.rowCount())]


def _seed(store, journal):
    mishi, jack = _ids(journal, "Mishi"), _ids(journal, "Jack")
    a = wait(
        store.create_theory(
            TheoryDraft(
                "Mishi sabotages the gala",
                "Black Swan energy",
                Category.VILLAIN_ARC,
                (mishi,),
                ("villain/mishi",),
                70,
                4,
            )
        )
    )
    b = wait(
        store.create_theory(
            TheoryDraft(
                "Jack and Cheyenne marry", "", Category.ROMANCE, (jack,), ("romance/jack-cheyenne",), 20, 2
            )
        )
    )
    c = wait(
        store.create_theory(
            TheoryDraft("A time jump of a year", "", Category.PLOT_ARC, (), ("time-jump",), 55)
        )
    )
    return a, b, c


def test_board_model_passes_qt_model_tester(qtbot, qtmodeltester, store, journal):
    _seed(store, journal)
    model = bm.TheoryTableModel(store.board, store.ops)
    model.set_query(TheoryQuery())
    settle(store)
    assert model.rowCount() == 3
    qtmodeltester.check(model)


def test_model_tester_over_a_first_page_then_the_count(qtbot, qtmodeltester, store, journal):
    for i in range(bm.PAGE_SIZE * 2 + 5):
        store.theories.create(TheoryDraft(f"Theory {i:03d}", confidence=50))
    model = bm.TheoryTableModel(store.board, store.ops)
    qtmodeltester.check(model)  # checks every change the model makes from here on
    with qtbot.waitSignal(model.countKnown) as known:
        model.set_query(TheoryQuery(sort=bm.SortKey.TITLE, descending=False))
    assert known.args == [bm.PAGE_SIZE * 2 + 5]
    settle(store)
    assert model.rowCount() == bm.PAGE_SIZE * 2 + 5 and model.exact()


def test_model_loads_rows_lazily_in_pages(qtbot, store, journal):
    for i in range(bm.PAGE_SIZE + 5):
        store.theories.create(TheoryDraft(f"Theory {i:03d}", confidence=50))
    model = bm.TheoryTableModel(store.board, store.ops)
    with qtbot.waitSignal(model.queryApplied):
        model.set_query(TheoryQuery(sort=bm.SortKey.TITLE, descending=False))
    assert model.rowCount() == bm.PAGE_SIZE and not model.exact()  # the first page, then the count
    settle(store)
    assert model.rowCount() == bm.PAGE_SIZE + 5 and model.exact()
    assert list(model._pages) == [0]  # the first page came with the query; the rest on demand
    index = model.index(bm.PAGE_SIZE + 1, bm.COL_TITLE)
    assert model.data(index) is None  # asked for in the background: painting never waits
    with qtbot.waitSignal(model.dataChanged):
        pass
    assert model.data(index) == f"Theory {bm.PAGE_SIZE + 1:03d}"
    assert list(model._pages) == [0, 1]


def test_write_a_theory_through_the_editor(qtbot, store, journal):
    _seed(store, journal)
    fact = next(f for f in journal.canon.facts() if f.key == "locations-london")
    tab = _board(qtbot, store)
    tab.new_theory()
    editor = board_dialog(tab)
    assert not editor.save_button.isEnabled()  # no title yet

    qtbot.keyClicks(editor.title, "Mishi   moves to New York")
    for i in range(editor.characters.count()):
        item = editor.characters.item(i)
        if item.text().startswith("Mishi"):
            item.setCheckState(Qt.CheckState.Checked)
    editor.category.setCurrentIndex(editor.category.findData(Category.PLOT_ARC))

    # A tag typed in part and picked from the completer, and a new one typed whole.
    qtbot.keyClicks(editor.tags.entry, "villain/m")
    popup = editor.tags.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    popup.setCurrentIndex(editor.tags.completer.completionModel().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.keyClicks(editor.tags.entry, "New York")
    qtbot.keyClick(editor.tags.entry, Qt.Key.Key_Return)
    assert editor.tags.tags() == ["villain/mishi", "new-york"]

    editor.confidence.spin.selectAll()
    qtbot.keyClicks(editor.confidence.spin, "35")
    assert editor.confidence.slider.value() == 35
    star_width = editor.juiciness.sizeHint().width() / 5
    qtbot.mouseClick(editor.juiciness, Qt.MouseButton.LeftButton, pos=QPoint(int(star_width * 2.5), 5))
    assert editor.juiciness.value() == 3
    qtbot.keyClicks(editor.body, "She finally leaves Paris.")

    editor.tabs.setCurrentIndex(1)
    qtbot.keyClicks(editor.fact_search, "london")
    assert editor.fact_list.count() == 1
    editor.fact_list.setCurrentRow(0)
    editor.stance.setCurrentIndex(editor.stance.findData(Stance.SUPPORTS))
    qtbot.keyClicks(editor.evidence_note, "the London scouting")
    qtbot.mouseClick(editor.add_evidence_button, Qt.MouseButton.LeftButton)
    assert editor.evidence.topLevelItemCount() == 1

    assert editor.save_button.isEnabled()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closed(editor))

    # On screen: the board shows and selects it, the detail pane shows it in full.
    assert "Mishi moves to New York" in _titles(tab)
    assert tab.detail.title.text() == "Mishi moves to New York"
    # In the database: every field as entered.
    saved = journal.theories.get(tab.current_id())
    assert saved.category is Category.PLOT_ARC
    assert [c.name for c in saved.characters] == ["Mishi"]
    assert saved.tags == ("new-york", "villain/mishi")
    assert saved.confidence == 35 and saved.juiciness == 3
    assert saved.body == "She finally leaves Paris."
    assert [(e.fact_id, e.stance, e.note) for e in saved.evidence] == [
        (fact.id, Stance.SUPPORTS, "the London scouting")
    ]


def test_invalid_editor_input_keeps_save_disabled_and_writes_nothing(qtbot, store, journal, db_snapshot):
    before = db_snapshot(journal)
    tab = _board(qtbot, store)
    tab.new_theory()
    editor = board_dialog(tab)

    qtbot.keyClicks(editor.title, "x")
    editor.title.clear()
    qtbot.keyClicks(editor.title, " ")
    assert not editor.save_button.isEnabled()
    assert editor.title_error.isVisible() and "title" in editor.title_error.text().lower()

    editor.title.setText("y" * 201)
    editor.title.textEdited.emit(editor.title.text())
    assert not editor.save_button.isEnabled()
    assert "200" in editor.title_error.text()

    editor.title.setText("A fine title")
    assert not editor.save_button.isEnabled()  # no category chosen yet
    assert "category" in editor.category_error.text().lower()
    editor.category.setCurrentIndex(editor.category.findData(Category.PLOT_ARC))
    assert editor.save_button.isEnabled()
    qtbot.keyClicks(editor.tags.entry, "bad<tag")
    assert not editor.save_button.isEnabled()
    assert "<" in editor.tags_error.text()
    qtbot.keyClick(editor.tags.entry, Qt.Key.Key_Return)
    assert editor.tags.tags() == []

    editor.tags.entry.clear()
    editor.body.setPlainText("b" * 20_001)
    assert not editor.save_button.isEnabled()
    assert "20,000" in editor.body_error.text()

    editor.save()  # even called directly, nothing is saved while invalid
    assert editor.isVisible()
    assert db_snapshot(journal) == before


def test_search_and_filters_update_the_board(qtbot, store, journal):
    _, b, _ = _seed(store, journal)
    wait(store.resolve(b.id, TheoryStatus.BUSTED, "no wedding"))
    tab = _board(qtbot, store)
    assert tab.model.rowCount() == 3

    qtbot.keyClicks(tab.search, "swan")
    assert _titles(tab) == ["Mishi sabotages the gala"]
    assert tab.count_label.text() == "1 theory"
    tab.search.clear()
    qtbot.keyClicks(tab.search, "zzzz")
    settle(store)
    assert tab.model.rowCount() == 0
    assert tab.empty_label.isVisible()
    assert tab.detail.theory is None
    tab.search.clear()
    settle(store)
    assert tab.model.rowCount() == 3

    tab.filters.status_boxes[TheoryStatus.BUSTED].click()
    assert _titles(tab) == ["Jack and Cheyenne marry"]
    tab.filters.status_boxes[TheoryStatus.BUSTED].click()

    tab.filters.category_boxes[Category.PLOT_ARC].click()
    assert _titles(tab) == ["A time jump of a year"]
    tab.filters.clear()

    tab.filters.show_only_character(_ids(journal, "Mishi"))
    assert _titles(tab) == ["Mishi sabotages the gala"]
    tab.filters.clear()

    for i in range(tab.filters.tags.count()):
        item = tab.filters.tags.item(i)
        if item.text().startswith("romance/"):
            item.setCheckState(Qt.CheckState.Checked)
    assert _titles(tab) == ["Jack and Cheyenne marry"]
    tab.filters.clear()

    tab.filters.confidence_min.setValue(50)
    assert sorted(_titles(tab)) == ["A time jump of a year", "Mishi sabotages the gala"]
    tab.filters.confidence_max.setValue(60)
    assert _titles(tab) == ["A time jump of a year"]


def test_sorting_by_a_column_header(qtbot, store, journal):
    _seed(store, journal)
    tab = _board(qtbot, store)
    tab.table.sortByColumn(bm.COL_CONFIDENCE, Qt.SortOrder.AscendingOrder)
    assert _titles(tab) == ["Jack and Cheyenne marry", "A time jump of a year", "Mishi sabotages the gala"]
    tab.table.sortByColumn(bm.COL_TITLE, Qt.SortOrder.DescendingOrder)
    assert _titles(tab) == ["Mishi sabotages the gala", "Jack and Cheyenne marry", "A time jump of a year"]


def test_resolve_and_reopen(qtbot, store, journal):
    a, _, _ = _seed(store, journal)
    tab = _board(qtbot, store)
    _select(tab, a.id)
    assert tab.detail.resolve_button.isVisible()
    qtbot.mouseClick(tab.detail.resolve_button, Qt.MouseButton.LeftButton)
    dialog = board_dialog(tab)
    assert dialog.ok_button.isEnabled()  # the first outcome is chosen to start with
    dialog.choices[TheoryStatus.CONFIRMED].click()
    qtbot.keyClicks(dialog.note, "Episode 3 of the revival")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closed(dialog))
    settle(store)

    resolved = journal.theories.get(a.id)
    assert resolved.status is TheoryStatus.CONFIRMED
    assert resolved.resolution_note == "Episode 3 of the revival"
    assert resolved.resolved_on == store.today()
    assert tab.detail.badge.text() == "CONFIRMED"
    row = tab.model.row_of(a.id)
    assert tab.model.data(tab.model.index(row, bm.COL_STATUS)) == "Confirmed"
    assert tab.detail.reopen_button.isVisible()

    qtbot.mouseClick(tab.detail.reopen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.reopen_box is not None)
    box = tab.reopen_box  # it asks first, saying what the resolution was and that it is kept
    assert box.text() == f"Reopen “{a.title}”?"
    assert "Confirmed on" in box.informativeText() and "“Episode 3 of the revival”" in box.informativeText()
    assert journal.theories.get(a.id).status is TheoryStatus.CONFIRMED
    (reopen,) = [b for b in box.buttons() if b.text() == "Reopen"]
    assert box.defaultButton() is reopen
    qtbot.mouseClick(reopen, Qt.MouseButton.LeftButton)
    settle(store)
    assert journal.theories.get(a.id).status is TheoryStatus.OPEN
    assert tab.detail.badge.text() == "OPEN"
    # The earlier resolution stays visible in the detail pane.
    assert tab.detail.earlier_heading.isVisible()
    (shown,) = [tab.detail.earlier.itemAt(i).widget().text() for i in range(tab.detail.earlier.count())]
    assert shown.startswith("Confirmed on ") and "Episode 3 of the revival" in shown and "reopened" in shown

    # Reopening is undoable: the resolution comes back with its note and date.
    undo(store)
    again = journal.theories.get(a.id)
    assert again.status is TheoryStatus.CONFIRMED and again.resolution_note == "Episode 3 of the revival"


def test_delete_and_undo(qtbot, store, journal):
    a, _, _ = _seed(store, journal)
    tab = _board(qtbot, store)
    _select(tab, a.id)
    row = tab.table.currentIndex().row()
    qtbot.mouseClick(tab.detail.delete_button, Qt.MouseButton.LeftButton)
    assert "Mishi sabotages the gala" not in _titles(tab)
    # The neighbour takes the deleted theory's place in the selection and the detail pane.
    assert tab.table.currentIndex().row() == min(row, tab.model.rowCount() - 1)
    assert tab.detail.title.text() == _titles(tab)[tab.table.currentIndex().row()]
    assert journal.theories.get(a.id).is_deleted
    assert store.undo_stack.undoText() == "Delete “Mishi sabotages the gala”"

    undo(store)
    assert "Mishi sabotages the gala" in _titles(tab)
    restored = journal.theories.get(a.id)
    assert not restored.is_deleted and restored.tags == ("villain/mishi",)

    redo(store)
    assert "Mishi sabotages the gala" not in _titles(tab)


def test_confidence_history_is_shown_in_the_detail(qtbot, store, journal, clock):
    a, _, _ = _seed(store, journal)
    clock.advance(days=2)
    set_confidence(store, a.id, 85, "the trailer")
    tab = _board(qtbot, store)
    _select(tab, a.id)
    lines = [tab.detail.history.itemAt(i).widget().text() for i in range(tab.detail.history.count())]
    assert len(lines) == 2
    assert lines[0].endswith("85 % — the trailer") and lines[1].endswith("70 %")


def test_user_text_is_plain_text(qtbot, store, journal):
    t = wait(store.create_theory(TheoryDraft("<b>bold</b> <img src=x>", "<i>body</i>", confidence=40)))
    tab = _board(qtbot, store)
    _select(tab, t.id)
    assert tab.detail.title.textFormat() == Qt.TextFormat.PlainText
    assert tab.detail.title.text() == "<b>bold</b> <img src=x>"
    assert tab.detail.body.textFormat() == Qt.TextFormat.PlainText
    assert tab.detail.body.text() == "<i>body</i>"
    assert _titles(tab) == ["<b>bold</b> <img src=x>"]


def test_character_link_from_the_cast_tab_filters_the_board(qtbot, store, journal):
    _seed(store, journal)
    tab = _board(qtbot, store)
    qtbot.keyClicks(tab.search, "jump")
    store.showCharacterOnBoard.emit(_ids(journal, "Jack"))
    assert tab.search.text() == ""
    assert _titles(tab) == ["Jack and Cheyenne marry"]


def test_show_theory_clears_filters_that_hide_it(qtbot, store, journal):
    a, _, _ = _seed(store, journal)
    tab = _board(qtbot, store)
    qtbot.keyClicks(tab.search, "jump")
    store.showTheory.emit(a.id)
    settle(store)
    assert tab.current_id() == a.id
    assert tab.detail.title.text() == a.title


def test_editing_keeps_history_and_asks_why(qtbot, store, journal):
    a, _, _ = _seed(store, journal)
    tab = _board(qtbot, store)
    tab.edit_theory(a.id)
    editor = board_dialog(tab)
    assert not editor.confidence_note.isVisible()
    editor.confidence.setValue(90)
    assert editor.confidence_note.isVisible()
    qtbot.keyClicks(editor.confidence_note, "new interview")
    editor.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    settle(store)
    saved = journal.theories.get(a.id)
    assert [(p.confidence, p.note) for p in saved.history] == [(70, ""), (90, "new interview")]


def test_a_search_keystroke_never_numbers_every_match(qtbot, store, journal, monkeypatch):
    """Typing narrows the board with one page and a count: keeping the selection must not
    cost a pass over every matching theory (BoardService.position) on each keystroke, and a
    keystroke's query reads its first page only (at most once: a stale one may be stopped
    before it reads)."""
    for i in range(bm.PAGE_SIZE + 20):
        store.theories.create(TheoryDraft(f"Mishi plan {i:03d}" if i % 2 else f"Jack plan {i:03d}"))
    tab = _board(qtbot, store)
    tab.table.selectRow(0)
    settle(store)
    kept = tab.current_id()
    calls, pages = [], []
    real_position, real_page = store.board.position, store.board.page
    monkeypatch.setattr(store.board, "position", lambda *a: calls.append(a) or real_position(*a))

    def page(query, offset=0, limit=200):
        pages.append((query.text, offset))
        return real_page(query, offset, limit)

    monkeypatch.setattr(store.board, "page", page)
    for char in "plan":
        qtbot.keyClick(tab.search, char)
    settle(store)
    assert tab.current_id() == kept  # still matches, still selected
    qtbot.keyClick(tab.search, "x")  # "planx": nothing matches
    settle(store)
    assert tab.model.rowCount() == 0
    tab.search.clear()
    qtbot.keyClicks(tab.search, "jack")
    assert _titles(tab)[0].startswith("Jack plan")
    assert tab.current_id() == tab.model.theory_id(0)
    assert calls == []
    assert pages and all(offset == 0 for _text, offset in pages)  # the first page, never another
    texts = [text for text, _offset in pages]
    assert len(texts) == len(set(texts))  # one read per keystroke's query at most
    assert set(texts) <= {"p", "pl", "pla", "plan", "planx", "", "j", "ja", "jac", "jack"}
    assert texts[-1] == "jack"

    # A theory selected beyond the first page is not looked for in the rest of the matches.
    tab.search.clear()
    settle(store)
    last = tab.model.rowCount() - 1
    assert last >= bm.PAGE_SIZE
    tab.table.selectRow(last)
    settle(store)
    assert tab.current_id() is not None
    qtbot.keyClick(tab.search, "p")
    settle(store)
    assert tab.model.rowCount() == bm.PAGE_SIZE + 20
    assert calls == []


def test_rows_come_before_the_filter_lists(qtbot, store, journal, monkeypatch):
    _seed(store, journal)
    read = []
    for service, name in ((store.board, "tags"), (store.cast, "characters")):
        real = getattr(service, name)
        monkeypatch.setattr(service, name, lambda *a, real=real, name=name: read.append(name) or real(*a))
    tab = BoardTab(store)
    qtbot.addWidget(tab)
    assert tab.model.query_pending()  # the rows are asked for at once, not when the tab shows
    with qtbot.waitSignal(tab.model.queryApplied):
        pass
    settle(store)
    assert tab.model.rowCount() == 3
    assert read == []  # the rows came first: the lists (a count per tag) wait for the first paint
    assert tab.filters.characters.count() == 0
    tab.resize(1280, 800)
    tab.show()
    qtbot.waitUntil(lambda: tab.filters.characters.count() == len(journal.cast.characters()))
    settle(store)
    assert tab.filters.tags.count() == len(journal.board.tags())


def test_showing_a_character_fills_the_lists_first(qtbot, store, journal):
    _seed(store, journal)
    tab = BoardTab(store)
    qtbot.addWidget(tab)
    tab.show_character(_ids(journal, "Mishi"))  # before the first paint
    assert _titles(tab) == ["Mishi sabotages the gala"]
    assert tab.filters.character_ids() == frozenset({_ids(journal, "Mishi")})


def test_an_edit_that_moves_a_row_keeps_it_selected_and_updates_in_place(qtbot, store, journal, clock):
    """Sorted by when they changed, an edited theory moves to the top: the selection goes with
    it, and the board updates its rows without a reset."""
    a, b, c = _seed(store, journal)
    tab = _board(qtbot, store)
    tab.table.sortByColumn(bm.COL_UPDATED, Qt.SortOrder.DescendingOrder)
    settle(store)
    last = _titles(tab)[-1]
    (moved,) = [t for t in (a, b, c) if t.title == last]
    _select(tab, moved.id)
    resets: list[int] = []
    tab.model.modelReset.connect(lambda: resets.append(1))
    clock.advance(minutes=5)
    set_confidence(store, moved.id, 88)
    settle(store)
    assert _titles(tab)[0] == last
    assert tab.current_id() == moved.id and tab.selected_ids() == [moved.id]
    assert tab.detail.theory is not None and tab.detail.theory.confidence == 88
    assert resets == []


def test_model_tester_over_updates_in_place(qtbot, qtmodeltester, store, journal, clock):
    """Rows removed, inserted and changed by the in-place update keep the model consistent."""
    made = [
        wait(store.create_theory(TheoryDraft(f"Theory {i:03d}", confidence=50)))
        for i in range(bm.PAGE_SIZE + 20)
    ]
    model = bm.TheoryTableModel(store.board, store.ops)
    changes: list = []
    store.changed.connect(changes.append)
    with qtbot.waitSignal(model.countKnown):
        model.set_query(TheoryQuery(sort=bm.SortKey.TITLE, descending=False))
    settle(store)
    qtmodeltester.check(model)  # and every signal from here on
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))

    def apply() -> None:
        with qtbot.waitSignal(model.rowsUpdated):
            model.update(changes[-1])
        settle(store)

    wait(store.delete_theory(made[3].id))
    apply()
    assert model.rowCount() == bm.PAGE_SIZE + 19
    assert model.data(model.index(3, bm.COL_TITLE)) == "Theory 004"

    wait(store.create_theory(TheoryDraft("Theory 000a", confidence=50)))
    apply()
    assert model.rowCount() == bm.PAGE_SIZE + 20
    assert model.data(model.index(1, bm.COL_TITLE)) == "Theory 000a"

    clock.advance(minutes=1)
    set_confidence(store, made[0].id, 91)
    apply()
    assert model.data(model.index(0, bm.COL_CONFIDENCE)) == "91 %"

    undo(store)  # the confidence
    apply()
    undo(store)  # the new theory
    apply()
    undo(store)  # the delete
    apply()
    assert model.rowCount() == bm.PAGE_SIZE + 20
    assert [model.data(model.index(r, bm.COL_TITLE)) for r in range(5)] == [
        f"Theory {i:03d}" for i in range(5)
    ]
    assert resets == []


def test_the_last_theory_deleted_in_place_says_there_are_none(qtbot, store, journal):
    (only,) = [wait(store.create_theory(TheoryDraft("The only theory", confidence=50)))]
    tab = _board(qtbot, store)
    tab.table.selectionModel().clear()  # nothing selected, no current row
    settle(store)
    wait(store.delete_theory(only.id))
    settle(store)
    assert tab.model.rowCount() == 0
    assert tab.empty_label.isVisible()
    assert tab.empty_label.text().startswith("No theories yet")


def test_the_board_marks_conditions_and_shows_multiple_choice_and_what_happened(qtbot, store, journal):
    from etoile_app.domain.models import OptionDraft

    revived = wait(store.create_theory(TheoryDraft("Étoile is revived by 2028", confidence=20)))
    met = wait(store.create_theory(TheoryDraft("Cheyenne runs the Met", condition_id=revived.id)))
    who = wait(
        store.create_theory(
            TheoryDraft(
                "Who ends up with Cheyenne?", options=(OptionDraft("Jack", 35), OptionDraft("Gael", 65))
            )
        )
    )
    tab = _board(qtbot, store)
    model = tab.model

    def cell(theory_id, column, role=Qt.ItemDataRole.DisplayRole):
        return model.index(model.row_of(theory_id), column).data(role)

    assert cell(met.id, bm.COL_TITLE) == f"{bm.CONDITIONAL_MARK}Cheyenne runs the Met"
    assert "If: Étoile is revived by 2028" in cell(met.id, bm.COL_TITLE, Qt.ItemDataRole.ToolTipRole)
    assert cell(revived.id, bm.COL_TITLE) == "Étoile is revived by 2028"
    assert cell(who.id, bm.COL_CONFIDENCE) == "65 % Gael"
    wait(store.resolve(who.id, TheoryStatus.CONFIRMED, option="Jack"))
    settle(store)
    assert cell(who.id, bm.COL_STATUS) == "Confirmed: Jack"

"""Multiple-choice theories in the editor: options typed from the keyboard, what is left to give,
spreading it, every rule said at the field with Save disabled, option history kept on edit, and
a question before a change of kind drops forecasts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.models import OptionDraft, TheoryDraft
from etoile_app.ui.board.editor import EditorData, TheoryEditor
from etoile_app.ui.board.options_edit import remainder_text, spread

from .conftest import closed, wait

CTRL = Qt.KeyboardModifier.ControlModifier
JACK_GAEL_NOBODY = (OptionDraft("Jack", 40), OptionDraft("Gael", 35), OptionDraft("Nobody", 25))


@pytest.fixture
def open_editor(qtbot, store):
    """Open an editor as the board does (window-modal), for a new theory or an existing one."""

    def make(theory_id: int | None = None) -> TheoryEditor:
        editor = TheoryEditor(store, EditorData.read(store.journal, theory_id))
        qtbot.addWidget(editor)
        editor.saved.connect(saved.append)
        editor.open()
        qtbot.waitExposed(editor)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and editor.isActiveWindow())
        return editor

    saved: list = []
    make.saved = saved  # type: ignore[attr-defined]
    return make


def _focus() -> object:
    return QApplication.focusWidget()


def _press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def _type(qtbot, text: str) -> None:
    qtbot.keyClicks(QApplication.focusWidget(), text)


def _multiple_choice(qtbot, editor: TheoryEditor) -> None:
    """Choose Multiple choice from the keyboard: Alt+Q to the kind, the arrow to the other."""
    _press(qtbot, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    assert _focus() is editor.kind_yes_no
    _press(qtbot, Qt.Key.Key_Right)
    assert editor.kind_multiple.isChecked()


def _fill(editor: TheoryEditor, *options: tuple[str, int]) -> None:
    """Give the options these names and percents (adding or removing rows to fit)."""
    edit = editor.options
    while edit.rows() < len(options):
        edit.add_row()
    while edit.rows() > len(options):
        edit.remove_row(edit.rows() - 1)
    for i, (name, percent) in enumerate(options):
        edit.name_edit(i).setText(name)
        edit.percent_edit(i).setValue(percent)


def _new_romance(qtbot, open_editor, title: str = "Who does Cheyenne end up with?") -> TheoryEditor:
    editor = open_editor()
    _type(qtbot, title)
    editor.category.setCurrentIndex(editor.category.findData(Category.ROMANCE))
    return editor


def _boxes(editor: TheoryEditor) -> list[QMessageBox]:
    return [b for b in editor.findChildren(QMessageBox) if b.isVisible()]


def _click(qtbot, box: QMessageBox, text: str) -> None:
    (button,) = [b for b in box.buttons() if b.text() == text]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# --- writing one from the keyboard ------------------------------------------------------------


def test_a_multiple_choice_theory_is_written_from_the_keyboard_alone(
    qtbot, open_editor, journal, db_snapshot
):
    before = db_snapshot(journal)
    editor = _new_romance(qtbot, open_editor)
    assert editor.confidence.isVisible() and not editor.options.isVisible()
    _multiple_choice(qtbot, editor)
    assert editor.options.isVisible() and not editor.confidence.isVisible()
    assert editor.options.rows() == 2

    _press(qtbot, Qt.Key.Key_Tab)
    assert _focus() is editor.options.name_edit(0)
    _type(qtbot, "Jack")
    _press(qtbot, Qt.Key.Key_Tab)
    assert _focus() is editor.options.percent_edit(0)
    _type(qtbot, "40")
    _press(qtbot, Qt.Key.Key_Return)  # on to the next name; never Save
    assert _focus() is editor.options.name_edit(1)
    assert editor.isVisible() and db_snapshot(journal) == before
    _type(qtbot, "Gael")
    _press(qtbot, Qt.Key.Key_Tab)
    _type(qtbot, "35")
    assert editor.options.remainder.text() == "Left to give: 25 %"
    _press(qtbot, Qt.Key.Key_Backtab)
    assert _focus() is editor.options.name_edit(1)
    _press(qtbot, Qt.Key.Key_Return)  # Enter in the last name adds a row, with what is left
    assert editor.options.rows() == 3 and _focus() is editor.options.name_edit(2)
    assert editor.options.percent_edit(2).value() == 25
    assert editor.isVisible() and db_snapshot(journal) == before
    _type(qtbot, "Nobody")
    assert editor.options.remainder.text() == "All 100 % given"
    assert not editor.options.error.isVisible() and editor.save_button.isEnabled()

    _press(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: closed(editor))
    saved = journal.theories.get(open_editor.saved[-1].id)
    assert saved.is_multiple_choice
    assert [(o.name, o.confidence) for o in saved.options] == [("Jack", 40), ("Gael", 35), ("Nobody", 25)]
    assert sorted((h.option, h.confidence) for h in saved.history) == [
        ("Gael", 35),
        ("Jack", 40),
        ("Nobody", 25),
    ]


def test_enter_in_an_empty_last_name_adds_nothing_and_saves_nothing(qtbot, open_editor, journal, db_snapshot):
    before = db_snapshot(journal)
    editor = _new_romance(qtbot, open_editor)
    _multiple_choice(qtbot, editor)
    editor.options.name_edit(1).setFocus()
    qtbot.waitUntil(editor.options.name_edit(1).hasFocus)
    _press(qtbot, Qt.Key.Key_Return)
    _press(qtbot, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert editor.options.rows() == 2 and editor.isVisible()
    assert db_snapshot(journal) == before


def test_enter_in_the_options_never_saves_a_ready_theory(qtbot, open_editor, journal, db_snapshot):
    before = db_snapshot(journal)
    editor = _new_romance(qtbot, open_editor)
    _multiple_choice(qtbot, editor)
    _fill(editor, ("Jack", 60), ("Gael", 40))
    assert editor.save_button.isEnabled()
    for field in (
        editor.options.name_edit(0),
        editor.options.percent_edit(0),
        editor.options.percent_edit(1),
    ):
        field.setFocus()
        qtbot.waitUntil(field.hasFocus)
        _press(qtbot, Qt.Key.Key_Return)
        qtbot.wait(20)
        assert editor.isVisible() and db_snapshot(journal) == before
    assert editor.options.rows() == 3  # Enter in the last row added one
    assert _focus() is editor.options.name_edit(2)


def test_delete_in_an_empty_name_removes_its_row_and_the_button_does_too(qtbot, open_editor):
    editor = _new_romance(qtbot, open_editor)
    _multiple_choice(qtbot, editor)
    _fill(editor, ("Jack", 40), ("", 30), ("Nobody", 30))
    editor.options.name_edit(1).setFocus()
    qtbot.waitUntil(editor.options.name_edit(1).hasFocus)
    _press(qtbot, Qt.Key.Key_Delete)
    assert [o.name for o in editor.options.options()] == ["Jack", "Nobody"]
    assert _focus() is editor.options.name_edit(1)
    assert editor.options.name_edit(1).selectedText() == ""  # a second Delete must not wipe it
    _press(qtbot, Qt.Key.Key_Delete)  # a named option stays: Delete edits its name
    assert [o.name for o in editor.options.options()] == ["Jack", "Nobody"]
    qtbot.mouseClick(editor.options.remove_button(0), Qt.MouseButton.LeftButton)
    assert [o.name for o in editor.options.options()] == ["Nobody"]
    assert not editor.options.remove_button(0).isEnabled()  # one row always stays, to type in


def test_the_option_rows_are_named_for_a_screen_reader(qtbot, open_editor):
    editor = _new_romance(qtbot, open_editor)
    _multiple_choice(qtbot, editor)
    assert editor.options.name_edit(1).accessibleName() == "Option 2"
    assert editor.options.percent_edit(1).accessibleName() == "Option 2: percent"
    assert editor.options.remove_button(1).accessibleName() == "Remove option 2"


# --- what is left, and spreading it -------------------------------------------------------------


def test_what_is_left_is_shown_as_it_changes_and_spread_shares_it(qtbot, open_editor):
    editor = _new_romance(qtbot, open_editor)
    _multiple_choice(qtbot, editor)
    _fill(editor, ("Jack", 20), ("Gael", 20), ("Nobody", 20))
    assert editor.options.remainder.text() == "Left to give: 40 %"
    assert not editor.save_button.isEnabled()
    qtbot.mouseClick(editor.options.spread_button, Qt.MouseButton.LeftButton)
    assert [o.confidence for o in editor.options.options()] == [34, 33, 33]
    assert editor.options.remainder.text() == "All 100 % given"
    assert not editor.options.spread_button.isEnabled()  # nothing left to spread
    assert editor.save_button.isEnabled()

    editor.options.percent_edit(0).setValue(90)
    assert editor.options.remainder.text() == "Over by 56 %"
    editor.options.spread_button.setFocus()
    qtbot.keyClick(editor.options.spread_button, Qt.Key.Key_Space)
    values = [o.confidence for o in editor.options.options()]
    assert sum(values) == 100 and all(1 <= v <= 98 for v in values)
    assert values == [71, 14, 15]  # 56 over: 19 from the first two, 18 from the last
    assert editor.isVisible()


def test_the_remainder_reads_as_a_person_would_say_it():
    assert remainder_text(15) == "Left to give: 15 %"
    assert remainder_text(-5) == "Over by 5 %"
    assert remainder_text(0) == "All 100 % given"


@given(st.lists(st.integers(1, 98), min_size=2, max_size=12))
def test_spreading_always_makes_100_in_whole_percents_each_1_to_98(values):
    shared = spread(values)
    assert sum(shared) == 100
    assert all(1 <= v <= 98 for v in shared)
    left = 100 - sum(values)
    # Evenly: every option moves the same way, and by as much as the others give or take one,
    # except where an option met its bound.
    moved = [s - v for s, v in zip(shared, values, strict=True)]
    assert all(m * left >= 0 for m in moved)
    free = [m for m, s in zip(moved, shared, strict=True) if s not in (1, 98)]
    if free:
        assert max(free) - min(free) <= 1


def test_spreading_cannot_make_100_from_one_option():
    with pytest.raises(ValueError, match="cannot make 100"):
        spread([50])


# --- every rule, at the field, with Save disabled and nothing written --------------------------


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ((("Jack", 50), ("Gael", 40)), "The options add up to 90 %; together they must make 100 %"),
        ((("Jack", 60), ("Gael", 50)), "The options add up to 110 %"),
        ((("Jack", 50), ("jack", 50)), "Two options are called “Jack”"),
        ((("Jack", 98),), "from 2 to 12 options (this one has 1)"),
        (tuple((f"Option {i}", 1 if i else 88) for i in range(13)), "from 2 to 12 options (this one has 13)"),
        ((("Jack", 50), ("", 50)), "Give every option a name (option 2 has none)"),
        ((("J" * 61, 50), ("Gael", 50)), "61 characters long; the limit is 60"),
    ],
    ids=["short", "over", "duplicate", "one", "thirteen", "unnamed", "long-name"],
)
def test_a_broken_rule_is_said_at_the_options_and_nothing_is_saved(
    qtbot, open_editor, journal, db_snapshot, options, said
):
    before = db_snapshot(journal)
    editor = _new_romance(qtbot, open_editor)
    _multiple_choice(qtbot, editor)
    _fill(editor, *options)
    editor.options.name_edit(0).setFocus()
    qtbot.keyClicks(editor.options.name_edit(0), " ")  # typed by a person: the field is touched
    qtbot.keyClick(editor.options.name_edit(0), Qt.Key.Key_Backspace)
    assert editor.options.error.isVisible()
    assert said in editor.options.error.text()
    assert not editor.save_button.isEnabled()
    _press(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.wait(50)
    assert editor.isVisible() and not _boxes(editor)
    assert db_snapshot(journal) == before

    # Put right, the message goes and Save works.
    _fill(editor, ("Jack", 50), ("Gael", 50))
    assert not editor.options.error.isVisible() and editor.save_button.isEnabled()


def test_empty_names_are_not_nagged_about_before_anything_is_typed(qtbot, store, open_editor):
    editor = open_editor()
    editor.kind_multiple.setChecked(True)
    assert not editor.options.error.isVisible()  # nothing typed yet: the rows are to be filled
    assert not editor.save_button.isEnabled()
    _type(qtbot, "A title")  # with a title, a disabled Save says why
    assert editor.options.error.text() == "Give every option a name."


# --- editing keeps the options' history --------------------------------------------------------


def test_editing_the_percents_keeps_each_options_history_and_asks_why(qtbot, store, open_editor):
    theory = wait(
        store.create_theory(
            TheoryDraft("Who does Cheyenne end up with?", category=Category.ROMANCE, options=JACK_GAEL_NOBODY)
        )
    )
    editor = open_editor(theory.id)
    assert editor.kind_multiple.isChecked() and editor.options.isVisible()
    assert editor.options.options() == JACK_GAEL_NOBODY
    assert not editor.confidence_note.isVisible()

    spin = editor.options.percent_edit(0)
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    for _ in range(10):
        _press(qtbot, Qt.Key.Key_Up)
    assert editor.confidence_note.isVisible()  # a percent changed: why?
    last = editor.options.percent_edit(2)
    last.setFocus()
    qtbot.waitUntil(last.hasFocus)
    for _ in range(10):
        _press(qtbot, Qt.Key.Key_Down)
    assert editor.options.remainder.text() == "All 100 % given"
    editor.confidence_note.setFocus()
    _type(qtbot, "Episode 8 changed my mind")
    _press(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: closed(editor))

    saved = store.theories.get(theory.id)
    assert [(o.name, o.confidence) for o in saved.options] == [("Jack", 50), ("Gael", 35), ("Nobody", 15)]
    by_option = {
        name: [(h.confidence, h.note) for h in saved.history if h.option == name]
        for name in ("Jack", "Gael", "Nobody")
    }
    assert by_option == {
        "Jack": [(40, ""), (50, "Episode 8 changed my mind")],
        "Gael": [(35, "")],
        "Nobody": [(25, ""), (15, "Episode 8 changed my mind")],
    }


def test_a_resolved_multiple_choice_theorys_options_wait_for_it_to_be_reopened(qtbot, store, open_editor):
    theory = wait(
        store.create_theory(TheoryDraft("Who?", category=Category.ROMANCE, options=JACK_GAEL_NOBODY))
    )
    wait(store.resolve(theory.id, TheoryStatus.CONFIRMED, option="Gael"))
    editor = open_editor(theory.id)
    assert not editor.options.isEnabled()
    assert not editor.kind_yes_no.isEnabled() and not editor.kind_multiple.isEnabled()


# --- switching kinds asks first -----------------------------------------------------------------


def test_the_kind_chosen_right_after_alt_q_stays_chosen(qtbot, open_editor):
    """A label's mnemonic clicks a button buddy a moment later; here it only moves the focus."""
    editor = _new_romance(qtbot, open_editor)
    _multiple_choice(qtbot, editor)  # Alt+Q, then at once the arrow
    qtbot.wait(300)
    assert editor.kind_multiple.isChecked() and editor.options.isVisible()


def test_a_new_theory_switches_kinds_without_asking(qtbot, open_editor):
    editor = _new_romance(qtbot, open_editor)
    _multiple_choice(qtbot, editor)
    editor.title.setFocus()
    qtbot.waitUntil(editor.title.hasFocus)
    _press(qtbot, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    assert _focus() is editor.kind_multiple  # Alt+Q goes to the kind chosen
    _press(qtbot, Qt.Key.Key_Left)
    assert editor.kind_yes_no.isChecked() and editor.confidence.isVisible()
    assert not _boxes(editor)


def test_making_a_yes_no_theory_multiple_choice_asks_first(qtbot, store, open_editor):
    theory = wait(
        store.create_theory(TheoryDraft("Cheyenne returns", category=Category.PLOT_ARC, confidence=60))
    )
    editor = open_editor(theory.id)
    _multiple_choice_asked(qtbot, editor)
    (box,) = _boxes(editor)
    assert box.text().startswith("Make “Cheyenne returns” multiple choice?")
    assert "confidence history (1 forecast) will be dropped" in box.text()
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert editor.kind_yes_no.isChecked()  # nothing changes before the answer
    _click(qtbot, box, "Keep it yes or no")
    qtbot.waitUntil(lambda: not _boxes(editor))
    assert editor.kind_yes_no.isChecked() and not editor.options.isVisible()
    assert not editor.is_changed()

    _multiple_choice_asked(qtbot, editor)
    _click(qtbot, _boxes(editor)[0], "Make it multiple choice")
    qtbot.waitUntil(lambda: not _boxes(editor))
    assert editor.kind_multiple.isChecked() and editor.options.isVisible()
    assert editor.confidence_note.isVisible()
    _fill(editor, ("In 2027", 30), ("Later", 50), ("Never", 20))
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closed(editor))
    saved = store.theories.get(theory.id)
    assert [o.name for o in saved.options] == ["In 2027", "Later", "Never"]
    assert all(h.option is not None for h in saved.history)


def _multiple_choice_asked(qtbot, editor: TheoryEditor) -> None:
    editor.kind_yes_no.setFocus()
    qtbot.waitUntil(editor.kind_yes_no.hasFocus)
    _press(qtbot, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: len(_boxes(editor)) == 1)


def test_making_a_multiple_choice_theory_yes_no_says_the_options_history_goes(qtbot, store, open_editor):
    theory = wait(
        store.create_theory(TheoryDraft("Who?", category=Category.ROMANCE, options=JACK_GAEL_NOBODY))
    )
    editor = open_editor(theory.id)
    editor.kind_multiple.setFocus()
    qtbot.waitUntil(editor.kind_multiple.hasFocus)
    _press(qtbot, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: len(_boxes(editor)) == 1)
    (box,) = _boxes(editor)
    assert box.text().startswith("Make “Who?” a yes-or-no question?")
    assert "Its options (“Jack”, “Gael”, “Nobody”) and their history (3 forecasts)" in box.text()
    assert box.defaultButton().text() == "Keep the options"
    assert editor.kind_multiple.isChecked()
    _click(qtbot, box, "Make it yes or no")
    qtbot.waitUntil(lambda: not _boxes(editor))
    assert editor.kind_yes_no.isChecked() and editor.confidence.isVisible()
    editor.confidence.setValue(70)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closed(editor))
    saved = store.theories.get(theory.id)
    assert not saved.is_multiple_choice and saved.confidence == 70
    assert [(h.option, h.confidence) for h in saved.history] == [(None, 70)]


def test_a_changed_kind_counts_as_a_changed_draft(qtbot, store, open_editor):
    theory = wait(
        store.create_theory(TheoryDraft("Who?", category=Category.ROMANCE, options=JACK_GAEL_NOBODY))
    )
    editor = open_editor(theory.id)
    assert not editor.is_changed()
    editor.options.name_edit(2).setText("No one")
    assert editor.is_changed()


def test_tab_walks_the_names_and_percents_in_order_of_a_loaded_theory(qtbot, store, open_editor):
    theory = wait(
        store.create_theory(TheoryDraft("Who?", category=Category.ROMANCE, options=JACK_GAEL_NOBODY))
    )
    editor = open_editor(theory.id)
    editor.options.add_row()  # one more, made after the editor opened
    editor.kind_multiple.setFocus()
    qtbot.waitUntil(editor.kind_multiple.hasFocus)
    seen = []
    for _ in range(11):
        _press(qtbot, Qt.Key.Key_Tab)
        seen.append(_focus())
    o = editor.options
    expected = [w for i in range(4) for w in (o.name_edit(i), o.percent_edit(i))]
    # A new option is a new forecast: why, then?
    expected += [o.add_button, o.spread_button, editor.confidence_note]
    assert seen == expected, [w.accessibleName() or w.text() for w in seen]

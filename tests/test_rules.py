"""The input rules: what a person may type, and how it is tidied before it is stored."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from etoile_app.domain import rules
from etoile_app.domain.errors import (
    BodyError,
    ConfidenceError,
    RatingError,
    TagError,
    TextFieldError,
    TitleError,
)

# --- titles --------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["", " ", "   \t ", "\n\n", "\u00a0\u2003"])
def test_title_that_is_empty_or_blank_is_rejected(title: str) -> None:
    with pytest.raises(TitleError, match="title"):
        rules.clean_title(title)


def test_title_of_200_characters_is_accepted() -> None:
    assert rules.clean_title("x" * 200) == "x" * 200


def test_title_of_201_characters_is_rejected() -> None:
    with pytest.raises(TitleError, match="201"):
        rules.clean_title("x" * 201)


def test_title_length_is_counted_after_trimming() -> None:
    assert rules.clean_title("  " + "x" * 200 + "\n") == "x" * 200


def test_title_line_breaks_and_runs_of_spaces_collapse_to_one_space() -> None:
    assert rules.clean_title("  Jack\n and\r\n\tCheyenne   kiss  ") == "Jack and Cheyenne kiss"


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x9b"])
def test_title_with_a_control_character_is_rejected(control: str) -> None:
    with pytest.raises(TitleError, match="control character"):
        rules.clean_title(f"Mishi{control}wins")


def test_title_is_composed_to_nfc() -> None:
    assert rules.clean_title("Genevie\u0300ve") == "Geneviève"


@pytest.mark.parametrize("value", [None, 5, b"bytes"])
def test_title_that_is_not_text_is_rejected(value: object) -> None:
    with pytest.raises(TitleError):
        rules.clean_title(value)  # type: ignore[arg-type]


@given(st.text(max_size=260))
@example("x" * 201)
@example(" \n ")
def test_any_accepted_title_is_trimmed_and_1_to_200_long(text: str) -> None:
    try:
        title = rules.clean_title(text)
    except TitleError:
        return
    assert 1 <= len(title) <= rules.TITLE_MAX
    assert title == title.strip()
    assert "\n" not in title
    assert "  " not in title


# --- bodies --------------------------------------------------------------------------------


def test_body_of_20000_characters_is_accepted() -> None:
    assert len(rules.clean_body("b" * 20_000)) == 20_000


def test_body_of_20001_characters_is_rejected() -> None:
    with pytest.raises(BodyError, match="20,001"):
        rules.clean_body("b" * 20_001)


def test_body_keeps_line_breaks_and_drops_trailing_space() -> None:
    assert rules.clean_body("  one\r\ntwo\rthree\n\n  ") == "  one\ntwo\nthree"


def test_body_none_is_empty() -> None:
    assert rules.clean_body(None) == ""


def test_body_with_a_control_character_is_rejected() -> None:
    with pytest.raises(BodyError, match="control character"):
        rules.clean_body("fine\x00not fine")


# --- confidence and ratings ----------------------------------------------------------------


@pytest.mark.parametrize("value", [1, 50, 99])
def test_confidence_from_1_to_99_is_accepted(value: int) -> None:
    assert rules.clean_confidence(value) == value


@pytest.mark.parametrize("value", [0, 100, -5, 1000])
def test_confidence_of_certainty_or_out_of_range_is_rejected(value: int) -> None:
    with pytest.raises(ConfidenceError, match=str(value)):
        rules.clean_confidence(value)


@pytest.mark.parametrize("value", [True, False, 50.0, 49.5, "50", None])
def test_confidence_that_is_not_a_whole_number_is_rejected(value: object) -> None:
    with pytest.raises(ConfidenceError, match="whole number"):
        rules.clean_confidence(value)


@pytest.mark.parametrize("value", [None, 1, 3, 5])
def test_rating_of_1_to_5_stars_or_none_is_accepted(value: int | None) -> None:
    assert rules.clean_rating(value) == value


@pytest.mark.parametrize("value", [0, 6, -1, True, 2.0, "3"])
def test_rating_outside_1_to_5_or_not_whole_is_rejected(value: object) -> None:
    with pytest.raises(RatingError):
        rules.clean_rating(value)


# --- tags ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        (" Romance / Jack  Cheyenne ", "romance/jack-cheyenne"),
        ("ROMANCE", "romance"),
        ("RoMaNcE", "romance"),
        ("Geneviève", "geneviève"),
        ("GENEVIÈVE", "geneviève"),
        ("Genevie\u0300ve", "geneviève"),  # decomposed input is composed
        ("é", "é"),
        ("love triangle", "love-triangle"),
        ("villain_arc", "villain_arc"),
        ("season-2", "season-2"),
        ("a\tb", "a-b"),
        ("x" * 40, "x" * 40),
        ("Straße", "strasse"),
    ],
)
def test_tag_is_normalised(raw: str, stored: str) -> None:
    assert rules.normalise_tag(raw) == stored


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("/", "empty"),
        ("a//b", "empty part"),
        ("/a", "empty part"),
        ("a/", "empty part"),
        ("a/ /b", "empty part"),
        ("x" * 41, "41 characters"),
        ("a<b", "'<'"),
        ("#theory", "'#'"),
        ("wow!", "'!'"),
        ("jack😍", "holds"),
        ("a.b", "'.'"),
        ("a\x00b", "code 0x0"),
    ],
)
def test_bad_tag_is_rejected_with_a_reason(raw: str, message: str) -> None:
    with pytest.raises(TagError, match=message):
        rules.normalise_tag(raw)


def test_tag_that_is_not_text_is_rejected() -> None:
    with pytest.raises(TagError):
        rules.normalise_tag(7)  # type: ignore[arg-type]


def test_clean_tags_dedupes_after_normalising_and_keeps_first_order() -> None:
    assert rules.clean_tags(["Romance", "villain", " romance ", "ROMANCE", "Villain"]) == [
        "romance",
        "villain",
    ]


def test_clean_tags_rejects_the_whole_list_for_one_bad_tag() -> None:
    with pytest.raises(TagError):
        rules.clean_tags(["fine", "not fine!"])


# Tags are meant to be typed: letters of a few scripts, digits, spaces and the punctuation allowed.
_TAG_CHARS = st.sampled_from("abcxyzABCXYZéÉèçÇßøØñ0189-_/ ") | st.characters(
    categories=("Lu", "Ll", "Nd"), max_codepoint=0x2FFF
)


@given(st.text(_TAG_CHARS, max_size=50))
def test_normalise_tag_is_idempotent(raw: str) -> None:
    try:
        tag = rules.normalise_tag(raw)
    except TagError:
        return
    assert rules.normalise_tag(tag) == tag


@given(st.text(_TAG_CHARS, max_size=50))
def test_normalised_tag_holds_only_allowed_characters(raw: str) -> None:
    try:
        tag = rules.normalise_tag(raw)
    except TagError:
        return
    assert 1 <= len(tag) <= rules.TAG_MAX
    assert all(ch.isalnum() or ch in "-_/" for ch in tag)
    assert not tag.startswith("/")
    assert not tag.endswith("/")
    assert "//" not in tag


# Case pairs whose upper and lower forms fold the same way (no dotted İ, final sigma, ...).
_CASED = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzàâçéèêëîïôûùüÿæœ0123456789 -_/"), max_size=40)


def _outcome(raw: str) -> str:
    try:
        return rules.normalise_tag(raw)
    except TagError:
        return "<rejected>"


@given(_CASED)
def test_tag_case_does_not_matter(raw: str) -> None:
    assert _outcome(raw.upper()) == _outcome(raw.lower())


@given(st.text(max_size=60))
def test_any_text_is_either_a_tag_or_a_tag_error(raw: str) -> None:
    with contextlib.suppress(TagError):
        rules.normalise_tag(raw)


@given(st.lists(st.text(_TAG_CHARS, max_size=12), max_size=8))
def test_clean_tags_returns_distinct_normalised_tags(raws: list[str]) -> None:
    try:
        tags = rules.clean_tags(raws)
    except TagError:
        return
    assert len(tags) == len(set(tags))
    assert set(tags) == {rules.normalise_tag(r) for r in raws}


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x1c", "\x1f", "\x7f", "\x85", "\x9b"])
def test_control_characters_are_refused_not_turned_into_spaces(control: str) -> None:
    # Python counts U+001C–U+001F and U+0085 as white space; they must still be refused.
    with pytest.raises(TitleError, match="control character"):
        rules.clean_title(f"a{control}b")
    with pytest.raises(TagError, match="control character"):
        rules.normalise_tag(f"a{control}b")
    with pytest.raises(TextFieldError, match="control character"):
        rules.clean_text(f"a{control}b", "The source", field="source")


def test_the_control_character_check_matches_unicode_categories_exactly() -> None:
    """Every code point: refused exactly when Unicode calls it a control or a surrogate."""
    import unicodedata

    from etoile_app.domain.rules import _CONTROLS

    for code in range(0x110000):
        ch = chr(code)
        expected = unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\r\t"
        assert bool(_CONTROLS.fullmatch(ch)) == expected, hex(code)

"""Quick entry: one line read into a theory (examples, then properties over generated lines)."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etoile_app.domain import rules
from etoile_app.domain.enums import Category
from etoile_app.domain.models import CharacterRef, TheoryDraft
from etoile_app.domain.quick_entry import CATEGORY_WORDS, QuickEntry, parse

TODAY = date(2026, 3, 1)
CAST = (
    (1, "Jack", "Jack McMillan"),
    (2, "Geneviève", "Geneviève Lavigne"),
    (3, "Cheyenne", "Cheyenne Toussaint"),
    (4, "L.J."),
    (5, "Jack's uncle"),
    (6, "Julie Roux"),
    (7, "Julie Dupont"),
)
JACK, GENEVIEVE, CHEYENNE, LJ = (CharacterRef(i, n) for i, n, *_ in CAST[:4])


def read(line: str) -> QuickEntry:
    return parse(line, CAST, TODAY)


# --- examples --------------------------------------------------------------------------------


def test_the_example_line_reads_into_every_field():
    entry = read("Cheyenne returns to Paris 70% #plot/paris by 2027-06-01 @Cheyenne")
    assert entry == QuickEntry(
        title="Cheyenne returns to Paris",
        confidence=70,
        tags=("plot/paris",),
        resolve_by=date(2027, 6, 1),
        characters=(CHEYENNE,),
    )
    assert entry.saveable and entry.title_error is None
    assert entry.draft() == TheoryDraft(
        title="Cheyenne returns to Paris",
        category=Category.OTHER,
        character_ids=(3,),
        tags=("plot/paris",),
        confidence=70,
        resolve_by=date(2027, 6, 1),
    )


def test_a_line_without_tokens_is_all_title_at_the_default_confidence():
    entry = read("  Mishi   turns villain ")
    assert entry == QuickEntry(title="Mishi turns villain")
    assert entry.draft().confidence == TheoryDraft("x").confidence == 50
    assert entry.draft().category is Category.OTHER


@pytest.mark.parametrize("token", ["70%", "70 %", "70%.", "70 %,"])
def test_a_confidence_is_a_percentage_with_or_without_a_space(token):
    entry = read(f"Jack stays {token}")
    assert (entry.title, entry.confidence, entry.problems) == ("Jack stays", 70, ())


@pytest.mark.parametrize(("token", "value"), [("1%", 1), ("99%", 99), ("07%", 7)])
def test_confidence_runs_from_1_to_99(token, value):
    assert read(f"A {token}").confidence == value


@pytest.mark.parametrize("token", ["0%", "100%", "150%", "-5%", "70.5%", "1000000000000000000000%", "70 %%"])
def test_a_percentage_that_is_not_a_confidence_stays_in_the_title(token):
    entry = read(f"Ratings fall {token}")
    assert entry.confidence is None
    assert entry.title == f"Ratings fall {token}"
    if token != "70 %%":  # "%%" is no percent sign: the words are plain title words
        assert len(entry.problems) == 1
        assert "is not a confidence" in entry.problems[0]


def test_the_last_confidence_counts_and_an_earlier_one_stays_in_the_title_where_it_was():
    entry = read("Ratings fall 40% in May 70%")
    assert (entry.title, entry.confidence) == ("Ratings fall 40% in May", 70)


def test_several_tags_are_normalised_and_kept_once_in_order():
    entry = read("Jack and Cheyenne #Romance/Jack-Cheyenne #finale #romance/jack-cheyenne #gala,")
    assert entry.tags == ("romance/jack-cheyenne", "finale", "gala")
    assert entry.title == "Jack and Cheyenne"


def test_a_bad_tag_stays_in_the_title_and_says_why():
    entry = read("Gala #bad!tag #a//b")
    assert entry.tags == ()
    assert entry.title == "Gala #bad!tag #a//b"
    assert entry.problems == (
        "The tag 'bad!tag' holds '!', which tags cannot hold.",
        "The tag 'a//b' has an empty part around '/'.",
    )


def test_a_lone_hash_or_at_sign_is_punctuation():
    entry = read("Paris # 1 @ noon")
    assert entry == QuickEntry(title="Paris # 1 @ noon")


@pytest.mark.parametrize(
    ("phrase", "day"),
    [
        ("by 2027-06-01", date(2027, 6, 1)),
        ("by 2027-6-1", date(2027, 6, 1)),
        ("by 2027-06", date(2027, 6, 30)),
        ("by June 2027", date(2027, 6, 30)),
        ("BY june 2027", date(2027, 6, 30)),
        ("by Feb 2028", date(2028, 2, 29)),
        ("by Sept. 2027", date(2027, 9, 30)),
        ("by end of 2027", date(2027, 12, 31)),
        ("by the end of 2027", date(2027, 12, 31)),
        ("by 2027", date(2027, 12, 31)),
        ("by end of June 2027", date(2027, 6, 30)),
        ("by 1 June 2027", date(2027, 6, 1)),
        ("by 1st June 2027", date(2027, 6, 1)),
        ("by 30 Jun 2027", date(2027, 6, 30)),
        ("by June 1, 2027", date(2027, 6, 1)),
        ("by end of year", date(2026, 12, 31)),
        ("by the end of the year", date(2026, 12, 31)),
        ("by 2026-03-01", TODAY),
        ("by 2027.", date(2027, 12, 31)),
    ],
)
def test_resolve_by_dates_in_the_ways_people_write_them(phrase, day):
    entry = read(f"Season two films {phrase}")
    assert (entry.title, entry.resolve_by, entry.problems) == ("Season two films", day, ())


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [
        ("by 2027-02-30", "is not a date:"),
        ("by 2027-13", "is not a date:"),
        ("by June", "is not a date:"),
        ("by Juin 2027", None),  # not an English month: plain words
        ("by 2020", "has passed"),
        ("by 2026-02-28", "has passed"),
        ("by 3000", "out of range"),
    ],
)
def test_a_date_that_cannot_be_taken_stays_in_the_title(phrase, problem):
    entry = read(f"Premiere {phrase}")
    assert entry.resolve_by is None
    assert entry.title == f"Premiere {phrase}"
    if problem is None:
        assert entry.problems == ()
    else:
        assert len(entry.problems) == 1 and problem in entry.problems[0]


def test_a_date_problem_quotes_only_the_words_meant_as_a_date():
    entry = read("Nicholas wakes by June we hope")
    assert entry.problems[0].startswith("“by June” is not a date:")


def test_by_as_a_plain_word_is_left_alone():
    entry = read("Cheyenne returns by boat")
    assert entry == QuickEntry(title="Cheyenne returns by boat")


def test_the_last_date_counts():
    entry = read("Filming by 2027 wraps by 2028")
    assert (entry.title, entry.resolve_by) == ("Filming by 2027 wraps", date(2028, 12, 31))


@pytest.mark.parametrize(
    ("token", "who"),
    [
        ("@Cheyenne", CHEYENNE),
        ("@cheyenne", CHEYENNE),
        ("@CHEYENNE,", CHEYENNE),
        ("@Genevieve", GENEVIEVE),
        ("@geneviève", GENEVIEVE),
        ('@"Geneviève Lavigne"', GENEVIEVE),
        ("@“Jack McMillan”", JACK),
        ("@JackMcMillan", JACK),
        ("@Jack", JACK),  # a whole name wins over the first word of “Jack's uncle”
        ("@LJ", LJ),
        ("@l.j.", LJ),
        ('@"Cheyenne"', CHEYENNE),
    ],
)
def test_characters_by_name_or_first_name_in_any_case_and_without_accents(token, who):
    entry = read(f"Back in Paris {token}")
    assert (entry.title, entry.characters, entry.problems) == ("Back in Paris", (who,), ())


def test_several_characters_each_once():
    entry = read("@Jack kisses @Cheyenne @jack")
    assert entry.characters == (JACK, CHEYENNE)
    assert entry.title == "kisses"


def test_an_unknown_character_stays_in_the_title():
    entry = read("Back in Paris @Nobody")
    assert entry.characters == ()
    assert entry.title == "Back in Paris @Nobody"
    assert entry.problems == ("No character is called “Nobody”.",)


def test_a_first_name_two_characters_share_is_not_guessed():
    entry = read("Julie dances @Julie")
    assert entry.characters == ()
    assert entry.title == "Julie dances @Julie"
    assert entry.problems == ("“@Julie” could be Julie Roux or Julie Dupont; write more of the name.",)
    assert read('Julie dances @"Julie Roux"').characters == (CharacterRef(6, "Julie Roux"),)


def test_without_known_characters_every_mention_is_unknown():
    entry = parse("A @Jack", [], TODAY)
    assert (entry.title, entry.problems) == ("A @Jack", ("No character is called “Jack”.",))


@pytest.mark.parametrize(
    ("token", "category"),
    [
        ("!romance", Category.ROMANCE),
        ("!Villain", Category.VILLAIN_ARC),
        ("!villain-arc", Category.VILLAIN_ARC),
        ("!plot", Category.PLOT_ARC),
        ("!casting", Category.CASTING),
        ("!release", Category.RELEASE_PRODUCTION),
        ("!production", Category.RELEASE_PRODUCTION),
        ("!other", Category.OTHER),
    ],
)
def test_a_category_token(token, category):
    entry = read(f"Mishi schemes {token}")
    assert (entry.title, entry.category) == ("Mishi schemes", category)
    assert entry.draft().category is category


def test_an_unknown_category_and_an_exclamation_stay_in_the_title():
    entry = read("Wow ! !!! !gossip")
    assert entry.title == "Wow ! !!! !gossip"
    assert entry.category is None
    assert entry.problems == (
        "“!gossip” is not a category; write !romance, !villain, !plot, !casting, !release or !other.",
    )


def test_everything_not_understood_is_listed_once_in_order():
    entry = read("Nobody @Nobody 150% by 2027-02-30 #bad!tag !foo @Nobody")
    assert entry.title == "Nobody @Nobody 150% by 2027-02-30 #bad!tag !foo @Nobody"
    assert [p.split()[0] for p in entry.problems] == ["No", "“150%”", "“by", "The", "“!foo”"]


def test_a_line_of_tokens_only_has_no_title_and_cannot_be_saved():
    entry = read("70% #plot/paris by 2027 @Cheyenne")
    assert entry.title == ""
    assert not entry.saveable
    assert entry.title_error == "Give the theory a title."


def test_an_over_long_title_cannot_be_saved():
    entry = read("word " * 50 + "70%")
    assert entry.confidence == 70
    assert not entry.saveable
    assert "keep it to 200" in entry.title_error


def test_a_control_character_is_never_swallowed_as_white_space_or_in_a_token():
    for line in ("Jack\x1fleaves 70%", "Jack leaves @Cheyenne\x00", "Jack \x85 leaves"):
        entry = read(line)
        assert not entry.saveable
        assert "control character" in entry.title_error


# --- properties ------------------------------------------------------------------------------

_MONTH_WORDS = {m.lower() for m in (*calendar.month_name[1:], *calendar.month_abbr[1:], "sept")}
_DATE_WORDS = _MONTH_WORDS | {"by", "end", "of", "the", "this", "year"}

title_words = st.text(
    st.characters(categories=("Lu", "Ll"), max_codepoint=0x24F) | st.sampled_from("'’-"),
    min_size=1,
    max_size=10,
).filter(lambda w: w.casefold() not in _DATE_WORDS)
tags = st.from_regex(r"[a-z0-9é][a-z0-9é_-]{0,10}(/[a-z0-9_-]{1,10})?", fullmatch=True)


@st.composite
def dates_and_phrases(draw) -> tuple[date, str]:
    day = draw(st.dates(min_value=TODAY, max_value=date(2200, 12, 31)))
    month, short = calendar.month_name[day.month], calendar.month_abbr[day.month]
    ways = [
        day.isoformat(),
        f"{day.day} {month} {day.year}",
        f"{day.day} {short} {day.year}",
        f"{month} {day.day}, {day.year}",
    ]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        ways += [f"{month} {day.year}", f"end of {short} {day.year}", f"{day.year}-{day.month:02}"]
        if day.month == 12:
            ways += [str(day.year), f"end of {day.year}", f"the end of {day.year}"]
    phrase = draw(st.sampled_from(ways))
    return day, "by " + draw(st.sampled_from([phrase, phrase.upper(), phrase.lower()]))


def _mentions(ident: int, name: str, full: str = "") -> list[str]:
    ways = [f'@"{name}"', f"@{name.replace(' ', '')}", f"@{name.upper().replace(' ', '')}"]
    if " " not in name:
        ways.append(f"@{name}")
    if full:
        ways += [f'@"{full}"', f"@{full.replace(' ', '')}", f"@“{full}”"]
    return ways


@st.composite
def lines(draw) -> tuple[str, QuickEntry]:
    """A line made of title words and tokens in any order, and what it should read as."""
    words = draw(st.lists(title_words, max_size=8))
    tokens: list[tuple[str, str, object]] = []
    confidence = draw(st.none() | st.integers(1, 99))
    if confidence is not None:
        tokens.append(
            ("confidence", draw(st.sampled_from([f"{confidence}%", f"{confidence} %"])), confidence)
        )
    when = draw(st.none() | dates_and_phrases())
    if when is not None:
        tokens.append(("date", when[1], when[0]))
    for tag in draw(st.lists(tags, max_size=4)):
        shown = draw(st.sampled_from([tag, tag.upper(), tag.capitalize()]))
        tokens.append(("tag", f"#{shown}", tag))
    for entry in draw(st.lists(st.sampled_from(CAST[:5]), max_size=3)):
        tokens.append(("character", draw(st.sampled_from(_mentions(*entry))), CharacterRef(*entry[:2])))
    category = draw(st.none() | st.sampled_from(sorted(CATEGORY_WORDS)))
    if category is not None:
        tokens.append(("category", "!" + draw(st.sampled_from([category, category.title()])), category))
    tokens = draw(st.permutations(tokens))
    # Tokens go anywhere among the title words, which keep their order.
    slots = sorted(draw(st.lists(st.integers(0, len(words)), min_size=len(tokens), max_size=len(tokens))))
    parts: list[str] = []
    taken = 0
    for at in range(len(words) + 1):
        while taken < len(tokens) and slots[taken] == at:
            parts.append(tokens[taken][1])
            taken += 1
        if at < len(words):
            parts.append(words[at])
    expected = QuickEntry(
        title=" ".join(words),
        confidence=confidence,
        tags=tuple(dict.fromkeys(v for kind, _t, v in tokens if kind == "tag")),
        resolve_by=when[0] if when else None,
        characters=tuple(dict.fromkeys(v for kind, _t, v in tokens if kind == "character")),
        category=CATEGORY_WORDS[category] if category else None,
    )
    return " ".join(parts), expected


@given(lines())
def test_a_rendered_line_reads_back_into_its_fields_whatever_the_order(case):
    line, expected = case
    assert read(line) == expected


@given(lines())
def test_a_saveable_line_gives_a_draft_the_rules_accept_as_it_is(case):
    line, _expected = case
    entry = read(line)
    if entry.saveable:
        draft = entry.draft()
        assert rules.clean_draft(draft) == draft
    else:
        assert entry.title == ""


FRAGMENTS = (
    "by",
    "70%",
    "70",
    "%",
    "150%",
    "#",
    "#ok",
    "#bad!",
    "@",
    "@Jack",
    "@Nobody",
    '@"Jack',
    'McMillan"',
    "!",
    "!plot",
    "!nope",
    "June",
    "2027",
    "2027-02-30",
    "end",
    "of",
    "the",
    "year",
    "\x1f",
    "\x00",
    "é",
    "“",
    "”",
)
fragments = st.sampled_from(FRAGMENTS)


@given(st.lists(fragments | st.text(max_size=8), max_size=12).map(" ".join) | st.text())
def test_any_line_is_read_without_raising_and_its_title_keeps_its_words_in_order(line):
    entry = read(line)
    assert isinstance(entry.problems, tuple)
    assert isinstance(entry.saveable, bool)
    remaining = iter(line.split())
    assert all(word in remaining for word in entry.title.split())  # a subsequence of the line


@given(st.lists(title_words | fragments, max_size=12))
def test_title_words_are_never_lost_among_tokens_good_or_bad(items):
    line = " ".join(items)
    entry = read(line)
    plain = [w for w in items if w not in FRAGMENTS]
    kept = iter(entry.title.split(" ") if entry.title else [])
    assert all(any(word == k for k in kept) for word in plain)

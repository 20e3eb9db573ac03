"""Content checks on the bundled canon pack, ``resources/canon/etoile-canon.json``.

The validator (``etoile_app.canon.pack``) checks the shape of a pack and refuses the worst
mistakes; these tests check that what the bundled pack says is right: nothing a source
contradicts is confirmed, the fan-site article confirms nothing on its own, a guess never
overtakes a reported fact, the June 2025 cancellation overtakes every Season 2 plan and guess,
every outlet's cancellation piece is cited with its own date, and the characters are the ones
reviews and recaps describe, with the people who play them.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from etoile_app.canon.pack import load_pack
from etoile_app.domain.enums import STATUS_TOPICS, Company, FactStatus, RoleKind, SourceKind, Topic
from etoile_app.domain.models import CanonPack, PackFact
from etoile_app.paths import canon_pack_path

CANCELLATION_DAY = date(2025, 6, 6)
PREMIERE_DAY = date(2025, 4, 24)

#: The article's section headings, exactly as the article writes them.
HEADINGS = frozenset(
    {
        "Official Renewal Status & Prime Video’s Plans",
        "Two-Season Deal & Behind-the-Scenes Confidence",
        "The Rumor Mill: Unofficial Buzz & Speculation",
        "Release Date Speculation: When Could Season 2 Premiere?",
        "Trailer & Teaser Talk: Any Glimpse of Season 2?",
        "Cast & Characters: Who’s Returning to the Stage?",
        "New Characters & Dream Casting",
        "Romance in the Air: Love Triangles Galore",
        "High Stakes and Villainous Turns",
        "Plot Arcs: Beyond the Swan",
        "Fan Buzz & Social Media: TikTok Trends, Twitter Threads & Fan Art",
        "Production & Behind-the-Scenes: Filming Locations and Palladino’s Vision for Season 2",
    }
)

#: key -> (full name, actor, company, role): what the reviews and recaps read say.
CHARACTERS: dict[str, tuple[str, str | None, Company, RoleKind]] = {
    "jack": ("Jack McMillan", "Luke Kirby", Company.NEW_YORK, RoleKind.MAIN),
    "genevieve": ("Geneviève Lavigne", "Charlotte Gainsbourg", Company.PARIS, RoleKind.MAIN),
    "cheyenne": ("Cheyenne Toussaint", "Lou de Laâge", Company.PARIS, RoleKind.MAIN),
    "tobias": ("Tobias Bell", "Gideon Glick", Company.NEW_YORK, RoleKind.MAIN),
    "gael": ("Gael Rodriguez", "David Alvarez", Company.NEW_YORK, RoleKind.MAIN),
    "crispin": ("Crispin Shamblee", "Simon Callow", Company.OTHER, RoleKind.MAIN),
    "french-board-member": ("Raphaël Marchand", "Yanic Truesdale", Company.PARIS, RoleKind.RECURRING),
    "mishi": ("Mishi Duplessis", "Taïs Vinolo", Company.PARIS, RoleKind.MAIN),
    "gabin": ("Gabin Roux", "Ivan du Pontavice", Company.PARIS, RoleKind.MAIN),
    "susu": ("", "LaMay Zhang", Company.NEW_YORK, RoleKind.MAIN),
    "nicholas": ("", "David Haig", Company.NEW_YORK, RoleKind.MAIN),
    "quinn": ("", "Nina Ariadna", Company.NEW_YORK, RoleKind.GUEST),
    "clara": ("", "Kelly Bishop", Company.OTHER, RoleKind.GUEST),
    "kevin": ("", "Jonathan Groff", Company.OTHER, RoleKind.GUEST),
    "julie": ("", "Unity Phelan", Company.NEW_YORK, RoleKind.GUEST),
    "melanie": ("", "Constance Devernay-Laurence", Company.PARIS, RoleKind.GUEST),
}

#: The article's claims that reviews and news show to be wrong, and the fact that corrects each.
CORRECTIONS = {
    "s1-arturo": "s1-callow-plays-crispin",
    "s1-crispin-schemes": "s1-crispin-donor",
    "s1-mishi-lashes-out": "s1-mishi-minister",
    "s1-swap-mixed-results": "s1-susu-child",
    "s1-guest-appearances": "s1-truesdale-raphael",
    "s1-tobias-gabin": "s1-tobias-gabin-romance",
    "s1-cheyenne-director": "s1-artistic-director-offer",
    "production-s1-writers-strike": "production-s1-strike-delay",
    "production-s1-costumes-budget": "production-s1-pricey",
    "reception-reviews-and-top-10": "reception-prime-top-10",
    "cast-bishop-cameo-wish": "cast-bishop-plays-clara",
}

#: Season 2 plans and guesses: the cancellation overtakes every one of them.
SEASON_2 = frozenset(
    {
        "renewal-officially-happening",
        "release-earliest-late-2026",
        "release-early-2027",
        "release-fall-winter-2026",
        "release-holiday-2026",
        "release-circle-late-2026",
        "release-no-date",
        "trailer-none-official",
        "trailer-teaser-key-art",
        "trailer-expected-content",
        "production-story-mapped",
        "production-writing-during-post",
        "production-writers-room",
        "production-no-shooting",
        "production-filming-late-2025",
        "production-logistics",
        "locations-fan-fantasies",
        "locations-s2-paris-new-york",
        "locations-london-scouting",
        "cast-truesdale-return",
        "cast-new-characters",
        "cast-multi-season-contracts",
        "cast-no-departures",
        "cast-main-expected-return",
        "cast-gainsbourg-would-return",
        "crew-team-returning",
        "crew-guest-choreographer",
        "reception-market-harder",
    }
)
#: Claims no source beyond the article supports: they stay, shown as the article's, unverified.
UNVERIFIED = frozenset(
    {"s1-mishi-timeo", "s1-finale-director", "crew-zakowska-costumes", "locations-london-scouting"}
)
#: One fact per outlet's cancellation piece, with the piece's own date where it shows one.
CANCELLATION_PIECES = {
    "renewal-cancelled": ("Deadline", date(2025, 6, 6)),
    "reception-tv-insider-cancellation": ("TV Insider", date(2025, 6, 6)),
    "reception-thr-cancellation": ("BroadwayWorld", date(2025, 6, 6)),
    "reception-digital-trends-cancellation": ("Digital Trends", date(2025, 6, 7)),
    "reception-newsbytes-cancellation": ("NewsBytes", date(2025, 6, 7)),
    "reception-independent-cancellation": ("The Independent", None),
    "reception-av-club-cancellation": ("The A.V. Club", None),
}
TAG = re.compile(r"^[a-z0-9_-]+(?:/[a-z0-9_-]+)*$")


@pytest.fixture(scope="module")
def pack() -> CanonPack:
    return load_pack(canon_pack_path())


@pytest.fixture(scope="module")
def facts(pack: CanonPack) -> dict[str, PackFact]:
    return {f.key: f for f in pack.facts}


@pytest.fixture(scope="module")
def superseded_by(pack: CanonPack) -> dict[str, str]:
    return {older: f.key for f in pack.facts for older in f.supersedes}


@pytest.fixture(scope="module")
def contradicted_by(pack: CanonPack) -> dict[str, str]:
    return {older: f.key for f in pack.facts for older in f.contradicts}


def live(pack: CanonPack, superseded_by: dict[str, str], contradicted_by: dict[str, str]) -> list[PackFact]:
    return [f for f in pack.facts if f.key not in superseded_by and f.key not in contradicted_by]


def current(facts: list[PackFact]) -> PackFact:
    """As the app picks a topic's state: the firmest kind first, then the newest, then the later
    entry in the pack (the app breaks ties by the order facts were written)."""
    return max(enumerate(facts), key=lambda p: (p[1].status.strength, p[1].as_of, p[0]))[1]


# ------------------------------------------------------------------ the file


def test_pack_header(pack: CanonPack) -> None:
    assert (pack.schema_version, pack.version) == (2, 2)
    assert pack.as_of >= date(2026, 11, 1)


def test_file_is_pretty_printed_utf8() -> None:
    raw = canon_pack_path().read_bytes().decode("utf-8")
    assert "\\u00e9" not in raw, "write accents as themselves"
    assert json.loads(raw)["schema_version"] == 2
    assert raw.endswith("\n")


# ------------------------------------------------------------------ sources


def test_every_source_can_be_followed(pack: CanonPack) -> None:
    for source in pack.sources:
        assert source.name.strip(), source.key
        assert source.url.startswith(("https://", "http://")), f"{source.key} has no address"
        assert source.date is not None or "not shown" in source.note, (
            f"{source.key}: say the date is not shown"
        )
        assert source.title or "not shown" in source.note or "paraphrased" in source.note, (
            f"{source.key}: give the title, or say it is not shown"
        )


def test_only_the_article_is_an_article(pack: CanonPack) -> None:
    articles = [s.key for s in pack.sources if s.kind is SourceKind.ARTICLE]
    assert articles == ["article"]


def test_every_fact_and_character_has_a_dated_source(pack: CanonPack) -> None:
    for fact in pack.facts:
        assert fact.source.outlet and fact.as_of, fact.key
        if fact.source.published is not None:
            assert fact.as_of >= fact.source.published, f"{fact.key} predates its source"
    for character in pack.characters:
        assert character.sources, character.key
        assert any(s.published is not None for s in character.sources), f"{character.key} has no dated source"


def test_article_facts_cite_its_headings(pack: CanonPack) -> None:
    for fact in pack.facts:
        if fact.source.kind is SourceKind.ARTICLE:
            assert fact.source.section in HEADINGS, f"{fact.key}: {fact.source.section!r}"


# ------------------------------------------------------------------ statuses


def test_the_article_alone_confirms_nothing(pack: CanonPack) -> None:
    for fact in pack.facts:
        if fact.source.kind is SourceKind.ARTICLE:
            assert fact.status is not FactStatus.CONFIRMED, fact.key


def test_no_confirmed_fact_is_contradicted(pack: CanonPack, facts, contradicted_by) -> None:
    for key in contradicted_by:
        assert facts[key].status is not FactStatus.CONFIRMED, key


def test_no_guess_supersedes_a_reported_fact(pack: CanonPack, facts) -> None:
    for fact in pack.facts:
        for older in fact.supersedes:
            if fact.status.is_guess:
                assert facts[older].status.is_guess, f"{fact.key} ({fact.status}) supersedes {older}"


def test_no_fact_uses_a_timeline_status_instead_of_a_link(pack: CanonPack) -> None:
    for fact in pack.facts:
        assert fact.status not in (FactStatus.SUPERSEDED, FactStatus.CONTRADICTED), fact.key


@pytest.mark.parametrize(("wrong", "right"), sorted(CORRECTIONS.items()))
def test_the_articles_mistakes_stay_visible_contradicted(
    facts, contradicted_by, wrong: str, right: str
) -> None:
    assert facts[wrong].source.kind is SourceKind.ARTICLE, (
        "the article's claim stays as what the article said"
    )
    assert contradicted_by[wrong] == right
    correction = facts[right]
    assert correction.status in (FactStatus.CONFIRMED, FactStatus.REPORTED)
    assert correction.source.kind is not SourceKind.ARTICLE


def test_claims_nobody_else_makes_stay_unverified(facts, contradicted_by) -> None:
    for key in UNVERIFIED:
        assert not facts[key].verified, key
        assert key not in contradicted_by, f"{key} is unconfirmed, not shown wrong"


def test_the_cancellation_overtakes_every_season_2_plan(facts, superseded_by) -> None:
    for key in SEASON_2:
        assert key in superseded_by, f"{key} is a Season 2 plan or guess nothing overtakes"
        newer = facts[superseded_by[key]]
        assert newer.source.outlet == "Deadline" and newer.as_of == CANCELLATION_DAY, key


def test_no_season_2_guess_is_left_standing(pack: CanonPack, superseded_by, contradicted_by) -> None:
    for fact in live(pack, superseded_by, contradicted_by):
        about_season_1 = "-s1-" in fact.key
        if (
            fact.status.is_guess
            and fact.topic in STATUS_TOPICS
            and fact.topic is not Topic.RENEWAL
            and not about_season_1
        ):
            pytest.fail(f"{fact.key} is a Season 2 guess the cancellation does not overtake")


@pytest.mark.parametrize("topic", STATUS_TOPICS)
def test_every_status_card_says_the_state_in_plain_words(
    pack: CanonPack, superseded_by, contradicted_by, topic: Topic
) -> None:
    state = current([f for f in live(pack, superseded_by, contradicted_by) if f.topic is topic])
    assert state.headline, f"{topic}: the current fact has no headline"
    assert state.as_of >= CANCELLATION_DAY
    assert state.status is FactStatus.REPORTED


def test_renewal_says_cancelled(pack: CanonPack, superseded_by, contradicted_by) -> None:
    state = current([f for f in live(pack, superseded_by, contradicted_by) if f.topic is Topic.RENEWAL])
    assert state.headline.startswith("Cancelled after one season")
    assert "revival" in state.headline


def test_each_outlets_cancellation_piece_has_its_own_date(facts) -> None:
    for key, (outlet, day) in CANCELLATION_PIECES.items():
        fact = facts[key]
        assert fact.source.outlet == outlet, key
        assert fact.source.published == day, key
        assert fact.as_of >= CANCELLATION_DAY


def test_performance_versus_cost_is_not_put_in_digital_trends_mouth(facts) -> None:
    assert "not use the words" in facts["reception-digital-trends-cancellation"].statement


def test_premiere(facts) -> None:
    premiere = facts["release-s1-premiere"]
    assert premiere.status is FactStatus.CONFIRMED
    assert "24 April 2025" in premiere.statement and "eight episodes" in premiere.statement


# ------------------------------------------------------------------ characters


def test_no_arturo(pack: CanonPack) -> None:
    assert "arturo" not in {c.key for c in pack.characters}
    assert all(c.name != "Arturo" for c in pack.characters)
    crispin = next(c for c in pack.characters if c.key == "crispin")
    assert crispin.replaces == ("arturo",)


@pytest.mark.parametrize("key", sorted(CHARACTERS))
def test_character(pack: CanonPack, key: str) -> None:
    full_name, actor, company, role = CHARACTERS[key]
    character = next(c for c in pack.characters if c.key == key)
    assert (character.full_name, character.actor, character.company, character.role) == (
        full_name,
        actor,
        company,
        role,
    )
    assert character.verified, f"{key} rests on the article alone"
    assert character.season1_arc.strip()


def test_every_character_has_an_actor_or_says_why_not(pack: CanonPack) -> None:
    for character in pack.characters:
        assert character.actor or character.actor_note, character.key


def test_timeo_is_the_articles_alone(pack: CanonPack) -> None:
    timeo = next(c for c in pack.characters if c.key == "timeo")
    assert not timeo.verified
    assert timeo.actor is None and "Not credited" in timeo.actor_note


def test_cast_cancellation_names_every_character(pack: CanonPack, facts) -> None:
    assert set(facts["cast-cancelled"].characters) == {c.key for c in pack.characters}


def test_facts_name_only_known_characters(pack: CanonPack) -> None:
    keys = {c.key for c in pack.characters}
    for fact in pack.facts:
        assert set(fact.characters) <= keys, fact.key


# ------------------------------------------------------------------ text


def test_statements_are_concise_and_unique(pack: CanonPack) -> None:
    texts = [(f.key, f.statement) for f in pack.facts]
    texts += [(c.key, c.description) for c in pack.characters]
    texts += [(c.key, c.season1_arc) for c in pack.characters]
    texts += [(s.key, f"{s.title} {s.body}") for s in pack.starters]
    for key, text in texts:
        assert len(text) <= 700, f"{key} is too long to read at a glance"
        quotes = re.findall(r"“([^”]*)”", text) + re.findall(r"(?:^|\s)'([^']+)'(?=[\s.,;:)]|$)", text)
        for quoted in quotes:
            assert len(quoted.split()) <= 8, f"{key} quotes too much: {quoted!r}"
    statements = [f.statement for f in pack.facts]
    assert len(set(statements)) == len(statements)


def test_headlines_are_short(pack: CanonPack) -> None:
    for fact in pack.facts:
        assert len(fact.headline) <= 60, fact.key


def test_no_long_run_of_the_articles_words_is_copied(pack: CanonPack) -> None:
    """Every statement is written anew: no eight-word run of the article's text appears in the pack."""
    from etoile_app.paths import resources_dir

    seed = resources_dir().parent.parent / "shared" / "seed" / "000_c516ead1523f1e88.txt"
    if not seed.exists():
        pytest.skip("the source article is not beside the repository")
    words = re.findall(r"[\w’']+", seed.read_text(encoding="utf-8").casefold())
    runs = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
    texts = [f.statement for f in pack.facts] + [c.season1_arc for c in pack.characters]
    texts += [s.body for s in pack.starters]
    for text in texts:
        mine = re.findall(r"[\w’']+", text.casefold())
        for i in range(len(mine) - 7):
            assert " ".join(mine[i : i + 8]) not in runs, f"copied from the article: {text!r}"


# ------------------------------------------------------------------ starters


def test_starters_make_sense_to_someone_who_watched(pack: CanonPack) -> None:
    text = " ".join(f"{s.title} {s.body}" for s in pack.starters)
    assert "Arturo" not in text
    assert "board member" not in text
    for starter in pack.starters:
        assert "arturo" not in starter.characters and "timeo" not in starter.characters, starter.key
        for tag in starter.tags:
            assert TAG.match(tag), (starter.key, tag)


def test_starters_for_a_cancelled_show(pack: CanonPack) -> None:
    keys = {s.key for s in pack.starters}
    assert {"revival-by-2028", "another-service-picks-up", "season-1-finale-stands"} <= keys
    assert len(pack.starters) >= 40

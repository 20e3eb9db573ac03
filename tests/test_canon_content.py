"""Content checks on the bundled canon pack, ``resources/canon/etoile-canon.json``.

The validator (``etoile_app.canon.pack``) checks the shape of a pack; these tests check that what
the bundled pack says is right: the spring-2025 article's claims carry the right status, the June
2025 cancellation overtakes every Season 2 expectation, the London rumour stays a rumour, and the
cast, characters and starter theories match the article.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from etoile_app.canon.pack import load_pack
from etoile_app.domain.enums import STATUS_TOPICS, Category, Company, FactStatus, RoleKind, Topic
from etoile_app.domain.models import CanonPack, PackFact
from etoile_app.paths import canon_pack_path

ARTICLE = "Sweat, Sequins, Sabotage (fan-site article)"
DEADLINE = "Deadline"
PRIME_VIDEO = "Prime Video"
OUTLETS = ("Variety", "TV Insider", "Digital Trends", "The Independent", "The A.V. Club")
CANCELLATION_DAY = date(2025, 6, 6)
PREMIERE_DAY = date(2025, 4, 24)

#: The article's section headings, exactly as the article writes them.
HEADINGS = frozenset(
    {
        "Will there be a Season 2 of Étoile?",
        "Official Renewal Status & Prime Video’s Plans",
        "Two-Season Deal & Behind-the-Scenes Confidence",
        "The Rumor Mill: Unofficial Buzz & Speculation",
        "Release Date Speculation: When Could Season 2 Premiere?",
        "Trailer & Teaser Talk: Any Glimpse of Season 2?",
        "Cast & Characters: Who’s Returning to the Stage?",
        "New Characters & Dream Casting",
        "Plot Predictions & Fan Theories: Love Triangles, Drama & Villain Arcs",
        "Romance in the Air: Love Triangles Galore",
        "High Stakes and Villainous Turns",
        "Plot Arcs: Beyond the Swan",
        "Fan Buzz & Social Media: TikTok Trends, Twitter Threads & Fan Art",
        "Production & Behind-the-Scenes: Filming Locations and Palladino’s Vision for Season 2",
    }
)

#: key -> (actor or None, company, role). Actor is None wherever the article names nobody.
CHARACTERS: dict[str, tuple[str | None, Company, RoleKind]] = {
    "jack": ("Luke Kirby", Company.NEW_YORK, RoleKind.MAIN),
    "genevieve": ("Charlotte Gainsbourg", Company.PARIS, RoleKind.MAIN),
    "cheyenne": ("Lou de Laâge", Company.PARIS, RoleKind.MAIN),
    "tobias": ("Gideon Glick", Company.OTHER, RoleKind.MAIN),
    "gael": ("David Alvarez", Company.OTHER, RoleKind.MAIN),
    "arturo": ("Simon Callow", Company.OTHER, RoleKind.MAIN),
    "french-board-member": ("Yanic Truesdale", Company.PARIS, RoleKind.GUEST),
    "mishi": (None, Company.PARIS, RoleKind.RECURRING),
    "timeo": (None, Company.OTHER, RoleKind.RECURRING),
    "gabin": (None, Company.OTHER, RoleKind.RECURRING),
    "susu": (None, Company.NEW_YORK, RoleKind.RECURRING),
    "quinn": (None, Company.OTHER, RoleKind.RECURRING),
    "bruna": (None, Company.OTHER, RoleKind.RECURRING),
    "nicholas": (None, Company.NEW_YORK, RoleKind.RECURRING),
    "crispin": (None, Company.NEW_YORK, RoleKind.RECURRING),
    "tiler-peck": ("Tiler Peck", Company.OTHER, RoleKind.GUEST),
    "unity-phelan": ("Unity Phelan", Company.OTHER, RoleKind.GUEST),
}
MAIN = frozenset(k for k, (_, _, role) in CHARACTERS.items() if role is RoleKind.MAIN)

#: Story characters by the first name the text uses for them: a fact or starter naming one links them.
NAMED = {
    "Jack": "jack",
    "Geneviève": "genevieve",
    "Cheyenne": "cheyenne",
    "Tobias": "tobias",
    "Gael": "gael",
    "Arturo": "arturo",
    "Mishi": "mishi",
    "Timeo": "timeo",
    "Gabin": "gabin",
    "Susu": "susu",
    "Quinn": "quinn",
    "Bruna": "bruna",
    "Nicholas": "nicholas",
    "Crispin": "crispin",
}

#: Article facts in the forward-looking topics that may be confirmed: each is about Season 1
#: or the 2023 order.
CONFIRMED_ARTICLE_EXCEPTIONS = frozenset(
    {"renewal-two-season-order-2023", "production-s1-writers-strike", "locations-s1-paris-new-york"}
)
FORWARD_TOPICS = frozenset({Topic.RENEWAL, Topic.RELEASE, Topic.TRAILER, Topic.PRODUCTION, Topic.LOCATIONS})
HEDGES = re.compile(
    r"\b(likely|may|might|could|rumou?rs?|rumou?red|guess\w*|expect\w*|speculat\w*|perhaps|possibly|"
    r"hint\w*|reportedly|probably|anticipat\w*)\b",
    re.IGNORECASE,
)
LONDON = "locations-london-scouting"
TAG = re.compile(r"^[a-z0-9_-]+(?:/[a-z0-9_-]+)*$")


@pytest.fixture(scope="module")
def pack() -> CanonPack:
    return load_pack(canon_pack_path())


@pytest.fixture(scope="module")
def facts(pack: CanonPack) -> dict[str, PackFact]:
    return {f.key: f for f in pack.facts}


@pytest.fixture(scope="module")
def superseded_by(pack: CanonPack) -> dict[str, str]:
    return {f.supersedes: f.key for f in pack.facts if f.supersedes}


def source_name(fact: PackFact) -> str:
    return fact.source.split(", § ", 1)[0]


def section_of(fact: PackFact) -> str | None:
    parts = fact.source.split(", § ", 1)
    return parts[1] if len(parts) == 2 else None


def current(pack: CanonPack, superseded_by: dict[str, str], topic: Topic, character: str | None = None):
    """The newest facts of a topic (optionally about one character) that nothing supersedes."""
    live = [
        f
        for f in pack.facts
        if f.topic is topic
        and f.key not in superseded_by
        and (character is None or character in f.characters)
    ]
    if not live:
        return []
    newest = max(f.as_of for f in live)
    return [f for f in live if f.as_of == newest]


def chain_back(facts: dict[str, PackFact], key: str) -> list[str]:
    """The keys a fact overtakes, directly or through the facts it overtakes."""
    out, step = [], facts[key].supersedes
    while step is not None:
        out.append(step)
        step = facts[step].supersedes
    return out


# ------------------------------------------------------------------ the file and its sources


def test_pack_header(pack: CanonPack) -> None:
    assert pack.schema_version == 1
    assert pack.version == 1
    assert pack.as_of == date(2026, 11, 1)
    assert pack.title == "Étoile canon"


def test_file_is_pretty_printed_utf8() -> None:
    text = canon_pack_path().read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["format"] == "etoile-canon-pack"
    assert "Étoile" in text
    assert "\\u00" not in text, "accented letters must be written as themselves, not escaped"
    assert text == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def test_sources(pack: CanonPack) -> None:
    by_name = {s.name: s for s in pack.sources}
    article = by_name[ARTICLE]
    assert article.date == date(2025, 5, 1)
    assert "undated" in article.note.lower()
    assert "24 April 2025" in article.note
    assert "6 June 2025" in article.note
    assert by_name[DEADLINE].date == CANCELLATION_DAY
    assert by_name[PRIME_VIDEO].date == PREMIERE_DAY
    for outlet in OUTLETS:
        assert by_name[outlet].date == CANCELLATION_DAY, outlet
        assert "Deadline" in by_name[outlet].note, f"{outlet}: the note must say whose date it carries"
    assert len(by_name) == len(pack.sources), "source names must be unique"


def test_every_fact_has_a_source_and_a_statement(pack: CanonPack) -> None:
    known = {s.name for s in pack.sources}
    for fact in pack.facts:
        assert fact.statement.strip(), fact.key
        assert source_name(fact) in known, fact.key
        if source_name(fact) == ARTICLE:
            assert section_of(fact) in HEADINGS, f"{fact.key}: section {section_of(fact)!r} is no heading"
        else:
            assert section_of(fact) is None, f"{fact.key}: only article facts name a section"


def test_fact_count_and_coverage(pack: CanonPack) -> None:
    assert 50 <= len(pack.facts) <= 90
    topics = {f.topic for f in pack.facts}
    assert topics == set(Topic)
    article_sections = {section_of(f) for f in pack.facts if source_name(f) == ARTICLE}
    # Every heading with content of its own is cited (the plot-predictions heading only introduces
    # its three sub-sections).
    assert HEADINGS - article_sections <= {
        "Plot Predictions & Fan Theories: Love Triangles, Drama & Villain Arcs"
    }


def test_statements_are_concise_and_quotes_short(pack: CanonPack) -> None:
    texts = [(f.key, f.statement) for f in pack.facts]
    texts += [(c.key, c.description) for c in pack.characters]
    texts += [(c.key, c.season1_arc) for c in pack.characters]
    texts += [(s.key, f"{s.title} {s.body}") for s in pack.starters]
    for key, text in texts:
        assert len(text) <= 600, f"{key} is too long to read at a glance"
        for quoted in re.findall(r"“([^”]*)”", text):
            assert len(quoted.split()) <= 8, f"{key} quotes too much: {quoted!r}"
    statements = [f.statement for f in pack.facts]
    assert len(set(statements)) == len(statements)


# ------------------------------------------------------------------ statuses


def test_nothing_hedged_is_confirmed(pack: CanonPack) -> None:
    for fact in pack.facts:
        if fact.status is FactStatus.CONFIRMED:
            hedge = HEDGES.search(fact.statement)
            assert hedge is None, f"{fact.key} is confirmed but says {hedge.group(0)!r}"


def test_article_claims_about_season_2_are_not_confirmed(pack: CanonPack) -> None:
    for fact in pack.facts:
        if (
            source_name(fact) == ARTICLE
            and fact.topic in FORWARD_TOPICS
            and fact.status is FactStatus.CONFIRMED
        ):
            assert fact.key in CONFIRMED_ARTICLE_EXCEPTIONS, (
                f"{fact.key} is an article claim marked confirmed"
            )
    for key in CONFIRMED_ARTICLE_EXCEPTIONS:
        statement = next(f.statement for f in pack.facts if f.key == key)
        assert "Season 1" in statement or "2023" in statement, key
        assert "Season 2" not in statement or "2023" in statement, key
    for fact in pack.facts:
        if source_name(fact) == ARTICLE and fact.topic is Topic.CAST:
            assert fact.status is not FactStatus.CONFIRMED, fact.key


def test_no_fact_uses_the_superseded_status_instead_of_a_link(pack: CanonPack) -> None:
    # Every overtaken fact in this pack is overtaken by a newer fact, so the history keeps its status.
    assert all(f.status is not FactStatus.SUPERSEDED for f in pack.facts)


def test_renewal_claims_and_their_statuses(facts: dict[str, PackFact], superseded_by: dict[str, str]) -> None:
    assert facts["renewal-two-season-order-2023"].status is FactStatus.CONFIRMED
    assert "2023" in facts["renewal-two-season-order-2023"].statement
    happening = facts["renewal-officially-happening"]
    assert happening.status is FactStatus.REPORTED
    assert "officially happening" in happening.statement
    assert superseded_by["renewal-officially-happening"] == "renewal-cancelled"
    assert "renewal-no-new-announcement" in chain_back(facts, "renewal-cancelled")
    assert facts["renewal-cast-not-guaranteed"].status is FactStatus.REPORTED
    assert facts["renewal-skeptics-quiet-cancel"].status is FactStatus.SPECULATION
    assert facts["renewal-forum-announced"].status is FactStatus.RUMOURED
    assert "announced" in facts["renewal-forum-announced"].statement
    assert "renewal-forum-announced" in chain_back(facts, "renewal-cancelled")
    # The doubters turned out right: their guesses stay in the history as they were, overtaken by nothing.
    for vindicated in ("renewal-skeptics-quiet-cancel", "renewal-backtrack-whispers"):
        assert vindicated not in superseded_by, vindicated


def test_newest_renewal_fact_is_the_cancellation(pack: CanonPack, superseded_by: dict[str, str]) -> None:
    (newest,) = current(pack, superseded_by, Topic.RENEWAL)
    assert newest.key == "renewal-cancelled"
    assert source_name(newest) == DEADLINE
    assert newest.as_of == CANCELLATION_DAY
    assert newest.status is FactStatus.REPORTED
    assert "cancelled" in newest.statement
    assert "two-season order" in newest.statement
    assert "performance versus cost" in newest.statement


@pytest.mark.parametrize("topic", STATUS_TOPICS, ids=lambda t: t.value)
def test_every_status_card_resolves_to_one_deadline_fact(
    pack: CanonPack, superseded_by: dict[str, str], topic: Topic
) -> None:
    newest = current(pack, superseded_by, topic)
    assert len(newest) == 1, f"{topic.value}: the newest state must be a single fact, not a tie: {newest}"
    (fact,) = newest
    assert source_name(fact) == DEADLINE
    assert fact.as_of == CANCELLATION_DAY
    assert fact.status is FactStatus.REPORTED
    assert "cancelled" in fact.statement


def test_cancellation_facts_only_overtake_older_article_claims(
    pack: CanonPack, facts: dict[str, PackFact]
) -> None:
    for fact in pack.facts:
        if source_name(fact) == DEADLINE and fact.supersedes:
            overtaken = facts[fact.supersedes]
            assert source_name(overtaken) == ARTICLE, fact.key
            assert overtaken.topic is fact.topic, fact.key
            assert overtaken.as_of < fact.as_of, fact.key


def test_release_guesses_are_all_superseded_by_the_cancellation(
    pack: CanonPack, facts: dict[str, PackFact], superseded_by: dict[str, str]
) -> None:
    guesses = {f.key for f in pack.facts if f.topic is Topic.RELEASE and f.status is FactStatus.SPECULATION}
    assert len(guesses) >= 5
    assert all(source_name(facts[k]) == ARTICLE for k in guesses)
    assert guesses <= set(superseded_by)
    assert guesses <= set(chain_back(facts, "release-cancelled"))
    windows = " ".join(facts[k].statement for k in guesses)
    for window in ("12–18 months", "late 2026", "early 2027", "Fall or Winter 2026", "holiday"):
        assert window in windows, window
    assert superseded_by["release-circle-late-2026"] == "release-cancelled"
    assert source_name(facts["release-cancelled"]) == DEADLINE


def test_season_2_plans_in_every_forward_topic_are_overtaken(
    pack: CanonPack, superseded_by: dict[str, str]
) -> None:
    # Renewal is left out: its rumours were about whether Season 2 would happen, and the sceptical
    # ones came true (see test_renewal_claims_and_their_statuses).
    for fact in pack.facts:
        if (
            source_name(fact) == ARTICLE
            and fact.topic in FORWARD_TOPICS - {Topic.RENEWAL}
            and fact.status in (FactStatus.SPECULATION, FactStatus.RUMOURED)
            and "Season 2" in fact.statement
            and fact.key != LONDON
        ):
            assert fact.key in superseded_by, f"{fact.key} is a Season 2 guess nothing overtakes"


def test_london_scouting_stays_a_rumour(facts: dict[str, PackFact], superseded_by: dict[str, str]) -> None:
    london = facts[LONDON]
    assert london.topic is Topic.LOCATIONS
    assert london.status is FactStatus.RUMOURED
    assert "London" in london.statement
    assert LONDON not in superseded_by
    assert london.supersedes is None


def test_trailer_facts(facts: dict[str, PackFact], superseded_by: dict[str, str]) -> None:
    assert facts["trailer-none-official"].status is not FactStatus.CONFIRMED
    assert "unofficial" in facts["trailer-fan-made-unofficial"].statement
    assert facts["trailer-teaser-key-art"].status is FactStatus.SPECULATION
    assert "trailer-teaser-key-art" in chain_back(facts, "trailer-cancelled")
    assert source_name(facts["trailer-cancelled"]) == DEADLINE


def test_production_facts(facts: dict[str, PackFact], superseded_by: dict[str, str]) -> None:
    assert facts["production-writing-during-post"].status is FactStatus.RUMOURED
    assert facts["production-s1-filming-early-2024"].status is FactStatus.SPECULATION
    assert facts["production-s1-writers-strike"].status is FactStatus.CONFIRMED
    overtaken = set(chain_back(facts, "production-cancelled"))
    assert {
        "production-no-shooting",
        "production-filming-late-2025",
        "production-writing-during-post",
    } <= overtaken
    assert "production-s1-filming-early-2024" not in superseded_by, "a Season 1 fact is not overtaken"


def test_locations_facts(facts: dict[str, PackFact], superseded_by: dict[str, str]) -> None:
    assert facts["locations-s1-paris-new-york"].status is FactStatus.CONFIRMED
    assert facts["locations-s2-paris-new-york"].status is FactStatus.SPECULATION
    assert superseded_by["locations-s2-paris-new-york"] == "locations-cancelled"
    fantasies = facts["locations-fan-fantasies"]
    assert fantasies.status is FactStatus.SPECULATION
    assert "Palais Garnier" in fantasies.statement
    assert "Lincoln Center" in fantasies.statement
    assert "London" not in facts["locations-cancelled"].statement


def test_each_repeating_outlet_is_cited(pack: CanonPack) -> None:
    for outlet in OUTLETS:
        cited = [f for f in pack.facts if source_name(f) == outlet]
        assert cited, f"no fact cites {outlet}"
        for fact in cited:
            assert fact.as_of == CANCELLATION_DAY, fact.key
            assert fact.status is FactStatus.REPORTED, fact.key
            assert "Étoile" in fact.statement or "cancellation" in fact.statement, fact.key
            assert re.search(r"cancel|one season|single season|second season", fact.statement), fact.key


def test_awards_campaign_is_reported(pack: CanonPack) -> None:
    awards = [f for f in pack.facts if "awards campaign" in f.statement and source_name(f) == DEADLINE]
    assert awards
    assert all(
        f.status is FactStatus.REPORTED and f.topic in (Topic.RECEPTION, Topic.RENEWAL) for f in awards
    )


def test_premiere_fact(pack: CanonPack) -> None:
    (premiere,) = [f for f in pack.facts if source_name(f) == PRIME_VIDEO]
    assert premiere.topic is Topic.RELEASE
    assert premiere.status is FactStatus.CONFIRMED
    assert premiere.as_of == PREMIERE_DAY
    assert "24 April 2025" in premiere.statement
    assert "eight episodes" in premiere.statement


def test_reception_facts(pack: CanonPack) -> None:
    reception = " ".join(f.statement for f in pack.facts if f.topic is Topic.RECEPTION)
    for detail in ("Rotten Tomatoes", "85%", "Top 10", "#EtoileOnPrime", "Sherman-Palladino"):
        assert detail in reception, detail


def test_crew_facts(pack: CanonPack) -> None:
    crew = [f for f in pack.facts if f.topic is Topic.CREW]
    text = " ".join(f.statement for f in crew)
    for name in ("Amy Sherman-Palladino", "Daniel Palladino", "Dhana Gilbert", "Donna Zakowska"):
        assert name in text, name
    (choreographer,) = [f for f in crew if "Wheeldon" in f.statement]
    assert choreographer.status is FactStatus.SPECULATION
    assert "Blankenbuehler" in choreographer.statement


# ------------------------------------------------------------------ characters and cast


def test_character_list_is_exact(pack: CanonPack) -> None:
    assert {c.key for c in pack.characters} == set(CHARACTERS)


@pytest.mark.parametrize("key", sorted(CHARACTERS))
def test_character(pack: CanonPack, key: str) -> None:
    actor, company, role = CHARACTERS[key]
    (character,) = [c for c in pack.characters if c.key == key]
    assert character.actor == actor
    assert character.company is company
    assert character.role is role
    assert character.description.strip()
    assert character.season1_arc.strip(), f"{key}: the article says something of every character's season"
    assert character.arc_source.startswith(ARTICLE + ", § ")
    assert character.arc_source.split(", § ", 1)[1] in HEADINGS


def test_named_characters(pack: CanonPack) -> None:
    names = {c.key: c.name for c in pack.characters}
    assert names["genevieve"] == "Geneviève Lavigne"
    assert names["tiler-peck"] == "Dancer played by Tiler Peck"
    assert names["unity-phelan"] == "Dancer played by Unity Phelan"


def test_facts_link_the_characters_they_name(pack: CanonPack) -> None:
    for fact in pack.facts:
        for name, key in NAMED.items():
            if re.search(rf"\b{name}\b", fact.statement):
                assert key in fact.characters, f"{fact.key} names {name} but does not link {key!r}"


def test_season_1_story_covers_the_arcs(pack: CanonPack) -> None:
    story = [f for f in pack.facts if f.topic is Topic.SEASON1_STORY]
    assert len(story) >= 15
    linked = set().union(*(f.characters for f in story))
    assert set(CHARACTERS) <= linked, f"no Season 1 fact about {set(CHARACTERS) - linked}"
    text = " ".join(f.statement for f in story)
    for detail in ("kiss", "coma", "Quinn", "Bruna", "Timeo", "poach", "artistic director", "eight episodes"):
        assert detail in text, detail
    assert all(f.status is not FactStatus.SPECULATION for f in story)


def test_gainsbourg_wants_to_go_back(pack: CanonPack) -> None:
    (quote,) = [f for f in pack.facts if "love to go back" in f.statement]
    assert quote.topic is Topic.CAST
    assert quote.status is FactStatus.REPORTED
    assert quote.characters == ("genevieve",)
    assert "Le Parisien" in quote.statement


def test_cast_expectation_is_overtaken_by_the_cancellation(
    facts: dict[str, PackFact], superseded_by: dict[str, str]
) -> None:
    expected = facts["cast-main-expected-return"]
    assert expected.status is FactStatus.SPECULATION
    assert set(expected.characters) == MAIN
    assert facts["cast-no-departures"].status is FactStatus.REPORTED
    assert set(facts["cast-no-departures"].characters) == MAIN
    cancelled = facts[superseded_by["cast-main-expected-return"]]
    assert cancelled.key == "cast-cancelled"
    assert source_name(cancelled) == DEADLINE
    assert cancelled.topic is Topic.CAST
    assert set(expected.characters) <= set(cancelled.characters)


@pytest.mark.parametrize("key", sorted(CHARACTERS))
def test_return_status_is_the_cancellation(pack: CanonPack, superseded_by: dict[str, str], key: str) -> None:
    (status,) = current(pack, superseded_by, Topic.CAST, character=key)
    assert status.key == "cast-cancelled"
    assert source_name(status) == DEADLINE
    assert status.as_of == CANCELLATION_DAY


# ------------------------------------------------------------------ starters

REQUIRED_STARTERS = {
    "jack-cheyenne-romance": Category.ROMANCE,
    "jack-cheyenne-genevieve-triangle": Category.ROMANCE,
    "gael-seeks-forgiveness": Category.ROMANCE,
    "mishi-timeo": Category.ROMANCE,
    "lgbtq-romance": Category.ROMANCE,
    "tobias-boyfriend": Category.ROMANCE,
    "mishi-villain": Category.VILLAIN_ARC,
    "tobias-creative-villain": Category.VILLAIN_ARC,
    "tobias-relapse": Category.PLOT_ARC,
    "gabin-resents-tobias": Category.VILLAIN_ARC,
    "crispin-alliance": Category.VILLAIN_ARC,
    "new-big-bad": Category.VILLAIN_ARC,
    "genevieve-betrayal": Category.VILLAIN_ARC,
    "swap-fallout": Category.PLOT_ARC,
    "nicholas-power-struggle": Category.PLOT_ARC,
    "nicholas-dies": Category.PLOT_ARC,
    "genevieve-offers-paris": Category.PLOT_ARC,
    "fortunes-diverge": Category.PLOT_ARC,
    "joint-gala": Category.PLOT_ARC,
    "susu-next-etoile": Category.PLOT_ARC,
    "bruna-new-york": Category.PLOT_ARC,
    "time-jump": Category.PLOT_ARC,
    "full-ballet-episode": Category.OTHER,
    "another-swap": Category.PLOT_ARC,
    "story-visits-london": Category.PLOT_ARC,
    "premiere-late-2026": Category.RELEASE_PRODUCTION,
    "sutton-foster-rival": Category.CASTING,
    "kelly-bishop-benefactor": Category.CASTING,
    "ballet-star-cameo": Category.CASTING,
    "maisel-crossover": Category.CASTING,
    "palladino-alums-return": Category.CASTING,
    "guest-choreographer": Category.CASTING,
    "cheyenne-mishi-dance-off": Category.PLOT_ARC,
    "gilmore-easter-egg": Category.OTHER,
}


def test_starter_count_and_categories(pack: CanonPack) -> None:
    assert 25 <= len(pack.starters) <= 35
    assert {s.category for s in pack.starters} >= set(Category) - {Category.OTHER}


def test_required_starters(pack: CanonPack) -> None:
    by_key = {s.key: s for s in pack.starters}
    for key, category in REQUIRED_STARTERS.items():
        assert key in by_key, f"missing starter {key!r}"
        assert by_key[key].category is category, key


def test_starters_are_well_formed(pack: CanonPack) -> None:
    characters = {c.key for c in pack.characters}
    for starter in pack.starters:
        assert 0 < len(starter.title) <= 120, starter.key
        assert starter.body.strip(), starter.key
        assert len(re.findall(r"[.!?](?:\s|$)", starter.body)) <= 3, (
            f"{starter.key}: keep the body to 1–3 sentences"
        )
        assert set(starter.characters) <= characters, starter.key
        assert 1 <= len(starter.tags) <= 3, starter.key
        assert all(TAG.match(tag) for tag in starter.tags), starter.tags
        assert starter.source.startswith(ARTICLE + ", § "), starter.key
        assert starter.source.split(", § ", 1)[1] in HEADINGS, starter.key
        for name, key in NAMED.items():
            if re.search(rf"\b{name}\b", f"{starter.title} {starter.body}"):
                assert key in starter.characters, f"{starter.key} names {name} but does not link {key!r}"
    titles = [s.title for s in pack.starters]
    assert len(set(titles)) == len(titles)


def test_dream_casting_names(pack: CanonPack) -> None:
    casting = " ".join(f"{s.title} {s.body}" for s in pack.starters if s.category is Category.CASTING)
    for name in (
        "Sutton Foster",
        "Kelly Bishop",
        "Misty Copeland",
        "Sergei Polunin",
        "Rachel Brosnahan",
        "Alex Borstein",
        "Yanic Truesdale",
        "Wheeldon",
        "Blankenbuehler",
    ):
        assert name in casting, name

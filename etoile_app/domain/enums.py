"""The fixed vocabularies of the journal.

Each enum's value is what is stored in the database and in files, so values never change;
labels are for people.
"""

from __future__ import annotations

from enum import StrEnum


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        return _LABELS.get(self, self.value.replace("_", " ").capitalize())


class TheoryStatus(_Labelled):
    OPEN = "open"
    CONFIRMED = "confirmed"
    BUSTED = "busted"
    VOID = "void"

    @property
    def is_resolved(self) -> bool:
        return self is not TheoryStatus.OPEN


class Category(_Labelled):
    ROMANCE = "romance"
    VILLAIN_ARC = "villain_arc"
    PLOT_ARC = "plot_arc"
    CASTING = "casting"
    RELEASE_PRODUCTION = "release_production"
    OTHER = "other"


class Topic(_Labelled):
    RENEWAL = "renewal"
    RELEASE = "release"
    TRAILER = "trailer"
    PRODUCTION = "production"
    LOCATIONS = "locations"
    RECEPTION = "reception"
    SEASON1_STORY = "season1_story"
    CAST = "cast"
    CREW = "crew"


#: The topics that get a card on the Status tab, in display order.
STATUS_TOPICS: tuple[Topic, ...] = (
    Topic.RENEWAL,
    Topic.RELEASE,
    Topic.TRAILER,
    Topic.PRODUCTION,
    Topic.LOCATIONS,
    Topic.CAST,
)


class FactStatus(_Labelled):
    CONFIRMED = "confirmed"
    REPORTED = "reported"
    RUMOURED = "rumoured"
    SPECULATION = "speculation"
    SUPERSEDED = "superseded"
    #: Shown, never stored by a pack: a better source has shown the fact to be wrong.
    CONTRADICTED = "contradicted"

    @property
    def is_guess(self) -> bool:
        """Rumours and speculation: talk that may never overtake a confirmed or reported fact."""
        return self in (FactStatus.RUMOURED, FactStatus.SPECULATION)

    @property
    def strength(self) -> int:
        """How firmly a source stands behind it: confirmed and reported facts beat talk."""
        return _STRENGTH.get(self, 0)


class SourceKind(_Labelled):
    """What kind of publication a source is. ``article`` is the fan-site article the canon
    started from: what rests on it alone is shown as unverified."""

    ARTICLE = "article"
    NEWS = "news"
    REVIEW = "review"
    RECAP = "recap"
    INTERVIEW = "interview"
    OFFICIAL = "official"
    REFERENCE = "reference"


class FactOrigin(_Labelled):
    PACK = "pack"
    USER = "user"


class Stance(_Labelled):
    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"


class Company(_Labelled):
    PARIS = "paris"
    NEW_YORK = "new_york"
    OTHER = "other"


class RoleKind(_Labelled):
    MAIN = "main"
    RECURRING = "recurring"
    GUEST = "guest"


_STRENGTH = {
    FactStatus.CONFIRMED: 2,
    FactStatus.REPORTED: 2,
    FactStatus.RUMOURED: 1,
    FactStatus.SPECULATION: 0,
}

_LABELS: dict[StrEnum, str] = {
    Category.VILLAIN_ARC: "Villain arc",
    Category.PLOT_ARC: "Plot arc",
    Category.RELEASE_PRODUCTION: "Release & production",
    Topic.RELEASE: "Season 2 release",
    Topic.PRODUCTION: "Production & filming",
    Topic.SEASON1_STORY: "Season 1 story",
    Topic.CAST: "Returning cast",
    Company.PARIS: "Le Ballet National (Paris)",
    Company.NEW_YORK: "Metropolitan Ballet Theater (New York)",
    FactOrigin.PACK: "Canon pack",
    FactOrigin.USER: "Your news",
    SourceKind.ARTICLE: "Fan-site article",
}

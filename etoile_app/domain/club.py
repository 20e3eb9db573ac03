"""A club's members and what each may do. A SQLite journal is a club of one: no members."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MemberRole(StrEnum):
    #: Upgrades the journal, applies canon packs, resolves any theory, manages members.
    OWNER = "owner"
    #: Writes theories, forecasts on any theory, resolves their own theories.
    MEMBER = "member"
    #: Reads everything, changes nothing.
    VIEWER = "viewer"


ROLE_WORDS = {
    MemberRole.OWNER: "the club's owner",
    MemberRole.MEMBER: "a member",
    MemberRole.VIEWER: "a viewer (reads only)",
}


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    name: str
    login: str | None


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the journal's connection acts as.

    ``club`` is False for a journal of one (SQLite, or a server journal never made a club):
    then ``member`` is ``None`` and everything is the owner's, as it always was. In a club,
    ``member`` is ``None`` until the login has chosen a display name (:meth:`needs_name`).
    """

    club: bool
    login: str | None = None
    role: MemberRole = MemberRole.OWNER
    member: Member | None = None

    @property
    def needs_name(self) -> bool:
        return self.club and self.member is None and self.role is not MemberRole.VIEWER

    @property
    def member_id(self) -> int | None:
        return None if self.member is None else self.member.id


SOLO = Identity(club=False)


class Who:
    """The journal's current :class:`Identity`, shared by its services: it changes when a
    login chooses its display name, and every service then acts as that member."""

    def __init__(self, identity: Identity = SOLO) -> None:
        self.identity = identity

    @property
    def restricted(self) -> bool:
        """True for a club member who is not its owner: they change only what is theirs."""
        return self.identity.club and self.identity.role is not MemberRole.OWNER


#: A display name's longest length (the ``forecasters.name`` column).
NAME_MAX = 80

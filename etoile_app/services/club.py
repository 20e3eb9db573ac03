"""A club's members: who this journal's login is, choosing a display name, the member list,
and the owner's set-up (``etoile-journal club init`` and ``club add-member``)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from etoile_app.domain import rules
from etoile_app.domain.club import NAME_MAX, SOLO, Identity, Member
from etoile_app.domain.errors import ClubError
from etoile_app.services.base import Service
from etoile_app.storage import club
from etoile_app.storage.models import ForecasterRecord


def clean_name(name: object) -> str:
    """A member's display name: 1 to 80 characters of one line, white space folded."""
    if name is not None and not isinstance(name, str):
        name = str(name)
    return rules.clean_text(name, "The display name", field="name", max_len=NAME_MAX, required=True)


class ClubService(Service):
    def identity(self) -> Identity:
        """Who the journal's connection acts as (a journal of one on SQLite)."""
        with self._sessions() as s:
            return club.identity(s.connection())

    def members(self) -> list[Member]:
        """Every member, by name."""
        with self._sessions() as s:
            rows = s.execute(
                select(ForecasterRecord.id, ForecasterRecord.name, ForecasterRecord.login).order_by(
                    ForecasterRecord.name, ForecasterRecord.id
                )
            ).all()
        return [Member(r.id, r.name, r.login) for r in rows]

    def join(self, name: object) -> Identity:
        """Become a member under ``name`` (a login's first use of a club), or change one's name."""
        clean = clean_name(name)
        with self._sessions.begin() as s:
            who = club.identity(s.connection())
            if not who.club:
                raise ClubError("This journal is not a club: it has no members to join.")
            if who.member is None:
                s.add(ForecasterRecord(name=clean, login=who.login, created_at=self._now()))
            else:
                s.get_one(ForecasterRecord, who.member.id).name = clean
            s.flush()
            return club.identity(s.connection())


def init_club(engine: Engine, owner_name: object) -> Member:
    """Make the server journal of ``engine`` a club whose owner is its login (see :func:`club.init`)."""
    return club.init(engine, clean_name(owner_name))


def add_member(engine: Engine, login: str, *, viewer: bool = False) -> club.NewLogin:
    return club.add_member(engine, login.strip(), viewer=viewer)


__all__ = ["SOLO", "ClubService", "add_member", "clean_name", "init_club"]

"""The services of one open journal, wired together.

The track record and import/export services are made on first use: their modules (scoring,
file formats) are not needed to show the board, so they are not imported before it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import URL

from etoile_app.domain.club import Identity, MemberRole, Who
from etoile_app.domain.models import PackChanges
from etoile_app.services.background import unstoppable
from etoile_app.services.backups import BEFORE_IMPORT, BackupService
from etoile_app.services.base import Clock, Progress, system_clock
from etoile_app.services.board import BoardService
from etoile_app.services.canon import CanonService
from etoile_app.services.cast import CastService
from etoile_app.services.club import ClubService
from etoile_app.services.theories import TheoryService
from etoile_app.storage.database import (
    OPEN_STEPS,
    Check,
    Database,
    OpenProgress,
    open_database,
    open_read_only,
)

if TYPE_CHECKING:
    from etoile_app.domain.transfer import ImportReport
    from etoile_app.services.club_record import ClubRecordService
    from etoile_app.services.track_record import TrackRecordService
    from etoile_app.services.transfer import TransferService


@dataclass
class Journal:
    database: Database
    theories: TheoryService
    board: BoardService
    canon: CanonService
    cast: CastService
    backups: BackupService
    club: ClubService
    #: Who the journal acts as (a club member, or in a journal of one its owner).
    who: Who = field(default_factory=Who)
    clock: Clock = field(default=system_clock, repr=False)
    seeded: PackChanges | None = None

    @property
    def identity(self) -> Identity:
        return self.who.identity

    def join_club(self, name: object) -> Identity:
        """Become a member of the club under ``name`` (or rename oneself); every service then
        acts as that member."""
        self.who.identity = self.club.join(name)
        self.__dict__.pop("track", None)  # made for the member it was
        return self.who.identity

    @cached_property
    def track(self) -> TrackRecordService:
        from etoile_app.services.track_record import TrackRecordService

        return TrackRecordService(self.database.sessions, self.clock, forecaster_id=self.identity.member_id)

    @cached_property
    def club_record(self) -> ClubRecordService:
        from etoile_app.services.club_record import ClubRecordService

        return ClubRecordService(self.database.sessions, self.clock)

    @cached_property
    def transfer(self) -> TransferService:
        from etoile_app.services.transfer import TransferService

        return TransferService(self.database.sessions, self.clock)

    @cached_property
    def _importer(self) -> TransferService:
        # Its transaction takes the write lock at BEGIN: it waits for another program's write
        # to end (up to the busy timeout) instead of failing half-way through.
        from etoile_app.services.transfer import TransferService

        return TransferService(self.database.writer_sessions(), self.clock)

    @cached_property
    def _pack_loader(self) -> CanonService:
        return CanonService(self.database.writer_sessions(), self.clock)

    @classmethod
    def open(
        cls,
        target: str | Path | URL,
        *,
        pack: Path | None = None,
        clock: Clock = system_clock,
        backups: bool = True,
        check: Check = "full",
        read_only: bool = False,
        progress: OpenProgress | None = None,
    ) -> Journal:
        """Open (creating and migrating) the journal and apply the canon pack if it is newer.

        ``read_only`` (an export) opens an existing journal without ever writing to it: no
        migration of the file, no canon pack, no checkpoint. ``check`` is
        :func:`open_database`'s; ``progress`` hears each step, the canon pack's last.
        """
        extra = {} if progress is None else {"progress": progress}
        db = (
            open_read_only(target)
            if read_only
            else open_database(target, backups=backups, check=check, **extra)
        )
        try:
            journal = cls.from_database(db, clock=clock)
            # A login that may only read a journal on a server cannot apply a pack: it sees the
            # canon whoever may write applied. Clients that may write apply it one at a time.
            # In a club only the owner applies packs: members see the canon the owner keeps.
            owner = journal.identity.role is MemberRole.OWNER
            if pack is not None and not read_only and not db.read_only and owner:
                if progress is not None:
                    progress(4, OPEN_STEPS, "Reading the canon")
                journal.seeded = journal.canon.apply_pack_file(pack)
        except BaseException:
            db.dispose()
            raise
        return journal

    @classmethod
    def from_database(cls, db: Database, *, clock: Clock = system_clock) -> Journal:
        s = db.sessions
        club = ClubService(s, clock)
        who = Who(club.identity()) if db.engine.dialect.name == "postgresql" else Who()
        return cls(
            database=db,
            theories=TheoryService(s, clock, who),
            club=club,
            who=who,
            board=BoardService(s, clock),
            canon=CanonService(s, clock),
            cast=CastService(s, clock, who),
            backups=BackupService(db, clock),
            clock=clock,
        )

    def import_file(
        self,
        path: str | Path,
        fmt: str | None = None,
        *,
        forecaster: str | None = None,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import a JSON or Fatebook CSV file, all or nothing, backing the journal up first
        (once the file has been checked, and only when the import will change something).
        ``forecaster`` picks whose forecasts a shared Fatebook export brings in; ``progress``
        hears how far it has got and may cancel it (see :data:`base.Progress`)."""
        extra = {} if progress is None else {"progress": progress}
        report = self._importer.import_file(
            path,
            fmt=fmt,
            before_write=lambda: self.backups.backup(BEFORE_IMPORT),
            forecaster=forecaster,
            **extra,
        )
        if report.changed:
            with unstoppable():  # committed: a cancel now would not undo it, only hide it
                self.database.checkpoint()  # the file alone holds what was imported
        return report

    def load_pack_file(self, path: Path, *, progress: Progress | None = None) -> PackChanges:
        """Apply the canon pack at ``path`` if it is newer, in one transaction that takes the
        write lock at its start (like an import); ``progress`` may stop it until it commits."""
        extra = {} if progress is None else {"progress": progress}
        return self._pack_loader.load_pack_file(Path(path), **extra)

    def close(self) -> None:
        """Checkpoint the journal into its one file and close every connection."""
        self.database.close()

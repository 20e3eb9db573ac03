"""Errors the journal raises for people to read.

Every message is a full sentence that says what is wrong and, where it helps, what to do.
"""

from __future__ import annotations


class JournalError(Exception):
    """Base of every error the journal raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- bad input -------------------------------------------------------------------------------


class ValidationError(JournalError):
    """Input that breaks a rule. ``field`` names the input, for showing the message beside it."""

    field: str = ""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field


class TitleError(ValidationError):
    field = "title"


class BodyError(ValidationError):
    field = "body"


class ConfidenceError(ValidationError):
    field = "confidence"


class RatingError(ValidationError):
    field = "rating"


class TagError(ValidationError):
    field = "tags"


class DateError(ValidationError):
    field = "date"


class TextFieldError(ValidationError):
    """A short text (note, source, statement, name) that is empty or too long."""


class ChoiceError(ValidationError):
    """A value that is not one of the allowed choices (category, stance, status, ...)."""


# --- things that are not there ---------------------------------------------------------------


class NotFoundError(JournalError):
    kind = "item"

    def __init__(self, ident: object) -> None:
        super().__init__(f"There is no {self.kind} with id {ident!r}; it may have been deleted.")
        self.ident = ident


class TheoryNotFoundError(NotFoundError):
    kind = "theory"


class CharacterNotFoundError(NotFoundError):
    kind = "character"


class FactNotFoundError(NotFoundError):
    kind = "canon fact"


class DreamCastNotFoundError(NotFoundError):
    kind = "dream casting entry"


class StarterNotFoundError(NotFoundError):
    kind = "starter theory"


# --- actions that do not fit the current state -------------------------------------------------


class InvalidStateError(JournalError):
    """The action makes no sense now, e.g. reopening a theory that is open."""


class StaleEditError(JournalError):
    """A save made from a copy of a theory that someone else changed since it was read: nothing
    was written. ``theirs`` is the theory as it stands now (a ``Theory``), to choose from."""

    def __init__(self, theirs: object) -> None:
        super().__init__("This theory was changed by someone else while you were editing it.")
        self.theirs = theirs


# --- files -----------------------------------------------------------------------------------


class CanonPackError(JournalError):
    """A canon pack that cannot be used. The message names the entry at fault."""


class DatabaseError(JournalError):
    """A database file that cannot be opened safely."""

    def __init__(self, message: str, path: object = None) -> None:
        super().__init__(message)
        self.path = path


class SchemaTooNewError(DatabaseError):
    """The file was written by a newer version of the app; it is left untouched."""

    #: The schema revision found in the file, when it could be read.
    revision: str | None = None


class DamagedDatabaseError(DatabaseError):
    """The file is a SQLite database but fails SQLite's own check; it is left exactly as it was."""


class NotADatabaseError(DatabaseError):
    """The file is not a database at all (a text file, random bytes, an encrypted file, a folder)."""


class ForeignDatabaseError(DatabaseError):
    """A database that belongs to another app: it holds tables but no journal schema version."""


class ReadOnlyDatabaseError(DatabaseError):
    """The file or its folder cannot be written, and the journal needs to write."""


class FolderError(DatabaseError):
    """The folder for a new journal is missing and cannot be created."""


class JournalInUseError(DatabaseError):
    """Another process (the app, or an import) is writing to this journal now."""


# --- backups -------------------------------------------------------------------------------


class BackupError(JournalError):
    """A backup that cannot be made, read or restored. ``path`` names the file concerned."""

    def __init__(self, message: str, path: object = None) -> None:
        super().__init__(message)
        self.path = path


class BackupsNotSupportedError(BackupError):
    """The journal lives on a database server; backing it up is the server's business."""


# --- the machine: disk, locks ----------------------------------------------------------------


class DiskFullError(JournalError):
    """The disk (or the journal's size limit) is full; the change was not made, nothing was lost."""

    def __init__(self, message: str, path: object = None) -> None:
        super().__init__(message)
        self.path = path


class JournalBusyError(JournalError):
    """Another program holds the journal's write lock longer than the app waits for it."""

    def __init__(self, message: str, path: object = None) -> None:
        super().__init__(message)
        self.path = path


class CancelledError(JournalError):
    """The work was stopped before it finished (a search made stale, an import cancelled);
    whatever it was writing was rolled back."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)


class UnexpectedError(JournalError):
    """Background work failed in a way nobody foresaw (a bug). It has already been logged
    and reported; this tells whoever waited for the work that it will not come."""

    def __init__(self, message: str = "Something unexpected went wrong; nothing was changed.") -> None:
        super().__init__(message)


# --- the database server -----------------------------------------------------------------------


class ServerError(JournalError):
    """A journal on a database server that cannot be reached or used as asked.

    ``server`` names it as ``host:port/database`` (never with the password); ``detail`` holds
    the server's (or the driver's) own words, for a dialog's details.
    """

    def __init__(self, message: str, server: str | None = None, detail: str | None = None) -> None:
        super().__init__(message)
        self.server = server
        self.detail = detail


class ServerUnavailableError(ServerError):
    """The server cannot be reached: nothing listens there, its name is unknown, it does not
    answer in time, or it is starting up or shutting down."""


class LoginFailedError(ServerError):
    """The server turned the login away: a wrong or missing password, or no such login (role)."""


class ServerDatabaseMissingError(ServerError):
    """The server is there but holds no database of the journal's name."""


class ConnectionLostError(ServerError):
    """The connection broke while in use: the server restarted, an administrator ended it, or
    the network dropped. The app reconnects by itself at the next action."""


class PermissionDeniedError(ServerError):
    """The login lacks a right the action needs (often: it may only read the journal).
    ``target`` names the table (or other object) concerned, when the server said which."""

    def __init__(
        self, message: str, server: str | None = None, detail: str | None = None, target: str | None = None
    ) -> None:
        super().__init__(message, server, detail)
        self.target = target


class ServerReadOnlyError(ServerError):
    """The server accepts only reading now: a read-only copy (standby), or a database or login
    set to read-only transactions."""


class TooManyConnectionsError(ServerError):
    """The server has no room for another connection."""


class WriteConflictError(ServerError):
    """Another client changed the same rows at the same moment (a serialization failure, a
    deadlock, a lock held too long); the change was not made and may simply be tried again."""


class ServerBusyError(ServerError):
    """The server stopped the work: it ran short of memory or other resources, or the work took
    longer than the server allows. Nothing was changed; it may be tried again later."""


class ServerDiskFullError(DiskFullError):
    """The server's disk is full; the change was not made. ``path`` and ``server`` name the server."""

    def __init__(self, message: str, server: str | None = None, detail: str | None = None) -> None:
        super().__init__(message, server)
        self.server = server
        self.detail = detail


# --- a club ------------------------------------------------------------------------------------


class ClubError(JournalError):
    """A club cannot be set up or changed as asked (a SQLite journal, a login that may not
    create logins, a name already taken); nothing was changed."""


class NotYoursError(JournalError):
    """In a club, the theory (or forecast, or dream casting) is another member's: only they,
    or the club's owner, may change it. The server refuses it too."""

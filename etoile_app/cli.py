"""Command-line parsing, the checks that must happen before Qt is loaded, and import/export.

``etoile-journal export`` and ``etoile-journal import`` work without a window: export loads
nothing of Qt, import only QtCore's lock file (the one the app holds, so the two never write at
once), and the display check applies only to opening the window.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from etoile_app import __version__

PROG = "etoile-journal"
# Spelled out here rather than imported, so that parsing the command line loads no database code.
EXPORT_FORMATS = ("json", "csv", "md")
IMPORT_FORMATS = ("json", "csv")
_DB_HELP = "the journal file (or a database URL); by default the one in your data folder"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Étoile Theory Journal: write, rate and score your theories about Étoile.",
    )
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    p.add_argument(
        "--db",
        metavar="PATH",
        help="open this journal file (or a database URL) instead of the one in your data folder",
    )
    p.add_argument(
        "--screenshot",
        metavar="DIR",
        type=Path,
        help="render every tab at 1280×800 to PNG files in DIR, then exit (works without a display)",
    )
    commands = p.add_subparsers(dest="command", metavar="COMMAND", title="commands (no window)")
    export = commands.add_parser(
        "export",
        help="write the journal to a JSON, CSV (Fatebook layout) or Markdown file",
        description="Write the journal to a file. JSON holds everything; CSV and Markdown hold the "
        "theories that are not in the bin.",
    )
    export.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        help="json (complete), csv (Fatebook's layout) or md (to share); by default from FILE's suffix",
    )
    export.add_argument("--out", metavar="FILE", type=Path, required=True, help="the file to write")
    # SUPPRESS: a --db given before the command is kept unless repeated after it.
    export.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=_DB_HELP)
    imports = commands.add_parser(
        "import",
        help="bring theories in from a JSON export or a Fatebook CSV export",
        description="Import a JSON export or a CSV in Fatebook's export layout, all or nothing. "
        "Importing the same file again updates what it imported instead of adding it twice.",
    )
    imports.add_argument("file", metavar="FILE", type=Path, help="the file to import")
    imports.add_argument(
        "--format", choices=IMPORT_FORMATS, help="json or csv; by default from FILE's suffix or content"
    )
    imports.add_argument(
        "--forecaster",
        metavar="NAME",
        help="in a Fatebook export shared by several people, whose forecasts to import "
        "(by default the person who made the most questions)",
    )
    imports.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=_DB_HELP)
    club = commands.add_parser(
        "club",
        help="make a journal on a PostgreSQL server a fan club's, and give members their logins",
        description="A club shares one journal on a PostgreSQL server: each member signs in with "
        "a login of their own, and the server lets them change only their own theories and "
        "forecasts. See docs/POSTGRESQL.md.",
    )
    club_commands = club.add_subparsers(dest="club_command", metavar="ACTION", required=True)
    init = club_commands.add_parser(
        "init",
        help="prepare the database at URL and its roles, with your login as the club's owner",
        description="Create (or upgrade) the journal at URL, the club's roles and their rights; "
        "your login becomes its owner, and every theory already there becomes yours. Your login "
        "must own the database's tables (or create them now) and may create logins (CREATEROLE).",
    )
    init.add_argument("url", metavar="URL", help="the database, e.g. postgresql://you@server/etoile")
    init.add_argument("--name", metavar="NAME", help="your display name in the club (by default your login)")
    add = club_commands.add_parser(
        "add-member",
        help="create a login for a new member and print how they connect",
        description="Create the login NAME with a new password, as a member (or with --viewer, "
        "as someone who may only read), and print the address they open the app with. They "
        "choose their display name the first time they open it.",
    )
    add.add_argument("login", metavar="NAME", help="the new login: lower-case letters, digits and _")
    add.add_argument("--viewer", action="store_true", help="may read the club's journal but change nothing")
    add.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="the club's database (its owner's URL)"
    )
    push = club_commands.add_parser(
        "push",
        help="bring a journal of yours (a file) into the club, as yours",
        description="Import the journal of one in FILE (read, never changed) into the club as the "
        "member whose login the URL names: its theories, forecasts and dream casting become "
        "yours. A member's push leaves news out (only the owner records news) and says so. "
        "Pushing the same journal again updates what it brought, never adds it twice.",
    )
    push.add_argument("file", metavar="FILE", type=Path, help="your journal of one (a .sqlite3 file)")
    push.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="the club's database, with your login"
    )
    home = club_commands.add_parser(
        "take-home",
        help="write your part of the club to a new journal of one",
        description="Write the theories you wrote or forecast on, with only your forecasts, your "
        "dream casting and the club's news, to a new journal file (never over an existing one). "
        "Its track record is your track record in the club.",
    )
    home.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="the club's database, with your login"
    )
    home.add_argument("--out", metavar="FILE", type=Path, required=True, help="the new journal file")
    return p


def display_problem(environ: dict[str, str] | None = None, platform: str | None = None) -> str | None:
    """One line saying why no window can open here, or ``None`` if one can."""
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return None
    if env.get("QT_QPA_PLATFORM") or env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return (
        f"{PROG}: no display found (DISPLAY and WAYLAND_DISPLAY are unset). "
        f"Run it on a desktop, under Xvfb (xvfb-run {PROG}), or with QT_QPA_PLATFORM=offscreen."
    )


def run(argv: list[str]) -> int:
    """Run the command line; every failure ends as a message on stderr and a non-zero exit code,
    with the details in the log file (:mod:`etoile_app.logs`), never as a traceback."""
    from etoile_app import logs

    logs.install()
    try:
        return _run(argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Whoever read the output went away (``| head``): nothing to say. Output from here on
        # goes nowhere, so that closing stdout at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:
        from etoile_app.domain.errors import JournalError

        if isinstance(exc, JournalError):
            return _fail(str(exc))
        logs.report(exc, lambda text, _exc: _fail(text))
        return 1


def _run(argv: list[str]) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.command is not None:
        if args.screenshot is not None:
            p.error(f"--screenshot opens the window; it cannot be combined with {args.command}")
        if args.command == "export":
            if args.format is None:
                args.format = _format_from_suffix(args.out)
                if args.format is None:
                    p.error(f"say which format to write with --format {{{','.join(EXPORT_FORMATS)}}}")
            return export_command(args.db, args.format, args.out)
        if args.command == "club":
            if args.club_command == "init":
                return club_init_command(args.url, args.name)
            if args.db is None:
                whose = "the owner's" if args.club_command == "add-member" else "your"
                p.error(f"say which club with --db URL ({whose} address of its database)")
            if args.club_command == "push":
                return club_push_command(args.db, args.file)
            if args.club_command == "take-home":
                return club_take_home_command(args.db, args.out)
            return club_add_command(args.db, args.login, viewer=args.viewer)
        return import_command(args.db, args.file, args.format, args.forecaster)
    if args.screenshot is not None:
        # Screenshots need no screen: draw offscreen unless a platform was chosen.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from etoile_app.app import launch

    return launch(db=args.db, screenshot_dir=args.screenshot)


# --- import and export -----------------------------------------------------------------------


def _format_from_suffix(path: Path) -> str | None:
    suffix = path.suffix.lower().lstrip(".")
    suffix = {"markdown": "md"}.get(suffix, suffix)
    return suffix if suffix in EXPORT_FORMATS else None


def _fail(message: str) -> int:
    """Say what went wrong on one line of stderr; exit code 1."""
    print(f"{PROG}: {' '.join(message.split())}", file=sys.stderr)
    return 1


class _Stop(Exception):
    """Stop a command with this exit code (the reason has been printed)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _open_journal(db: str | None, *, must_exist: bool) -> Any:
    """The journal at ``db`` (default: the data folder's); or an error line.

    ``must_exist`` (export) opens it read-only: nothing is written to it, not even a checkpoint
    of a ``-wal`` file left beside it. Otherwise (import) it is created, migrated and seeded.
    """
    from etoile_app import paths
    from etoile_app.domain.errors import JournalError
    from etoile_app.services.journal import Journal
    from etoile_app.storage.engine import sqlite_file, to_url

    target = db or paths.default_database_path()
    if must_exist:
        file = sqlite_file(to_url(target))
        if file is not None and not file.exists():
            raise _Stop(_fail(f"There is no journal at {file}; nothing to export."))
    try:
        if must_exist:
            return Journal.open(target, read_only=True)
        return Journal.open(target, pack=paths.canon_pack_path())
    except JournalError as exc:
        raise _Stop(_fail(str(exc))) from None


def export_command(db: str | None, fmt: str, out: Path) -> int:
    from etoile_app.domain.errors import JournalError

    try:
        journal = _open_journal(db, must_exist=True)
    except _Stop as stop:
        return stop.code
    try:
        report = journal.transfer.export_file(out, fmt)
    except JournalError as exc:
        return _fail(f"cannot export: {exc}")
    finally:
        journal.close()
    noun = "theory" if report.theories == 1 else "theories"
    print(f"Exported {report.theories} {noun} to {out}")
    return 0


def import_command(db: str | None, file: Path, fmt: str | None, forecaster: str | None = None) -> int:
    """Import ``file`` into the journal, holding the journal's lock so the app cannot race it.

    Only this command loads anything of Qt (QtCore's lock file, the same one the app takes).
    """
    from etoile_app import instance, paths
    from etoile_app.domain.errors import JournalError

    held = instance.database_file(db or paths.default_database_path())
    made = _NewJournal(held) if held is not None else None
    code = 1
    try:
        with instance.exclusive(held) if held is not None else contextlib.nullcontext():
            code = _import(db, file, fmt, forecaster)
            return code
    except JournalError as exc:
        return _fail(f"cannot import {file}: {exc}")
    finally:
        if code != 0 and made is not None:
            made.remove()


class _NewJournal:
    """What an import into a journal that did not exist yet creates, to be removed if it fails:
    a failed import leaves nothing behind."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.existed = path.exists()
        self.folders = [f for f in (path.parent / "backups", *path.parents) if not f.exists()]

    def remove(self) -> None:
        if self.existed:
            return
        import shutil

        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        for folder in self.folders:  # innermost first
            if folder.name == "backups":
                shutil.rmtree(folder, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only if empty


def _import(db: str | None, file: Path, fmt: str | None, forecaster: str | None = None) -> int:
    from etoile_app.domain.errors import JournalError

    try:
        journal = _open_journal(db, must_exist=False)
    except _Stop as stop:
        return stop.code
    try:
        report = journal.import_file(file, fmt, forecaster=forecaster)
    except JournalError as exc:
        return _fail(f"cannot import {file}: {exc}")
    finally:
        journal.close()
    print(f"Imported {file}: {report.summary()}")
    return 0


# --- a club ----------------------------------------------------------------------------------


def club_init_command(url: str, name: str | None) -> int:
    from etoile_app.services.club import init_club
    from etoile_app.storage.engine import make_engine, to_url

    target = to_url(url)
    engine = make_engine(target)
    try:
        member = init_club(engine, name or target.username or "Owner")
    finally:
        engine.dispose()
    print(f"The journal at {_shown(target)} is a club; you ({member.login}) own it, as {member.name}.")
    print(f"Add members with: {PROG} club add-member NAME --db '{url}'")
    return 0


def club_add_command(url: str, login: str, *, viewer: bool) -> int:
    from etoile_app.services.club import add_member
    from etoile_app.storage.engine import make_engine, to_url

    target = to_url(url)
    engine = make_engine(target)
    try:
        made = add_member(engine, login, viewer=viewer)
    finally:
        engine.dispose()
    theirs = target.set(username=made.login, password=made.password)
    what = "a viewer (may only read)" if viewer else "a member"
    print(f"Created the login {made.login}, {what} of the club at {_shown(target)}.")
    print(f"Password: {made.password}")
    print("They open the club's journal with:")
    print(f"  {PROG} --db '{theirs.render_as_string(hide_password=False)}'")
    print("Send them the password privately; they choose their display name when they first open it.")
    return 0


def _shown(url: Any) -> str:
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def club_push_command(url: str, file: Path) -> int:
    """Import the journal of one in ``file`` into the club at ``url``, as that login's member."""
    from etoile_app.domain.errors import JournalError
    from etoile_app.services.club_transfer import push
    from etoile_app.storage.engine import to_url

    if not file.is_file():
        return _fail(f"There is no journal at {file}; nothing to push.")
    try:
        club = _open_journal(url, must_exist=False)
    except _Stop as stop:
        return stop.code
    try:
        report = push(file, club)
    except JournalError as exc:
        return _fail(f"cannot push {file}: {exc}")
    finally:
        club.close()
    print(f"Pushed {file} into the club at {_shown(to_url(url))}: {report.summary()}")
    return 0


def club_take_home_command(url: str, out: Path) -> int:
    """Write the login's part of the club at ``url`` to the new journal ``out``."""
    from etoile_app import paths
    from etoile_app.domain.errors import JournalError
    from etoile_app.services.club_transfer import take_home
    from etoile_app.storage.engine import to_url

    try:
        club = _open_journal(url, must_exist=True)
    except _Stop as stop:
        return stop.code
    try:
        report = take_home(club, out, pack=paths.canon_pack_path())
    except JournalError as exc:
        return _fail(f"cannot take your part home: {exc}")
    finally:
        club.close()
    print(f"Wrote {out}, your part of the club at {_shown(to_url(url))}: {report.summary()}")
    return 0

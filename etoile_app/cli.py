"""Command-line parsing, and the checks that must happen before Qt is loaded."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from etoile_app import __version__

PROG = "etoile-journal"


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
    args = parser().parse_args(argv)
    if args.screenshot is not None:
        # Screenshots need no screen: draw offscreen unless a platform was chosen.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from etoile_app.app import launch

    return launch(db=args.db, screenshot_dir=args.screenshot)

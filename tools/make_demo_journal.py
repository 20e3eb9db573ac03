"""Write a small, realistic demo journal, for screenshots and for trying the app.

    python tools/make_demo_journal.py /tmp/demo.sqlite3
    python -m etoile_app --db /tmp/demo.sqlite3 --screenshot docs/screenshots

It adopts the starter theories, rates them, cites canon, resolves a few, writes a chain of
conditional theories and two multiple-choice ones, and records some dream casting, all through
the app's own services. The outcomes are invented for
illustration (some imagine a revival season); the canon itself is untouched.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from etoile_app import paths
from etoile_app.domain.enums import Category, Stance, TheoryStatus
from etoile_app.domain.models import DreamCastDraft, OptionDraft, TheoryDraft
from etoile_app.services.journal import Journal


class _Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def build(target: Path, seed: int = 7) -> None:
    if target.exists():
        raise SystemExit(f"{target} exists; choose a new file.")
    rng = random.Random(seed)
    clock = _Clock(datetime(2025, 5, 2, 19, 30, tzinfo=UTC))
    journal = Journal.open(target, pack=paths.canon_pack_path(), clock=clock)
    try:
        starters = journal.theories.starters()
        adopted = journal.theories.adopt_starters([s.key for s in starters], 50)
        facts = {f.key: f for f in journal.canon.facts()}
        for theory in adopted:
            clock.now += timedelta(minutes=rng.randint(5, 90))
            journal.theories.set_confidence(
                theory.id, rng.choice([15, 25, 35, 45, 55, 65, 75, 85]), "first guess"
            )
            journal.theories.set_juiciness(theory.id, rng.choice([None, 2, 3, 4, 5]))
        # Fans cite what they know: each starter's theme, tied to a canon fact.
        cites = {
            "late 2026": ("release-circle-late-2026", Stance.SUPPORTS),
            "london": ("locations-london-scouting", Stance.SUPPORTS),
            "shamblee": ("s1-crispin-donor", Stance.SUPPORTS),
            "crispin": ("s1-callow-plays-crispin", Stance.SUPPORTS),
            "nicholas": ("s1-nicholas-coma", Stance.SUPPORTS),
            "job she was offered": ("s1-artistic-director-offer", Stance.SUPPORTS),
            "tobias and gabin": ("s1-tobias-gabin-romance", Stance.SUPPORTS),
            "mishi": ("s1-mishi-minister", Stance.SUPPORTS),
            "revived": ("renewal-cancelled", Stance.CONTRADICTS),
            "picks up": ("renewal-no-revival", Stance.CONTRADICTS),
            "series finale": ("renewal-no-revival", Stance.SUPPORTS),
        }
        cited = set()
        for theory in adopted:
            for words, (key, stance) in cites.items():
                if words in theory.title.casefold() and key in facts:
                    journal.theories.link_evidence(theory.id, facts[key].id, stance)
                    cited.add(theory.id)
        # June 2025: the cancellation lands; confidence drops, then some are settled.
        clock.now = datetime(2025, 6, 7, 9, 0, tzinfo=UTC)
        for theory in adopted[::3]:
            clock.now += timedelta(minutes=7)
            journal.theories.set_confidence(
                theory.id, rng.choice([5, 10, 20]), "Deadline: cancelled after one season"
            )
        clock.now = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
        for theory in adopted[1::4]:
            journal.theories.resolve(
                theory.id, TheoryStatus.VOID, "The show was cancelled; this can never happen."
            )
        # Illustrative outcomes, as a fan might record them in a world where the show came back.
        for theory in adopted[3::4]:
            theory = journal.theories.get(theory.id)
            if theory.status.is_resolved:
                continue
            came_true = rng.random() < theory.confidence / 100 + rng.uniform(-0.15, 0.15)
            outcome = TheoryStatus.CONFIRMED if came_true else TheoryStatus.BUSTED
            journal.theories.resolve(theory.id, outcome, "Demo data: an imagined revival season.")
        release = next((t for t in adopted if "late 2026" in t.title.casefold()), None)
        if release is not None:
            journal.theories.resolve(release.id, TheoryStatus.BUSTED, "Cancelled in June 2025; no Season 2.")
        for theory in adopted[2::9]:
            theory = journal.theories.get(theory.id)
            if not theory.status.is_resolved:
                journal.theories.set_resolve_by(theory.id, date(2026, 6, 30))
        _questions(journal, clock)
        journal.cast.add_dream_cast(
            DreamCastDraft("An old dance rival of Geneviève", "Sutton Foster", "Bunheads reunion energy", 5)
        )
        journal.cast.add_dream_cast(DreamCastDraft("A stern ballet benefactor", "Kelly Bishop", "", 4))
        print(f"{target}: {len(adopted)} theories, {len(cited)} citing canon")
    finally:
        journal.close()


def _questions(journal: Journal, clock: _Clock) -> None:
    """A chain of conditional theories and two multiple-choice ones, their minds changed over time."""
    clock.now = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
    revival = journal.theories.create(
        TheoryDraft(
            "Étoile is revived by 2028",
            "A film, a special or another service picking it up.",
            Category.RELEASE_PRODUCTION,
            tags=("revival",),
            confidence=15,
            resolve_by=date(2028, 12, 31),
        )
    )
    met = journal.theories.create(
        TheoryDraft(
            "If Étoile returns, Cheyenne runs the Met",
            "She took the job in the finale; a second season would start there.",
            Category.PLOT_ARC,
            confidence=60,
            condition_id=revival.id,
        )
    )
    journal.theories.create(
        TheoryDraft(
            "If Cheyenne runs the Met, Jack follows her to New York",
            "",
            Category.ROMANCE,
            confidence=45,
            condition_id=met.id,
        )
    )
    who = journal.theories.create(
        TheoryDraft(
            "Who does Cheyenne end up with?",
            "The finale's kiss against the years of history.",
            Category.ROMANCE,
            options=(OptionDraft("Jack", 55), OptionDraft("Gael", 25), OptionDraft("nobody", 20)),
        )
    )
    clock.now += timedelta(days=2)
    journal.theories.edit(
        who.id,
        replace(
            who.as_draft(),
            options=(OptionDraft("Jack", 65), OptionDraft("Gael", 15), OptionDraft("nobody", 20)),
        ),
        confidence_note="rewatched the finale",
    )
    lead = journal.theories.create(
        TheoryDraft(
            "Who leads Le Ballet National in a revival?",
            "",
            Category.PLOT_ARC,
            options=(
                OptionDraft("Geneviève", 40),
                OptionDraft("Crispin", 35),
                OptionDraft("someone new", 25),
            ),
        )
    )
    clock.now += timedelta(days=1)
    journal.theories.resolve(
        lead.id, TheoryStatus.CONFIRMED, "Demo data: an imagined revival.", option="Crispin"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("journal", type=Path, help="the new journal file to write (it must not exist)")
    parser.add_argument("--seed", type=int, default=7, help="the random seed for the ratings (default 7)")
    args = parser.parse_args(argv)
    build(args.journal, args.seed)


if __name__ == "__main__":
    main()

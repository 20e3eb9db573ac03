"""Timing helpers: start-up marks from child processes, interleaved runs, medians and p95."""

from __future__ import annotations

import math
import os
import random
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

MARK = "etoile-mark"
HERE = Path(__file__).resolve().parent
SCREEN = HERE / "offscreen-screen.json"


def offscreen_env(config_home: Path, data_home: Path, **extra: str) -> dict[str, str]:
    """The environment for a measured child: offscreen on a 1920×1200 screen, private folders."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        QT_QPA_PLATFORM=f"offscreen:configfile={SCREEN}",
        XDG_CONFIG_HOME=str(config_home),
        XDG_DATA_HOME=str(data_home),
        **extra,
    )
    return env


def run_marks(command: Sequence[str], env: dict[str, str], timeout: float = 120) -> dict[str, float]:
    """Start ``command`` and return seconds from just before the start to each mark it printed."""
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    marks = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == MARK:
            marks[parts[1]] = float(parts[2]) - started
    if done.returncode != 0 or not marks:
        raise RuntimeError(
            f"{' '.join(map(str, command))} exited {done.returncode} with marks {marks}:\n"
            f"{done.stderr[-2000:]}"
        )
    return marks


def run_wall(command: Sequence[str], env: dict[str, str], timeout: float = 300) -> float:
    """Seconds from start to exit of ``command`` (which must succeed)."""
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return elapsed


def interleave(variants: dict[str, Callable[[], object]], rounds: int, seed: int = 1) -> dict[str, list]:
    """Run each variant once per round, in a new random order each round (so drift and noise
    from the shared machine fall on all of them alike); the first round is a warm-up."""
    rng = random.Random(seed)
    results: dict[str, list] = {name: [] for name in variants}
    names = list(variants)
    for round_ in range(rounds + 1):
        rng.shuffle(names)
        for name in names:
            value = variants[name]()
            if round_:
                results[name].append(value)
    return results


@dataclass(frozen=True)
class Stats:
    median: float
    p95: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        return cls(statistics.median(values), percentile(values, 95), len(values))


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


class OtherLoad:
    """How many cores other processes kept busy from now until :meth:`cores` (a shared machine's
    noise, said next to the figures): the system's busy CPU time less this process's and its
    finished children's."""

    def __init__(self) -> None:
        import psutil

        self._process = psutil.Process()
        self._start = self._sample()

    def _sample(self) -> tuple[float, float, float]:
        import psutil

        t = psutil.cpu_times()
        busy = t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0)
        busy += getattr(t, "steal", 0)
        own = self._process.cpu_times()
        mine = own.user + own.system + own.children_user + own.children_system
        return time.monotonic(), busy, mine

    def cores(self) -> float:
        wall, busy, mine = self._sample()
        wall0, busy0, mine0 = self._start
        return max(0.0, ((busy - busy0) - (mine - mine0)) / max(1e-9, wall - wall0))

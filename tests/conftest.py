"""Shared fixtures: one migrated, seeded template database per session, copied for each test."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import backends
import pytest
from helpers import MINI_PACK, FakeClock, sidecar_files
from helpers import db_snapshot as _db_snapshot
from hypothesis import settings
from sqlalchemy import URL

from etoile_app import paths
from etoile_app.canon.pack import load_pack
from etoile_app.services.canon import CanonService
from etoile_app.services.journal import Journal
from etoile_app.storage.database import open_database
from etoile_app.ui.common.collector import collect_due

# Property tests run the same examples every time (set HYPOTHESIS_PROFILE=explore to search wider);
# no deadline, because a busy machine running two workers makes timings meaningless.
settings.register_profile("etoile", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("explore", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "etoile"))


@pytest.fixture(autouse=True)
def _cycles_collected_between_tests() -> Iterator[None]:
    """Once a GUI test has turned automatic collection over to the GUI thread's timer, tests
    that run no event loop still have their cycles collected, here on the main thread."""
    yield
    if not gc.isenabled():
        collect_due()


@pytest.fixture(autouse=True)
def isolated_user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every per-user folder at a temporary one, so no test reads or writes real data."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setattr(paths, "user_data_dir", lambda: home / "data")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg-cache"))
    return home


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of one backend are skipped on the other (see :mod:`backends`)."""
    for item in items:
        kind = backends.kind_of(item)
        if backends.BACKEND == "postgresql" and kind == "sqlite":
            item.add_marker(pytest.mark.skip(reason="SQLite only: this run is on PostgreSQL"))
        elif backends.BACKEND == "postgresql" and kind == "none":
            item.add_marker(pytest.mark.skip(reason="uses no journal: run on the SQLite pass"))
        elif backends.BACKEND == "sqlite" and kind == "postgresql":
            item.add_marker(pytest.mark.skip(reason=backends.NO_SERVER))


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[Path | URL]:
    """A journal migrated to head and seeded with the mini pack, made once per session (per
    worker): a SQLite file, or a database on the test server."""
    if backends.BACKEND == "postgresql":
        url = backends.server().create(f"template_{worker_id}")
        _seed(url)
        yield url
        backends.server().drop(url)
        return
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _seed(path)
    # Closing the last connection checkpoints the WAL into the file and removes it, so the
    # file alone is the whole database and can be copied.
    assert not sidecar_files(path), "the template's WAL was not checkpointed"
    yield path


def _seed(target: Path | URL) -> None:
    db = open_database(target)
    try:
        CanonService(db.sessions, FakeClock()).apply_pack(load_pack(MINI_PACK))
    finally:
        db.dispose()


@pytest.fixture
def db_target(template_db: Path | URL, tmp_path: Path) -> Iterator[Path | URL]:
    """A private copy of the template for one test: a file, or a database on the server."""
    with backends.copied_database(template_db, tmp_path) as target:
        yield target


@pytest.fixture
def db_path(db_target: Path | URL) -> Path:
    """The private copy of the template as a SQLite file (the test is a SQLite test)."""
    assert isinstance(db_target, Path), "db_path is SQLite's: the test should have been skipped"
    return db_target


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def journal(db_target: Path | URL, clock: FakeClock) -> Iterator[Journal]:
    j = Journal.from_database(open_database(db_target), clock=clock)
    try:
        yield j
    finally:
        j.close()


@pytest.fixture
def other(db_target: Path | URL, clock: FakeClock) -> Iterator[Journal]:
    """Another member's client on the same journal: its own connections to the same database."""
    j = Journal.from_database(open_database(db_target), clock=clock)
    try:
        yield j
    finally:
        j.close()


@pytest.fixture
def db_snapshot() -> Callable[[Journal], dict]:
    """``db_snapshot(journal)``: every table's rows, for proving that bad input wrote nothing."""
    return _db_snapshot

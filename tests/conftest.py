from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import NETBLOCK, Clock
from majicflux_desktop.core.library import Library

# Every test runs offline: the same blocker the subprocess tests load through PYTHONPATH.
_spec = importlib.util.spec_from_file_location("majicflux_netblock", NETBLOCK / "sitecustomize.py")
assert _spec is not None and _spec.loader is not None
_spec.loader.exec_module(importlib.util.module_from_spec(_spec))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """A failure's report at once, not at the end: a later crash (a Qt test that segfaults)
    would otherwise take the explanation with it."""
    if report.failed:
        sys.stderr.write(f"\n{report.nodeid} {report.when} FAILED\n{report.longreprtext}\n")
        sys.stderr.flush()


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from majicflux_desktop.engine import tiny

    return tiny.write_models(tmp_path_factory.mktemp("tiny-models"))


@pytest.fixture(scope="session")
def tiny_paths(tiny_models: Path):
    from majicflux_desktop.engine import scan

    return scan.check(tiny_models).paths()


@pytest.fixture(scope="session")
def engine(tiny_paths):
    """One engine with the tiny model, shared by the tests that only generate."""
    from majicflux_desktop.engine.pipeline import Engine

    engine = Engine(device="cpu")
    engine.load(tiny_paths, "bf16")
    return engine


# -- the library: one empty library per test, on a clock that moves a second per reading -----------


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "library.sqlite3"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "images"


@pytest.fixture
def library(db_path: Path, out: Path, clock: Clock) -> Iterator[Library]:
    library = Library(db_path, out, clock=clock)
    yield library
    library.close()

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from helpers import NETBLOCK

# Every test runs offline: the same blocker the subprocess tests load through PYTHONPATH.
_spec = importlib.util.spec_from_file_location("majicflux_netblock", NETBLOCK / "sitecustomize.py")
assert _spec is not None and _spec.loader is not None
_spec.loader.exec_module(importlib.util.module_from_spec(_spec))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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

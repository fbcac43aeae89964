"""Reliability: the real app under crashes, bad files, bad input and a hostile environment.

The window tests reuse tests/ui's helpers (the real window on the tiny random-weight model,
offscreen). The subprocess runs are started together by `background_runs` (see runs.py) so that
their imports of torch overlap on the CI machine's two cores.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "ui"))  # ui_helpers

import runs
from ui_helpers import data_dir, launch, make_data_dir

from fakehub import FakeHub, serve

__all__ = ["data_dir", "launch"]  # the window fixtures of tests/ui


@pytest.fixture
def served_hub() -> Iterator[FakeHub]:
    """The model hub of tests/fakehub.py on 127.0.0.1 for one test (its files are the same in
    every hub: the one the download run was killed on is gone by then)."""
    with serve(FakeHub()) as hub:
        yield hub


@pytest.fixture(scope="session")
def background_runs(
    tmp_path_factory: pytest.TempPathFactory, tiny_models: Path
) -> dict[str, runs.Run]:
    """Every subprocess run of the suite, started at once, all finished on return. The hub the
    download run reads from stops then too: a server thread left polling for the rest of the
    session ran beside every window test."""
    root = tmp_path_factory.mktemp("runs")

    def data(name: str) -> Path:
        return make_data_dir(root / name / "data", tiny_models)

    with serve(FakeHub()) as hub:
        return runs.run_all(started_runs(data, root, hub.url))


def started_runs(data: Callable[[str], Path], root: Path, hub_url: str) -> list[runs.Run]:
    steps = runs.CRASH_STEPS
    return [
        # the 3rd image's first step: two images are saved by then
        runs.crash_run(
            "generation", data("generation"), f"generation-step:{2 * steps + 1}",
            "killed while generating", 3,
        ),
        runs.crash_run("png-write", data("png-write"), "png-write:2", "killed while writing", 2),
        runs.crash_run("db-commit", data("db-commit"), "db-commit:2", "killed committing", 3),
        runs.settings_run(data("settings")),
        runs.download_run(root / "download", hub_url),
        runs.clean_run(root / "clean"),
    ]  # fmt: skip

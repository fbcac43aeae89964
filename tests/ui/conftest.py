"""The real window on the tiny random-weight model, offscreen (see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from ui_helpers import Launch, make_data_dir, wait_ready

from majicflux_desktop.app import DesktopApp, Options
from majicflux_desktop.core.paths import AppPaths


@pytest.fixture
def data_dir(tmp_path: Path, tiny_models: Path) -> Path:
    return make_data_dir(tmp_path / "data", tiny_models)


@pytest.fixture
def launch(qapp: QApplication, qtbot) -> Iterator[Launch]:
    """Start the app on a data folder (waiting until its engine is ready); close it afterwards."""
    started: list[DesktopApp] = []

    def start(
        folder: Path, *, demo: bool = True, start_queue: bool = False, wait: bool = True
    ) -> DesktopApp:
        desktop = DesktopApp(
            qapp, AppPaths.portable(folder), Options(demo, start_queue, device="cpu")
        )
        started.append(desktop)
        desktop.start()
        if wait:
            wait_ready(qtbot, desktop)
        return desktop

    yield start
    for desktop in started:
        if desktop.window is not None:
            desktop.window.close()
        desktop.shutdown()

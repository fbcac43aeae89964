"""Helpers for the window tests: data folders with the demo models, small requests, waiting."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from majicflux_desktop.app import DEMO_MODELS, DesktopApp, Options
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.ui.window.main_window import MainWindow
from majicflux_desktop.ui.worker import EngineState

Launch = Callable[..., DesktopApp]
LOAD_TIMEOUT_MS = 90_000  # the first launch of the session imports torch and diffsynth


def small_request(prompt: str = "a ginger cat", **changes: object) -> GenerationRequest:
    values: dict[str, object] = dict(prompt=prompt, width=256, height=256, steps=2)
    values.update(changes)
    return GenerationRequest(**values)  # type: ignore[arg-type]


def drop(window: MainWindow, path: Path, answer: str = "parameters") -> None:
    """Drop a file on the window as the system would; a PNG with parameters asks what it is
    for, and `answer` ("parameters", "source" or "cancel") clicks that button."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    answer_drop_question(window, answer)


def answer_drop_question(window: MainWindow, answer: str = "parameters") -> None:
    box = window.drop_question
    if box is None:
        return
    assert box.isVisible() and box.windowModality() != Qt.WindowModality.NonModal
    texts = {
        "parameters": window.tr("Use its parameters"),
        "source": window.tr("Use it as the source image"),
    }
    if answer == "cancel":
        box.button(QMessageBox.StandardButton.Cancel).click()
        return
    (button,) = [b for b in box.buttons() if b.text() == texts[answer]]
    button.click()


def make_data_dir(folder: Path, tiny_models: Path, language: str = "en") -> Path:
    """A portable data folder with the demo models already written (a copy, not a rebuild)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / DEMO_MODELS).exists():
        shutil.copytree(tiny_models, folder / DEMO_MODELS)
    settings = folder / "settings.json"
    if not settings.exists():
        settings.write_text(json.dumps({"schema_version": 1, "language": language}), "utf-8")
    return folder


def wait_ready(qtbot, desktop: DesktopApp) -> None:
    def ready() -> None:
        assert desktop.window is not None
        state = desktop.window.engine_state
        assert state is not EngineState.FAILED, desktop.window.status.engine_banner.text()
        assert state is EngineState.READY

    qtbot.waitUntil(ready, timeout=LOAD_TIMEOUT_MS)


def worker_caught_up(qtbot, worker) -> None:  # type: ignore[no-untyped-def]
    """Ask the worker to catch up and wait until it has: everything asked of it before has been
    handled. Not `qtbot.waitSignal`, whose blocker is quit from the thread that emits: the worker
    answers at once, in its own thread, and a quit (and a stop of the timeout's timer) that lands
    before pytest-qt's event loop starts is lost. A clean-clone CI run hung in that loop for 12
    minutes on 2026-12-04, most likely so; polling a flag cannot lose it."""
    heard = threading.Event()
    note = heard.set
    worker.caught_up.connect(note, Qt.ConnectionType.DirectConnection)
    try:
        worker.catch_up()
        qtbot.waitUntil(heard.is_set, timeout=10_000)
    finally:
        worker.caught_up.disconnect(note)


def window_heard_all(qtbot, desktop: DesktopApp) -> None:
    """Wait until every piece of news the engine's worker sent has reached the window.

    `caught_up` alone is not enough: it is heard in the worker's thread, and may come before
    the UI thread has run the news queued before it (a notice, say). Those events were posted
    before `caught_up` was emitted, so delivering the UI thread's posted events afterwards runs
    all of them.
    """
    worker_caught_up(qtbot, desktop.worker)
    QApplication.sendPostedEvents()


def window_of(desktop: DesktopApp) -> MainWindow:
    assert desktop.window is not None
    return desktop.window


# -- fixtures, imported by tests/ui/conftest.py and tests/reliability/conftest.py ----------------


@pytest.fixture
def data_dir(tmp_path: Path, tiny_models: Path) -> Path:
    return make_data_dir(tmp_path / "data", tiny_models)


@pytest.fixture
def launch(qapp: QApplication, qtbot) -> Iterator[Launch]:
    """Start the app on a data folder, as a person would; close it afterwards.

    `wait`: until the engine is ready (demo only: without the demo, the models are checked and
    the test waits for what it expects to see).
    """
    started: list[DesktopApp] = []

    def start(
        folder: Path, *, demo: bool = True, start_queue: bool = False, wait: bool = True
    ) -> DesktopApp:
        desktop = DesktopApp(
            qapp, AppPaths.portable(folder), Options(demo, start_queue, device="cpu")
        )
        started.append(desktop)
        desktop.start()
        if wait and demo:
            wait_ready(qtbot, desktop)
        return desktop

    yield start
    for desktop in started:
        if desktop.window is not None:
            desktop.window.close()
        desktop.shutdown()
    # The app exits after shutdown; a test session goes on: delete the windows, menus and
    # dialogs it left (thousands of live widgets slow every later window test).
    for widget in QApplication.topLevelWidgets():
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

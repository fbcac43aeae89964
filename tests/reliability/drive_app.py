"""The real app (`python -m majicflux_desktop`) with a scripted user, for the subprocess tests.

    python drive_app.py ACTION [app options …]

generate-then-close: queue one small image as the window shows; close the window once it is saved.
switch-theme: switch the theme in the settings as the window shows, then close the window.

Everything else is the app's own entry point: argument parsing, logging, QApplication, start-up
recovery, the worker thread, shutdown. Only `DesktopApp.start` is wrapped to add the script.
"""

from __future__ import annotations

import dataclasses
import sys

from PySide6.QtCore import QTimer

from majicflux_desktop.__main__ import main
from majicflux_desktop.app import DesktopApp
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.ui.window.main_window import MainWindow

PROMPT = "a lantern in the fog, 雾中的灯笼"


def generate_then_close(desktop: DesktopApp, window: MainWindow) -> None:
    # window.close is a slot of an object in the UI thread: Qt queues the call there
    desktop.worker.job_finished.connect(window.close)
    desktop.worker.job_failed.connect(window.close)
    window.enqueue(GenerationRequest(PROMPT, width=256, height=256, steps=2, seed=7))


def switch_theme(desktop: DesktopApp, window: MainWindow) -> None:
    def switch() -> None:
        desktop.change_settings(dataclasses.replace(desktop.settings, theme="light"))
        window.close()

    QTimer.singleShot(0, switch)


SCRIPTS = {"generate-then-close": generate_then_close, "switch-theme": switch_theme}


def run(action: str, app_args: list[str]) -> int:
    script = SCRIPTS[action]
    real_start = DesktopApp.start

    def start(self: DesktopApp) -> MainWindow:
        window = real_start(self)
        script(self, window)
        return window

    DesktopApp.start = start  # type: ignore[method-assign]
    return main(app_args)


if __name__ == "__main__":
    sys.exit(run(sys.argv[1], sys.argv[2:]))

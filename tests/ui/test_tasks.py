"""Work off the UI thread must not keep the app from closing."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from helpers import subprocess_env

NEVER_ENDING = textwrap.dedent(
    """
    import threading
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from majicflux_desktop.ui.common.background import run_in_background

    app = QApplication([])
    # a scan of a network drive that stopped answering
    run_in_background(threading.Event().wait, print, print)
    QTimer.singleShot(100, app.quit)
    app.exec()
    del app  # Qt waits for its global thread pool here
    print("closed")
    """
)


FINISHING_LATE = textwrap.dedent(
    """
    import time
    import shiboken6
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from majicflux_desktop.ui.common import background as tasks

    app = QApplication([])
    for delay in (0.2, 0.3, 0.45, 0.6):  # after the app, after the dispatcher, during exit
        tasks.run_in_background(lambda d=delay: time.sleep(d) or d, print, print)
    QTimer.singleShot(50, app.quit)
    app.exec()
    del app
    time.sleep(0.25)
    shiboken6.delete(tasks._dispatcher)
    time.sleep(0.25)
    print("closed")
    """
)


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_background_work_does_not_hold_up_closing() -> None:
    done = run(NEVER_ENDING)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "closed"


def test_work_that_outlives_the_app_ends_quietly() -> None:
    done = run(FINISHING_LATE)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "closed"  # no result was delivered to a window that is gone
    assert "Traceback" not in done.stderr and "Error" not in done.stderr

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
    from majicflux_desktop.ui.tasks import run_in_background

    app = QApplication([])
    # a scan of a network drive that stopped answering
    run_in_background(threading.Event().wait, print, print)
    QTimer.singleShot(100, app.quit)
    app.exec()
    del app  # Qt waits for its global thread pool here
    print("closed")
    """
)


def test_background_work_does_not_hold_up_closing() -> None:
    done = subprocess.run(
        [sys.executable, "-c", NEVER_ENDING],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "closed"

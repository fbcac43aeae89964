"""Nothing is lost across a restart, a close mid-job, or a kill mid-job."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from ui_helpers import Launch, make_data_dir, small_request, window_of

from helpers import subprocess_env
from majicflux_desktop.core.library import Library
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.core.store.jobs import JobState

# each test starts the app twice on one data folder; the last one kills it in another process
pytestmark = pytest.mark.slow


def test_restart_finds_history_and_queue_intact(qtbot, launch: Launch, data_dir: Path) -> None:
    first = launch(data_dir)
    window = window_of(first)
    with qtbot.waitSignal(first.worker.job_finished, timeout=30_000) as done:
        window.enqueue(small_request("made before the restart", seed=5))
    made = done.args[1]
    window.queue.set_paused(True)
    for prompt in ("waiting one", "waiting two"):
        window.enqueue(small_request(prompt))
    window.resize(1400, 700)
    size = (window.width(), window.height())
    window.close()
    assert first.host.thread.isFinished()

    second = launch(data_dir)
    window = window_of(second)
    # geometry restored (the offscreen platform's frame may shift it by a few pixels)
    assert abs(window.height() - size[1]) <= 10 and (data_dir / "window.ini").is_file()
    qtbot.waitUntil(lambda: window.gallery.model.rowCount() == 1)
    assert second.library.records.image(made.id) is not None
    assert [job.request.prompt for job in second.library.jobs.queued()] == [
        "waiting one",
        "waiting two",
    ]
    rows = window.queue.row_texts()
    assert any("waiting one" in row for row in rows) and any("waiting two" in row for row in rows)
    assert second.worker.paused and window.queue.pause_button.isChecked()
    notice = next(n for n in window.notices.notices() if "waiting in the queue" in n.text)
    assert notice.action_button is not None
    qtbot.mouseClick(notice.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: second.library.records.count() == 3, timeout=30_000)
    assert not second.worker.paused
    assert second.library.jobs.queued() == []


def test_closing_while_generating_stops_cleanly_and_offers_resume(
    qtbot, launch: Launch, data_dir: Path
) -> None:
    first = launch(data_dir)
    window = window_of(first)
    with qtbot.waitSignal(first.worker.progressed, timeout=30_000) as step:
        window.enqueue(small_request("closed mid-job", count=64, steps=4))
    job_id = step.args[0]
    started = time.monotonic()
    window.close()
    assert first.host.thread.isFinished()
    assert time.monotonic() - started < 10
    state, done = count_rows(AppPaths.portable(data_dir).library_file)
    assert state == "running" and done < 64  # left for the next start to offer resuming

    second = launch(data_dir)
    window = window_of(second)
    assert [job.id for job in second.interrupted] == [job_id]
    notice = next(n for n in window.notices.notices() if "did not finish" in n.text)
    assert "closed mid-job" in notice.text


def count_rows(database: Path) -> tuple[str, int]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
        row = db.execute("SELECT state, images_done FROM jobs").fetchone()
    return row[0], row[1]


def test_killed_mid_job_then_reported_as_interrupted_and_resumable(
    qtbot, launch: Launch, tmp_path: Path, tiny_models: Path
) -> None:
    folder = make_data_dir(tmp_path / "killed", tiny_models)
    paths = AppPaths.portable(folder).ensure()
    library = Library(paths.library_file, paths.default_output_dir)
    job = library.jobs.enqueue(small_request("killed mid-job", count=40, steps=4))
    library.close()
    app = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "majicflux_desktop",
            "--data-dir",
            str(folder),
            "--demo",
            "--start-queue",
            "--device",
            "cpu",
        ],
        env=subprocess_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert app.poll() is None, app.stderr.read().decode() if app.stderr else ""
            state, done = count_rows(paths.library_file)
            if state == "running" and done >= 2:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the job never got going")
    finally:
        app.send_signal(signal.SIGKILL)
        app.wait(10)
    state, done = count_rows(paths.library_file)
    assert state == "running" and 2 <= done < 40

    desktop = launch(folder)
    window = window_of(desktop)
    assert [j.id for j in desktop.interrupted] == [job.id]
    assert desktop.library.jobs.job(job.id).state is JobState.INTERRUPTED
    assert desktop.library.records.count() == done  # every finished image is there
    assert desktop.library.missing_files() == []
    notice = next(n for n in window.notices.notices() if "did not finish" in n.text)
    assert "killed mid-job" in notice.text and notice.action_button is not None
    qtbot.mouseClick(notice.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: desktop.library.jobs.job(job.id).state is JobState.FINISHED, timeout=60_000
    )
    assert desktop.library.records.count() == 40  # only the missing ones were made

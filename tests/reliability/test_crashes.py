"""Crashes and kills: the real app in a subprocess, on the tiny model, killed with SIGKILL at an exact
point (MAJICFLUX_CRASH_AT, core/faults.py), then started again on the same data folder."""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import sys

import pytest
from checks import assert_nothing_lost, half_written, notice_with, resume_from_notice
from runs import CRASH_SEED, Run, download_command, hub_env, image_rows, job_row
from ui_helpers import Launch, window_of

from majicflux_desktop.app import DesktopApp
from majicflux_desktop.core.paths import AppPaths, is_stale_temp_file
from majicflux_desktop.core.settings import load_settings
from majicflux_desktop.core.store.jobs import JobState
from majicflux_desktop.engine import scan

pytestmark = [
    pytest.mark.slow,  # subprocess runs of the app, killed and started again
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"),
]

KILLED = -getattr(signal, "SIGKILL", 9)


def killed(run: Run) -> None:
    assert not run.extra.get("timed_out"), (
        f"{run.name}: never reached its fault\n{run.output[-3000:]}"
    )
    assert run.returncode == KILLED, f"{run.name}: exit {run.returncode}\n{run.output[-3000:]}"


def restart_and_resume(qtbot, launch: Launch, run: Run, saved_before: int) -> DesktopApp:
    """Start again: nothing lost, the lock left by the kill is no obstacle, the job is offered
    for resume, and Resume makes only the missing images (seeds without repeats or gaps)."""
    library_file = AppPaths.portable(run.folder).library_file
    rows = image_rows(library_file)
    assert len(rows) == saved_before
    assert job_row(library_file, run.extra["job_id"])["state"] == "running"
    assert AppPaths.portable(run.folder).lock_file.exists()  # left by the kill
    desktop = launch(run.folder)
    assert desktop.instance.unclean_before
    assert_nothing_lost(qtbot, desktop, rows)
    job = desktop.library.jobs.job(run.extra["job_id"])
    assert job is not None and job.state is JobState.INTERRUPTED
    assert run.extra["prompt"] in notice_with(desktop, "did not finish").text
    resume_from_notice(qtbot, desktop, job.id)
    assert_nothing_lost(qtbot, desktop, rows)
    count = run.extra["count"]
    seeds = sorted(r.seed for r in desktop.library.records.images())
    assert seeds == list(range(CRASH_SEED, CRASH_SEED + count))
    return desktop


def test_killed_while_generating(qtbot, launch: Launch, background_runs: dict[str, Run]) -> None:
    """Killed during the 3rd image's denoising. The user sees the two finished images in the
    gallery and a notice "1 job(s) did not finish …" with Resume, which makes only the 3rd."""
    run = background_runs["generation"]
    killed(run)
    restart_and_resume(qtbot, launch, run, saved_before=2)


def test_killed_while_writing_the_png(
    qtbot, launch: Launch, background_runs: dict[str, Run]
) -> None:
    """Killed with half of the 2nd image written. The user sees the 1st image, never a broken
    one; the half file (hidden, temporary) is removed; Resume makes the 2nd image."""
    run = background_runs["png-write"]
    killed(run)
    output = AppPaths.portable(run.folder).default_output_dir
    halves = [p for p in output.rglob("*") if is_stale_temp_file(p.name)]
    assert len(halves) == 1 and halves[0].stat().st_size > 0  # the kill did come mid-write
    restart_and_resume(qtbot, launch, run, saved_before=1)


def test_killed_during_the_database_commit(
    qtbot, launch: Launch, background_runs: dict[str, Run]
) -> None:
    """Killed after the 2nd image's file was in place but before its row was committed. The user
    sees both images (the 2nd adopted from its PNG metadata, with a notice saying so), and
    Resume makes only the 3rd: the adopted image counts for its job, no seed is made twice."""
    run = background_runs["db-commit"]
    killed(run)
    output = AppPaths.portable(run.folder).default_output_dir
    assert len(list(output.rglob("*.png"))) == 2  # one more file than rows
    desktop = restart_and_resume(qtbot, launch, run, saved_before=1)
    assert "1 image(s) it had written were added back" in notice_with(desktop, "added back").text


def test_killed_while_saving_the_settings(
    qtbot, launch: Launch, background_runs: dict[str, Run]
) -> None:
    """Killed halfway through writing the new settings. The user gets the old settings back, with
    no warning about a broken file (there is none), and a later change saves normally."""
    run = background_runs["settings"]
    killed(run)
    paths = AppPaths.portable(run.folder)
    assert any(is_stale_temp_file(p.name) for p in run.folder.iterdir())  # killed mid-write
    assert json.loads(paths.settings_file.read_text("utf-8")) == {
        "schema_version": 1,
        "language": "en",
    }  # the old file, untouched
    desktop = launch(run.folder, wait=False)
    assert desktop.settings.theme == "dark" and desktop.settings_notes == []
    assert half_written(desktop) == []
    desktop.change_settings(dataclasses.replace(desktop.settings, theme="light"))
    assert load_settings(paths.settings_file, paths)[0].theme == "light"
    assert all("could not be read" not in n for n in window_of(desktop).notices.texts())


def test_killed_while_downloading_a_model(served_hub, background_runs: dict[str, Run]) -> None:
    """`majicflux models download` killed after 2 MiB of the VAE. The partial file is kept as
    `.part` (never taken for the model); the same command again continues from byte 2 MiB and
    ends with the whole, verified file."""
    run = background_runs["download"]
    killed(run)
    models = run.folder
    target = models / "black-forest-labs/FLUX.1-dev/ae.safetensors"
    part = target.with_name(target.name + ".part")
    assert part.stat().st_size == 2 << 20 and not target.exists()
    assert not scan.check(models).roles["vae"].ok  # a .part is never used
    again = subprocess.run(
        download_command(served_hub.url, models.parent / "data", models),
        env=hub_env(served_hub.url), capture_output=True, text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert target.read_bytes() == served_hub.repos["black-forest-labs/FLUX.1-dev"]["ae.safetensors"]
    assert served_hub.content_requests("ae.safetensors")[-1].headers["Range"] == f"bytes={2 << 20}-"
    assert not part.exists() and scan.check(models).roles["vae"].ok

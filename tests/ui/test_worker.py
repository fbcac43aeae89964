"""The engine worker on its thread, without the window: loading, jobs, failures, cancel."""

from __future__ import annotations

import errno
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from ui_helpers import small_request, worker_caught_up

from majicflux_desktop.core.library import Library
from majicflux_desktop.core.store.jobs import JobState
from majicflux_desktop.engine.memory import VramProbe
from majicflux_desktop.ui.worker import EngineHost, EngineState, ModelSource


@pytest.fixture
def host(library: Library) -> Iterator[EngineHost]:
    host = EngineHost(library.jobs, library, library.sources, VramProbe())
    yield host
    host.shutdown()


def load(qtbot, host: EngineHost, folder: Path) -> None:
    with qtbot.waitSignal(host.worker.models_loaded, timeout=90_000):
        host.worker.load(ModelSource(folder, device="cpu"))


def test_runs_queued_jobs_and_saves_every_image(qtbot, host, library, tiny_models) -> None:
    load(qtbot, host, tiny_models)
    job = library.jobs.enqueue(small_request("three of them", seed=10, count=3))
    saved = []
    host.worker.image_saved.connect(saved.append)
    with qtbot.waitSignal(host.worker.job_finished, timeout=30_000) as finished:
        host.worker.wake()
    assert finished.args[0].id == job.id and finished.args[0].state is JobState.FINISHED
    assert finished.args[1] == saved[-1]
    assert [record.seed for record in saved] == [10, 11, 12]
    assert all(record.path.is_file() for record in saved)
    assert library.jobs.job(job.id).state is JobState.FINISHED


def test_a_failing_job_reports_the_fix_and_the_next_one_runs(
    qtbot, host, library, tiny_models, monkeypatch
) -> None:
    load(qtbot, host, tiny_models)
    real_save = library.save_image

    def disk_full(*args: object, **kwargs: object) -> object:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(library, "save_image", disk_full)
    failing = library.jobs.enqueue(small_request("no room"))
    with qtbot.waitSignal(host.worker.job_failed, timeout=30_000) as failed:
        host.worker.wake()
    assert failed.args[0].id == failing.id
    assert "disk is full" in failed.args[1]
    assert library.jobs.job(failing.id).state is JobState.FAILED
    monkeypatch.setattr(library, "save_image", real_save)
    with qtbot.waitSignal(host.worker.job_finished, timeout=30_000):
        library.jobs.enqueue(small_request("room again"))
        host.worker.wake()


def test_missing_models_are_reported_not_raised(qtbot, host, tmp_path) -> None:
    states: list[EngineState] = []
    host.worker.engine_state_changed.connect(lambda state, message: states.append(state))
    with qtbot.waitSignal(host.worker.models_checked, timeout=10_000) as checked:
        host.worker.load(ModelSource(tmp_path / "empty", device="cpu"))
    assert not checked.args[0].complete
    qtbot.waitUntil(lambda: EngineState.MISSING in states)


def test_cancel_stops_the_job_between_steps(qtbot, host, library, tiny_models) -> None:
    load(qtbot, host, tiny_models)
    job = library.jobs.enqueue(small_request("long", count=64, steps=4))
    with qtbot.waitSignal(host.worker.progressed, timeout=30_000):
        host.worker.wake()
    assert host.worker.current_job == job.id
    with qtbot.waitSignal(host.worker.job_cancelled, timeout=30_000):
        assert host.worker.cancel_current() == job.id
    assert library.jobs.job(job.id).state is JobState.CANCELLED
    assert host.worker.cancel_current() is None  # idle: nothing to cancel


@pytest.mark.slow
def test_pause_holds_the_next_job(qtbot, host, library, tiny_models) -> None:
    load(qtbot, host, tiny_models)
    host.worker.set_paused(True)
    job = library.jobs.enqueue(small_request("held"))
    host.worker.wake()
    worker_caught_up(qtbot, host.worker)  # the wake-up has been handled, found the queue paused
    assert library.jobs.job(job.id).state is JobState.QUEUED
    with qtbot.waitSignal(host.worker.job_finished, timeout=30_000):
        host.worker.set_paused(False)


@pytest.mark.slow
def test_every_change_of_a_job_is_told_as_a_snapshot(qtbot, host, library, tiny_models) -> None:
    """The queue panel lives on these: it never reads the database while jobs run."""
    load(qtbot, host, tiny_models)
    changes = []
    host.worker.job_changed.connect(changes.append)
    job = library.jobs.enqueue(small_request("two", seed=1, count=2))
    with qtbot.waitSignal(host.worker.job_finished, timeout=30_000):
        host.worker.wake()
    assert [(c.state, c.images_done) for c in changes] == [
        (JobState.RUNNING, 0),
        (JobState.RUNNING, 1),
        (JobState.RUNNING, 2),
        (JobState.FINISHED, 2),
    ]
    assert all(c.id == job.id for c in changes)
    assert changes[-1] == library.jobs.job(job.id)


def test_the_load_and_later_jobs_share_the_threads_python_state(
    qtbot, host, library, tiny_models, monkeypatch
) -> None:
    """One Python thread state for the engine's thread: what the load leaves thread-local (torch's
    bindings keep the thread state that imported torch) is still there when a later job runs.
    Under QThread's own run() each slot call had a new one, and on a GPU the first job hung."""
    from majicflux_desktop.engine.pipeline import Engine

    marker = threading.local()
    seen: list[str | None] = []
    real_load, real_generate = Engine.load, Engine.generate

    def load_marking(self, *args, **kwargs):
        marker.value = "set by the load"
        return real_load(self, *args, **kwargs)

    def generate_seeing(self, *args, **kwargs):
        seen.append(getattr(marker, "value", None))
        return real_generate(self, *args, **kwargs)

    monkeypatch.setattr(Engine, "load", load_marking)
    monkeypatch.setattr(Engine, "generate", generate_seeing)
    load(qtbot, host, tiny_models)
    library.jobs.enqueue(small_request("a later job", seed=3))
    with qtbot.waitSignal(host.worker.job_finished, timeout=30_000):
        host.worker.wake()
    assert seen == ["set by the load"]

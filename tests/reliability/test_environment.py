"""A hostile environment: the output folder vanishes or turns read-only while the app runs, the
disk fills up, the GPU runs out of memory (forced on the CPU), and the whole session is checked
for writes outside its own folders and for network connections."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from checks import assert_nothing_lost, half_written, notice_with
from runs import Run, image_rows
from ui_helpers import Launch, small_request, window_heard_all, window_of

from majicflux_desktop.app import DesktopApp
from majicflux_desktop.core import metadata
from majicflux_desktop.core import paths as core_paths
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.core.store.files import pngs_under
from majicflux_desktop.ui.worker import EngineState

# the whole window generating under each fault, and the subprocess runs of background_runs
pytestmark = pytest.mark.slow


def make(qtbot, desktop: DesktopApp, prompt: str, seed: int) -> tuple[str, Any]:
    """Queue one image through the window; ("finished", record) or ("failed", message)."""
    outcome: list[tuple[str, Any]] = []
    desktop.worker.job_finished.connect(lambda job, record: outcome.append(("finished", record)))
    desktop.worker.job_failed.connect(lambda job, message: outcome.append(("failed", message)))
    window_of(desktop).enqueue(small_request(prompt, seed=seed))
    qtbot.waitUntil(lambda: bool(outcome), timeout=60_000)
    window_heard_all(qtbot, desktop)
    return outcome[0]


def rows_of(desktop: DesktopApp) -> list[dict[str, Any]]:
    return image_rows(desktop.paths.library_file)


def test_output_folder_deleted_while_running_is_made_again(
    qtbot, launch: Launch, data_dir: Path
) -> None:
    """The output folder is deleted (by hand, a cleaner) while the app runs. The next image is
    saved anyway: the folder is made again and the image shows in the gallery."""
    desktop = launch(data_dir)
    make(qtbot, desktop, "before", 1)
    shutil.rmtree(desktop.library.output_dir)
    kind, record = make(qtbot, desktop, "after the folder was deleted", 2)
    assert kind == "finished" and record.file.is_file()
    assert metadata.read(record.file).request.seed == 2  # type: ignore[union-attr]


class ReadOnly:
    """Make folders read-only, and writable again. Root ignores permission bits: for root the
    temp files the app writes there are refused the way the OS refuses everyone else."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.monkeypatch = monkeypatch
        self.folders: list[Path] = []
        self.real_mkstemp = tempfile.mkstemp

    def on(self, root: Path) -> None:
        self.folders = [root, *[p for p in root.rglob("*") if p.is_dir()]]
        for folder in self.folders:
            folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        if os.geteuid() == 0:

            def mkstemp(*args: Any, dir: Any = None, **kwargs: Any) -> Any:
                if dir is not None and Path(dir).is_relative_to(root):
                    raise PermissionError(errno.EACCES, "Permission denied", str(dir))
                return self.real_mkstemp(*args, dir=dir, **kwargs)

            self.monkeypatch.setattr(core_paths.tempfile, "mkstemp", mkstemp)

    def off(self) -> None:
        for folder in self.folders:
            folder.chmod(stat.S_IRWXU)
        self.monkeypatch.undo()


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReadOnly]:
    folders = ReadOnly(monkeypatch)
    yield folders
    folders.off()


def test_output_folder_made_read_only_fails_the_job_with_the_fix(
    qtbot, launch: Launch, data_dir: Path, read_only: ReadOnly
) -> None:
    """The output folder becomes read-only while the app runs. The job fails with "The image could
    not be saved in “…” (Permission denied). Check that the folder exists and is writable, or
    choose another output folder in Settings."; earlier images are untouched, no half file is
    left; once the folder is writable again, Generate works."""
    desktop = launch(data_dir)
    make(qtbot, desktop, "before", 1)
    before = rows_of(desktop)
    read_only.on(desktop.library.output_dir)
    kind, message = make(qtbot, desktop, "into a read-only folder", 2)
    assert kind == "failed" and "could not be saved in" in message
    assert "choose another output folder in Settings" in message
    assert str(desktop.library.output_dir) in message
    assert message in window_of(desktop).notices.texts()
    read_only.off()
    assert rows_of(desktop) == before
    kind, _record = make(qtbot, desktop, "writable again", 3)
    assert kind == "finished"
    assert_nothing_lost(qtbot, desktop, before)


class _FullDisk(ModuleType):
    """The `os` module as core.paths sees it, on a disk that is full: writes fail at fsync."""

    def __init__(self) -> None:
        super().__init__("os")

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    @staticmethod
    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_while_saving_fails_the_job_and_loses_nothing(
    qtbot, launch: Launch, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up while an image is saved. The job fails with "The disk is full: the image
    could not be saved in “…”. Free some space or choose another output folder in Settings.";
    no half-written file and no row are left; earlier images are untouched; after space is
    freed, Generate works."""
    desktop = launch(data_dir)
    make(qtbot, desktop, "before", 1)
    before = rows_of(desktop)
    monkeypatch.setattr(core_paths, "os", _FullDisk())
    kind, message = make(qtbot, desktop, "on a full disk", 2)
    assert kind == "failed" and message.startswith("The disk is full")
    assert "Free some space or choose another output folder in Settings" in message
    assert half_written(desktop) == [] and rows_of(desktop) == before
    assert len(list(pngs_under(desktop.library.output_dir))) == 1
    monkeypatch.undo()
    assert make(qtbot, desktop, "space freed", 3)[0] == "finished"
    assert_nothing_lost(qtbot, desktop, before)


# -- out of GPU memory, forced on the CPU ------------------------------------------------------------


def test_out_of_memory_while_generating_falls_back_and_says_so(
    qtbot, launch: Launch, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bf16 plan runs out of GPU memory (MAJICFLUX_INJECT_OOM). The user sees the image made
    anyway, and a notice "Out of GPU memory with the bf16 plan; switched to fp8, which uses less
    memory and is slower."; the image records the plan it was made with."""
    monkeypatch.setenv("MAJICFLUX_INJECT_OOM", "bf16")
    desktop = launch(data_dir)
    kind, record = make(qtbot, desktop, "too big for bf16", 4)
    assert kind == "finished" and record.meta.plan == "fp8"
    notice = notice_with(desktop, "Out of GPU memory with the bf16 plan; switched to fp8")
    assert notice.level == "warning"


def test_out_of_memory_with_every_plan_says_what_to_do_and_the_app_stays_usable(
    qtbot, launch: Launch, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No plan fits. The engine retries once with the next lower plan (bf16 → fp8), then the job
    fails with "Out of GPU memory: the fp8 plan does not fit 256×256 on this card … Choose a
    smaller size, close other apps that use the GPU, or pick the fp8-stream plan in Settings.";
    once memory is free again (the other app closed), Generate works without a restart."""
    monkeypatch.setenv("MAJICFLUX_INJECT_OOM", "bf16,fp8,fp8-offload,fp8-stream")
    desktop = launch(data_dir)
    kind, message = make(qtbot, desktop, "nothing fits", 5)
    assert kind == "failed" and "Out of GPU memory: the fp8 plan does not fit 256×256" in message
    assert "pick the fp8-stream plan in Settings" in message
    assert message in window_of(desktop).notices.texts()
    monkeypatch.delenv("MAJICFLUX_INJECT_OOM")  # the other program let go of the GPU
    assert make(qtbot, desktop, "room again", 6)[0] == "finished"


def test_out_of_memory_while_loading_falls_back_or_says_what_to_do(
    qtbot, launch: Launch, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading runs out of GPU memory. With bf16 only: the models load with fp8 and the user sees
    "… switched to fp8 …". With every plan: the window says "Out of GPU memory: the models do not
    fit this card …" in place of "Ready", and after the memory is free, checking the models again
    loads them and an image is made."""
    monkeypatch.setenv("MAJICFLUX_INJECT_OOM", "load:bf16")
    desktop = launch(data_dir)
    window = window_of(desktop)
    assert "switched to fp8" in notice_with(desktop, "Out of GPU memory with the bf16 plan").text
    monkeypatch.setenv(
        "MAJICFLUX_INJECT_OOM", "load:bf16,load:fp8,load:fp8-offload,load:fp8-stream"
    )
    desktop.load_models()
    qtbot.waitUntil(lambda: window.engine_state is EngineState.FAILED, timeout=60_000)
    assert "the models do not fit this card" in window.status.engine_banner.text()
    monkeypatch.delenv("MAJICFLUX_INJECT_OOM")
    desktop.load_models()
    qtbot.waitUntil(lambda: window.engine_state is EngineState.READY, timeout=60_000)
    assert make(qtbot, desktop, "loaded at last", 7)[0] == "finished"


# -- the whole session: its files and its connections ------------------------------------------------


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_whole_session_writes_only_its_own_folders_and_connects_nowhere(
    background_runs: dict[str, Run],
) -> None:
    """A first start with an empty home folder and temp folder, on the data folder
    "数据 目录 with spaces": one image with a Chinese prompt is made and the window closed. The
    user finds the image with its metadata; nothing at all was written in the home folder or the
    temp folder (torch's compile cache goes to the data folder); not a single connection was
    tried, not even one a library would have caught and hidden."""
    run = background_runs["clean"]
    assert run.returncode == 0, run.output
    assert files_under(run.extra["home"]) == [] and files_under(run.extra["temp"]) == []
    assert not run.extra["netlog"].exists(), run.extra["netlog"].read_text()
    top = {p.name for p in run.folder.iterdir()}
    assert top <= {"settings.json", "library.sqlite3", "library.sqlite3-wal", "library.sqlite3-shm",
                   "images", "logs", "thumbnails", "trash", "i18n", "cache", "demo-models",
                   "window.ini"}, top  # fmt: skip
    (row,) = image_rows(AppPaths.portable(run.folder).library_file)
    png = AppPaths.portable(run.folder).default_output_dir / row["path"]
    read = metadata.read(png)
    assert read.request is not None and read.request.prompt == "a lantern in the fog, 雾中的灯笼"

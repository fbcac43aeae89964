"""The subprocess runs of the reliability suite, started together and awaited once.

Each run is the real app (or the CLI) on its own data folder. The crash runs set MAJICFLUX_CRASH_AT
(majicflux_desktop/core/faults.py) so that the process kills itself (SIGKILL) at one exact point;
the clean run checks what a whole session writes, and that it tries no network connection.
Starting them at once lets their imports of torch overlap: together they take about as long as
the slowest two.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers import subprocess_env
from majicflux_desktop.core.library import Library
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.core.request import GenerationRequest

HERE = Path(__file__).parent
DRIVER = HERE / "drive_app.py"
RUN_TIMEOUT_S = 120
CRASH_STEPS = 2  # denoising steps per image in the crash runs
CRASH_SEED = 100


@dataclass
class Run:
    name: str
    folder: Path  # the data folder (or the models folder of the download run)
    command: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    returncode: int | None = None
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def start(self) -> None:
        self.log = self.folder.parent / f"{self.name}.output.txt"
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as output:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        self.extra["started"] = time.monotonic()

    def poll(self) -> bool:
        """True once the process has ended (or was stopped for running too long)."""
        assert self.process is not None
        if self.returncode is None:
            self.seconds = time.monotonic() - self.extra["started"]
            self.returncode = self.process.poll()
            if self.returncode is None and self.seconds > RUN_TIMEOUT_S:
                self.process.kill()  # a fault that never fired: the run would wait forever
                self.returncode = self.process.wait()
                self.extra["timed_out"] = True
        return self.returncode is not None

    @property
    def output(self) -> str:
        return self.log.read_text("utf-8", "replace") if self.log else ""


def run_all(runs: list[Run]) -> dict[str, Run]:
    for run in runs:
        run.start()
    while not all([run.poll() for run in runs]):
        time.sleep(0.1)
    return {run.name: run for run in runs}


def queue_job(folder: Path, prompt: str, count: int) -> int:
    """A job waiting in the folder's library, as a person leaves it before a restart."""
    paths = AppPaths.portable(folder).ensure()
    library = Library(paths.library_file, paths.default_output_dir)
    try:
        request = GenerationRequest(
            prompt, seed=CRASH_SEED, count=count, steps=CRASH_STEPS, width=256, height=256
        )
        return library.jobs.enqueue(request).id
    finally:
        library.close()


def app_command(folder: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "majicflux_desktop", "--data-dir", str(folder), "--demo",
            "--device", "cpu", *extra]  # fmt: skip


def crash_run(name: str, folder: Path, point: str, prompt: str, count: int) -> Run:
    job_id = queue_job(folder, prompt, count)
    env = subprocess_env(MAJICFLUX_CRASH_AT=point)
    run = Run(name, folder, app_command(folder, "--start-queue"), env)
    run.extra.update(job_id=job_id, prompt=prompt, count=count)
    return run


def settings_run(folder: Path) -> Run:
    command = [sys.executable, str(DRIVER), "switch-theme", "--data-dir", str(folder), "--demo"]
    return Run("settings", folder, command, subprocess_env(MAJICFLUX_CRASH_AT="settings-save"))


def clean_run(root: Path) -> Run:
    """One whole session with a fresh, empty home and temp folder, and every connection logged."""
    home, temp = root / "home", root / "tmp"
    for folder in (home, temp):
        folder.mkdir(parents=True)
    folder = root / "数据 目录 with spaces"  # the data folder: spaces and Chinese characters
    env = subprocess_env(
        HOME=str(home),
        USERPROFILE=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_STATE_HOME=str(home / ".local/state"),
        TMPDIR=str(temp),
        TEMP=str(temp),
        TMP=str(temp),
        MAJICFLUX_NETLOG=str(root / "connections.txt"),
    )
    env.pop("XDG_RUNTIME_DIR", None)  # Qt then makes its own under the temp folder, if it needs one
    for variable in ("TORCHINDUCTOR_CACHE_DIR", "TRITON_CACHE_DIR", "CUDA_CACHE_PATH"):
        env.pop(variable, None)
    command = [sys.executable, str(DRIVER), "generate-then-close", *app_command(folder)[3:]]
    run = Run("clean", folder, command, env)
    run.extra.update(home=home, temp=temp, netlog=root / "connections.txt")
    return run


def download_command(hub_url: str, data: Path, models: Path) -> list[str]:
    return [sys.executable, "-m", "majicflux_desktop.cli", "--data-dir", str(data), "models",
            "download", "--source", hub_url, "--dir", str(models), "--only", "vae"]  # fmt: skip


def hub_env(hub_url: str, **extra: str) -> dict[str, str]:
    # majicflus comes from ModelScope even with a Hugging Face-style source: point that here too
    return subprocess_env(MODELSCOPE_ENDPOINT=hub_url, HF_TOKEN="", **extra)


def download_run(root: Path, hub_url: str) -> Run:
    models = root / "models"
    command = download_command(hub_url, root / "data", models)
    return Run("download", models, command, hub_env(hub_url, MAJICFLUX_CRASH_AT="download-chunk:2"))


def image_rows(database: Path) -> list[dict[str, Any]]:
    """The images rows as committed, read without writing (the app is dead or elsewhere)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM images ORDER BY id")]


def job_row(database: Path, job_id: int) -> dict[str, Any]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
        db.row_factory = sqlite3.Row
        return dict(db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone())


def stale_temp_files(*folders: Path) -> list[Path]:
    from majicflux_desktop.core.paths import is_stale_temp_file

    return [
        Path(root) / name
        for folder in folders
        for root, _, names in os.walk(folder)
        for name in names
        if is_stale_temp_file(name)
    ]

"""Where the app keeps things. Everything can be moved under one folder (tests, portable use)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from majicflux_desktop.core import faults

APP_DIR_NAME = "MajicFlux"
# Temp files of atomic writes: `.majicflux-<name>.<random>.tmp`. The prefix is ours alone, so that
# start-up recovery never takes another program's temp file (a sync tool's, in a shared output
# folder) for one of ours.
TEMP_PREFIX = ".majicflux-"
TEMP_SUFFIX = ".tmp"


def is_frozen() -> bool:
    """Whether this is the bundled app (PyInstaller sets `sys.frozen`), not the source tree."""
    return bool(getattr(sys, "frozen", False))


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    default_output_dir: Path
    default_models_dir: Path

    @classmethod
    def for_user(cls) -> AppPaths:
        data = Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))
        pictures = Path(platformdirs.user_pictures_dir())
        return cls(data, pictures / APP_DIR_NAME, data / "models")

    @classmethod
    def portable(cls, data_dir: str | os.PathLike[str]) -> AppPaths:
        """Everything under `data_dir`: settings, library, logs, images and models."""
        root = Path(data_dir).expanduser().absolute()
        return cls(root, root / "images", root / "models")

    @property
    def settings_file(self) -> Path:
        return self.data_dir / "settings.json"

    @property
    def library_file(self) -> Path:
        return self.data_dir / "library.sqlite3"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "majicflux.log"

    @property
    def thumbnail_dir(self) -> Path:
        return self.data_dir / "thumbnails"

    @property
    def trash_dir(self) -> Path:
        return self.data_dir / "trash"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "instance.lock"

    @property
    def tool_cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def weight_cache_dir(self) -> Path:
        """Model weights kept on disk between uses (T5's float8 blocks: engine/streaming.py)."""
        return self.tool_cache_dir / "weights"

    @property
    def compiled_sizes_file(self) -> Path:
        """Which sizes the transformer's blocks were compiled for (engine/compiled.py), beside
        the compiler's cache: cleared with it."""
        return (
            Path(os.environ.get("TORCHINDUCTOR_CACHE_DIR", self.tool_cache_dir / "torchinductor"))
            / "majicflux-compiled-sizes.json"
        )

    def keep_tool_caches_here(self) -> None:
        """Point the caches torch, Triton and CUDA write on their own into the data folder.

        Importing diffsynth compiles a function, which makes torch create its inductor cache
        under the system temp folder; on a GPU, Triton and the CUDA JIT write under the home
        folder. Set before torch is imported; a value the user set is kept.
        """
        for variable, name in (
            ("TORCHINDUCTOR_CACHE_DIR", "torchinductor"),
            ("TRITON_CACHE_DIR", "triton"),
            ("CUDA_CACHE_PATH", "cuda"),
        ):
            os.environ.setdefault(variable, str(self.tool_cache_dir / name))

    def ensure(self) -> AppPaths:
        for folder in (self.data_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def atomic_write_bytes(path: Path, data: bytes, fault: str | None = None) -> None:
    """Write `data` to `path` so that a crash leaves the old file or the new one, never a mix.

    A crash can leave the hidden temp file (`is_stale_temp_file`); start-up recovery removes it.
    `fault` names the core.faults point that a test may stop this write at, halfway.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f"{TEMP_PREFIX}{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent
    )
    try:
        if os.name == "posix":  # mkstemp makes 0600 files; a PNG or settings file follows the umask
            os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as handle:
            if fault is not None and faults.reached(fault):
                handle.write(data[: len(data) // 2])
                handle.flush()
                faults.crash()
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        replace_file(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


TEMP_NAME_EXTRA = len(TEMP_PREFIX) + len(".") + 8 + len(TEMP_SUFFIX)  # mkstemp adds 8 characters


_UMASK_FALLBACK: list[int] = []


def current_umask() -> int:
    """The process's umask, read without changing it where the system tells it (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    if not _UMASK_FALLBACK:
        # os.umask can only be read by setting it: done once, and set back at once
        mask = os.umask(0o022)
        os.umask(mask)
        _UMASK_FALLBACK.append(mask)
    return _UMASK_FALLBACK[0]


# Windows refuses to replace a file another program holds open without FILE_SHARE_DELETE
# (access denied, sharing or lock violation): indexers, anti-virus scanners, sync tools and image
# viewers do so for moments at a time.
_BUSY_WINERRORS = {5, 32, 33}
REPLACE_RETRY_S = 2.0


def replace_file(source: str | Path, target: str | Path) -> None:
    """`os.replace`, retried for up to two seconds on Windows while the file is busy."""
    delay, waited = 0.02, 0.0
    while True:
        try:
            os.replace(source, target)
            return
        except PermissionError as exc:
            busy = getattr(exc, "winerror", None) in _BUSY_WINERRORS
            if not busy or waited >= REPLACE_RETRY_S:
                raise
        time.sleep(delay)
        waited += delay
        delay = min(delay * 2, 0.25)


def is_stale_temp_file(name: str) -> bool:
    """A temp file of `atomic_write_bytes`: what a crash mid-write leaves."""
    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a directory for fsync; NTFS journals the rename
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

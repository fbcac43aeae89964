"""One download in progress: what the caller sees and steers, and the resumable `.part` on disk.

Progress snapshots, pause / resume / cancel from another thread, retries with backoff and a speed
meter; and the `.part` file with its sidecar, which is the whole resume state of one file. The
Downloader in download.py drives them; hub.py is the wire.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.core.paths import atomic_write_bytes
from majicflux_desktop.core.units import format_bytes
from majicflux_desktop.engine.hub import CTX, Connections, Transient
from majicflux_desktop.engine.planned import PlannedFile

T = TypeVar("T")


def _msg(template: str, **params: Any) -> Message:
    return Message(CTX, template, params)


# -- progress, control, retries --------------------------------------------------------------------


class FileState(str, Enum):
    WAITING = "waiting"
    PRESENT = "present"  # was complete on disk before the download started
    DOWNLOADING = "downloading"
    PAUSED = "paused"
    RETRYING = "retrying"
    VERIFYING = "verifying"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class FileProgress:
    file: PlannedFile
    state: FileState
    done_bytes: int

    @property
    def fraction(self) -> float:
        return 1.0 if self.file.size == 0 else self.done_bytes / self.file.size


@dataclass(frozen=True)
class Progress:
    """One snapshot, pushed to `on_progress` (at most every `report_every_s`, and on each change)."""

    files: tuple[FileProgress, ...]
    current: int | None  # index into files of the one in transfer
    done_bytes: int
    total_bytes: int
    bytes_per_second: float | None  # over the last seconds; None until it can be told
    eta_s: float | None  # for everything left
    file_eta_s: float | None  # for the current file
    paused: bool = False
    note: Message | None = None  # the latest event worth a line: a retry, a failed check

    @property
    def fraction(self) -> float:
        return 1.0 if self.total_bytes == 0 else self.done_bytes / self.total_bytes

    @property
    def current_file(self) -> FileProgress | None:
        return None if self.current is None else self.files[self.current]


ProgressCallback = Callable[[Progress], None]


class DownloadCancelled(UserError):
    def __init__(self) -> None:
        super().__init__(
            _msg(
                QT_TRANSLATE_NOOP(
                    "download",
                    "Download cancelled. Finished files are kept; the file in progress stays as a "
                    ".part file and continues from there next time.",
                )
            )
        )


class DownloadControl:
    """Pause, resume and cancel, called from any thread (the UI's) while `run` works in another.

    Pause is seen between chunks. Cancel also cuts the HTTP connections (`connections`, which
    the HubClients of the download register with), so a read blocked on a stalled server ends at
    once rather than after the socket's timeout.
    """

    def __init__(self) -> None:
        self._cancelled = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self.connections = Connections()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def cancel(self) -> None:
        self._cancelled.set()
        self._running.set()  # wakes a paused download so it can stop
        self.connections.cut()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        if self._cancelled.is_set():
            raise DownloadCancelled()

    def wait_while_paused(self) -> None:
        self._running.wait()
        self.check()

    def sleep(self, seconds: float) -> None:
        """A backoff wait that a cancel cuts short."""
        self._cancelled.wait(seconds)
        self.check()


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6  # tries in a row that bring no new bytes before giving up
    first_delay_s: float = 1.0
    max_delay_s: float = 60.0

    def delay(self, failures: int) -> float:
        return min(self.max_delay_s, self.first_delay_s * 2 ** max(0, failures - 1))


def unreachable(host: str, reason: str, tries: int) -> UserError:
    if "huggingface" in host:
        template = QT_TRANSLATE_NOOP(
            "download",
            "Cannot reach {host} ({reason}) after {tries} tries. Check the internet connection "
            "and proxy settings. Hugging Face is usually unreachable from mainland China: "
            "download from ModelScope (the default) or hf-mirror instead. Partly downloaded files "
            "are kept and continue next time.",
        )
    else:
        template = QT_TRANSLATE_NOOP(
            "download",
            "Cannot reach {host} ({reason}) after {tries} tries. Check the internet connection "
            "and proxy settings, then start the download again: partly downloaded files are "
            "kept and continue from where they stopped.",
        )
    return UserError(_msg(template, host=host, reason=reason, tries=tries))


def with_retries(
    action: Callable[[], T], retry: RetryPolicy, sleep: Callable[[float], None], host: str
) -> T:
    failures = 0
    while True:
        try:
            return action()
        except Transient as exc:
            failures += 1
            if failures >= retry.attempts:
                raise unreachable(host, str(exc), failures) from exc
            sleep(retry.delay(failures))


class Meter:
    """Speed over the last seconds (a sliding window): an early burst or a slow start fades."""

    def __init__(self, clock: Callable[[], float], window_s: float = 8.0):
        self.clock = clock
        self.window_s = window_s
        self.total = 0
        self.samples: deque[tuple[float, int]] = deque()

    def add(self, count: int) -> None:
        now = self.clock()
        self.total += count
        self.samples.append((now, self.total))
        while len(self.samples) > 2 and self.samples[0][0] < now - self.window_s:
            self.samples.popleft()

    def restart(self) -> None:
        self.samples.clear()

    def rate(self) -> float | None:
        if len(self.samples) < 2:
            return None
        (t0, b0), (t1, b1) = self.samples[0], self.samples[-1]
        return (b1 - b0) / (t1 - t0) if t1 - t0 >= 0.2 else None


# -- one file on disk: .part + its sidecar ----------------------------------------------------------


@dataclass(frozen=True)
class Received:
    size: int
    sha256: str
    git_sha1: str | None


class PartFile:
    """A `.part` file and its sidecar `.part.json`: the whole resume state, valid across restarts.

    The sidecar names the remote file (repository, path, size, hashes). A `.part` whose sidecar is
    missing or names another version is started over rather than trusted. Bytes are hashed as they
    are written; after a restart the kept prefix is hashed once when the file is reopened.
    """

    def __init__(self, file: PlannedFile):
        self.file = file
        self.size = 0
        self._sha256 = hashlib.sha256()
        self._git: Any = None
        self._handle: Any = None

    @staticmethod
    def identity(file: PlannedFile) -> dict[str, Any]:
        r = file.remote
        found = {"repo": file.repo, "path": file.path, "size": r.size, "sha256": r.sha256, "git_sha1": r.git_sha1}  # fmt: skip
        return {**found, "url": file.url} if file.url else found

    @classmethod
    def state_matches(cls, file: PlannedFile) -> bool:
        try:
            return bool(json.loads(file.state_file.read_text("utf-8")) == cls.identity(file))
        except (OSError, ValueError):
            return False

    def open(self, control: DownloadControl) -> None:
        part = self.file.part
        self._guarded(lambda: part.parent.mkdir(parents=True, exist_ok=True))
        keep = part.is_file() and self.state_matches(self.file)
        if not keep:
            data = json.dumps(self.identity(self.file)).encode()
            self._guarded(lambda: atomic_write_bytes(self.file.state_file, data))
        self._handle = self._guarded(lambda: open(part, "r+b" if keep else "wb"))  # noqa: SIM115
        self._reset_hashes()
        if keep:
            self._hash_prefix(control)

    def _hash_prefix(self, control: DownloadControl) -> None:
        self._handle.seek(0)
        while block := self._handle.read(8 << 20):
            control.check()
            self.size += len(block)
            if self.size > self.file.size:
                self.restart()
                return
            self._update(block)

    def _reset_hashes(self) -> None:
        self.size = 0
        self._sha256 = hashlib.sha256()
        self._git = None
        if self.file.remote.git_sha1:
            self._git = hashlib.sha1(f"blob {self.file.size}\0".encode(), usedforsecurity=False)

    def _update(self, data: bytes) -> None:
        self._sha256.update(data)
        if self._git is not None:
            self._git.update(data)

    def write(self, data: bytes) -> None:
        self._guarded(lambda: self._handle.write(data))
        self._update(data)
        self.size += len(data)

    def restart(self) -> None:
        """The server ignored our Range: the body that follows is the whole file."""
        self._guarded(lambda: (self._handle.seek(0), self._handle.truncate()))
        self._reset_hashes()

    def finish(self) -> Received:
        self._guarded(self._flush_to_disk)
        git = self._git.hexdigest() if self._git is not None else None
        return Received(self.size, self._sha256.hexdigest(), git)

    def _flush_to_disk(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None

    def _guarded(self, action: Callable[[], T]) -> T:
        try:
            return action()
        except OSError as exc:
            raise disk_problem(exc, self.file, self.size) from exc


def part_size(file: PlannedFile) -> int:
    if not PartFile.state_matches(file):
        return 0
    with contextlib.suppress(OSError):
        return min(file.part.stat().st_size, file.size)
    return 0


def disk_problem(exc: OSError, file: PlannedFile, done: int) -> UserError:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        template = QT_TRANSLATE_NOOP(
            "download",
            "The disk is full: {file} stopped {missing} short of {total}. What was downloaded is "
            "kept as {part}. Free up space (or choose a models folder on another drive) and start "
            "the download again to continue.",
        )
    else:
        template = QT_TRANSLATE_NOOP(
            "download",
            "Cannot write {part}: {reason}. Check that the models folder is writable and not "
            "open in another program.",
        )
    return UserError(
        _msg(
            template,
            file=file.path,
            missing=format_bytes(file.size - done),  # "4.0 KB short", never "22.2 GB of 22.2 GB"
            total=format_bytes(file.size),
            part=str(file.part),
            reason=exc.strerror or str(exc),
        )
    )

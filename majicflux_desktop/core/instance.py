"""One app instance per data folder: a lock file held with an OS lock for the whole session.

The OS drops the lock when the process ends in any way (a kill, a crash, a power cut), so a stale
lock never blocks the next start. The file itself is removed only by a clean shutdown: finding
it at start-up means the last session did not end cleanly, and start-up recovery runs
(`core.recovery`). The lock is advisory: `fcntl.flock` on POSIX, `msvcrt.locking` on Windows; both
are per open file, so a second instance inside one process (tests) is refused too.
"""

from __future__ import annotations

import contextlib
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import IO

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError


class InstanceLocked(UserError):
    """Another MajicFlux holds this data folder."""


class InstanceLock:
    def __init__(self, path: Path, handle: IO[bytes], unclean_before: bool):
        self.path = path
        self._handle: IO[bytes] | None = handle
        self.unclean_before = unclean_before  # the last session was killed or crashed

    @classmethod
    def acquire(cls, path: Path) -> InstanceLock:
        """Take the data folder's lock; InstanceLocked if another instance has it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(10):
            existed = path.exists()
            handle = open(path, "a+b")  # noqa: SIM115 - held for the whole session
            if not _try_lock(handle):
                handle.close()
                raise _locked(path)
            # A clean shutdown removes the file: if that happened between our open and our
            # lock, we hold a lock on a name that is gone, and must take the new file instead.
            if _same_file(handle, path):
                _write_owner(handle)
                return cls(path, handle, existed)
            handle.close()
        raise _locked(path)

    def release(self, clean: bool = True) -> None:
        """Give the lock up; `clean` (a normal shutdown) also removes the file."""
        if self._handle is None:
            return
        # POSIX: remove the name while still holding the lock, so no one takes a file that is
        # about to vanish. Windows cannot remove an open file: there, after closing it.
        if clean and sys.platform != "win32":
            _remove(self.path)
        with contextlib.suppress(OSError):
            _unlock(self._handle)
        self._handle.close()
        self._handle = None
        if clean and sys.platform == "win32":
            _remove(self.path)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _locked(path: Path) -> InstanceLocked:
    owner = ""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        owner = path.read_bytes().decode("utf-8").strip()
    return InstanceLocked(
        Message(
            "instance",
            QT_TRANSLATE_NOOP(
                "instance",
                "MajicFlux is already running with the data folder “{folder}”. Switch to that "
                "window, or close it and start MajicFlux again.",
            ),
            {"folder": path.parent},
        ),
        owner,
    )


def _write_owner(handle: IO[bytes]) -> None:
    # For people and logs only: the lock is the OS lock, never this text.
    with contextlib.suppress(OSError):
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now().isoformat()}\n".encode())
        handle.flush()


def _same_file(handle: IO[bytes], path: Path) -> bool:
    try:
        now, ours = os.stat(path), os.fstat(handle.fileno())
    except OSError:
        return False
    if sys.platform == "win32":
        return True  # Windows cannot delete a file another handle has open: it is ours
    return (now.st_dev, now.st_ino) == (ours.st_dev, ours.st_ino)


if sys.platform == "win32":
    import msvcrt

    # Windows locks byte ranges, and a locked byte cannot be read by others: lock one far past
    # the owner line, so a second start can still read who holds the folder.
    _LOCKED_BYTE = 1 << 30

    def _try_lock(handle: IO[bytes]) -> bool:
        handle.seek(_LOCKED_BYTE)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(_LOCKED_BYTE)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

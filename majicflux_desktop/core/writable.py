"""Can a file be written there? Asked before long work and at start-up, so that a read-only folder,
a file where a folder should be or a name too long for the drive is said at once, with the place
and the fix, not found out after minutes of generating.

`prepare_data_dir` is the start-up check of the command line and of the window (its error dialog
shows the same message); `check_file_target` is `majicflux generate --out`'s; `write_problem`
turns any OSError of a write into words.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.core.paths import TEMP_NAME_EXTRA, TEMP_PREFIX, TEMP_SUFFIX, AppPaths

DEFAULT_NAME_MAX = 255  # NTFS, ext4, APFS: 255 (bytes or UTF-16 units)


def _error(template: str, **params: object) -> UserError:
    return UserError(Message("files", template, params))


def file_in_the_way(folder: Path) -> Path | None:
    """The nearest existing part of `folder` (itself included) if it is not a folder."""
    for part in (folder, *folder.parents):
        if part.exists():
            return None if part.is_dir() else part
    return None


def name_max(folder: Path) -> int:
    """The longest file name (bytes) the drive holding `folder` takes."""
    existing = next((p for p in (folder, *folder.parents) if p.is_dir()), None)
    if existing is not None and hasattr(os, "pathconf"):
        with contextlib.suppress(OSError, ValueError):
            return int(os.pathconf(existing, "PC_NAME_MAX"))
    return DEFAULT_NAME_MAX


def write_problem(path: Path, exc: OSError) -> UserError:
    """What went wrong writing `path`, in words, with the fix."""
    folder = path.parent
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return _error(
            QT_TRANSLATE_NOOP(
                "files",
                "The disk holding {folder} is full: {file} could not be written. Free up space, "
                "or choose a folder on another drive.",
            ),
            folder=str(folder),
            file=path.name,
        )
    if code == errno.EROFS:
        return _error(
            QT_TRANSLATE_NOOP(
                "files",
                "{folder} is on a read-only drive: {file} cannot be written there. Choose another "
                "folder.",
            ),
            folder=str(folder),
            file=path.name,
        )
    if code == errno.ENAMETOOLONG:
        return _name_too_long(path)
    if code == errno.ENOTDIR:
        return _error(
            QT_TRANSLATE_NOOP(
                "files",
                "A part of {folder} is a file, not a folder, so {file} cannot be written there. "
                "Choose another place.",
            ),
            folder=str(folder),
            file=path.name,
        )
    if isinstance(exc, PermissionError):
        return _error(
            QT_TRANSLATE_NOOP(
                "files",
                "{folder} cannot be written to (permission denied). Choose another folder, or "
                "make this one writable.",
            ),
            folder=str(folder),
        )
    return _error(
        QT_TRANSLATE_NOOP(
            "files",
            "{file} could not be written ({reason}). Check that its folder exists and is "
            "writable, or choose another place.",
        ),
        file=str(path),
        reason=exc.strerror or str(exc),
    )


def _name_too_long(path: Path) -> UserError:
    return _error(
        QT_TRANSLATE_NOOP(
            "files",
            "The file name “{name}” is too long for this drive ({length} bytes): with the "
            "{extra} characters MajicFlux adds while writing, a name may have at most {most} "
            "bytes here. Choose a shorter name.",
        ),
        name=path.name,
        length=len(os.fsencode(path.name)),
        extra=TEMP_NAME_EXTRA,
        most=name_max(path.parent) - TEMP_NAME_EXTRA,
    )


def _probe(folder: Path, name: str) -> None:
    """Create and remove a temp file in `folder` the way atomic_write_bytes will."""
    fd, temp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{name}.", suffix=TEMP_SUFFIX, dir=folder)
    os.close(fd)
    os.unlink(temp)


def check_file_target(path: Path) -> None:
    """Raise UserError unless atomic_write_bytes can write `path`: checked before the work that
    makes its content. Creates the missing folders of `path` (they would be made anyway)."""
    path = Path(path)
    if path.is_dir():
        raise _error(
            QT_TRANSLATE_NOOP(
                "files", "{file} is a folder. Name a file inside it, for example {example}."
            ),
            file=str(path),
            example=str(path / "image.png"),
        )
    blocker = file_in_the_way(path.parent)
    if blocker is not None:
        raise _error(
            QT_TRANSLATE_NOOP(
                "files",
                "{blocker} is a file, not a folder, so {file} cannot be written there. Choose "
                "another place.",
            ),
            blocker=str(blocker),
            file=str(path),
        )
    if len(os.fsencode(path.name)) + TEMP_NAME_EXTRA > name_max(path.parent):
        raise _name_too_long(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _probe(path.parent, path.name)
    except OSError as exc:
        raise write_problem(path, exc) from exc


def prepare_data_dir(paths: AppPaths) -> AppPaths:
    """Make the data folder and its log folder and check that they can be written, at start-up.

    Raises UserError naming the folder and the fix: a file where the folder should be (also the
    default ~/.local/share/MajicFlux or %LOCALAPPDATA%\\MajicFlux), a read-only or full drive.
    """
    for folder in (paths.data_dir, paths.log_dir):
        blocker = file_in_the_way(folder)
        if blocker is not None:
            raise UserError(
                Message(
                    "startup",
                    QT_TRANSLATE_NOOP(
                        "startup",
                        "{blocker} is a file, but MajicFlux keeps its settings, history and logs "
                        "in a folder there ({folder}). Rename or move that file, or start "
                        "MajicFlux with --data-dir and another folder.",
                    ),
                    {"blocker": str(blocker), "folder": str(paths.data_dir)},
                )
            )
    try:
        paths.ensure()
        for folder in (paths.data_dir, paths.log_dir):
            _probe(folder, "check")
        if paths.log_file.exists() and not paths.log_file.is_file():
            raise IsADirectoryError(errno.EISDIR, "the log file is a folder", str(paths.log_file))
    except OSError as exc:
        raise UserError(
            Message(
                "startup",
                QT_TRANSLATE_NOOP(
                    "startup",
                    "MajicFlux cannot write to its data folder {folder} ({reason}). Make it "
                    "writable, or start MajicFlux with --data-dir and a folder you can write to.",
                ),
                {"folder": str(paths.data_dir), "reason": exc.strerror or str(exc)},
            ),
            detail=str(exc),
        ) from exc
    return paths

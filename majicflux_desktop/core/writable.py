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

DEFAULT_NAME_MAX = 255  # NTFS (UTF-16 units), ext4 and APFS (bytes)


def _error(template: str, **params: object) -> UserError:
    return UserError(Message("files", template, params))


def file_in_the_way(folder: Path) -> Path | None:
    """The nearest existing part of `folder` (itself included) if it is not a folder."""
    for part in (folder, *folder.parents):
        if part.exists():
            return None if part.is_dir() else part
    return None


def name_max(folder: Path) -> int:
    """The longest file name the drive holding `folder` takes (see name_length)."""
    existing = next((p for p in (folder, *folder.parents) if p.is_dir()), None)
    if existing is not None and hasattr(os, "pathconf"):
        with contextlib.suppress(OSError, ValueError):
            return int(os.pathconf(existing, "PC_NAME_MAX"))
    return DEFAULT_NAME_MAX


def name_length(name: str) -> int:
    """A file name's length as the drive counts it: UTF-16 units on Windows, bytes elsewhere."""
    if os.name == "nt":
        return len(name.encode("utf-16-le", "surrogatepass")) // 2
    return len(os.fsencode(name))


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
    if os.name == "nt":
        template = QT_TRANSLATE_NOOP(
            "files",
            "The file name “{name}” is too long for this drive: it has {length} characters, "
            "MajicFlux adds {extra} while writing, and the drive takes at most {limit}. Shorten it "
            "by {over} characters or more.",
        )
    else:
        template = QT_TRANSLATE_NOOP(
            "files",
            "The file name “{name}” is too long for this drive: it has {length} bytes, MajicFlux "
            "adds {extra} while writing, and the drive takes at most {limit}. Shorten it by "
            "{over} bytes or more (a Chinese character takes 3).",
        )
    length, limit = name_length(path.name), name_max(path.parent)
    return _error(
        template,
        name=path.name,
        length=length,
        extra=TEMP_NAME_EXTRA,
        limit=limit,
        over=length + TEMP_NAME_EXTRA - limit,
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
    if name_length(path.name) + TEMP_NAME_EXTRA > name_max(path.parent):
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

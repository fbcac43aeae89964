"""Image files on disk: names made from prompts (valid on Windows too), safe writes and moves.

`ImageFileStore` knows the output and trash folders and nothing of the database; the library
facade (`core.library`) puts a file and its row together.
"""

from __future__ import annotations

import errno
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.core.paths import atomic_write_bytes, replace_file

MAX_SLUG_CHARS = 40  # 40 CJK characters are 120 UTF-8 bytes: far below every file system's limit
MAX_COUNTER = 100_000

# Windows refuses these as a file's stem, whatever the extension (and in any case).
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE)
_DASHES = re.compile(r"-{2,}")


def slug(text: str, max_chars: int = MAX_SLUG_CHARS, fallback: str = "image") -> str:
    """A short, lower-case, file-name-safe version of `text`: letters and digits of any script.

    Everything else (Windows' reserved `<>:"/\\|?*`, control characters, punctuation, emoji,
    spaces) becomes a dash, so the result is valid on NTFS, FAT, ext4 and APFS.
    """
    text = unicodedata.normalize("NFC", text).lower()
    kept = "".join(char if char.isalnum() else "-" for char in text)
    kept = _DASHES.sub("-", kept).strip("-")[:max_chars].strip("-")
    if not kept or _RESERVED.match(kept):
        return fallback if not kept else f"{kept}_"
    return kept


def image_file_name(created: datetime, seed: int, prompt: str) -> str:
    """`HHMMSS-<seed>-<slug>.png`, in the local time the image was made."""
    return f"{created.astimezone():%H%M%S}-{seed}-{slug(prompt)}.png"


def image_folder(output_dir: Path, created: datetime) -> Path:
    return output_dir / f"{created.astimezone():%Y-%m-%d}"


def unique_path(wanted: Path, taken: Callable[[Path], bool]) -> Path:
    """`wanted`, or `name-2.ext`, `name-3.ext`, … : the first one `taken` says is free."""
    candidate = wanted
    for counter in range(2, MAX_COUNTER):
        if not taken(candidate):
            return candidate
        candidate = wanted.with_name(f"{wanted.stem}-{counter}{wanted.suffix}")
    raise FileExistsError(f"no free file name like {wanted}")


def write_image_file(target: Path, data: bytes) -> None:
    """Write atomically (temp, fsync, rename); a failure becomes a UserError naming the fix."""
    try:
        atomic_write_bytes(target, data, fault="png-write")
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            template = QT_TRANSLATE_NOOP(
                "library",
                "The disk is full: the image could not be saved in “{folder}”. Free some space or "
                "choose another output folder in Settings.",
            )
        else:
            template = QT_TRANSLATE_NOOP(
                "library",
                "The image could not be saved in “{folder}” ({reason}). Check that the folder "
                "exists and is writable, or choose another output folder in Settings.",
            )
        params = {"folder": target.parent, "reason": exc.strerror or type(exc).__name__}
        raise UserError(Message("library", template, params), str(exc)) from exc


def move_if_present(source: Path, target: Path) -> bool:
    """Move a file, also across drives (then: atomic copy, then delete). False if no source."""
    if not source.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        replace_file(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        atomic_write_bytes(target, source.read_bytes())
        source.unlink()
    return True


def pngs_under(folder: Path, skip: Path | None = None) -> Iterator[Path]:
    """PNG files below `folder`, leaving out hidden ones (our temp files) and `skip`."""
    if not folder.is_dir():
        return
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and here / d != skip)
        for name in sorted(files):
            if name.lower().endswith(".png") and not name.startswith("."):
                yield here / name


def modified_at(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)


class ImageFileStore:
    """The image files: where a new one goes, where a trashed one waits, what lies on disk."""

    def __init__(self, output_dir: Path, trash_dir: Path) -> None:
        self.output_dir = Path(output_dir).absolute()
        self.trash_dir = Path(trash_dir).absolute()

    def new_path(
        self, created: datetime, seed: int, prompt: str, taken: Callable[[Path], bool]
    ) -> Path:
        folder = image_folder(self.output_dir, created)
        return unique_path(folder / image_file_name(created, seed, prompt), taken)

    def write(self, target: Path, data: bytes) -> None:
        write_image_file(target, data)

    def trash_location(self, image_id: int, path: Path) -> Path:
        # Deterministic, so a move a crash interrupted can be found again.
        return self.trash_dir / f"{image_id}-{path.name}"

    def stored(self, path: Path) -> str:
        """A path as the database keeps it: relative inside the output folder, so the whole
        folder can move (portable use)."""
        try:
            return path.relative_to(self.output_dir).as_posix()
        except ValueError:
            return str(path)

    def resolve(self, stored: str) -> Path:
        path = Path(stored)
        return path if path.is_absolute() else self.output_dir / path

    def pngs(self) -> Iterator[Path]:
        return pngs_under(self.output_dir, skip=self.trash_dir)

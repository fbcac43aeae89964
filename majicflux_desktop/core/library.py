"""The history: jobs and the images they made, in SQLite (WAL) beside the settings.

`Library` is a thin facade over four stores, each with one concern (`core.store`):

- `jobs`: the queue and the history of jobs (`JobStore`);
- `records`: one row per image, its metadata document and what the gallery searches (`ImageRecordStore`);
- `files`: the image files in the output folder and the trash (`ImageFileStore`);
- `sources`: the pictures edits start from, by content (`SourceStore`).

The facade owns what spans a file and a row. A file is written (temp, fsync, rename) before its
row is committed, so a crash can leave a file without a row, which `adopt_orphans` takes back in,
but never a row without its file. File writes and moves happen under their own lock, outside the
connection's, so a slow disk never blocks the gallery's reads. Widgets and the worker are handed
only the store they use.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from majicflux_desktop.core import faults, metadata
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message
from majicflux_desktop.core.metadata import ImageMetadata
from majicflux_desktop.core.store.database import (
    CorruptLibraryError,
    Database,
    set_aside,
    utc_now,
)
from majicflux_desktop.core.store.files import (
    ImageFileStore,
    modified_at,
    move_if_present,
    unique_path,
)
from majicflux_desktop.core.store.jobs import RESUMABLE, Job, JobState, JobStore
from majicflux_desktop.core.store.records import ImageRecord, ImageRecordStore
from majicflux_desktop.core.store.search import ImageQuery
from majicflux_desktop.core.store.sources import SourceStore

__all__ = [
    "RESUMABLE",
    "AdoptReport",
    "CorruptLibraryError",
    "ImageQuery",
    "ImageRecord",
    "Job",
    "JobState",
    "JobStore",
    "Library",
]

log = logging.getLogger("majicflux.library")

BUSY_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class AdoptReport:
    adopted: list[ImageRecord] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # PNGs without our metadata: left alone


class Library:
    def __init__(
        self,
        path: Path,
        output_dir: Path,
        trash_dir: Path | None = None,
        *,
        sources_dir: Path | None = None,
        busy_timeout_s: float = BUSY_TIMEOUT_S,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        """Open (creating or migrating) the database at `path`.

        Raises UserError if it is locked by another program or cannot be opened, and
        CorruptLibraryError if it is damaged: `Library.open` handles that case.
        """
        self.db = Database(path, busy_timeout_s=busy_timeout_s, clock=clock)
        self.path = self.db.path
        self.files = ImageFileStore(output_dir, trash_dir or self.path.parent / "trash")
        self.jobs = JobStore(self.db)
        self.records = ImageRecordStore(self.db, self.files)
        self.sources = SourceStore(sources_dir or self.path.parent / "sources")
        self._files_lock = threading.Lock()  # names, writes and moves; always taken before the db's
        self._rebase_relative_paths()

    @property
    def output_dir(self) -> Path:
        return self.files.output_dir

    @property
    def trash_dir(self) -> Path:
        return self.files.trash_dir

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def open(
        cls,
        path: Path,
        output_dir: Path,
        trash_dir: Path | None = None,
        *,
        sources_dir: Path | None = None,
        busy_timeout_s: float = BUSY_TIMEOUT_S,
    ) -> tuple[Library, list[Message]]:
        """The library, rebuilt if its file is damaged; the notes then say what happened.

        The damaged file is kept beside the new one and the images come back from their PNG
        metadata. A database locked by another program raises a UserError: it is not damaged.
        """
        options = {"sources_dir": sources_dir, "busy_timeout_s": busy_timeout_s}
        try:
            return cls(path, output_dir, trash_dir, **options), []  # type: ignore[arg-type]
        except CorruptLibraryError as exc:
            log.warning("library %s is damaged (%s); starting a new one", path, exc)
        backup = set_aside(Path(path))
        library = cls(path, output_dir, trash_dir, **options)  # type: ignore[arg-type]
        report = library.adopt_orphans()
        note = Message(
            "library",
            QT_TRANSLATE_NOOP(
                "library",
                "The image library was damaged and has been rebuilt: {count} images were "
                "recovered from the files in “{folder}”. The queue, favourites and trash could "
                "not be recovered. The damaged file was kept as “{backup}”.",
            ),
            {"count": len(report.adopted), "folder": library.output_dir, "backup": backup},
        )
        return library, [note]

    # -- a file and its row ----------------------------------------------------------------------

    def save_image(self, job_id: int | None, png_bytes: bytes, meta: ImageMetadata) -> ImageRecord:
        """Write the PNG (temp, fsync, rename), then record it and count it for its job.

        If recording fails the file is removed again, so the user never finds an image the
        gallery does not know. Raises UserError when the file cannot be written (disk full, no
        permission): the message names the folder and the fix.
        """
        seed = meta.request.seed
        if seed is None:
            raise ValueError("an image's metadata must carry the seed it was made with")
        created = self.db.clock()
        with self._files_lock:
            target = self.files.new_path(created, seed, meta.request.prompt, self._path_taken)
            self.files.write(target, png_bytes)
            try:
                with self.db.write() as db:
                    image_id = self.records.insert(db, job_id, target, created, meta)
                    if job_id is not None:
                        JobStore.count_image(db, job_id)
                    faults.point("db-commit")
                    return self.records.by_id(db, image_id)
            except BaseException:
                with contextlib.suppress(OSError):
                    target.unlink()
                raise

    def trash(self, image_id: int) -> ImageRecord:
        """Move the image's file into the trash folder; `restore(image_id)` undoes it."""
        with self._files_lock:
            record = self._require_image(image_id)
            if record.trashed:
                return record
            bin_path = self.files.trash_location(record.id, record.path)
            moved = move_if_present(record.path, bin_path)
            try:
                with self.db.write() as db:
                    db.execute(
                        "UPDATE images SET trashed_at = ?, trash_path = ? WHERE id = ?",
                        (self.db.now(), str(bin_path), image_id),
                    )
                    return self.records.by_id(db, image_id)
            except BaseException:
                if moved:
                    move_if_present(bin_path, record.path)
                raise

    def restore(self, image_id: int) -> ImageRecord:
        """Bring a trashed image back to its folder (under a new name if the old one was taken)."""
        with self._files_lock:
            record = self._require_image(image_id)
            if not record.trashed:
                return record
            home = unique_path(record.path, lambda p: p.exists())
            moved = record.trash_path is not None and move_if_present(record.trash_path, home)
            try:
                with self.db.write() as db:
                    db.execute(
                        "UPDATE images SET trashed_at = NULL, trash_path = NULL, path = ? "
                        "WHERE id = ?",
                        (self.files.stored(home), image_id),
                    )
                    return self.records.by_id(db, image_id)
            except BaseException:
                if moved and record.trash_path is not None:
                    move_if_present(home, record.trash_path)
                raise

    def empty_trash(self) -> int:
        """Delete the trashed images for good; returns how many."""
        with self._files_lock:
            with self.db.write() as db:
                rows = db.execute(
                    "SELECT id, trash_path FROM images WHERE trashed_at IS NOT NULL"
                ).fetchall()
                db.execute("DELETE FROM images WHERE trashed_at IS NOT NULL")
            # Rows go first: a crash in between leaves stray files in the trash, never dead rows.
            for row in rows:
                if row["trash_path"]:
                    with contextlib.suppress(FileNotFoundError):
                        Path(row["trash_path"]).unlink()
            return len(rows)

    # -- files without rows, rows without files --------------------------------------------------

    def adopt_orphans(self) -> AdoptReport:
        """Give a row to every PNG with our metadata under the output folder that has none.

        Such a file is what a crash between writing an image and committing its row leaves.
        PNGs without our metadata are reported and left alone, never deleted.
        """
        report = AdoptReport()
        with self._files_lock:
            known = self.records.known_files()
            found: list[tuple[Path, ImageMetadata, datetime]] = []
            for png in self.files.pngs():
                if png in known:
                    continue
                result = metadata.read(png)
                if result.source != "MajicFlux" or result.metadata is None:
                    report.skipped.append(png)
                    continue
                created = _parse_created(result.metadata.created) or modified_at(png)
                found.append((png, result.metadata, created))
            if not found:
                return report
            with self.db.write() as db:
                for png, meta, created in found:
                    image_id = self.records.insert(db, None, png, created, meta)
                    report.adopted.append(self.records.by_id(db, image_id))
        log.info("adopted %d orphan images", len(report.adopted))
        return report

    def attach_to_job(self, image_id: int, job_id: int) -> bool:
        """Count an adopted image for the running job that made it (a crash came mid-save), so
        that resuming the job does not make that image twice. False if either is not there."""
        with self.db.write() as db:
            cursor = db.execute(
                "UPDATE images SET job_id = ? WHERE id = ? AND job_id IS NULL", (job_id, image_id)
            )
            if cursor.rowcount != 1:
                return False
            JobStore.count_image(db, job_id)
            return True

    def missing_files(self) -> list[ImageRecord]:
        """Rows whose file is gone (after finishing any trash move a crash interrupted)."""
        missing = []
        with self._files_lock:
            for record in self.records.every():
                if record.file.exists():
                    continue
                if not self._heal_interrupted_move(record):
                    missing.append(record)
        return missing

    def _heal_interrupted_move(self, record: ImageRecord) -> bool:
        """True if the file was found where a crash mid trash() or restore() left it.

        Both move the file first and commit after; the row is the truth, so the file goes back.
        """
        if not record.trashed:
            return move_if_present(self.files.trash_location(record.id, record.path), record.path)
        # A trashed row keeps its path (UNIQUE), so no other image can be saved under it.
        return record.trash_path is not None and move_if_present(record.path, record.trash_path)

    def _require_image(self, image_id: int) -> ImageRecord:
        record = self.records.image(image_id)
        if record is None:
            raise KeyError(f"no image {image_id}")
        return record

    def _path_taken(self, path: Path) -> bool:
        return path.exists() or self.records.path_taken(path)

    def _rebase_relative_paths(self) -> None:
        """Keep relative paths meaning the same files after the output folder setting changed.

        A relative path whose file is in the new folder stays relative (the folder was moved);
        the others become absolute paths into the old folder, where their files still are.
        """
        output_dir = self.files.output_dir
        with self.db.write() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'output_dir'").fetchone()
            if row is not None and row["value"] == str(output_dir):
                return
            if row is not None:
                old = Path(row["value"])
                for image in db.execute("SELECT id, path FROM images").fetchall():
                    stored = Path(image["path"])
                    if not stored.is_absolute() and not (output_dir / stored).exists():
                        db.execute(
                            "UPDATE images SET path = ? WHERE id = ?",
                            (str(old / stored), image["id"]),
                        )
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('output_dir', ?)",
                (str(output_dir),),
            )


def _parse_created(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.astimezone()  # naive: the maker's local time

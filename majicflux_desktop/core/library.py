"""The history: jobs and the images they made, in SQLite (WAL) beside the settings.

Images are files under the output folder; a row holds one file's parameters. A file is written
(temp, fsync, rename) before its row is committed, so a crash can leave a file without a row, which
`adopt_orphans` takes back in, but never a row without its file. File writes and moves happen under
their own lock, outside the connection's lock, so a slow disk never blocks the gallery's reads.
Threads and transactions: see `library_db`; jobs and the queue: see `jobs`.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from majicflux_desktop.core import faults, metadata
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message
from majicflux_desktop.core.image_files import (
    image_file_name,
    image_folder,
    modified_at,
    move_if_present,
    pngs_under,
    unique_path,
    write_image_file,
)
from majicflux_desktop.core.jobs import RESUMABLE, Job, JobQueue, JobState
from majicflux_desktop.core.library_db import (
    CorruptLibraryError,
    from_db,
    row_id,
    set_aside,
    to_db,
    utc_now,
)
from majicflux_desktop.core.library_search import image_filter
from majicflux_desktop.core.metadata import ImageMetadata
from majicflux_desktop.core.request import GenerationRequest

__all__ = [
    "RESUMABLE",
    "AdoptReport",
    "CorruptLibraryError",
    "ImageRecord",
    "Job",
    "JobState",
    "Library",
]

log = logging.getLogger("majicflux.library")

BUSY_TIMEOUT_S = 3.0
GIB = 1024**3


@dataclass(frozen=True)
class ImageRecord:
    id: int
    job_id: int | None
    path: Path  # where the image belongs; while trashed the file is at `trash_path`
    created_at: datetime
    prompt: str
    negative_prompt: str
    seed: int
    steps: int
    width: int
    height: int
    guidance: float
    cfg_scale: float
    model: str
    model_hash: str
    plan: str
    duration_s: float | None
    peak_vram_bytes: int | None
    favourite: bool
    trashed_at: datetime | None
    trash_path: Path | None
    metadata_json: str  # ImageMetadata.to_json(), as written into the PNG

    @property
    def trashed(self) -> bool:
        return self.trashed_at is not None

    @property
    def file(self) -> Path:
        """Where the file is now."""
        return self.trash_path if self.trashed and self.trash_path else self.path

    @property
    def request(self) -> GenerationRequest:
        """The single-image request that makes this image again (re-roll: change its seed)."""
        return GenerationRequest(
            prompt=self.prompt,
            negative_prompt=self.negative_prompt,
            seed=self.seed,
            steps=self.steps,
            width=self.width,
            height=self.height,
            guidance=self.guidance,
            cfg_scale=self.cfg_scale,
        )


@dataclass(frozen=True)
class AdoptReport:
    adopted: list[ImageRecord] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # PNGs without our metadata: left alone


class Library(JobQueue):
    def __init__(
        self,
        path: Path,
        output_dir: Path,
        trash_dir: Path | None = None,
        *,
        busy_timeout_s: float = BUSY_TIMEOUT_S,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        """Open (creating or migrating) the database at `path`.

        Raises UserError if it is locked by another program or cannot be opened, and
        CorruptLibraryError if it is damaged: `Library.open` handles that case.
        """
        super().__init__(path, busy_timeout_s=busy_timeout_s, clock=clock)
        self.output_dir = Path(output_dir).absolute()
        self.trash_dir = Path(trash_dir).absolute() if trash_dir else self.path.parent / "trash"
        self._files_lock = threading.Lock()  # names, writes and moves; always taken before _lock
        self._rebase_relative_paths()

    @classmethod
    def open(
        cls,
        path: Path,
        output_dir: Path,
        trash_dir: Path | None = None,
        *,
        busy_timeout_s: float = BUSY_TIMEOUT_S,
    ) -> tuple[Library, list[Message]]:
        """The library, rebuilt if its file is damaged; the notes then say what happened.

        The damaged file is kept beside the new one and the images come back from their PNG
        metadata. A database locked by another program raises a UserError: it is not damaged.
        """
        try:
            return cls(path, output_dir, trash_dir, busy_timeout_s=busy_timeout_s), []
        except CorruptLibraryError as exc:
            log.warning("library %s is damaged (%s); starting a new one", path, exc)
        backup = set_aside(Path(path))
        library = cls(path, output_dir, trash_dir, busy_timeout_s=busy_timeout_s)
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

    # -- images --------------------------------------------------------------------------------

    def save_image(
        self,
        job_id: int | None,
        png_bytes: bytes,
        meta: ImageMetadata,
        *,
        peak_vram_bytes: int | None = None,
    ) -> ImageRecord:
        """Write the PNG (temp, fsync, rename), then record it and count it for its job.

        If recording fails the file is removed again, so the user never finds an image the
        gallery does not know. Raises UserError when the file cannot be written (disk full, no
        permission): the message names the folder and the fix.
        """
        seed = meta.request.seed
        if seed is None:
            raise ValueError("an image's metadata must carry the seed it was made with")
        created = self._clock()
        if peak_vram_bytes is None:
            peak_vram_bytes = _peak_bytes(meta)
        with self._files_lock:
            folder = image_folder(self.output_dir, created)
            target = unique_path(
                folder / image_file_name(created, seed, meta.request.prompt), self._path_taken
            )
            write_image_file(target, png_bytes)
            try:
                with self._write() as db:
                    image_id = self._insert_image(
                        db, job_id, target, created, meta, peak_vram_bytes
                    )
                    if job_id is not None:
                        db.execute(
                            "UPDATE jobs SET images_done = images_done + 1 WHERE id = ?", (job_id,)
                        )
                    faults.point("db-commit")
                    return self._image_by_id(db, image_id)
            except BaseException:
                with contextlib.suppress(OSError):
                    target.unlink()
                raise

    def image(self, image_id: int) -> ImageRecord | None:
        with self._read() as db:
            row = db.execute("SELECT * FROM images WHERE id = ?", (image_id,)).fetchone()
        return None if row is None else self._image(row)

    def images(
        self,
        search: str = "",
        favourites_only: bool = False,
        include_trashed: bool = False,
        limit: int = 200,
        offset: int = 0,
        newest_first: bool = True,
    ) -> list[ImageRecord]:
        where, params = image_filter(search, favourites_only, include_trashed)
        order = "DESC" if newest_first else "ASC"
        with self._read() as db:
            rows = db.execute(
                f"SELECT * FROM images WHERE {where} "
                f"ORDER BY created_at {order}, id {order} LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        return [self._image(row) for row in rows]

    def count_images(
        self, search: str = "", favourites_only: bool = False, include_trashed: bool = False
    ) -> int:
        where, params = image_filter(search, favourites_only, include_trashed)
        with self._read() as db:
            return int(
                db.execute(f"SELECT count(*) FROM images WHERE {where}", params).fetchone()[0]
            )

    def trashed(self) -> list[ImageRecord]:
        with self._read() as db:
            rows = db.execute(
                "SELECT * FROM images WHERE trashed_at IS NOT NULL ORDER BY trashed_at DESC"
            ).fetchall()
        return [self._image(row) for row in rows]

    def set_favourite(self, image_id: int, favourite: bool) -> bool:
        with self._write() as db:
            cursor = db.execute(
                "UPDATE images SET favourite = ? WHERE id = ?", (int(favourite), image_id)
            )
            return cursor.rowcount == 1

    def trash(self, image_id: int) -> ImageRecord:
        """Move the image's file into the trash folder; `restore(image_id)` undoes it."""
        with self._files_lock:
            record = self._require_image(image_id)
            if record.trashed:
                return record
            bin_path = self._trash_location(record)
            moved = move_if_present(record.path, bin_path)
            try:
                with self._write() as db:
                    db.execute(
                        "UPDATE images SET trashed_at = ?, trash_path = ? WHERE id = ?",
                        (self._now(), str(bin_path), image_id),
                    )
                    return self._image_by_id(db, image_id)
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
                with self._write() as db:
                    db.execute(
                        "UPDATE images SET trashed_at = NULL, trash_path = NULL, path = ? "
                        "WHERE id = ?",
                        (self._stored_path(home), image_id),
                    )
                    return self._image_by_id(db, image_id)
            except BaseException:
                if moved and record.trash_path is not None:
                    move_if_present(home, record.trash_path)
                raise

    def empty_trash(self) -> int:
        """Delete the trashed images for good; returns how many."""
        with self._files_lock:
            with self._write() as db:
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
            known = self._known_files()
            found: list[tuple[Path, ImageMetadata, datetime]] = []
            for png in pngs_under(self.output_dir, skip=self.trash_dir):
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
            with self._write() as db:
                for png, meta, created in found:
                    image_id = self._insert_image(db, None, png, created, meta, _peak_bytes(meta))
                    report.adopted.append(self._image_by_id(db, image_id))
        log.info("adopted %d orphan images", len(report.adopted))
        return report

    def attach_to_job(self, image_id: int, job_id: int) -> bool:
        """Count an adopted image for the running job that made it (a crash came mid-save), so
        that resuming the job does not make that image twice. False if either is not there."""
        with self._write() as db:
            cursor = db.execute(
                "UPDATE images SET job_id = ? WHERE id = ? AND job_id IS NULL", (job_id, image_id)
            )
            if cursor.rowcount != 1:
                return False
            db.execute("UPDATE jobs SET images_done = images_done + 1 WHERE id = ?", (job_id,))
            return True

    def missing_files(self) -> list[ImageRecord]:
        """Rows whose file is gone (after finishing any trash move a crash interrupted)."""
        missing = []
        with self._files_lock:
            with self._read() as db:
                records = [self._image(row) for row in db.execute("SELECT * FROM images")]
            for record in records:
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
            return move_if_present(self._trash_location(record), record.path)
        # A trashed row keeps its path (UNIQUE), so no other image can be saved under it.
        return record.trash_path is not None and move_if_present(record.path, record.trash_path)

    # -- rows ----------------------------------------------------------------------------------

    def _insert_image(
        self,
        db: sqlite3.Connection,
        job_id: int | None,
        path: Path,
        created: datetime,
        meta: ImageMetadata,
        peak_vram_bytes: int | None,
    ) -> int:
        r = meta.request
        cursor = db.execute(
            "INSERT INTO images (job_id, path, created_at, prompt, negative_prompt, seed, steps, "
            "width, height, guidance, cfg_scale, model, model_hash, plan, duration_s, "
            "peak_vram_bytes, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                job_id,
                self._stored_path(path),
                to_db(created),
                r.prompt,
                r.negative_prompt,
                r.seed,
                r.steps,
                r.width,
                r.height,
                r.guidance,
                r.cfg_scale,
                meta.model,
                meta.model_hash,
                meta.plan,
                meta.duration_s,
                peak_vram_bytes,
                meta.to_json(),
            ),
        )
        return row_id(cursor)

    def _image(self, row: sqlite3.Row) -> ImageRecord:
        return ImageRecord(
            id=row["id"],
            job_id=row["job_id"],
            path=self._resolve(row["path"]),
            created_at=datetime.fromisoformat(row["created_at"]),
            prompt=row["prompt"],
            negative_prompt=row["negative_prompt"],
            seed=row["seed"],
            steps=row["steps"],
            width=row["width"],
            height=row["height"],
            guidance=row["guidance"],
            cfg_scale=row["cfg_scale"],
            model=row["model"],
            model_hash=row["model_hash"],
            plan=row["plan"],
            duration_s=row["duration_s"],
            peak_vram_bytes=row["peak_vram_bytes"],
            favourite=bool(row["favourite"]),
            trashed_at=from_db(row["trashed_at"]),
            trash_path=Path(row["trash_path"]) if row["trash_path"] else None,
            metadata_json=row["metadata"],
        )

    def _image_by_id(self, db: sqlite3.Connection, image_id: int) -> ImageRecord:
        return self._image(db.execute("SELECT * FROM images WHERE id = ?", (image_id,)).fetchone())

    def _require_image(self, image_id: int) -> ImageRecord:
        record = self.image(image_id)
        if record is None:
            raise KeyError(f"no image {image_id}")
        return record

    # -- paths ---------------------------------------------------------------------------------

    def _stored_path(self, path: Path) -> str:
        # Relative inside the output folder, so the whole folder can move (portable use).
        try:
            return path.relative_to(self.output_dir).as_posix()
        except ValueError:
            return str(path)

    def _resolve(self, stored: str) -> Path:
        path = Path(stored)
        return path if path.is_absolute() else self.output_dir / path

    def _path_taken(self, path: Path) -> bool:
        if path.exists():
            return True
        with self._read() as db:
            stored = self._stored_path(path)
            return (
                db.execute("SELECT 1 FROM images WHERE path = ?", (stored,)).fetchone() is not None
            )

    def _trash_location(self, record: ImageRecord) -> Path:
        # Deterministic, so a move a crash interrupted can be found again.
        return self.trash_dir / f"{record.id}-{record.path.name}"

    def _known_files(self) -> set[Path]:
        with self._read() as db:
            rows = db.execute("SELECT path, trash_path FROM images").fetchall()
        known = {self._resolve(row["path"]) for row in rows}
        known.update(Path(row["trash_path"]) for row in rows if row["trash_path"])
        return known

    def _rebase_relative_paths(self) -> None:
        """Keep relative paths meaning the same files after the output folder setting changed.

        A relative path whose file is in the new folder stays relative (the folder was moved);
        the others become absolute paths into the old folder, where their files still are.
        """
        with self._write() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'output_dir'").fetchone()
            if row is not None and row["value"] == str(self.output_dir):
                return
            if row is not None:
                old = Path(row["value"])
                for image in db.execute("SELECT id, path FROM images").fetchall():
                    stored = Path(image["path"])
                    if not stored.is_absolute() and not (self.output_dir / stored).exists():
                        db.execute(
                            "UPDATE images SET path = ? WHERE id = ?",
                            (str(old / stored), image["id"]),
                        )
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('output_dir', ?)",
                (str(self.output_dir),),
            )


def _parse_created(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.astimezone()  # naive: the maker's local time


def _peak_bytes(meta: ImageMetadata) -> int | None:
    return None if meta.peak_vram_gb is None else round(meta.peak_vram_gb * GIB)

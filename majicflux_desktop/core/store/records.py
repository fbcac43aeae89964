"""Image records: one row per image, holding its ImageMetadata document and what the gallery
searches, filters and sorts by. The files themselves are the file store's (`store.files`).

A row is written only inside a transaction the library facade opens, after the image's file is in
place (`core.library`); queries and flags (favourite) are this store's alone.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from majicflux_desktop.core import codec
from majicflux_desktop.core.metadata import ImageMetadata
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.core.results import AppliedLora
from majicflux_desktop.core.store.database import Database, from_db, row_id, to_db
from majicflux_desktop.core.store.files import ImageFileStore
from majicflux_desktop.core.store.search import ImageQuery, image_filter

log = logging.getLogger("majicflux.library")

EVERYTHING = ImageQuery()  # every image not in the trash, newest first


@dataclass(frozen=True)
class ImageRecord:
    id: int
    job_id: int | None
    parent_id: int | None  # the image it was made from (an edit), if it is in the library
    path: Path  # where the image belongs; while trashed the file is at `trash_path`
    created_at: datetime
    favourite: bool
    trashed_at: datetime | None
    trash_path: Path | None
    meta: ImageMetadata  # the document the PNG carries too

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
        return self.meta.request

    @property
    def seed(self) -> int:
        assert self.meta.request.seed is not None  # the library refuses images without one
        return self.meta.request.seed

    @property
    def prompt(self) -> str:
        return self.meta.request.prompt

    @property
    def negative_prompt(self) -> str:
        return self.meta.request.negative_prompt

    @property
    def width(self) -> int:
        return self.meta.request.width

    @property
    def height(self) -> int:
        return self.meta.request.height

    @property
    def steps(self) -> int:
        return self.meta.request.steps

    @property
    def duration_s(self) -> float | None:
        return self.meta.duration_s

    @property
    def peak_vram_bytes(self) -> int | None:
        return self.meta.peak_vram_bytes

    @property
    def loras(self) -> tuple[AppliedLora, ...]:
        return self.meta.loras


class ImageRecordStore:
    def __init__(self, db: Database, files: ImageFileStore) -> None:
        self._db = db
        self._files = files

    # -- reading -------------------------------------------------------------------------------

    def image(self, image_id: int) -> ImageRecord | None:
        with self._db.read() as db:
            row = db.execute("SELECT * FROM images WHERE id = ?", (image_id,)).fetchone()
        return None if row is None else self.record(row)

    def images(
        self, query: ImageQuery = EVERYTHING, limit: int = 200, offset: int = 0
    ) -> list[ImageRecord]:
        where, params = image_filter(query)
        order = "DESC" if query.newest_first else "ASC"
        with self._db.read() as db:
            rows = db.execute(
                f"SELECT * FROM images WHERE {where} "
                f"ORDER BY created_at {order}, id {order} LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        return [self.record(row) for row in rows]

    def count(self, query: ImageQuery = EVERYTHING) -> int:
        where, params = image_filter(query)
        with self._db.read() as db:
            return int(
                db.execute(f"SELECT count(*) FROM images WHERE {where}", params).fetchone()[0]
            )

    def trashed(self) -> list[ImageRecord]:
        with self._db.read() as db:
            rows = db.execute(
                "SELECT * FROM images WHERE trashed_at IS NOT NULL ORDER BY trashed_at DESC"
            ).fetchall()
        return [self.record(row) for row in rows]

    def every(self) -> list[ImageRecord]:
        with self._db.read() as db:
            return [self.record(row) for row in db.execute("SELECT * FROM images")]

    def lora_names(self) -> list[tuple[str, int]]:
        """Every LoRA name used by an image not in the trash, with how many images use it."""
        with self._db.read() as db:
            rows = db.execute(
                "SELECT l.name, count(*) FROM image_loras l JOIN images i ON i.id = l.image_id "
                "WHERE i.trashed_at IS NULL GROUP BY l.name ORDER BY count(*) DESC, l.name"
            ).fetchall()
        return [(row[0], int(row[1])) for row in rows]

    def has_children(self, image_id: int) -> bool:
        """Whether an image outside the trash was made from this one (an edit of it)."""
        with self._db.read() as db:
            return (
                db.execute(
                    "SELECT 1 FROM images WHERE parent_id = ? AND trashed_at IS NULL LIMIT 1",
                    (image_id,),
                ).fetchone()
                is not None
            )

    def path_taken(self, path: Path) -> bool:
        with self._db.read() as db:
            stored = self._files.stored(path)
            return (
                db.execute("SELECT 1 FROM images WHERE path = ?", (stored,)).fetchone() is not None
            )

    def known_files(self) -> set[Path]:
        with self._db.read() as db:
            rows = db.execute("SELECT path, trash_path FROM images").fetchall()
        known = {self._files.resolve(row["path"]) for row in rows}
        known.update(Path(row["trash_path"]) for row in rows if row["trash_path"])
        return known

    # -- flags ---------------------------------------------------------------------------------

    def set_favourite(self, image_id: int, favourite: bool) -> ImageRecord | None:
        """The record as it now is; None if there is no such image."""
        with self._db.write() as db:
            cursor = db.execute(
                "UPDATE images SET favourite = ? WHERE id = ?", (int(favourite), image_id)
            )
            return self.by_id(db, image_id) if cursor.rowcount == 1 else None

    # -- rows, inside the facade's transactions ------------------------------------------------

    def insert(
        self,
        db: sqlite3.Connection,
        job_id: int | None,
        path: Path,
        created: datetime,
        meta: ImageMetadata,
    ) -> int:
        r = meta.request
        parent = r.edit.parent_image if r.edit is not None else None
        if (
            parent is not None
            and not db.execute("SELECT 1 FROM images WHERE id = ?", (parent,)).fetchone()
        ):
            parent = None  # deleted for good meanwhile: the metadata still says what it was
        cursor = db.execute(
            "INSERT INTO images (job_id, parent_id, path, created_at, prompt, negative_prompt, "
            "metadata) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                job_id,
                parent,
                self._files.stored(path),
                to_db(created),
                r.prompt,
                r.negative_prompt,
                meta.to_json(),
            ),
        )
        image_id = row_id(cursor)
        names = {lora.name: lora.sha256 for lora in r.loras if lora.enabled}
        names.update({lora.name: lora.sha256 for lora in meta.loras})
        db.executemany(
            "INSERT OR IGNORE INTO image_loras (image_id, name, sha256) VALUES (?, ?, ?)",
            [(image_id, name, sha) for name, sha in names.items()],
        )
        return image_id

    def record(self, row: sqlite3.Row) -> ImageRecord:
        return ImageRecord(
            id=row["id"],
            job_id=row["job_id"],
            parent_id=row["parent_id"],
            path=self._files.resolve(row["path"]),
            created_at=datetime.fromisoformat(row["created_at"]),
            favourite=bool(row["favourite"]),
            trashed_at=from_db(row["trashed_at"]),
            trash_path=Path(row["trash_path"]) if row["trash_path"] else None,
            meta=_metadata(row),
        )

    def by_id(self, db: sqlite3.Connection, image_id: int) -> ImageRecord:
        return self.record(db.execute("SELECT * FROM images WHERE id = ?", (image_id,)).fetchone())


def _metadata(row: sqlite3.Row) -> ImageMetadata:
    """The row's document; a damaged one (edited by hand) keeps what can be read, with a log line."""
    issues: list[codec.Issue] = []
    try:
        meta = codec.loads(ImageMetadata, row["metadata"], issues)
    except codec.DecodeError as exc:
        log.warning("image %s: unreadable metadata (%s); showing its prompt only", row["id"], exc)
        return ImageMetadata(GenerationRequest(row["prompt"], row["negative_prompt"], seed=0))
    if issues:
        log.warning("image %s: metadata values replaced by defaults: %s", row["id"], issues)
    if meta.request.seed is None:  # never written so: the library refuses images without a seed
        meta = dataclasses.replace(meta, request=meta.request.with_seed(0))
    return meta

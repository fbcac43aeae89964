"""The library's schema across versions: a library written by 0.1.0 opens with every image, its
parameters and its seed; migrations run once, in a transaction each, and never half."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.library import ImageQuery, JobState, Library
from majicflux_desktop.core.metadata import ImageMetadata, encode_png, read
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.core.store import database as library_db
from majicflux_desktop.core.store import migrations

# The schema exactly as version 1 shipped: a database made by that release, built by hand here,
# must still open. Never edit this copy; if library_db.SCHEMA_V1 changes, users' files break.
SCHEMA_V1_AS_SHIPPED = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    created_at  TEXT NOT NULL,
    request     TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN
                    ('queued', 'running', 'finished', 'cancelled', 'failed', 'interrupted')),
    position    INTEGER,
    error       TEXT NOT NULL DEFAULT '',
    started_at  TEXT,
    finished_at TEXT,
    images_done INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_by_state ON jobs (state, position, id);
CREATE TABLE images (
    id              INTEGER PRIMARY KEY,
    job_id          INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
    path            TEXT NOT NULL UNIQUE,
    created_at      TEXT NOT NULL,
    prompt          TEXT NOT NULL,
    negative_prompt TEXT NOT NULL DEFAULT '',
    seed            INTEGER NOT NULL,
    steps           INTEGER NOT NULL,
    width           INTEGER NOT NULL,
    height          INTEGER NOT NULL,
    guidance        REAL NOT NULL,
    cfg_scale       REAL NOT NULL,
    model           TEXT NOT NULL DEFAULT '',
    model_hash      TEXT NOT NULL DEFAULT '',
    plan            TEXT NOT NULL DEFAULT '',
    duration_s      REAL,
    peak_vram_bytes INTEGER,
    favourite       INTEGER NOT NULL DEFAULT 0,
    trashed_at      TEXT,
    trash_path      TEXT,
    metadata        TEXT NOT NULL
);
CREATE INDEX images_by_time ON images (trashed_at, created_at, id);
CREATE INDEX images_by_job ON images (job_id);
CREATE INDEX images_favourites ON images (trashed_at, created_at, id) WHERE favourite = 1;
CREATE VIRTUAL TABLE images_fts USING fts5 (
    prompt, negative_prompt, content = 'images', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER images_fts_insert AFTER INSERT ON images BEGIN
    INSERT INTO images_fts (rowid, prompt, negative_prompt)
    VALUES (new.id, new.prompt, new.negative_prompt);
END;
CREATE TRIGGER images_fts_delete AFTER DELETE ON images BEGIN
    INSERT INTO images_fts (images_fts, rowid, prompt, negative_prompt)
    VALUES ('delete', old.id, old.prompt, old.negative_prompt);
END;
CREATE TRIGGER images_fts_update AFTER UPDATE OF prompt, negative_prompt ON images BEGIN
    INSERT INTO images_fts (images_fts, rowid, prompt, negative_prompt)
    VALUES ('delete', old.id, old.prompt, old.negative_prompt);
    INSERT INTO images_fts (rowid, prompt, negative_prompt)
    VALUES (new.id, new.prompt, new.negative_prompt);
END;
"""


def test_module_schema_v1_is_the_shipped_one() -> None:
    assert migrations.SCHEMA_V1 == SCHEMA_V1_AS_SHIPPED


def test_a_new_database_is_migrated_in_wal_mode(library: Library, db_path: Path) -> None:
    with raw(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(library_db.MIGRATIONS)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"jobs", "images", "images_fts", "meta"} <= tables


def build_v1_database(db_path: Path, image_file: str) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = raw(db_path)
    conn.executescript(SCHEMA_V1_AS_SHIPPED)
    conn.execute(
        "INSERT INTO jobs (id, created_at, request, state, position, images_done) "
        "VALUES (7, '2026-01-02T03:04:05.000000+00:00', ?, 'queued', 1, 0)",
        ('{"prompt": "老房子，黄昏", "seed": 9, "count": 2}',),
    )
    conn.execute(
        "INSERT INTO images (id, job_id, path, created_at, prompt, negative_prompt, seed, steps, "
        "width, height, guidance, cfg_scale, metadata) VALUES (3, 7, ?, "
        "'2026-01-02T03:04:09.000000+00:00', '老房子，黄昏，胶片质感', 'blurry', 9, 20, 1024, "
        "1024, 3.5, 1.0, '{}')",
        (image_file,),
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def test_a_version_1_database_opens_with_its_rows(db_path: Path, out: Path) -> None:
    build_v1_database(db_path, "2026-01-02/030409-9-old.png")
    with Library(db_path, out) as library:
        job = library.jobs.job(7)
        assert job is not None and job.state is JobState.QUEUED
        assert job.request.prompt == "老房子，黄昏" and job.request.count == 2
        assert [j.id for j in library.jobs.queued()] == [7]
        [image] = library.records.images(ImageQuery(search="胶片质感"))
        assert image.id == 3 and image.path == out / "2026-01-02" / "030409-9-old.png"
        assert library.records.count(ImageQuery(search="黄昏")) == 1


def test_an_appended_migration_runs_once_on_an_old_database(
    db_path: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_v1_database(db_path, "a.png")
    runs = []

    def add_rating(conn: sqlite3.Connection) -> None:
        runs.append(1)
        conn.execute("ALTER TABLE images ADD COLUMN rating INTEGER NOT NULL DEFAULT 0")

    monkeypatch.setattr(library_db, "MIGRATIONS", [*library_db.MIGRATIONS, add_rating])
    Library(db_path, out).close()
    Library(db_path, out).close()
    assert runs == [1]
    with raw(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations.MIGRATIONS) + 1
        assert conn.execute("SELECT id, rating FROM images").fetchall() == [(3, 0)]


def test_a_failing_migration_changes_nothing(
    db_path: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_v1_database(db_path, "a.png")

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE images ADD COLUMN rating INTEGER")
        raise RuntimeError("bug in the migration")

    # the migration to version 2 runs first and is kept; the broken one after it leaves nothing
    monkeypatch.setattr(library_db, "MIGRATIONS", [*library_db.MIGRATIONS, broken])
    with pytest.raises(RuntimeError):
        Library(db_path, out)
    with raw(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations.MIGRATIONS)
        columns = {row[1] for row in conn.execute("PRAGMA table_info(images)")}
    assert "rating" not in columns


def test_a_database_from_a_newer_app_is_refused_and_kept(db_path: Path, out: Path) -> None:
    Library(db_path, out).close()
    with raw(db_path) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(UserError, match="newer version"):
        Library.open(db_path, out)
    assert db_path.exists() and not list(db_path.parent.glob("*.corrupt-*"))


def test_statement_splitting_keeps_trigger_bodies_whole() -> None:
    statements = list(migrations.statements(SCHEMA_V1_AS_SHIPPED))
    triggers = [s for s in statements if "CREATE TRIGGER" in s]
    assert len(triggers) == 3 and all(s.rstrip().endswith("END;") for s in triggers)


def raw(db_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(db_path)


# -- a library as 0.1.0 wrote it -------------------------------------------------------------------

# Rows exactly as 0.1.0's Library.save_image wrote them: every parameter in a column and again in
# the metadata JSON (schema 1), whose peak was rounded to 0.01 GB.
V1_IMAGES = [
    dict(
        id=1, job_id=1, path="2026-01-02/030405-1234567890-橘猫.png",
        created_at="2026-01-02T03:04:05.000000+00:00", prompt="一只橘猫坐在窗台上，阳光明媚",
        negative_prompt="模糊, low quality", seed=1234567890, steps=28, width=832, height=1216,
        guidance=4.5, cfg_scale=2.0, model="majicflus_v134", model_hash="0123456789ab",
        plan="fp8-stream", duration_s=12.345, peak_vram_bytes=7_784_628_224, favourite=1,
        trashed_at=None, trash_path=None,
    ),
    dict(
        id=2, job_id=None, path="2026-01-03/101010-7-lighthouse.png",
        created_at="2026-01-03T10:10:10.000000+00:00", prompt="a lighthouse at dusk, film photo",
        negative_prompt="", seed=7, steps=20, width=1024, height=1024, guidance=3.5,
        cfg_scale=1.0, model="tiny-random", model_hash="abcdef", plan="bf16", duration_s=None,
        peak_vram_bytes=None, favourite=0, trashed_at="2026-01-04T00:00:00.000000+00:00",
        trash_path="TRASH/2-101010-7-lighthouse.png",
    ),
]  # fmt: skip


def v1_metadata(row: dict[str, object]) -> str:
    """The JSON 0.1.0 put in the PNG and in the row (`ImageMetadata.to_json` of schema 1)."""
    peak = row["peak_vram_bytes"]
    request = {
        key: row[key]
        for key in ("prompt", "negative_prompt", "seed", "steps", "width", "height", "guidance")
    }
    request.update(cfg_scale=row["cfg_scale"], count=1)
    data = {
        "request": request,
        "model": row["model"],
        "model_hash": row["model_hash"],
        "plan": row["plan"],
        "app_version": "0.1.0",
        "created": "2026-01-02T11:04:05+08:00",
        "duration_s": row["duration_s"],
        "peak_vram_gb": None if peak is None else round(int(peak) / 1024**3, 2),  # type: ignore[call-overload]
        "schema": 1,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def build_0_1_0_library(db_path: Path, out: Path, trash: Path) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = raw(db_path)
    conn.executescript(SCHEMA_V1_AS_SHIPPED)
    job_request = {"prompt": "一只橘猫坐在窗台上，阳光明媚", "negative_prompt": "模糊, low quality",
                   "seed": 1234567890, "steps": 28, "width": 832, "height": 1216, "guidance": 4.5,
                   "cfg_scale": 2.0, "count": 2}  # fmt: skip
    conn.execute(
        "INSERT INTO jobs (id, created_at, request, state, position, started_at, images_done) "
        "VALUES (1, '2026-01-02T03:04:00.000000+00:00', ?, 'interrupted', NULL, "
        "'2026-01-02T03:04:01.000000+00:00', 1)",
        (json.dumps(job_request, ensure_ascii=False),),
    )
    conn.execute(
        "INSERT INTO jobs (id, created_at, request, state, position) VALUES "
        "(2, '2026-01-05T00:00:00.000000+00:00', ?, 'queued', 1)",
        ('{"prompt": "山水画，水墨风格", "seed": null, "count": 3}',),
    )
    for row in V1_IMAGES:
        values = dict(row, metadata=v1_metadata(row))
        if values["trash_path"]:
            values["trash_path"] = str(trash / str(values["trash_path"]).split("/", 1)[1])
        columns = ", ".join(values)
        conn.execute(
            f"INSERT INTO images ({columns}) VALUES ({', '.join('?' * len(values))})",
            tuple(values.values()),
        )
        file = (
            trash / Path(str(values["trash_path"])).name
            if row["trash_path"]
            else out / str(row["path"])
        )
        file.parent.mkdir(parents=True, exist_ok=True)
        meta = ImageMetadata(GenerationRequest("x", seed=1))  # the file's bytes do not matter here
        file.write_bytes(encode_png(Image.new("RGB", (4, 4)), meta))
    conn.execute("INSERT INTO meta (key, value) VALUES ('output_dir', ?)", (str(out),))
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def test_a_0_1_0_library_opens_with_every_image_parameter_and_seed(
    db_path: Path, out: Path
) -> None:
    trash = db_path.parent / "trash"
    build_0_1_0_library(db_path, out, trash)
    with Library(db_path, out, trash) as library:
        by_id = {r.id: r for r in library.records.images(ImageQuery(include_trashed=True))}
        assert set(by_id) == {1, 2}
        for row in V1_IMAGES:
            record = by_id[int(row["id"])]  # type: ignore[call-overload]
            request, meta = record.request, record.meta
            assert (request.prompt, request.negative_prompt, request.seed) == (
                row["prompt"], row["negative_prompt"], row["seed"],
            )  # fmt: skip
            assert (request.steps, request.width, request.height) == (
                row["steps"], row["width"], row["height"],
            )  # fmt: skip
            assert (request.guidance, request.cfg_scale, request.count) == (
                row["guidance"], row["cfg_scale"], 1,
            )  # fmt: skip
            assert request.loras == () and request.edit is None
            assert (meta.model, meta.model_hash, meta.plan) == (
                row["model"], row["model_hash"], row["plan"],
            )  # fmt: skip
            assert meta.duration_s == row["duration_s"]
            # exact bytes from 0.1.0's column, not the JSON's 0.01 GB rounding
            assert meta.peak_vram_bytes == row["peak_vram_bytes"]
            assert meta.app_version == "0.1.0" and meta.created == "2026-01-02T11:04:05+08:00"
            assert record.favourite == bool(row["favourite"])
            assert record.job_id == row["job_id"] and record.parent_id is None
            assert record.file.is_file()
        assert by_id[2].trashed and by_id[2].file.parent == trash
        # search, favourites and the trash filter work on the migrated rows
        assert [r.id for r in library.records.images(ImageQuery(search="橘猫"))] == [1]
        assert [r.id for r in library.records.images(ImageQuery(search="film photo"))] == []
        assert library.records.count(ImageQuery(favourites_only=True)) == 1
        assert library.records.count() == 1  # the trashed one is not in the gallery
        # the jobs: an interrupted one resumes for its missing image, the queued one waits
        interrupted = library.jobs.job(1)
        assert interrupted is not None and interrupted.state is JobState.INTERRUPTED
        assert interrupted.request.count == 2 and interrupted.remaining == 1
        [pending] = list(interrupted.pending_requests())
        assert pending.seed == 1234567891 and pending.cfg_scale == 2.0
        assert [j.id for j in library.jobs.queued()] == [2]
        # the stored document is the one serializer's, and restoring it changes nothing
        document = json.loads(by_id[1].meta.to_json())
        assert document["version"] == ImageMetadata.VERSION and "peak_vram_gb" not in document
        restored = library.restore(2)
        assert restored.file == out / str(V1_IMAGES[1]["path"]) and restored.file.is_file()
    with raw(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(library_db.MIGRATIONS)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_0_1_0_row_with_damaged_json_keeps_its_parameters(db_path: Path, out: Path) -> None:
    """The columns were the truth in 0.1.0: the migration rebuilds the document from them."""
    build_v1_database(db_path, "2026-01-02/030409-9-old.png")  # its metadata is '{}'
    with raw(db_path) as conn:
        conn.execute("UPDATE images SET metadata = 'not json {'")
    with Library(db_path, out) as library:
        [record] = library.records.images()
        assert (
            record.seed == 9 and record.request.steps == 20 and record.prompt.startswith("老房子")
        )


def test_the_gallery_reads_a_png_written_by_0_1_0(tmp_path: Path) -> None:
    row = V1_IMAGES[0]
    png = tmp_path / "old.png"
    info = PngImagePlugin.PngInfo()
    info.add_itxt("majicflux", v1_metadata(row))
    Image.new("RGB", (4, 4)).save(png, pnginfo=info)
    result = read(png)
    assert result.source == "MajicFlux" and result.notes == []
    assert result.request is not None and result.request.seed == row["seed"]
    assert result.metadata is not None
    # 0.1.0's PNG has only the rounded figure: the nearest byte count of 7.25 GB
    assert result.metadata.peak_vram_bytes == round(7.25 * 1024**3)

from __future__ import annotations

import dataclasses
import errno
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image

from helpers import subprocess_env
from majicflux_desktop.core import image_files, library_db, metadata
from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.image_files import slug
from majicflux_desktop.core.library import (
    CorruptLibraryError,
    ImageRecord,
    JobState,
    Library,
)
from majicflux_desktop.core.metadata import ImageMetadata, encode_png
from majicflux_desktop.core.request import GenerationRequest, RequestError

CAT = "一只橘猫坐在窗台上，阳光明媚"
LANDSCAPE = "山水画，水墨风格，远山"
ENGLISH = "a ginger cat on a windowsill, 100% cosy"

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


class Clock:
    """A clock that moves one second per reading, so every row has its own time."""

    def __init__(self, start: datetime = datetime(2026, 3, 1, 4, 5, 6, tzinfo=timezone.utc)):
        self.now = start
        self.step = timedelta(seconds=1)

    def __call__(self) -> datetime:
        moment = self.now
        self.now += self.step
        return moment


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "library.sqlite3"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "images"


@pytest.fixture
def lib(db_path: Path, out: Path, clock: Clock) -> Iterator[Library]:
    library = Library(db_path, out, clock=clock)
    yield library
    library.close()


def meta_for(
    prompt: str, seed: int = 42, negative: str = "", created: str = "", count: int = 1
) -> ImageMetadata:
    request = GenerationRequest(prompt, negative_prompt=negative, seed=seed, count=count)
    return ImageMetadata(
        request=request,
        model="majicflus_v134",
        model_hash="0123456789ab",
        plan="fp8",
        app_version="0.1.0",
        created=created,
        duration_s=4.5,
        peak_vram_gb=7.25,
    )


def png_of(meta: ImageMetadata | None) -> bytes:
    return encode_png(Image.new("RGB", (8, 8), "orange"), meta)


def save(lib: Library, prompt: str, seed: int = 42, job_id: int | None = None, **kw) -> ImageRecord:
    meta = meta_for(prompt, seed, **kw)
    return lib.save_image(job_id, png_of(meta), meta)


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def raw(db_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(db_path)


# -- schema and migrations -------------------------------------------------------------------------


def test_module_schema_v1_is_the_shipped_one() -> None:
    assert library_db.SCHEMA_V1 == SCHEMA_V1_AS_SHIPPED


def test_a_new_database_is_migrated_in_wal_mode(lib: Library, db_path: Path) -> None:
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
    with Library(db_path, out) as lib:
        job = lib.job(7)
        assert job is not None and job.state is JobState.QUEUED
        assert job.request.prompt == "老房子，黄昏" and job.request.count == 2
        assert [j.id for j in lib.queued()] == [7]
        [image] = lib.images("胶片质感")
        assert image.id == 3 and image.path == out / "2026-01-02" / "030409-9-old.png"
        assert lib.count_images("黄昏") == 1


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
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        assert conn.execute("SELECT id, rating FROM images").fetchall() == [(3, 0)]


def test_a_failing_migration_changes_nothing(
    db_path: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_v1_database(db_path, "a.png")

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE images ADD COLUMN rating INTEGER")
        raise RuntimeError("bug in migration 2")

    monkeypatch.setattr(library_db, "MIGRATIONS", [*library_db.MIGRATIONS, broken])
    with pytest.raises(RuntimeError):
        Library(db_path, out)
    with raw(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
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
    statements = list(library_db._statements(SCHEMA_V1_AS_SHIPPED))
    triggers = [s for s in statements if "CREATE TRIGGER" in s]
    assert len(triggers) == 3 and all(s.rstrip().endswith("END;") for s in triggers)


# -- jobs and the queue ----------------------------------------------------------------------------


def test_the_queue_survives_a_restart_in_order(db_path: Path, out: Path) -> None:
    with Library(db_path, out) as lib:
        ids = [lib.enqueue(GenerationRequest(p)).id for p in ("一", "二", "三")]
    with Library(db_path, out) as lib:
        assert [j.id for j in lib.queued()] == ids
        assert [j.request.prompt for j in lib.queued()] == ["一", "二", "三"]


def test_an_invalid_request_is_never_queued(lib: Library) -> None:
    with pytest.raises(RequestError):
        lib.enqueue(GenerationRequest("cat", steps=0))
    assert lib.queued() == [] and lib.jobs() == []


def test_move_reorders_the_queue_and_clamps_at_the_ends(lib: Library, db_path: Path) -> None:
    a, b, c, d = (lib.enqueue(GenerationRequest(p)).id for p in "abcd")
    assert lib.move(d, -2)
    assert [j.id for j in lib.queued()] == [a, d, b, c]
    assert lib.move(a, +10)
    assert [j.id for j in lib.queued()] == [d, b, c, a]
    assert lib.move(b, -100)
    assert [j.id for j in lib.queued()] == [b, d, c, a]
    assert lib.next_queued() is not None and lib.next_queued().id == b  # type: ignore[union-attr]
    lib.mark_running(b)
    assert not lib.move(b, 1)  # a running job has no place in the queue
    assert [j.id for j in lib.queued()] == [d, c, a]
    positions = [j.position for j in lib.queued()]
    assert positions == sorted(set(positions))  # type: ignore[type-var]


def test_a_job_lives_queued_running_finished(lib: Library) -> None:
    job = lib.enqueue(GenerationRequest("cat", count=2))
    assert job.state is JobState.QUEUED and job.position == 1 and job.started_at is None
    claimed = lib.claim_next()
    assert claimed is not None and claimed.id == job.id
    assert claimed.state is JobState.RUNNING and claimed.position is None and claimed.started_at
    assert lib.claim_next() is None
    assert lib.mark_finished(job.id)
    done = lib.job(job.id)
    assert done is not None and done.state is JobState.FINISHED and done.finished_at
    assert not lib.mark_finished(job.id)  # a second report changes nothing
    with pytest.raises(dataclasses.FrozenInstanceError):
        done.state = JobState.QUEUED  # type: ignore[misc]


def test_a_job_cancelled_before_the_worker_starts_it_stays_cancelled(lib: Library) -> None:
    job = lib.enqueue(GenerationRequest("cat"))
    assert lib.cancel_queued(job.id)
    assert not lib.mark_running(job.id)
    assert lib.job(job.id).state is JobState.CANCELLED  # type: ignore[union-attr]


def test_failed_and_cancelled_jobs_keep_why(lib: Library) -> None:
    first, second = lib.enqueue(GenerationRequest("a")), lib.enqueue(GenerationRequest("b"))
    lib.mark_running(first.id)
    assert lib.mark_failed(first.id, "Out of GPU memory")
    assert lib.job(first.id).error == "Out of GPU memory"  # type: ignore[union-attr]
    assert lib.mark_cancelled(second.id)
    assert lib.queued() == []


def test_clear_queue_spares_the_running_job(lib: Library) -> None:
    running = lib.enqueue(GenerationRequest("a"))
    lib.mark_running(running.id)
    for prompt in "bcd":
        lib.enqueue(GenerationRequest(prompt))
    assert lib.clear_queue() == 3
    assert lib.queued() == []
    assert lib.job(running.id).state is JobState.RUNNING  # type: ignore[union-attr]
    assert len(lib.jobs(JobState.CANCELLED)) == 3


def test_reconcile_after_crash_reports_interrupted_jobs(lib: Library) -> None:
    half = lib.enqueue(GenerationRequest("half done", seed=100, count=3))
    whole = lib.enqueue(GenerationRequest("all saved", seed=5, count=1))
    waiting = lib.enqueue(GenerationRequest("still queued"))
    for job in (half, whole):
        lib.mark_running(job.id)
    save(lib, "half done", seed=100, job_id=half.id)
    save(lib, "all saved", seed=5, job_id=whole.id)

    interrupted = lib.reconcile_after_crash()

    assert [j.id for j in interrupted] == [half.id]
    assert interrupted[0].state is JobState.INTERRUPTED and interrupted[0].images_done == 1
    assert lib.job(whole.id).state is JobState.FINISHED  # type: ignore[union-attr]
    assert [j.id for j in lib.queued()] == [waiting.id]
    assert lib.reconcile_after_crash() == []


def test_resume_makes_only_the_missing_images(lib: Library) -> None:
    lib.enqueue(GenerationRequest("first in line"))
    job = lib.enqueue(GenerationRequest("橘猫", seed=100, count=3))
    lib.mark_running(job.id)
    save(lib, "橘猫", seed=100, job_id=job.id)
    lib.reconcile_after_crash()

    resumed = lib.resume(job.id)

    assert resumed is not None and resumed.state is JobState.QUEUED
    assert [j.id for j in lib.queued()][-1] == job.id  # at the end of the queue
    assert resumed.remaining == 2
    assert [r.seed for r in resumed.pending_requests()] == [101, 102]
    assert all(r.count == 1 for r in resumed.pending_requests())
    assert lib.resume(job.id) is None  # already queued


def test_resume_of_a_job_with_nothing_left_finishes_it(lib: Library) -> None:
    job = lib.enqueue(GenerationRequest("one", seed=1))
    lib.mark_running(job.id)
    save(lib, "one", seed=1, job_id=job.id)
    lib.mark_cancelled(job.id)
    resumed = lib.resume(job.id)
    assert resumed is not None and resumed.state is JobState.FINISHED
    assert lib.resume(job.id) is None and lib.resume(12345) is None


# -- saving images ---------------------------------------------------------------------------------


def test_save_image_writes_the_file_then_the_row(lib: Library, out: Path, db_path: Path) -> None:
    job = lib.enqueue(GenerationRequest(CAT, seed=7, count=2))
    lib.mark_running(job.id)
    meta = meta_for(CAT, seed=7, negative="模糊")
    record = lib.save_image(job.id, png_of(meta), meta)

    assert record.created_at == datetime(2026, 3, 1, 4, 5, 8, tzinfo=timezone.utc)  # 3rd tick
    local = record.created_at.astimezone()  # folders and names are in the user's local time
    assert record.path == out / f"{local:%Y-%m-%d}" / f"{local:%H%M%S}-7-{slug(CAT)}.png"
    assert record.path.read_bytes() == png_of(meta)
    assert metadata.read(record.path).metadata == meta
    assert (record.seed, record.prompt, record.negative_prompt) == (7, CAT, "模糊")
    assert (record.model, record.plan, record.duration_s) == ("majicflus_v134", "fp8", 4.5)
    assert record.peak_vram_bytes == round(7.25 * 1024**3)
    assert record.request == meta.request and record.metadata_json == meta.to_json()
    assert lib.job(job.id).images_done == 1  # type: ignore[union-attr]
    assert lib.image(record.id) == record
    with raw(db_path) as conn:  # stored relative, so the folder can move
        assert conn.execute("SELECT path FROM images").fetchone()[0] == (
            record.path.relative_to(out).as_posix()
        )
    assert [p.name for p in files_under(out)] == [record.path.name]  # no temp file left


def test_equal_names_get_a_counter(lib: Library, clock: Clock) -> None:
    clock.step = timedelta(0)
    first, second, third = (save(lib, "same prompt", seed=3) for _ in range(3))
    assert first.path.name.endswith("-3-same-prompt.png")
    assert second.path.name == first.path.stem + "-2.png"
    assert third.path.name == first.path.stem + "-3.png"
    assert len({first.path, second.path, third.path}) == 3


def test_a_trashed_images_name_is_not_reused(lib: Library, clock: Clock) -> None:
    clock.step = timedelta(0)
    first = save(lib, "same")
    lib.trash(first.id)
    second = save(lib, "same")
    assert second.path != first.path
    assert lib.restore(first.id).path == first.path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CAT, "一只橘猫坐在窗台上-阳光明媚"),
        ('a <b>: "c"/d\\e|f?g*h', "a-b-c-d-e-f-g-h"),
        ("Cat  on\ta\nmat...", "cat-on-a-mat"),
        ("🐱🐱", "image"),
        ("", "image"),
        ("CON", "con_"),
        ("lpt1", "lpt1_"),
        ("x" * 100, "x" * 40),
    ],
)
def test_slugs_are_safe_on_windows(text: str, expected: str) -> None:
    assert slug(text) == expected


def test_a_failed_insert_leaves_neither_row_nor_file(
    lib: Library, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = lib.enqueue(GenerationRequest("cat", count=2))

    def failing_insert(*args: object, **kwargs: object) -> int:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(Library, "_insert_image", failing_insert)
    with pytest.raises(sqlite3.OperationalError):
        save(lib, "cat", job_id=job.id)
    monkeypatch.undo()
    assert lib.count_images() == 0 and files_under(out) == []
    assert lib.job(job.id).images_done == 0  # type: ignore[union-attr]


def test_an_image_for_an_unknown_job_is_not_kept(lib: Library, out: Path) -> None:
    with pytest.raises(sqlite3.IntegrityError):  # foreign keys are on
        save(lib, "cat", job_id=999)
    assert files_under(out) == [] and lib.count_images() == 0


def test_an_unwritable_output_folder_gives_a_message_naming_it(
    lib: Library, out: Path, clock: Clock
) -> None:
    out.mkdir()
    day = f"{clock.now.astimezone():%Y-%m-%d}"
    (out / day).write_text("a file where the day's folder should be")
    with pytest.raises(UserError) as caught:
        save(lib, "cat")
    assert str(out / day) in caught.value.text() and "Settings" in caught.value.text()
    assert lib.count_images() == 0


def test_a_full_disk_says_so(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, data: bytes, **options: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(image_files, "atomic_write_bytes", full)
    with pytest.raises(UserError, match="disk is full"):
        save(lib, "cat")
    assert lib.count_images() == 0


def test_an_image_without_its_seed_is_refused(lib: Library) -> None:
    meta = ImageMetadata(GenerationRequest("cat"))
    with pytest.raises(ValueError, match="seed"):
        lib.save_image(None, png_of(meta), meta)


# -- search and the gallery ------------------------------------------------------------------------


@pytest.fixture
def gallery(lib: Library) -> dict[str, ImageRecord]:
    return {
        "cat": save(lib, CAT, seed=1, negative="模糊, low quality"),
        "landscape": save(lib, LANDSCAPE, seed=2),
        "english": save(lib, ENGLISH, seed=3),
        "underscore": save(lib, "snake_case 1000 words", seed=4),
        "quoted": save(lib, 'a sign that says "OPEN" AND more', seed=5),
    }


def found(lib: Library, search: str) -> set[int]:
    records = lib.images(search)
    assert lib.count_images(search) == len(records)
    return {r.id for r in records}


def test_search_finds_chinese_words_of_three_or_more_characters(
    lib: Library, gallery: dict[str, ImageRecord]
) -> None:
    assert found(lib, "橘猫坐") == {gallery["cat"].id}
    assert found(lib, "水墨风格") == {gallery["landscape"].id}
    assert found(lib, "阳光明媚") == {gallery["cat"].id}
    assert found(lib, "橘猫跑") == set()


def test_search_finds_one_and_two_character_words(
    lib: Library, gallery: dict[str, ImageRecord]
) -> None:
    assert found(lib, "猫") == {gallery["cat"].id}
    assert found(lib, "山水") == {gallery["landscape"].id}
    assert found(lib, "模糊") == {gallery["cat"].id}  # negative prompts are searched too
    assert found(lib, "狗") == set()


def test_search_in_english_ignores_case_and_needs_every_word(
    lib: Library, gallery: dict[str, ImageRecord]
) -> None:
    assert found(lib, "GINGER") == {gallery["english"].id}
    assert found(lib, "windowsill ginger") == {gallery["english"].id}
    assert found(lib, "ginger 山水") == set()
    assert found(lib, "quality") == {gallery["cat"].id}
    assert found(lib, "  ") == {r.id for r in gallery.values()}


@pytest.mark.parametrize(
    "hostile",
    ['"', "'", "AND", "OR NOT", "*", 'a"b OR c', "NEAR(x y)", "prompt:cat", "^abc", "\\", "(", ")"],
)
def test_fts_syntax_in_a_search_is_plain_text(
    lib: Library, gallery: dict[str, ImageRecord], hostile: str
) -> None:
    lib.images(hostile)
    lib.count_images(hostile)


def test_search_escapes_quotes_and_like_wildcards(
    lib: Library, gallery: dict[str, ImageRecord]
) -> None:
    assert found(lib, '"OPEN"') == {gallery["quoted"].id}
    assert found(lib, "AND") == {gallery["quoted"].id}  # a word, not an operator
    assert found(lib, "%") == {gallery["english"].id}
    assert found(lib, "0%") == {gallery["english"].id}
    assert found(lib, "_") == {gallery["underscore"].id}
    assert found(lib, "e_") == {gallery["underscore"].id}


def test_pages_are_newest_first_and_filters_combine(lib: Library) -> None:
    records = [save(lib, f"picture number {i}", seed=i) for i in range(7)]
    newest_first = [r.id for r in reversed(records)]
    assert [r.id for r in lib.images(limit=3)] == newest_first[:3]
    assert [r.id for r in lib.images(limit=3, offset=3)] == newest_first[3:6]
    assert [r.id for r in lib.images(newest_first=False, limit=2)] == [records[0].id, records[1].id]
    assert lib.set_favourite(records[2].id, True) and lib.set_favourite(records[5].id, True)
    assert [r.id for r in lib.images(favourites_only=True)] == [records[5].id, records[2].id]
    assert lib.count_images(favourites_only=True) == 2
    assert lib.count_images("number 5", favourites_only=True) == 1
    lib.set_favourite(records[5].id, False)
    assert lib.count_images(favourites_only=True) == 1
    assert not lib.set_favourite(9999, True)


# -- trash -----------------------------------------------------------------------------------------


def test_trash_moves_the_file_and_restore_brings_it_back(lib: Library, db_path: Path) -> None:
    record = save(lib, CAT)
    data = record.path.read_bytes()

    trashed = lib.trash(record.id)

    assert trashed.trashed and trashed.trash_path is not None
    assert not record.path.exists() and trashed.file.read_bytes() == data
    assert trashed.file.parent == db_path.parent / "trash"
    assert lib.images() == [] and lib.count_images("橘猫坐") == 0
    assert lib.count_images(include_trashed=True) == 1 and lib.trashed() == [trashed]
    assert lib.trash(record.id) == trashed  # twice is once

    restored = lib.restore(record.id)

    assert not restored.trashed and restored.path == record.path
    assert record.path.read_bytes() == data and not trashed.file.exists()
    assert lib.images("橘猫坐") == [restored]


def test_restore_does_not_overwrite_a_file_that_took_the_name(lib: Library) -> None:
    record = save(lib, "cat")
    lib.trash(record.id)
    record.path.write_bytes(b"the user's own file")
    restored = lib.restore(record.id)
    assert restored.path != record.path and restored.path.exists()
    assert record.path.read_bytes() == b"the user's own file"


def test_a_failed_trash_puts_the_file_back(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    record = save(lib, "cat")

    def broken_clock() -> str:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(lib, "_now", broken_clock)
    with pytest.raises(sqlite3.OperationalError):
        lib.trash(record.id)
    monkeypatch.undo()
    assert record.path.exists() and not lib.image(record.id).trashed  # type: ignore[union-attr]


def test_empty_trash_deletes_files_rows_and_index_entries(lib: Library, db_path: Path) -> None:
    keep, drop = save(lib, "keep this cat"), save(lib, "drop this cat")
    trashed = lib.trash(drop.id)
    assert lib.empty_trash() == 1
    assert lib.image(drop.id) is None and not trashed.file.exists()
    assert keep.path.exists() and found(lib, "cat") == {keep.id}
    lib.close()
    with raw(db_path) as conn:  # the index matches its content table exactly
        conn.execute("INSERT INTO images_fts (images_fts, rank) VALUES ('integrity-check', 1)")


# -- files without rows, rows without files --------------------------------------------------------


def test_adopt_orphans_takes_in_our_pngs_and_leaves_others(lib: Library, out: Path) -> None:
    known = save(lib, "already known")
    folder = out / "2025-12-31"
    folder.mkdir(parents=True)
    ours = meta_for(CAT, seed=77, created="2025-12-31T23:59:58+08:00")
    (folder / "orphan.png").write_bytes(png_of(ours))
    (folder / "holiday.png").write_bytes(png_of(None))
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (folder / "notes.txt").write_text("not an image")

    report = lib.adopt_orphans()

    [adopted] = report.adopted
    assert adopted.path == folder / "orphan.png" and adopted.seed == 77 and adopted.job_id is None
    assert adopted.created_at == datetime(2025, 12, 31, 15, 59, 58, tzinfo=timezone.utc)
    assert adopted.peak_vram_bytes == round(7.25 * 1024**3)
    assert sorted(p.name for p in report.skipped) == ["broken.png", "holiday.png"]
    assert all(p.exists() for p in (folder / "holiday.png", folder / "broken.png"))
    assert lib.images("橘猫坐") == [adopted]
    assert known.id in found(lib, "already known")
    assert lib.adopt_orphans().adopted == []


def test_missing_files_are_reported(lib: Library) -> None:
    gone, there = save(lib, "gone"), save(lib, "there")
    trashed = lib.trash(save(lib, "trashed").id)
    gone.path.unlink()
    assert [r.id for r in lib.missing_files()] == [gone.id]
    assert there.path.exists() and trashed.file.exists()


def test_a_trash_move_cut_short_by_a_crash_is_finished(lib: Library) -> None:
    # trash() moves the file, then commits; a crash between leaves the file in the trash folder
    record = save(lib, "half trashed")
    stray = lib.trash_dir / f"{record.id}-{record.path.name}"
    stray.parent.mkdir(parents=True)
    record.path.rename(stray)
    assert lib.missing_files() == []
    assert record.path.exists() and not stray.exists()
    # and restore() likewise: the file is back home but the row still says trashed
    trashed = lib.trash(record.id)
    assert trashed.trash_path is not None
    trashed.trash_path.rename(record.path)
    assert lib.missing_files() == []
    assert trashed.trash_path.exists() and not record.path.exists()


# -- crashes, kills and damaged files --------------------------------------------------------------

KILLED_WORKER = """
import os, signal, sys
from pathlib import Path
from PIL import Image
from majicflux_desktop.core.library import Library
from majicflux_desktop.core.metadata import ImageMetadata, encode_png
from majicflux_desktop.core.request import GenerationRequest

def die():
    os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))

lib = Library(Path(sys.argv[1]), Path(sys.argv[2]))
job = lib.enqueue(GenerationRequest("被杀死的任务", seed=500, count=3))
lib.claim_next()
for request in job.pending_requests():
    meta = ImageMetadata(request)
    if request.seed == 501 and sys.argv[3] == "before-commit":
        Library._insert_image = lambda *a, **k: die()
    lib.save_image(job.id, encode_png(Image.new("RGB", (8, 8)), meta), meta)
    if request.seed == 501:
        die()
"""


@pytest.mark.parametrize("when", ["after-commit", "before-commit"])
def test_a_killed_worker_loses_nothing(db_path: Path, out: Path, when: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", KILLED_WORKER, str(db_path), str(out), when],
        env=subprocess_env(),
        capture_output=True,
        timeout=60,
    )
    assert result.returncode != 0, result.stderr
    with Library(db_path, out) as lib:
        [job] = lib.reconcile_after_crash()
        adopted = lib.adopt_orphans().adopted
        assert lib.missing_files() == []
        seeds = sorted(r.seed for r in lib.images())
        assert seeds == [500, 501]  # both files made are in the gallery
        assert [r.seed for r in adopted] == ([501] if when == "before-commit" else [])
        assert job.state is JobState.INTERRUPTED
        assert job.images_done == (1 if when == "before-commit" else 2)
        assert lib.resume(job.id) is not None
        assert [r.seed for r in lib.job(job.id).pending_requests()][-1] == 502  # type: ignore[union-attr]


def library_with_images(db_path: Path, out: Path, count: int) -> None:
    with Library(db_path, out) as lib:
        for index in range(count):
            save(lib, f"{CAT} {index} " + "细节丰富 " * 20, seed=index)
        lib.enqueue(GenerationRequest("queued"))


def test_a_truncated_database_is_rebuilt_from_the_pngs(db_path: Path, out: Path) -> None:
    library_with_images(db_path, out, 30)
    damaged = db_path.read_bytes()[: db_path.stat().st_size // 2]
    db_path.write_bytes(damaged)
    with pytest.raises(CorruptLibraryError):
        Library(db_path, out)

    lib, notes = Library.open(db_path, out)

    with lib:
        assert lib.count_images() == 30
        assert {r.seed for r in lib.images(limit=100)} == set(range(30))
        assert lib.count_images("细节丰富") == 30
    [backup] = db_path.parent.glob("library.sqlite3.corrupt-*")
    assert backup.read_bytes() == damaged
    [note] = notes
    assert note.context == "library"
    assert "30 images were recovered" in note.text() and backup.name in note.text()


def test_garbage_inside_the_database_is_found_at_open(db_path: Path, out: Path) -> None:
    # The header and schema are intact: only the integrity check at open can tell, instead of a
    # "malformed" error in the middle of a later gallery query.
    library_with_images(db_path, out, 30)
    data = bytearray(db_path.read_bytes())
    pages = len(data) // 4096
    for page in range(pages // 2, pages * 7 // 8):
        data[page * 4096 + 100 : page * 4096 + 600] = b"\xa5" * 500
    db_path.write_bytes(bytes(data))
    lib, notes = Library.open(db_path, out)
    with lib:
        assert len(notes) == 1
        assert lib.count_images("细节丰富") == 30 and len(lib.images(limit=100)) == 30


@pytest.mark.parametrize(
    "content", [b"\x00\xff garbage " * 500, b"SQLite format 3\x00" + b"\xee" * 5000, b"hello\n"]
)
def test_a_file_that_is_not_a_database_is_set_aside(
    db_path: Path, out: Path, content: bytes
) -> None:
    library_with_images(db_path, out, 2)
    db_path.write_bytes(content)
    lib, notes = Library.open(db_path, out)
    with lib:
        assert lib.count_images() == 2 and len(notes) == 1
    [backup] = db_path.parent.glob("library.sqlite3.corrupt-*")
    assert backup.read_bytes() == content


def test_an_empty_file_is_an_empty_library(db_path: Path, out: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"")
    lib, notes = Library.open(db_path, out)
    with lib:
        assert notes == [] and lib.count_images() == 0


LOCK_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA locking_mode = EXCLUSIVE")
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_database_locked_by_another_process_is_not_treated_as_damaged(
    db_path: Path, out: Path
) -> None:
    library_with_images(db_path, out, 1)
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(UserError) as caught:
            Library.open(db_path, out, busy_timeout_s=0.2)
    finally:
        holder.communicate(timeout=30)
    assert "another program" in caught.value.text() and "Close it" in caught.value.text()
    assert not list(db_path.parent.glob("*.corrupt-*"))
    with Library(db_path, out) as lib:
        assert lib.count_images() == 1


# -- threads and folders ---------------------------------------------------------------------------


def test_the_ui_thread_reads_while_the_worker_writes(lib: Library) -> None:
    job = lib.enqueue(GenerationRequest("threaded", seed=0, count=40))
    lib.mark_running(job.id)
    errors: list[BaseException] = []
    done = threading.Event()

    def worker() -> None:
        try:
            for request in job.pending_requests():
                meta = ImageMetadata(request)
                lib.save_image(job.id, png_of(meta), meta)
            lib.mark_finished(job.id)
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=worker)
    thread.start()
    reads = 0
    while not done.is_set() or reads < 20:
        page = lib.images("threaded", limit=50)
        assert len(page) <= lib.count_images() + 1
        lib.enqueue(GenerationRequest(f"ui {reads}"))
        reads += 1
    thread.join()
    assert errors == []
    assert lib.count_images("threaded") == 40
    assert {r.seed for r in lib.images(limit=100)} == set(range(40))
    assert all(r.path.exists() for r in lib.images(limit=100))
    finished = lib.job(job.id)
    assert finished is not None and finished.images_done == 40
    assert finished.state is JobState.FINISHED and len(lib.queued()) == reads


def test_changing_the_output_folder_keeps_old_images(db_path: Path, tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    with Library(db_path, old) as lib:
        record = save(lib, "made in the old folder")
    with Library(db_path, new) as lib:
        assert lib.image(record.id).path == record.path  # type: ignore[union-attr]
        assert lib.missing_files() == []


def test_a_moved_output_folder_keeps_working(db_path: Path, tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "moved"
    with Library(db_path, old) as lib:
        record = save(lib, "made before the move")
    old.rename(new)
    with Library(db_path, new) as lib:
        moved = lib.image(record.id)
        assert moved is not None and moved.path == new / record.path.relative_to(old)
        assert lib.missing_files() == []

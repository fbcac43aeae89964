from __future__ import annotations

import dataclasses
import errno
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image

from helpers import Clock, subprocess_env
from majicflux_desktop.core import metadata
from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.library import (
    CorruptLibraryError,
    ImageQuery,
    ImageRecord,
    JobState,
    Library,
)
from majicflux_desktop.core.metadata import ImageMetadata, encode_png
from majicflux_desktop.core.request import GenerationRequest, RequestError
from majicflux_desktop.core.store import files as image_files
from majicflux_desktop.core.store.files import slug

CAT = "一只橘猫坐在窗台上，阳光明媚"
LANDSCAPE = "山水画，水墨风格，远山"
ENGLISH = "a ginger cat on a windowsill, 100% cosy"


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
        peak_vram_bytes=7_784_628_224,
    )


def png_of(meta: ImageMetadata | None) -> bytes:
    return encode_png(Image.new("RGB", (8, 8), "orange"), meta)


def save(
    library: Library, prompt: str, seed: int = 42, job_id: int | None = None, **kw
) -> ImageRecord:
    meta = meta_for(prompt, seed, **kw)
    return library.save_image(job_id, png_of(meta), meta)


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def raw(db_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(db_path)


# -- jobs and the queue ----------------------------------------------------------------------------


def test_the_queue_survives_a_restart_in_order(db_path: Path, out: Path) -> None:
    with Library(db_path, out) as library:
        ids = [library.jobs.enqueue(GenerationRequest(p)).id for p in ("一", "二", "三")]
    with Library(db_path, out) as library:
        assert [j.id for j in library.jobs.queued()] == ids
        assert [j.request.prompt for j in library.jobs.queued()] == ["一", "二", "三"]


def test_an_invalid_request_is_never_queued(library: Library) -> None:
    with pytest.raises(RequestError):
        library.jobs.enqueue(GenerationRequest("cat", steps=0))
    assert library.jobs.queued() == [] and library.jobs.jobs() == []


def test_move_reorders_the_queue_and_clamps_at_the_ends(library: Library, db_path: Path) -> None:
    a, b, c, d = (library.jobs.enqueue(GenerationRequest(p)).id for p in "abcd")
    assert library.jobs.move(d, -2)
    assert [j.id for j in library.jobs.queued()] == [a, d, b, c]
    assert library.jobs.move(a, +10)
    assert [j.id for j in library.jobs.queued()] == [d, b, c, a]
    assert library.jobs.move(b, -100)
    assert [j.id for j in library.jobs.queued()] == [b, d, c, a]
    assert library.jobs.queued()[0].id == b
    library.jobs.mark_running(b)
    assert not library.jobs.move(b, 1)  # a running job has no place in the queue
    assert [j.id for j in library.jobs.queued()] == [d, c, a]
    positions = [j.position for j in library.jobs.queued()]
    assert positions == sorted(set(positions))  # type: ignore[type-var]


def test_a_job_lives_queued_running_finished(library: Library) -> None:
    job = library.jobs.enqueue(GenerationRequest("cat", count=2))
    assert job.state is JobState.QUEUED and job.position == 1 and job.started_at is None
    claimed = library.jobs.claim_next()
    assert claimed is not None and claimed.id == job.id
    assert claimed.state is JobState.RUNNING and claimed.position is None and claimed.started_at
    assert library.jobs.claim_next() is None
    assert library.jobs.mark_finished(job.id)
    done = library.jobs.job(job.id)
    assert done is not None and done.state is JobState.FINISHED and done.finished_at
    assert not library.jobs.mark_finished(job.id)  # a second report changes nothing
    with pytest.raises(dataclasses.FrozenInstanceError):
        done.state = JobState.QUEUED  # type: ignore[misc]


def test_a_job_cancelled_before_the_worker_starts_it_stays_cancelled(library: Library) -> None:
    job = library.jobs.enqueue(GenerationRequest("cat"))
    assert library.jobs.cancel_queued(job.id)
    assert not library.jobs.mark_running(job.id)
    assert library.jobs.job(job.id).state is JobState.CANCELLED  # type: ignore[union-attr]


def test_failed_and_cancelled_jobs_keep_why(library: Library) -> None:
    first, second = (
        library.jobs.enqueue(GenerationRequest("a")),
        library.jobs.enqueue(GenerationRequest("b")),
    )
    library.jobs.mark_running(first.id)
    assert library.jobs.mark_failed(first.id, "Out of GPU memory")
    assert library.jobs.job(first.id).error == "Out of GPU memory"  # type: ignore[union-attr]
    assert library.jobs.mark_cancelled(second.id)
    assert library.jobs.queued() == []


def test_clear_queue_spares_the_running_job(library: Library) -> None:
    running = library.jobs.enqueue(GenerationRequest("a"))
    library.jobs.mark_running(running.id)
    for prompt in "bcd":
        library.jobs.enqueue(GenerationRequest(prompt))
    assert library.jobs.clear_queue() == 3
    assert library.jobs.queued() == []
    assert library.jobs.job(running.id).state is JobState.RUNNING  # type: ignore[union-attr]
    assert len(library.jobs.jobs(JobState.CANCELLED)) == 3


def test_reconcile_after_crash_reports_interrupted_jobs(library: Library) -> None:
    half = library.jobs.enqueue(GenerationRequest("half done", seed=100, count=3))
    whole = library.jobs.enqueue(GenerationRequest("all saved", seed=5, count=1))
    waiting = library.jobs.enqueue(GenerationRequest("still queued"))
    for job in (half, whole):
        library.jobs.mark_running(job.id)
    save(library, "half done", seed=100, job_id=half.id)
    save(library, "all saved", seed=5, job_id=whole.id)

    interrupted = library.jobs.reconcile_after_crash()

    assert [j.id for j in interrupted] == [half.id]
    assert interrupted[0].state is JobState.INTERRUPTED and interrupted[0].images_done == 1
    assert library.jobs.job(whole.id).state is JobState.FINISHED  # type: ignore[union-attr]
    assert [j.id for j in library.jobs.queued()] == [waiting.id]
    assert library.jobs.reconcile_after_crash() == []


def test_resume_makes_only_the_missing_images(library: Library) -> None:
    library.jobs.enqueue(GenerationRequest("first in line"))
    job = library.jobs.enqueue(GenerationRequest("橘猫", seed=100, count=3))
    library.jobs.mark_running(job.id)
    save(library, "橘猫", seed=100, job_id=job.id)
    library.jobs.reconcile_after_crash()

    resumed = library.jobs.resume(job.id)

    assert resumed is not None and resumed.state is JobState.QUEUED
    assert [j.id for j in library.jobs.queued()][-1] == job.id  # at the end of the queue
    assert resumed.remaining == 2
    assert [r.seed for r in resumed.pending_requests()] == [101, 102]
    assert all(r.count == 1 for r in resumed.pending_requests())
    assert library.jobs.resume(job.id) is None  # already queued


def test_resume_of_a_job_with_nothing_left_finishes_it(library: Library) -> None:
    job = library.jobs.enqueue(GenerationRequest("one", seed=1))
    library.jobs.mark_running(job.id)
    save(library, "one", seed=1, job_id=job.id)
    library.jobs.mark_cancelled(job.id)
    resumed = library.jobs.resume(job.id)
    assert resumed is not None and resumed.state is JobState.FINISHED
    assert library.jobs.resume(job.id) is None and library.jobs.resume(12345) is None


# -- saving images ---------------------------------------------------------------------------------


def test_save_image_writes_the_file_then_the_row(
    library: Library, out: Path, db_path: Path
) -> None:
    job = library.jobs.enqueue(GenerationRequest(CAT, seed=7, count=2))
    library.jobs.mark_running(job.id)
    meta = meta_for(CAT, seed=7, negative="模糊")
    record = library.save_image(job.id, png_of(meta), meta)

    assert record.created_at == datetime(2026, 3, 1, 4, 5, 8, tzinfo=timezone.utc)  # 3rd tick
    local = record.created_at.astimezone()  # folders and names are in the user's local time
    assert record.path == out / f"{local:%Y-%m-%d}" / f"{local:%H%M%S}-7-{slug(CAT)}.png"
    assert record.path.read_bytes() == png_of(meta)
    assert metadata.read(record.path).metadata == meta
    assert (record.seed, record.prompt, record.negative_prompt) == (7, CAT, "模糊")
    assert (record.meta.model, record.meta.plan, record.duration_s) == (
        "majicflus_v134",
        "fp8",
        4.5,
    )
    assert record.peak_vram_bytes == 7_784_628_224
    assert record.request == meta.request and record.meta == meta
    assert library.jobs.job(job.id).images_done == 1  # type: ignore[union-attr]
    assert library.records.image(record.id) == record
    with raw(db_path) as conn:  # stored relative, so the folder can move
        assert conn.execute("SELECT path FROM images").fetchone()[0] == (
            record.path.relative_to(out).as_posix()
        )
    assert [p.name for p in files_under(out)] == [record.path.name]  # no temp file left


def test_equal_names_get_a_counter(library: Library, clock: Clock) -> None:
    clock.step = timedelta(0)
    first, second, third = (save(library, "same prompt", seed=3) for _ in range(3))
    assert first.path.name.endswith("-3-same-prompt.png")
    assert second.path.name == first.path.stem + "-2.png"
    assert third.path.name == first.path.stem + "-3.png"
    assert len({first.path, second.path, third.path}) == 3


def test_a_trashed_images_name_is_not_reused(library: Library, clock: Clock) -> None:
    clock.step = timedelta(0)
    first = save(library, "same")
    library.trash(first.id)
    second = save(library, "same")
    assert second.path != first.path
    assert library.restore(first.id).path == first.path


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
    library: Library, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = library.jobs.enqueue(GenerationRequest("cat", count=2))

    def failing_insert(*args: object, **kwargs: object) -> int:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(library.records, "insert", failing_insert)
    with pytest.raises(sqlite3.OperationalError):
        save(library, "cat", job_id=job.id)
    monkeypatch.undo()
    assert library.records.count() == 0 and files_under(out) == []
    assert library.jobs.job(job.id).images_done == 0  # type: ignore[union-attr]


def test_an_image_for_an_unknown_job_is_not_kept(library: Library, out: Path) -> None:
    with pytest.raises(sqlite3.IntegrityError):  # foreign keys are on
        save(library, "cat", job_id=999)
    assert files_under(out) == [] and library.records.count() == 0


def test_an_unwritable_output_folder_gives_a_message_naming_it(
    library: Library, out: Path, clock: Clock
) -> None:
    out.mkdir()
    day = f"{clock.now.astimezone():%Y-%m-%d}"
    (out / day).write_text("a file where the day's folder should be")
    with pytest.raises(UserError) as caught:
        save(library, "cat")
    assert str(out / day) in caught.value.text() and "Settings" in caught.value.text()
    assert library.records.count() == 0


def test_a_full_disk_says_so(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, data: bytes, **options: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(image_files, "atomic_write_bytes", full)
    with pytest.raises(UserError, match="disk is full"):
        save(library, "cat")
    assert library.records.count() == 0


def test_an_image_without_its_seed_is_refused(library: Library) -> None:
    meta = ImageMetadata(GenerationRequest("cat"))
    with pytest.raises(ValueError, match="seed"):
        library.save_image(None, png_of(meta), meta)


# -- search and the gallery ------------------------------------------------------------------------


@pytest.fixture
def gallery(library: Library) -> dict[str, ImageRecord]:
    return {
        "cat": save(library, CAT, seed=1, negative="模糊, low quality"),
        "landscape": save(library, LANDSCAPE, seed=2),
        "english": save(library, ENGLISH, seed=3),
        "underscore": save(library, "snake_case 1000 words", seed=4),
        "quoted": save(library, 'a sign that says "OPEN" AND more', seed=5),
    }


def found(library: Library, search: str) -> set[int]:
    records = library.records.images(ImageQuery(search=search))
    assert library.records.count(ImageQuery(search=search)) == len(records)
    return {r.id for r in records}


def test_search_finds_chinese_words_of_three_or_more_characters(
    library: Library, gallery: dict[str, ImageRecord]
) -> None:
    assert found(library, "橘猫坐") == {gallery["cat"].id}
    assert found(library, "水墨风格") == {gallery["landscape"].id}
    assert found(library, "阳光明媚") == {gallery["cat"].id}
    assert found(library, "橘猫跑") == set()


def test_search_finds_one_and_two_character_words(
    library: Library, gallery: dict[str, ImageRecord]
) -> None:
    assert found(library, "猫") == {gallery["cat"].id}
    assert found(library, "山水") == {gallery["landscape"].id}
    assert found(library, "模糊") == {gallery["cat"].id}  # negative prompts are searched too
    assert found(library, "狗") == set()


def test_search_in_english_ignores_case_and_needs_every_word(
    library: Library, gallery: dict[str, ImageRecord]
) -> None:
    assert found(library, "GINGER") == {gallery["english"].id}
    assert found(library, "windowsill ginger") == {gallery["english"].id}
    assert found(library, "ginger 山水") == set()
    assert found(library, "quality") == {gallery["cat"].id}
    assert found(library, "  ") == {r.id for r in gallery.values()}


@pytest.mark.parametrize(
    "hostile",
    ['"', "'", "AND", "OR NOT", "*", 'a"b OR c', "NEAR(x y)", "prompt:cat", "^abc", "\\", "(", ")"],
)
def test_fts_syntax_in_a_search_is_plain_text(
    library: Library, gallery: dict[str, ImageRecord], hostile: str
) -> None:
    words = hostile.split()
    expected = {
        record.id
        for record in gallery.values()
        if all(
            w.casefold() in f"{record.prompt}\n{record.negative_prompt}".casefold() for w in words
        )
    }
    assert found(library, hostile) == expected  # matched as plain text, never as FTS syntax
    assert library.records.count(ImageQuery(search=hostile)) == len(expected)


def test_search_escapes_quotes_and_like_wildcards(
    library: Library, gallery: dict[str, ImageRecord]
) -> None:
    assert found(library, '"OPEN"') == {gallery["quoted"].id}
    assert found(library, "AND") == {gallery["quoted"].id}  # a word, not an operator
    assert found(library, "%") == {gallery["english"].id}
    assert found(library, "0%") == {gallery["english"].id}
    assert found(library, "_") == {gallery["underscore"].id}
    assert found(library, "e_") == {gallery["underscore"].id}


def test_pages_are_newest_first_and_filters_combine(library: Library) -> None:
    records = [save(library, f"picture number {i}", seed=i) for i in range(7)]
    newest_first = [r.id for r in reversed(records)]
    assert [r.id for r in library.records.images(limit=3)] == newest_first[:3]
    assert [r.id for r in library.records.images(limit=3, offset=3)] == newest_first[3:6]
    assert [r.id for r in library.records.images(ImageQuery(newest_first=False), limit=2)] == [
        records[0].id,
        records[1].id,
    ]
    assert library.records.set_favourite(records[2].id, True) and library.records.set_favourite(
        records[5].id, True
    )
    assert [r.id for r in library.records.images(ImageQuery(favourites_only=True))] == [
        records[5].id,
        records[2].id,
    ]
    assert library.records.count(ImageQuery(favourites_only=True)) == 2
    assert library.records.count(ImageQuery(search="number 5", favourites_only=True)) == 1
    library.records.set_favourite(records[5].id, False)
    assert library.records.count(ImageQuery(favourites_only=True)) == 1
    assert not library.records.set_favourite(9999, True)


# -- trash -----------------------------------------------------------------------------------------


def test_trash_moves_the_file_and_restore_brings_it_back(library: Library, db_path: Path) -> None:
    record = save(library, CAT)
    data = record.path.read_bytes()

    trashed = library.trash(record.id)

    assert trashed.trashed and trashed.trash_path is not None
    assert not record.path.exists() and trashed.file.read_bytes() == data
    assert trashed.file.parent == db_path.parent / "trash"
    assert (
        library.records.images() == [] and library.records.count(ImageQuery(search="橘猫坐")) == 0
    )
    assert library.records.count(
        ImageQuery(include_trashed=True)
    ) == 1 and library.records.trashed() == [trashed]
    assert library.trash(record.id) == trashed  # twice is once

    restored = library.restore(record.id)

    assert not restored.trashed and restored.path == record.path
    assert record.path.read_bytes() == data and not trashed.file.exists()
    assert library.records.images(ImageQuery(search="橘猫坐")) == [restored]


def test_restore_does_not_overwrite_a_file_that_took_the_name(library: Library) -> None:
    record = save(library, "cat")
    library.trash(record.id)
    record.path.write_bytes(b"the user's own file")
    restored = library.restore(record.id)
    assert restored.path != record.path and restored.path.exists()
    assert record.path.read_bytes() == b"the user's own file"


def test_a_failed_trash_puts_the_file_back(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = save(library, "cat")

    def broken_clock() -> str:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(library.db, "now", broken_clock)
    with pytest.raises(sqlite3.OperationalError):
        library.trash(record.id)
    monkeypatch.undo()
    assert record.path.exists() and not library.records.image(record.id).trashed  # type: ignore[union-attr]


def test_empty_trash_deletes_files_rows_and_index_entries(library: Library, db_path: Path) -> None:
    keep, drop = save(library, "keep this cat"), save(library, "drop this cat")
    trashed = library.trash(drop.id)
    assert library.empty_trash() == 1
    assert library.records.image(drop.id) is None and not trashed.file.exists()
    assert keep.path.exists() and found(library, "cat") == {keep.id}
    library.close()
    with raw(db_path) as conn:  # the index matches its content table exactly
        conn.execute("INSERT INTO images_fts (images_fts, rank) VALUES ('integrity-check', 1)")


# -- files without rows, rows without files --------------------------------------------------------


def test_adopt_orphans_takes_in_our_pngs_and_leaves_others(library: Library, out: Path) -> None:
    known = save(library, "already known")
    folder = out / "2025-12-31"
    folder.mkdir(parents=True)
    ours = meta_for(CAT, seed=77, created="2025-12-31T23:59:58+08:00")
    (folder / "orphan.png").write_bytes(png_of(ours))
    (folder / "holiday.png").write_bytes(png_of(None))
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (folder / "notes.txt").write_text("not an image")

    report = library.adopt_orphans()

    [adopted] = report.adopted
    assert adopted.path == folder / "orphan.png" and adopted.seed == 77 and adopted.job_id is None
    assert adopted.created_at == datetime(2025, 12, 31, 15, 59, 58, tzinfo=timezone.utc)
    assert adopted.peak_vram_bytes == round(7.25 * 1024**3)
    assert sorted(p.name for p in report.skipped) == ["broken.png", "holiday.png"]
    assert all(p.exists() for p in (folder / "holiday.png", folder / "broken.png"))
    assert library.records.images(ImageQuery(search="橘猫坐")) == [adopted]
    assert known.id in found(library, "already known")
    assert library.adopt_orphans().adopted == []


def test_missing_files_are_reported(library: Library) -> None:
    gone, there = save(library, "gone"), save(library, "there")
    trashed = library.trash(save(library, "trashed").id)
    gone.path.unlink()
    assert [r.id for r in library.missing_files()] == [gone.id]
    assert there.path.exists() and trashed.file.exists()


def test_a_trash_move_cut_short_by_a_crash_is_finished(library: Library) -> None:
    # trash() moves the file, then commits; a crash between leaves the file in the trash folder
    record = save(library, "half trashed")
    stray = library.trash_dir / f"{record.id}-{record.path.name}"
    stray.parent.mkdir(parents=True)
    record.path.rename(stray)
    assert library.missing_files() == []
    assert record.path.exists() and not stray.exists()
    # and restore() likewise: the file is back home but the row still says trashed
    trashed = library.trash(record.id)
    assert trashed.trash_path is not None
    trashed.trash_path.rename(record.path)
    assert library.missing_files() == []
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

library = Library(Path(sys.argv[1]), Path(sys.argv[2]))
job = library.jobs.enqueue(GenerationRequest("被杀死的任务", seed=500, count=3))
library.jobs.claim_next()
for request in job.pending_requests():
    meta = ImageMetadata(request)
    library.save_image(job.id, encode_png(Image.new("RGB", (8, 8)), meta), meta)
    if request.seed == 501:
        die()
"""


@pytest.mark.parametrize("when", ["after-commit", "before-commit"])
def test_a_killed_worker_loses_nothing(db_path: Path, out: Path, when: str) -> None:
    # before-commit: the fault point between the second image's file and its row kills the process
    crash = {"MAJICFLUX_CRASH_AT": "db-commit:2"} if when == "before-commit" else {}
    result = subprocess.run(
        [sys.executable, "-c", KILLED_WORKER, str(db_path), str(out), when],
        env=subprocess_env(**crash),
        capture_output=True,
        timeout=60,
    )
    assert result.returncode != 0, result.stderr
    with Library(db_path, out) as library:
        [job] = library.jobs.reconcile_after_crash()
        adopted = library.adopt_orphans().adopted
        assert library.missing_files() == []
        seeds = sorted(r.seed for r in library.records.images())
        assert seeds == [500, 501]  # both files made are in the gallery
        assert [r.seed for r in adopted] == ([501] if when == "before-commit" else [])
        assert job.state is JobState.INTERRUPTED
        assert job.images_done == (1 if when == "before-commit" else 2)
        assert library.jobs.resume(job.id) is not None
        assert [r.seed for r in library.jobs.job(job.id).pending_requests()][-1] == 502  # type: ignore[union-attr]


def library_with_images(db_path: Path, out: Path, count: int) -> None:
    with Library(db_path, out) as library:
        for index in range(count):
            save(library, f"{CAT} {index} " + "细节丰富 " * 20, seed=index)
        library.jobs.enqueue(GenerationRequest("queued"))


def test_a_truncated_database_is_rebuilt_from_the_pngs(db_path: Path, out: Path) -> None:
    library_with_images(db_path, out, 30)
    damaged = db_path.read_bytes()[: db_path.stat().st_size // 2]
    db_path.write_bytes(damaged)
    with pytest.raises(CorruptLibraryError):
        Library(db_path, out)

    library, notes = Library.open(db_path, out)

    with library:
        assert library.records.count() == 30
        assert {r.seed for r in library.records.images(limit=100)} == set(range(30))
        assert library.records.count(ImageQuery(search="细节丰富")) == 30
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
    library, notes = Library.open(db_path, out)
    with library:
        assert len(notes) == 1
        assert (
            library.records.count(ImageQuery(search="细节丰富")) == 30
            and len(library.records.images(limit=100)) == 30
        )


@pytest.mark.parametrize(
    "content", [b"\x00\xff garbage " * 500, b"SQLite format 3\x00" + b"\xee" * 5000, b"hello\n"]
)
def test_a_file_that_is_not_a_database_is_set_aside(
    db_path: Path, out: Path, content: bytes
) -> None:
    library_with_images(db_path, out, 2)
    db_path.write_bytes(content)
    library, notes = Library.open(db_path, out)
    with library:
        assert library.records.count() == 2 and len(notes) == 1
    [backup] = db_path.parent.glob("library.sqlite3.corrupt-*")
    assert backup.read_bytes() == content


def test_an_empty_file_is_an_empty_library(db_path: Path, out: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"")
    library, notes = Library.open(db_path, out)
    with library:
        assert notes == [] and library.records.count() == 0


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
    with Library(db_path, out) as library:
        assert library.records.count() == 1


# -- threads and folders ---------------------------------------------------------------------------


def test_the_ui_thread_reads_while_the_worker_writes(library: Library) -> None:
    job = library.jobs.enqueue(GenerationRequest("threaded", seed=0, count=40))
    library.jobs.mark_running(job.id)
    errors: list[BaseException] = []
    done = threading.Event()

    def worker() -> None:
        try:
            for request in job.pending_requests():
                meta = ImageMetadata(request)
                library.save_image(job.id, png_of(meta), meta)
            library.jobs.mark_finished(job.id)
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=worker)
    thread.start()
    reads = 0
    while not done.is_set() or reads < 20:
        page = library.records.images(ImageQuery(search="threaded"), limit=50)
        assert len(page) <= library.records.count() + 1
        library.jobs.enqueue(GenerationRequest(f"ui {reads}"))
        reads += 1
    thread.join()
    assert errors == []
    assert library.records.count(ImageQuery(search="threaded")) == 40
    assert {r.seed for r in library.records.images(limit=100)} == set(range(40))
    assert all(r.path.exists() for r in library.records.images(limit=100))
    finished = library.jobs.job(job.id)
    assert finished is not None and finished.images_done == 40
    assert finished.state is JobState.FINISHED and len(library.jobs.queued()) == reads


def test_changing_the_output_folder_keeps_old_images(db_path: Path, tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    with Library(db_path, old) as library:
        record = save(library, "made in the old folder")
    with Library(db_path, new) as library:
        assert library.records.image(record.id).path == record.path  # type: ignore[union-attr]
        assert library.missing_files() == []


def test_a_moved_output_folder_keeps_working(db_path: Path, tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "moved"
    with Library(db_path, old) as library:
        record = save(library, "made before the move")
    old.rename(new)
    with Library(db_path, new) as library:
        moved = library.records.image(record.id)
        assert moved is not None and moved.path == new / record.path.relative_to(old)
        assert library.missing_files() == []

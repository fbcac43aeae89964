"""Bad state on disk at start-up: a damaged or locked library, a broken or hand-edited settings
file, another MajicFlux on the same data folder, a lock left by a killed one."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from checks import assert_nothing_lost, notice_with
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from runs import app_command
from ui_helpers import Launch, small_request, window_of

from helpers import subprocess_env
from majicflux_desktop.app import DesktopApp, Options
from majicflux_desktop.core import metadata
from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.instance import InstanceLock, InstanceLocked
from majicflux_desktop.core.library import Library
from majicflux_desktop.core.metadata import ImageMetadata
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.core.request import GenerationRequest

HOSTILE_PROMPT = "<img src='/dev/zero'> a cat"


def library_with_images(folder: Path, count: int) -> list[dict[str, object]]:
    """A library with `count` images made earlier, as rows (what must come back)."""
    paths = AppPaths.portable(folder).ensure()
    library = Library(paths.library_file, paths.default_output_dir)
    prompts = [f"kept image {i}" for i in range(count - 1)] + [HOSTILE_PROMPT]
    for seed, prompt in enumerate(prompts):
        request = GenerationRequest(prompt, seed=seed, steps=2, width=256, height=256)
        meta = ImageMetadata(
            request, model="tiny-random", created=f"2026-05-01T10:00:{seed:02d}+08:00"
        )
        library.save_image(
            None, metadata.encode_png(Image.new("RGB", (32, 32), "teal"), meta), meta
        )
    rows = [
        {"id": r.id, "seed": r.seed, "prompt": r.prompt, "steps": r.steps}
        for r in library.records.images()
    ]
    library.close()
    # PNGs that are not ours, or not images, in the output folder: left alone, never adopted
    images = paths.default_output_dir
    Image.new("RGB", (8, 8)).save(images / "someone-elses.png")
    (images / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    return rows


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_library_is_kept_aside_and_rebuilt_from_the_pngs(
    qtbot, launch: Launch, data_dir: Path, damage: str
) -> None:
    """The library file was cut in half, or overwritten with garbage. The user sees the app start
    with a notice: "The image library was damaged and has been rebuilt: 3 images were recovered …
    The damaged file was kept as …"; all three images are back with their parameters; the bad
    file is kept byte for byte; PNGs that are not ours are left where they are, not adopted.
    A prompt holding HTML is shown as text in the gallery's tooltip."""
    rows = library_with_images(data_dir, 3)
    library_file = AppPaths.portable(data_dir).library_file
    good = library_file.read_bytes()
    bad = good[: len(good) // 2] if damage == "truncated" else os.urandom(len(good))
    library_file.write_bytes(bad)
    desktop = launch(data_dir, wait=False)
    notice = notice_with(desktop, "has been rebuilt")
    assert "3 images were recovered" in notice.text
    (backup,) = data_dir.glob("library.sqlite3.corrupt-*")
    assert backup.read_bytes() == bad and str(backup) in notice.text
    rebuilt = {r["prompt"]: r["seed"] for r in rows}
    assert {r.prompt: r.seed for r in desktop.library.records.images()} == rebuilt
    images = desktop.library.output_dir
    assert (images / "someone-elses.png").is_file() and (images / "broken.png").is_file()
    model = window_of(desktop).gallery.model
    qtbot.waitUntil(lambda: model.rowCount() == 3)
    tips = [model.data(model.index(row), Qt.ItemDataRole.ToolTipRole) for row in range(3)]
    assert any("&lt;img src=&#x27;/dev/zero&#x27;&gt;" in tip for tip in tips), tips


@pytest.mark.slow
def test_a_library_locked_by_another_program_is_named_and_left_untouched(
    qapp: QApplication, launch: Launch, data_dir: Path
) -> None:
    """Another program holds the library file locked (a database browser, a backup tool). The
    user is told "The image library … is in use by another program … Close it, then start
    MajicFlux again"; the file is not mistaken for a damaged one; once the other program lets
    go, MajicFlux starts with everything there."""
    rows = library_with_images(data_dir, 2)
    library_file = AppPaths.portable(data_dir).library_file
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_AND_WAIT, str(library_file)],
        stdout=subprocess.PIPE, text=True, env=subprocess_env(),
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(UserError) as refused:
            DesktopApp(qapp, AppPaths.portable(data_dir), Options(demo=True, device="cpu"))
        assert "is in use by another program" in refused.value.text()
        assert str(library_file) in refused.value.text()
    finally:
        holder.kill()
        holder.wait()
    assert list(data_dir.glob("library.sqlite3.corrupt-*")) == []
    desktop = launch(data_dir, wait=False)
    assert [r.id for r in desktop.library.records.images()] == [r["id"] for r in rows]


LOCK_AND_WAIT = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA locking_mode = EXCLUSIVE")
db.execute("BEGIN EXCLUSIVE")
db.execute("UPDATE meta SET value = value")
print("locked", flush=True)
time.sleep(60)
"""


@pytest.mark.slow
def test_a_broken_settings_file_gives_defaults_a_notice_and_a_kept_copy(
    launch: Launch, data_dir: Path
) -> None:
    """The settings file is garbage (a disk error, a half-saved edit). The user sees the app start
    with the default settings and a notice naming the file, the reason and where the broken file
    was kept; the copy is byte for byte what was there."""
    settings = AppPaths.portable(data_dir).settings_file
    garbage = b'\xff\xfe{"schema_version": 1, "theme": "li'
    settings.write_bytes(garbage)
    desktop = launch(data_dir, wait=False)
    notice = notice_with(desktop, "could not be read")
    assert str(settings) in notice.text and "settings.json.bak" in notice.text
    assert settings.with_name("settings.json.bak").read_bytes() == garbage
    assert desktop.settings.theme == "dark" and desktop.settings.generation.steps == 20


@pytest.mark.slow
def test_a_hand_edited_settings_file_keeps_what_is_valid(launch: Launch, data_dir: Path) -> None:
    """Someone edited the settings by hand: an unknown theme, 5000 steps, a count in words, a
    negative VRAM budget, a number for a folder, an unknown key. The user sees one notice per bad
    value, naming it and the default used instead; the valid values (language, long side) stay;
    the file as it was is kept; the prompt panel starts with the default steps."""
    settings = AppPaths.portable(data_dir).settings_file
    edited = {
        "schema_version": 1, "language": "en", "theme": "purple", "vram_budget_gb": -3,
        "output_dir": 42, "my_note": "hi",
        "generation": {"steps": 5000, "count": "many", "long_side": 768},
    }  # fmt: skip
    settings.write_text(json.dumps(edited), "utf-8")
    desktop = launch(data_dir, wait=False)
    texts = window_of(desktop).notices.texts()
    for name in ("theme", "vram_budget_gb", "output_dir", "generation.steps", "generation.count"):
        assert any(f"“{name}”" in text for text in texts), (name, texts)
    s = desktop.settings
    assert (s.language, s.theme, s.vram_budget_gb, s.generation.long_side) == (
        "en",
        "dark",
        None,
        768,
    )
    assert s.output_dir == AppPaths.portable(data_dir).default_output_dir
    assert json.loads(settings.with_name("settings.json.bak").read_text("utf-8")) == edited
    assert window_of(desktop).prompt_panel.steps.value() == 20


@pytest.mark.slow
def test_a_second_instance_on_the_same_data_folder_is_refused(
    qtbot, qapp: QApplication, launch: Launch, data_dir: Path
) -> None:
    """MajicFlux is started a second time on the same data folder. The second one says "MajicFlux
    is already running with the data folder …" (a message box, and the same line on the
    terminal) and touches nothing; the first one goes on making images. After the first closes,
    the next start is a normal one."""
    first = launch(data_dir)
    with pytest.raises(InstanceLocked) as refused:
        DesktopApp(qapp, AppPaths.portable(data_dir), Options(demo=True, device="cpu"))
    assert f"already running with the data folder “{data_dir}”" in refused.value.text()
    second = subprocess.Popen(
        app_command(data_dir), env=subprocess_env(), stderr=subprocess.PIPE, text=True
    )
    try:
        assert second.stderr is not None
        line = second.stderr.readline()
        while line and "MajicFlux:" not in line:
            line = second.stderr.readline()
        assert "is already running with the data folder" in line, line
    finally:
        second.kill()
        second.wait()
    with qtbot.waitSignal(first.worker.job_finished, timeout=30_000):
        window_of(first).enqueue(small_request("the first one goes on", seed=9))
    assert_nothing_lost(qtbot, first, [])
    window_of(first).close()
    assert not AppPaths.portable(data_dir).lock_file.exists()  # a clean end removes it
    again = launch(data_dir, wait=False)
    assert not again.instance.unclean_before and again.library.records.count() == 1


def test_a_lock_left_by_a_killed_instance_does_not_block(tmp_path: Path) -> None:
    """The lock file of a killed session is still there, but its OS lock died with the process:
    the next start takes it, knows the last session ended badly, and runs its recovery."""
    lock_file = tmp_path / "instance.lock"
    lock_file.write_text("pid 999999 since yesterday\n")
    lock = InstanceLock.acquire(lock_file)
    assert lock.unclean_before
    with pytest.raises(InstanceLocked):
        InstanceLock.acquire(lock_file)  # the same process, another open: refused too
    lock.release()
    assert not lock_file.exists()
    started = time.perf_counter()
    clean = InstanceLock.acquire(lock_file)
    assert not clean.unclean_before and time.perf_counter() - started < 1
    clean.release()


@pytest.mark.slow
def test_the_lock_is_given_back_when_the_library_cannot_open(
    qapp: QApplication, data_dir: Path
) -> None:
    """A start that fails (here: the library is a folder) leaves no lock behind that would refuse
    the next start after the fix."""
    AppPaths.portable(data_dir).library_file.mkdir(parents=True)
    with pytest.raises((UserError, sqlite3.Error)):
        DesktopApp(qapp, AppPaths.portable(data_dir), Options(demo=True, device="cpu"))
    lock = InstanceLock.acquire(AppPaths.portable(data_dir).lock_file)
    lock.release()


@pytest.mark.slow
def test_a_failing_recovery_is_said_and_the_app_starts(
    qtbot, launch: Launch, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last session was killed, and tidying up after it fails (a file held open by an image
    viewer on Windows, a read-only folder). The user sees "MajicFlux could not finish tidying up
    after the last session (…). Your images are safe; it tries again at the next start…" and the
    app works; the next start tries again, and a clean exit ends the retries."""
    import majicflux_desktop.app as app_module

    def fail(*_: object) -> None:
        raise PermissionError(13, "held open by another program")

    paths = AppPaths.portable(data_dir)
    paths.lock_file.write_text("pid 999999 since yesterday\n")  # a killed session's lock file
    monkeypatch.setattr(app_module, "recover", fail)
    desktop = launch(data_dir)
    assert "held open by another program" in notice_with(desktop, "could not finish tidying").text
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=60_000):
        window_of(desktop).enqueue(small_request("after a failed recovery", seed=1))
    window_of(desktop).close()
    assert not paths.lock_file.exists()  # a clean exit: the next start is a normal one

"""Drive the real window: type, generate, re-roll, reuse, cancel, drop a PNG, switch language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMenu
from ui_helpers import Launch, drop, small_request, window_of

from majicflux_desktop.core import metadata
from majicflux_desktop.core.store.jobs import JobState
from majicflux_desktop.ui.window.main_window import MainWindow


def type_prompt(qtbot, window: MainWindow, text: str) -> None:
    panel = window.prompt_panel
    panel.prompt.clear()
    qtbot.keyClicks(panel.prompt, text)
    panel.size_picker.set_size(256, 256)
    panel.steps.setValue(2)


def test_typed_prompt_is_generated_and_shown_with_its_seed(qtbot, launch: Launch, data_dir) -> None:
    desktop = launch(data_dir)
    window = window_of(desktop)
    type_prompt(qtbot, window, "a ginger cat on a windowsill")
    window.prompt_panel.lock.setChecked(False)
    seed = window.prompt_panel.seed_value()
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=30_000) as finished:
        qtbot.keyClick(
            window.prompt_panel.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
        )
    record = finished.args[1]
    assert record.seed == seed and record.prompt == "a ginger cat on a windowsill"
    assert window.prompt_panel.seed_value() != seed  # unlocked: a new seed for the next one
    assert window.prompt_panel.prompt.toPlainText() == "a ginger cat on a windowsill"
    qtbot.waitUntil(lambda: window.gallery.current_record() is not None)
    assert window.gallery.current_record().id == record.id
    assert window.details.current_record().id == record.id
    assert str(seed) in window.details.summary.text()
    read = metadata.read(record.path)
    assert read.source == "MajicFlux" and read.request.seed == seed
    # the gauge's tooltip says whether the maths are compiled, and why not (the CPU here)
    assert "Compiled maths" in window.gauge.tooltip_html()
    assert "off: they need an NVIDIA GPU" in window.gauge.tooltip_html()
    qtbot.waitUntil(
        lambda: "finished" in window.queue.row_texts()[0] if window.queue.row_texts() else False
    )


@pytest.mark.slow
def test_reroll_and_reuse_seed_from_the_image_view(qtbot, launch: Launch, data_dir) -> None:
    desktop = launch(data_dir)
    window = window_of(desktop)
    type_prompt(qtbot, window, "a lighthouse at dusk")
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=30_000) as first:
        window.generate()
    original = first.args[1]
    qtbot.waitUntil(lambda: window.details.current_record() is not None)
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=30_000) as second:
        qtbot.mouseClick(window.details.reroll, Qt.MouseButton.LeftButton)
    rerolled = second.args[1]
    assert rerolled.prompt == original.prompt and rerolled.steps == original.steps
    assert (rerolled.width, rerolled.height) == (original.width, original.height)
    assert rerolled.seed != original.seed
    window.gallery.select_image(original.id)
    qtbot.waitUntil(lambda: window.details.current_record().id == original.id)
    window.prompt_panel.lock.setChecked(False)
    qtbot.mouseClick(window.details.reuse_seed, Qt.MouseButton.LeftButton)
    assert window.prompt_panel.seed_value() == original.seed
    assert window.prompt_panel.seed_locked


@pytest.mark.slow
def test_reuse_all_parameters_fills_the_panel(qtbot, launch: Launch, data_dir) -> None:
    desktop = launch(data_dir)
    window = window_of(desktop)
    request = small_request("a red fox", negative_prompt="blurry", cfg_scale=2.0, seed=77)
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=30_000) as done:
        window.enqueue(request)
    window.prompt_panel.prompt.setPlainText("something else")
    window.reuse_all(done.args[1])
    panel = window.prompt_panel
    assert panel.prompt.toPlainText() == "a red fox"
    assert panel.negative.toPlainText() == "blurry"
    assert panel.cfg.value() == 2.0 and panel.seed_value() == 77
    assert panel.size_picker.image_size() == (256, 256)


@pytest.mark.slow
def test_escape_cancels_the_running_job(qtbot, launch: Launch, data_dir) -> None:
    desktop = launch(data_dir)
    window = window_of(desktop)
    with qtbot.waitSignal(desktop.worker.progressed, timeout=30_000):
        window.enqueue(small_request("a long batch", count=64, steps=4))
    with qtbot.waitSignal(desktop.worker.job_cancelled, timeout=30_000) as cancelled:
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    job = cancelled.args[0]
    assert job == desktop.library.jobs.job(job.id) and job.state is JobState.CANCELLED
    assert job.images_done < 64
    assert desktop.library.records.count() == job.images_done
    assert desktop.worker.current_job is None


@pytest.mark.slow
def test_queued_jobs_can_be_reordered_cancelled_and_cleared(
    qtbot, launch: Launch, data_dir
) -> None:
    desktop = launch(data_dir)
    window = window_of(desktop)
    queue = window.queue
    qtbot.mouseClick(queue.pause_button, Qt.MouseButton.LeftButton)
    assert desktop.worker.paused
    for prompt in ("one", "two", "three"):
        assert window.enqueue(small_request(prompt))

    def order() -> list[str]:
        return [job.request.prompt for job in desktop.library.jobs.queued()]

    def shown() -> list[str]:
        return [row.split("\n")[0][2:] for row in queue.row_texts()]

    assert order() == shown() == ["one", "two", "three"]
    queue.list.setCurrentIndex(queue.model.index(2))
    qtbot.mouseClick(queue.up_button, Qt.MouseButton.LeftButton)
    assert order() == ["one", "three", "two"]
    assert shown()[:3] == ["one", "three", "two"]
    assert (
        queue.selected_job_id() == desktop.library.jobs.queued()[1].id
    )  # the moved job stays selected
    queue.list.setCurrentIndex(queue.model.index(0))
    qtbot.mouseClick(queue.cancel_button, Qt.MouseButton.LeftButton)
    assert order() == ["three", "two"]
    qtbot.mouseClick(queue.clear_button, Qt.MouseButton.LeftButton)
    assert order() == []
    states = {job.request.prompt: job.state for job in desktop.library.jobs.jobs()}
    assert states == dict.fromkeys(("one", "two", "three"), JobState.CANCELLED)
    assert desktop.library.records.count() == 0  # paused: nothing ran


def a1111_png(path: Path) -> Path:
    info = PngImagePlugin.PngInfo()
    info.add_text(
        "parameters",
        "a red fox in snow\nNegative prompt: blurry\nSteps: 3, Sampler: Euler, "
        "Distilled CFG Scale: 4.5, CFG scale: 1, Seed: 12345, Size: 512x768, Model: flux1-dev",
    )
    Image.new("RGB", (64, 64), "orange").save(path, pnginfo=info)
    return path


def test_dropping_a_png_fills_the_prompt_panel(qtbot, launch: Launch, data_dir, tmp_path) -> None:
    window = window_of(launch(data_dir, wait=False))
    drop(window, a1111_png(tmp_path / "fox.png"))
    panel = window.prompt_panel
    assert panel.prompt.toPlainText() == "a red fox in snow"
    assert panel.negative.toPlainText() == "blurry"
    assert panel.seed_value() == 12345 and panel.seed_locked
    assert panel.steps.value() == 3 and panel.guidance.value() == 4.5
    assert panel.size_picker.image_size() == (512, 768)
    assert any("fox.png" in text and "A1111" in text for text in window.notices.texts())
    assert any("flux1-dev" in text for text in window.notices.texts())  # the note on the model


@pytest.mark.slow
def test_dropping_something_else_says_what_to_drop(
    qtbot, launch: Launch, data_dir, tmp_path
) -> None:
    window = window_of(launch(data_dir, wait=False))
    window.prompt_panel.prompt.setPlainText("kept")
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello", "utf-8")
    drop(window, text_file)
    assert window.prompt_panel.prompt.toPlainText() == "kept"
    assert any("notes.txt" in t and "not an image" in t for t in window.notices.texts())
    plain = tmp_path / "plain.png"
    Image.new("RGB", (8, 8)).save(plain)
    drop(window, plain)
    assert any("no generation parameters" in t for t in window.notices.texts())


@pytest.mark.slow
def test_language_switches_to_chinese_at_once(qtbot, launch: Launch, data_dir) -> None:
    desktop = launch(data_dir)
    window = window_of(desktop)
    assert window.prompt_panel.generate_button.text() == "Generate"
    window.prompt_panel.prompt.setPlainText("一只橘猫 a ginger cat")
    chinese = next(
        action
        for menu in window.menuBar().findChildren(QMenu)
        for action in menu.actions()
        if action.text() == "简体中文"
    )
    chinese.trigger()
    zh = window_of(desktop)
    assert zh is not window
    assert zh.prompt_panel.generate_button.text() == "开始生成"
    assert zh.queue.title.text() == "队列"
    assert zh.prompt_panel.prompt.toPlainText() == "一只橘猫 a ginger cat"  # kept over the switch
    assert desktop.settings.language == "zh_CN"
    assert "zh_CN" in (data_dir / "settings.json").read_text("utf-8")
    zh.prompt_panel.prompt.clear()
    zh.prompt_panel.try_generate()
    assert "提示词是空的" in zh.prompt_panel.messages.text()  # core's messages follow too
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=30_000):  # the worker still answers
        zh.enqueue(small_request("after the switch"))
    zh.language_chosen.emit("en")
    assert window_of(desktop).prompt_panel.generate_button.text() == "Generate"


@pytest.mark.slow
def test_a_new_image_leaves_a_user_browsing_older_ones_where_they_are(
    qtbot, launch: Launch, data_dir
) -> None:
    """Through the wired window: the worker's news must not pull the selection to a new image
    while the user looks at an older one (0.1.0's window did, although the gallery alone did not)."""
    desktop = launch(data_dir)
    window = window_of(desktop)
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=30_000) as made:
        window.enqueue(small_request("two to browse", seed=20, count=2))
    newest = made.args[1]
    older = next(r for r in window.gallery.model.records() if r.id != newest.id)
    assert window.gallery.current_record().id == newest.id  # not browsing: the new one shows
    window.gallery.select_image(older.id)
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=30_000) as third:
        window.enqueue(small_request("made while browsing", seed=30))
    qtbot.waitUntil(lambda: window.gallery.model.records()[0].id == third.args[1].id)
    assert window.gallery.current_record().id == older.id
    # the live preview gives the image view back to the user's choice when the job ends
    qtbot.waitUntil(lambda: not window.details.showing_preview)
    assert window.details.current_record().id == older.id


def png_with(path: Path, chunks: dict[str, str]) -> Path:
    info = PngImagePlugin.PngInfo()
    for key, value in chunks.items():
        info.add_text(key, value)
    Image.new("RGB", (16, 16), "grey").save(path, pnginfo=info)
    return path


@pytest.mark.slow
def test_a_drop_without_a_prompt_keeps_the_typed_one_and_is_one_undoable_step(
    qtbot, launch: Launch, data_dir, tmp_path
) -> None:
    window = window_of(launch(data_dir, wait=False))
    panel = window.prompt_panel
    panel.prompt.setPlainText("my own words")
    panel.seed.setText("77")
    steps_before = panel.steps.value()
    settings_only = png_with(
        tmp_path / "settings-only.png",
        {"parameters": "Steps: 9, Sampler: Euler, CFG scale: 1, Seed: 5, Size: 512x512"},
    )
    drop(window, settings_only)
    assert panel.prompt.toPlainText() == "my own words"  # never overwritten with nothing
    assert panel.seed_value() == 5 and panel.steps.value() == 9
    notice = window.notices.notices()[-1]
    assert notice.action_button is not None and notice.action_button.text() == "Undo"
    qtbot.mouseClick(notice.action_button, Qt.MouseButton.LeftButton)
    assert panel.seed_value() == 77 and panel.steps.value() == steps_before  # all, in one step
    assert panel.prompt.toPlainText() == "my own words"


@pytest.mark.slow
def test_text_that_is_not_parameters_is_refused_with_a_note(
    qtbot, launch: Launch, data_dir, tmp_path
) -> None:
    window = window_of(launch(data_dir, wait=False))
    window.prompt_panel.prompt.setPlainText("kept")
    drop(window, png_with(tmp_path / "junk.png", {"parameters": "just a caption someone wrote"}))
    assert window.prompt_panel.prompt.toPlainText() == "kept"
    assert any("not generation parameters" in text for text in window.notices.texts())
    QGuiApplication.clipboard().setText(" Seed: x")
    window.paste_parameters()
    assert window.prompt_panel.prompt.toPlainText() == "kept"
    assert any("not generation parameters" in text for text in window.notices.texts()[-1:])


@pytest.mark.slow
def test_a_comfyui_graph_without_a_sampler_gives_its_text_as_the_prompt(
    qtbot, launch: Launch, data_dir, tmp_path
) -> None:
    graph = {
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a koi pond in autumn"}},
        "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0]}},
    }
    window = window_of(launch(data_dir, wait=False))
    drop(window, png_with(tmp_path / "comfy.png", {"prompt": json.dumps(graph)}))
    assert window.prompt_panel.prompt.toPlainText() == "a koi pond in autumn"


@pytest.mark.slow
def test_pasting_a1111_text_fills_the_panel(qtbot, launch: Launch, data_dir) -> None:
    window = window_of(launch(data_dir, wait=False))
    QGuiApplication.clipboard().setText(
        "a lantern festival\nSteps: 12, Sampler: Euler, Distilled CFG Scale: 3, Seed: 42, "
        "Size: 768x512"
    )
    window.commands.paste_parameters.trigger()
    panel = window.prompt_panel
    assert panel.prompt.toPlainText() == "a lantern festival"
    assert (panel.seed_value(), panel.steps.value()) == (42, 12)
    assert panel.size_picker.image_size() == (768, 512)


@pytest.mark.slow
def test_a_language_switch_keeps_notices_sizes_and_the_status_bar(
    qtbot, launch: Launch, data_dir
) -> None:
    desktop = launch(data_dir)
    window = window_of(desktop)
    assert any("Demo mode" in text for text in window.notices.texts())
    window.prompt_panel.size_picker.set_size(1000, 600)  # a custom size
    window.prompt_panel.size_picker.set_preset("16:9", 1280)
    window.status.set_progress("3 waiting")
    window.language_chosen.emit("zh_CN")
    zh = window_of(desktop)
    assert zh is not window
    assert any("演示模式" in text for text in zh.notices.texts())  # worded again, not dropped
    assert zh.prompt_panel.size_picker.state() == window.prompt_panel.size_picker.state()
    assert zh.prompt_panel.size_picker.preset() == ("16:9", 1280)
    assert zh.status.progress.text() == "3 waiting"
    assert zh.status.engine_state.text() == "就绪"
    assert zh.status.demo_badge.isVisibleTo(zh)


def test_selecting_an_image_leaves_the_prompt_panel_its_width(
    qtbot, launch: Launch, data_dir
) -> None:
    """On a 1366-pixel laptop screen the image view's bar (buttons and the long summary) must
    give way, not squeeze the prompt panel, when an image is selected."""
    desktop = launch(data_dir)
    window = window_of(desktop)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    before = window.prompt_panel.width()
    type_prompt(qtbot, window, "a lighthouse at dusk " * 4)
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=30_000) as done:
        window.generate()
    qtbot.waitUntil(lambda: window.details.current_record() is not None)
    assert window.details.current_record().id == done.args[1].id
    QApplication.processEvents()
    assert window.prompt_panel.width() == before >= 300
    assert window.width() == 1366

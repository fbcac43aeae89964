"""LoRAs through the real window and the real worker, on the demo's tiny model with tiny LoRA files
in `<data>/demo-models/loras`: generate with two, find the image by LoRA, read them back from the
details, reuse and re-roll them, drop a PNG whose LoRA is missing, favourites, Settings."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from lora_helpers import INK, KOHYA, PEFT, SDXL, copy_loras, lora_originals, sha256
from PIL import Image, PngImagePlugin
from PySide6.QtCore import Qt
from ui_helpers import Launch, drop, small_request, window_of

from majicflux_desktop.app import DEMO_MODELS, DesktopApp
from majicflux_desktop.core.request import LoraUse
from majicflux_desktop.ui.generate.lora_picker import star_point

__all__ = ["lora_originals"]  # the session fixture

JOB_TIMEOUT_MS = 60_000


@pytest.fixture
def lora_data(data_dir: Path, lora_originals: Path) -> Path:
    copy_loras(lora_originals, data_dir / DEMO_MODELS / "loras", KOHYA, PEFT, INK, SDXL)
    return data_dir


def loras_folder(data: Path) -> Path:
    return data / DEMO_MODELS / "loras"


def wait_scanned(qtbot, desktop: DesktopApp) -> None:
    qtbot.waitUntil(lambda: desktop.loras.listing.scanned and not desktop.loras.scanning)


@pytest.mark.slow
def test_two_loras_are_made_recorded_found_by_the_filter_and_listed_in_the_details(
    qtbot, launch: Launch, lora_data: Path
) -> None:
    desktop = launch(lora_data)
    window = window_of(desktop)
    wait_scanned(qtbot, desktop)
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=JOB_TIMEOUT_MS):
        window.enqueue(small_request("a plain one, no LoRA"))
    panel = window.prompt_panel
    picker = panel.lora_stack.open_picker()
    wait_scanned(qtbot, desktop)
    picker.search.setText("ohwx")
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    row = panel.lora_stack.row(KOHYA)
    assert row is not None
    row.weight.setValue(0.8)
    panel.prompt.setPlainText("a lighthouse <lora:tiny-peft:0.5>")
    panel.size_picker.set_size(256, 256)
    panel.steps.setValue(2)
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=JOB_TIMEOUT_MS) as done:
        window.generate()
    record = done.args[1]
    kohya, peft = (sha256(loras_folder(lora_data) / f"{n}.safetensors") for n in (KOHYA, PEFT))
    assert record.prompt == "a lighthouse"
    assert [(lora.name, lora.weight, lora.sha256) for lora in record.loras] == [
        (KOHYA, 0.8, kohya),
        (PEFT, 0.5, peft),
    ]
    assert record.request.loras == (LoraUse(KOHYA, 0.8, kohya), LoraUse(PEFT, 0.5, peft))
    with Image.open(record.path) as png:
        a1111 = png.info["parameters"]
    assert "a lighthouse <lora:tiny-kohya:0.8> <lora:tiny-peft:0.5>" in a1111
    assert f'Lora hashes: "tiny-kohya: {kohya[:10]}, tiny-peft: {peft[:10]}"' in a1111
    # the gallery's LoRA filter
    gallery = window.gallery
    assert gallery.lora_filter.isVisibleTo(gallery)
    assert [gallery.lora_filter.itemData(i) for i in range(gallery.lora_filter.count())] == [
        "",
        KOHYA,
        PEFT,
    ]
    assert len(gallery.model.records()) == 2
    gallery.set_lora_filter(PEFT)
    assert [r.id for r in gallery.model.records()] == [record.id]
    assert gallery.model.query.lora == PEFT
    gallery.set_lora_filter("")
    assert len(gallery.model.records()) == 2
    # the details panel
    gallery.select_image(record.id)
    qtbot.waitUntil(lambda: window.details.current_record() is not None)
    listed = window.details.parameters.values()["LoRAs"]
    assert f"tiny-kohya ×0.8 · hash {kohya[:10]} · 7/8 layers" in listed
    assert f"tiny-peft ×0.5 · hash {peft[:10]}" in listed
    # what was used becomes "recently used", by hash, in the settings file
    assert desktop.settings.recent_loras[:2] == (kohya, peft)
    saved = json.loads((lora_data / "settings.json").read_text("utf-8"))
    assert saved["recent_loras"][:2] == [kohya, peft]


@pytest.mark.slow
def test_reuse_all_and_reroll_keep_the_loras_found_by_hash(
    qtbot, launch: Launch, lora_data: Path
) -> None:
    desktop = launch(lora_data)
    window = window_of(desktop)
    wait_scanned(qtbot, desktop)
    uses = (LoraUse(INK, 0.7), LoraUse(PEFT, 1.1))
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=JOB_TIMEOUT_MS) as first:
        window.enqueue(small_request("mountains in mist", seed=3, loras=uses))
    record = first.args[1]
    ink, peft = (sha256(loras_folder(lora_data) / f"{n}.safetensors") for n in (INK, PEFT))
    assert record.request.loras == (LoraUse(INK, 0.7, ink), LoraUse(PEFT, 1.1, peft))
    panel = window.prompt_panel
    panel.prompt.setPlainText("something else <lora:tiny-kohya>")
    window.reuse_all(record)
    assert panel.prompt.toPlainText() == "mountains in mist"
    assert panel.lora_stack.uses() == record.request.loras
    assert panel.request().loras == record.request.loras
    # the file is renamed: a re-roll still finds it, by its hash
    (loras_folder(lora_data) / f"{INK}.safetensors").rename(
        loras_folder(lora_data) / "ink-renamed.safetensors"
    )
    qtbot.waitUntil(lambda: desktop.loras.listing.named("ink-renamed") is not None, timeout=20_000)
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=JOB_TIMEOUT_MS) as again:
        window.reroll(record)
    rerolled = again.args[1]
    assert rerolled.seed != record.seed
    assert [(lora.name, lora.sha256) for lora in rerolled.loras] == [
        ("ink-renamed", ink),
        (PEFT, peft),
    ]


def a1111_png_with_loras(path: Path, kohya_hash: str) -> Path:
    info = PngImagePlugin.PngInfo()
    info.add_text(
        "parameters",
        "a red fox in snow <lora:tiny-kohya:0.6> <lora:gone-style:0.8>\n"
        "Negative prompt: blurry\n"
        "Steps: 3, Sampler: Euler, Distilled CFG Scale: 4.5, CFG scale: 1, Seed: 12345, "
        f'Size: 512x768, Lora hashes: "tiny-kohya: {kohya_hash[:10]}, gone-style: abcdef1234", '
        "Model: flux1-dev",
    )
    Image.new("RGB", (64, 64), "orange").save(path, pnginfo=info)
    return path


@pytest.mark.slow
def test_a_dropped_png_whose_lora_is_missing_names_it_and_loads_the_rest(
    qtbot, launch: Launch, lora_data: Path, tmp_path: Path
) -> None:
    folder = loras_folder(lora_data)
    kohya = sha256(folder / f"{KOHYA}.safetensors")
    # renamed since the image was made: the hash finds it (the name alone would not)
    (folder / f"{KOHYA}.safetensors").rename(folder / "kohya-renamed.safetensors")
    desktop = launch(lora_data, wait=False)
    window = window_of(desktop)
    wait_scanned(qtbot, desktop)
    window.prompt_panel.lora_stack.set_uses([LoraUse(PEFT, 0.3)])  # replaced by the image's
    drop(window, a1111_png_with_loras(tmp_path / "fox.png", kohya))
    qtbot.waitUntil(lambda: any("gone-style" in text for text in window.notices.texts()))
    notice = next(text for text in window.notices.texts() if "gone-style" in text)
    assert "fox.png" in notice
    assert "LoRA “gone-style” (hash abcdef1234) is not in your LoRA folders" in notice
    assert "the other parameters were loaded" in notice and str(folder) in notice
    assert "tiny-kohya" not in notice  # found: not a problem
    panel = window.prompt_panel
    assert panel.prompt.toPlainText() == "a red fox in snow"
    assert panel.negative.toPlainText() == "blurry"
    assert panel.seed_value() == 12345 and panel.steps.value() == 3
    assert panel.size_picker.image_size() == (512, 768)
    assert panel.lora_stack.uses() == (LoraUse("kohya-renamed", 0.6, kohya),)
    assert panel.lora_stack.rows[0].state.value == "found"


@pytest.mark.slow
def test_a_later_drop_wins_over_an_earlier_one_whose_loras_are_still_looked_for(
    qtbot, launch: Launch, lora_data: Path, tmp_path: Path
) -> None:
    from test_window import a1111_png

    kohya = sha256(loras_folder(lora_data) / f"{KOHYA}.safetensors")
    desktop = launch(lora_data, wait=False)
    window = window_of(desktop)
    wait_scanned(qtbot, desktop)
    drop(window, a1111_png_with_loras(tmp_path / "with-loras.png", kohya))
    drop(window, a1111_png(tmp_path / "fox.png"))  # before the first one's LoRAs are found
    panel = window.prompt_panel
    assert panel.prompt.toPlainText() == "a red fox in snow" and panel.lora_stack.uses() == ()
    assert desktop.loras.resolving(kohya[:10])  # the first drop's LoRAs, by their AutoV2 hash
    qtbot.waitUntil(lambda: not desktop.loras.resolving(kohya[:10]), timeout=20_000)
    assert panel.lora_stack.uses() == () and panel.size_picker.image_size() == (512, 768)
    assert not any("gone-style" in text for text in window.notices.texts())


@pytest.mark.slow
def test_pasted_a1111_parameters_bring_their_loras(qtbot, launch: Launch, lora_data: Path) -> None:
    from PySide6.QtGui import QGuiApplication

    desktop = launch(lora_data, wait=False)
    window = window_of(desktop)
    wait_scanned(qtbot, desktop)
    QGuiApplication.clipboard().setText(
        "a quiet harbour <lora:水墨山水:0.9> <lora:tiny-peft:-0.4>\n"
        "Steps: 12, Sampler: Euler, Distilled CFG Scale: 3.5, Seed: 7, Size: 768x512"
    )
    window.paste_parameters()
    panel = window.prompt_panel
    qtbot.waitUntil(lambda: panel.prompt.toPlainText() == "a quiet harbour")
    ink, peft = (sha256(loras_folder(lora_data) / f"{n}.safetensors") for n in (INK, PEFT))
    assert panel.lora_stack.uses() == (LoraUse(INK, 0.9, ink), LoraUse(PEFT, -0.4, peft))
    assert any("Parameters pasted" in text for text in window.notices.texts())


@pytest.mark.slow
def test_favourites_and_lora_folders_are_saved_in_the_settings(
    qtbot, launch: Launch, lora_data: Path, tmp_path: Path, lora_originals: Path
) -> None:
    desktop = launch(lora_data, wait=False)
    window = window_of(desktop)
    wait_scanned(qtbot, desktop)
    picker = window.prompt_panel.lora_stack.open_picker()
    wait_scanned(qtbot, desktop)
    row = next(r for r in range(picker.model.rowCount()) if picker.model.item(r).text() == PEFT)
    qtbot.mouseClick(picker.list.viewport(), Qt.MouseButton.LeftButton, pos=star_point(picker, row))
    peft = sha256(loras_folder(lora_data) / f"{PEFT}.safetensors")
    qtbot.waitUntil(lambda: desktop.settings.favourite_loras == (peft,), timeout=20_000)
    saved = json.loads((lora_data / "settings.json").read_text("utf-8"))
    assert saved["favourite_loras"] == [peft]
    assert picker.section_titles()[0] == "Favourites"
    picker.reject()
    # a LoRA folder added in Settings is looked in at once
    extra = copy_loras(lora_originals, tmp_path / "ComfyUI" / "models" / "loras", KOHYA)
    (extra / f"{KOHYA}.safetensors").rename(extra / "comfy-style.safetensors")
    with qtbot.waitSignal(
        desktop.loras.scanned,
        timeout=20_000,
        check_params_cb=lambda listing: listing.named("comfy-style") is not None,
    ):
        window.settings_edited.emit(dataclasses.replace(desktop.settings, lora_folders=(extra,)))
    assert desktop.loras.listing.folders == (loras_folder(lora_data), extra)
    assert desktop.lora_index.folders == [loras_folder(lora_data), extra]  # the engine's, too
    assert str(extra) in desktop.loras.watched()


@pytest.mark.slow
def test_a_language_switch_keeps_the_stack_and_the_typed_tags(
    qtbot, launch: Launch, lora_data: Path
) -> None:
    desktop = launch(lora_data, wait=False)
    window = window_of(desktop)
    wait_scanned(qtbot, desktop)
    panel = window.prompt_panel
    panel.lora_stack.set_uses([LoraUse(KOHYA, 0.65), LoraUse(PEFT, 1.0, enabled=False)])
    panel.prompt.setPlainText("一只橘猫 <lora:水墨山水:0.9> <lora:missing-one>")
    window.language_chosen.emit("zh_CN")
    chinese = window_of(desktop)
    assert chinese is not window
    zh = chinese.prompt_panel
    assert zh.prompt.toPlainText() == "一只橘猫 <lora:水墨山水:0.9> <lora:missing-one>"
    assert zh.lora_stack.uses() == (LoraUse(KOHYA, 0.65), LoraUse(PEFT, 1.0, enabled=False))
    zh.show_checks()
    assert "missing-one" in zh.lora_hint.text() and zh.lora_hint.isVisibleTo(zh)
    assert not zh.try_generate() and desktop.library.jobs.queued() == []
    with qtbot.waitSignal(desktop.loras.scanned, timeout=20_000):
        desktop.loras.rescan()  # the old window's widgets are gone: nothing of theirs is called
    assert zh.lora_stack.add_button.text() == "添加 LoRA…"


@pytest.mark.slow
def test_loras_put_in_the_stack_are_read_while_the_engine_is_idle(
    qtbot, launch: Launch, lora_data: Path
) -> None:
    desktop = launch(lora_data)
    window = window_of(desktop)
    wait_scanned(qtbot, desktop)
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=JOB_TIMEOUT_MS):
        window.enqueue(small_request("loads the engine"))
    engine = desktop.worker._engine
    assert engine is not None and engine.loras.cache.conversions == 0
    window.prompt_panel.prompt.setPlainText("a harbour <lora:tiny-peft:0.7>")
    # read and converted before anyone presses Generate
    qtbot.waitUntil(lambda: engine.loras.cache.conversions == 1, timeout=20_000)
    window.prompt_panel.size_picker.set_size(256, 256)
    window.prompt_panel.steps.setValue(2)
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=JOB_TIMEOUT_MS) as done:
        window.generate()
    assert [lora.name for lora in done.args[1].loras] == [PEFT]
    assert engine.loras.cache.conversions == 1  # the image used what was read ahead

"""Photograph the LoRA screens of the real app on an X display: the stack in the prompt panel, tags
as chips, the picker (previews, a refused file, favourites) and the gallery's LoRA filter, in
English and in Chinese (docs/screenshots/20-*.png).

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_loras.py docs/screenshots

Uses the demo (tiny random-weight) model with tiny LoRA files in the real layouts, their metadata
and preview pictures written here, on a fresh data folder.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QToolTip
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from screenshot_tour import pause, place, shoot, wait_for

from majicflux_desktop.app import DEMO_MODELS, DesktopApp, Options
from majicflux_desktop.core.logs import setup_logging
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.core.request import GenerationRequest, LoraUse
from majicflux_desktop.engine import tiny_loras
from majicflux_desktop.ui.window.main_window import MainWindow
from majicflux_desktop.ui.worker import EngineState


def relabel(path: Path, **metadata: str) -> None:
    with safe_open(str(path), "pt") as handle:
        kept = dict(handle.metadata() or {})
    kept.update(metadata)
    save_file(load_file(str(path)), str(path), metadata=kept)


def picture(path: Path, sky: tuple[int, int, int], ground: tuple[int, int, int], sun: bool) -> None:
    image = Image.new("RGB", (512, 512), sky)
    draw = ImageDraw.Draw(image)
    for y in range(512):  # a soft vertical gradient
        shade = tuple(int(c * (0.65 + 0.35 * y / 512)) for c in sky)
        draw.line([(0, y), (512, y)], fill=shade)
    if sun:
        draw.ellipse((330, 70, 440, 180), fill=(250, 228, 170))
    draw.polygon([(0, 400), (140, 230), (260, 360), (380, 210), (512, 380), (512, 512), (0, 512)],
                 fill=ground)  # fmt: skip
    image.save(path)


def write_loras(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    ghibli = folder / "ghibli-watercolor.safetensors"
    tiny_loras.kohya(ghibli)
    relabel(ghibli, **{"modelspec.title": "Ghibli Watercolor",
                       "modelspec.trigger_phrase": "ghibli style, watercolor"})  # fmt: skip
    picture(folder / "ghibli-watercolor.png", (120, 180, 230), (90, 150, 90), True)
    ink = folder / "水墨山水.safetensors"
    tiny_loras.peft(ink)
    relabel(ink, **{"modelspec.title": "水墨山水 Ink landscape", "ss_base_model_version": "flux1",
                    "modelspec.trigger_phrase": "shuimo, 水墨画"})  # fmt: skip
    picture(folder / "水墨山水.preview.png", (225, 222, 210), (60, 60, 62), False)
    film = folder / "film-portrait-v2.safetensors"
    tiny_loras.bfl(film)
    relabel(film, **{"modelspec.title": "Film portrait v2", "ss_base_model_version": "flux1",
                     "modelspec.trigger_phrase": "film grain, kodak portra"})  # fmt: skip
    picture(folder / "film-portrait-v2.jpg", (200, 140, 100), (110, 70, 60), True)
    tiny_loras.xlabs(folder / "neon-city.safetensors")
    tiny_loras.sdxl(folder / "sdxl-anime-style.safetensors")


def tour(out: Path, data: Path) -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    (data / "settings.json").write_text(json.dumps({"schema_version": 1, "language": "en"}))
    write_loras(data / DEMO_MODELS / "loras")
    comfy = data / "ComfyUI"
    (comfy / "comfy").mkdir(parents=True)
    (comfy / "models" / "loras").mkdir(parents=True)
    known = {
        "schema_version": 1,
        "language": "en",
        "model_files": {"dit": [str(comfy / "models" / "unet" / "majicflus_v134.safetensors")]},
    }
    (data / "settings.json").write_text(json.dumps(known))
    desktop = DesktopApp(app, AppPaths.portable(data), Options(demo=True))
    window = desktop.start()
    place(window)
    wait_for(lambda: window.engine_state is EngineState.READY)
    wait_for(lambda: desktop.loras.listing.scanned)
    favourite = next(f for f in desktop.loras.listing.files if f.name == "ghibli-watercolor")
    desktop.set_favourite_lora(desktop.lora_index.sha256(favourite), True)
    desktop.loras.rescan()
    wait_for(lambda: not desktop.loras.scanning)
    # Images with LoRAs in the gallery, for "recently used" and the filter
    for prompt, loras in (
        ("a hill village in spring", (LoraUse("ghibli-watercolor", 0.8),)),
        ("mountains in mist, 山水", (LoraUse("水墨山水", 1.0),)),
        ("a portrait by a window", (LoraUse("film-portrait-v2", 0.7), LoraUse("水墨山水", 0.3))),
    ):
        window.enqueue(GenerationRequest(prompt, steps=4, width=512, height=512, loras=loras))
    wait_for(lambda: desktop.library.records.count() >= 3 and desktop.worker.current_job is None)
    pause(1.5)
    stack_and_chips(window, out, "en")
    picker(window, out, "en")
    gallery_filter(window, out, "en")
    settings(window, out, "en")

    window.language_chosen.emit("zh_CN")
    chinese = desktop.window
    assert chinese is not None
    place(chinese)
    pause(1.0)
    stack_and_chips(chinese, out, "zh")
    picker(chinese, out, "zh")
    gallery_filter(chinese, out, "zh")
    settings(chinese, out, "zh")
    chinese.close()
    desktop.shutdown()


def stack_and_chips(window: MainWindow, out: Path, language: str) -> None:
    panel = window.prompt_panel
    panel.lora_stack.set_uses(
        [LoraUse("ghibli-watercolor", 0.8), LoraUse("film-portrait-v2", 0.45, enabled=False)]
    )
    panel.prompt.setPlainText(
        "ghibli style, watercolor, a hill village in spring, <lora:水墨山水:0.6> soft light"
    )
    panel.show_checks()
    pause(0.8)
    shoot(out, f"20-lora-stack-and-chips-{language}.png")
    row = panel.lora_stack.rows[0]
    QToolTip.showText(row.name.mapToGlobal(QPoint(10, row.name.height())), row.name.toolTip(), row)
    shoot(out, f"20-lora-row-tooltip-{language}.png")
    QToolTip.hideText()
    panel.prompt.setPlainText("a hill village in spring <lora:ghibli-watercolour:0.8>")
    panel.show_checks()
    pause(0.5)
    shoot(out, f"20-lora-unknown-tag-{language}.png")
    panel.prompt.setPlainText("ghibli style, watercolor, a hill village in spring")
    panel.show_checks()


def picker(window: MainWindow, out: Path, language: str) -> None:
    dialog = window.prompt_panel.lora_stack.open_picker()
    dialog.move(300, 150)
    wait_for(lambda: not window.loras.scanning)
    pause(1.0)  # previews
    dialog.select_file("ghibli-watercolor")
    pause(0.6)
    shoot(out, f"20-lora-picker-{language}.png")
    dialog.select_file("sdxl-anime-style")
    pause(0.4)
    shoot(out, f"20-lora-picker-refused-{language}.png")
    dialog.search.setText("水墨" if language == "zh" else "ink")
    pause(0.4)
    shoot(out, f"20-lora-picker-search-{language}.png")
    dialog.reject()
    pause(0.3)


def gallery_filter(window: MainWindow, out: Path, language: str) -> None:
    gallery = window.gallery
    gallery.set_lora_filter("水墨山水")
    pause(1.0)
    record = gallery.current_record() or (gallery.model.records() or [None])[0]
    if record is not None:
        gallery.select_image(record.id)
    pause(0.8)
    gallery.lora_filter.showPopup()
    pause(0.5)
    shoot(out, f"20-gallery-lora-filter-{language}.png")
    gallery.lora_filter.hidePopup()
    gallery.set_lora_filter("")


def settings(window: MainWindow, out: Path, language: str) -> None:
    from majicflux_desktop.ui.window.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window.settings, window)
    dialog.move(420, 20)
    dialog.show()
    pause(0.8)
    shoot(out, f"20-settings-lora-folders-{language}.png")
    dialog.reject()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="majicflux-loras-"))
    setup_logging(data / "tour.log")
    tour(out, data)


if __name__ == "__main__":
    main()

"""Edits in the whole window, photographed in English and Chinese (docs/screenshots/31-*).

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_edit_window.py docs/screenshots

A gallery image used as the source (image to image), an inpaint with a painted mask queued behind
it, the made image's details linking to the picture it was made from, its family in the gallery,
and the question a dropped PNG with parameters asks. Demo (tiny random-weight) model.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin
from PySide6.QtWidgets import QApplication
from screenshot_tour import pause, place, shoot, wait_for

from majicflux_desktop.app import DesktopApp, Options
from majicflux_desktop.core.edit import EditMode, InpaintArea
from majicflux_desktop.core.logs import setup_logging
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.ui.window.main_window import MainWindow
from majicflux_desktop.ui.worker import EngineState


def source_read(window: MainWindow) -> None:
    panel = window.prompt_panel.edit_panel
    wait_for(lambda: panel.has_source() and not panel.loading())


def tour(out: Path, data: Path, language: str) -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    (data / "settings.json").write_text(json.dumps({"schema_version": 1, "language": language}))
    desktop = DesktopApp(app, AppPaths.portable(data), Options(demo=True))
    window = desktop.start()
    place(window)
    wait_for(lambda: window.engine_state is EngineState.READY)
    suffix = "zh" if language == "zh_CN" else "en"
    prompt = "一座黄昏的灯塔, a lighthouse at dusk, long exposure"
    for seed in (11, 12):
        window.enqueue(GenerationRequest(prompt, seed=seed, steps=4, width=768, height=512))
    wait_for(lambda: desktop.library.records.count() >= 2 and desktop.worker.current_job is None)
    pause(1.0)

    # a gallery image as the source: image to image at its shape
    panel = window.prompt_panel
    original = window.gallery.current_record()
    assert original is not None
    panel.prompt.clear()
    window.use_as_source(original)
    source_read(window)
    panel.edit_panel.form.strength_spin.setValue(0.55)
    panel.steps.setValue(8)
    pause(0.5)
    shoot(out, f"31-window-image-to-image-{suffix}.png")

    # queue it and an inpaint behind it; the inpaint's mask painted on the source
    window.queue.pause_button.click()
    panel.try_generate()
    edit = panel.edit_panel
    edit.form.mode_buttons.button(list(EditMode).index(EditMode.INPAINT)).click()
    edit.form.set_options(dataclasses.replace(edit.form.options(), area=InpaintArea.MASKED))
    mask = np.zeros((512, 768), np.uint8)
    mask[180:360, 300:470] = 255
    edit.set_mask(Image.fromarray(mask))
    panel.try_generate()
    pause(0.5)
    shoot(out, f"31-window-inpaint-queued-{suffix}.png")
    window.queue.pause_button.click()
    wait_for(lambda: desktop.library.records.count() >= 4 and desktop.worker.current_job is None)
    pause(1.0)
    made = window.gallery.current_record()
    assert made is not None and made.parent_id == original.id
    window.details.show_record(made)
    pause(1.0)
    shoot(out, f"31-details-lineage-{suffix}.png")

    window.gallery.show_family(original.id)
    pause(1.5)
    shoot(out, f"31-gallery-family-{suffix}.png")
    window.gallery.show_family(None)

    png = data / "fox.png"
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a red fox in snow\nSteps: 20, Seed: 5, Size: 512x512")
    Image.new("RGB", (512, 512), "orange").save(png, pnginfo=info)
    window.take_dropped(png)
    pause(0.5)
    shoot(out, f"31-drop-question-{suffix}.png")
    assert window.drop_question is not None
    window.drop_question.reject()
    window.close()
    desktop.shutdown()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    for language in ("en", "zh_CN"):
        data = Path(tempfile.mkdtemp(prefix="majicflux-edit-tour-"))
        setup_logging(data / "tour.log")
        tour(out, data, language)


if __name__ == "__main__":
    main()

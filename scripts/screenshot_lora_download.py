"""Photograph the LoRA picker's Download… dialog of the real app on an X display: a download by
ModelScope model id under way, and an SDXL LoRA refused, in English and in Chinese
(docs/screenshots/20-lora-download-*.png).

    xvfb-run -a -s "-screen 0 1600x1000x24" sh -c \
        "openbox & .venv/bin/python scripts/screenshot_lora_download.py docs/screenshots"

A window manager (openbox) draws the frames and titles: without them the dialog over the picker
cannot be told apart from it.

The hub is the tests' fake one on 127.0.0.1 (tests/fakehub.py), holding LoRA files in FLUX.1's
real sizes; the download is held part-way by the hub so that the picture shows it running.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication
from screenshot_loras import write_loras
from screenshot_tour import pause, place, shoot, wait_for

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fakehub import HEONGSAM, HEONGSAM_FILE, FakeHub, flux_lora_bytes, lora_repos, serve
from majicflux_desktop.app import DEMO_MODELS, DesktopApp, Options
from majicflux_desktop.core.logs import setup_logging
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.ui.window.main_window import MainWindow


def tour(out: Path, data: Path, hub: FakeHub) -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    (data / "settings.json").write_text(json.dumps({"schema_version": 1, "language": "en"}))
    write_loras(data / DEMO_MODELS / "loras")  # the picker behind the dialog, as a user has it
    desktop = DesktopApp(app, AppPaths.portable(data), Options(demo=True))
    window = desktop.start()
    place(window)
    wait_for(lambda: desktop.loras.listing.scanned)
    pause(1.0)
    shots(window, hub, out, "en")
    window.language_chosen.emit("zh_CN")
    chinese = desktop.window
    assert chinese is not None
    place(chinese)
    pause(1.0)
    shots(chinese, hub, out, "zh")
    chinese.close()
    desktop.shutdown()


def shots(window: MainWindow, hub: FakeHub, out: Path, language: str) -> None:
    picker = window.prompt_panel.lora_stack.open_picker()
    picker.move(300, 120)
    wait_for(lambda: not window.loras.scanning)
    pause(0.5)
    dialog = picker.open_download()
    dialog.move(picker.x() + 170, picker.y() + 150)
    # part-way: the hub sends 1.2 MB of the 3.1 MB file at a steady pace, then holds
    hub.release.clear()
    hub.stalled.clear()
    hub.faults[HEONGSAM_FILE] = [("stall", 1_250_000)]
    dialog.address.setText(HEONGSAM)
    dialog.start()
    wait_for(hub.stalled.is_set)
    pause(1.0)
    shoot(out, f"20-lora-download-{language}.png")
    dialog.service.cancel()
    wait_for(lambda: not dialog.service.busy)
    hub.release.set()
    # a LoRA for another family: downloaded, refused, deleted, and why
    dialog.address.setText("someone/sdxl-style")
    dialog.start()
    wait_for(lambda: not dialog.service.busy and bool(dialog.error_text))
    pause(0.5)
    shoot(out, f"20-lora-download-refused-{language}.png")
    dialog.reject()
    picker.reject()
    for leftover in (window.loras.listing.primary or Path()).glob(f"{HEONGSAM_FILE}.part*"):
        leftover.unlink()  # the Chinese run starts the same download afresh
    pause(0.3)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="majicflux-lora-download-"))
    setup_logging(data / "tour.log")
    repos = lora_repos()
    repos[HEONGSAM][HEONGSAM_FILE] = flux_lora_bytes(blocks=2, rank=64)
    with serve(FakeHub(repos=repos, throttle_s=0.012)) as hub:
        os.environ["MODELSCOPE_ENDPOINT"] = hub.url
        tour(out, data, hub)


if __name__ == "__main__":
    main()

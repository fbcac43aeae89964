"""Drive the real app on an X display and photograph it: the screenshots in docs/screenshots.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_tour.py docs/screenshots

Uses the demo (tiny random-weight) model on a fresh data folder; `import -window root`
(ImageMagick) takes each picture of the whole X screen, as a user would see it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QPoint, QTimer
from PySide6.QtWidgets import QApplication, QToolTip

from majicflux_desktop.app import DesktopApp, Options
from majicflux_desktop.core.logs import setup_logging
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.ui.window.main_window import MainWindow
from majicflux_desktop.ui.worker import EngineState

SIZE = (1600, 1000)


def pause(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_for(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        pause(0.1)


def shoot(folder: Path, name: str) -> None:
    pause(0.6)  # let the last repaint reach the X server
    # 256 colours without dithering: the text stays crisp and the files stay small
    target = f"PNG8:{folder / name}"
    subprocess.run(["import", "-window", "root", "+dither", "-colors", "256", target], check=True)
    print("saved", folder / name)


def place(window: MainWindow) -> None:
    window.move(0, 0)
    window.resize(*SIZE)


def tour(out: Path, data: Path) -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    (data / "settings.json").write_text(json.dumps({"schema_version": 1, "language": "en"}))
    desktop = DesktopApp(app, AppPaths.portable(data), Options(demo=True))
    window = desktop.start()
    place(window)
    wait_for(lambda: window.engine_state is EngineState.READY)
    shoot(out, "01-empty-start.png")

    panel = window.prompt_panel
    panel.prompt.setPlainText(
        "a ginger cat asleep on a sunny windowsill, soft morning light, film photo"
    )
    panel.size_picker.set_preset("1:1", 1024)
    panel.steps.setValue(40)
    panel.count.setValue(3)
    window.generate()
    window.enqueue(
        GenerationRequest(
            "ink-wash mountains in mist, 山水画", steps=8, width=512, height=768, count=3
        )
    )
    wait_for(lambda: window.queue.progress.value() >= 12, timeout=300)
    shoot(out, "02-generating.png")
    gauge = window.gauge
    QToolTip.showText(gauge.mapToGlobal(QPoint(0, gauge.height())), gauge.tooltip_html(), gauge)
    shoot(out, "07-vram-gauge-tooltip.png")
    QToolTip.hideText()

    window.enqueue(
        GenerationRequest(
            "a lighthouse at dusk, long exposure", steps=8, width=768, height=512, count=4
        )
    )
    wait_for(
        lambda: desktop.library.records.count() >= 10 and desktop.worker.current_job is None, 600
    )
    pause(1.5)  # thumbnails
    shoot(out, "03-gallery-with-seeds.png")

    record = window.gallery.current_record()
    assert record is not None
    window.open_viewer(record)
    assert window.viewer is not None
    window.viewer.setGeometry(0, 0, *SIZE)  # Xvfb has no window manager to make it full screen
    pause(1.5)
    shoot(out, "04-viewer.png")
    assert window.viewer is not None
    window.viewer.close()

    window.language_chosen.emit("zh_CN")
    chinese = desktop.window
    assert chinese is not None
    place(chinese)
    chinese.prompt_panel.prompt.setPlainText(
        "一只在窗台上睡觉的橘猫, a ginger cat asleep on a windowsill"
    )
    chinese.prompt_panel.show_checks()
    pause(1.5)
    shoot(out, "05-chinese-ui.png")
    chinese.close()
    desktop.shutdown()

    # 06 and 08–12 (Model setup) come from scripts/screenshot_setup.py


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="majicflux-tour-"))
    setup_logging(data / "tour.log")
    tour(out, data)


if __name__ == "__main__":
    main()

"""Photograph the edit widgets on an X display: the panel in each mode, the mask painter.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_edit.py \
        docs/screenshots [en|zh_CN ...]

The picture is drawn here (a lake under mountains), so nothing is downloaded and the shots are
the same on every machine; `import -window root` (ImageMagick) takes the whole X screen.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter
from PySide6.QtCore import QEventLoop, QPointF, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QVBoxLayout, QWidget

from majicflux_desktop.core.edit import EditMode, Resize
from majicflux_desktop.ui.common import theme
from majicflux_desktop.ui.common.translations import Translations
from majicflux_desktop.ui.edit.edit_options import EditOptions
from majicflux_desktop.ui.edit.edit_panel import EditPanel
from majicflux_desktop.ui.edit.mask_dialog import MaskDialog
from majicflux_desktop.ui.edit.mask_document import Tool

SCREEN = (1600, 1000)


def pause(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the widgets did not get there in time")
        pause(0.05)


def shoot(folder: Path, name: str) -> None:
    pause(0.6)  # let the last repaint reach the X server
    target = f"PNG8:{folder / name}"
    subprocess.run(["import", "-window", "root", "+dither", "-colors", "256", target], check=True)
    print("saved", folder / name)


def scene(width: int = 1536, height: int = 1024) -> Image.Image:
    """A lake at dusk under mountains, with a cabin: shapes a mask can follow."""
    picture = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(picture)
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)], fill=(int(40 + 200 * t), int(60 + 90 * t), int(140 - 40 * t))
        )
    draw.ellipse((1000, 220, 1160, 380), fill=(255, 214, 140))
    far = [(0, 560), (260, 330), (470, 480), (700, 280), (980, 500), (1260, 350), (1536, 520)]
    draw.polygon([*far, (width, height), (0, height)], fill=(70, 72, 110))
    near = [(0, 650), (320, 470), (560, 620), (860, 500), (1180, 640), (1536, 560)]
    draw.polygon([*near, (width, height), (0, height)], fill=(38, 58, 62))
    draw.rectangle((0, 700, width, height), fill=(52, 86, 120))
    for x in range(0, width, 24):
        draw.line([(x, 720 + (x % 5) * 40), (x + 60, 720 + (x % 5) * 40)], fill=(120, 150, 190))
    draw.rectangle((300, 600, 420, 690), fill=(120, 70, 40))
    draw.polygon([(290, 605), (360, 550), (430, 605)], fill=(80, 40, 30))
    draw.rectangle((345, 640, 375, 690), fill=(250, 200, 110))
    return picture.filter(ImageFilter.GaussianBlur(1.2))


def setup(app: QApplication, language: str, cache: Path, default_font: QFont) -> Translations:
    translations = Translations(cache)
    translations.install(language)
    theme.apply_theme(app, "dark")
    theme.apply_font(app, language, default_font)
    return translations


def columns(count: int, width: int = 330) -> tuple[QWidget, list[EditPanel]]:
    """A window of `count` edit panels side by side, each as wide as the prompt panel's column."""
    window = QWidget()
    row = QHBoxLayout(window)
    row.setSpacing(16)
    panels = []
    for _ in range(count):
        column = QFrame()
        column.setFixedWidth(width)
        column.setFrameShape(QFrame.Shape.StyledPanel)
        inside = QVBoxLayout(column)
        panel = EditPanel()
        inside.addWidget(panel)
        inside.addStretch(1)
        row.addWidget(column, 0, Qt.AlignmentFlag.AlignTop)
        panels.append(panel)
    row.addStretch(1)
    window.setGeometry(0, 0, *SCREEN)
    return window, panels


def load(panel: EditPanel, path: Path) -> None:
    done: list[bool] = []
    panel.source_changed.connect(lambda _info: done.append(True))
    panel.set_source(path, parent_image=12)
    wait_for(lambda: bool(done))
    panel.source_changed.disconnect()


def paint_stroke(dialog: MaskDialog, points: list[tuple[int, int]], size: int) -> None:
    painter = dialog.painter
    painter.set_brush_size(size)
    document = painter.document
    document.begin_stroke(Tool.BRUSH, size, QPointF(*points[0]))
    for point in points[1:]:
        document.stroke_to(QPointF(*point))
    document.end_stroke()


def shots(out: Path, language: str, picture: Path, app: QApplication) -> None:
    suffix = "en" if language == "en" else "zh"
    window, panels = columns(4)
    for panel, mode in zip(panels, EditMode, strict=True):
        load(panel, picture)
        panel.form.set_mode(mode)  # the strength follows the mode
    panels[2].form.grow_every_side()
    panels[3].set_options(EditOptions(mode=EditMode.UPSCALE, upscale=1.5))
    window.show()

    # the mask painter: a mask over the sun, the brush circle over the water
    inpaint = panels[1]
    dialog = inpaint.paint_mask()
    assert dialog is not None
    dialog.setGeometry(0, 0, *SCREEN)
    pause(0.3)
    paint_stroke(dialog, [(980, 300), (1080, 260), (1180, 300), (1120, 380), (1000, 380)], 120)
    paint_stroke(dialog, [(1040, 300), (1100, 320)], 160)
    dialog.painter.set_brush_size(90)
    QTest.mouseMove(dialog.painter, dialog.painter.widget_point(QPointF(700, 820)).toPoint())
    shoot(out, f"30-mask-painter-{suffix}.png")
    dialog.painter.set_zoom(2.5, dialog.painter.widget_point(QPointF(1080, 330)))
    dialog.eraser_action.trigger()
    QTest.mouseMove(dialog.painter, dialog.painter.widget_point(QPointF(1180, 420)).toPoint())
    shoot(out, f"30-mask-painter-zoomed-{suffix}.png")
    dialog.painter.clear()
    dialog.accept()  # refused: the mask is empty
    shoot(out, f"30-mask-dialog-empty-{suffix}.png")
    dialog.painter.undo()
    dialog.accept()
    wait_for(lambda: inpaint.mask_image() is not None)
    shoot(out, f"30-edit-panel-modes-{suffix}.png")
    window.close()

    # what the panel says: no source yet, no mask yet, a size Keep cannot work at, a bad file
    window, (_empty, no_mask, keep, bad) = columns(4)
    load(no_mask, picture)
    no_mask.form.set_mode(EditMode.INPAINT)
    big = picture.with_name("scan.png")
    Image.new("RGB", (3000, 2000), (90, 120, 160)).save(big)
    load(keep, big)
    keep.set_options(EditOptions(resize=Resize.KEEP))
    not_a_picture = picture.with_name("notes.png")
    not_a_picture.write_text("not a picture")
    failed: list[str] = []
    bad.load_failed.connect(failed.append)
    bad.set_source(not_a_picture)
    wait_for(lambda: bool(failed))
    window.show()
    shoot(out, f"30-edit-panel-states-{suffix}.png")
    window.close()
    app.processEvents()


def main() -> None:
    out = Path(sys.argv[1])
    languages = sys.argv[2:] or ["en", "zh_CN"]
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    default_font = QFont(app.font())
    with tempfile.TemporaryDirectory() as temp:
        picture_path = Path(temp) / "lake.png"
        scene().save(picture_path)
        for language in languages:
            translations = setup(app, language, Path(temp) / "i18n", default_font)
            shots(out, language, picture_path, app)
            translations.uninstall()


if __name__ == "__main__":
    main()

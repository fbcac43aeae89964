"""The mask painter and its dialog, driven with real mouse and key events, checked pixel by pixel.

The painter shows a 400×300 picture in an 800×600 widget: fitted, one picture pixel is two widget
pixels, and widget point (x, y) is picture point (x / 2, y / 2).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QWheelEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from majicflux_desktop.engine import masks
from majicflux_desktop.ui.edit.mask_dialog import MaskDialog, slider_diameter, slider_position
from majicflux_desktop.ui.edit.mask_document import Tool
from majicflux_desktop.ui.edit.mask_image import feather_weights, mask_array, mask_to_pil
from majicflux_desktop.ui.edit.mask_painter import MaskPainter

WIDTH, HEIGHT = 400, 300


def picture(width: int = WIDTH, height: int = HEIGHT) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(40, 120, 200))
    return image


@pytest.fixture
def painter(qtbot: QtBot) -> MaskPainter:
    widget = MaskPainter(picture())
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.zoom() == 2.0
    widget.set_brush_size(20)
    return widget


def at(x: float, y: float) -> QPoint:
    """The widget point over picture point (x, y) at the fitted zoom of 2."""
    return QPoint(round(x * 2), round(y * 2))


def stroke(
    qtbot: QtBot, widget: MaskPainter, points: list[QPoint], button=Qt.MouseButton.LeftButton
) -> None:
    qtbot.mousePress(widget, button, pos=points[0])
    for point in points[1:]:
        qtbot.mouseMove(widget, point)
    qtbot.mouseRelease(widget, button, pos=points[-1])


def values(widget: MaskPainter) -> np.ndarray:
    return mask_array(widget.mask_image())


def test_a_stroke_repaints_where_the_mouse_went_at_the_pictures_resolution(
    qtbot: QtBot, painter: MaskPainter
) -> None:
    stroke(qtbot, painter, [at(100, 150), at(200, 150), at(300, 150)])
    mask = values(painter)
    assert mask.shape == (HEIGHT, WIDTH)  # the picture's pixels, not the widget's
    assert (mask[150, 100:301] == 255).all()  # along the stroke
    assert (mask[141:160, 200] == 255).all()  # across it: 20 pixels wide
    assert mask[150, 85] == 0 and mask[150, 315] == 0  # past its round ends
    assert mask[128, 200] == 0 and mask[172, 200] == 0  # beside it
    assert painter.document.undo_stack.count() == 1  # one stroke, one step


def test_the_eraser_and_the_right_button_take_paint_away(
    qtbot: QtBot, painter: MaskPainter
) -> None:
    painter.set_brush_size(60)
    stroke(qtbot, painter, [at(100, 150), at(300, 150)])
    painter.set_brush_size(10)
    painter.set_tool(Tool.ERASER)
    stroke(qtbot, painter, [at(150, 100), at(150, 200)])
    mask = values(painter)
    assert (mask[130:171, 150] == 0).all() and mask[150, 140] == 255
    painter.set_tool(Tool.BRUSH)  # the right button uses the other tool: the eraser
    stroke(qtbot, painter, [at(250, 100), at(250, 200)], Qt.MouseButton.RightButton)
    mask = values(painter)
    assert (mask[130:171, 250] == 0).all() and mask[150, 240] == 255 and mask[150, 200] == 255


def test_square_brackets_size_the_brush_and_the_circle_follows(
    qtbot: QtBot, painter: MaskPainter
) -> None:
    with qtbot.waitSignal(painter.brush_size_changed) as grown:
        qtbot.keyClick(painter, Qt.Key.Key_BracketRight)
    assert grown.args == [24]
    qtbot.keyClick(painter, Qt.Key.Key_BracketLeft)
    qtbot.keyClick(painter, Qt.Key.Key_BracketLeft)
    assert painter.brush_size() == 17
    assert painter.brush_radius_on_screen() == 17  # diameter 17 picture pixels at zoom 2
    painter.set_brush_size(1)
    qtbot.keyClick(painter, Qt.Key.Key_BracketLeft)
    assert painter.brush_size() == 1  # never below one pixel
    qtbot.keyClick(painter, Qt.Key.Key_BracketRight)
    assert painter.brush_size() == 2  # small brushes still grow


def test_undo_and_redo_give_back_exactly_the_masks_that_were_there(
    qtbot: QtBot, painter: MaskPainter
) -> None:
    empty = values(painter)
    stroke(qtbot, painter, [at(50, 50), at(120, 80), at(200, 60)])
    first = values(painter)
    painter.set_brush_size(35)
    stroke(qtbot, painter, [at(100, 200), at(300, 250)])
    second = values(painter)
    assert painter.document.undo_stack.count() == 2
    qtbot.keyClick(painter, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert np.array_equal(values(painter), first)
    qtbot.keyClick(painter, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert np.array_equal(values(painter), empty)
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(painter, Qt.Key.Key_Z, shift_ctrl)
    assert np.array_equal(values(painter), first)
    qtbot.keyClick(painter, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert np.array_equal(values(painter), second)


def test_invert_and_clear_are_steps_that_undo_exactly(qtbot: QtBot, painter: MaskPainter) -> None:
    stroke(qtbot, painter, [at(100, 100), at(200, 200)])
    painted = values(painter)
    painter.invert()
    assert np.array_equal(values(painter), 255 - painted)
    painter.clear()
    assert not values(painter).any()
    painter.undo()
    assert np.array_equal(values(painter), 255 - painted)
    painter.undo()
    assert np.array_equal(values(painter), painted)
    painter.clear()
    painter.clear()  # nothing left to clear: no empty step
    assert painter.document.undo_stack.count() == 2


def test_the_overlay_shows_the_engines_feather_around_the_mask(
    qtbot: QtBot, painter: MaskPainter
) -> None:
    painter.set_brush_size(40)
    stroke(qtbot, painter, [at(200, 150)])  # a dot of radius 20 around (200, 150)
    assert painter.feather_preview() is None  # feather 0: the mask alone
    with qtbot.waitSignal(painter.mask_edited):
        painter.set_feather(8)
    weights = mask_array(painter.feather_preview())
    assert weights.shape == (HEIGHT, WIDTH)
    assert weights[150, 200] == 255 and weights[150, 219] == 255  # on the mask: all new
    assert 0 < weights[150, 224] < 255  # four pixels out: blended
    assert 0 < weights[150, 176] < 255 and weights[126, 200] > 0  # on every side
    assert weights[150, 230] == 0 and weights[150, 170] == 0  # ten out: the original's
    binary = values(painter) > 127
    expected, box = masks.feathered(binary, 8)  # what engine.edit.finish will lay over
    assert np.array_equal(weights[box.slices()], np.rint(expected * 255).astype(np.uint8))


def test_a_large_masks_feather_preview_is_worked_out_on_a_reduced_copy() -> None:
    big = np.zeros((2000, 3000), bool)
    big[900:1100, 1400:1600] = True
    weights = feather_weights(big, 32)
    assert weights is not None and (weights.width(), weights.height()) == (1500, 1000)  # 1/2
    shown = mask_array(weights)  # picture point (x, y) is (x / 2, y / 2) here
    assert shown[500, 750] == 255 and 0 < shown[500, 808] < 255 and shown[500, 850] == 0


def test_the_wheel_zooms_around_the_pointer_and_strokes_still_land_under_the_circle(
    qtbot: QtBot, painter: MaskPainter
) -> None:
    anchor = QPointF(300, 200)
    before = painter.image_point(anchor)
    event = QWheelEvent(
        anchor,
        painter.mapToGlobal(anchor),
        QPoint(0, 0),
        QPoint(0, 240),  # two notches towards the user: zoom in
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(painter, event)
    assert painter.zoom() == pytest.approx(2 * 1.25**2)
    after = painter.image_point(anchor)
    assert (after.x(), after.y()) == pytest.approx((before.x(), before.y()))
    target = painter.widget_point(QPointF(120, 90)).toPoint()
    stroke(qtbot, painter, [target])
    mask = values(painter)
    assert mask[90, 120] == 255 and mask[90, 140] == 0
    painter.fit()
    assert painter.zoom() == 2.0


def test_the_middle_button_pans_without_painting(qtbot: QtBot, painter: MaskPainter) -> None:
    painter.set_zoom(8.0)
    centre = painter.image_point(QPointF(400, 300))
    stroke(qtbot, painter, [QPoint(400, 300), QPoint(480, 300)], Qt.MouseButton.MiddleButton)
    moved = painter.image_point(QPointF(400, 300))
    assert moved.x() == pytest.approx(centre.x() - 10) and moved.y() == pytest.approx(centre.y())
    assert not values(painter).any()


def test_the_mask_comes_out_as_an_image_at_the_sources_size_white_repainting(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = MaskDialog(picture(640, 480))
    qtbot.addWidget(dialog)
    dialog.painter.document.begin_stroke(Tool.BRUSH, 50, QPointF(320, 240))
    dialog.painter.document.end_stroke()
    exported = mask_to_pil(dialog.mask_image())
    assert exported.mode == "L" and exported.size == (640, 480)
    assert exported.getpixel((320, 240)) == 255 and exported.getpixel((10, 10)) == 0
    assert dialog.save_mask_file(tmp_path / "mask")  # the suffix is added
    with Image.open(tmp_path / "mask.png") as saved:
        assert np.array_equal(np.asarray(saved.convert("L")), np.asarray(exported))


def test_a_mask_made_elsewhere_is_read_as_the_engine_reads_it_and_scaled(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = MaskDialog(picture())
    qtbot.addWidget(dialog)
    transparent = Image.new("RGBA", (200, 150), (255, 255, 255, 0))  # white but transparent
    transparent.paste((255, 255, 255, 255), (50, 50, 100, 100))  # the opaque part repaints
    transparent.save(tmp_path / "painted.png")
    with qtbot.waitSignal(dialog.painter.mask_edited):
        dialog.open_mask_file(tmp_path / "painted.png")
    mask = mask_array(dialog.mask_image())
    assert mask.shape == (HEIGHT, WIDTH)
    assert mask[150, 150] == 255 and mask[20, 20] == 0 and mask[250, 350] == 0
    assert "scaled to the picture" in dialog.message.text()
    dialog.painter.undo()  # opening a mask is one step
    assert not mask_array(dialog.mask_image()).any()
    (tmp_path / "notes.png").write_text("not a picture")
    dialog.open_mask_file(tmp_path / "notes.png")
    qtbot.waitUntil(lambda: "not a picture MajicFlux can read" in dialog.message.text())


def test_ok_with_an_empty_mask_says_why_and_stays_open(qtbot: QtBot) -> None:
    dialog = MaskDialog(picture())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    assert dialog.isVisible() and dialog.result() != MaskDialog.DialogCode.Accepted
    assert "The mask is empty" in dialog.message.text()
    centre = dialog.painter.widget_point(QPointF(200, 150)).toPoint()
    stroke(qtbot, dialog.painter, [centre])
    assert dialog.message.text() == ""  # painting answers the message
    assert "%" in dialog.status.text() and "0 %" not in dialog.status.text()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(
            dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
    assert mask_array(dialog.mask_image())[150, 200] == 255


def test_the_dialogs_controls_drive_the_painter(qtbot: QtBot, monkeypatch) -> None:
    dialog = MaskDialog(picture(), feather=12)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.painter.feather() == 12 and dialog.feather() == 12
    dialog.size_spin.setValue(80)
    assert dialog.painter.brush_size() == 80
    assert dialog.size_slider.value() == slider_position(80)
    dialog.size_slider.setValue(slider_position(5))
    assert dialog.painter.brush_size() == slider_diameter(slider_position(5)) == 5
    qtbot.keyClick(dialog.painter, Qt.Key.Key_BracketRight)
    assert dialog.size_spin.value() == 6
    dialog.eraser_action.trigger()
    assert dialog.painter.tool() is Tool.ERASER
    dialog.overlay_action.trigger()
    assert not dialog.painter.overlay_visible()
    dialog.painter.document.begin_stroke(Tool.BRUSH, 30, QPointF(100, 100))
    dialog.painter.document.end_stroke()
    dialog.painter.document.begin_stroke(Tool.BRUSH, 30, QPointF(300, 200))
    dialog.painter.document.end_stroke()
    assert dialog.undo_action.isEnabled() and not dialog.redo_action.isEnabled()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClick(dialog.painter, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dialog.painter.document.undo_stack.index() == 1  # one step back, not two
    assert dialog.redo_action.isEnabled()
    asked: list[str] = []

    def keep_painting(*args: object) -> QMessageBox.StandardButton:
        asked.append(str(args[1]))
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", keep_painting)
    dialog.reject()  # strokes would be lost: asked first
    assert asked and dialog.isVisible()
    dialog.painter.undo()  # back where it started: nothing to lose
    dialog.reject()
    assert len(asked) == 1 and not dialog.isVisible()

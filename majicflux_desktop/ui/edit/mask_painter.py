"""The mask painter: a picture with its mask as a translucent overlay, painted with a brush.

Left button paints with the chosen tool, right button with the other one; the wheel zooms around
the pointer, the middle button (or Space with the left button) pans. `[` and `]` change the brush,
shown as a circle of its real size. After each step the overlay also shows the feather: how the
engine will blend the repainted area into the picture; with the masked-area option, a dashed
frame shows the crop that will be generated at full resolution.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from majicflux_desktop.engine.edit import masked_area
from majicflux_desktop.ui.edit.mask_document import MAX_BRUSH, MIN_BRUSH, MaskDocument, Tool
from majicflux_desktop.ui.edit.mask_image import feather_weights, repainted
from majicflux_desktop.ui.edit.view_transform import ViewTransform

OVERLAY_COLOUR = QColor(255, 64, 96)  # a red that reads on skin, sky and foliage alike
OVERLAY_OPACITY = 0.5
BRUSH_STEP = 1.2  # `[` and `]`: about six presses double or halve the brush
WHEEL_STEP = 1.25
BACKGROUND = QColor(30, 31, 34)


class MaskPainter(QWidget):
    brush_size_changed = Signal(int)
    tool_changed = Signal(Tool)
    zoom_changed = Signal(float)
    # after each step (and a new feather or crop): the share of the picture repainted, 0–1
    mask_edited = Signal(float)

    def __init__(self, picture: QImage, mask: QImage | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.picture = picture.convertToFormat(QImage.Format.Format_RGB32)
        self.document = MaskDocument(picture.width(), picture.height(), self)
        self.view = ViewTransform(picture.width(), picture.height())
        self._tool = Tool.BRUSH
        self._stroke_tool = Tool.BRUSH
        self._brush = _default_brush(picture.width(), picture.height())
        self._feather = 0
        self._padding: int | None = None  # None: the whole picture is generated, no crop frame
        self._overlay_visible = True
        self._weights: QImage | None = None  # the feathered mask, refreshed after each step
        self._crop: QRect | None = None
        self._pointer: QPointF | None = None
        self._pan_from: QPointF | None = None
        self._space_down = False
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 200)
        self.document.region_changed.connect(self._mask_region_changed)
        self.document.edited.connect(self._refresh_after_step)
        if mask is not None:
            self.document.reset(mask)

    # -- tools ----------------------------------------------------------------------------------

    def tool(self) -> Tool:
        return self._tool

    def set_tool(self, tool: Tool) -> None:
        if tool is not self._tool:
            self._tool = tool
            self.tool_changed.emit(tool)

    def brush_size(self) -> int:
        return self._brush

    def set_brush_size(self, diameter: int) -> None:
        diameter = max(MIN_BRUSH, min(MAX_BRUSH, int(diameter)))
        if diameter != self._brush:
            self._brush = diameter
            self.update()
            self.brush_size_changed.emit(diameter)

    def grow_brush(self) -> None:
        self.set_brush_size(max(self._brush + 1, round(self._brush * BRUSH_STEP)))

    def shrink_brush(self) -> None:
        self.set_brush_size(min(self._brush - 1, round(self._brush / BRUSH_STEP)))

    def feather(self) -> int:
        return self._feather

    def set_feather(self, pixels: int) -> None:
        self._feather = max(0, int(pixels))
        self._refresh_after_step()

    def set_crop_padding(self, padding: int | None) -> None:
        """Show the masked-area crop for this padding (None: no crop, the whole picture)."""
        self._padding = padding
        self._refresh_after_step()

    def overlay_visible(self) -> bool:
        return self._overlay_visible

    def set_overlay_visible(self, visible: bool) -> None:
        self._overlay_visible = visible
        self.update()

    def feather_preview(self) -> QImage | None:
        """What the overlay shows once a step is done: the engine's blend weights (Alpha8, at
        the picture's size or, for a large picture, a whole fraction of it)."""
        return self._weights

    def crop_preview(self) -> QRect | None:
        return self._crop

    # -- the mask -------------------------------------------------------------------------------

    def mask_image(self) -> QImage:
        return self.document.image()

    def set_mask(self, mask: QImage | None) -> None:
        """Start from this mask (at the picture's size), with no history."""
        self.document.reset(mask)

    def undo(self) -> None:
        self._finish_stroke()
        self.document.undo_stack.undo()

    def redo(self) -> None:
        self._finish_stroke()
        self.document.undo_stack.redo()

    def invert(self) -> None:
        self._finish_stroke()
        self.document.invert()

    def clear(self) -> None:
        self._finish_stroke()
        self.document.clear()

    # -- view -----------------------------------------------------------------------------------

    def zoom(self) -> float:
        return self.view.zoom

    def fit(self) -> None:
        self.view.fit(self.width(), self.height())
        self.update()
        self.zoom_changed.emit(self.view.zoom)

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        anchor = anchor if anchor is not None else QPointF(self.width() / 2, self.height() / 2)
        self.view.zoom_at(zoom, anchor, self.width(), self.height())
        self.update()
        self.zoom_changed.emit(self.view.zoom)

    def image_point(self, widget_point: QPointF) -> QPointF:
        return self.view.to_image(widget_point)

    def widget_point(self, image_point: QPointF) -> QPointF:
        return self.view.to_widget(image_point)

    # -- events ---------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.view.fitting:
            self.fit()
        else:
            self.view.clamp(self.width(), self.height())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (
            button == Qt.MouseButton.LeftButton and self._space_down
        ):
            self._pan_from = event.position()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        elif button in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            self._finish_stroke()
            tool = self._tool
            if button == Qt.MouseButton.RightButton:
                tool = Tool.ERASER if tool is Tool.BRUSH else Tool.BRUSH
            self._stroke_tool = tool
            self.document.begin_stroke(tool, self._brush, self.image_point(event.position()))
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        old_pointer, self._pointer = self._pointer, event.position()
        if self._pan_from is not None:
            self.view.pan(event.position() - self._pan_from, self.width(), self.height())
            self._pan_from = event.position()
            self.update()
        elif self.document.stroking():
            self.document.stroke_to(self.image_point(event.position()))
        self._update_cursor(old_pointer)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None and event.button() in (
            Qt.MouseButton.MiddleButton,
            Qt.MouseButton.LeftButton,
        ):
            self._pan_from = None
            self.setCursor(Qt.CursorShape.CrossCursor)
        else:
            self._finish_stroke()
        event.accept()

    def leaveEvent(self, event: QEvent) -> None:
        old, self._pointer = self._pointer, None
        self._update_cursor(old)

    def wheelEvent(self, event: QWheelEvent) -> None:
        notches = event.angleDelta().y() / 120
        if notches:
            self.set_zoom(self.view.zoom * WHEEL_STEP**notches, event.position())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_BracketRight:
            self.grow_brush()
        elif key == Qt.Key.Key_BracketLeft:
            self.shrink_brush()
        elif key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = True
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        elif event.matches(QKeySequence.StandardKey.Undo):
            self.undo()
        elif event.matches(QKeySequence.StandardKey.Redo) or (
            key in (Qt.Key.Key_Z, Qt.Key.Key_Y)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
            and (key == Qt.Key.Key_Y or event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        ):
            self.redo()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = False
            self.setCursor(Qt.CursorShape.CrossCursor)
        super().keyReleaseEvent(event)

    # -- drawing --------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), BACKGROUND)
        visible = self.view.image_rect().toAlignedRect().intersected(event.rect())
        if not visible.isEmpty():
            source = self.view.source_rect(QRectF(visible))
            sharp = self.view.zoom >= 2.0  # people zoom in to see the pixels they paint
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, not sharp)
            painter.drawImage(QRectF(visible), self.picture, source)
            if self._overlay_visible:
                self._paint_overlay(painter, visible, source, sharp)
        if self._overlay_visible and self._crop is not None and not self.document.stroking():
            self._paint_crop(painter)
        self._paint_brush(painter)
        painter.end()

    def _paint_overlay(
        self, painter: QPainter, visible: QRect, source: QRectF, sharp: bool
    ) -> None:
        # The mask's alpha, scaled to the screen, tints a layer of the overlay colour. While a
        # stroke is under way the feather is stale (it is worked out once the step is done).
        ratio = self.devicePixelRatioF()
        layer = QImage(
            round(visible.width() * ratio),
            round(visible.height() * ratio),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        layer.setDevicePixelRatio(ratio)
        layer.fill(Qt.GlobalColor.transparent)
        into = QRectF(0, 0, visible.width(), visible.height())
        layer_painter = QPainter(layer)
        layer_painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, not sharp)
        weights = self._weights
        if weights is not None and not self.document.stroking():
            scale = weights.width() / self.document.mask.width()  # a large mask's is reduced
            reduced = QRectF(source.topLeft() * scale, source.size() * scale)
            layer_painter.drawImage(into, weights, reduced)
        layer_painter.drawImage(into, self.document.mask, source)
        layer_painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        layer_painter.fillRect(into, OVERLAY_COLOUR)
        layer_painter.end()
        painter.setOpacity(OVERLAY_OPACITY)
        painter.drawImage(visible.topLeft(), layer)
        painter.setOpacity(1.0)

    def _paint_crop(self, painter: QPainter) -> None:
        assert self._crop is not None
        frame = self.view.to_widget_rect(QRectF(self._crop))
        for colour, dashes in ((QColor(0, 0, 0, 200), False), (QColor(255, 255, 255), True)):
            pen = QPen(colour, 1.5, Qt.PenStyle.DashLine if dashes else Qt.PenStyle.SolidLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(frame)

    def _paint_brush(self, painter: QPainter) -> None:
        if self._pointer is None or self._pan_from is not None:
            return
        radius = self.brush_radius_on_screen()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        # dark and light rings: the circle shows on any picture
        painter.setPen(QPen(QColor(0, 0, 0, 180), 3))
        painter.drawEllipse(self._pointer, radius, radius)
        colour = QColor(255, 255, 255) if self._tool is Tool.BRUSH else QColor(120, 200, 255)
        painter.setPen(QPen(colour, 1.2))
        painter.drawEllipse(self._pointer, radius, radius)

    def brush_radius_on_screen(self) -> float:
        return max(2.0, self._brush * self.view.zoom / 2)

    def _update_cursor(self, old: QPointF | None) -> None:
        margin = self.brush_radius_on_screen() + 4
        for point in (old, self._pointer):
            if point is not None:
                self.update(
                    QRectF(
                        point.x() - margin, point.y() - margin, 2 * margin, 2 * margin
                    ).toAlignedRect()
                )

    # -- after a step ---------------------------------------------------------------------------

    def _finish_stroke(self) -> None:
        if self.document.stroking():
            self.document.end_stroke()
            self.update()  # the feather comes back even when the stroke changed nothing

    def _mask_region_changed(self, rect: QRect) -> None:
        on_screen = self.view.to_widget_rect(QRectF(rect)).adjusted(-2, -2, 2, 2)
        self.update(on_screen.toAlignedRect())

    def _refresh_after_step(self) -> None:
        binary = repainted(self.document.mask)
        self._weights = feather_weights(binary, self._feather) if self._feather else None
        self._crop = None
        if self._padding is not None and binary.any():
            box, _ = masked_area(binary, self._feather, self._padding)
            self._crop = QRect(box.left, box.top, box.width, box.height)
        self.update()
        self.mask_edited.emit(float(np.count_nonzero(binary)) / max(1, binary.size))


def _default_brush(width: int, height: int) -> int:
    """About a twentieth of the picture's long side: big enough to cover a face in a few strokes."""
    return max(8, min(400, round(max(width, height) / 20)))

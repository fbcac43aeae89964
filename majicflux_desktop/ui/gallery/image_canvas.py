"""One image on screen: fitted or zoomed, panned by dragging, read from disk off the UI thread."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, QPointF, QRectF, QSize, QSizeF, Qt, QThreadPool, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QImageReader,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

MIN_ZOOM = 0.05
MAX_ZOOM = 32.0
WHEEL_STEP = 1.25  # per notch: eight notches from 1:1 to about 6×
SHARP_FROM = 2.0  # at this zoom and above, pixels are drawn as squares: people zoom to inspect them


def read_image(path: Path) -> QImage | None:
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    image = reader.read()
    return None if image.isNull() else image


class ImageFileLoader(QObject):
    """Reads whole images on a worker thread; only the answer to the latest request is delivered."""

    loaded = Signal(int, object)  # request token, QImage or None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._lock = threading.Lock()
        self._latest = 0
        self._closed = False

    def load(self, path: Path) -> int:
        with self._lock:
            self._latest += 1
            token = self._latest
        self._pool.start(lambda: self._read(token, path))
        return token

    def wait_done(self) -> None:
        """Block until every read started so far has finished (and posted its answer, if any)."""
        self._pool.waitForDone()

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
        self.wait_done()

    def _read(self, token: int, path: Path) -> None:
        with self._lock:
            if self._closed or token != self._latest:
                return  # superseded while queued: the user has moved on
        image = read_image(path)
        with self._lock:
            if self._closed or token != self._latest:
                return
        self.loaded.emit(token, image)


class ImageCanvas(QWidget):
    """Draws an image fitted to the widget or at a chosen zoom; optional wheel zoom and drag pan."""

    zoom_changed = Signal(float)
    double_clicked = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        interactive: bool = False,
        background: QColor | None = None,
    ) -> None:
        super().__init__(parent)
        self.interactive = interactive
        self.background = background
        self.message = ""
        self.badge = ""
        self._image: QImage | None = None
        self._pixmap: QPixmap | None = None
        self._scaled: tuple[QSize, QPixmap] | None = None
        self._fitting = True
        self._zoom = 1.0
        self._centre = QPointF()  # the image point shown at the widget's centre
        self._drag_from: QPointF | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(120, 120)
        if interactive:
            self.setCursor(Qt.CursorShape.OpenHandCursor)

    # -- state ----------------------------------------------------------------------------------

    def image(self) -> QImage | None:
        return self._image

    def set_image(self, image: QImage | None, message: str = "") -> None:
        """Show `image` fitted to the widget (or `message` when there is none)."""
        self._image = image
        self._pixmap = QPixmap.fromImage(image) if image is not None else None
        self._scaled = None
        self.message = message
        self._fitting = True
        if image is not None:
            self._centre = QPointF(image.width() / 2, image.height() / 2)
        self.update()
        self.zoom_changed.emit(self.zoom())

    def set_message(self, message: str) -> None:
        self.message = message
        self.update()

    def set_badge(self, text: str) -> None:
        self.badge = text
        self.update()

    def fitting(self) -> bool:
        return self._fitting

    def zoom(self) -> float:
        return self._fit_zoom() if self._fitting else self._zoom

    def fit(self) -> None:
        self._fitting = True
        if self._image is not None:
            self._centre = QPointF(self._image.width() / 2, self._image.height() / 2)
        self.update()
        self.zoom_changed.emit(self.zoom())

    def actual_size(self) -> None:
        self.set_zoom(1.0)

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom so that the image point under `anchor` (default: the centre) stays where it is."""
        if self._image is None:
            return
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        old = self.zoom()
        anchor = anchor if anchor is not None else self._widget_centre()
        under = self._centre + (anchor - self._widget_centre()) / old
        self._fitting = False
        self._zoom = zoom
        self._centre = under - (anchor - self._widget_centre()) / zoom
        self._clamp_centre()
        self.update()
        self.zoom_changed.emit(zoom)

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        self.set_zoom(self.zoom() * factor, anchor)

    def image_rect(self) -> QRectF:
        """Where the whole image lies in widget coordinates at the current zoom and pan."""
        if self._image is None:
            return QRectF()
        zoom = self.zoom()
        top_left = self._widget_centre() - self._centre * zoom
        return QRectF(
            top_left.x(), top_left.y(), self._image.width() * zoom, self._image.height() * zoom
        )

    # -- events ---------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        background = self.background or self.palette().color(QPalette.ColorRole.Window)
        painter.fillRect(self.rect(), background)
        if self._pixmap is None:
            self._paint_text(painter, self.message)
        else:
            self._paint_image(painter)
        if self.badge:
            self._paint_badge(painter)
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._clamp_centre()
        super().resizeEvent(event)
        if self._fitting:
            self.zoom_changed.emit(self.zoom())

    def wheelEvent(self, event: QWheelEvent) -> None:
        if not self.interactive or self._image is None:
            super().wheelEvent(event)
            return
        notches = event.angleDelta().y() / 120
        if notches:
            self.zoom_by(WHEEL_STEP**notches, event.position())
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.interactive and event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.position()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None and self._image is not None:
            moved = event.position() - self._drag_from
            self._drag_from = event.position()
            self.pan_by(moved)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            self._drag_from = None
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.double_clicked.emit()
        super().mouseDoubleClickEvent(event)

    def pan_by(self, delta: QPointF) -> None:
        """Move the image by `delta` widget pixels (as a drag does)."""
        if self._image is None:
            return
        if self._fitting:
            self._zoom, self._fitting = self._fit_zoom(), False
        self._centre -= delta / self._zoom
        self._clamp_centre()
        self.update()

    # -- drawing --------------------------------------------------------------------------------

    def _paint_image(self, painter: QPainter) -> None:
        assert self._pixmap is not None
        target = self.image_rect()
        zoom = self.zoom()
        if zoom < 1.0:
            # Shrinking: a pre-scaled copy at device pixels is sharper than a per-paint filter.
            painter.drawPixmap(target.topLeft(), self._shrunk(target.size()))
            return
        # The image view enlarges small previews smoothly; the viewer shows pixels when zoomed in.
        smooth = zoom < SHARP_FROM or not self.interactive
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        visible = target.intersected(QRectF(self.rect()))
        if visible.isEmpty():
            return
        source = QRectF(
            (visible.left() - target.left()) / zoom,
            (visible.top() - target.top()) / zoom,
            visible.width() / zoom,
            visible.height() / zoom,
        )
        painter.drawPixmap(visible, self._pixmap, source)

    def _shrunk(self, logical: QSizeF) -> QPixmap:
        assert self._image is not None
        ratio = self.devicePixelRatioF()
        device = QSize(
            max(1, round(logical.width() * ratio)), max(1, round(logical.height() * ratio))
        )
        if self._scaled is None or self._scaled[0] != device:
            scaled = self._image.scaled(
                device,
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            pixmap = QPixmap.fromImage(scaled)
            pixmap.setDevicePixelRatio(ratio)
            self._scaled = (device, pixmap)
        return self._scaled[1]

    def _paint_text(self, painter: QPainter, text: str) -> None:
        if not text:
            return
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(
            QRectF(self.rect()).adjusted(24, 24, -24, -24),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            text,
        )

    def _paint_badge(self, painter: QPainter) -> None:
        metrics = painter.fontMetrics()
        width = metrics.horizontalAdvance(self.badge) + 24
        badge = QRectF(12, 12, width, metrics.height() + 12)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 170))
        painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, self.badge)

    # -- geometry -------------------------------------------------------------------------------

    def _widget_centre(self) -> QPointF:
        return QPointF(self.width() / 2, self.height() / 2)

    def _fit_zoom(self) -> float:
        if self._image is None or self._image.width() == 0 or self._image.height() == 0:
            return 1.0
        return min(self.width() / self._image.width(), self.height() / self._image.height())

    def _clamp_centre(self) -> None:
        # Along an axis where the image is smaller than the widget it stays centred; otherwise
        # it may not be dragged so far that empty space shows beside it.
        if self._image is None or self._fitting:
            return
        x = _clamp_axis(self._centre.x(), self._image.width(), self.width(), self._zoom)
        y = _clamp_axis(self._centre.y(), self._image.height(), self.height(), self._zoom)
        self._centre = QPointF(x, y)


def _clamp_axis(centre: float, image_side: float, widget_side: float, zoom: float) -> float:
    half_view = widget_side / (2 * zoom)
    if image_side <= 2 * half_view:
        return image_side / 2
    return max(half_view, min(image_side - half_view, centre))

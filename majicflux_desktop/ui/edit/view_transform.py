"""Where a picture lies on a widget: fitted, or zoomed around a point and panned.

The transform is the picture point shown at the widget's centre plus a zoom; the painter maps
mouse positions through it to picture pixels, so a stroke lands where the circle is at any zoom.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF

MIN_ZOOM = 0.02
MAX_ZOOM = 32.0


class ViewTransform:
    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.zoom = 1.0
        self.fitting = True
        self.centre = QPointF(width / 2, height / 2)  # the picture point at the widget's centre
        self._widget_centre = QPointF()

    def fit(self, widget_width: int, widget_height: int) -> None:
        self.fitting = True
        self._widget_centre = QPointF(widget_width / 2, widget_height / 2)
        self.centre = QPointF(self.width / 2, self.height / 2)
        fit = min(widget_width / max(1, self.width), widget_height / max(1, self.height))
        self.zoom = max(MIN_ZOOM, min(MAX_ZOOM, fit))

    def zoom_at(self, zoom: float, anchor: QPointF, widget_width: int, widget_height: int) -> None:
        """Zoom so that the picture point under `anchor` (widget coordinates) stays under it."""
        self._widget_centre = QPointF(widget_width / 2, widget_height / 2)
        under = self.to_image(anchor)
        self.zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        self.fitting = False
        self.centre = under - (anchor - self._widget_centre) / self.zoom
        self.clamp(widget_width, widget_height)

    def pan(self, delta: QPointF, widget_width: int, widget_height: int) -> None:
        self.fitting = False
        self.centre -= delta / self.zoom
        self.clamp(widget_width, widget_height)

    def clamp(self, widget_width: int, widget_height: int) -> None:
        # Along an axis where the picture is smaller than the widget it stays centred; otherwise
        # it may not be dragged so far that empty space shows beside it.
        self._widget_centre = QPointF(widget_width / 2, widget_height / 2)
        x = _clamp_axis(self.centre.x(), self.width, widget_width, self.zoom)
        y = _clamp_axis(self.centre.y(), self.height, widget_height, self.zoom)
        self.centre = QPointF(x, y)

    def to_image(self, point: QPointF) -> QPointF:
        return self.centre + (point - self._widget_centre) / self.zoom

    def to_widget(self, point: QPointF) -> QPointF:
        return self._widget_centre + (point - self.centre) * self.zoom

    def to_widget_rect(self, rect: QRectF) -> QRectF:
        top_left = self.to_widget(rect.topLeft())
        return QRectF(
            top_left.x(), top_left.y(), rect.width() * self.zoom, rect.height() * self.zoom
        )

    def image_rect(self) -> QRectF:
        """The whole picture in widget coordinates."""
        return self.to_widget_rect(QRectF(0, 0, self.width, self.height))

    def source_rect(self, widget_rect: QRectF) -> QRectF:
        """The picture pixels under a rectangle of the widget."""
        top_left = self.to_image(widget_rect.topLeft())
        return QRectF(
            top_left.x(),
            top_left.y(),
            widget_rect.width() / self.zoom,
            widget_rect.height() / self.zoom,
        )


def _clamp_axis(centre: float, picture_side: float, widget_side: float, zoom: float) -> float:
    half_view = widget_side / (2 * zoom)
    if picture_side <= 2 * half_view:
        return picture_side / 2
    return max(half_view, min(picture_side - half_view, centre))

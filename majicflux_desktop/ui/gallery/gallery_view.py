"""The gallery's grid: how a tile is painted (thumbnail or placeholder, favourite star, seed), and
the list view that opens on Enter and lets a tile be dragged out to other apps."""

from __future__ import annotations

import functools
import math

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDrag,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from majicflux_desktop.ui.gallery.gallery_model import RECORD_ROLE, THUMBNAIL_ROLE
from majicflux_desktop.ui.gallery.thumbnails import TileState

THUMB_SIDE = 148  # logical pixels
MARGIN = 4  # between tiles
PADDING = 6  # inside a tile
RADIUS = 6.0
RING = 2  # the selection ring's width
STAR_GOLD = QColor(255, 196, 0)
PLACEHOLDER_ALPHA = 70

# PySide's enum look-ups cost microseconds each; a screen of tiles repaints at every scroll step.
SELECTED = QStyle.StateFlag.State_Selected
HOVERED = QStyle.StateFlag.State_MouseOver
HIGHLIGHT = QPalette.ColorRole.Highlight
ALTERNATE_BASE = QPalette.ColorRole.AlternateBase
MID = QPalette.ColorRole.Mid
TEXT = QPalette.ColorRole.Text
CENTRED = Qt.AlignmentFlag.AlignCenter


@functools.lru_cache(maxsize=64)
def rounded_rect(width: int, height: int, rgba: int, ratio: float) -> QPixmap:
    """An antialiased rounded rectangle, drawn once: blitting it is far cheaper than filling a path."""
    pixmap = QPixmap(round(width * ratio), round(height * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor.fromRgba(rgba))
    painter.drawRoundedRect(QRectF(0, 0, width, height), RADIUS, RADIUS)
    painter.end()
    return pixmap


class ThumbnailDelegate(QStyledItemDelegate):
    def __init__(self, parent: QWidget | None = None, thumb_side: int = THUMB_SIDE) -> None:
        super().__init__(parent)
        self.thumb_side = thumb_side

    def tile_size(self, font: QFont) -> QSize:
        text_height = QFontMetrics(font).height()
        side = self.thumb_side + 2 * (PADDING + MARGIN)
        return QSize(side, side + text_height + PADDING)

    def device_side(self, device_pixel_ratio: float) -> int:
        return math.ceil(self.thumb_side * device_pixel_ratio)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return self.tile_size(option.font)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        record = index.data(RECORD_ROLE)
        if record is None:
            return
        rect: QRect = option.rect
        palette: QPalette = option.palette
        state: QStyle.StateFlag = option.state
        selected = bool(state & SELECTED)
        hovered = bool(state & HOVERED)
        ratio = painter.device().devicePixelRatioF()
        painter.save()
        cell = QRectF(rect.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN))
        self._paint_cell(painter, cell, palette, selected, hovered, ratio)
        box = QRectF(
            cell.center().x() - self.thumb_side / 2,
            cell.top() + PADDING,
            self.thumb_side,
            self.thumb_side,
        )
        thumbnail = index.data(THUMBNAIL_ROLE)
        if isinstance(thumbnail, QPixmap) and not thumbnail.isNull():
            _paint_pixmap(painter, box, thumbnail)
        elif thumbnail in (TileState.MISSING, TileState.UNREADABLE):
            self._paint_problem(painter, box, palette, thumbnail)
        else:
            _paint_placeholder(painter, box, palette, ratio)
        if record.favourite:
            _paint_star(painter, box)
        text_rect = QRectF(
            cell.left() + PADDING, box.bottom() + 2, cell.width() - 2 * PADDING, cell.bottom()
        )
        text_rect.setBottom(cell.bottom() - 2)
        painter.setPen(palette.color(HIGHLIGHT if selected else TEXT))
        text = str(index.data(Qt.ItemDataRole.DisplayRole))  # the seed, then the prompt's start
        elided = option.fontMetrics.elidedText(
            text, Qt.TextElideMode.ElideRight, int(text_rect.width())
        )
        painter.drawText(text_rect, CENTRED, elided)
        painter.restore()

    def _paint_cell(
        self,
        painter: QPainter,
        cell: QRectF,
        palette: QPalette,
        selected: bool,
        hovered: bool,
        ratio: float,
    ) -> None:
        fill = palette.color(ALTERNATE_BASE)
        if selected or hovered:
            fill = fill.lighter(135 if selected else 120)
        width, height = round(cell.width()), round(cell.height())
        if selected:
            # An accent ring, not an accent fill: the picture stays the thing you look at.
            ring = rounded_rect(width, height, palette.color(HIGHLIGHT).rgba(), ratio)
            painter.drawPixmap(cell.topLeft(), ring)
            cell = cell.adjusted(RING, RING, -RING, -RING)
            width, height = width - 2 * RING, height - 2 * RING
        painter.drawPixmap(cell.topLeft(), rounded_rect(width, height, fill.rgba(), ratio))

    def _paint_problem(
        self, painter: QPainter, box: QRectF, palette: QPalette, state: TileState
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_colour = palette.color(QPalette.ColorRole.PlaceholderText)
        pen = QPen(text_colour, 1.5, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(box.adjusted(4, 4, -4, -4), RADIUS, RADIUS)
        if state is TileState.MISSING:
            text = self.tr("File missing")
        else:
            text = self.tr("Cannot read this file")
        glyph_font = QFont(painter.font())
        glyph_font.setPointSizeF(glyph_font.pointSizeF() * 2.2)
        painter.save()
        painter.setFont(glyph_font)
        painter.setPen(text_colour)
        painter.drawText(
            box.adjusted(8, 8, -8, -box.height() / 2),
            Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter,
            "⚠",
        )
        painter.restore()
        painter.setPen(text_colour)
        painter.drawText(
            box.adjusted(10, box.height() / 2 + 4, -10, -8),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
            text,
        )


def _paint_pixmap(painter: QPainter, box: QRectF, pixmap: QPixmap) -> None:
    # The cache made the pixmap at the tile's device size: centred, it is drawn 1:1, no filtering.
    size = QSize(pixmap.width(), pixmap.height()).scaled(
        box.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio
    )
    target = QRectF(0, 0, size.width(), size.height())
    target.moveCenter(box.center())
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    painter.drawPixmap(target, pixmap, QRectF(pixmap.rect()))


def _paint_placeholder(painter: QPainter, box: QRectF, palette: QPalette, ratio: float) -> None:
    colour = palette.color(MID)
    colour.setAlpha(PLACEHOLDER_ALPHA)
    inner = box.adjusted(4, 4, -4, -4)
    shape = rounded_rect(round(inner.width()), round(inner.height()), colour.rgba(), ratio)
    painter.drawPixmap(inner.topLeft(), shape)


def _paint_star(painter: QPainter, box: QRectF) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    badge = QRectF(box.right() - 26, box.top() + 4, 22, 22)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 150))
    painter.drawEllipse(badge)
    painter.setPen(STAR_GOLD)
    painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "★")


class ThumbnailView(QListView):
    """The grid: Enter opens the current image; dragging a tile gives other apps its file."""

    open_requested = Signal(QModelIndex)

    def __init__(self, delegate: ThumbnailDelegate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setWrapping(True)
        self.setUniformItemSizes(True)
        self.setItemDelegate(delegate)
        self.setGridSize(delegate.tile_size(self.font()))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(self.gridSize().height() // 3)
        self.setMouseTracking(True)  # hover highlight
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        # After setMovement(Static), which turns dragging off: tiles are dragged out, never moved.
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        indexes = self.selectedIndexes()
        model = self.model()
        if not indexes or model is None:
            return
        mime = model.mimeData(indexes)
        if not mime.hasUrls():
            return  # the file is missing: nothing to give
        drag = QDrag(self)
        drag.setMimeData(mime)
        thumbnail = indexes[0].data(THUMBNAIL_ROLE)
        if isinstance(thumbnail, QPixmap):
            drag.setPixmap(thumbnail.scaled(QSize(96, 96), Qt.AspectRatioMode.KeepAspectRatio))
        drag.exec(Qt.DropAction.CopyAction)

"""The mask being painted, at the source's resolution, and its undo history.

Every change is one step of a `QUndoStack`: a whole stroke (press to release), an invert, a
clear, a loaded mask. A step keeps the pixels of the rectangle it changed, before and after, so
undo and redo give back exactly the mask that was there.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import QObject, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QUndoCommand, QUndoStack

from majicflux_desktop.ui.edit.mask_image import blank_mask, coverage, painted_rect

UNDO_LIMIT = 100
MIN_BRUSH, MAX_BRUSH = 1, 1000  # diameter in picture pixels
OPAQUE = QColor(0, 0, 0, 255)  # in an Alpha8 image only the alpha counts


class Tool(str, enum.Enum):
    BRUSH = "brush"  # adds to the mask: repaint here
    ERASER = "eraser"  # takes away from it: keep here


class PatchCommand(QUndoCommand):
    """A rectangle of the mask changed from `before` to `after` (already applied when pushed)."""

    def __init__(
        self, document: MaskDocument, rect: QRect, before: QImage, after: QImage, text: str
    ):
        super().__init__(text)
        self.document, self.rect, self.before, self.after = document, rect, before, after

    def redo(self) -> None:
        self.document.put(self.rect, self.after)

    def undo(self) -> None:
        self.document.put(self.rect, self.before)


class InvertCommand(QUndoCommand):
    """Invert is its own undo: no pixels need keeping."""

    def __init__(self, document: MaskDocument, text: str):
        super().__init__(text)
        self.document = document

    def redo(self) -> None:
        self.document.invert_now()

    def undo(self) -> None:
        self.document.invert_now()


class MaskDocument(QObject):
    region_changed = Signal(QRect)  # pixels of the mask changed (during a stroke too)
    edited = Signal()  # a step was done, undone or redone, or another mask was set

    def __init__(self, width: int, height: int, parent: QObject | None = None):
        super().__init__(parent)
        self.mask = blank_mask(width, height)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self.undo_stack.indexChanged.connect(self.edited)
        self._stroke: _Stroke | None = None

    # -- reading --------------------------------------------------------------------------------

    def size(self) -> tuple[int, int]:
        return self.mask.width(), self.mask.height()

    def image(self) -> QImage:
        """A copy of the mask (Alpha8, 255 repaints)."""
        return self.mask.copy()

    def coverage(self) -> float:
        return coverage(self.mask)

    def is_empty(self) -> bool:
        return self.coverage() == 0.0

    def stroking(self) -> bool:
        return self._stroke is not None

    # -- strokes --------------------------------------------------------------------------------

    def begin_stroke(self, tool: Tool, diameter: float, at: QPointF) -> None:
        self._stroke = _Stroke(tool, max(float(MIN_BRUSH), diameter), at, self.mask.copy())
        self._dab(at)

    def stroke_to(self, at: QPointF) -> None:
        stroke = self._stroke
        if stroke is None:
            return
        painter = self._painter(stroke.tool)
        pen = QPen(
            OPAQUE,
            stroke.diameter,
            Qt.PenStyle.SolidLine,
            Qt.PenCapStyle.RoundCap,
            Qt.PenJoinStyle.RoundJoin,
        )
        painter.setPen(pen)
        painter.drawLine(stroke.last, at)
        painter.end()
        self._touched(QRectF(stroke.last, at).normalized(), stroke.diameter)
        stroke.last = at

    def end_stroke(self) -> None:
        """One undo step for the whole stroke, unless it changed nothing."""
        stroke, self._stroke = self._stroke, None
        if stroke is None:
            return
        rect = stroke.dirty.intersected(self.mask.rect())
        if rect.isEmpty():
            return
        before, after = stroke.before.copy(rect), self.mask.copy(rect)
        if before == after:
            return
        text = self.tr("Brush stroke") if stroke.tool is Tool.BRUSH else self.tr("Eraser stroke")
        self.undo_stack.push(PatchCommand(self, rect, before, after, text))

    def _dab(self, at: QPointF) -> None:
        assert self._stroke is not None
        radius = self._stroke.diameter / 2
        painter = self._painter(self._stroke.tool)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(OPAQUE))
        painter.drawEllipse(at, radius, radius)
        painter.end()
        self._touched(QRectF(at, at), self._stroke.diameter)

    def _painter(self, tool: Tool) -> QPainter:
        painter = QPainter(self.mask)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if tool is Tool.ERASER:
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
        return painter

    def _touched(self, segment: QRectF, diameter: float) -> None:
        margin = diameter / 2 + 2  # the antialiased rim
        rect = segment.adjusted(-margin, -margin, margin, margin).toAlignedRect()
        rect = rect.intersected(self.mask.rect())
        assert self._stroke is not None
        self._stroke.dirty = self._stroke.dirty.united(rect)
        self.region_changed.emit(rect)

    # -- whole-mask steps -----------------------------------------------------------------------

    def invert(self) -> None:
        self.undo_stack.push(InvertCommand(self, self.tr("Invert mask")))

    def clear(self) -> None:
        rect = painted_rect(self.mask)
        if rect.isEmpty():
            return
        self._replace_rect(rect, blank_mask(rect.width(), rect.height()), self.tr("Clear mask"))

    def replace(self, mask: QImage, text: str) -> None:
        """Another mask of the same size, as one undoable step (a mask opened from a file)."""
        if mask.size() != self.mask.size():
            raise ValueError("a mask must be scaled to the picture first")
        converted = mask.convertToFormat(QImage.Format.Format_Alpha8)
        self._replace_rect(self.mask.rect(), converted, text)

    def reset(self, mask: QImage | None) -> None:
        """Start over with this mask (or an empty one) and no history."""
        self._stroke = None
        self.undo_stack.clear()
        if mask is None:
            self.mask = blank_mask(*self.size())
        else:
            if mask.size() != self.mask.size():
                raise ValueError("a mask must be scaled to the picture first")
            self.mask = mask.convertToFormat(QImage.Format.Format_Alpha8).copy()
        self.region_changed.emit(self.mask.rect())
        self.edited.emit()

    def _replace_rect(self, rect: QRect, after: QImage, text: str) -> None:
        before = self.mask.copy(rect)
        if before == after:
            return
        self.undo_stack.push(PatchCommand(self, rect, before, after, text))

    # -- what the commands do -------------------------------------------------------------------

    def put(self, rect: QRect, pixels: QImage) -> None:
        painter = QPainter(self.mask)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        painter.drawImage(rect.topLeft(), pixels)
        painter.end()
        self.region_changed.emit(rect)

    def invert_now(self) -> None:
        self.mask.invertPixels(QImage.InvertMode.InvertRgba)  # Alpha8: the alpha is the mask
        self.region_changed.emit(self.mask.rect())


class _Stroke:
    def __init__(self, tool: Tool, diameter: float, at: QPointF, before: QImage):
        self.tool, self.diameter, self.last, self.before = tool, diameter, at, before
        self.dirty = QRect()

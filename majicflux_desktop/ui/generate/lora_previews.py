"""The pictures saved beside LoRA files, as square thumbnails: read and scaled off the UI thread,
kept for the session; a neutral placeholder for a LoRA without one (or with an unreadable one).

A Civitai preview is often a 2–8 MB JPEG or PNG: decoding a few dozen on the UI thread would
freeze the picker, so they are read in small batches on a background thread, at a reduced size
where the format allows (JPEG decodes straight to a smaller size).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QImageReader, QPainter, QPainterPath, QPixmap

from majicflux_desktop.ui.common.background import run_in_background

SIDE = 224  # the details' picture; the list's icons are scaled from it
BATCH = 8
_cache: dict[Path, QImage | None] = {}  # None: unreadable (the placeholder shows)


def read_square(path: Path, side: int = SIDE) -> QImage | None:
    """The picture's middle square at `side` pixels; None if it cannot be read. Any thread."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and min(size.width(), size.height()) > 2 * side:
        reader.setScaledSize(size.scaled(2 * side, 2 * side, Qt.AspectRatioMode.KeepAspectRatioByExpanding))  # fmt: skip
    image = reader.read()
    if image.isNull():
        return None
    short = min(image.width(), image.height())
    square = image.copy((image.width() - short) // 2, (image.height() - short) // 2, short, short)
    return square.scaled(
        side,
        side,
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    ).convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


def cached(path: Path) -> tuple[bool, QImage | None]:
    """(known, picture): whether the picture was read already this session, and what it gave."""
    return (path in _cache), _cache.get(path)


class PreviewLoader(QObject):
    """Reads the previews asked for, a batch at a time, one batch in flight."""

    loaded = Signal(Path)  # the picture is in the cache now (or known to be unreadable)

    def __init__(
        self, parent: QObject | None = None, read: Callable[[Path], QImage | None] = read_square
    ):
        super().__init__(parent)
        self._read = read
        self._wanted: list[Path] = []
        self._busy = False

    def request(self, paths: Sequence[Path]) -> None:
        for path in paths:
            if path not in _cache and path not in self._wanted:
                self._wanted.append(path)
        self._next()

    @property
    def idle(self) -> bool:
        return not self._busy and not self._wanted

    def _next(self) -> None:
        if self._busy or not self._wanted:
            return
        batch, self._wanted = self._wanted[:BATCH], self._wanted[BATCH:]
        self._busy = True
        read = self._read
        run_in_background(lambda: [(path, read(path)) for path in batch], self._done, self._failed)

    def _done(self, results: list[tuple[Path, QImage | None]]) -> None:
        self._busy = False
        for path, image in results:
            _cache[path] = image
            self.loaded.emit(path)
        self._next()

    def _failed(self, exc: Exception) -> None:
        self._busy = False
        self._next()


_placeholders: dict[tuple[int, str, str], QPixmap] = {}


def placeholder(side: int, background: QColor, text_colour: QColor) -> QPixmap:
    """A neutral rounded tile saying "LoRA": a LoRA without a picture beside it."""
    key = (side, background.name(), text_colour.name())
    if key not in _placeholders:
        pixmap = QPixmap(QSize(side, side))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(QRectF(0.5, 0.5, side - 1, side - 1), side / 8, side / 8)
        painter.fillPath(path, background)
        font = QFont(painter.font())
        font.setBold(True)
        font.setPixelSize(max(8, side // 4))
        painter.setFont(font)
        painter.setPen(text_colour)
        painter.drawText(QRectF(0, 0, side, side), Qt.AlignmentFlag.AlignCenter, "LoRA")
        painter.end()
        _placeholders[key] = pixmap
    return _placeholders[key]


def rounded(image: QImage, side: int) -> QPixmap:
    """The picture at `side` pixels with the placeholder's rounded corners."""
    scaled = QPixmap.fromImage(
        image.scaled(
            side,
            side,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    )
    pixmap = QPixmap(QSize(side, side))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    path = QPainterPath()
    path.addRoundedRect(QRectF(0, 0, side, side), side / 8, side / 8)
    painter.setClipPath(path)
    painter.drawPixmap(0, 0, scaled)
    painter.end()
    return pixmap

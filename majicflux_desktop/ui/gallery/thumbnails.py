"""Thumbnails: made off the UI thread, kept on disk and in a memory LRU.

A thumbnail file is named by the image's id and its file's mtime and size, so an edited or replaced
image gets a new thumbnail while a moved one (trash, restore) keeps its own. The loader serves the
newest request first: while the user scrolls, the tiles on screen now come before the ones that
scrolled past, and requests that fall far behind are dropped (they are asked for again if painted).
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QImageReader, QPixmap

from majicflux_desktop.core.paths import replace_file

log = logging.getLogger("majicflux.gallery")

STORED_SIDE = 256  # device pixels kept on disk: crisp at 150 % scaling with the default tile
JPEG_QUALITY = 88
MAX_PENDING = 256
MEMORY_BUDGET_BYTES = 96 * 1024**2


class TileState(enum.Enum):
    LOADING = "loading"
    MISSING = "missing"  # the file is gone
    UNREADABLE = "unreadable"  # the file is there but is not an image we can decode


Thumbnail = QPixmap | TileState


@dataclass
class LoaderStats:
    disk_hits: int = 0
    made: int = 0
    failed: int = 0
    disk_hit_s: float = 0.0
    made_s: float = 0.0


def thumbnail_file(cache_dir: Path, image_id: int, stat: os.stat_result) -> Path:
    # A folder per thousand ids keeps every folder small enough for any file system to list fast.
    name = f"{image_id}-{stat.st_mtime_ns:x}-{stat.st_size:x}.jpg"
    return cache_dir / f"{image_id // 1000:04d}" / name


def make_thumbnail(
    image_id: int, source: Path, cache_dir: Path, side: int = STORED_SIDE
) -> tuple[QImage | TileState, bool]:
    """The thumbnail image (or why there is none) and whether it came from the disk cache.

    Safe to call from any thread: it uses QImage and QImageReader only, never a QPixmap.
    """
    try:
        stat = source.stat()
    except FileNotFoundError:
        return TileState.MISSING, False
    except OSError:
        return TileState.UNREADABLE, False
    cached = thumbnail_file(cache_dir, image_id, stat)
    if cached.exists():
        image = QImage(str(cached))
        if not image.isNull():
            return image, True
    reader = QImageReader(str(source))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > side or size.height() > side):
        reader.setScaledSize(size.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return TileState.UNREADABLE, False
    _store(image, image_id, cached)
    return image, False


def fit_to(image: QImage, side: int) -> QImage:
    if image.width() <= side and image.height() <= side:
        return image
    return image.scaled(
        QSize(side, side),
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


def _store(image: QImage, image_id: int, target: Path) -> None:
    # A thumbnail is a cache: failing to write one (read-only disk, full disk) costs only speed.
    temp = target.with_name(f".{target.name}.{threading.get_ident()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for stale in target.parent.glob(f"{image_id}-*.jpg"):
            stale.unlink(missing_ok=True)
        if image.hasAlphaChannel():
            image = image.convertToFormat(QImage.Format.Format_RGB32)
        # PySide6's stubs ask for bytes here, but only a str format is accepted at run time.
        if image.save(str(temp), "JPG", JPEG_QUALITY):  # type: ignore[call-overload]
            replace_file(temp, target)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        temp.unlink(missing_ok=True)


class ThumbnailLoader(QObject):
    """Makes thumbnails on a small thread pool; `ready` arrives on the thread that owns the loader."""

    ready = Signal(int, str, object)  # image id, source path, QImage or TileState

    def __init__(
        self, cache_dir: Path, display_side: int, threads: int = 0, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.cache_dir = cache_dir
        self.display_side = display_side  # device pixels; images arrive scaled to fit it
        self.stats = LoaderStats()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads or max(1, min(4, (os.cpu_count() or 2) - 1)))
        self._lock = threading.Lock()
        self._pending: OrderedDict[int, Path] = OrderedDict()
        self._draining = 0
        self._closed = False

    def request(self, image_id: int, source: Path) -> list[int]:
        """Queue a thumbnail; returns the ids of old requests dropped to make room."""
        dropped: list[int] = []
        with self._lock:
            if self._closed:
                return dropped
            self._pending[image_id] = source
            self._pending.move_to_end(image_id)
            while len(self._pending) > MAX_PENDING:
                dropped.append(self._pending.popitem(last=False)[0])
            if self._draining >= self._pool.maxThreadCount():
                return dropped
            self._draining += 1
        self._pool.start(self._drain)
        return dropped

    def idle(self) -> bool:
        with self._lock:
            return not self._pending and self._draining == 0

    def shutdown(self) -> None:
        """Forget what is pending and wait for the thumbnails being made (a few milliseconds)."""
        with self._lock:
            self._closed = True
            self._pending.clear()
        self._pool.waitForDone()

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._pending or self._closed:
                    self._draining -= 1
                    return
                image_id, source = self._pending.popitem(last=True)
            began = time.perf_counter()
            try:
                result, from_disk = make_thumbnail(image_id, source, self.cache_dir)
                if isinstance(result, QImage):
                    # Scaled here, not on the UI thread: a screenful is 30–60 of these.
                    result = fit_to(result, self.display_side)
            except Exception:  # a drain that died would stall every later thumbnail
                log.exception("thumbnail of image %d (%s) failed", image_id, source)
                result, from_disk = TileState.UNREADABLE, False
            self._count(result, from_disk, time.perf_counter() - began)
            with self._lock:
                if self._closed:
                    self._draining -= 1
                    return
            self.ready.emit(image_id, str(source), result)

    def _count(self, result: QImage | TileState, from_disk: bool, seconds: float) -> None:
        with self._lock:
            if isinstance(result, TileState):
                self.stats.failed += 1
            elif from_disk:
                self.stats.disk_hits += 1
                self.stats.disk_hit_s += seconds
            else:
                self.stats.made += 1
                self.stats.made_s += seconds


class ThumbnailCache(QObject):
    """Thumbnails by image id, as pixmaps sized for the tiles; asks the loader for what it lacks."""

    changed = Signal(int)  # image id whose thumbnail (or tile state) is new

    def __init__(
        self,
        cache_dir: Path,
        tile_side: int,
        parent: QObject | None = None,
        *,
        budget_bytes: int = MEMORY_BUDGET_BYTES,
        threads: int = 0,
    ) -> None:
        super().__init__(parent)
        self.tile_side = tile_side  # device pixels
        self.budget_bytes = budget_bytes
        self.memory_hits = 0
        self._entries: OrderedDict[int, tuple[str, Thumbnail]] = OrderedDict()
        self._bytes = 0
        self._asked: dict[int, str] = {}
        self.loader = ThumbnailLoader(cache_dir, tile_side, threads, self)
        self.loader.ready.connect(self._arrived)

    def get(self, image_id: int, source: Path) -> Thumbnail:
        """The tile's thumbnail now, or LOADING (then `changed` follows when it is made)."""
        key = str(source)
        entry = self._entries.get(image_id)
        if entry is not None and entry[0] == key:
            self._entries.move_to_end(image_id)
            self.memory_hits += 1
            return entry[1]
        if self._asked.get(image_id) != key:
            self._asked[image_id] = key
            for dropped in self.loader.request(image_id, source):
                self._asked.pop(dropped, None)
        # A moved file (trash, restore) is the same picture: show it while its new path is read.
        if entry is not None and isinstance(entry[1], QPixmap):
            return entry[1]
        return TileState.LOADING

    def forget(self, image_id: int) -> None:
        self._drop(image_id)
        self._asked.pop(image_id, None)

    def forget_failures(self) -> None:
        """Look again at files that were missing or unreadable (the user may have put them back)."""
        for image_id in [i for i, (_, t) in self._entries.items() if isinstance(t, TileState)]:
            self.forget(image_id)

    def set_tile_side(self, side: int) -> None:
        if side != self.tile_side:
            self.tile_side = side
            self.loader.display_side = side
            self.clear()

    def clear(self) -> None:
        self._entries.clear()
        self._asked.clear()
        self._bytes = 0

    def shutdown(self) -> None:
        self.loader.shutdown()

    def _arrived(self, image_id: int, source: str, result: object) -> None:
        if self._asked.get(image_id) != source:
            return  # forgotten or moved meanwhile: a newer request is on its way
        del self._asked[image_id]
        thumbnail: Thumbnail
        if isinstance(result, QImage):
            thumbnail = QPixmap.fromImage(fit_to(result, self.tile_side))
        else:
            thumbnail = result if isinstance(result, TileState) else TileState.UNREADABLE
        self._put(image_id, source, thumbnail)
        self.changed.emit(image_id)

    def _put(self, image_id: int, source: str, thumbnail: Thumbnail) -> None:
        self._drop(image_id)
        self._entries[image_id] = (source, thumbnail)
        self._bytes += _size_of(thumbnail)
        while self._bytes > self.budget_bytes and len(self._entries) > 1:
            oldest = next(iter(self._entries))
            self._drop(oldest)

    def _drop(self, image_id: int) -> None:
        entry = self._entries.pop(image_id, None)
        if entry is not None:
            self._bytes -= _size_of(entry[1])


def _size_of(thumbnail: Thumbnail) -> int:
    if isinstance(thumbnail, QPixmap):
        return thumbnail.width() * thumbnail.height() * 4
    return 64

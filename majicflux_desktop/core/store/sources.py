"""Pictures an edit starts from (a source, a mask), kept in the library by their content.

An edit job refers to its pictures by SHA-256, and the pictures are copied here when the job is
queued, so nothing depends on a file the user may move or delete meanwhile. A picture is stored
once, as a PNG without metadata, under `<first two hex digits>/<sha256>.png`; the hash is that of
the stored bytes, so a damaged copy is noticed when it is read.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from PIL import Image, ImageOps

from majicflux_desktop.core.edit import StoredImage
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, user_error
from majicflux_desktop.core.paths import atomic_write_bytes

MAX_PIXELS = 64 * 1024 * 1024  # 8192 × 8192: larger sources are refused, never decoded
MAX_FILE_BYTES = 256 * 1024 * 1024


def read_picture(data: bytes, name: str = "") -> Image.Image:
    """An image from a file's bytes, decoded only if it is an image of a sane size.

    Raises a UserError naming the file and the fix: not an image, too large (a decompression
    bomb is refused from its header, before any pixel is decoded), or damaged.
    """
    if len(data) > MAX_FILE_BYTES:
        raise user_error(
            "sources",
            QT_TRANSLATE_NOOP(
                "sources",
                "“{name}” is too large ({megabytes} MB). Use a picture of at most 256 MB.",
            ),
            name=name,
            megabytes=len(data) // 2**20,
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise user_error(
                    "sources",
                    QT_TRANSLATE_NOOP(
                        "sources",
                        "“{name}” is {width}×{height} pixels, too large to use. Scale it down to "
                        "at most 8192×8192 first.",
                    ),
                    name=name,
                    width=width,
                    height=height,
                )
            probe.seek(0)  # the first frame of an animation
            image = ImageOps.exif_transpose(probe)  # as phones mean it to be seen
            image.load()
    except Image.DecompressionBombError as exc:
        # Pillow refuses sizes far beyond ours from the header, before our own check can run
        raise user_error(
            "sources",
            QT_TRANSLATE_NOOP(
                "sources",
                "“{name}” is far larger than 8192×8192 pixels, too large to use. Scale it down "
                "to at most 8192×8192 first.",
            ),
            str(exc),
            name=name,
        ) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise user_error(
            "sources",
            QT_TRANSLATE_NOOP(
                "sources",
                "“{name}” is not a picture MajicFlux can read. Use a PNG, JPEG or WebP image.",
            ),
            str(exc),
            name=name,
        ) from exc
    return image


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    return buffer.getvalue()


class SourceStore:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def put(self, image: Image.Image, mode: str = "RGB") -> StoredImage:
        """Store a picture (as `mode`: RGB for sources, L for masks); the same pixels are
        stored once."""
        data = png_bytes(image if image.mode == mode else image.convert(mode))
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.is_file() or target.stat().st_size != len(data):
            atomic_write_bytes(target, data)
        return StoredImage(digest, image.width, image.height)

    def path(self, sha256: str) -> Path:
        return self.folder / sha256[:2] / f"{sha256}.png"

    def has(self, stored: StoredImage) -> bool:
        return self.path(stored.sha256).is_file()

    def open(self, stored: StoredImage) -> Image.Image:
        """The stored picture; a UserError if it is gone or damaged."""
        path = self.path(stored.sha256)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise user_error(
                "sources",
                QT_TRANSLATE_NOOP(
                    "sources",
                    "The picture this edit starts from is no longer in the library ({path}). "
                    "Choose the source again.",
                ),
                str(exc),
                path=path,
            ) from exc
        if hashlib.sha256(data).hexdigest() != stored.sha256:
            raise user_error(
                "sources",
                QT_TRANSLATE_NOOP(
                    "sources",
                    "The stored copy of this edit's picture is damaged ({path}). Choose the "
                    "source again.",
                ),
                path=path,
            )
        return read_picture(data, path.name)

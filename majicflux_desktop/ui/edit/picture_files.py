"""Pictures from files, the clipboard and the gallery, read as the engine will read them.

Files go through `read_picture` (a file that is not an image, is damaged, or is a decompression
bomb is refused with a message naming it, the bomb from its header alone); pictures already in
memory are held to the same size limit, since the library would refuse to open them later.
Reading runs off the UI thread (`ui.common.background`): a 50-megapixel photo takes seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QCoreApplication, QMimeData
from PySide6.QtGui import QImage

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, UserError, user_error
from majicflux_desktop.core.store.sources import MAX_PIXELS, read_picture
from majicflux_desktop.ui.edit.mask_image import pil_from_picture

translate = QCoreApplication.translate
THUMBNAIL_SIDE = 160
IMAGE_SUFFIXES = ("png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff")

Picture = Path | str | QImage | Image.Image  # what `EditPanel.set_source` takes


@dataclass(frozen=True)
class LoadedPicture:
    """A source ready to use: its pixels (RGB), a small copy for the panel, where it came from."""

    image: Image.Image
    thumbnail: QImage
    name: str
    parent_image: int | None = None


def image_filter() -> str:
    patterns = " ".join(f"*.{suffix}" for suffix in IMAGE_SUFFIXES)
    return translate("picture_files", "Pictures ({patterns})").format(patterns=patterns)


def read_picture_file(path: Path) -> Image.Image:
    """A picture file, decoded only if it is a sane image; a UserError naming it otherwise."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise user_error(
            "picture_files",
            QT_TRANSLATE_NOOP(
                "picture_files", "“{name}” cannot be read ({reason}). Check the file."
            ),
            str(exc),
            name=path.name,
            reason=exc.strerror or type(exc).__name__,
        ) from exc
    return read_picture(data, path.name)


def check_size(image: Image.Image | QImage, name: str) -> None:
    if isinstance(image, QImage):
        width, height = image.width(), image.height()
    else:
        width, height = image.size
    if width * height == 0:
        raise user_error(
            "picture_files",
            QT_TRANSLATE_NOOP("picture_files", "“{name}” is an empty picture. Use another one."),
            name=name,
        )
    if width * height > MAX_PIXELS:
        raise user_error(
            "picture_files",
            QT_TRANSLATE_NOOP(
                "picture_files",
                "“{name}” is {width}×{height} pixels, too large to use. Scale it down to at most "
                "8192×8192 first.",
            ),
            name=name,
            width=width,
            height=height,
        )


def load_picture(picture: Picture, name: str, parent_image: int | None) -> LoadedPicture:
    """Read and check a picture of any accepted kind (call off the UI thread)."""
    if isinstance(picture, (str, Path)):
        path = Path(picture)
        image = read_picture_file(path)
        name = name or path.name
    elif isinstance(picture, QImage):
        check_size(picture, name)
        image = pil_from_picture(picture)
    else:
        image = picture
    check_size(image, name)
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    if rgb is image:
        rgb = image.copy()  # the caller's image may change after this; ours must not
    return LoadedPicture(rgb, thumbnail(rgb), name, parent_image)


def thumbnail(image: Image.Image, side: int = THUMBNAIL_SIDE) -> QImage:
    small = image.copy()
    small.thumbnail((side, side), Image.Resampling.LANCZOS)
    rgb = small.convert("RGB")
    data = rgb.tobytes()
    return QImage(data, rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888).copy()


def picture_in(mime: QMimeData | None) -> Path | QImage | None:
    """The picture a drop or the clipboard offers: a local file first (its own bytes, checked by
    `read_picture`), else an image."""
    if mime is None:
        return None
    for url in mime.urls():
        if url.isLocalFile():
            return Path(url.toLocalFile())
    if mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            return image
    return None


def error_text(exc: Exception) -> str:
    if isinstance(exc, UserError):
        return exc.text()
    return translate("picture_files", "The picture could not be read ({error}).").format(
        error=type(exc).__name__
    )

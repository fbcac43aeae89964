"""Pictures and masks between Qt and PIL, and what the engine will make of a mask.

A painted mask is a `QImage` in `Format_Alpha8` at the source's resolution: 255 repaints, 0 keeps
(QPainter paints and clears it directly, and it colours an overlay as an alpha channel). The
engine reads masks as PIL "L" images and makes them binary at half grey (`engine.masks`); the
coverage and the feather preview here read a mask the same way, so what the painter shows is
what will be repainted.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage

from majicflux_desktop.engine import masks

REPAINT = 255
HALF_GREY = 127  # the engine's threshold: above it a pixel is repainted
# The feather preview of a larger mask is computed on a reduced copy: exact up to 1536 × 1536,
# a close picture of it above (the engine feathers at full resolution either way). Worked out
# after every step on the UI thread, it must stay well under a quarter of a second.
FEATHER_PREVIEW_PIXELS = 1536 * 1536


def mask_array(mask: QImage) -> np.ndarray:
    """The mask's bytes as a (height, width) uint8 array (a copy, safe to keep)."""
    if mask.format() != QImage.Format.Format_Alpha8:
        mask = mask.convertToFormat(QImage.Format.Format_Alpha8)
    rows = np.frombuffer(mask.constBits(), np.uint8, mask.bytesPerLine() * mask.height())
    return rows.reshape(mask.height(), mask.bytesPerLine())[:, : mask.width()].copy()


def mask_from_array(values: np.ndarray) -> QImage:
    """An Alpha8 mask from a (height, width) uint8 array."""
    values = np.ascontiguousarray(values, dtype=np.uint8)
    height, width = values.shape
    return QImage(values.data, width, height, width, QImage.Format.Format_Alpha8).copy()


def blank_mask(width: int, height: int) -> QImage:
    mask = QImage(width, height, QImage.Format.Format_Alpha8)
    mask.fill(0)
    return mask


def mask_to_pil(mask: QImage) -> Image.Image:
    """The mask as the engine reads it: one grey channel, white repaints."""
    return Image.fromarray(mask_array(mask), "L")


def mask_from_pil(image: Image.Image, size: tuple[int, int]) -> tuple[QImage, bool]:
    """A mask image of any kind (grey, black and white, with transparency) as an Alpha8 mask at
    `size`, read as the engine reads it; True when it had to be scaled to `size`."""
    layer = masks.mask_layer(image)
    scaled = layer.size != size
    if scaled:
        layer = layer.resize(size, Image.Resampling.BILINEAR)
    return mask_from_array(np.asarray(layer)), scaled


def repainted(mask: QImage) -> np.ndarray:
    """True where the engine repaints."""
    return mask_array(mask) > HALF_GREY


def coverage(mask: QImage) -> float:
    """The share of the picture that is repainted, 0 to 1."""
    if mask.isNull() or mask.width() * mask.height() == 0:
        return 0.0
    return float(np.count_nonzero(repainted(mask))) / (mask.width() * mask.height())


def painted_rect(mask: QImage) -> QRect:
    """The smallest rectangle holding every non-zero pixel (empty for an empty mask)."""
    values = mask_array(mask)
    rows = np.flatnonzero(values.any(axis=1))
    if rows.size == 0:
        return QRect()
    columns = np.flatnonzero(values.any(axis=0))
    return QRect(
        int(columns[0]),
        int(rows[0]),
        int(columns[-1] - columns[0]) + 1,
        int(rows[-1] - rows[0]) + 1,
    )


def feather_weights(binary: np.ndarray, feather: int) -> QImage | None:
    """How much of the generated picture each pixel will take, as an Alpha8 image: 255 on the
    mask (`binary`, from `repainted`), falling to 0 over `feather` pixels outside it
    (`masks.feathered`, the engine's own blend). None for an empty mask.

    The image covers the whole picture at its size, or for a large picture at a whole fraction
    of it (1/2, 1/3, …): draw it scaled over the picture."""
    if not binary.any():
        return None
    height, width = binary.shape
    step = math.ceil((width * height / FEATHER_PREVIEW_PIXELS) ** 0.5)
    if step > 1:
        shrunk = Image.fromarray(binary.astype(np.uint8) * 255).reduce(step)  # box averages
        binary = np.asarray(shrunk) > HALF_GREY
        if not binary.any():
            return None
        feather = max(1, round(feather / step)) if feather else 0
    weights, box = masks.feathered(binary, feather)
    full = np.zeros(binary.shape, np.uint8)
    full[box.slices()] = np.rint(weights * 255).astype(np.uint8)
    return mask_from_array(full)


def picture_from_pil(image: Image.Image) -> QImage:
    """An RGB picture for the screen (a copy)."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    data = rgb.tobytes()
    return QImage(data, rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888).copy()


def pil_from_picture(picture: QImage) -> Image.Image:
    """A QImage (pasted, dropped, from the gallery) as PIL, transparency kept if it has any."""
    has_alpha = picture.hasAlphaChannel()
    wanted = QImage.Format.Format_RGBA8888 if has_alpha else QImage.Format.Format_RGB888
    converted = picture.convertToFormat(wanted)
    channels = 4 if has_alpha else 3
    rows = np.frombuffer(
        converted.constBits(), np.uint8, converted.bytesPerLine() * converted.height()
    ).reshape(converted.height(), converted.bytesPerLine())
    pixels = rows[:, : converted.width() * channels].reshape(
        converted.height(), converted.width(), channels
    )
    return Image.fromarray(pixels.copy(), "RGBA" if has_alpha else "RGB")

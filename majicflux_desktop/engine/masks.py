"""Masks of the edit modes: reading a painted mask, feathering it, boxes around it. numpy only.

White (or opaque white, in a mask with transparency) repaints. A mask is made binary at half
grey, so "outside the mask" is well defined: the feather only ever extends *outwards*, and every
pixel farther than `feather` from the mask keeps the original's bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, user_error

LATENT = 8  # pixels per latent cell (the FLUX VAE)


@dataclass(frozen=True)
class Box:
    """A rectangle of pixels; `right` and `bottom` are exclusive (as PIL's crop takes them)."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    def as_tuple(self) -> tuple[int, int, int, int]:
        return self.left, self.top, self.right, self.bottom

    def slices(self, within: Box | None = None) -> tuple[slice, slice]:
        """Row and column slices of this box in an array covering `within` (the whole picture
        when None)."""
        dx, dy = (within.left, within.top) if within else (0, 0)
        return slice(self.top - dy, self.bottom - dy), slice(self.left - dx, self.right - dx)

    def grown(self, margin: int, width: int, height: int) -> Box:
        return Box(
            max(0, self.left - margin),
            max(0, self.top - margin),
            min(width, self.right + margin),
            min(height, self.bottom + margin),
        )


def mask_layer(image: Image.Image) -> Image.Image:
    """A painted mask as one grey channel: white repaints. Where the mask has transparency, a
    transparent pixel keeps the original whatever its colour (painters store strokes so)."""
    if "A" in image.getbands() or (image.mode == "P" and "transparency" in image.info):
        grey, alpha = image.convert("LA").split()
        return ImageChops.multiply(grey, alpha)
    return image.convert("L")


def binary_mask(image: Image.Image, size: tuple[int, int]) -> tuple[np.ndarray, Message | None]:
    """The mask as booleans at `size` (True repaints); a mask of another size is scaled to it,
    and the note says so."""
    layer = mask_layer(image)
    note = None
    if layer.size != size:
        note = Message(
            "edit",
            QT_TRANSLATE_NOOP(
                "edit",
                "The mask was {mask_width}×{mask_height} pixels and the picture {width}×{height}; "
                "the mask was scaled to the picture.",
            ),
            {
                "mask_width": layer.width,
                "mask_height": layer.height,
                "width": size[0],
                "height": size[1],
            },
        )
        layer = layer.resize(size, Image.Resampling.BILINEAR)
    return np.asarray(layer) > 127, note


def refuse_empty(mask: np.ndarray) -> None:
    if not mask.any():
        raise user_error(
            "edit",
            QT_TRANSLATE_NOOP(
                "edit",
                "The mask is empty: nothing would be repainted. Paint over the part of the "
                "picture to repaint (white repaints) and try again.",
            ),
        )


def bounding_box(mask: np.ndarray) -> Box:
    rows = np.flatnonzero(mask.any(axis=1))
    columns = np.flatnonzero(mask.any(axis=0))
    return Box(int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1)


def _box_sum(values: np.ndarray, radius: int, axis: int) -> np.ndarray:
    """Sums over windows of 2·radius+1 along `axis`, the edges continued outwards.

    Continuing the edges treats a mask that touches the picture's border as going on beyond it,
    so the feather does not thin the mask there.
    """
    if radius == 0:
        return values
    pad = [(0, 0)] * values.ndim
    pad[axis] = (radius + 1, radius)
    sums = np.cumsum(np.pad(values, pad, mode="edge"), axis=axis, dtype=np.int64)
    length = values.shape[axis]
    upper = np.take(sums, np.arange(2 * radius + 1, 2 * radius + 1 + length), axis=axis)
    lower = np.take(sums, np.arange(length), axis=axis)
    return upper - lower


def _square_sum(values: np.ndarray, radius: int) -> np.ndarray:
    return _box_sum(_box_sum(values, radius, 0), radius, 1)


def feathered(mask: np.ndarray, feather: int) -> tuple[np.ndarray, Box]:
    """How much of the generated picture each pixel takes, over the smallest box that holds it.

    1 on the mask; falling to 0 over `feather` pixels outside it (a dilation by half the feather,
    then a box blur of the other half, both square, so the weight is exactly 1 on the mask and
    exactly 0 farther than `feather` pixels from it in any direction).
    """
    height, width = mask.shape
    box = bounding_box(mask).grown(feather, width, height)
    region = mask[box.slices()]
    if feather == 0:
        return region.astype(np.float32), box
    blur = feather // 2
    grown = _square_sum(region.astype(np.int64), feather - blur) > 0
    counts = _square_sum(grown.astype(np.int64), blur)
    return (counts / (2 * blur + 1) ** 2).astype(np.float32), box


def latent_cells(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The mask at `size`, as latent cells: a cell is repainted if any of its pixels is."""
    width, height = size
    layer = Image.fromarray(mask.astype(np.uint8) * 255).resize(size, Image.Resampling.BILINEAR)
    pixels = np.asarray(layer) > 0
    cells = pixels.reshape(height // LATENT, LATENT, width // LATENT, LATENT)
    return np.asarray(cells.any(axis=(1, 3)))


def widened(box: Box, need: int, width: int, height: int) -> Box:
    """The box grown around its centre to at least `need` pixels a side, inside the picture."""

    def axis(low: int, high: int, limit: int) -> tuple[int, int]:
        extent = min(max(high - low, need), limit)
        start = (low + high - extent) // 2
        start = min(max(0, start), limit - extent)
        return start, start + extent

    left, right = axis(box.left, box.right, width)
    top, bottom = axis(box.top, box.bottom, height)
    return Box(left, top, right, bottom)


def scale_for_area(box: Box, min_long: int, max_long: int) -> float:
    """Scale of a masked area's crop: up to `min_long` on its long side if smaller, down to
    `max_long` if larger, else its own pixels."""
    long = max(box.width, box.height)
    return min(max(1.0, min_long / long), max_long / long)


def needed_side(min_side: int, scale: float) -> int:
    return math.ceil(min_side / scale)

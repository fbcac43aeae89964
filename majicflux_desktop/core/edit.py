"""The part of a request that edits an existing picture (image to image, inpaint, outpaint,
upscale), the sizes every request keeps to, and the problems a request can have. Below
request.py and edit_sizes.py, which both stand on it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message

MIN_SIDE = 256
MAX_SIDE = 2048
SIDE_STEP = 16

MIN_STRENGTH, MAX_STRENGTH = 0.05, 1.0
DEFAULT_STRENGTH = 0.6
DEFAULT_UPSCALE_STRENGTH = 0.35
UPSCALE_FACTORS = (1.5, 2.0)
MAX_OUTPAINT = 1024  # pixels added on one side
MAX_FEATHER = 128
MAX_PADDING = 512


def snap_to_step(value: int, step: int = SIDE_STEP) -> int:
    """The nearest multiple of `step` inside the allowed side range (for UIs that snap)."""
    snapped = int(value / step + 0.5) * step
    return max(MIN_SIDE, min(MAX_SIDE, snapped))


@dataclass(frozen=True)
class Problem:
    field: str
    message: Message


class EditMode(str, enum.Enum):
    IMAGE_TO_IMAGE = "img2img"
    INPAINT = "inpaint"
    OUTPAINT = "outpaint"
    UPSCALE = "upscale"


class Resize(str, enum.Enum):
    """How a source of another size meets the chosen size (image to image)."""

    FIT = "fit"  # the whole source, scaled to the size; the rest is filled from its edges
    FILL = "fill"  # the size covered, the source cropped to it
    KEEP = "keep"  # the source's own size, snapped to 16


class InpaintArea(str, enum.Enum):
    MASKED = "masked"  # crop around the mask, generate at full resolution, paste back
    WHOLE = "whole"  # the whole picture at its size


@dataclass(frozen=True)
class StoredImage:
    """A picture kept in the library by its content (a source, a mask): nothing depends on a file
    the user may move."""

    sha256: str
    width: int
    height: int


@dataclass(frozen=True)
class Edit:
    """What turns a text-to-image request into an edit of an existing picture."""

    mode: EditMode
    source: StoredImage
    strength: float = DEFAULT_STRENGTH
    mask: StoredImage | None = None  # white repaints; outpaint makes its own from `outpaint`
    resize: Resize = Resize.FIT
    area: InpaintArea = InpaintArea.MASKED
    padding: int = 32  # context kept around the mask when the masked area is generated alone
    feather: int = 8  # pixels over which the repainted area blends into the original
    outpaint: tuple[int, int, int, int] = (0, 0, 0, 0)  # pixels added: left, top, right, bottom
    upscale: float = 1.0
    parent_image: int | None = None  # the gallery image it was made from, if it was


def _problem(field_name: str, text: str, **params: Any) -> Problem:
    return Problem(field_name, Message("request", text, params))


def edit_problems(edit: Edit) -> list[Problem]:
    found = []
    if not MIN_STRENGTH <= edit.strength <= MAX_STRENGTH:
        found.append(
            _problem(
                "strength",
                QT_TRANSLATE_NOOP(
                    "request",
                    "Strength must be between {low} and {high} (got {value}): low keeps more of "
                    "the source, 1 repaints it completely.",
                ),
                low=MIN_STRENGTH,
                high=MAX_STRENGTH,
                value=edit.strength,
            )
        )
    if edit.mode is EditMode.INPAINT and edit.mask is None:
        found.append(
            _problem(
                "mask",
                QT_TRANSLATE_NOOP(
                    "request",
                    "Inpainting needs a mask: paint over the part of the picture to repaint.",
                ),
            )
        )
    if edit.mode is EditMode.OUTPAINT and (
        not any(edit.outpaint) or any(not 0 <= side <= MAX_OUTPAINT for side in edit.outpaint)
    ):
        found.append(
            _problem(
                "outpaint",
                QT_TRANSLATE_NOOP(
                    "request",
                    "Outpainting adds 1 to {limit} pixels on at least one side (got {sides}).",
                ),
                limit=MAX_OUTPAINT,
                sides=", ".join(str(side) for side in edit.outpaint),
            )
        )
    if edit.mode is EditMode.UPSCALE and edit.upscale not in UPSCALE_FACTORS:
        found.append(
            _problem(
                "upscale",
                QT_TRANSLATE_NOOP("request", "Upscaling goes ×1.5 or ×2 (got ×{value})."),
                value=edit.upscale,
            )
        )
    if not 0 <= edit.feather <= MAX_FEATHER or not 0 <= edit.padding <= MAX_PADDING:
        found.append(
            _problem(
                "feather",
                QT_TRANSLATE_NOOP(
                    "request",
                    "Feather must be 0 to {feather} pixels and padding 0 to {padding} pixels.",
                ),
                feather=MAX_FEATHER,
                padding=MAX_PADDING,
            )
        )
    source = edit.source
    if min(source.width, source.height) < 1 or len(source.sha256) != 64:
        found.append(
            _problem(
                "source",
                QT_TRANSLATE_NOOP("request", "The source picture is missing. Choose it again."),
            )
        )
    return found

"""The sizes an edit works at and delivers, from the stored pictures' sizes alone (no pixels).

An edit has two sizes:
- the *work size*, what the model generates: each side a multiple of 16 within 256–2048;
- the *output size*, the image the user gets.

The request's width × height is always a work size. Only image to image with Fit or Fill lets
the user choose it; every other mode derives it from the source, and a request with another size
is refused (`size_problems`), so the queue, the ETA and the metadata see what really runs:

| mode               | request width × height                        | output                          |
|--------------------|-----------------------------------------------|---------------------------------|
| img2img Fit / Fill | chosen                                        | the request's size              |
| img2img Keep       | the source's size, each side snapped to 16    | the request's size              |
| inpaint            | the source scaled into 256–2048, snapped      | the source's exact size         |
| outpaint           | (source + sides) scaled into 256–2048, snapped| source + sides, exact           |
| upscale            | the output, snapped to 16                     | round(source × factor)          |

Inpainting *the masked area* generates a crop around the mask at about its own resolution; the
crop depends on the mask's pixels, so the engine chooses its size and says so in a note. The
request then carries the whole picture's work size (what *the whole picture* would use).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from majicflux_desktop.core.edit import (
    DEFAULT_STRENGTH,
    DEFAULT_UPSCALE_STRENGTH,
    MAX_OUTPAINT,
    MAX_SIDE,
    MIN_SIDE,
    SIDE_STEP,
    UPSCALE_FACTORS,
    Edit,
    EditMode,
    Problem,
    Resize,
)
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message

Size = tuple[int, int]

# A blurred fill is only a start: most of it must be repainted to look like part of the picture.
DEFAULT_OUTPAINT_STRENGTH = 0.9


def default_strength(mode: EditMode) -> float:
    if mode is EditMode.UPSCALE:
        return DEFAULT_UPSCALE_STRENGTH
    if mode is EditMode.OUTPAINT:
        return DEFAULT_OUTPAINT_STRENGTH
    return DEFAULT_STRENGTH


def snap16(value: float) -> int:
    """The nearest multiple of 16, at least 16."""
    return max(SIDE_STEP, int(value / SIDE_STEP + 0.5) * SIDE_STEP)


def _side(value: float) -> int:
    return min(MAX_SIDE, max(MIN_SIDE, snap16(value)))


def fit_work_size(width: int, height: int) -> Size:
    """A picture's size scaled into 256–2048 (aspect kept) and snapped to 16.

    Larger pictures are scaled down to 2048 on the long side, smaller ones up to 256 on the
    short side. Only an aspect ratio beyond 8:1 cannot keep its shape (its sides are clamped).
    """
    scale = min(1.0, MAX_SIDE / max(width, height))
    if min(width, height) * scale < MIN_SIDE:
        scale = MIN_SIDE / min(width, height)
    return _side(width * scale), _side(height * scale)


def keep_size(width: int, height: int) -> Size | None:
    """The source's own size snapped to 16, or None if it falls outside 256–2048."""
    size = snap16(width), snap16(height)
    return size if all(MIN_SIDE <= side <= MAX_SIDE for side in size) else None


def upscale_factor(width: int, height: int, factor: float) -> float:
    """The factor actually used: the one asked, lowered so the long side stays within 2048."""
    return min(factor, MAX_SIDE / max(width, height))


def upscale_output(width: int, height: int, factor: float) -> Size | None:
    """round(source × factor), or None when the source is already 2048 on its long side."""
    used = upscale_factor(width, height, factor)
    if used <= 1.0:
        return None
    return min(MAX_SIDE, round(width * used)), min(MAX_SIDE, round(height * used))


def outpaint_canvas(width: int, height: int, sides: tuple[int, int, int, int]) -> Size:
    left, top, right, bottom = sides
    return width + left + right, height + top + bottom


@dataclass(frozen=True)
class EditSizes:
    work: Size  # the request's width × height (a crop's own size for masked-area inpainting)
    output: Size


def edit_sizes(edit: Edit, chosen: Size) -> EditSizes | None:
    """What an edit works at and delivers; `chosen` is the size picked in the UI, used only by
    image to image with Fit or Fill. None when the source cannot be used so (see
    `size_problems` for why)."""
    width, height = edit.source.width, edit.source.height
    if edit.mode is EditMode.IMAGE_TO_IMAGE:
        work = keep_size(width, height) if edit.resize is Resize.KEEP else chosen
        return None if work is None else EditSizes(work, work)
    if edit.mode is EditMode.INPAINT:
        return EditSizes(fit_work_size(width, height), (width, height))
    if edit.mode is EditMode.OUTPAINT:
        canvas = outpaint_canvas(width, height, edit.outpaint)
        return EditSizes(fit_work_size(*canvas), canvas)
    output = upscale_output(width, height, edit.upscale)
    if output is None:
        return None
    return EditSizes((_side(output[0]), _side(output[1])), output)


def _usable(edit: Edit) -> bool:
    """Whether the edit's own fields are valid enough to compute sizes from."""
    if min(edit.source.width, edit.source.height) < 1:
        return False
    if edit.mode is EditMode.UPSCALE:
        return edit.upscale in UPSCALE_FACTORS
    if edit.mode is EditMode.OUTPAINT:
        return all(0 <= side <= MAX_OUTPAINT for side in edit.outpaint)
    return True


def size_problems(edit: Edit | None, width: int, height: int) -> list[Problem]:
    """Why a request's size (width × height) does not suit its edit (empty when it does)."""
    asked = (width, height)
    if edit is None or not _usable(edit):
        return []
    source_width, source_height = edit.source.width, edit.source.height
    sizes = edit_sizes(edit, asked)
    if sizes is None and edit.mode is EditMode.UPSCALE:
        return [
            Problem(
                "upscale",
                Message(
                    "request",
                    QT_TRANSLATE_NOOP(
                        "request",
                        "The picture is already {width}×{height}; upscaling goes up to {limit} "
                        "pixels on the long side. Use image to image on it instead.",
                    ),
                    {"width": source_width, "height": source_height, "limit": MAX_SIDE},
                ),
            )
        ]
    if sizes is None:
        return [
            Problem(
                "resize",
                Message(
                    "request",
                    QT_TRANSLATE_NOOP(
                        "request",
                        "The source is {width}×{height}; keeping its size works only from {low} "
                        "to {high} pixels a side. Choose Fit or Fill and a size.",
                    ),
                    {
                        "width": source_width,
                        "height": source_height,
                        "low": MIN_SIDE,
                        "high": MAX_SIDE,
                    },
                ),
            )
        ]
    if sizes.work == asked:
        return []
    return [
        Problem(
            "width",
            Message(
                "request",
                QT_TRANSLATE_NOOP(
                    "request",
                    "This edit of a {width}×{height} picture works at {work_width}×{work_height}, "
                    "not {asked_width}×{asked_height}. Use that size.",
                ),
                {
                    "width": source_width,
                    "height": source_height,
                    "work_width": sizes.work[0],
                    "work_height": sizes.work[1],
                    "asked_width": width,
                    "asked_height": height,
                },
            ),
        )
    ]


def steps_run(steps: int, strength: float) -> int:
    """Denoising steps an edit runs: about strength × steps, at least one (as A1111 counts)."""
    return max(1, min(steps, math.floor(strength * steps + 0.5)))

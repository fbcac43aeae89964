"""An edit as the panel holds it before its pictures are stored: its sizes and its problems.

The pictures get their hashes only when the edit is queued (`EditPanel.edit`); until then a
stand-in hash carries the real sizes, so `core.edit_sizes` and the request's own checks say what
the edit will work at and what is wrong with it, in the same words the queue would use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from majicflux_desktop.core.edit import Edit, EditMode, InpaintArea, Resize, StoredImage
from majicflux_desktop.core.edit_sizes import Size, default_strength, edit_sizes, upscale_factor
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.engine.edit import masked_area
from majicflux_desktop.ui.edit.edit_options import EditOptions

STAND_IN_HASH = "0" * 64
# The request's problems that belong to the edit; the prompt panel shows the others itself.
EDIT_FIELDS = frozenset({"strength", "mask", "outpaint", "upscale", "feather", "source", "resize"})
_DEFAULTS = Edit(EditMode.IMAGE_TO_IMAGE, StoredImage(STAND_IN_HASH, 1, 1))


@dataclass(frozen=True)
class EditSizing:
    """What an edit works at and delivers (`size_changed` carries it to the lead's size picker)."""

    work: Size | None  # the request's width × height; None when the edit cannot be made so
    output: Size | None
    follows_chosen: bool  # image to image with Fit or Fill: the size chosen in the prompt panel
    masked_area: bool = False  # inpainting the masked area: the engine generates a crop
    area: Size | None = None  # … the crop around the mask, in pixels (once there is a mask)
    area_work: Size | None = None  # … and the size that crop is generated at
    upscale_lowered_to: float | None = None  # upscaling: the factor used, where lower than asked


def to_edit(
    options: EditOptions,
    source: StoredImage,
    mask: StoredImage | None,
    parent_image: int | None,
) -> Edit:
    """The edit these options make; fields of other modes keep their defaults, so a stored
    edit says only what acts in its mode."""
    mode = options.mode
    inpaint, outpaint = mode is EditMode.INPAINT, mode is EditMode.OUTPAINT
    return Edit(
        mode=mode,
        source=source,
        strength=default_strength(mode) if options.strength is None else options.strength,
        mask=mask if inpaint else None,
        resize=options.resize if mode is EditMode.IMAGE_TO_IMAGE else _DEFAULTS.resize,
        area=options.area if inpaint else _DEFAULTS.area,
        padding=options.padding if inpaint else _DEFAULTS.padding,
        feather=options.feather if inpaint or outpaint else _DEFAULTS.feather,
        outpaint=options.outpaint if outpaint else _DEFAULTS.outpaint,
        upscale=options.upscale if mode is EditMode.UPSCALE else _DEFAULTS.upscale,
        parent_image=parent_image,
    )


def options_of(edit: Edit, current: EditOptions) -> EditOptions:
    """The options an edit was made with; fields its mode does not use stay as they are."""
    mode = edit.mode
    inpaint, outpaint = mode is EditMode.INPAINT, mode is EditMode.OUTPAINT
    return EditOptions(
        mode=mode,
        strength=edit.strength,
        resize=edit.resize if mode is EditMode.IMAGE_TO_IMAGE else current.resize,
        area=edit.area if inpaint else current.area,
        padding=edit.padding if inpaint else current.padding,
        feather=edit.feather if inpaint or outpaint else current.feather,
        outpaint=edit.outpaint if outpaint else current.outpaint,
        upscale=edit.upscale if mode is EditMode.UPSCALE else current.upscale,
    )


def draft(options: EditOptions, size: Size, has_mask: bool, parent_image: int | None) -> Edit:
    stand_in = StoredImage(STAND_IN_HASH, *size)
    return to_edit(options, stand_in, stand_in if has_mask else None, parent_image)


def work_size(edit: Edit, chosen: Size) -> Size:
    """The request's width × height for this edit; `chosen` where the edit cannot be made (its
    problems say why)."""
    sizes = edit_sizes(edit, chosen)
    return chosen if sizes is None else sizes.work


def sizing(edit: Edit, chosen: Size, mask: np.ndarray | None) -> EditSizing:
    """`mask`: where the engine repaints (inpainting only), for the masked area's own size."""
    sizes = edit_sizes(edit, chosen)
    follows = edit.mode is EditMode.IMAGE_TO_IMAGE and edit.resize is not Resize.KEEP
    if sizes is None:
        return EditSizing(None, None, follows)
    masked = edit.mode is EditMode.INPAINT and edit.area is InpaintArea.MASKED
    area = area_work = None
    if masked and mask is not None and mask.any():
        box, area_work = masked_area(mask, edit.feather, edit.padding)
        area = box.size
    lowered = None
    if edit.mode is EditMode.UPSCALE:
        used = upscale_factor(edit.source.width, edit.source.height, edit.upscale)
        lowered = used if used < edit.upscale else None
    return EditSizing(sizes.work, sizes.output, follows, masked, area, area_work, lowered)


def problems(edit: Edit, chosen: Size) -> list[str]:
    """What must change before this edit can be queued, in the UI language."""
    width, height = work_size(edit, chosen)
    request = GenerationRequest(prompt="edit", width=width, height=height, edit=edit)
    found = [p for p in request.problems() if p.field in EDIT_FIELDS]
    return [problem.message.text() for problem in found]

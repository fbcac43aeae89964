"""Edit modes, the picture side: what the model starts from and works at, and how its result
becomes the final image. PIL and numpy only: the CLI checks its inputs with this before torch
loads. The denoising side (diffsynth's inputs, the masked-latent blend) is engine/edit_run.py.

Sizes follow core/edit_sizes.py. The model works at `EditPlan.work_size`; its picture is scaled
to `box` (a crop for masked-area inpainting, else the whole output) and, for inpainting and
outpainting, laid over the original with the feathered mask, so pixels past the feather keep the
original's bytes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from majicflux_desktop.core.edit import (
    MAX_SIDE,
    MIN_SIDE,
    Edit,
    EditMode,
    InpaintArea,
    Resize,
    StoredImage,
)
from majicflux_desktop.core.edit_sizes import (
    Size,
    edit_sizes,
    size_problems,
    steps_run,
    upscale_factor,
)
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.engine import masks
from majicflux_desktop.engine.masks import Box

PictureSource = Callable[[StoredImage], Image.Image]  # an edit's stored source or mask

# A small masked area is generated at least this large on its long side: FLUX draws poorly
# below about 512 pixels, and the result is scaled back down to the area anyway.
MIN_MASKED_LONG_SIDE = 512
LANCZOS = Image.Resampling.LANCZOS


@dataclass(frozen=True)
class EditPlan:
    mode: EditMode
    work_size: Size  # what the model generates (each side a multiple of 16)
    output_size: Size  # the final image
    init_image: Image.Image  # at work_size: what the model starts from
    strength: float
    steps: int  # denoising steps that run: about strength × the request's steps
    box: Box  # where the generated picture lands in the output
    latent_mask: np.ndarray | None = None  # latent cells at work_size; True = generated
    base: Image.Image | None = None  # the picture the result is laid over (output size)
    alpha: np.ndarray | None = None  # the generated picture's weight over `alpha_box`
    alpha_box: Box | None = None  # inside `box`
    notes: tuple[Message, ...] = ()

    @property
    def blends(self) -> bool:
        return self.latent_mask is not None


def prepare(request: GenerationRequest, pictures: PictureSource) -> EditPlan:
    """Open the edit's pictures and plan it; a UserError names what to change."""
    edit = request.edit
    if edit is None:
        raise ValueError("not an edit")
    source = pictures(edit.source).convert("RGB")
    if source.size != (edit.source.width, edit.source.height):  # sizes come from the pixels
        stored = dataclasses.replace(edit.source, width=source.width, height=source.height)
        edit = dataclasses.replace(edit, source=stored)
        request = dataclasses.replace(request, edit=edit)
    problems = size_problems(request.edit, request.width, request.height)
    sizes = edit_sizes(edit, (request.width, request.height))
    if problems or sizes is None:
        raise UserError(problems[0].message)
    steps = steps_run(request.steps, edit.strength)
    whole = Box(0, 0, *sizes.output)
    if edit.mode is EditMode.IMAGE_TO_IMAGE:
        init = fit_picture(source, sizes.work, edit.resize)
        return EditPlan(edit.mode, sizes.work, sizes.output, init, edit.strength, steps, whole)
    if edit.mode is EditMode.UPSCALE:
        init = source.resize(sizes.work, LANCZOS)
        notes = _upscale_notes(edit, source)
        return EditPlan(
            edit.mode, sizes.work, sizes.output, init, edit.strength, steps, whole, notes=notes
        )
    if edit.mode is EditMode.OUTPAINT:
        base = outpaint_start(source, edit.outpaint)
        mask = np.ones((base.height, base.width), dtype=bool)
        left, top = edit.outpaint[0], edit.outpaint[1]
        mask[top : top + source.height, left : left + source.width] = False
        return _masked(edit, steps, base, mask, whole, sizes.work, ())
    if edit.mask is None:
        raise ValueError("inpainting without a mask passed validation")
    mask, note = masks.binary_mask(pictures(edit.mask), source.size)
    masks.refuse_empty(mask)
    notes = () if note is None else (note,)
    if edit.area is InpaintArea.WHOLE:
        return _masked(edit, steps, source, mask, whole, sizes.work, notes)
    box, work = masked_area(mask, edit.feather, edit.padding)
    area_note = Message(
        "edit",
        QT_TRANSLATE_NOOP(
            "edit",
            "Repainted the {box_width}×{box_height} pixels around the mask at "
            "{work_width}×{work_height}.",
        ),
        {"box_width": box.width, "box_height": box.height, "work_width": work[0], "work_height": work[1]},
    )  # fmt: skip
    return _masked(edit, steps, source, mask, box, work, (*notes, area_note))


def _masked(
    edit: Edit,
    steps: int,
    base: Image.Image,
    mask: np.ndarray,
    box: Box,
    work: Size,
    notes: tuple[Message, ...],
) -> EditPlan:
    alpha, alpha_box = masks.feathered(mask, edit.feather)
    region = mask[box.slices()]
    return EditPlan(
        edit.mode,
        work,
        base.size,
        base.crop(box.as_tuple()).resize(work, LANCZOS),
        edit.strength,
        steps,
        box,
        latent_mask=masks.latent_cells(region, work),
        base=base,
        alpha=alpha,
        alpha_box=alpha_box,
        notes=notes,
    )


def finish(plan: EditPlan, generated: Image.Image) -> Image.Image:
    """The final image: the model's picture scaled to its box, laid over the original where the
    feathered mask says; every pixel where the mask's weight is 0 is the original's, byte for
    byte."""
    picture = generated.convert("RGB")
    if picture.size != plan.box.size:
        picture = picture.resize(plan.box.size, LANCZOS)
    if plan.base is None or plan.alpha is None or plan.alpha_box is None:
        return picture
    out = np.array(plan.base.convert("RGB"))
    rows, columns = plan.alpha_box.slices()
    original = out[rows, columns]
    made = np.asarray(picture)[plan.alpha_box.slices(within=plan.box)].astype(np.float32)
    weight = plan.alpha[..., None]
    mixed = weight * made + (1.0 - weight) * original.astype(np.float32)
    mixed = np.clip(np.rint(mixed), 0, 255).astype(np.uint8)
    out[rows, columns] = np.where(weight > 0, mixed, original)
    return Image.fromarray(out, "RGB")


# -- image to image and upscale --------------------------------------------------------------------


def fit_picture(source: Image.Image, size: Size, resize: Resize) -> Image.Image:
    """The source at `size`: Fit shows all of it over a blurred, covering copy of itself (no
    black bars for the model to copy); Fill and Keep cover the size and crop the centre."""
    if resize is not Resize.FIT:
        return ImageOps.fit(source, size, LANCZOS)
    background = ImageOps.fit(source, size, LANCZOS)
    background = background.filter(ImageFilter.GaussianBlur(max(size) / 40))
    shown = ImageOps.contain(source, size, LANCZOS)
    background.paste(shown, ((size[0] - shown.width) // 2, (size[1] - shown.height) // 2))
    return background


def _upscale_notes(edit: Edit, source: Image.Image) -> tuple[Message, ...]:
    used = upscale_factor(source.width, source.height, edit.upscale)
    if used >= edit.upscale:
        return ()
    return (
        Message(
            "edit",
            QT_TRANSLATE_NOOP(
                "edit",
                "Upscaled ×{used:.2f} instead of ×{asked}: upscaling stops at {limit} pixels on "
                "the long side.",
            ),
            {"used": used, "asked": edit.upscale, "limit": MAX_SIDE},
        ),
    )


# -- outpainting ----------------------------------------------------------------------------------


def outpaint_start(source: Image.Image, sides: tuple[int, int, int, int]) -> Image.Image:
    """The larger canvas: the source unchanged, the new area its edges stretched outwards and
    blurred (colours that continue the picture, no detail for the model to copy)."""
    left, top, right, bottom = sides
    stretched = np.pad(np.asarray(source), ((top, bottom), (left, right), (0, 0)), mode="edge")
    canvas = Image.fromarray(stretched, "RGB")
    radius = min(64.0, max(4.0, max(sides) / 4))
    canvas = canvas.filter(ImageFilter.GaussianBlur(radius))
    canvas.paste(source, (left, top))
    return canvas


# -- inpainting the masked area at full resolution -------------------------------------------------


def masked_area(mask: np.ndarray, feather: int, padding: int) -> tuple[Box, Size]:
    """The crop around the mask (its feather and `padding` pixels of context around it) and the
    size it is generated at: its own pixels, scaled up to 512 on the long side if smaller and
    down to 2048 if larger; a thin crop is widened (more context) to 256 on its short side."""
    height, width = mask.shape
    box = masks.bounding_box(mask).grown(feather + padding, width, height)
    scale = masks.scale_for_area(box, MIN_MASKED_LONG_SIDE, MAX_SIDE)
    box = masks.widened(box, masks.needed_side(MIN_SIDE, scale), width, height)
    scale = masks.scale_for_area(box, MIN_MASKED_LONG_SIDE, MAX_SIDE)
    work = (_work_side(box.width * scale), _work_side(box.height * scale))
    return box, work


def _work_side(value: float) -> int:
    return min(MAX_SIDE, max(MIN_SIDE, int(value / 16 + 0.5) * 16))

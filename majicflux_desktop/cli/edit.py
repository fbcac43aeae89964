"""`majicflux generate --init-image …`: an edit from the command line, checked before torch loads.

The pictures are read as the app reads dropped files (`read_picture`: not an image, a damaged
file and a decompression bomb each get their message) and kept in the data folder's
`SourceStore`, as the app keeps a queued edit's pictures; the engine opens them from there.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from PIL import Image

from majicflux_desktop.core.edit import Edit, EditMode, InpaintArea, Resize, StoredImage
from majicflux_desktop.core.edit_sizes import default_strength, edit_sizes, fit_work_size
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, user_error
from majicflux_desktop.core.request import DEFAULT_SIZE, GenerationRequest
from majicflux_desktop.core.store.sources import SourceStore, read_picture
from majicflux_desktop.engine import masks  # numpy and PIL only

EDIT_OPTIONS = ("init_image", "mask", "outpaint", "upscale", "strength")


def sides(text: str) -> tuple[int, int, int, int]:
    try:
        left, top, right, bottom = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--outpaint takes four numbers of pixels, left,top,right,bottom (like 0,0,256,0), "
            f"not {text!r}"
        ) from None
    return left, top, right, bottom


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--init-image",
        help="start from this picture (PNG, JPEG, WebP): image to image, or with --mask, "
        "--outpaint or --upscale",
    )
    parser.add_argument(
        "--strength",
        type=float,
        help="0.05 to 1: how much of the picture is repainted (default 0.6; 0.9 with "
        "--outpaint, 0.35 with --upscale); about strength × steps steps run",
    )
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--mask", help="inpaint: the white part of this picture is repainted")
    modes.add_argument(
        "--outpaint", type=sides, help="pixels to add on each side: left,top,right,bottom"
    )
    modes.add_argument(
        "--upscale", type=float, help="1.5 or 2 (the long side stops at 2048 pixels)"
    )
    parser.add_argument(
        "--resize",
        choices=[choice.value for choice in Resize],
        default=Resize.FIT.value,
        help="image to image: fit the picture into --size, fill it (cropping), or keep its size",
    )
    parser.add_argument(
        "--area",
        choices=[choice.value for choice in InpaintArea],
        default=InpaintArea.MASKED.value,
        help="inpaint the masked area at full resolution (default) or the whole picture",
    )
    parser.add_argument("--feather", type=int, default=8, help="pixels of blending at the mask")
    parser.add_argument(
        "--padding", type=int, default=32, help="pixels of context around a masked area"
    )


def wanted(args: argparse.Namespace) -> bool:
    return any(getattr(args, option) is not None for option in EDIT_OPTIONS)


def _read(path_text: str) -> Image.Image:
    path = Path(path_text)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise user_error(
            "cli",
            QT_TRANSLATE_NOOP("cli", "Cannot read “{path}”: {reason}. Check the path."),
            path=path,
            reason=exc.strerror or exc,
        ) from exc
    return read_picture(data, path.name)


def _mode(args: argparse.Namespace) -> EditMode:
    if args.mask is not None:
        return EditMode.INPAINT
    if args.outpaint is not None:
        return EditMode.OUTPAINT
    if args.upscale is not None:
        return EditMode.UPSCALE
    return EditMode.IMAGE_TO_IMAGE


def build(
    args: argparse.Namespace, data_dir: Path, fields: dict[str, Any]
) -> tuple[GenerationRequest, SourceStore]:
    """The checked edit request, and the store its pictures were put in (for `pictures=`).

    Every problem is found before anything is written: the picture, the mask, then the request
    (strength, sizes) with the pictures' sizes; only then are the pictures stored.
    """
    if args.init_image is None:
        raise SystemExit("error: --mask, --outpaint, --upscale and --strength need --init-image")
    source = _read(args.init_image).convert("RGB")
    mask_layer = None
    if args.mask is not None:
        mask_image = _read(args.mask)
        mask, _ = masks.binary_mask(mask_image, source.size)  # the engine notes the scaling
        masks.refuse_empty(mask)
        mask_layer = masks.mask_layer(mask_image)
    mode = _mode(args)
    placeholder = StoredImage("0" * 64, source.width, source.height)
    edit = Edit(
        mode,
        placeholder,
        strength=default_strength(mode) if args.strength is None else args.strength,
        mask=None if mask_layer is None else StoredImage("0" * 64, *mask_layer.size),
        resize=Resize(args.resize),
        area=InpaintArea(args.area),
        padding=args.padding,
        feather=args.feather,
        outpaint=args.outpaint or (0, 0, 0, 0),
        upscale=args.upscale or 1.0,
    )
    chosen = args.size
    if chosen is None:  # image to image keeps the picture's shape unless told otherwise
        chosen = fit_work_size(source.width, source.height)
    sizes = edit_sizes(edit, chosen)
    width, height = chosen if sizes is None else sizes.work
    if args.size is not None and (width, height) != args.size:
        print(
            f"note: this edit works at {width}×{height} (set by the picture), not --size "
            f"{args.size[0]}×{args.size[1]}",
            file=sys.stderr,
        )
    GenerationRequest(**fields, width=width, height=height, edit=edit).checked()
    store = SourceStore(data_dir / "sources")
    stored_mask = None if mask_layer is None else store.put(mask_layer, mode="L")
    edit = dataclasses.replace(edit, source=store.put(source), mask=stored_mask)
    request = GenerationRequest(**fields, width=width, height=height, edit=edit).checked()
    return request, store


DEFAULT_TEXT_TO_IMAGE_SIZE = (DEFAULT_SIZE, DEFAULT_SIZE)

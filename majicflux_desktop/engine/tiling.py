"""Tiling: how a job of a given size stays within the memory budget.

A streamed plan chooses at load time which transformer blocks stay on the GPU, for the
activations of a 1024×1024 image (placement.stream_pipeline). A job of another size has other
activations: per 1k image tokens about 0.16 GiB for a transformer step and 0.55 GiB for the VAE
(memory.py). Before each job the engine predicts the process's peak for the job's real size with
the plan's own residency (`choose_tiling`) and, where that would pass the budget, tiles what
grows, cheapest first:

1. the VAE (the decode, and the encode of an edit's start picture) in 512-pixel tiles:
   little time, no visible change;
2. then also the transformer, in the largest tiles that fit (1024, 768, then 512 pixels a side,
   overlapping by half: diffsynth's tiled DiT). Each tile runs every block, so a step costs more
   (nine 1024² tiles for a 2048² image), and a streamed plan streams its blocks once per tile.

Budgets under 5 GB decode images larger than 512² in tiles whatever the prediction (as before).
The decision is plain arithmetic (no torch); `Engine.tiling_for(width, height)` reports it for a
loaded plan, which is what the GPU benchmark needs to compare with what it measures.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message
from majicflux_desktop.engine import memory

LATENT = 8  # pixels per latent cell
DIT_TILES = (128, 96, 64)  # latent cells a side, largest first: 1024, 768, 512 pixels
DECODE_TILE, DECODE_STRIDE = 64, 32  # latent cells (512-pixel tiles)
ENCODE_TILE, ENCODE_STRIDE = 512, 256  # pixels
SMALL_IMAGE = 512  # pixels: a side up to this never needs a tiled decode
# The VAE encoder's activations are not measured yet. Its full-resolution stage is narrower than
# the decoder's (128 against 256 channels), so the decoder's figures are used as an upper bound.
ENCODE_ACTIVATION_PER_1K_TOKENS = memory.VAE_ACTIVATION_PER_1K_TOKENS


@dataclass(frozen=True)
class Activations:
    """Peak activation bytes of each phase that grows with the image."""

    dit: int
    decode: int
    encode: int


PeakModel = Callable[[Activations], int]  # activations -> the process's predicted GPU peak


def tile_starts(length: int, tile: int, stride: int) -> list[int]:
    """Where diffsynth's tiled DiT (FastTileWorker) starts its tiles along one side."""
    starts = []
    for start in range(0, length, stride):
        if start - stride >= 0 and start - stride + tile >= length:
            continue
        starts.append(min(start, length - tile))
    return starts


@dataclass(frozen=True)
class Tiling:
    """The tiling of one job; zero and False mean whole."""

    width: int
    height: int
    dit_tile: int = 0  # latent cells a side of a transformer tile
    encode_tiled: bool = False
    decode_tiled: bool = False
    predicted_peak: int | None = None  # bytes; None where nothing is predicted (CPU, no budget)
    budget: int | None = None

    @property
    def dit_stride(self) -> int:
        return self.dit_tile // 2

    @property
    def dit_tiles(self) -> int:
        """Transformer passes per step (1 when whole)."""
        if not self.dit_tile:
            return 1
        rows = tile_starts(self.height // LATENT, self.dit_tile, self.dit_stride)
        columns = tile_starts(self.width // LATENT, self.dit_tile, self.dit_stride)
        return len(rows) * len(columns)

    @property
    def fits(self) -> bool:
        if self.predicted_peak is None or self.budget is None:
            return True
        return self.predicted_peak <= self.budget

    def summary(self) -> str:
        """One line for logs and the benchmark."""
        dit = f"{self.dit_tiles} tiles of {self.dit_tile * LATENT}px" if self.dit_tile else "whole"
        peak = "-" if self.predicted_peak is None else f"{self.predicted_peak / memory.GIB:.2f}"
        budget = "none" if self.budget is None else f"{self.budget / memory.GIB:.2f}"
        return (
            f"{self.width}x{self.height}: transformer {dit}, encode "
            f"{'tiled' if self.encode_tiled else 'whole'}, decode "
            f"{'tiled' if self.decode_tiled else 'whole'}, predicted peak {peak} GiB of {budget}"
        )

    def note(self) -> Message | None:
        if not self.dit_tile:
            return None
        return Message(
            "engine",
            QT_TRANSLATE_NOOP(
                "engine",
                "{width}×{height} was made in {count} overlapping tiles of {tile}×{tile} pixels "
                "to stay within the {budget:.1f} GB memory budget, which takes longer.",
            ),
            {
                "width": self.width,
                "height": self.height,
                "count": self.dit_tiles,
                "tile": self.dit_tile * LATENT,
                "budget": (self.budget or 0) / memory.GIB,
            },
        )


def dit_activations(width: int, height: int, tile: int = 0) -> int:
    if not tile:
        return memory.dit_activation_bytes(width, height)
    # diffsynth's tiler keeps a float sum and a weight of the whole latent image besides a tile.
    accumulators = 17 * (width // LATENT) * (height // LATENT) * 4
    return memory.dit_activation_bytes(tile * LATENT, tile * LATENT) + accumulators


def decode_activations(width: int, height: int, tiled: bool) -> int:
    whole = memory.vae_activation_bytes(width, height)
    return min(whole, memory.TILED_VAE_ACTIVATION) if tiled else whole


def encode_activations(width: int, height: int, tiled: bool) -> int:
    whole = int(ENCODE_ACTIVATION_PER_1K_TOKENS * (width // 16) * (height // 16) / 1024)
    return min(whole, memory.TILED_VAE_ACTIVATION) if tiled else whole


def choose_tiling(
    width: int, height: int, budget: int | None, peak: PeakModel | None, encodes: bool = False
) -> Tiling:
    """The cheapest tiling whose predicted peak fits `budget`; the smallest tiles (and a
    prediction over the budget) when none does, so the out-of-memory fallback can still act.
    `encodes`: the job encodes a width × height start picture (an edit)."""
    small_budget = budget is not None and budget < memory.TILED_DECODE_BELOW
    forced_decode = small_budget and min(width, height) > SMALL_IMAGE
    if budget is None or peak is None:
        return Tiling(width, height, decode_tiled=forced_decode)
    shortest = min(width, height) // LATENT
    options = [(0, False), (0, True)]
    options += [(tile, True) for tile in DIT_TILES if tile <= shortest]
    chosen = Tiling(width, height)
    for dit_tile, vae_tiled in options:
        decode_tiled = vae_tiled or forced_decode
        predicted = peak(
            Activations(
                dit_activations(width, height, dit_tile),
                decode_activations(width, height, decode_tiled),
                encode_activations(width, height, vae_tiled) if encodes else 0,
            )
        )
        encode_tiled = vae_tiled and encodes
        chosen = Tiling(width, height, dit_tile, encode_tiled, decode_tiled, predicted, budget)
        if predicted <= budget:
            break
    return chosen


@dataclass(frozen=True)
class StreamedMemory:
    """What placement planned a streamed pipeline with (at 1024²), kept to predict other sizes
    with the same residency."""

    space: memory.Workspace
    dit_units: list[int]
    t5_units: list[int]
    residency: memory.Residency
    encoder_bytes: int = 0  # the VAE encoder's weights, on the GPU only while it encodes

    def peak(self, activations: Activations) -> int:
        encode = activations.encode + self.encoder_bytes if activations.encode else 0
        space = dataclasses.replace(
            self.space,
            dit_activations=activations.dit,
            vae_activations=max(activations.decode, encode),
        )
        return memory.predicted_peak(
            space, self.dit_units, self.residency.dit, self.t5_units, self.residency.t5
        )


def resident_peak(plan: str) -> PeakModel:
    """The peak of a plan that leaves its models where diffsynth put them (bf16, fp8-offload):
    the peak measured at 1024² with its largest phase (the VAE decode) traded for the job's."""
    at_1024 = max(dit_activations(1024, 1024), decode_activations(1024, 1024, tiled=False))
    base = int(memory.PEAK_AT_1024[plan] * memory.GIB) - at_1024

    def peak(activations: Activations) -> int:
        return base + max(activations.dit, activations.decode, activations.encode)

    return peak


# -- applying a decision (torch from here on, imported lazily) ----------------------------------


def tiled_model_fn(model_fn: Callable[..., Any], tiling: Tiling) -> Callable[..., Any]:
    """diffsynth's model function with the transformer tiled as decided (only the transformer:
    the pipeline's own `tiled=` would tile the VAE too, in the transformer's units)."""

    def run(**inputs: Any) -> Any:
        inputs.update(tiled=True, tile_size=tiling.dit_tile, tile_stride=tiling.dit_stride)
        return model_fn(**inputs)

    return run


def tiled_run(
    forward: Callable[[Any], Any], sample: Any, tile: int, stride: int, scale: float
) -> Any:
    """`forward` over overlapping tiles of `sample` (B, C, H, W), blended into one output `scale`
    times its size.

    As diffsynth's tiled transformer lays its tiles (`tile_starts`): the last tile of a row or
    column ends at the edge, so nothing is padded or left out, and the blend ramps only where
    tiles overlap. (diffsynth's VAE tiler drops a remainder that its stride does not reach, and
    that remainder comes back as NaN: 1152×896 loses its last 16 rows and columns.)
    """
    import torch

    height, width = sample.shape[-2:]
    tall, wide = min(tile, height), min(tile, width)
    out: Any = None
    weight: Any = None
    for top in tile_starts(height, tall, stride) if height > tall else [0]:
        for left in tile_starts(width, wide, stride) if width > wide else [0]:
            piece = forward(sample[..., top : top + tall, left : left + wide])
            if out is None:
                size = (round(height * scale), round(width * scale))
                out = torch.zeros(*piece.shape[:2], *size, dtype=torch.float32, device=piece.device)
                weight = torch.zeros(1, 1, *size, dtype=torch.float32, device=piece.device)
            edges = (top == 0, top + tall >= height, left == 0, left + wide >= width)
            ramp = _ramp(piece.shape[-2:], edges, max(1, round((tile - stride) * scale / 2)))
            ramp = ramp.to(piece.device)
            rows = slice(round(top * scale), round(top * scale) + piece.shape[-2])
            columns = slice(round(left * scale), round(left * scale) + piece.shape[-1])
            out[..., rows, columns] += piece.float() * ramp
            weight[..., rows, columns] += ramp
    return (out / weight).to(sample.dtype)


def _ramp(shape: Any, at_edge: tuple[bool, bool, bool, bool], border: int) -> Any:
    """A tile's blend weight: rising from the tile's sides over `border` pixels, except on the
    sides that are the picture's own edges (nothing overlaps there)."""
    import torch

    height, width = int(shape[0]), int(shape[1])
    rows = torch.arange(height, dtype=torch.float32)[:, None].expand(height, width)
    columns = torch.arange(width, dtype=torch.float32)[None, :].expand(height, width)
    far = torch.full((height, width), float(border))
    distances = torch.stack(
        [
            far if at_edge[0] else rows + 1,
            far if at_edge[1] else height - rows,
            far if at_edge[2] else columns + 1,
            far if at_edge[3] else width - columns,
        ]
    )
    return (distances.min(dim=0).values.clamp(max=border) / border)[None, None]


class VaeTiler:
    """Makes one VAE half run in tiles when the current job's tiling says so.

    A pre-hook sets diffsynth's `tiled=` arguments (what others, and tests, see), and the
    module's forward is replaced by one that honours them with `tiled_run` instead of diffsynth's
    tiler. Installed once, when the pipeline is built; each call reads the job's decision.
    """

    def __init__(self, wanted: Callable[[], bool], tile: int, stride: int, scale: float):
        self.wanted = wanted
        self.tile, self.stride, self.scale = tile, stride, scale

    def install(self, module: Any) -> None:
        whole = module.forward

        def forward(sample: Any, *args: Any, tiled: bool = False, **kwargs: Any) -> Any:
            if not tiled:
                return whole(sample, *args, **kwargs)
            tile = kwargs.pop("tile_size", self.tile)
            stride = kwargs.pop("tile_stride", self.stride)
            return tiled_run(
                lambda piece: whole(piece, *args, **kwargs), sample, tile, stride, self.scale
            )

        module.forward = forward
        module.register_forward_pre_hook(self.before, with_kwargs=True)

    def before(self, module: Any, args: Any, kwargs: dict[str, Any]) -> Any:
        if not self.wanted() or max(args[0].shape[-2:]) <= self.tile:
            return None
        tiles = {"tiled": True, "tile_size": self.tile, "tile_stride": self.stride}
        return args, {**kwargs, **tiles}


def install_vae_tiling(pipe: Any, current: Callable[[], Tiling | None]) -> None:
    """Tile the VAE's decode and encode as the current job's tiling (`current()`) says."""

    def decode() -> bool:
        tiling = current()
        return tiling is not None and tiling.decode_tiled

    def encode() -> bool:
        tiling = current()
        return tiling is not None and tiling.encode_tiled

    VaeTiler(decode, DECODE_TILE, DECODE_STRIDE, LATENT).install(pipe.vae_decoder)
    if pipe.vae_encoder is not None:
        VaeTiler(encode, ENCODE_TILE, ENCODE_STRIDE, 1 / LATENT).install(pipe.vae_encoder)

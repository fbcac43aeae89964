"""LoRAs folded into a streamed block's upcast weights: W + Δ made once per block run, not added to
every output.

With bf16 maths the streamer upcasts every float8 block into a bf16 workspace slot before it runs
(streaming.BlockStreamer._prepare), so a changed weight costs nothing to keep: the slot is thrown
away after the run. There a LoRA's change is added to the weight as it is upcast, instead of as a
side branch on the Linear's output (lora_apply._add_pairs). The two are the same sum rounded
differently. Over a 1024² step they do about as many multiplications (rank · out · in per Linear,
against rank · tokens · (in + out): fewer for the image Linears, more for the text and modulation
ones), but the fold does them on the upcast stream, beside the previous block's maths, and the
compute stream makes no second pass over each Linear's input and output; the Linears stay plain,
so the compiled blocks run their LoRA-free graphs. On the H200 that took two LoRAs from 1.03–1.11×
the LoRA-free step to 0.98–1.01× (bench/README.md). The float8 weights are never rewritten.

On an NVIDIA GPU with Triton (and compiled maths not turned off) a kernel upcasts and adds the
change in one pass: it reads the float8 weight once and writes the bf16 one once, as the plain
upcast does, and the change never exists in memory. Elsewhere (no Triton, the CPU) the slot is
upcast and the change added into it by a matrix product (`addmm_`), the same sum with one more
read and write of the slot's rows; on a GPU that gives cuBLAS a workspace for the upcast stream,
which memory.ALLOCATOR_SLACK covers.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from typing import Any

import torch

from majicflux_desktop.engine.lora_apply import Pair, widened_pair

log = logging.getLogger("majicflux.loras")


def widened(pair: Pair, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """(down_t, up_t) in `dtype` (lora_apply.widened_pair)."""
    _, down_t, up_t, _ = widened_pair(pair, dtype)
    return down_t.to(dtype), up_t.to(dtype)


def upcast(
    source: torch.Tensor,
    scale: torch.Tensor | None,
    pairs: Sequence[Pair],
    target: torch.Tensor,
    kernel: bool = True,
) -> None:
    """target = source (upcast, times its per-row `scale` if any) + each pair's change, on the
    current stream. `source` and `target`: one Linear's (out, in) weight, stored and upcast.
    `kernel`: the Triton kernel where it works (False: `addmm_`, compiled maths turned off)."""
    rows = target.shape[0]
    fold = _kernel(target) if kernel else None
    fused: list[tuple[int, int, Pair]] = []  # pairs whose rows the kernel takes, none overlapping
    rest: list[Pair] = []  # added by addmm_ after the upcast
    for pair in pairs:
        start, stop = pair[0] if pair[0] is not None else (0, rows)
        if fold is not None and all(stop <= a or start >= b for a, b, _ in fused):
            fused.append((start, stop, pair))
        else:
            rest.append(pair)
    covered = sorted((start, stop) for start, stop, _ in fused)
    at = 0
    for start, stop in [*covered, (rows, rows)]:  # rows no kernel writes: a plain upcast
        if start > at:
            _plain(source[at:start], None if scale is None else scale[at:start], target[at:start])
        at = max(at, stop)
    for start, stop, pair in fused:
        part = (source[start:stop], None if scale is None else scale[start:stop])
        if not _launched(fold, *part, *widened(pair, target.dtype), target[start:stop]):
            _plain(*part, target[start:stop])
            rest.append(pair)
    for pair in rest:
        start, stop = pair[0] if pair[0] is not None else (0, rows)
        down_t, up_t = widened(pair, target.dtype)
        target[start:stop].addmm_(up_t.t(), down_t.t())


def _plain(source: torch.Tensor, scale: torch.Tensor | None, target: torch.Tensor) -> None:
    target.copy_(source, non_blocking=True)
    if scale is not None:
        target.mul_(scale)


def _kernel(target: torch.Tensor) -> Any:
    """The Triton fold for this target, or None (the CPU, no Triton, or a kernel that failed)."""
    if target.device.type != "cuda" or target.dtype not in (torch.bfloat16, torch.float16):
        return None
    return None if _kernel_works is False else _triton_fold()


@functools.cache
def _triton_fold() -> Any:
    """The fused upcast-and-fold, if Triton can build kernels here (None: it cannot)."""
    from majicflux_desktop.engine import toolchain

    try:
        from torch.utils._triton import has_triton
    except ImportError:
        return None
    if not has_triton() or toolchain.problem() is not None:
        return None
    try:
        from majicflux_desktop.engine import lora_fold_triton
    except Exception as exc:  # any failure leaves the plain path, said once
        log.warning("LoRA fold kernel unavailable (%s): the upcast adds LoRAs by addmm", exc)
        return None
    return lora_fold_triton.fold


_kernel_works: bool | None = None  # None: not launched yet


def _launched(fold: Any, *args: torch.Tensor | None) -> bool:
    """Launch the kernel; False if its first launch failed (a launcher that does not build):
    then `_kernel` offers it no more, said once. A failure after a launch that worked is an
    error of its own, raised."""
    global _kernel_works
    if _kernel_works is False:
        return False
    try:
        fold(*args)
    except Exception as exc:
        if _kernel_works:
            raise
        _kernel_works = False
        log.warning("LoRA fold kernel failed (%s): the upcast adds LoRAs by addmm", exc)
        return False
    _kernel_works = True
    return True

"""Memory plans (where each model lives and in which dtype), the VRAM probe, and the choice of plan.

Importing this module does not import torch: the window's VRAM gauge reads the probe before the
engine has loaded.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message
from majicflux_desktop.engine import layouts

GIB = 1024**3
log = logging.getLogger("majicflux.memory")

# torch's CUDA allocators, as PYTORCH_CUDA_ALLOC_CONF tells them at their first use:
# - expandable segments: large blocks come and go (workspace, VAE decode), and without them the
#   allocator fragments;
# - page-locked host memory (the streamed plans' arena, T5's bounce buffer, LoRA pairs in RAM)
#   taken as ordinary memory whose pages 8 threads touch, then registered with CUDA: 8 GiB in
#   1.4 s on the H200's host against 3.1 s with cudaHostAlloc (3.3 s in 8 threads), copied to
#   the GPU at 54.9 against 55.5 GB/s (bench/pinning.py). The 8 GB plan's "transformer read and
#   packed" went from 4.9 to 3.0 s.
CUDA_ALLOCATOR = {
    "expandable_segments": "True",
    "pinned_use_cuda_host_register": "True",
    "pinned_num_register_threads": "8",
}


def use_cuda_allocator_settings() -> None:
    """Put CUDA_ALLOCATOR into this process's environment, before torch uses CUDA; a setting
    already there (the person's own) stays as it is."""
    given = os.environ.get("PYTORCH_CUDA_ALLOC_CONF", "")
    named = {part.split(":", 1)[0].strip() for part in given.split(",") if part.strip()}
    added = [f"{key}:{value}" for key, value in CUDA_ALLOCATOR.items() if key not in named]
    os.environ["PYTORCH_CUDA_ALLOC_CONF"] = ",".join(filter(None, [given.strip(), *added]))


# -- the VRAM probe --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemoryReading:
    has_gpu: bool
    name: str = ""
    total: int = 0  # bytes
    used: int = 0  # by everything on the card
    app: int | None = None  # by this process, where the driver tells (not under Windows WDDM)
    system_total: int = 0  # host RAM, shown for the CPU demo
    system_used: int = 0

    @property
    def free(self) -> int:
        return max(0, self.total - self.used)

    @property
    def system_available(self) -> int:
        """Host RAM other programs leave (the OS's "available": free plus reclaimable cache)."""
        return max(0, self.system_total - self.system_used)


class VramProbe:
    """Cheap, thread-safe reading of GPU memory through NVML (no torch, no CUDA context).

    `app_bytes` may be set by the engine's thread to a callable returning this process's
    allocator reservation; it is used where NVML cannot tell per-process usage (Windows).
    """

    def __init__(self, device_index: int = 0):
        self._lock = threading.Lock()
        self._handle: Any = None
        self._nvml: Any = None
        self._name = ""
        self._pid = os.getpid()
        self.app_bytes: Callable[[], int] | None = None
        self.error_message: Message | None = None  # why there is no reading, for the gauge
        try:
            import pynvml

            pynvml.nvmlInit()
            self._handle = pynvml.nvmlDeviceGetHandleByIndex(device_index)
            name = pynvml.nvmlDeviceGetName(self._handle)
            self._name = name.decode() if isinstance(name, bytes) else str(name)
            self._nvml = pynvml
        except Exception as exc:  # no driver, no GPU, or NVML missing: the gauge says so
            log.info("no GPU reading through NVML: %r", exc)
            self.error_message = nvml_problem(exc)

    @property
    def error(self) -> str:
        """Why there is no GPU reading, in the UI language ("" when there is one)."""
        return "" if self.error_message is None else self.error_message.text()

    @property
    def has_gpu(self) -> bool:
        return self._handle is not None

    def read(self) -> MemoryReading:
        import psutil

        ram = psutil.virtual_memory()
        if self._handle is None:
            return MemoryReading(
                False, system_total=ram.total, system_used=ram.total - ram.available
            )
        with self._lock:
            info = self._nvml.nvmlDeviceGetMemoryInfo(self._handle)
            app = self._app_usage()
        return MemoryReading(
            True,
            self._name,
            int(info.total),
            int(info.used),
            app,
            ram.total,
            ram.total - ram.available,
        )

    def _app_usage(self) -> int | None:
        try:
            for process in self._nvml.nvmlDeviceGetComputeRunningProcesses(self._handle):
                if process.pid == self._pid and process.usedGpuMemory is not None:
                    return int(process.usedGpuMemory)
        except Exception:
            pass
        if self.app_bytes is not None:
            try:
                return int(self.app_bytes())
            except Exception:
                return None
        return None


# NVML's error codes (nvml.h) that have plain causes and fixes
_NVML_LIBRARY_NOT_FOUND, _NVML_DRIVER_NOT_LOADED, _NVML_NO_PERMISSION = 12, 9, 4
_NVML_GPU_NOT_FOUND, _NVML_NOT_FOUND, _NVML_LIB_RM_VERSION_MISMATCH = 28, 6, 18


def nvml_problem(exc: Exception) -> Message:
    """Why NVML gave no reading, in words a person can act on (never the exception's class)."""
    code = getattr(exc, "value", None)
    if isinstance(exc, ImportError) or code == _NVML_LIBRARY_NOT_FOUND:
        text = QT_TRANSLATE_NOOP(
            "plan",
            "no NVIDIA driver is installed; install driver 580 or newer to use the GPU",
        )
    elif code == _NVML_DRIVER_NOT_LOADED:
        text = QT_TRANSLATE_NOOP(
            "plan", "the NVIDIA driver is installed but not running; restart the computer"
        )
    elif code == _NVML_LIB_RM_VERSION_MISMATCH:
        text = QT_TRANSLATE_NOOP(
            "plan", "the NVIDIA driver was updated and needs a restart of the computer"
        )
    elif code == _NVML_NO_PERMISSION:
        text = QT_TRANSLATE_NOOP("plan", "no permission to read the NVIDIA GPU")
    elif code in (_NVML_GPU_NOT_FOUND, _NVML_NOT_FOUND):
        text = QT_TRANSLATE_NOOP("plan", "no NVIDIA GPU found")
    else:
        return Message(
            "plan",
            QT_TRANSLATE_NOOP("plan", "the NVIDIA driver gave no reading ({detail})"),
            {"detail": str(exc) or "?"},  # NVML's own words, e.g. "Unknown Error"
        )
    return Message("plan", text)


# -- plans -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemoryPlan:
    """Where the models live. `placements` maps a role to diffsynth's four (device, dtype) states.

    Each state is named as in diffsynth (`diffsynth/core/vram/layers.py`):
      offload   - where the weights rest when the model is idle,
      onload    - where they go when the pipeline selects the model,
      preparing - where a layer moves on its first forward and stays (while under `vram_limit`),
      computation - the per-forward cast (device, dtype) the maths runs in.
    A role without a placement loads whole onto the device in bf16 and stays there.

    Plans with `streamed=True` use diffsynth only to load (every model into host RAM, in the
    stated dtypes); then engine/placement.py keeps as many transformer (and T5) blocks resident
    on the GPU as the budget allows and engine/streaming.py streams the rest from pinned RAM,
    upcasting on the GPU.
    """

    name: str
    summary: str
    placements: dict[str, dict[str, str]] = field(default_factory=dict)
    vram_limit: str = ""  # "", "card" (total - 0.5 GB) or "budget" (what the plan was given)
    streamed: bool = False
    lower: str = ""  # the plan to fall back to after an out-of-memory

    def diffsynth_fields(self, role: str, device: str, compute: Any = None) -> dict[str, Any]:
        """diffsynth's ModelConfig fields for `role`; `compute` replaces bf16 (float32 on a CPU)."""
        import torch

        dtypes = {"bf16": compute or torch.bfloat16, "fp8": torch.float8_e4m3fn}
        placement = self.placements.get(role)
        if not placement:
            return {}
        fields: dict[str, Any] = {}
        for state in ("offload", "onload", "preparing", "computation"):
            where, dtype = placement[state].split(":")
            fields[f"{state}_device"] = device if where == "gpu" else "cpu"
            fields[f"{state}_dtype"] = dtypes[dtype]
        return fields

    def storage_dtype(self, role: str) -> str:
        return self.placements[role]["offload"].split(":")[1] if role in self.placements else "bf16"

    def vram_limit_gb(self, total_bytes: int, budget_bytes: int | None) -> float | None:
        if self.vram_limit == "card":
            return max(0.5, total_bytes / GIB - 0.5)
        if self.vram_limit == "budget":
            return (budget_bytes or 0) / GIB
        return None


def _placement(
    offload: str, onload: str, preparing: str, computation: str = "gpu:bf16"
) -> dict[str, str]:
    return {
        "offload": offload,
        "onload": onload,
        "preparing": preparing,
        "computation": computation,
    }


def _in_ram(dtype: str) -> dict[str, str]:
    return _placement(f"cpu:{dtype}", f"cpu:{dtype}", f"cpu:{dtype}")


# Encoders and VAE idle in host RAM; a layer moves to the GPU on first use and the whole model
# returns to the CPU when the pipeline selects the DiT. (An encoder with onload on the GPU fails
# in diffsynth: its prompt unit never calls load_models_to_device.)
_VISITING = _placement("cpu:bf16", "cpu:bf16", "gpu:bf16")
_VISITING_ROLES = {"clip": _VISITING, "t5": _VISITING, "vae": _VISITING}

PLANS: dict[str, MemoryPlan] = {
    plan.name: plan
    for plan in (
        MemoryPlan(
            "bf16",
            QT_TRANSLATE_NOOP("plan", "Everything in bf16 on the GPU (fastest; 40 GB cards)."),
            lower="fp8",
        ),
        MemoryPlan(
            "fp8",
            QT_TRANSLATE_NOOP(
                "plan",
                "Transformer stored in float8 and resident on the GPU, computed in bf16; the T5 "
                "encoder stays bf16 and visits the GPU when it does not fit beside it.",
            ),
            {
                "dit": _in_ram("fp8"),
                "t5": _in_ram("bf16"),
                "clip": _in_ram("bf16"),
                "vae": _in_ram("bf16"),
            },
            streamed=True,
            lower="fp8-stream",
        ),
        MemoryPlan(
            "fp8-offload",
            QT_TRANSLATE_NOOP(
                "plan",
                "The original article's set-up: every model rests in host RAM (transformer in "
                "float8) and diffsynth moves layers to the GPU when used.",
            ),
            {"dit": _placement("cpu:fp8", "cpu:fp8", "gpu:fp8"), **_VISITING_ROLES},
            vram_limit="card",
            lower="fp8-stream",
        ),
        MemoryPlan(
            "fp8-stream",
            QT_TRANSLATE_NOOP(
                "plan",
                "Lowest VRAM: transformer and T5 in float8; as many blocks as the budget allows stay "
                "on the GPU, the rest stream from RAM while the previous block computes.",
            ),
            {
                "dit": _in_ram("fp8"),
                "t5": _in_ram("fp8"),
                "clip": _in_ram("bf16"),
                "vae": _in_ram("bf16"),
            },
            vram_limit="budget",
            streamed=True,
        ),
    )
}
PLAN_NAMES = ("auto", *PLANS)


MIN_STREAM_BUDGET = int(2.5 * GIB)


def fallback_after_oom(plan: str, budget: int | None) -> tuple[str, int | None] | None:
    """The plan (and budget) to retry with after running out of memory, or None if none is left.

    A streamed plan first retries itself with 30% less budget: the prediction was off, or
    another program took memory since the plan was made.
    """
    if PLANS[plan].streamed and budget is not None and budget * 0.7 >= MIN_STREAM_BUDGET:
        return plan, int(budget * 0.7)
    lower = PLANS[plan].lower
    return (lower, None) if lower else None


def plan_label(plan: str, budget: int | None) -> str:
    return plan if budget is None else f"{plan} ({budget / GIB:.1f} GB)"


# -- budgets ---------------------------------------------------------------------------------------

# Peak activation memory of a transformer step and of the VAE decode per 1k image tokens
# (1024x1024 = 4096 tokens), measured on the device's H100 (bench/README.md): 0.61 GiB and
# 2.13 GiB at 1024x1024. The VAE's attention runs in chunks (patches.lean_vae_attention).
DIT_ACTIVATION_PER_1K_TOKENS = 0.16 * GIB
VAE_ACTIVATION_PER_1K_TOKENS = 0.55 * GIB
TEXT_ENCODE_ACTIVATION = int(0.3 * GIB)
ALLOCATOR_SLACK = int(0.5 * GIB)  # fragmentation and cuBLAS workspaces
# The CUDA context and loaded kernels: GPU memory of the process outside torch's allocator.
# Measured as NVML's figure less torch's reservation: 0.63-0.78 GiB (H100 and H200, torch 2.11,
# CUDA 13, lazy module loading). A budget is what the whole process may use, as the VRAM gauge
# shows it, so the allocator plans for the budget less this.
CUDA_CONTEXT = int(0.8 * GIB)
HEADROOM = 0.9  # GiB kept free for the desktop and other apps
# Budgets under this decode the VAE in 512-pixel tiles: at 1024x1024 its whole-image
# activations (2.1 GB) are the largest phase, and on a 4 GB budget they leave no room at all.
TILED_DECODE_BELOW = 5 * GIB
TILED_VAE_ACTIVATION = int(0.5 * GIB)
# GPU memory a streamed plan sets aside for LoRAs: a rank-16 FLUX.1 LoRA on every transformer
# layer is ~150 MB in bf16, so this holds two or three typical ones. More are counted when
# they are applied (the next plan, after an out-of-memory, sees their real size).
LORA_RESERVE = int(0.4 * GIB)


def dit_activation_bytes(width: int, height: int) -> int:
    return int(DIT_ACTIVATION_PER_1K_TOKENS * (width // 16) * (height // 16) / 1024)


def vae_activation_bytes(width: int, height: int, tiled: bool = False) -> int:
    if tiled:
        return TILED_VAE_ACTIVATION
    return int(VAE_ACTIVATION_PER_1K_TOKENS * (width // 16) * (height // 16) / 1024)


def evenly_spaced(count: int, chosen: int) -> list[bool]:
    """`chosen` of `count` positions, spread out (resident blocks between streamed ones)."""
    if chosen <= 0:
        return [False] * count
    picks = {min(count - 1, int((i + 0.5) * count / chosen)) for i in range(chosen)}
    return [i in picks for i in range(count)]


def _largest_first(sizes: list[int], chosen: int) -> list[bool]:
    """`chosen` units, the largest first; among equal sizes, spread out.

    Large blocks carry the most bytes per unit of maths (attention costs the same in every
    block), so streaming the small ones keeps the bus under the compute time.
    """
    mask = [False] * len(sizes)
    for size in sorted(set(sizes), reverse=True):
        members = [i for i, s in enumerate(sizes) if s == size]
        take = min(chosen, len(members))
        for member, keep in zip(members, evenly_spaced(len(members), take), strict=True):
            mask[member] = keep
        chosen -= take
    return mask


@dataclass(frozen=True)
class Workspace:
    """GPU memory besides resident weights, per phase (bytes)."""

    fixed: int  # always resident: small layers, CLIP, VAE, embeddings
    dit_slots: int  # upcast slots while denoising (0 with float8 maths)
    dit_staging: int  # staging ring while denoising, if any transformer block streams
    t5_slots: int
    t5_staging: int
    dit_activations: int
    vae_activations: int
    # LoRA side branches on the GPU (lora_apply.py), in every phase: they stay between images.
    # The engine passes what it sets aside (Engine.lora_reserve_bytes) or the LoRAs' own size.
    loras: int = 0


@dataclass(frozen=True)
class Residency:
    dit: list[bool]
    t5: list[bool]
    predicted_peak: int  # the process's GPU memory at its peak, CUDA context included


def predicted_peak(
    space: Workspace, dit: list[int], dit_mask: list[bool], t5: list[int], t5_mask: list[bool]
) -> int:
    resident = sum(s for s, keep in zip(dit, dit_mask, strict=True) if keep)
    resident += sum(s for s, keep in zip(t5, t5_mask, strict=True) if keep)
    denoise = (
        space.dit_slots + space.dit_activations + (space.dit_staging if not all(dit_mask) else 0)
    )
    encode = space.t5_slots + TEXT_ENCODE_ACTIVATION + (space.t5_staging if not all(t5_mask) else 0)
    largest_phase = max(denoise, encode, space.vae_activations)
    return space.fixed + space.loras + resident + largest_phase + ALLOCATOR_SLACK + CUDA_CONTEXT


def plan_residency(
    budget: int | None, space: Workspace, dit: list[int], t5: list[int]
) -> Residency:
    """Which blocks stay on the GPU: as many transformer blocks as fit, then T5 blocks."""
    everything = ([True] * len(dit), [True] * len(t5))
    if budget is None or predicted_peak(space, dit, everything[0], t5, everything[1]) <= budget:
        return Residency(*everything, predicted_peak(space, dit, everything[0], t5, everything[1]))

    def most(sizes: list[int], fits: Callable[[list[bool]], bool]) -> list[bool]:
        low, high = 0, len(sizes)
        while low < high:
            middle = (low + high + 1) // 2
            if fits(_largest_first(sizes, middle)):
                low = middle
            else:
                high = middle - 1
        return _largest_first(sizes, low)

    no_t5 = [False] * len(t5)
    dit_mask = most(dit, lambda mask: predicted_peak(space, dit, mask, t5, no_t5) <= budget)
    t5_mask = most(t5, lambda mask: predicted_peak(space, dit, dit_mask, t5, mask) <= budget)
    return Residency(dit_mask, t5_mask, predicted_peak(space, dit, dit_mask, t5, t5_mask))


def workspace(
    fixed: int,
    dit_units: list[int],
    t5_numels: list[int],
    t5_units: list[int],
    budget: int | None,
    size: tuple[int, int] = (1024, 1024),
    copy_ahead: int = 4,
    fp8_matmul: bool = False,
    lora_bytes: int = 0,
) -> Workspace:
    """The GPU memory besides resident blocks that a streamed plan needs for `size` images.

    `fixed` is the bf16 bytes that always stay (everything but the blocks' Linear weights);
    `dit_units` / `t5_units` are the stored bytes of each block, `t5_numels` its elements.
    """
    # On very small budgets the VAE decodes in tiles: its full-size activations would not fit.
    tiled_decode = budget is not None and budget < TILED_DECODE_BELOW
    dit_largest = max(dit_units)
    return Workspace(
        fixed=fixed,
        dit_slots=0 if fp8_matmul else 2 * 2 * dit_largest,
        dit_staging=copy_ahead * dit_largest,
        t5_slots=2 * 2 * max(t5_numels),
        t5_staging=copy_ahead * max(t5_units),
        dit_activations=dit_activation_bytes(*size),
        vae_activations=vae_activation_bytes(*size, tiled=tiled_decode),
        loras=lora_bytes,
    )


def streamed_plan(
    space: Workspace, budget: int | None, dit: list[int], t5: list[int]
) -> tuple[Workspace, Residency]:
    """The residency for this workspace, and the workspace planned with.

    The LoRA reserve is made by keeping fewer transformer blocks on the GPU. Where none stays
    there is nothing to give up: LoRAs then wait in pinned host memory (LoraStack.apply), and
    a reserve would only take the activations' room (at 4 GB a 1024² image then ran its
    transformer in tiles, 9× slower: bench/README.md), so none is kept.
    """
    residency = plan_residency(budget, space, dit, t5)
    if space.loras and not any(residency.dit):
        without = dataclasses.replace(space, loras=0)
        lean = plan_residency(budget, without, dit, t5)
        if not any(lean.dit):  # else the reserve only keeps a block or two off the GPU: kept
            return without, lean
    return space, residency


def t5_sizes(layout: Mapping[str, tuple[int, ...]]) -> tuple[list[int], int]:
    """Linear-weight elements per T5 block, and bf16 bytes of the rest, from the file header."""
    blocks: dict[int, int] = {}
    rest = 0
    for name, shape in layout.items():
        count = math.prod(shape)
        parts = name.split(".")
        is_linear = (
            len(shape) == 2 and "relative_attention_bias" not in name and name != "shared.weight"
        )
        if parts[:2] == ["encoder", "block"] and is_linear:
            blocks[int(parts[2])] = blocks.get(int(parts[2]), 0) + count
        else:
            rest += 2 * count
    return [blocks[i] for i in sorted(blocks)], rest


# Predicted peak GPU memory of the process (GiB) per plan at 1024x1024, and its growth per extra
# 1k image tokens. Measured with full-size random-weight files, the same on the device's H100 and
# H200 (bench/README.md); fp8-stream keeps within its budget by construction (plan_residency).
PEAK_AT_1024 = {"bf16": 35.1, "fp8": 23.9, "fp8-offload": 12.7, "fp8-stream": 3.9}
PEAK_PER_1K_TOKENS = 0.63


def predicted_peak_gib(plan: str, width: int, height: int) -> float:
    tokens = (width // 16) * (height // 16)
    return PEAK_AT_1024[plan] + PEAK_PER_1K_TOKENS * (tokens - 4096) / 1024


# -- host memory -----------------------------------------------------------------------------------

# How PinnedArena (streaming.py) packs streamed blocks: bins filled in order, each one
# allocation of torch's pinned allocator, which rounds every allocation up to a power of two.
PINNED_ALIGN = 256

# Host memory of the process besides the model weights: torch, CUDA's host side, diffsynth, the
# tokenizers and the VAE encoder (which rests in RAM). Measured on the H200, 1024², 20 steps
# (bench/results/h200-1024-final.json, host RSS in GiB): right after loading, RSS less the pinned
# arenas was 1.04 at 12, 8 and 4 GB (10.04 - 9.0, 14.04 - 13.0, 18.04 - 17.0) and 0.96-1.04
# with fp8 resident; once images were made, the peaks less the arenas were 2.26 and 2.32 at 8 and
# 4 GB (15.26 - 13.0, 19.32 - 17.0) and 2.37 with bf16 resident (no arena): cuBLAS and the other
# kernels load with the first image. Linux; Windows' figures have not been measured.
# With lean loading, arenas packed in powers of two and torch's compiler no longer imported
# (h200-round2-packing.json) the streamed plans' peaks less their arenas were 1.94-1.99 and fp8
# resident's 2.54: the model is about 0.4 GiB on the safe side for streamed plans.
HOST_LOADING = int(1.04 * GIB)
HOST_RUNNING = int(2.4 * GIB)
# T5's loading above its weights with streaming.keep_loading_lean: 0.37 GiB (bench/load_rss.py;
# 3.16 GiB with diffsynth's and glibc's defaults, which the engine no longer uses).
T5_LOAD_TRANSIENT = int(0.4 * GIB)


def pinned_bins(sizes: Sequence[int]) -> list[tuple[int, list[int]]]:
    """How the pinned arena holds blocks of these byte sizes: per bin, its allocation (a power of
    two) and its blocks (indices into `sizes`, in order; the bins too follow the blocks' order).

    Each bin is filled in order with as many blocks as fit in the largest power of two that the
    remaining blocks' total reaches; the rest go into one bin rounded up as soon as that wastes
    no more than the next bin would. With the real transformer this holds 7.86 GiB of blocks in
    8 GiB and 11.02 in 11.25 (bins of at most 1 GiB took 8.5 and 12).
    """
    bins: list[tuple[int, list[int]]] = []
    every = [pinned_aligned(size) for size in sizes]
    start = 0
    while start < len(sizes):
        aligned = every[start:]
        total = sum(aligned)
        capacity = 1 << (total.bit_length() - 1)  # the largest power of two <= total
        used = count = 0
        for size in aligned:
            if used + size > capacity:
                break
            used, count = used + size, count + 1
        if count == 0 or pinned_allocation(total) - total <= pinned_allocation(used) - used:
            bins.append((pinned_allocation(total), list(range(start, len(sizes)))))
            break
        bins.append((pinned_allocation(used), list(range(start, start + count))))
        start += count
    return bins


def pinned_allocation(used: int) -> int:
    """What torch's pinned allocator takes for `used` bytes: the next power of two."""
    return 1 << (used - 1).bit_length() if used > 0 else 0


def pinned_aligned(size: int) -> int:
    return -(-size // PINNED_ALIGN) * PINNED_ALIGN


def packing_bytes(
    units: Sequence[int], resident: Sequence[bool], lean: bool = False
) -> tuple[int, int]:
    """(the arena's bytes, host bytes at the worst moment of packing) for one model's blocks.

    Blocks are packed in order: a resident block leaves for the GPU, a streamed one is copied
    into its bin (taken when its first block arrives), and the loaded copy is freed. Until then
    the model is in RAM as loaded, or, `lean` (placement.DiskWeights), only the block being
    packed is.
    """
    streamed = [size for size, keep in zip(units, resident, strict=True) if not keep]
    bins = pinned_bins(streamed)
    allocation = [taken for taken, _ in bins]
    first_of_bin = {members[0]: n for n, (_, members) in enumerate(bins)}
    held = 0 if lean else sum(units)
    worst = held
    streamed_index = 0
    for size, keep in zip(units, resident, strict=True):
        if lean:
            held += size
        if not keep:
            if streamed_index in first_of_bin:
                held += allocation[first_of_bin[streamed_index]]
            streamed_index += 1
        worst = max(worst, held)
        held -= size
    return sum(allocation), worst


@dataclass(frozen=True)
class ModelElements:
    """Elements of the real model files, as the streamed plans divide them (engine/layouts.py)."""

    dit_blocks: tuple[int, ...]  # Linear weights of each transformer block, double blocks first
    dit_rest: int  # everything else in the transformer
    t5_blocks: tuple[int, ...]  # Linear weights of each T5 block
    t5_rest_bf16: int  # bytes of the rest of T5 (embedding, norms), kept in bf16
    clip: int
    vae_decoder: int
    vae_encoder: int

    def t5_units(self, fp8: bool) -> list[int]:
        return [n * (1 if fp8 else 2) for n in self.t5_blocks]

    def gpu_fixed(self) -> int:
        """Workspace.fixed: bf16 bytes always on the GPU (the VAE encoder only visits)."""
        return 2 * (self.dit_rest + self.clip + self.vae_decoder) + self.t5_rest_bf16


_DIT_BLOCK_KINDS = ("double_blocks", "single_blocks")  # the order stream_pipeline packs them


@functools.cache
def real_model() -> ModelElements:
    blocks: dict[tuple[int, int], int] = {}
    rest = 0
    for name, shape in layouts.flux_dit().items():
        parts = name.removeprefix(layouts.DIT_PREFIX).split(".")
        if parts[0] in _DIT_BLOCK_KINDS and len(shape) == 2:
            key = (_DIT_BLOCK_KINDS.index(parts[0]), int(parts[1]))
            blocks[key] = blocks.get(key, 0) + math.prod(shape)
        else:
            rest += math.prod(shape)
    t5_numels, t5_rest = t5_sizes(layouts.t5_encoder())
    vae = layouts.flux_vae()
    return ModelElements(
        dit_blocks=tuple(blocks[key] for key in sorted(blocks)),
        dit_rest=rest,
        t5_blocks=tuple(t5_numels),
        t5_rest_bf16=t5_rest,
        clip=sum(math.prod(s) for s in layouts.clip_text().values()),
        vae_decoder=sum(math.prod(s) for n, s in vae.items() if n.startswith("decoder.")),
        vae_encoder=sum(math.prod(s) for n, s in vae.items() if n.startswith("encoder.")),
    )


def host_peak(
    plan: str,
    dit_resident: Sequence[bool],
    t5_resident: Sequence[bool],
    model: ModelElements | None = None,
    t5_spilled: bool = True,
    lean: bool = True,
) -> int:
    """Predicted peak host memory (RSS, bytes) from the start of loading to images made.

    The phases of a streamed load (placement.stream_pipeline): diffsynth loads the transformer
    (float8), CLIP and the VAE into RAM and the transformer is packed; then T5 is loaded and
    packed; then images run with the pinned arenas, CLIP and the VAE on the GPU.
    `t5_spilled` (the app's way: Engine.weight_cache_dir): T5's streamed blocks are packed into
    ordinary memory, written to their file and freed; while images run only a pinned bounce
    buffer of two blocks is left of them (BlockStreamer.spill). `lean` (the app's way too:
    Engine.lean_load): the streamed models are read block by block as they are packed.
    """
    model = model or real_model()
    t5_fp8 = PLANS[plan].storage_dtype("t5") == "fp8"
    t5_units = model.t5_units(t5_fp8)
    companions = 2 * (model.clip + model.vae_decoder)  # in RAM until T5 is packed
    if plan == "bf16":  # loaded straight to the GPU
        return HOST_RUNNING
    if not PLANS[plan].streamed:  # every model rests in host RAM (fp8-offload)
        whole = sum(model.dit_blocks) + model.dit_rest + 2 * sum(model.t5_blocks)
        return HOST_RUNNING + whole + model.t5_rest_bf16 + companions
    dit_arena, dit_packing = packing_bytes(model.dit_blocks, dit_resident, lean)
    t5_arena, t5_packing = packing_bytes(t5_units, t5_resident, lean)
    # as loaded: the whole model, with the lean loader's transient (keep_loading_lean)
    t5_loading = t5_packing if lean else max(t5_packing, sum(t5_units) + T5_LOAD_TRANSIENT)
    if t5_spilled:
        streamed = [size for size, keep in zip(t5_units, t5_resident, strict=True) if not keep]
        # packed into ordinary memory (no bins), then written and freed; each block's loaded
        # copy is freed as it is packed
        if lean:  # the file written at the first start is read (sum(streamed) more, once)
            t5_loading = max(t5_units)
        else:
            t5_loading = sum(t5_units) + max(max(streamed, default=0), T5_LOAD_TRANSIENT)
        t5_arena = pinned_allocation(2 * max(streamed, default=0))
    loading_dit = HOST_LOADING + companions + model.dit_rest + dit_packing
    loading_t5 = HOST_LOADING + companions + dit_arena + model.t5_rest_bf16 + t5_loading
    running = HOST_RUNNING + dit_arena + t5_arena
    return max(loading_dit, loading_t5, running)


def predicted_host_gib(
    plan: str,
    budget: int | None = None,
    width: int = 1024,
    height: int = 1024,
    fp8_matmul: bool = False,
    lora_bytes: int = LORA_RESERVE,
) -> float:
    """Peak host RAM (GiB) of `plan` with the real model, its blocks placed as the engine would
    place them for this budget (plan_residency, as placement.stream_pipeline calls it)."""
    model = real_model()
    if not PLANS[plan].streamed:
        return host_peak(plan, [], [], model) / GIB
    t5_units = model.t5_units(PLANS[plan].storage_dtype("t5") == "fp8")
    dit_units = list(model.dit_blocks)
    space = workspace(
        model.gpu_fixed(),
        dit_units,
        list(model.t5_blocks),
        t5_units,
        budget,
        (width, height),
        fp8_matmul=fp8_matmul,
        lora_bytes=lora_bytes,
    )
    _, residency = streamed_plan(space, budget, dit_units, t5_units)
    return host_peak(plan, residency.dit, residency.t5, model) / GIB


@dataclass(frozen=True)
class PlanChoice:
    plan: str
    reason: Message
    budget_bytes: int | None = None
    host_bytes: int | None = None  # predicted peak host RAM; None where RAM was not read
    ram_short: bool = False  # no plan fits the available RAM: this one needs the least


_CPU_REASON = QT_TRANSLATE_NOOP("plan", "No NVIDIA GPU: running on the CPU (very slow).")
_FITS_REASON = QT_TRANSLATE_NOOP(
    "plan", "{plan}: needs about {need:.1f} GB at {width}×{height}; {free:.1f} GB free."
)
_STREAM_REASON = QT_TRANSLATE_NOOP(
    "plan",
    "fp8-stream: {free:.1f} GB free, so the transformer keeps what fits of a "
    "{budget:.1f} GB budget on the GPU and streams the rest.",
)
_FITS_RAM_REASON = QT_TRANSLATE_NOOP(
    "plan",
    "{plan}: needs about {need:.1f} GB of VRAM at {width}×{height} ({free:.1f} GB free) and "
    "{ram_need:.1f} GB of RAM ({ram:.1f} GB available).",
)
_STREAM_RAM_REASON = QT_TRANSLATE_NOOP(
    "plan",
    "fp8-stream: {free:.1f} GB of VRAM free, so the transformer keeps what fits of a "
    "{budget:.1f} GB budget on the GPU and streams the rest from RAM; needs about "
    "{ram_need:.1f} GB of RAM ({ram:.1f} GB available).",
)
_RAM_SHORT_REASON = QT_TRANSLATE_NOOP(
    "plan",
    "{plan}: needs about {need:.1f} GB of VRAM ({free:.1f} GB free) and {ram_need:.1f} GB of "
    "RAM, but only {ram:.1f} GB of RAM is available and no plan needs less. Close other "
    "programs to free {short:.1f} GB of RAM (or fit more RAM); otherwise the computer swaps and "
    "images are much slower.",
)


def choose_plan(
    reading: MemoryReading, width: int = 1024, height: int = 1024, fp8_matmul: bool = False
) -> PlanChoice:
    """The fastest plan that fits the card's free memory and the free host RAM, with the reason.

    Among the plans whose predicted GPU peak fits the free VRAM, the fastest whose predicted host
    RAM peak fits the available RAM; if none does, the one that needs the least RAM, and the
    reason says how much to free. fp8-stream always takes all the free VRAM (less the headroom)
    as its budget: every block kept on the GPU is one less in pinned RAM. `fp8_matmul`: whether
    the streamed plans will multiply in float8 (fewer upcast slots, so more resident blocks);
    False where it is not known, which errs towards more RAM. A reading without host RAM
    (`system_total` 0) chooses on VRAM alone.
    """
    if not reading.has_gpu:
        return PlanChoice("bf16", Message("plan", _CPU_REASON))
    free = reading.free / GIB
    budget = max(0, reading.free - int(HEADROOM * GIB))
    fitting: list[tuple[str, float, int | None]] = []  # (plan, VRAM need in GiB, budget)
    for name in ("bf16", "fp8"):
        need = predicted_peak_gib(name, width, height) + HEADROOM
        if need <= free:
            fitting.append((name, need, None if name == "bf16" else budget))
    fitting.append(("fp8-stream", budget / GIB, budget))
    if reading.system_total <= 0:
        name, need, plan_budget = fitting[0]
        return PlanChoice(name, _vram_reason(name, need, free, budget, width, height), plan_budget)
    ram = reading.system_available / GIB
    host = [
        predicted_host_gib(name, plan_budget, width, height, fp8_matmul)
        for name, _, plan_budget in fitting
    ]
    chosen = next((i for i, need in enumerate(host) if need <= ram), None)
    ram_short = chosen is None
    if chosen is None:
        chosen = min(range(len(fitting)), key=lambda i: (host[i], i))
    name, need, plan_budget = fitting[chosen]
    figures = {
        "plan": name,
        "need": need,
        "width": width,
        "height": height,
        "free": free,
        "budget": budget / GIB,
        "ram_need": host[chosen],
        "ram": ram,
        "short": host[chosen] - ram,
    }
    if ram_short:
        text = _RAM_SHORT_REASON
    else:
        text = _STREAM_RAM_REASON if name == "fp8-stream" else _FITS_RAM_REASON
    return PlanChoice(
        name, Message("plan", text, figures), plan_budget, int(host[chosen] * GIB), ram_short
    )


def _vram_reason(
    plan: str, need: float, free: float, budget: int, width: int, height: int
) -> Message:
    if plan == "fp8-stream":
        return Message("plan", _STREAM_REASON, {"free": free, "budget": budget / GIB})
    figures = {"plan": plan, "need": need, "width": width, "height": height, "free": free}
    return Message("plan", _FITS_REASON, figures)

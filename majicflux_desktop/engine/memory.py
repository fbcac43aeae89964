"""Memory plans (where each model lives and in which dtype), the VRAM probe, and the choice of plan.

Importing this module does not import torch: the window's VRAM gauge reads the probe before the
engine has loaded.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message

GIB = 1024**3


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
        self.error = ""
        try:
            import pynvml

            pynvml.nvmlInit()
            self._handle = pynvml.nvmlDeviceGetHandleByIndex(device_index)
            name = pynvml.nvmlDeviceGetName(self._handle)
            self._name = name.decode() if isinstance(name, bytes) else str(name)
            self._nvml = pynvml
        except Exception as exc:  # no driver, no GPU, or NVML missing: the gauge says so
            self.error = f"{type(exc).__name__}: {exc}"

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
    """

    name: str
    summary: str
    placements: dict[str, dict[str, str]] = field(default_factory=dict)
    vram_limit: str = ""  # "", "card" (total - 0.5 GB) or "budget" (what the plan was given)
    lower: str = ""  # the plan to fall back to after an out-of-memory

    def diffsynth_fields(self, role: str, device: str) -> dict[str, Any]:
        import torch

        dtypes = {"bf16": torch.bfloat16, "fp8": torch.float8_e4m3fn}
        placement = self.placements.get(role)
        if not placement:
            return {}
        fields: dict[str, Any] = {}
        for state in ("offload", "onload", "preparing", "computation"):
            where, dtype = placement[state].split(":")
            fields[f"{state}_device"] = device if where == "gpu" else "cpu"
            fields[f"{state}_dtype"] = dtypes[dtype]
        return fields

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


# Encoders and VAE: idle in host RAM; a layer moves to the GPU on first use and the whole model
# returns to the CPU when the pipeline selects the DiT. (An encoder with onload on the GPU fails
# in diffsynth: its prompt unit never calls load_models_to_device.)
_VISITING = _placement("cpu:bf16", "cpu:bf16", "gpu:bf16")
_VISITING_ROLES = {"clip": _VISITING, "t5": _VISITING, "vae": _VISITING}

PLANS: dict[str, MemoryPlan] = {
    plan.name: plan
    for plan in (
        MemoryPlan(
            "bf16",
            QT_TRANSLATE_NOOP(
                "plan", "Everything in bf16 on the GPU (fastest; 24 GB cards and up)."
            ),
            lower="fp8",
        ),
        MemoryPlan(
            "fp8",
            QT_TRANSLATE_NOOP(
                "plan",
                "Transformer stored in float8 and resident on the GPU, computed in bf16; text "
                "encoders and VAE visit the GPU only while used.",
            ),
            {"dit": _placement("gpu:fp8", "gpu:fp8", "gpu:fp8"), **_VISITING_ROLES},
            lower="fp8-offload",
        ),
        MemoryPlan(
            "fp8-offload",
            QT_TRANSLATE_NOOP(
                "plan",
                "Every model rests in host RAM (transformer in float8) and moves to the GPU when used.",
            ),
            {"dit": _placement("cpu:fp8", "cpu:fp8", "gpu:fp8"), **_VISITING_ROLES},
            vram_limit="card",
            lower="fp8-stream",
        ),
        MemoryPlan(
            "fp8-stream",
            QT_TRANSLATE_NOOP(
                "plan",
                "Lowest VRAM: transformer layers are streamed to the GPU as needed, within a budget.",
            ),
            {"dit": _placement("cpu:fp8", "cpu:fp8", "gpu:fp8"), **_VISITING_ROLES},
            vram_limit="budget",
        ),
    )
}
PLAN_NAMES = ("auto", *PLANS)


def fallback_after_oom(plan: str) -> str | None:
    return PLANS[plan].lower or None


# Predicted peak GPU memory (GiB) per plan at 1024x1024, and the activation growth per extra 1k
# image tokens. Measured on the device's H100 with full-size random-weight files (bench/README.md).
PEAK_AT_1024 = {"bf16": 37.6, "fp8": 22.0, "fp8-offload": 14.8, "fp8-stream": 4.7}
PEAK_PER_1K_TOKENS = 0.35
HEADROOM = 0.9  # GiB kept free for the desktop and other apps


def predicted_peak_gib(plan: str, width: int, height: int) -> float:
    tokens = (width // 16) * (height // 16)
    return PEAK_AT_1024[plan] + PEAK_PER_1K_TOKENS * (tokens - 4096) / 1024


@dataclass(frozen=True)
class PlanChoice:
    plan: str
    reason: Message
    budget_bytes: int | None = None


def choose_plan(reading: MemoryReading, width: int = 1024, height: int = 1024) -> PlanChoice:
    """The fastest plan whose predicted peak fits the card's free memory, with the reason."""
    if not reading.has_gpu:
        return PlanChoice(
            "bf16",
            Message(
                "plan", QT_TRANSLATE_NOOP("plan", "No NVIDIA GPU: running on the CPU (very slow).")
            ),
        )
    free = reading.free / GIB
    for name in ("bf16", "fp8", "fp8-offload"):
        need = predicted_peak_gib(name, width, height) + HEADROOM
        if need <= free:
            return PlanChoice(
                name,
                Message(
                    "plan",
                    QT_TRANSLATE_NOOP(
                        "plan",
                        "{plan}: needs about {need:.1f} GB at {width}×{height}; {free:.1f} GB free.",
                    ),
                    {"plan": name, "need": need, "width": width, "height": height, "free": free},
                ),
            )
    budget = max(0, reading.free - int(HEADROOM * GIB))
    return PlanChoice(
        "fp8-stream",
        Message(
            "plan",
            QT_TRANSLATE_NOOP(
                "plan",
                "fp8-stream: only {free:.1f} GB free, so transformer layers are streamed within a "
                "{budget:.1f} GB budget.",
            ),
            {"free": free, "budget": budget / GIB},
        ),
        budget,
    )

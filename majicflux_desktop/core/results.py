"""What the engine hands back: a made image, a load, timings and progress. No torch, no Qt.

The engine produces these, the worker's signals carry them, the window, the CLI and the stores
read them: one shape from the pipeline to the gallery. They live in core (not in engine, which
imports torch) so that `ImageMetadata.from_result` and the UI can use them without loading torch.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from majicflux_desktop.core.i18n import Message
from majicflux_desktop.core.request import GenerationRequest

if TYPE_CHECKING:
    from PIL import Image


class Cancelled(Exception):
    """The run was cancelled by the user; the engine is ready for the next one."""


class Phase(str, enum.Enum):
    ENCODING = "encoding"  # the text encoders read the prompt
    DENOISING = "denoising"  # the transformer's steps
    DECODING = "decoding"  # the VAE turns latents into pixels
    # The transformer's blocks are compiled for a new size (engine/compiled.py), within a step:
    # COMPILING the first time on this machine (tens of seconds), PREPARING from the cache.
    COMPILING = "compiling"
    PREPARING = "preparing"


@dataclass(frozen=True)
class Progress:
    """Where one image stands. `eta_s` covers what is left of this image, decoding included."""

    phase: Phase
    step: int  # steps done (0 while encoding, `total` while decoding)
    total: int
    eta_s: float | None


@dataclass(frozen=True)
class Timings:
    """Seconds spent on one image, by phase."""

    text_encode: float
    denoise: float
    decode: float
    total: float
    steps: int
    compiling: float = 0.0  # of `denoise`: the transformer's blocks compiled for a new size

    @property
    def seconds_per_step(self) -> float:
        return max(0.0, self.denoise - self.compiling) / max(1, self.steps)

    @property
    def overhead(self) -> float:
        """Everything but the steps: encoding, decoding and preparing (a compilation is once)."""
        return max(0.0, self.total - self.denoise)


@dataclass(frozen=True)
class StepTiming:
    """How long images of one kind take, for the queue's ETA."""

    width: int
    height: int
    cfg: bool
    seconds_per_step: float
    overhead_s: float  # text encoding and decoding

    @classmethod
    def of(cls, request: GenerationRequest, timings: Timings) -> StepTiming:
        return cls(
            request.width,
            request.height,
            request.cfg_scale != 1.0,
            timings.seconds_per_step,
            timings.overhead,
        )


@dataclass(frozen=True)
class AppliedLora:
    """A LoRA as it was applied to an image: enough to find it again and to judge the match."""

    name: str
    sha256: str
    weight: float
    layers_matched: int
    layers_total: int  # the layers the file holds

    @property
    def autov2(self) -> str:
        return self.sha256[:10]


@dataclass(frozen=True)
class GenerationResult:
    image: Image.Image
    request: GenerationRequest  # single-image, with the seed actually used
    plan: str
    timings: Timings
    peak_vram_bytes: int | None  # torch allocator peak on the GPU; None on the CPU
    model_name: str = ""
    model_hash: str = ""
    loras: tuple[AppliedLora, ...] = ()
    notes: tuple[Message, ...] = ()  # e.g. the plan was lowered after running out of memory

    @property
    def seed(self) -> int:
        assert self.request.seed is not None
        return self.request.seed


@dataclass
class Laps:
    """Seconds between marks, by what ended at each mark (a load's phases). A name marked twice
    (a plan that fell back and loaded again) adds up."""

    last: float = field(default_factory=time.perf_counter)
    seconds: dict[str, float] = field(default_factory=dict)

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self.last
        self.last = now

    def items(self) -> tuple[tuple[str, float], ...]:
        return tuple((name, round(s, 3)) for name, s in self.seconds.items())


@dataclass(frozen=True)
class LoadReport:
    plan: str
    reason: Message | None  # why `auto` chose this plan
    device: str
    seconds: float
    model_hash: str
    model_name: str
    budget_bytes: int | None = None
    notes: tuple[Message, ...] = ()  # e.g. the plan was lowered because it did not fit
    host_bytes: int | None = None  # predicted peak host RAM of the plan (real model on a GPU)
    phases: tuple[tuple[str, float], ...] = ()  # (what, seconds) in the order they ran
    compiled: bool = False  # the transformer's blocks are compiled, or will be from the next image
    compile_note: Message | None = None  # why they are not

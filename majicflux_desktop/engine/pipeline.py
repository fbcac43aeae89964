"""The engine: load the FLUX pipeline from local files under a memory plan, and make images.

Only one thread may use an Engine (diffsynth patches torch globally while building models). Cancel
is cooperative: `cancel` is a threading.Event another thread may set; it is checked before every
denoising step.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

# Before diffsynth/transformers are imported: never reach a hub, whatever the environment says.
os.environ["DIFFSYNTH_SKIP_DOWNLOAD"] = "true"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.pop("DIFFSYNTH_FLASH_ATTN_KERNEL_REPO_ID", None)
# Large blocks come and go (workspace, VAE decode): without this the allocator fragments.
os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")

import torch
from PIL import Image

from majicflux_desktop.core import faults
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.core.logs import prints_to_log
from majicflux_desktop.core.request import GenerationRequest, random_seed
from majicflux_desktop.engine import catalog, memory, placement, selection, streaming
from majicflux_desktop.engine.scan import ModelPaths

log = logging.getLogger("majicflux.engine")

StepCallback = Callable[[int, int, float | None], None]
PreviewCallback = Callable[[int, Image.Image], None]


class Cancelled(Exception):
    """The run was cancelled by the user; the engine is ready for the next one."""


@dataclass(frozen=True)
class GenerationResult:
    image: Image.Image
    request: GenerationRequest  # with the seed actually used
    plan: str
    timings: dict[str, float]  # seconds: text_encode, denoise, decode, total; s_per_step
    peak_vram_bytes: int | None  # torch allocator peak on the GPU; None on the CPU
    notes: tuple[Message, ...] = ()  # e.g. the plan was lowered after running out of memory

    @property
    def seed(self) -> int:
        assert self.request.seed is not None
        return self.request.seed


@dataclass(frozen=True)
class LoadReport:
    plan: str
    reason: Message | None
    device: str
    seconds: float
    model_hash: str
    model_name: str
    budget_bytes: int | None = None
    notes: tuple[Message, ...] = ()  # e.g. the plan was lowered because it did not fit


@dataclass
class _Phase:
    started: float = field(default_factory=time.perf_counter)
    marks: dict[str, float] = field(default_factory=dict)

    def mark(self, name: str) -> None:
        self.marks[name] = time.perf_counter()


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def _install_cpu_shims() -> None:
    # diffsynth calls these for its device type; the CPU module lacks them.
    if not hasattr(torch.cpu, "empty_cache"):
        torch.cpu.empty_cache = lambda: None  # type: ignore[attr-defined]
    if not hasattr(torch.cpu, "mem_get_info"):

        def mem_get_info(device: object = None) -> tuple[int, int]:
            import psutil

            ram = psutil.virtual_memory()
            return ram.available, ram.total

        torch.cpu.mem_get_info = mem_get_info  # type: ignore[attr-defined]


class Engine:
    def __init__(
        self,
        device: str | None = None,
        probe: memory.VramProbe | None = None,
        fp8_matmul: str = "auto",
    ):
        """`fp8_matmul`: "auto" multiplies in float8 where the GPU can (Ada, Hopper), "off" never."""
        self.device = device or default_device()
        self.fp8_matmul = fp8_matmul
        self.probe = probe or memory.VramProbe()
        self.pipe: Any = None
        self.streamer: streaming.BlockStreamer | None = None
        self.paths: ModelPaths | None = None
        self.plan: str = ""
        self.budget_bytes: int | None = None
        self.model_hash = ""
        self.model_name = ""
        self._seconds_per_step: dict[tuple[int, int, bool], float] = {}
        self._inject_oom = {p for p in os.environ.get("MAJICFLUX_INJECT_OOM", "").split(",") if p}
        _install_cpu_shims()

    # -- loading ----------------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self.pipe is not None

    def load(
        self, paths: ModelPaths, plan: str = "auto", budget_bytes: int | None = None
    ) -> LoadReport:
        refuse_unusable_files(paths)  # before diffsynth opens anything
        self.unload()  # before reading free memory: the old pipeline's memory is ours to reuse
        reason = None
        if plan == "auto":
            choice = memory.choose_plan(self.reading())
            plan, reason, budget_bytes = choice.plan, choice.reason, choice.budget_bytes
        if plan not in memory.PLANS:
            raise ValueError(f"unknown memory plan {plan!r}")
        started = time.perf_counter()
        if paths.tiny:
            from majicflux_desktop.engine import tiny

            tiny.register()
        catalog.register_variants_with_diffsynth()  # e.g. ComfyUI's single-file T5
        notes: list[Message] = []
        while True:
            if memory.PLANS[plan].streamed and budget_bytes is None and self.device == "cuda":
                budget_bytes = max(0, self.reading().free - int(memory.HEADROOM * memory.GIB))
            failure = _attempt(self._build, paths, memory.PLANS[plan], budget_bytes)
            if not isinstance(failure, torch.OutOfMemoryError):
                self.pipe = failure
                break
            # Outside the except block: the exception's frames no longer pin the half-built
            # pipeline, so its memory really goes back before the next plan measures what is free.
            self.unload()
            fallback = memory.fallback_after_oom(plan, budget_bytes)
            if fallback is None:
                raise self._does_not_load(plan) from failure
            notes.append(self._lowered(plan, *fallback))
            plan, budget_bytes = fallback
        self.paths, self.plan, self.budget_bytes = paths, plan, budget_bytes
        self.model_hash = catalog.file_fingerprint(paths.dit)
        self.model_name = "tiny-random" if paths.tiny else paths.dit.stem
        report = LoadReport(
            plan,
            reason,
            self.device,
            time.perf_counter() - started,
            self.model_hash,
            self.model_name,
            budget_bytes,
            tuple(notes),
        )
        log.info(
            "loaded %s with plan %s on %s in %.1fs", paths.dit, plan, self.device, report.seconds
        )
        return report

    def _build(self, paths: ModelPaths, plan: memory.MemoryPlan, budget_bytes: int | None) -> Any:
        from diffsynth.core import ModelConfig
        from diffsynth.pipelines.flux_image import FluxImagePipeline

        def config(path: Any, role: str) -> ModelConfig:
            return ModelConfig(path=path, **plan.diffsynth_fields(role, self.device))

        streaming.keep_loading_lean()
        total = self.reading().total if self.device == "cuda" else 0
        t5_config = config([str(p) for p in paths.t5], "t5")
        with prints_to_log("majicflux.diffsynth"):
            pipe = FluxImagePipeline.from_pretrained(
                torch_dtype=torch.bfloat16,
                device=self.device,
                model_configs=[
                    config(str(paths.dit), "dit"),
                    config(str(paths.clip), "clip"),
                    config(str(paths.vae), "vae"),
                    # Streamed plans load T5 after the transformer is packed (lower peak host RAM).
                    *([] if plan.streamed else [t5_config]),
                ],
                tokenizer_1_config=ModelConfig(path=str(paths.tokenizer_clip)),
                tokenizer_2_config=ModelConfig(path=str(paths.tokenizer_t5)),
                vram_limit=plan.vram_limit_gb(total, budget_bytes),
            )
            if plan.streamed:
                t5_layout: dict[str, tuple[int, ...]] = {}
                for part in paths.t5:
                    t5_layout.update(catalog.read_header(part).layout)
                self.streamer = placement.stream_pipeline(
                    pipe,
                    plan,
                    budget_bytes,
                    self.device,
                    lambda: _load_t5(pipe, t5_config),
                    t5_layout,
                    fp8_matmul=self.fp8_matmul != "off"
                    and streaming.fp8_matmul_supported(self.device),
                )
        install_prompt_cache(pipe)
        lean_vae_attention(pipe.vae_decoder)
        return pipe

    def unload(self) -> None:
        if self.streamer is not None:
            self.streamer.remove()
            self.streamer = None
        self.pipe = None
        self.paths = None
        self.plan = ""
        self._free_memory()

    def _free_memory(self) -> None:
        gc.collect()
        if self.device == "cuda":
            torch.cuda.empty_cache()

    def count_tokens(self, prompt: str) -> int:
        """Exact T5 token count of a prompt (the encoder reads the first 512)."""
        if self.pipe is None:
            raise RuntimeError("engine not loaded")
        return len(self.pipe.tokenizer_2(prompt).input_ids)

    # -- generating -------------------------------------------------------------------------------
    def generate(
        self,
        request: GenerationRequest,
        on_step: StepCallback | None = None,
        cancel: threading.Event | None = None,
        on_preview: PreviewCallback | None = None,
    ) -> GenerationResult:
        if self.pipe is None or self.paths is None:
            raise RuntimeError("engine not loaded")
        request = request.checked()
        if request.seed is None:
            request = request.with_seed(random_seed())
        failure = _attempt(lambda: self._generate_once(request, on_step, cancel, on_preview, ()))
        if not isinstance(failure, torch.OutOfMemoryError):
            return failure
        failed_plan = self.plan
        self._free_memory()  # after the except block, so the failed run's tensors are gone
        fallback = memory.fallback_after_oom(failed_plan, self.budget_bytes)
        if fallback is None:
            raise self._nothing_fits(request, failed_plan) from failure
        lower, budget = fallback
        note = self._lowered(failed_plan, lower, budget)
        report = self.load(self.paths, lower, budget)
        again = _attempt(
            lambda: self._generate_once(request, on_step, cancel, on_preview, (note, *report.notes))
        )
        if isinstance(again, torch.OutOfMemoryError):
            self._free_memory()
            raise self._nothing_fits(request, self.plan) from again
        return again

    def reading(self) -> memory.MemoryReading:
        """The GPU's memory as this process may use it: NVML, capped by the allocator's limit.

        A per-process cap (torch.cuda.set_per_process_memory_fraction) stands in for a smaller
        card in benchmarks and tests; plans must see the cap, not the whole card.
        """
        reading = self.probe.read()
        if self.device != "cuda" or not reading.has_gpu:
            return reading
        fraction = torch.cuda.get_per_process_memory_fraction()
        if fraction >= 1.0:
            return reading
        cap = int(fraction * torch.cuda.get_device_properties(0).total_memory)
        free = min(reading.free, cap - torch.cuda.memory_reserved())
        return dataclasses.replace(reading, total=cap, used=max(0, cap - free))

    def _lowered(self, old: str, new: str, budget: int | None) -> Message:
        log.warning(
            "out of GPU memory with plan %s; trying %s", old, memory.plan_label(new, budget)
        )
        return Message(
            "engine",
            QT_TRANSLATE_NOOP(
                "engine",
                "Out of GPU memory with the {old} plan; switched to {new}, which uses less "
                "memory and is slower.",
            ),
            {"old": old, "new": memory.plan_label(new, budget)},
        )

    def _does_not_load(self, plan: str) -> UserError:
        reading = self.reading()
        return UserError(
            Message(
                "engine",
                QT_TRANSLATE_NOOP(
                    "engine",
                    "Out of GPU memory: the models do not fit this card even with the {plan} plan "
                    "({total:.1f} GB, {free:.1f} GB free). Close other apps that use the GPU, "
                    "or lower the VRAM budget in Settings.",
                ),
                {
                    "plan": plan,
                    "total": reading.total / memory.GIB,
                    "free": reading.free / memory.GIB,
                },
            )
        )

    def _nothing_fits(self, request: GenerationRequest, plan: str) -> UserError:
        reading = self.reading()
        return UserError(
            Message(
                "engine",
                QT_TRANSLATE_NOOP(
                    "engine",
                    "Out of GPU memory: the {plan} plan does not fit {width}×{height} on this card "
                    "({total:.1f} GB, {free:.1f} GB free). Choose a smaller size, close other apps "
                    "that use the GPU, or pick the fp8-stream plan in Settings.",
                ),
                {
                    "plan": plan,
                    "width": request.width,
                    "height": request.height,
                    "total": reading.total / memory.GIB,
                    "free": reading.free / memory.GIB,
                },
            )
        )

    def _generate_once(
        self,
        request: GenerationRequest,
        on_step: StepCallback | None,
        cancel: threading.Event | None,
        on_preview: PreviewCallback | None,
        notes: tuple[Message, ...],
    ) -> GenerationResult:
        pipe = self.pipe
        phase = _Phase()
        key = (request.width, request.height, request.cfg_scale != 1.0)
        if self.device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        if self.plan in self._inject_oom:
            raise torch.OutOfMemoryError(f"injected for plan {self.plan} (MAJICFLUX_INJECT_OOM)")

        def steps(timesteps: Iterable[Any]) -> Iterator[Any]:
            items = list(timesteps)
            phase.mark("denoise_start")
            for index, item in enumerate(items):
                faults.point("generation-step")
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                if on_step is not None:
                    on_step(index, len(items), self._eta(phase, index, len(items), key))
                yield item
            phase.mark("denoise_end")
            if cancel is not None and cancel.is_set():
                raise Cancelled()

        original_step = pipe.step
        if on_preview is not None:

            def step_with_preview(scheduler: Any, progress_id: int, **kwargs: Any) -> Any:
                latents = original_step(scheduler, progress_id=progress_id, **kwargs)
                on_preview(progress_id, latent_preview(latents))
                return latents

            pipe.step = step_with_preview
        try:
            with prints_to_log("majicflux.diffsynth"):
                image = pipe(
                    prompt=request.prompt,
                    negative_prompt=request.negative_prompt,
                    cfg_scale=request.cfg_scale,
                    embedded_guidance=request.guidance,
                    height=request.height,
                    width=request.width,
                    seed=request.seed,
                    num_inference_steps=request.steps,
                    progress_bar_cmd=steps,
                )
        except BaseException:
            self._reset_after_abort()
            raise
        finally:
            if on_preview is not None:
                del pipe.step  # back to the class's method
        done = time.perf_counter()
        start, marks = phase.started, phase.marks
        denoise = marks["denoise_end"] - marks["denoise_start"]
        timings = {
            "text_encode": marks["denoise_start"] - start,
            "denoise": denoise,
            "decode": done - marks["denoise_end"],
            "total": done - start,
            "s_per_step": denoise / request.steps,
        }
        self._seconds_per_step[key] = timings["s_per_step"]
        peak = torch.cuda.max_memory_reserved() if self.device == "cuda" else None
        if self.device == "cuda":
            # Hand the decoder's activations back between jobs: the GPU is shared with the
            # desktop and other apps, and the gauge should show the idle level again.
            torch.cuda.empty_cache()
        return GenerationResult(image, request, self.plan, timings, peak, notes)

    def _eta(
        self, phase: _Phase, index: int, total: int, key: tuple[int, int, bool]
    ) -> float | None:
        if index == 0:
            known = self._seconds_per_step.get(key)
            return None if known is None else known * total
        elapsed = time.perf_counter() - phase.marks["denoise_start"]
        return elapsed / index * (total - index)

    def _reset_after_abort(self) -> None:
        try:
            if self.streamer is not None:
                self.streamer.release()  # the workspace goes back with the rest
            with prints_to_log("majicflux.diffsynth"):
                self.pipe.load_models_to_device([])
        finally:
            self._free_memory()


def refuse_unusable_files(paths: ModelPaths) -> None:
    """Raise a UserError naming the file and the fix unless each file is what its role needs.

    Headers only, with Model setup's own check (selection.check_role): pickles (which could run
    code), truncated or bogus files and another model's files are refused before any weight is
    read.
    """
    for role, files in paths.weights_by_role().items():
        status = selection.check_role(role, files)
        if status.problems:
            raise UserError(status.problems[0])


def lean_vae_attention(decoder: Any) -> None:
    """Let the VAE's single attention layer attend in query chunks (same result, less memory).

    At 1024x1024 its 16k x 16k attention matrix takes 1 GiB at once (head size 512 has no
    flash kernel); in chunks of 4096 queries it takes 128 MiB.
    """
    from diffsynth.models.flux_vae import ConvAttention

    for module in decoder.modules():
        if type(module) is ConvAttention:
            module.__class__ = ChunkedConvAttention


def _chunked_attention_class() -> type:
    from diffsynth.models.flux_vae import ConvAttention
    from einops import rearrange

    class Chunked(ConvAttention):
        CHUNK = 4096

        def forward(
            self, hidden_states: Any, encoder_hidden_states: Any = None, attn_mask: Any = None
        ) -> Any:
            if (
                hidden_states.shape[1] <= self.CHUNK
                or encoder_hidden_states is not None
                or attn_mask is not None
            ):
                return super().forward(hidden_states, encoder_hidden_states, attn_mask)
            batch = hidden_states.shape[0]
            conv_input = rearrange(hidden_states, "B L C -> B C L 1")

            def project(layer: Any) -> Any:
                out = rearrange(layer(conv_input)[:, :, :, 0], "B C L -> B L C")
                return out.view(batch, -1, self.num_heads, self.head_dim).transpose(1, 2)

            q, k, v = project(self.to_q), project(self.to_k), project(self.to_v)
            attended = torch.cat(
                [
                    torch.nn.functional.scaled_dot_product_attention(
                        q[:, :, i : i + self.CHUNK], k, v
                    )
                    for i in range(0, q.shape[2], self.CHUNK)
                ],
                dim=2,
            )
            attended = (
                attended.transpose(1, 2)
                .reshape(batch, -1, self.num_heads * self.head_dim)
                .to(q.dtype)
            )
            out = self.to_out(rearrange(attended, "B L C -> B C L 1"))
            return rearrange(out[:, :, :, 0], "B C L -> B L C")

    return Chunked


def _attempt(work: Callable[..., Any], *args: Any) -> Any:
    """`work(*args)`, or the out-of-memory error it raised, with its traceback's frames cleared.

    Handling the error inside `except` would keep every frame of the failed run alive (and
    with them gigabytes of tensors) until the handler ends.
    """
    try:
        return work(*args)
    except torch.OutOfMemoryError as exc:
        traceback.clear_frames(exc.__traceback__)
        return exc


def _load_t5(pipe: Any, config: Any) -> Any:
    pool = pipe.download_and_load_models([config])
    pipe.text_encoder_2 = pool.fetch_model("flux_text_encoder_t5")
    return pipe.text_encoder_2


def install_prompt_cache(pipe: Any, size: int = 8) -> None:
    """Replace diffsynth's prompt unit by one that remembers recent prompts' embeddings.

    A re-roll or a batch of the same prompt then skips both text encoders entirely.
    """
    from diffsynth.pipelines.flux_image import FluxImageUnit_PromptEmbedder

    class CachedPromptEmbedder(FluxImageUnit_PromptEmbedder):
        def __init__(self) -> None:
            super().__init__()
            self.cache: OrderedDict[tuple[str, int], dict[str, Any]] = OrderedDict()
            self.hits = 0

        def process(self, pipe: Any, prompt: str, t5_sequence_length: int, positive: bool) -> dict:
            key = (prompt, t5_sequence_length)
            if key in self.cache:
                self.cache.move_to_end(key)
                self.hits += 1
                return self.cache[key]
            result = super().process(pipe, prompt, t5_sequence_length, positive)
            self.cache[key] = result
            while len(self.cache) > size:
                self.cache.popitem(last=False)
            return result

    pipe.units = [
        CachedPromptEmbedder() if isinstance(unit, FluxImageUnit_PromptEmbedder) else unit
        for unit in pipe.units
    ]


# Flux latent -> RGB, a linear map good enough for a live preview (no VAE run).
_FLUX_LATENT_RGB = [
    [-0.0346, 0.0244, 0.0681], [0.0034, 0.0210, 0.0687], [0.0275, -0.0668, -0.0433],
    [-0.0174, 0.0160, 0.0617], [0.0859, 0.0721, 0.0329], [0.0004, 0.0383, 0.0115],
    [0.0405, 0.0861, 0.0915], [-0.0236, -0.0185, -0.0259], [-0.0245, 0.0250, 0.1180],
    [0.1008, 0.0755, -0.0421], [-0.0515, 0.0201, 0.0011], [0.0428, -0.0012, -0.0036],
    [0.0817, 0.0765, 0.0749], [-0.1264, -0.0522, -0.1103], [-0.0280, -0.0881, -0.0499],
    [-0.1262, -0.0982, -0.0778],
]  # fmt: skip
_FLUX_LATENT_BIAS = [-0.0329, -0.0718, -0.0851]


def latent_preview(latents: torch.Tensor) -> Image.Image:
    factors = torch.tensor(_FLUX_LATENT_RGB, dtype=torch.float32)
    bias = torch.tensor(_FLUX_LATENT_BIAS, dtype=torch.float32)
    sample = latents[0].detach().float().cpu()  # (16, H/8, W/8)
    rgb = torch.einsum("chw,cr->hwr", sample, factors) + bias
    pixels = ((rgb + 1) * 127.5).clamp(0, 255).to(torch.uint8).numpy()
    return Image.fromarray(pixels, "RGB")


ChunkedConvAttention = _chunked_attention_class()

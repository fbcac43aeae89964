"""The engine: load the FLUX pipeline from local files under a memory plan, and make images.

Only one thread may use an Engine (diffsynth patches torch globally while building models). Cancel
is cooperative: `cancel` is a threading.Event another thread may set; it is checked before every
denoising step.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import json
import logging
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Before diffsynth/transformers are imported: never reach a hub, whatever the environment says.
os.environ["DIFFSYNTH_SKIP_DOWNLOAD"] = "true"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.pop("DIFFSYNTH_FLASH_ATTN_KERNEL_REPO_ID", None)

import torch
from PIL import Image

import majicflux_desktop.engine.diffsynth_import  # noqa: F401  before any diffsynth import
from majicflux_desktop.core import faults
from majicflux_desktop.core.edit import StoredImage
from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.core.logs import prints_to_log
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.core.results import (
    AppliedLora,
    Cancelled,
    GenerationResult,
    Laps,
    LoadReport,
    Phase,
    Progress,
    Timings,
)
from majicflux_desktop.engine import (
    catalog,
    compiled,
    edit,
    lora_apply,
    memory,
    patches,
    placement,
    selection,
    streaming,
    tiling,
)
from majicflux_desktop.engine.edit_run import EditRun
from majicflux_desktop.engine.lora_engine import EngineLoras
from majicflux_desktop.engine.loras import LoraIndex
from majicflux_desktop.engine.preview import LivePreviews
from majicflux_desktop.engine.scan import ModelPaths

log = logging.getLogger("majicflux.engine")
memory.use_cuda_allocator_settings()  # read when torch first uses CUDA, which is later

ProgressCallback = Callable[[Progress], None]
PreviewCallback = Callable[[int, Image.Image], None]
PictureSource = Callable[[StoredImage], Image.Image]  # an edit's stored source or mask
SizeKey = tuple[
    int, int, bool
]  # width, height, CFG on: what a step's and a decode's time depend on


@dataclass
class _Clock:
    """When one image's phases began and ended."""

    started: float = field(default_factory=time.perf_counter)
    marks: dict[str, float] = field(default_factory=dict)

    def mark(self, name: str) -> None:
        self.marks[name] = time.perf_counter()


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def compute_dtype(device: str) -> torch.dtype:
    """bf16 on the GPU; float32 on the CPU, where most processors have no bf16 units and bf16
    maths runs tens of times slower (a bf16 conv2d 38× on this project's CI machine)."""
    return torch.bfloat16 if torch.device(device).type == "cuda" else torch.float32


class Engine:
    def __init__(
        self,
        device: str | None = None,
        probe: memory.VramProbe | None = None,
        fp8_matmul: str = "auto",
        compile_maths: str = "auto",
    ):
        """`fp8_matmul`: "auto" multiplies in float8 where the GPU can (Ada, Hopper), "off" never.
        `compile_maths`: "auto" compiles the transformer's blocks on NVIDIA GPUs where the compiler
        works (engine/compiled.py), "on" on the CPU too (tests, the frozen app's self-test), "off"
        never."""
        self.device = device or default_device()
        self.fp8_matmul = fp8_matmul
        self.compile_maths = compile_maths
        self.probe = probe or memory.VramProbe()
        self.pipe: Any = None
        self.streamer: streaming.BlockStreamer | None = None
        self.paths: ModelPaths | None = None
        self.plan: str = ""
        self.budget_bytes: int | None = None
        self.model_hash = ""
        self.model_name = ""
        self.dtype = compute_dtype(self.device)
        self._learned: dict[SizeKey, Timings] = {}  # the last image of each kind, for the ETA
        self.loras = EngineLoras()  # LoRA folders, and the LoRAs on the transformer
        # Streamed plans read the transformer's and T5's weights block by block as they pack
        # them (placement.DiskWeights), not whole models into host RAM first.
        self.lean_load = True
        self._phases = Laps()  # the last load's phases (LoadReport.phases)
        # Where streamed plans keep T5's float8 blocks on disk between prompts (None: in RAM).
        self.weight_cache_dir: Path | None = None
        # Which sizes were compiled on this machine (in the compiler's cache folder; None: unknown).
        self.compile_record: Path | None = None
        self.compiled: compiled.CompiledBlocks | None = None
        # why the blocks are not compiled (None: they are, or will be from the next image)
        self.compile_note: Message | None = None
        self._compiler_failed: Message | None = None  # it did not start: no later load tries
        # The app's first image after a load runs eagerly, and the blocks compile for the next:
        # the compiler's import and tracing (5–6 s on the H200's host, caches warm) stay off the
        # path from double-click to first image.
        self.compile_after_first_image = False
        self._images_since_load = 0
        self._tiling: tiling.Tiling | None = None  # the running job's; the VAE's hooks read it
        patches.install_cpu_shims()

    # -- loading ----------------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self.pipe is not None

    def set_lora_folders(
        self,
        folders: Sequence[Path],
        files: Sequence[Path] = (),
        hash_cache_dir: Path | None = None,
    ) -> LoraIndex:
        """Where requests' LoRAs are looked for (by hash, then by name); the index also lists them."""
        return self.loras.set_folders(folders, files, hash_cache_dir)

    def use_lora_index(self, index: LoraIndex) -> None:
        """Resolve requests' LoRAs in this index (the app's, shared with the window)."""
        self.loras.use_index(index)

    def load(
        self, paths: ModelPaths, plan: str = "auto", budget_bytes: int | None = None
    ) -> LoadReport:
        refuse_unusable_files(paths)  # before diffsynth opens anything
        self.unload()  # before reading free memory: the old pipeline's memory is ours to reuse
        reason = None
        notes: list[Message] = []
        if plan == "auto":
            fp8_matmul = self.fp8_matmul != "off" and streaming.fp8_matmul_supported(self.device)
            choice = memory.choose_plan(self.reading(), fp8_matmul=fp8_matmul)
            plan, reason, budget_bytes = choice.plan, choice.reason, choice.budget_bytes
            if choice.ram_short:  # the window says so, with the fix, instead of a silent swap
                notes.append(choice.reason)
        if plan not in memory.PLANS:
            raise ValueError(f"unknown memory plan {plan!r}")
        started = time.perf_counter()
        self._phases = Laps()
        if paths.tiny:
            from majicflux_desktop.engine import tiny

            tiny.register()
        catalog.register_variants_with_diffsynth()  # e.g. ComfyUI's single-file T5
        not_compiled = (
            compiled.unavailable(self.device, self.compile_maths) or self._compiler_failed
        )
        later = not_compiled is None and self.compile_after_first_image
        while True:
            if memory.PLANS[plan].streamed and budget_bytes is None and self.device == "cuda":
                budget_bytes = max(0, self.reading().free - int(memory.HEADROOM * memory.GIB))
            failure = _attempt(
                self._build,
                paths,
                memory.PLANS[plan],
                budget_bytes,
                not_compiled is None and not later,
            )
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
        streamed_budget = budget_bytes if memory.PLANS[plan].streamed else None
        dit_residency = getattr(getattr(self.streamer, "residency", None), "dit", None)
        self.loras.attach(
            self.pipe.dit,
            self.device,
            self.dtype,
            paths.tiny,
            streamed_budget,
            None if not dit_residency else sum(dit_residency) / len(dit_residency),
        )
        if self.streamer is not None and self.loras.stack is not None:
            # LoRA pairs in host memory go to the GPU with their streamed blocks
            self.streamer.riders = self.loras.stack
            self.loras.stack.blocks = self.streamer.blocks
            # and with bf16 maths they are added to the weights the streamer upcasts, by a
            # Triton kernel unless compiled maths (Triton's other use) are turned off
            self.loras.stack.upcast = self.streamer.upcast_linears
            self.streamer.fold_kernel = self.compile_maths != "off"
        self.model_hash = catalog.file_fingerprint(paths.dit)
        self.model_name = "tiny-random" if paths.tiny else paths.dit.stem
        self._phases.lap("LoRA hooks and the model's fingerprint")
        self.compile_note = self._why_not_compiled(not_compiled)
        if self.compile_note is None and not later:
            self._compile_blocks()
        self._phases.lap("compiled maths set up")
        report = LoadReport(
            plan,
            reason,
            self.device,
            time.perf_counter() - started,
            self.model_hash,
            self.model_name,
            budget_bytes,
            tuple(notes),
            self._host_bytes(paths, plan),
            self._phases.items(),
            self.compile_note is None,  # compiled, or from the next image
            self.compile_note,
        )
        log.info(
            "loaded %s with plan %s on %s in %.1fs", paths.dit, plan, self.device, report.seconds
        )
        return report

    @property
    def _compile_due(self) -> bool:
        """The blocks compile at the next image: compiled maths are on and not yet set up."""
        return self.pipe is not None and self.compiled is None and self.compile_note is None

    def _why_not_compiled(self, reason: Message | None) -> Message | None:
        """Why the transformer's blocks are not compiled: `reason` (compiled.unavailable), or the
        plan's layers are diffsynth's (engine/compiled.py). None: they are."""
        wrapped = any(
            "AutoWrapped" in type(m).__name__
            for b in (*self.pipe.dit.blocks, *self.pipe.dit.single_blocks)
            for m in b.modules()
        )
        if reason is None and wrapped:  # its layers step out of compiled code at every call
            reason = compiled.layer_offload()
        if reason is not None:
            log.info("transformer blocks not compiled: %s", reason.english())
        return reason

    def _compile_blocks(self) -> None:
        """Compile the transformer's blocks (from their next call on)."""
        dit = self.pipe.dit
        blocks = [list(dit.blocks), list(dit.single_blocks)]
        fp8_maths = any(isinstance(m, streaming.Fp8Linear) for m in dit.modules())
        try:
            self.compiled = compiled.CompiledBlocks(
                blocks, self.compile_record, compiled.signature(self.device, fp8_maths)
            )
        except Exception as exc:  # a compiler that does not import: the blocks stay as they are
            self.compile_note = self._compiler_failed = compiled.did_not_start(exc)
            log.warning("transformer blocks not compiled", exc_info=exc)
            return
        lora_apply.mark_dynamic_ranks(dit)  # LoRAs given before the compiler came

    def _host_bytes(self, paths: ModelPaths, plan: str) -> int | None:
        """Predicted peak host RAM of the loaded plan (for the real model on a GPU)."""
        if paths.tiny or self.device != "cuda":
            return None
        residency = getattr(self.streamer, "residency", None)
        if residency is None:
            return memory.host_peak(plan, [], [])
        return memory.host_peak(plan, residency.dit, residency.t5)

    def _build(
        self,
        paths: ModelPaths,
        plan: memory.MemoryPlan,
        budget_bytes: int | None,
        compiling: bool,
    ) -> Any:
        """The pipeline of this plan (`compiling`: the blocks will be compiled after the load)."""
        from diffsynth.core import ModelConfig
        from diffsynth.pipelines.flux_image import FluxImagePipeline

        def config(path: Any, role: str) -> ModelConfig:
            fields = plan.diffsynth_fields(role, self.device, self.dtype)
            if plan.streamed and role in ("dit", "t5") and self.lean_load:
                # Built without weights; placement reads them block by block as it packs.
                for state in ("offload", "onload"):
                    fields[f"{state}_device"] = fields[f"{state}_dtype"] = "disk"
            return ModelConfig(path=path, **fields)

        if faults.out_of_memory(plan.name, loading=True):
            raise torch.OutOfMemoryError(f"injected while loading {plan.name} ({faults.OOM_ENV})")
        streaming.keep_loading_lean()
        total = self.reading().total if self.device == "cuda" else 0
        t5_config = config([str(p) for p in paths.t5], "t5")
        with prints_to_log("majicflux.diffsynth"):
            pipe = FluxImagePipeline.from_pretrained(
                torch_dtype=self.dtype,
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
            # streamed plans: the transformer and T5 without their weights (placement reads them)
            self._phases.lap("diffsynth built the models")
            if compiling:
                # Now, not before diffsynth's build: the import holds the GIL, as that build does
                # (6 s on the H200 host with both at once, against 1–3 s without), while what
                # follows mostly waits for reads and page-locking.
                compiled.import_ahead()
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
                    compute_dtype=self.dtype,
                    fp8_matmul=self.fp8_matmul != "off"
                    and streaming.fp8_matmul_supported(self.device),
                    lora_bytes=self.loras.planned_bytes,
                    t5_spill=self._t5_spill(paths, plan, t5_layout),
                    laps=self._phases,
                )
        patches.install_prompt_cache(pipe)
        patches.lean_vae_attention(pipe.vae_decoder)
        patches.lean_vae_attention(pipe.vae_encoder)
        tiling.install_vae_tiling(pipe, lambda: self._tiling)
        self._phases.lap("patches")
        return pipe

    def _t5_spill(
        self, paths: ModelPaths, plan: memory.MemoryPlan, layout: dict[str, tuple[int, ...]]
    ) -> tuple[Path, str] | None:
        """The file T5's streamed blocks wait in, and its key: the source files as they are
        now (a changed file is packed and written again) and how they are packed."""
        if self.weight_cache_dir is None:
            return None
        sources = []
        for part in paths.t5:
            stat = Path(part).stat()  # a file replaced in place gets another inode or ctime
            sources.append(
                [
                    str(Path(part).resolve()),
                    stat.st_size,
                    stat.st_mtime_ns,
                    stat.st_ino,
                    stat.st_ctime_ns,
                ]
            )
        key = json.dumps(
            {"t5": sources, "storage": plan.storage_dtype("t5"), "layout": sorted(layout.items())}
        )
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        return self.weight_cache_dir / f"t5-{digest}.safetensors", digest

    def unload(self) -> None:
        self.loras.detach()
        if self.compiled is not None:
            self.compiled.remove()
            self.compiled = None
        self._images_since_load = 0
        if self.streamer is not None:
            self.streamer.close()
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
            # freed pinned blocks stay in torch's cache until asked: give them back to the OS
            empty_host_cache = getattr(torch._C, "_host_emptyCache", None)
            if empty_host_cache is not None:
                empty_host_cache()

    def tiling_for(self, width: int, height: int, encodes: bool = False) -> tiling.Tiling:
        """How a width × height job runs under the loaded plan: whole, or which parts in tiles,
        and the predicted GPU peak against the budget (engine/tiling.py). `encodes`: an edit,
        which also encodes a width × height start picture."""
        planned = getattr(self.streamer, "planned", None)
        if planned is not None:
            return tiling.choose_tiling(width, height, self.budget_bytes, planned.peak, encodes)
        if self.device == "cuda" and self.plan in memory.PEAK_AT_1024:
            budget = self.budget_bytes
            if budget is None:
                budget = max(0, self.reading().total - int(memory.HEADROOM * memory.GIB))
            peak = tiling.resident_peak(self.plan)
            return tiling.choose_tiling(width, height, budget, peak, encodes)
        return tiling.choose_tiling(width, height, self.budget_bytes, None, encodes)

    # -- generating -------------------------------------------------------------------------------
    def generate(
        self,
        request: GenerationRequest,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        on_preview: PreviewCallback | None = None,
        pictures: PictureSource | None = None,
    ) -> GenerationResult:
        """Make the image of a single-image request whose seed is set (`single_images`).

        `pictures` opens an edit's stored source and mask (the library's `SourceStore.open`).
        An edit's image has the edit's output size (core/edit_sizes.py), and its notes say what
        the edit did that the user should know (a mask scaled, the size a masked area was
        generated at, a job made in tiles to fit the budget).

        The request was validated when it was queued (`JobStore.enqueue`) or built (the CLI).
        Out of GPU memory, the plan is lowered once and the image made again.
        """
        if self.pipe is None or self.paths is None:
            raise RuntimeError("engine not loaded")
        if request.seed is None or request.count != 1:
            raise ValueError("generate makes one image of a known seed: use single_images()")
        failure = _attempt(
            lambda: self._generate_once(request, on_progress, cancel, on_preview, pictures, ())
        )
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
            lambda: self._generate_once(
                request, on_progress, cancel, on_preview, pictures, (note, *report.notes)
            )
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
        if memory.PLANS[plan].lower:
            text = QT_TRANSLATE_NOOP(
                "engine",
                "Out of GPU memory: the {plan} plan does not fit {width}×{height} on this card "
                "({total:.1f} GB, {free:.1f} GB free). Choose a smaller size, close other apps "
                "that use the GPU, or pick the fp8-stream plan in Settings.",
            )
        else:  # the plan that needs least (no lower one): picking it again is no fix
            text = QT_TRANSLATE_NOOP(
                "engine",
                "Out of GPU memory: {width}×{height} does not fit this card ({total:.1f} GB, "
                "{free:.1f} GB free) even with the {plan} plan, the one that needs least. Choose "
                "a smaller size or close other apps that use the GPU.",
            )
        return UserError(
            Message(
                "engine",
                text,
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
        on_progress: ProgressCallback | None,
        cancel: threading.Event | None,
        on_preview: PreviewCallback | None,
        pictures: PictureSource | None,
        notes: tuple[Message, ...],
    ) -> GenerationResult:
        if self._compile_due and self._images_since_load:
            self._compile_blocks()
            if self.compile_note is not None:  # the compiler did not start: said with this image
                notes = (*notes, _compile_failed(self.compile_note.english()))
        pipe = self.pipe
        clock = _Clock()
        edit_run = self._edit_inputs(request, pictures)
        width, height = edit_run.plan.work_size if edit_run else (request.width, request.height)
        steps_run = edit_run.plan.steps if edit_run else request.steps
        key = (width, height, request.cfg_scale != 1.0)
        learned = self._learned.get(key)
        if self.device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        if faults.out_of_memory(self.plan):
            raise torch.OutOfMemoryError(f"injected for plan {self.plan} ({faults.OOM_ENV})")

        def tell(phase: Phase, step: int, total: int, eta: float | None) -> None:
            if on_progress is not None:
                on_progress(Progress(phase, step, total, eta))

        def steps(timesteps: Iterable[Any]) -> Iterator[Any]:
            items = list(timesteps)
            clock.mark("denoise_start")
            for index, item in enumerate(items):
                faults.point("generation-step")
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                tell(Phase.DENOISING, index, len(items), _eta(clock, index, len(items), learned))
                yield item
            clock.mark("denoise_end")
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            tell(Phase.DECODING, len(items), len(items), learned.decode if learned else None)

        tell(Phase.ENCODING, 0, steps_run, learned.total if learned else None)
        applied = self._apply_loras(request)
        job_tiling = self.tiling_for(width, height, encodes=edit_run is not None)
        inputs: dict[str, Any] = {
            "prompt": request.prompt,
            "negative_prompt": request.negative_prompt,
            "cfg_scale": request.cfg_scale,
            "embedded_guidance": request.guidance,
            "height": height,
            "width": width,
            "seed": request.seed,
            "num_inference_steps": request.steps,
            "progress_bar_cmd": steps,
        }
        step = pipe.step
        if edit_run is not None:
            inputs.update(edit_run.pipe_inputs())
            step = edit_run.wrap_step(step)  # the masked-latent blend, for inpaint and outpaint
        if on_preview is not None:
            blended_step = step
            previews = LivePreviews(on_preview)

            def step_with_preview(scheduler: Any, progress_id: int, **kwargs: Any) -> Any:
                latents = blended_step(scheduler, progress_id=progress_id, **kwargs)
                previews.step(progress_id, latents)
                return latents

            step = step_with_preview
        wraps_step = step != pipe.step
        model_fn = pipe.model_fn
        self._tiling = job_tiling
        if job_tiling.dit_tile:
            pipe.model_fn = tiling.tiled_model_fn(model_fn, job_tiling)
        if wraps_step:
            pipe.step = step
        watching = edit_run.watching(pipe) if edit_run else contextlib.nullcontext()
        blocks = self.compiled
        if blocks is not None:
            blocks.on_prepare = lambda done, total, first_time: tell(
                Phase.COMPILING if first_time else Phase.PREPARING, done, total, None
            )
        failed_before = blocks.failure if blocks is not None else None
        try:
            with (
                prints_to_log("majicflux.diffsynth"),
                watching,
                compiled.eager_while(blocks, eager=self.loras.hooked),
            ):
                image = pipe(**inputs)
        except BaseException:
            self._reset_after_abort()
            raise
        finally:
            self._tiling = None
            pipe.model_fn = model_fn
            if wraps_step:
                del pipe.step  # back to the class's method
        self._images_since_load += 1  # counted once made (a failed or cancelled one is not)
        if self._compile_due:  # the next image compiles: its compiler comes in while this is saved
            compiled.import_ahead()
        if edit_run is not None:
            image = edit_run.finish(image)  # laid over the original, at the edit's output size
            notes = (*notes, *edit_run.plan.notes)
        tiles_note = job_tiling.note()
        if tiles_note is not None:
            notes = (*notes, tiles_note)
        done = time.perf_counter()
        marks = clock.marks
        timings = Timings(
            text_encode=marks["denoise_start"] - clock.started,
            denoise=marks["denoise_end"] - marks["denoise_start"],
            decode=done - marks["denoise_end"],
            total=done - clock.started,
            steps=steps_run,
            compiling=blocks.compile_seconds if blocks is not None else 0.0,
        )
        if blocks is None or not blocks.prepared_now:  # a compilation is no step's usual time
            self._learned[key] = timings
        if blocks is not None and blocks.failure is not None and failed_before is None:
            notes = (*notes, _compile_failed(blocks.failure))
        peak = torch.cuda.max_memory_reserved() if self.device == "cuda" else None
        if self.device == "cuda":
            # Hand the decoder's activations back between jobs: the GPU is shared with the
            # desktop and other apps, and the gauge should show the idle level again.
            torch.cuda.empty_cache()
        return GenerationResult(
            image,
            _with_lora_hashes(request, applied),
            self.plan,
            timings,
            peak,
            model_name=self.model_name,
            model_hash=self.model_hash,
            loras=applied,
            notes=(*notes, *self.loras.notes),
        )

    def _room_for_loras(self, lora_bytes: int) -> bool:
        """Whether LoRAs of this size can be on the GPU. Beyond the room the streamed plan left
        for them, resident transformer blocks move to pinned host memory (and stream from then
        on) until the plan's predicted peak is within the budget again; the model is not
        reloaded and no weight changes. False when not even every block streamed makes room:
        the LoRAs then wait in host memory (LoraStack.apply)."""
        planned = getattr(self.streamer, "planned", None)
        if planned is None or self.streamer is None or self.budget_bytes is None:
            return True
        if lora_bytes <= planned.space.loras:
            return True
        space = dataclasses.replace(planned.space, loras=lora_bytes)
        residency = planned.residency

        def peak(dit_mask: list[bool]) -> int:
            return memory.predicted_peak(
                space, planned.dit_units, dit_mask, planned.t5_units, residency.t5
            )

        if peak([False] * len(residency.dit)) > self.budget_bytes:
            log.info("LoRAs kept in host memory: %.2f GB do not fit the budget", lora_bytes / memory.GIB)  # fmt: skip
            return False
        dit_mask = list(residency.dit)
        demote: list[int] = []
        # the largest resident blocks first: the fewest blocks to stream for the room needed
        for index in sorted(
            (i for i, keep in enumerate(dit_mask) if keep), key=lambda i: -planned.dit_units[i]
        ):
            if peak(dit_mask) <= self.budget_bytes:
                break
            dit_mask[index] = False
            demote.append(index)
        dit_units = [i for i, unit in enumerate(self.streamer.units) if unit.model == "dit"]
        moved = self.streamer.demote([dit_units[i] for i in demote])
        new_residency = dataclasses.replace(residency, dit=dit_mask, predicted_peak=peak(dit_mask))
        self.streamer.residency = new_residency  # type: ignore[attr-defined]
        self.streamer.planned = dataclasses.replace(  # type: ignore[attr-defined]
            planned, space=space, residency=new_residency
        )
        self._free_memory()
        log.info(
            "LoRAs take %.2f GB: %d resident transformer block(s) now stream (%.2f GB moved)",
            lora_bytes / memory.GIB, len(demote), moved / memory.GIB,
        )  # fmt: skip
        return True

    def _apply_loras(self, request: GenerationRequest) -> tuple[AppliedLora, ...]:
        """Put exactly the request's LoRAs on the transformer (side branches, or added to the
        weights the streamer upcasts; the float8 weights stay): those of the previous image that
        it does not name come off. LoRAs beyond the plan's reserve make room first
        (_room_for_loras)."""
        if self.streamer is not None:
            # No block stays prepared ahead with the previous LoRAs folded in, and the side
            # streams are done with the pairs that a change frees (made on this stream, read there).
            self.streamer.reset()
        return self.loras.apply(request.loras, self._room_for_loras)

    def _edit_inputs(
        self, request: GenerationRequest, pictures: PictureSource | None
    ) -> EditRun | None:
        """The edit's run (start picture, work size, steps, masked-latent blend, how its result
        is laid over the original), or None for text to image. Pictures that cannot be used
        (an empty mask, a source of the wrong size for the request) raise a UserError here,
        before any model runs."""
        if request.edit is None:
            return None
        if pictures is None:
            raise ValueError("an edit needs `pictures` to open its source and mask")
        return EditRun(edit.prepare(request, pictures))

    def _reset_after_abort(self) -> None:
        try:
            if self.streamer is not None:
                self.streamer.release()  # the workspace goes back with the rest
            with prints_to_log("majicflux.diffsynth"):
                self.pipe.load_models_to_device([])
        finally:
            self._free_memory()


def _with_lora_hashes(
    request: GenerationRequest, applied: Sequence[AppliedLora]
) -> GenerationRequest:
    """The request as it was made: each applied LoRA with its file's full hash, so that a re-roll
    or a reuse finds that very file again first (by hash), whatever its name is by then."""
    made = iter(applied)  # in the request's order, one for each LoRA that is on (EngineLoras.apply)
    loras = []
    for use in request.loras:
        lora = next(made, None) if use.enabled and use.weight != 0 else None
        loras.append(use if lora is None else dataclasses.replace(use, sha256=lora.sha256))
    if tuple(loras) == request.loras:
        return request
    return dataclasses.replace(request, loras=tuple(loras))


def _eta(clock: _Clock, index: int, total: int, learned: Timings | None) -> float | None:
    """Seconds left of this image at step `index`: the steps left, then the decode."""
    decode = learned.decode if learned else None
    if index == 0:
        return None if learned is None else learned.seconds_per_step * total + learned.decode
    elapsed = time.perf_counter() - clock.marks["denoise_start"]
    return elapsed / index * (total - index) + (decode or 0.0)


def _compile_failed(reason: str) -> Message:
    return Message(
        "engine",
        QT_TRANSLATE_NOOP(
            "engine",
            "Faster compiled maths do not work on this PC ({reason}); images are made the usual "
            "way. Turn compiled maths off in Settings to skip the attempt.",
        ),
        {"reason": reason},
    )


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

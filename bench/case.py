"""One benchmark configuration in a fresh process: load, generate, measure. Prints one JSON line.

python -m bench.case --models DIR --plan fp8-stream --budget-gb 8 --sizes 1024,512 --steps 20
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from majicflux_desktop.engine.memory import use_cuda_allocator_settings

STARTED = time.perf_counter()
# The compiler's caches, kept between cases as the app keeps them in its data folder
COMPILER_CACHE = os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", "/tmp/mf-compiler-cache")
use_cuda_allocator_settings()  # as the engine has them; before torch uses CUDA (bench.* import this)


class Sampler(threading.Thread):
    """Peak GPU memory in use (NVML, as a user's gauge shows it) and peak host RSS."""

    def __init__(self, interval: float = 0.1):
        super().__init__(daemon=True)
        import psutil
        import pynvml

        pynvml.nvmlInit()
        self.nvml = pynvml
        self.handle = pynvml.nvmlDeviceGetHandleByIndex(0)
        self.process = psutil.Process()
        self.baseline = pynvml.nvmlDeviceGetMemoryInfo(self.handle).used
        self.interval = interval
        self.gpu_peak = 0
        self.overall_gpu_peak = 0
        self.rss_peak = 0
        self.samples: list[tuple[float, int]] = []
        self.sm_clocks: list[int] = []  # MHz, one per sample since `reset_gpu_peak`
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            time.sleep(self.interval)

    def sample(self) -> None:
        used = self.nvml.nvmlDeviceGetMemoryInfo(self.handle).used
        self.gpu_peak = max(self.gpu_peak, used)
        self.overall_gpu_peak = max(self.overall_gpu_peak, used)
        self.rss_peak = max(self.rss_peak, self.process.memory_info().rss)
        self.samples.append((time.perf_counter() - STARTED, used))
        self.sm_clocks.append(
            self.nvml.nvmlDeviceGetClockInfo(self.handle, self.nvml.NVML_CLOCK_SM)
        )

    def reset_gpu_peak(self) -> None:
        self.gpu_peak = self.nvml.nvmlDeviceGetMemoryInfo(self.handle).used
        self.sm_clocks = []


def reads() -> tuple[int, int]:
    """Bytes this process has read through read() and friends (`rchar`, page cache included), and
    its major page faults (pages read in from disk through a memory map)."""
    import resource

    with open("/proc/self/io") as io:
        rchar = next(int(line.split()[1]) for line in io if line.startswith("rchar:"))
    return rchar, resource.getrusage(resource.RUSAGE_SELF).ru_majflt


ALLOCATOR_COUNTS = (
    "num_alloc_retries",
    "num_device_alloc",
    "num_device_free",
    "num_sync_all_streams",
)


def allocator_counts() -> dict[str, int]:
    """The caching allocator's counters: retries (frees and retries when near the cap) and calls
    to the driver; either, during denoising, costs synchronisations."""
    import torch

    stats = torch.cuda.memory_stats()
    return {name: int(stats.get(name, 0)) for name in ALLOCATOR_COUNTS}


PROMPTS = [
    "a ginger cat sleeping on a sunny windowsill, soft light, 35mm photo",
    "a lighthouse on a cliff at dusk, dramatic clouds, oil painting",
    "portrait of an old fisherman, weathered face, studio lighting",
    "a bowl of ramen with steam rising, top view, food photography",
]


def stand_in_for_card(budget_gb: float | None) -> int | None:
    """Make this process see a card of `budget_gb` GiB: the budget in bytes (None: the whole card).

    On a real card the CUDA context takes its share of the same memory, so torch's allocator
    can reserve the budget less the context, and no more: that is where its cap goes. (Capping it
    at the whole budget let the process's NVML figure end up the context's size over it.)
    """
    if budget_gb is None:
        return None
    import torch

    from majicflux_desktop.engine import memory

    budget = int(budget_gb * 2**30)
    total = torch.cuda.get_device_properties(0).total_memory
    torch.cuda.set_per_process_memory_fraction((budget - memory.CUDA_CONTEXT) / total)
    return budget


def prompt_cache_hits(engine: object) -> int:
    """How often the engine's prompt unit has served embeddings from its cache so far."""
    return sum(getattr(unit, "hits", 0) for unit in engine.pipe.units)  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", required=True)
    parser.add_argument("--plan", required=True)
    parser.add_argument("--budget-gb", type=float, default=None, help="VRAM cap (a smaller card)")
    parser.add_argument("--sizes", default="1024,512")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument(
        "--reroll", action="store_true", help="also time a re-roll of the same prompt"
    )
    parser.add_argument("--fp8-matmul", default="auto", choices=["auto", "off"])
    parser.add_argument(
        "--compiled-maths",
        default="auto",
        choices=["auto", "off"],
        help="compile the transformer's blocks, as the app does by default (engine/compiled.py)",
    )
    parser.add_argument(
        "--weight-cache",
        default="/tmp/mf-weight-cache",
        help="where T5's float8 blocks wait between prompts, as the app's data folder "
        "(empty: in host RAM, as before)",
    )
    parser.add_argument(
        "--loras",
        default="",
        help="PATH:WEIGHT,…: after the warm image, the same prompt with these LoRAs (first and "
        "warm), then with --switch-to, then without again: s/step and time to the first step",
    )
    parser.add_argument("--switch-to", default="", help="PATH:WEIGHT,…: the LoRAs switched to")
    parser.add_argument(
        "--int8-pairs",
        default="auto",
        choices=["auto", "on", "off"],
        help="LoRA pairs in int8 (auto: as the app chooses, lora_engine.INT8_PAIRS_RESIDENT)",
    )
    parser.add_argument(
        "--fold",
        default="on",
        choices=["on", "off"],
        help="LoRA pairs of blocks upcast at each run (bf16 maths) added to their weights "
        "(lora_fold), as the app does; off: side branches on the Linears' outputs",
    )
    parser.add_argument(
        "--prefetch",
        action="store_true",
        help="read the LoRAs ahead, untimed, as the app does when the stack changes",
    )
    args = parser.parse_args()

    import numpy
    import torch

    imported_torch = time.perf_counter() - STARTED
    sampler = Sampler()
    sampler.start()
    budget = stand_in_for_card(args.budget_gb)

    from majicflux_desktop.core.request import GenerationRequest, LoraUse
    from majicflux_desktop.core.results import Phase, Progress
    from majicflux_desktop.engine import scan
    from majicflux_desktop.engine.pipeline import Engine

    imported = time.perf_counter() - STARTED
    paths = scan.check(args.models).paths()
    engine = Engine(device="cuda", fp8_matmul=args.fp8_matmul, compile_maths=args.compiled_maths)
    # beside the compiler's own cache, as the app keeps it (AppPaths.compiled_sizes_file)
    engine.compile_record = Path(COMPILER_CACHE) / "majicflux-compiled-sizes.json"
    engine.weight_cache_dir = Path(args.weight_cache) if args.weight_cache else None
    engine.loras.int8_pairs = {"auto": None, "on": True, "off": False}[args.int8_pairs]
    engine.loras.fold = args.fold == "on"

    def lora_set(text: str) -> tuple[LoraUse, ...]:
        uses = []
        for item in filter(None, text.split(",")):
            path, _, weight = item.rpartition(":")
            uses.append(LoraUse(Path(path).stem, float(weight)))
        return tuple(uses)

    with_loras, switched = lora_set(args.loras), lora_set(args.switch_to)
    if with_loras:
        folders = {str(Path(item.rpartition(":")[0]).parent) for item in args.loras.split(",")}
        engine.set_lora_folders([Path(f) for f in sorted(folders)])
    load_started = time.perf_counter()
    report = engine.load(paths, args.plan, budget_bytes=budget)
    torch.cuda.synchronize()
    load_seconds = time.perf_counter() - load_started
    rss_after_load = sampler.process.memory_info().rss
    finite: list[bool] = []
    phase: dict[str, float] = {}
    marks: dict[str, Any] = {}  # per image: reads and allocator counters at the denoise's ends

    def before_decode(module: object, inputs: tuple) -> None:
        finite.append(bool(torch.isfinite(inputs[0]).all()))
        phase["denoise_abs"] = torch.cuda.max_memory_allocated()
        phase["denoise_reserved"] = torch.cuda.max_memory_reserved()
        phase["denoise_peak"] = phase["denoise_abs"] - phase["denoise_base"]
        marks["reads_end"] = reads()
        marks["allocator_end"] = allocator_counts()
        phase["decode_base"] = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()

    def on_progress(progress: Progress, stamps: list[float]) -> None:
        if progress.phase is not Phase.DENOISING:
            return
        stamps.append(time.perf_counter())
        if progress.step == 0:
            phase["encode_peak"] = torch.cuda.max_memory_allocated()
            phase["encode_reserved"] = torch.cuda.max_memory_reserved()
            marks["reads_start"] = reads()
            marks["allocator_start"] = allocator_counts()
            torch.cuda.reset_peak_memory_stats()

    engine.pipe.vae_decoder.register_forward_pre_hook(before_decode)
    result: dict[str, object] = {
        "plan": args.plan,
        "budget_gb": args.budget_gb,
        "fp8_matmul": args.fp8_matmul,
        "compiled_maths": args.compiled_maths,
        "int8_pairs": engine.loras.stack is not None and engine.loras.stack.int8,
        "fold": engine.loras.fold,
        "compiled": engine.compiled is not None,
        "compile_note": engine.compile_note.english() if engine.compile_note else None,
        "import_s": round(imported, 2),
        "import_torch_s": round(imported_torch, 2),
        "load_s": round(load_seconds, 2),
        "load_phases_s": dict(report.phases),
        "device": torch.cuda.get_device_name(0),
        "torch": torch.__version__,
        "sizes": {},
    }
    streamer = engine.streamer
    if streamer is not None:
        residency = streamer.residency  # type: ignore[attr-defined]
        result["resident_blocks"] = {
            "dit": sum(residency.dit),
            "dit_total": len(residency.dit),
            "t5": sum(residency.t5),
            "t5_total": len(residency.t5),
        }
        result["streamed_gb"] = round(streamer.streamed_bytes() / 1e9, 2)
        result["workspace_gb"] = round(streamer.workspace_bytes() / 1e9, 2)
        result["predicted_peak_gb"] = round(residency.predicted_peak / 2**30, 2)
        result["fp8_maths"] = any(unit.fp8_compute for unit in streamer.units)
    prompt_index = 0
    labels = ["first", "warm", *(["reroll"] if args.reroll else [])]
    if with_loras:
        labels += ["loras-first", "loras-warm", *(["loras-switch"] if switched else []), "no-loras"]
    for size in (int(s) for s in args.sizes.split(",")):
        runs = []
        for label in labels:
            if label in ("first", "warm"):
                prompt = PROMPTS[prompt_index % len(PROMPTS)]
                prompt_index += 1
            loras = {"loras-first": with_loras, "loras-warm": with_loras}.get(label, ())
            if label == "loras-switch":
                loras = switched
            prefetched = None
            if args.prefetch and label in ("loras-first", "loras-switch"):
                prefetch_started = time.perf_counter()
                engine.loras.prefetch(loras)
                prefetched = round(time.perf_counter() - prefetch_started, 3)
            stamps: list[float] = []
            request = GenerationRequest(
                prompt,
                seed=1234 + prompt_index,
                steps=args.steps,
                width=size,
                height=size,
                loras=loras,
            )
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            # Before the image, not at its first step: a new prompt's T5 workspace is still held
            # at the first step and a re-roll's is not, which made a re-roll's "activations" read
            # 1.3 GB larger at the same peak (bench/README, issue 16).
            phase["denoise_base"] = torch.cuda.memory_allocated()
            sampler.reset_gpu_peak()
            hits = prompt_cache_hits(engine)
            streams_before = dict(streamer.stats) if streamer is not None else {}
            began = time.perf_counter()
            out = engine.generate(
                request,
                on_progress=lambda p, s=stamps: on_progress(p, s),  # type: ignore[misc]
            )
            torch.cuda.synchronize()
            decode_peak = torch.cuda.max_memory_allocated() - phase["decode_base"]
            peak_allocated = max(
                phase["encode_peak"], phase["denoise_abs"], torch.cuda.max_memory_allocated()
            )
            peak_reserved = max(
                phase["encode_reserved"],
                phase["denoise_reserved"],
                torch.cuda.max_memory_reserved(),
            )
            seconds = time.perf_counter() - began
            sampler.sample()
            steps = [b - a for a, b in itertools.pairwise(stamps)]
            (rchar0, majflt0), (rchar1, majflt1) = (
                marks["reads_start"],
                marks["reads_end"],
            )
            allocator = {
                name: marks["allocator_end"][name] - marks["allocator_start"][name]
                for name in ALLOCATOR_COUNTS
            }
            pixels = numpy.asarray(out.image, dtype=numpy.float32)
            runs.append(
                {
                    "label": label,
                    "s_image": round(seconds, 3),
                    "s_step_median": round(statistics.median(steps), 4) if steps else None,
                    "first_step_s": round(steps[0], 3) if steps else None,
                    "to_first_step_s": round(stamps[0] - began, 3) if stamps else None,
                    "text_encode_s": round(out.timings.text_encode, 3),
                    "decode_s": round(out.timings.decode, 3),
                    "compiling_s": round(out.timings.compiling, 2),
                    "compile_failure": engine.compiled.failure if engine.compiled else None,
                    "denoise_workspace_and_activations_gb": round(phase["denoise_peak"] / 2**30, 2),
                    "decode_activation_gb": round(decode_peak / 2**30, 2),
                    "torch_peak_allocated_gb": round(peak_allocated / 2**30, 2),
                    "torch_peak_reserved_gb": round(peak_reserved / 2**30, 2),
                    "nvml_peak_gb": round(sampler.gpu_peak / 2**30, 2),
                    "finite": finite[-1] if finite else None,
                    "pixel_std": round(float(pixels.std()), 2),
                    "prompt_cache_hit": prompt_cache_hits(engine) > hits,
                    "loras": [
                        (a.name, a.weight, a.layers_matched, a.layers_total) for a in out.loras
                    ],
                    "lora_gb": round(engine.loras.nbytes / 2**30, 3),
                    "prefetch_s": prefetched,
                    "steps_s": [round(step, 4) for step in steps],
                    "denoise_rchar_mb": round((rchar1 - rchar0) / 1e6, 3),
                    "denoise_major_faults": majflt1 - majflt0,
                    "denoise_allocator": allocator,
                    "streamer": {
                        key: value - streams_before.get(key, 0)
                        for key, value in (streamer.stats.items() if streamer is not None else ())
                    },
                    "sm_clock_mhz": [min(sampler.sm_clocks), max(sampler.sm_clocks)]
                    if sampler.sm_clocks
                    else None,
                    "resident_dit_blocks": sum(streamer.residency.dit)  # type: ignore[attr-defined]
                    if streamer is not None
                    else None,
                }
            )
            if label == "first" and size == int(args.sizes.split(",")[0]):
                result["time_to_first_image_s"] = round(time.perf_counter() - STARTED, 2)
            print(
                f"# {args.plan} {args.budget_gb} {size} {label}: {runs[-1]}",
                file=sys.stderr,
                flush=True,
            )
        result["sizes"][str(size)] = runs  # type: ignore[index]
    sampler.stop.set()
    result["host_rss_peak_gb"] = round(sampler.rss_peak / 2**30, 2)
    result["host_rss_after_load_gb"] = round(rss_after_load / 2**30, 2)
    result["host_rss_end_gb"] = round(sampler.process.memory_info().rss / 2**30, 2)
    result["nvml_peak_gb"] = round(sampler.overall_gpu_peak / 2**30, 2)
    result["nvml_baseline_gb"] = round(sampler.baseline / 2**30, 2)
    print(json.dumps(result), flush=True)
    os._exit(0)  # skip teardown of 20 GB of tensors; the process is done


if __name__ == "__main__":
    main()

"""LoRAs on the GPU: the same pictures in every memory plan, and what switching and stacking cost.

    python -m bench.lora_gpu                 # CUDA: the tiny model in every plan, then FLUX.1 sizes
    python -m bench.lora_gpu --device cpu    # a smoke run of the same code on the tiny transformer
    python -m bench.lora_gpu --part tiny     # part 1 only

1. The tiny model through the real pipeline in each plan (float8 maths on where the GPU has it):
   the LoRA-free picture comes back exactly after LoRAs; streamed blocks against resident ones;
   each plan against the bf16 plan (bf16 maths: close, not equal).
2. A transformer of FLUX.1's sizes (random bf16 weights on the GPU; on the CPU the tiny one) with
   rank-16 kohya LoRAs on every Linear (as trainers write them for FLUX.1): header scan, hashing,
   the first apply (read + convert + upload), re-weighting, switching, bytes on the GPU, and the
   time of one transformer step at 1024² with 0, 1 and 6 LoRAs.
Prints one JSON object; `--out FILE` also writes it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import save_file

from majicflux_desktop.core.request import GenerationRequest, LoraUse
from majicflux_desktop.engine import lora_keys, memory, scan, tiny, tiny_loras
from majicflux_desktop.engine.lora_apply import LoraStack
from majicflux_desktop.engine.loras import LoraIndex
from majicflux_desktop.engine.pipeline import Engine

STACK = (("kohya", 0.9), ("dora", 1.0), ("lokr", 0.8), ("loha", -0.7), ("peft-q-v", 1.1))


def _pixels(engine: Engine, loras: tuple[tuple[str, float], ...]) -> np.ndarray:
    uses = tuple(LoraUse(f"tiny-{name}", weight) for name, weight in loras)
    request = GenerationRequest("a lighthouse", seed=3, width=256, height=256, steps=4, loras=uses)
    return np.asarray(engine.generate(request).image).astype(int)


def tiny_plans(device: str, folder: Path) -> dict[str, Any]:
    models = tiny.write_models(folder / "models")
    tiny_loras.write_all(models / "loras")
    paths = scan.check(models).paths()
    results: dict[str, Any] = {}
    reference = None
    memory.TILED_DECODE_BELOW = 0  # the budget below decides residency only
    for name, plan, budget in (("bf16", "bf16", None), ("fp8", "fp8", None),
                               ("fp8-offload", "fp8-offload", None),
                               ("fp8-stream resident", "fp8-stream", 64 * memory.GIB),
                               ("fp8-stream streamed", "fp8-stream", 0)):  # fmt: skip
        engine = Engine(device=device, compile_maths="off")  # LoRAs run eagerly
        engine.load(paths, plan, budget_bytes=budget)
        engine.set_lora_folders([models / "loras"])
        plain = _pixels(engine, ())
        stacked = _pixels(engine, STACK)
        row: dict[str, Any] = {"lora_bytes": engine.loras.nbytes}
        stack = engine.loras.stack
        row["loras_in_host_memory"] = bool(stack and stack.on_host)
        row["lora_changes_mean"] = float(np.abs(stacked - plain).mean())
        row["lora_free_again_exact"] = bool(np.array_equal(_pixels(engine, ()), plain))
        if engine.streamer is not None:
            row["resident_blocks"] = sum(engine.streamer.residency.dit)  # type: ignore[attr-defined]
            row["float8_maths"] = any(u.fp8_compute for u in engine.streamer.units)
        if reference is None:
            reference = stacked
        row["vs_bf16_plan_max"] = int(np.abs(stacked - reference).max())
        row["vs_bf16_plan_mean"] = float(np.abs(stacked - reference).mean())
        results[name] = row
        results.setdefault("_images", {})[name] = stacked
        del engine
        if device == "cuda":
            torch.cuda.empty_cache()
    images = results.pop("_images")
    difference = np.abs(images["fp8-stream streamed"] - images["fp8-stream resident"])
    results["streamed_vs_resident_max"] = int(difference.max())
    return results


def _full_size_lora(path: Path, target: lora_keys.TargetModel, seed: int, rank: int = 16) -> None:
    """A kohya LoRA on every Linear of the transformer (FLUX.1's BFL names), rank `rank`."""
    generator = torch.Generator().manual_seed(seed)
    shapes = lora_keys.linears(target)
    tensors = {}
    for name, (slot, scheme) in lora_keys.slot_names(target).items():
        if scheme != lora_keys.BFL:
            continue
        out, inp = shapes[slot.module]
        key = "lora_unet_" + name.replace(".", "_")
        tensors[f"{key}.lora_down.weight"] = (torch.randn(rank, inp, generator=generator) / inp**0.5).bfloat16()  # fmt: skip
        tensors[f"{key}.lora_up.weight"] = (torch.randn(out, rank, generator=generator) * 0.01).bfloat16()  # fmt: skip
        tensors[f"{key}.alpha"] = torch.tensor(float(rank)).bfloat16()
    save_file(tensors, str(path))


def _transformer(device: str, full: bool) -> torch.nn.Module:
    from diffsynth.models.flux_dit import FluxDiT

    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            return (FluxDiT() if full else tiny.TinyFluxDiT()).eval()
    finally:
        torch.set_default_dtype(previous)


def _step_seconds(dit: torch.nn.Module, device: str, side: int, repeats: int = 5) -> float:
    from diffsynth.pipelines.flux_image import model_fn_flux_image

    dtype = next(dit.parameters()).dtype
    shapes = {name: m.in_features for name, m in dit.named_modules() if isinstance(m, torch.nn.Linear)}  # fmt: skip
    context, pooled = shapes["context_embedder"], shapes["pooled_text_embedder.0"]
    inputs = {
        "latents": torch.randn(1, 16, side // 8, side // 8, device=device, dtype=dtype),
        "timestep": torch.tensor([500.0], device=device, dtype=dtype),
        "prompt_emb": torch.randn(1, 512, context, device=device, dtype=dtype),
        "pooled_prompt_emb": torch.randn(1, pooled, device=device, dtype=dtype),
        "guidance": torch.tensor([3.5], device=device, dtype=dtype),
        "text_ids": torch.zeros(1, 512, 3, device=device, dtype=dtype),
    }
    times = []
    with torch.no_grad():
        for index in range(repeats + 2):
            if device == "cuda":
                torch.cuda.synchronize()
            started = time.perf_counter()
            model_fn_flux_image(dit, **inputs)
            if device == "cuda":
                torch.cuda.synchronize()
            if index >= 2:
                times.append(time.perf_counter() - started)
    return statistics.median(times)


def switching(device: str, folder: Path, full: bool, side: int) -> dict[str, Any]:
    target = lora_keys.FLUX if full else lora_keys.TINY
    lora_dir = folder / "full-size-loras"
    lora_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for seed in range(7):
        _full_size_lora(lora_dir / f"style-{seed}.safetensors", target, seed)
    results: dict[str, Any] = {"write_7_files_s": time.perf_counter() - started}
    index = LoraIndex([lora_dir], tiny=not full)

    def timed(name: str, work: Any) -> Any:
        began = time.perf_counter()
        value = work()
        if device == "cuda":
            torch.cuda.synchronize()
        results[name] = round(time.perf_counter() - began, 4)
        return value

    files = timed("scan_headers_s", index.scan)
    results["layers_per_file"] = files[0].layers_matched
    results["file_mb"] = round(files[0].size / 2**20, 1)
    hashes = [timed("sha256_first_file_s", lambda: index.sha256(files[0]))]
    hashes += [index.sha256(f) for f in files[1:]]
    dit = _transformer(device, full)
    dtype = next(dit.parameters()).dtype
    stack = LoraStack(dit, device, dtype)
    results["step_s_no_lora"] = _step_seconds(dit, device, side)
    one = [(files[0], hashes[0], 1.0)]
    timed("apply_first_s", lambda: stack.apply(one))
    results["gpu_mb_one_lora"] = round(stack.nbytes / 2**20, 1)
    results["step_s_one_lora"] = _step_seconds(dit, device, side)
    timed("reweight_s", lambda: stack.apply([(files[0], hashes[0], 0.5)]))
    six = [(f, h, 0.3) for f, h in zip(files[:6], hashes[:6], strict=True)]
    timed("apply_six_s", lambda: stack.apply(six))
    results["gpu_mb_six_loras"] = round(stack.nbytes / 2**20, 1)
    results["step_s_six_loras"] = _step_seconds(dit, device, side)
    timed("switch_six_to_other_one_s", lambda: stack.apply([(files[6], hashes[6], 1.0)]))
    timed("switch_back_to_six_s", lambda: stack.apply(six))  # converted: in the cache
    timed("clear_s", stack.clear)
    results["step_s_after_clear"] = _step_seconds(dit, device, side)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--part", choices=["tiny", "switching", "all"], default="all")
    args = parser.parse_args()
    full = args.device == "cuda"
    with tempfile.TemporaryDirectory() as folder:
        report: dict[str, Any] = {
            "device": torch.cuda.get_device_name() if full else "cpu",
            "torch": torch.__version__,
        }
        if args.part in ("tiny", "all"):
            report["tiny_plans"] = tiny_plans(args.device, Path(folder))
        if args.part in ("switching", "all"):
            size = 1024 if full else 256
            report["switching"] = switching(args.device, Path(folder), full, size)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", "utf-8")


if __name__ == "__main__":
    main()

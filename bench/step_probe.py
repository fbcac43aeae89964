"""Diagnostics: where a denoising step's time goes, and what float8 activation quantisers cost.

python -m bench.step_probe --models DIR --plan fp8-stream --budget-gb 8 [--profile] [--contend]
    [--loras PATH:WEIGHT,...]

In one process: load, warm up, then time 1024x1024 steps (CUDA events on the compute stream) with
each `Fp8Linear` forward variant, measure each variant's error on activations captured from the
model, optionally profile two steps (kernel time by kind) and time steps while host-to-GPU copies
run on another stream (does DMA traffic alone slow the maths?). Prints JSON lines.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics

import torch

from bench.case import stand_in_for_card
from majicflux_desktop.engine import streaming
from majicflux_desktop.engine.streaming import FP8, FP8_MAX


def denoising(on_step):  # the steps' (step, total, ETA), as the engine's progress reports them
    from majicflux_desktop.core.results import Phase

    return lambda p: on_step(p.step, p.total, p.eta_s) if p.phase is Phase.DENOISING else None


LORAS: tuple = ()  # the LoRAs every image is made with (--loras)


def prompt(seed: int, steps: int, size: int = 1024):
    from majicflux_desktop.core.request import GenerationRequest

    return GenerationRequest(
        "a cat on a windowsill", seed=seed, steps=steps, width=size, height=size, loras=LORAS
    )


def _rows(x: torch.Tensor) -> torch.Tensor:
    return x.reshape(-1, x.shape[-1])


def _product(self, x, quantised, scale_a, scale_b, fast=False):
    out = torch._scaled_mm(
        quantised,
        self.weight.t(),
        scale_a=scale_a,
        scale_b=scale_b,
        bias=self.bias,
        out_dtype=x.dtype,
        use_fast_accum=fast,
    )
    return out.reshape(*x.shape[:-1], out.shape[-1])


current = streaming.Fp8Linear.forward


def previous(self, x):  # the quantiser before fa2eea3, for comparison
    rows = _rows(x)
    amax = torch.linalg.vector_norm(
        rows, ord=float("inf"), dim=1, keepdim=True, dtype=torch.float32
    )
    scale = amax.clamp(min=1e-12) / FP8_MAX
    quantised = (rows * (1.0 / scale).to(rows.dtype)).to(FP8)
    return _product(self, x, quantised, scale, self.weight_scale)


def _divide_and_cast(rows, amax):
    scale = amax.float().clamp_(min=1e-12).mul_(1.0 / FP8_MAX)
    quantised = torch.empty_like(rows, dtype=FP8)
    torch.div(rows, scale, out=quantised)  # one kernel, but torch's dynamic-cast path
    return quantised, scale


def rowwise(self, x, fast=False):
    rows = _rows(x)
    amax = torch.linalg.vector_norm(rows, ord=float("inf"), dim=1, keepdim=True)
    quantised, scale = _divide_and_cast(rows, amax)
    return _product(self, x, quantised, scale, self.weight_scale, fast)


def tensorwise(self, x, fast=False):
    rows = _rows(x)
    quantised, scale = _divide_and_cast(rows, torch.linalg.vector_norm(rows, ord=float("inf")))
    one = getattr(self, "_one", None)
    if one is None:
        one = self._one = torch.ones((), device=x.device)
    return _product(self, x, quantised, scale, one, fast)


def upcast(self, x):  # bf16 maths on the float8 weight, for reference
    weight = self.weight.to(x.dtype) * self.weight_scale.t().to(x.dtype)
    return torch.nn.functional.linear(x, weight, self.bias)


VARIANTS = {
    "current": current,
    "previous": previous,
    "rowwise": rowwise,
    "rowwise_fast": lambda self, x: rowwise(self, x, fast=True),
    "tensorwise": tensorwise,
    "tensorwise_fast": lambda self, x: tensorwise(self, x, fast=True),
    "upcast": upcast,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", required=True)
    parser.add_argument("--plan", required=True)
    parser.add_argument("--budget-gb", type=float, default=None)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--variants", default="current")
    parser.add_argument("--profile", default="", help="variant to profile over two steps")
    parser.add_argument("--contend", default="", help="variant to time under background copies")
    parser.add_argument("--copy-ahead", type=int, default=None)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--loras", default="", help="PATH:WEIGHT,…: every image with these LoRAs")
    parser.add_argument(
        "--compile",
        default="",
        help="after the eager timings, torch.compile each transformer block's forward with this "
        "mode ('default', 'max-autotune-no-cudagraphs', …) and time again (issue 16 §4)",
    )
    args = parser.parse_args()
    budget = stand_in_for_card(args.budget_gb)
    from majicflux_desktop.engine import placement, scan
    from majicflux_desktop.engine.pipeline import Engine

    if args.copy_ahead is not None:
        original = placement.stream_pipeline

        def stream_pipeline(*a, **k):
            k["copy_ahead"] = args.copy_ahead
            return original(*a, **k)

        placement.stream_pipeline = stream_pipeline
    engine = Engine(device="cuda", compile_maths="off")  # --compile compiles
    global LORAS
    if args.loras:
        from pathlib import Path

        from majicflux_desktop.core.request import LoraUse

        items = [item.rpartition(":") for item in args.loras.split(",")]
        LORAS = tuple(LoraUse(Path(path).stem, float(weight)) for path, _, weight in items)
        engine.set_lora_folders(sorted({Path(path).parent for path, _, _ in items}))
    engine.load(scan.check(args.models).paths(), args.plan, budget_bytes=budget)
    label = f"{args.plan} {args.budget_gb or ''}".strip()
    streamer = engine.streamer
    info = {"config": label}
    if streamer is not None:
        info["resident_dit"] = sum(streamer.residency.dit)
        info["streamed_gb"] = round(streamer.streamed_bytes() / 1e9, 2)
        info["predicted_peak_gb"] = round(streamer.residency.predicted_peak / 2**30, 2)
        info["fp8_maths"] = any(u.fp8_compute for u in streamer.units)
    print(json.dumps(info), flush=True)
    size = args.size
    engine.generate(prompt(7, 3, size))

    def timed_steps(steps: int, hook=None) -> list[float]:
        events: list[torch.cuda.Event] = []

        def on_step(step, total_steps, eta):
            event = torch.cuda.Event(enable_timing=True)
            event.record()
            events.append(event)
            if hook is not None:
                hook(step)

        engine.generate(prompt(8, steps, size), on_progress=denoising(on_step))
        torch.cuda.synchronize()
        return [a.elapsed_time(b) / 1000 for a, b in itertools.pairwise(events)]

    fp8_layers = [m for m in engine.pipe.dit.modules() if isinstance(m, streaming.Fp8Linear)]
    for name in args.variants.split(","):
        if fp8_layers:
            streaming.Fp8Linear.forward = VARIANTS[name]
        times = timed_steps(args.steps)
        print(
            json.dumps(
                {
                    "config": label,
                    "variant": name if fp8_layers else "(bf16)",
                    "s_step_median": round(statistics.median(times), 4),
                    "s_step_min": round(min(times), 4),
                    "torch_peak_gb": round(torch.cuda.max_memory_allocated() / 2**30, 2),
                    "stats": streamer.stats if streamer is not None else None,
                }
            ),
            flush=True,
        )
        if not fp8_layers:
            break
    if fp8_layers:
        streaming.Fp8Linear.forward = VARIANTS["current"]
        errors(engine, fp8_layers, label)
    if args.contend:
        if fp8_layers:
            streaming.Fp8Linear.forward = VARIANTS[args.contend]
        chunk = 256 * 2**20
        host = torch.empty(chunk, dtype=torch.uint8).pin_memory()
        device = torch.empty(chunk, dtype=torch.uint8, device="cuda")
        side = torch.cuda.Stream()

        def flood(step):
            if step == 1:  # enough copies for the remaining steps at ~50 GB/s
                with torch.cuda.stream(side):
                    for _ in range(int(args.steps * 0.25 * 50e9 / chunk)):
                        device.copy_(host, non_blocking=True)

        times = timed_steps(args.steps, flood)
        print(
            json.dumps(
                {
                    "config": label,
                    "variant": f"{args.contend}+copies",
                    "s_step_median": round(statistics.median(times[1:]), 4),
                }
            ),
            flush=True,
        )
        torch.cuda.synchronize()
    if args.compile:
        compiled(engine, timed_steps, label, size, args.steps, args.compile)
    if args.profile:
        if fp8_layers:
            streaming.Fp8Linear.forward = VARIANTS[args.profile]
        profile(engine, label, size)


def compiled(engine, timed_steps, label, size, steps, mode) -> None:
    """Regional compilation: each transformer block's forward compiled (the streamer's hooks stay
    outside it, so streamed weights are swapped as in eager mode). Prints the compiled step, what
    the first compiled image cost and how far its pixels are from the eager image's."""
    import time

    import numpy

    torch._dynamo.config.cache_size_limit = 64
    request = prompt(11, 4, size)
    eager = numpy.asarray(engine.generate(request).image, dtype=numpy.float32)
    dit = engine.pipe.dit
    for block in [*dit.blocks, *dit.single_blocks]:
        block.forward = torch.compile(block.forward, dynamic=False, mode=mode)
    started = time.perf_counter()
    first = numpy.asarray(engine.generate(request).image, dtype=numpy.float32)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    engine.generate(request)
    again_s = time.perf_counter() - started
    times = timed_steps(steps)
    from torch._dynamo.utils import counters

    print(
        json.dumps(
            {
                "config": label,
                "variant": f"compiled {mode}",
                "s_step_median": round(statistics.median(times), 4),
                "s_step_min": round(min(times), 4),
                "first_compiled_image_s": round(first_s, 1),
                "next_image_s": round(again_s, 2),
                "pixels_mean_abs_diff": round(float(numpy.abs(first - eager).mean()), 3),
                "pixels_max_abs_diff": round(float(numpy.abs(first - eager).max()), 1),
                "graphs": dict(counters["stats"]),
                "recompiles": {k: v for k, v in counters["recompiles"].items()},
                "torch_peak_gb": round(torch.cuda.max_memory_allocated() / 2**30, 2),
            },
            default=str,
        ),
        flush=True,
    )


def errors(engine, layers, label) -> None:
    """Each variant's relative error against exact maths on the same float8 weights."""
    from majicflux_desktop.core.request import GenerationRequest

    dit = engine.pipe.dit
    captured: dict[str, torch.Tensor] = {}
    hooks = []
    named = dict(dit.named_modules())
    wanted = {
        name: module
        for name, module in named.items()
        if isinstance(module, streaming.Fp8Linear)
        and (name.startswith("blocks.0.") or name.startswith("single_blocks.37."))
    }
    for name, module in wanted.items():
        hooks.append(
            module.register_forward_pre_hook(
                lambda m, a, name=name: captured.setdefault(name, a[0].detach().clone())
            )
        )
    engine.generate(GenerationRequest("a cat on a windowsill", seed=9, steps=1))
    for hook in hooks:
        hook.remove()
    rows = []
    for name, x in captured.items():
        module = wanted[name]
        if module.weight is None or x.shape[-1] != module.in_features:
            continue
        weight = module.weight.float() * module.weight_scale.t().float()
        exact = torch.nn.functional.linear(x.float(), weight, None)
        if module.bias is not None:
            exact = exact + module.bias.float()
        result = {"layer": name, "tokens": int(x.numel() // x.shape[-1])}
        for variant, fn in VARIANTS.items():
            if variant == "current":
                continue
            out = fn(module, x).float()
            result[variant] = round(float((out - exact).norm() / exact.norm()), 5)
        rows.append(result)
    print(json.dumps({"config": label, "errors": rows}), flush=True)


def profile(engine, label, size) -> None:

    prof = torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CUDA])
    marks: list[torch.cuda.Event] = []

    def on_step(step, total_steps, eta):
        if step in (2, 4):
            event = torch.cuda.Event(enable_timing=True)
            event.record()
            marks.append(event)
            if step == 2:
                prof.start()
            else:
                torch.cuda.synchronize()
                prof.stop()

    engine.generate(
        prompt(8, 6, size),
        on_progress=denoising(on_step),
    )
    torch.cuda.synchronize()
    wall = marks[0].elapsed_time(marks[1]) / 2
    kinds: dict[str, float] = {}
    top: dict[str, float] = {}
    for event in prof.key_averages():
        us = getattr(event, "self_device_time_total", None)
        if us is None:
            us = event.self_cuda_time_total
        if us <= 0:
            continue
        key = event.key
        low = key.lower()
        if "memcpy" in low:
            kind = "copy"
        elif "flash" in low or "fmha" in low or "sdpa" in low:
            kind = "attention"
        elif "gemm" in low or "cutlass" in low or "nvjet" in low or "xmma" in low:
            kind = "gemm"
        elif "reduce" in low or "norm" in low:
            kind = "reduce/norm"
        else:
            kind = "elementwise/other"
        kinds[kind] = kinds.get(kind, 0.0) + us / 2 / 1000
        top[key[:160]] = top.get(key[:160], 0.0) + us / 2 / 1000
    print(
        json.dumps(
            {
                "config": label,
                "profile_ms_per_step": {k: round(v, 1) for k, v in sorted(kinds.items())},
                "step_wall_ms": round(wall, 1),
                "top_kernels_ms": {
                    k: round(v, 2) for k, v in sorted(top.items(), key=lambda kv: -kv[1])[:30]
                },
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()

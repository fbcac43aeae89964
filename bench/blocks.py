"""Diagnostics: per-block GPU time within one denoising step, to see where streaming stalls.

python -m bench.blocks --models DIR --budget-gb 8 [--even]
"""

from __future__ import annotations

import argparse
import json

import torch

from bench.case import stand_in_for_card


def denoising(on_step):  # the steps' (step, total, ETA), as the engine's progress reports them
    from majicflux_desktop.core.results import Phase

    return lambda p: on_step(p.step, p.total, p.eta_s) if p.phase is Phase.DENOISING else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", required=True)
    parser.add_argument("--budget-gb", type=float, required=True)
    parser.add_argument("--even", action="store_true", help="spread resident blocks evenly instead")
    parser.add_argument("--fp8-matmul", default="auto")
    args = parser.parse_args()
    budget = stand_in_for_card(args.budget_gb)
    from majicflux_desktop.core.request import GenerationRequest
    from majicflux_desktop.engine import memory, scan
    from majicflux_desktop.engine.pipeline import Engine

    if args.even:
        memory._largest_first = lambda sizes, chosen: memory.evenly_spaced(len(sizes), chosen)
    engine = Engine(device="cuda", fp8_matmul=args.fp8_matmul, compile_maths="off")
    engine.load(scan.check(args.models).paths(), "fp8-stream", budget_bytes=budget)
    dit = engine.pipe.dit
    blocks = [*dit.blocks, *dit.single_blocks]
    events: list[tuple[int, torch.cuda.Event, torch.cuda.Event]] = []
    recording = {"on": False}

    def before(index: int):
        def hook(module, args):
            if recording["on"]:
                start = torch.cuda.Event(enable_timing=True)
                start.record()
                events.append((index, start, None))

        return hook

    def after(index: int):
        def hook(module, args, output):
            if recording["on"]:
                end = torch.cuda.Event(enable_timing=True)
                end.record()
                i, start, _ = events[-1]
                events[-1] = (i, start, end)

        return hook

    for index, block in enumerate(blocks):
        # Registered after the streamer's: the start event follows its wait on the block's copy.
        block.register_forward_pre_hook(before(index))
        block.register_forward_hook(after(index))
    request = GenerationRequest("a cat", seed=1, steps=4, width=1024, height=1024)
    engine.generate(request)

    def on_step(step, total, eta):
        recording["on"] = step == 2

    engine.generate(request, on_progress=denoising(on_step))
    torch.cuda.synchronize()
    streamer = engine.streamer
    resident = [u.resident for u in streamer.units if u.model == "dit"]
    rows = []
    previous_end = None
    for index, start, end in events[: len(blocks)]:
        gap = previous_end.elapsed_time(start) if previous_end is not None else 0.0
        rows.append((index, resident[index], round(start.elapsed_time(end), 2), round(gap, 2)))
        previous_end = end
    compute = sum(r[2] for r in rows)
    gaps = sum(r[3] for r in rows)
    print(
        json.dumps(
            {
                "budget_gb": args.budget_gb,
                "even": args.even,
                "compute_ms": round(compute, 1),
                "gaps_ms": round(gaps, 1),
                "stats": streamer.stats,
                "resident": sum(resident),
            }
        )
    )
    for index, keep, ms, gap in rows:
        print(f"{index:2d} {'R' if keep else 's'} {ms:6.2f} ms  gap {gap:6.2f}")


if __name__ == "__main__":
    main()

"""Host memory while T5 loads, as the streamed plans load it (CPU only; runs anywhere).

python -m bench.load_rss --fixtures /tmp/mf-fixtures [--buffer PARAMETERS]

Loads the two full-size T5 shards (bench/fixtures.py; only those are written if missing) through
the engine's own path (diffsynth's loader, float8 storage) and prints host RSS before, at its
peak (sampled every 20 ms) and after, the weights' size and the transient above them. `--buffer`
sets DIFFSYNTH_DISK_MAP_BUFFER_SIZE (how many parameters diffsynth reads through one set of
memory maps before reopening the files); the engine's own setting (streaming.keep_loading_lean)
applies unless `--untuned`. Run it in fresh processes to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixtures", type=Path, default=Path("/tmp/mf-fixtures"))
    parser.add_argument("--buffer", type=int, default=None, help="parameters; diffsynth's is 1e9")
    parser.add_argument("--untuned", action="store_true", help="diffsynth's and glibc's defaults")
    args = parser.parse_args()
    if args.buffer is not None:
        os.environ["DIFFSYNTH_DISK_MAP_BUFFER_SIZE"] = str(args.buffer)

    import psutil
    import torch

    from majicflux_desktop.engine.pipeline import _load_t5  # first: diffsynth as the app has it

    from diffsynth.core import ModelConfig  # isort: skip
    from diffsynth.pipelines.flux_image import FluxImagePipeline  # isort: skip

    from bench import fixtures
    from majicflux_desktop.engine import memory
    from majicflux_desktop.engine.streaming import keep_loading_lean

    if not args.untuned:
        keep_loading_lean()

    shards = []
    for relative, (role, dtype) in fixtures.FILES.items():
        if role.startswith("t5"):
            path = args.fixtures / relative
            if not path.is_file():
                fixtures.write_file(path, fixtures.layout_for(role), dtype, "cpu")
            shards.append(str(path))
    process = psutil.Process()
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            time.sleep(0.02)

    fields = memory.PLANS["fp8-stream"].diffsynth_fields("t5", "cpu")
    pipe = FluxImagePipeline(device="cpu", torch_dtype=torch.bfloat16)
    before = process.memory_info().rss
    threading.Thread(target=sample, daemon=True).start()
    started = time.perf_counter()
    model = _load_t5(pipe, ModelConfig(path=shards, **fields))
    seconds = time.perf_counter() - started
    stop.set()
    time.sleep(0.05)
    weights = sum(p.numel() * p.element_size() for p in model.parameters())
    gib = 2**30
    print(
        json.dumps(
            {
                "tuned": not args.untuned,
                "buffer": os.environ.get("DIFFSYNTH_DISK_MAP_BUFFER_SIZE", "default (1e9)"),
                "rss_before_gib": round(before / gib, 2),
                "rss_peak_gib": round(peak[0] / gib, 2),
                "rss_after_gib": round(process.memory_info().rss / gib, 2),
                "weights_gib": round(weights / gib, 2),
                "transient_gib": round((peak[0] - before - weights) / gib, 2),
                "load_s": round(seconds, 1),
            }
        )
    )


if __name__ == "__main__":
    main()

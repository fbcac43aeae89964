"""Full-size random-weight model files in the exact layouts of the real downloads.

Same tensor names and shapes as majicflus_v134 and FLUX.1-dev (engine/layouts.py, checked against
diffsynth's layout hashes), so they load through the same code path as real files; compute time and
memory do not depend on the weight values. Written once per machine (about 22 GB).

    python -m bench.fixtures DIR
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import time
from pathlib import Path

import torch

from majicflux_desktop.engine import layouts, scan

DTYPES = {"F8_E4M3": torch.float8_e4m3fn, "BF16": torch.bfloat16, "F32": torch.float32}
# The DiT as the majicflus file stores it (float8), the rest as FLUX.1-dev does.
FILES = {
    "MAILAND/majicflus_v1/majicflus_v134.safetensors": ("dit", "F8_E4M3"),
    "black-forest-labs/FLUX.1-dev/text_encoder/model.safetensors": ("clip", "BF16"),
    "black-forest-labs/FLUX.1-dev/text_encoder_2/model-00001-of-00002.safetensors": (
        "t5-1",
        "BF16",
    ),
    "black-forest-labs/FLUX.1-dev/text_encoder_2/model-00002-of-00002.safetensors": (
        "t5-2",
        "BF16",
    ),
    "black-forest-labs/FLUX.1-dev/ae.safetensors": ("vae", "F32"),
}


def layout_for(role: str) -> layouts.Layout:
    t5_first, t5_second = layouts.split_t5_shards(layouts.t5_encoder())
    return {
        "dit": layouts.flux_dit(),
        "clip": layouts.clip_text(),
        "t5-1": t5_first,
        "t5-2": t5_second,
        "vae": layouts.flux_vae(),
    }[role]


def random_tensor(name: str, shape: tuple[int, ...], device: str) -> torch.Tensor:
    if name.endswith(
        (".scale", "norm.weight", "norm1.weight", "norm2.weight", "layer_norm.weight")
    ) or ("norm" in name and name.endswith("weight") and len(shape) == 1):
        return torch.ones(shape, device=device)
    if name.endswith(".bias"):
        return torch.zeros(shape, device=device)
    if "embed" in name or name == "shared.weight":
        return torch.randn(shape, device=device)
    fan_in = 1
    for dim in shape[1:]:
        fan_in *= dim
    return torch.randn(shape, device=device) / max(fan_in, 1) ** 0.5


def write_file(path: Path, layout: layouts.Layout, dtype: str, device: str) -> None:
    size = torch.empty((), dtype=DTYPES[dtype]).element_size()
    table: dict[str, object] = {}
    offset = 0
    names = sorted(layout)
    for name in names:
        count = 1
        for dim in layout[name]:
            count *= dim
        table[name] = {
            "dtype": dtype,
            "shape": list(layout[name]),
            "data_offsets": [offset, offset + count * size],
        }
        offset += count * size
    header = json.dumps(table).encode()
    header += b" " * (-len(header) % 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with open(partial, "wb") as handle:
        handle.write(struct.pack("<Q", len(header)))
        handle.write(header)
        for name in names:
            tensor = random_tensor(name, layout[name], device).to(DTYPES[dtype]).cpu().contiguous()
            handle.write(memoryview(tensor.view(torch.uint8).numpy()))
    partial.replace(path)


def ensure(folder: Path) -> Path:
    """Write whatever is missing; return the folder (a complete models folder for the app)."""
    device = "cuda" if torch.cuda.is_available() else "cpu"
    for relative, (role, dtype) in FILES.items():
        path = folder / relative
        if path.is_file():
            continue
        started = time.perf_counter()
        write_file(path, layout_for(role), dtype, device)
        print(
            f"wrote {relative} ({path.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    # no tokenizer files: the ones shipped with the app serve (the weights are full-size)
    report = scan.check(folder)
    assert report.complete, [m.text() for m in scan.describe_missing(report)]
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    ensure(parser.parse_args().folder)


if __name__ == "__main__":
    main()

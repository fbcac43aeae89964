"""What a LoRA pair costs a 1024² step, by storage (GPU only): the pairs' products of two LoRAs
(ranks 32 + 64 side by side) on every Linear of FLUX.1's blocks, added into their outputs as
`lora_apply._add_pairs` adds them, eager and compiled as the blocks compile them.

    python -m bench.pair_probe

Prints ms a step (19 double blocks, 38 single blocks) for full (bf16) pairs, int8 pairs with
both scales on the up rows (`lora_apply.int8_pair`), and int8 pairs scaled on the rank-sized
product instead.
"""

from __future__ import annotations

import json

import torch

from bench.kernels import timed
from majicflux_desktop.engine import lora_apply

RANK = 96
IMAGE, TEXT = 4096, 512  # tokens at 1024²
# (tokens, in, out) of each Linear in one block (the modulation Linears run on one token)
DOUBLE = [(n, i, o) for n in (IMAGE, TEXT) for i, o in ((3072, 9216), (3072, 3072), (3072, 12288), (12288, 3072))]  # fmt: skip
SINGLE = [(IMAGE + TEXT, 3072, 21504), (IMAGE + TEXT, 15360, 3072)]


def scaled_on_product(out: torch.Tensor, x: torch.Tensor, pairs: tuple) -> torch.Tensor:
    flat, flat_x = out.reshape(-1, out.shape[-1]), x.reshape(-1, x.shape[-1])
    for _, down_t, up_t, scale in pairs:
        product = (flat_x @ down_t.to(flat_x.dtype)) * scale.t().to(flat_x.dtype)
        flat.addmm_(product, up_t.to(flat_x.dtype))
    return flat.view(out.shape)


def block_ms(shapes: list, storage: str, compiled: bool) -> float:
    torch.manual_seed(0)
    work = []
    for tokens, inp, outp in shapes:
        x = torch.randn(tokens, inp, device="cuda", dtype=torch.bfloat16)
        out = torch.randn(tokens, outp, device="cuda", dtype=torch.bfloat16)
        pair = (
            None,
            torch.randn(inp, RANK, device="cuda", dtype=torch.bfloat16) / inp**0.5,
            torch.randn(RANK, outp, device="cuda", dtype=torch.bfloat16) * 0.01,
            None,
        )
        if storage != "bf16":
            pair = lora_apply.int8_pair(pair)
        for tensor, dim in ((pair[1], 1), (pair[2], 0), (pair[3], 0)):
            if tensor is not None:
                torch._dynamo.maybe_mark_dynamic(tensor, dim)
        work.append((out, x, (pair,)))
    add = scaled_on_product if storage == "int8-product" else lora_apply._add_pairs
    fn = torch.compile(add, dynamic=None) if compiled else add

    def run() -> None:
        for out, x, pairs in work:
            fn(out, x, pairs)

    return timed(run) * 1000


def main() -> None:
    torch._dynamo.config.automatic_dynamic_shapes = False  # as compiled.py sets it
    torch._dynamo.config.recompile_limit = 64  # one graph per Linear's shape, as in the blocks
    for compiled in (False, True):
        for storage in ("bf16", "int8", "int8-product"):
            double, single = (
                block_ms(DOUBLE, storage, compiled),
                block_ms(SINGLE, storage, compiled),
            )
            row = {
                "compiled": compiled,
                "storage": storage,
                "double_block_ms": round(double, 3),
                "single_block_ms": round(single, 3),
                "step_ms": round(19 * double + 38 * single, 1),
            }
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()

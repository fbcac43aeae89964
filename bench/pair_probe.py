"""What a LoRA pair costs a 1024² step, by storage (GPU only): the pairs' products of two LoRAs
(ranks 32 + 64 side by side) on every Linear of FLUX.1's blocks, added into their outputs as
`lora_apply._add_pairs` adds them, eager and compiled as the blocks compile them.

    python -m bench.pair_probe [--parts]

Prints ms a step (19 double blocks, 38 single blocks) for full (bf16) pairs, int8 pairs with
both scales on the up rows (`lora_apply.int8_pair`), and int8 pairs scaled on the rank-sized
product instead. `--parts`: by Linear shape, the base float8 product, the pair's down product and
its up product added into the output, each against the time to move the bytes it must move
(the output read and written, the input read) at the card's measured copy speed.
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


def copy_bandwidth() -> float:
    """Bytes read and written per second by a 1 GiB device-to-device copy."""
    big = torch.empty(2**30, device="cuda", dtype=torch.uint8)
    return 2**30 / timed(lambda: big[: 2**29].copy_(big[2**29 :]))


def shape_parts(tokens: int, inp: int, outp: int, bandwidth: float) -> dict[str, float]:
    """Seconds for one Linear of this shape: its float8 product, its pair's parts, the floors."""
    fp8 = torch.float8_e4m3fn
    x = torch.randn(tokens, inp, device="cuda", dtype=torch.bfloat16)
    out = torch.randn(tokens, outp, device="cuda", dtype=torch.bfloat16)
    down_t = torch.randn(inp, RANK, device="cuda", dtype=torch.bfloat16) / inp**0.5
    up_t = torch.randn(RANK, outp, device="cuda", dtype=torch.bfloat16) * 0.01
    weight = torch.randn(outp, inp, device="cuda").div_(inp**0.5).to(fp8)
    row_scale = torch.full((tokens, 1), 0.01, device="cuda")
    quantised = x.to(fp8)
    down_q = down_t.t().contiguous().to(fp8)  # (rank, in): its .t() is column-major
    t = x @ down_t

    column_scales = {n: torch.full((1, n), 0.01, device="cuda") for n in (outp, RANK)}

    def scaled(b: torch.Tensor, fast: bool) -> torch.Tensor:  # no setup inside the timed call
        return torch._scaled_mm(
            quantised,
            b,
            scale_a=row_scale,
            scale_b=column_scales[b.shape[1]],
            out_dtype=torch.bfloat16,
            use_fast_accum=fast,
        )

    pairs = ((None, down_t, up_t, None),)

    def split_k(parts: int) -> torch.Tensor:  # the down product as `parts` products over K
        x_parts = x.view(tokens, parts, inp // parts).transpose(0, 1)
        return torch.bmm(x_parts, down_t.view(parts, inp // parts, RANK)).sum(0)

    def add(out: torch.Tensor, t: torch.Tensor, up_t: torch.Tensor) -> torch.Tensor:
        return out.addmm_(t, up_t)

    tuned_add = torch.compile(add, mode="max-autotune-no-cudagraphs", dynamic=False)
    tuned_pair = torch.compile(
        lora_apply._add_pairs, mode="max-autotune-no-cudagraphs", dynamic=False
    )
    default_pair = torch.compile(lora_apply._add_pairs, dynamic=False)
    return {
        "down_split2": timed(lambda: split_k(2)),
        "down_split4": timed(lambda: split_k(4)),
        "down_split8": timed(lambda: split_k(8)),
        "up_tuned": timed(lambda: tuned_add(out, t, up_t)),
        "pair_compiled": timed(lambda: default_pair(out, x, pairs)),
        "pair_tuned": timed(lambda: tuned_pair(out, x, pairs)),
        "base_fp8": timed(lambda: scaled(weight.t(), True)),
        "down": timed(lambda: x @ down_t),
        "down_fp8": timed(lambda: scaled(down_q.t(), False)),
        "up_addmm": timed(lambda: out.addmm_(t, up_t)),
        "up_mm_then_add": timed(lambda: out.add_(t @ up_t)),
        "pair": timed(lambda: lora_apply._add_pairs(out, x, pairs)),
        "floor_out_rw": 2 * out.nbytes / bandwidth,
        "floor_x_read": x.nbytes / bandwidth,
    }


def parts() -> None:
    """Where a pair's time goes, by Linear shape, against its bytes' floor."""
    torch._dynamo.config.recompile_limit = 64
    bandwidth = copy_bandwidth()
    print(json.dumps({"copy_tb_s": round(bandwidth / 1e12, 2)}), flush=True)
    totals: dict[str, float] = {}
    for count, shapes in ((19, DOUBLE), (38, SINGLE)):
        for tokens, inp, outp in shapes:
            ms = {k: v * 1e3 for k, v in shape_parts(tokens, inp, outp, bandwidth).items()}
            row: dict = {"tokens": tokens, "in": inp, "out": outp, "per_step": count}
            row.update({k: round(v, 4) for k, v in ms.items()})
            print(json.dumps(row), flush=True)
            for key, value in ms.items():
                totals[key] = totals.get(key, 0.0) + count * value
    print(json.dumps({"step_ms": {k: round(v, 2) for k, v in totals.items()}}), flush=True)


def main() -> None:
    import sys

    if "--parts" in sys.argv:
        parts()
        return
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

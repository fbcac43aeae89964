"""The Triton kernel of lora_fold: out = upcast(source) · scale + up_tᵀ · down_tᵀ in one pass.

Imported only where Triton builds kernels (lora_fold._triton_fold). Each program makes a tile of
the (rows, in) weight: the LoRAs' change as a product over their rank (tensor cores, float32
sums), then the stored weight's tile, upcast, added, rounded once and written. Float8 weights are
decoded from their bits here, not by Triton's float8 type, which Ampere cards (an RTX 3060: the
cards that run bf16 maths) do not have.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

TILE_ROWS = 128
TILE_COLS = 128
TILE_RANK = 32


@triton.jit
def _fold_kernel(
    source,
    scale,
    down,
    up,
    out,
    rows,
    cols,
    rank,
    source_stride,
    out_stride,
    down_col_stride,
    down_rank_stride,
    up_rank_stride,
    up_row_stride,
    HAS_SCALE: tl.constexpr,
    E4M3_BITS: tl.constexpr,
    BM: tl.constexpr,
    BN: tl.constexpr,
    BR: tl.constexpr,
):
    rm = tl.program_id(0) * BM + tl.arange(0, BM)
    rn = tl.program_id(1) * BN + tl.arange(0, BN)
    in_m = rm < rows
    in_n = rn < cols
    change = tl.zeros((BM, BN), dtype=tl.float32)
    for r0 in range(0, rank, BR):
        rr = r0 + tl.arange(0, BR)
        in_r = rr < rank
        a = tl.load(
            up + rr[None, :] * up_rank_stride + rm[:, None] * up_row_stride,
            mask=in_m[:, None] & in_r[None, :],
            other=0.0,
        )
        b = tl.load(
            down + rn[None, :] * down_col_stride + rr[:, None] * down_rank_stride,
            mask=in_r[:, None] & in_n[None, :],
            other=0.0,
        )
        change += tl.dot(a, b)
    inside = in_m[:, None] & in_n[None, :]
    stored = tl.load(source + rm[:, None] * source_stride + rn[None, :], mask=inside, other=0)
    if E4M3_BITS:  # float8 e4m3fn: sign, 4 exponent bits (bias 7), 3 mantissa bits
        bits = stored.to(tl.int32)
        exponent = (bits >> 3) & 15
        mantissa = bits & 7
        normal = (((exponent + 120) << 23) | (mantissa << 20)).to(tl.float32, bitcast=True)
        value = tl.where(exponent == 0, mantissa.to(tl.float32) * 0.001953125, normal)  # 2**-9
        weight = tl.where((bits & 128) != 0, -value, value)
    else:
        weight = stored.to(tl.float32)
    if HAS_SCALE:
        weight = weight * tl.load(scale + rm, mask=in_m, other=0.0).to(tl.float32)[:, None]
    tl.store(
        out + rm[:, None] * out_stride + rn[None, :],
        (weight + change).to(out.dtype.element_ty),
        mask=inside,
    )


def fold(
    source: torch.Tensor,
    scale: torch.Tensor | None,
    down_t: torch.Tensor,
    up_t: torch.Tensor,
    target: torch.Tensor,
) -> None:
    """target (rows, in) = source · scale + (down_t @ up_t)ᵀ, on the current stream. `source` and
    `target` have contiguous rows; `scale` is (rows, 1) or None; down_t (in, rank), up_t (rank,
    rows) in the target's dtype."""
    rows, cols = target.shape
    assert source.shape == target.shape and source.stride(1) == 1 and target.stride(1) == 1
    e4m3 = source.dtype == torch.float8_e4m3fn
    stored = source.view(torch.uint8) if e4m3 else source
    grid = (triton.cdiv(rows, TILE_ROWS), triton.cdiv(cols, TILE_COLS))
    _fold_kernel[grid](
        stored,
        target if scale is None else scale.reshape(-1),
        down_t,
        up_t,
        target,
        rows,
        cols,
        down_t.shape[1],
        stored.stride(0),
        target.stride(0),
        down_t.stride(0),
        down_t.stride(1),
        up_t.stride(0),
        up_t.stride(1),
        HAS_SCALE=scale is not None,
        E4M3_BITS=e4m3,
        BM=TILE_ROWS,
        BN=TILE_COLS,
        BR=TILE_RANK,
        num_warps=8,
    )


def compile_for(capability: int) -> int:
    """Compile the kernel as the engine launches it on a float8 block (its bits in, row scales,
    bf16 out) for a GPU of this compute capability, offline (no GPU needed): the cubin's bytes.
    The self-test does so for an RTX 30, whose float8 the kernel decodes from bits."""
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    pointers = {name: "*bf16" for name in ("scale", "down", "up", "out")}
    sizes = ["rows", "cols", "rank", "source_stride", "out_stride", "down_col_stride"]
    sizes += ["down_rank_stride", "up_rank_stride", "up_row_stride"]
    constexprs = {
        "HAS_SCALE": True,
        "E4M3_BITS": True,
        "BM": TILE_ROWS,
        "BN": TILE_COLS,
        "BR": TILE_RANK,
    }
    signature = {"source": "*u8", **pointers, **dict.fromkeys(sizes, "i32")}
    signature.update(dict.fromkeys(constexprs, "constexpr"))
    kernel = triton.compile(
        ASTSource(fn=_fold_kernel, signature=signature, constexprs=constexprs),
        target=GPUTarget("cuda", capability, 32),
        options={"num_warps": 8},
    )
    return len(kernel.asm["cubin"])

"""LoRAs folded into upcast weights (lora_fold): the sum the side branch adds, made on the weight.

The plain path (the CPU, and GPUs without Triton) runs anywhere. The Triton kernel is compiled
for an RTX 30 offline and its maths run in Triton's interpreter on the CPU (float16 out); its bf16
launches run where a GPU is (CI has none: the H200 ran them, bench/README.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from majicflux_desktop.engine import lora_fold
from majicflux_desktop.engine.lora_apply import Pair, int8_pair
from majicflux_desktop.engine.streaming import FP8

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs an NVIDIA GPU")


def pair(rows: tuple[int, int] | None, out: int, cols: int, rank: int, seed: int) -> Pair:
    generator = torch.Generator().manual_seed(seed)
    down_t = torch.randn(cols, rank, generator=generator) * 0.1
    up_t = torch.randn(rank, out, generator=generator) * 0.1
    return rows, down_t, up_t, None


def stored(rows: int, cols: int, seed: int) -> torch.Tensor:
    """A float8 weight holding every finite float8 value (subnormals and signs included)."""
    generator = torch.Generator().manual_seed(seed)
    every = torch.arange(256, dtype=torch.uint8).view(FP8)
    finite = every[torch.isfinite(every.float())]
    picks = torch.randint(0, finite.numel(), (rows * cols,), generator=generator)
    weight = finite[picks]
    if weight.numel() >= finite.numel():
        weight[: finite.numel()] = finite  # each value at least once
    return weight.view(rows, cols)


def to_gpu(on_cpu: Pair) -> Pair:
    """As the engine holds pairs on a GPU: full ones in bf16, int8 ones as they are."""
    rows, down_t, up_t, scale = on_cpu
    if scale is None:
        return rows, down_t.cuda().bfloat16(), up_t.cuda().bfloat16(), None
    return rows, down_t.cuda(), up_t.cuda(), scale.cuda()


def reference(source: torch.Tensor, scale: torch.Tensor | None, pairs: list[Pair]) -> torch.Tensor:
    """In float64: the upcast weight plus each pair's change, on its rows."""
    weight = source.double() * (1 if scale is None else scale.double())
    for rows, down_t, up_t, pair_scale in pairs:
        start, stop = rows or (0, weight.shape[0])
        up = up_t.double() * (1 if pair_scale is None else pair_scale.double())
        weight[start:stop] += (down_t.double() @ up).t()
    return weight


@pytest.mark.parametrize("scaled", [False, True], ids=["stored-as-is", "row-scales"])
def test_the_plain_fold_is_the_upcast_weight_plus_each_pairs_change(scaled: bool) -> None:
    rows, cols = 40, 24
    source = stored(rows, cols, seed=1)
    scale = torch.rand(rows, 1) + 0.5 if scaled else None
    pairs = [
        pair(None, rows, cols, 3, seed=2),  # every row
        pair((0, 16), 16, cols, 2, seed=3),  # q rows of a fused Linear, over the first
        pair((24, 40), 16, cols, 5, seed=4),  # v rows
    ]
    pairs[1] = int8_pair(pairs[1])  # int8: its scales folded in when widened
    target = torch.empty(rows, cols)
    lora_fold.upcast(source, scale, pairs, target)
    torch.testing.assert_close(
        target.double(), reference(source, scale, pairs), rtol=1e-6, atol=1e-6
    )


def test_no_pairs_is_the_plain_upcast_exactly() -> None:
    source = stored(32, 8, seed=5)
    scale = torch.rand(32, 1) + 0.5
    target = torch.empty(32, 8)
    lora_fold.upcast(source, scale, (), target)
    assert torch.equal(target, source.float() * scale)


def kernel_in_torch(
    source: torch.Tensor,
    scale: torch.Tensor | None,
    down_t: torch.Tensor,
    up_t: torch.Tensor,
    target: torch.Tensor,
) -> None:
    """What the Triton kernel computes, for `upcast`'s split between kernel and addmm on a CPU."""
    target.copy_(source.float() * (1 if scale is None else scale))
    target.addmm_(up_t.t(), down_t.t())


def test_the_kernel_takes_the_pairs_whose_rows_do_not_overlap_and_a_failure_falls_back(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Rows of no pair are upcast plainly, a pair over rows the kernel already took is added by
    addmm after. A kernel whose first launch fails leaves the same weight, by addmm, said once;
    one that failed after working raises."""
    rows, cols = 40, 24
    source = stored(rows, cols, seed=12)
    scale = torch.rand(rows, 1) + 0.5
    pairs = [pair((0, 16), 16, cols, 2, seed=13), pair((30, 40), 10, cols, 3, seed=14)]
    pairs.append(pair(None, rows, cols, 4, seed=15))  # over both: by addmm
    expected = reference(source, scale, pairs)
    launched: list[int] = []

    def works(*args: torch.Tensor | None) -> None:
        launched.append(args[-1].shape[0])  # type: ignore[union-attr]
        kernel_in_torch(*args)  # type: ignore[arg-type]

    def fails(*args: torch.Tensor | None) -> None:
        launched.append(-1)
        raise RuntimeError("no launcher")

    for kernel, runs in ((works, [16, 10]), (fails, [-1])):
        monkeypatch.setattr(lora_fold, "_kernel_works", None)
        monkeypatch.setattr(lora_fold, "_kernel", lambda target, k=kernel: k)
        launched.clear()
        target = torch.empty(rows, cols)
        lora_fold.upcast(source, scale, pairs, target)
        assert launched == runs  # the second pair is not launched after the first failed
        torch.testing.assert_close(target.double(), expected, rtol=1e-6, atol=1e-6)
    assert lora_fold._kernel_works is False
    assert [r.message for r in caplog.records if "fold kernel failed" in r.message]
    monkeypatch.setattr(lora_fold, "_kernel_works", True)  # it had worked: a failure is an error
    with pytest.raises(RuntimeError, match="no launcher"):
        lora_fold.upcast(source, scale, pairs, torch.empty(rows, cols))


def test_the_fold_kernel_compiles_for_an_rtx_30_without_a_gpu() -> None:
    """RTX 30 cards have no float8 maths, so they run this path: the kernel decodes float8 from
    its bits there (Triton's float8 type needs sm_89). Triton's LLVM and ptxas need no GPU."""
    pytest.importorskip("triton")
    from majicflux_desktop.engine import lora_fold_triton

    assert lora_fold_triton.compile_for(86) > 0


INTERPRETED = """
import torch
from majicflux_desktop.engine import lora_fold_triton
from tests.engine.test_lora_fold import pair, reference, stored

for rows, cols, rank, scaled in ((130, 150, 40, True), (257, 129, 2, False), (64, 300, 33, True)):
    source = stored(rows, cols, seed=rows)
    scale = torch.rand(rows, 1) + 0.5 if scaled else None
    _, down_t, up_t, _ = pair(None, rows, cols, rank, seed=cols)
    down_t, up_t = down_t.half(), up_t.half()
    target = torch.empty(rows, cols, dtype=torch.float16)
    lora_fold_triton.fold(source, None if scale is None else scale.half(), down_t, up_t, target)
    expected = reference(source, None if scale is None else scale.half(), [(None, down_t, up_t, None)])
    torch.testing.assert_close(target.double(), expected, rtol=2**-10, atol=1e-3)
print("interpreted fold ok")
"""


def test_the_fold_kernel_gives_the_sum_in_tritons_interpreter() -> None:
    """The kernel's indexing, masks, rank chunks and float8 decoding, on the CPU: Triton's
    interpreter runs it as Python (float16 out: the interpreter has no bf16 products)."""
    pytest.importorskip("triton")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "TRITON_INTERPRET": "1", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", INTERPRETED], cwd=root, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "interpreted fold ok" in done.stdout


@needs_cuda
@pytest.mark.parametrize("scaled", [False, True], ids=["stored-as-is", "row-scales"])
def test_the_triton_fold_gives_the_sum_rounded_once(
    scaled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shapes that fill no tile exactly, a rank that spans two of the kernel's rank chunks, row
    ranges side by side (each its own launch) and one over them (added after, by addmm)."""

    def no_fallback(*args: object) -> None:
        raise AssertionError("the kernel failed: the engine fell back to addmm")

    monkeypatch.setattr(lora_fold, "_plain", no_fallback)  # the kernel covers every row here
    from majicflux_desktop.engine import lora_fold_triton

    kernel = lora_fold._triton_fold()
    assert kernel is not None, "Triton should build kernels on this machine"
    # the kernel itself (the engine's path falls back to addmm if its first launch fails)
    rows_only = pair(None, 260, 150, 40, seed=10)
    source_alone = stored(260, 150, seed=11).cuda()
    alone = torch.empty(260, 150, dtype=torch.bfloat16, device="cuda")
    down_t, up_t = (t.cuda().bfloat16() for t in rows_only[1:3])
    lora_fold_triton.fold(source_alone, None, down_t, up_t, alone)
    expected_alone = reference(source_alone.cpu(), None, [(None, down_t.cpu(), up_t.cpu(), None)])
    torch.testing.assert_close(alone.double().cpu(), expected_alone, rtol=2**-8, atol=1e-3)
    rows, cols = 300, 200
    source = stored(rows, cols, seed=6).cuda()
    scale = (torch.rand(rows, 1) + 0.5).cuda() if scaled else None
    pairs = [
        pair((0, 130), 130, cols, 40, seed=7),
        pair((130, 300), 170, cols, 3, seed=8),
        pair(None, rows, cols, 2, seed=9),
    ]
    pairs[1] = int8_pair(pairs[1])
    on_gpu = [to_gpu(p) for p in pairs]
    target = torch.empty(rows, cols, dtype=torch.bfloat16, device="cuda")
    lora_fold.upcast(source, None if scale is None else scale.to(torch.bfloat16), on_gpu, target)
    expected = reference(
        source.cpu(),
        None if scale is None else scale.to(torch.bfloat16).cpu(),
        [
            (r, down_t.cpu(), up_t.cpu(), None if s is None else s.cpu())
            for r, down_t, up_t, s in on_gpu
        ],
    )
    # bf16 keeps 8 bits: the sum rounded once (twice where the third pair is added after)
    torch.testing.assert_close(target.double().cpu(), expected, rtol=2**-7, atol=1e-3)

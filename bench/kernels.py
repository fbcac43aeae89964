"""Micro-benchmarks of the operations the memory engine is built from (GPU only).

python -m bench.kernels
"""

from __future__ import annotations

import torch

FP8 = torch.float8_e4m3fn


def timed(fn, repeat: int = 20) -> float:
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(repeat):
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    times.sort()
    return times[len(times) // 2] / 1000


def main() -> None:
    block = 340_000_000  # one double block's Linear weights
    fp8 = (torch.randn(block, device="cuda") * 0.02).to(FP8)
    bf16 = torch.empty(block, device="cuda", dtype=torch.bfloat16)
    seconds = timed(lambda: bf16.copy_(fp8))
    print(
        f"upcast fp8->bf16, one double block: {seconds * 1e3:.2f} ms, {3 * block / seconds / 1e12:.2f} TB/s"
    )
    as_int = fp8.view(torch.uint8)
    host = torch.empty(block, dtype=torch.uint8).pin_memory()
    seconds = timed(lambda: as_int.copy_(host, non_blocking=True))
    print(
        f"host->GPU pinned, one double block (fp8): {seconds * 1e3:.2f} ms, {block / seconds / 1e9:.1f} GB/s"
    )
    pageable = torch.empty(block, dtype=torch.uint8)
    seconds = timed(lambda: as_int.copy_(pageable), repeat=5)
    print(f"host->GPU pageable: {block / seconds / 1e9:.1f} GB/s")
    registered = torch.empty(block, dtype=torch.uint8)
    torch.cuda.cudart().cudaHostRegister(registered.data_ptr(), block, 0)
    seconds = timed(lambda: as_int.copy_(registered, non_blocking=True))
    print(f"host->GPU cudaHostRegister'd: {block / seconds / 1e9:.1f} GB/s")
    for tokens in (4608, 1536):
        x = torch.randn(tokens, 3072, device="cuda", dtype=torch.bfloat16)
        w = torch.randn(12288, 3072, device="cuda", dtype=torch.bfloat16) * 0.02
        flops = 2 * tokens * 3072 * 12288
        seconds = timed(lambda x=x, w=w: torch.nn.functional.linear(x, w))
        print(
            f"[{tokens} tokens] bf16 linear 3072->12288: {seconds * 1e3:.3f} ms, {flops / seconds / 1e12:.0f} TFLOP/s"
        )
        w8 = w.to(FP8)
        scale_b = torch.ones(1, 12288, device="cuda")

        def scaled(x=x, w8=w8, scale_b=scale_b) -> torch.Tensor:
            amax = torch.linalg.vector_norm(
                x, ord=float("inf"), dim=1, keepdim=True, dtype=torch.float32
            )
            scale = amax.clamp(min=1e-12) / 448
            q = (x * (1.0 / scale).to(x.dtype)).to(FP8)
            return torch._scaled_mm(
                q, w8.t(), scale_a=scale, scale_b=scale_b, out_dtype=torch.bfloat16
            )

        seconds = timed(scaled)
        print(
            f"[{tokens} tokens] fp8 row-wise quant + _scaled_mm: {seconds * 1e3:.3f} ms, {flops / seconds / 1e12:.0f} TFLOP/s"
        )
        q = x.to(FP8)
        scale_a = torch.ones(tokens, 1, device="cuda")
        seconds = timed(
            lambda q=q, w8=w8, scale_a=scale_a, scale_b=scale_b: torch._scaled_mm(
                q, w8.t(), scale_a=scale_a, scale_b=scale_b, out_dtype=torch.bfloat16
            )
        )
        print(
            f"[{tokens} tokens] _scaled_mm alone: {seconds * 1e3:.3f} ms, {flops / seconds / 1e12:.0f} TFLOP/s"
        )
        reference = torch.nn.functional.linear(x.float(), w8.float())
        error = (scaled().float() - reference).norm() / reference.norm()
        print(
            f"[{tokens} tokens] fp8 maths vs exact on the same fp8 weights: relative error {error:.2e}"
        )


if __name__ == "__main__":
    main()

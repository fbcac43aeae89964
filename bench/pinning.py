"""How fast host memory can be page-locked, and how fast the GPU copies from it (issue 16 §2).

python -m bench.pinning [--gib 8] [--threads 8]

The streamed plans page-lock their arena at every start (8 GiB took 4.1 s in one thread on the
H200's host). Three ways, each timed, then the bus's speed from the memory it gave (1 GiB copies
to the GPU, CUDA events):
- torch's pinned allocator, one thread, and the same bytes in `--threads` parts (`cudaHostAlloc`, or
  with PYTORCH_CUDA_ALLOC_CONF as the engine sets it, memory.CUDA_ALLOCATOR, ordinary memory
  that torch's threads touch and register);
- anonymous memory touched by torch's threads, then `cudaHostRegister`, with 4 KiB pages;
- the same with transparent huge pages asked for (`madvise(MADV_HUGEPAGE)`).
Prints one JSON line per way.
"""

from __future__ import annotations

import argparse
import json
import mmap
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import torch

GIB = 2**30


def bandwidth(host: torch.Tensor, repeats: int = 5) -> float:
    """GB/s of 1 GiB host-to-GPU copies from `host`."""
    chunk = host[:GIB]
    device = torch.empty(GIB, dtype=torch.uint8, device="cuda")
    device.copy_(chunk, non_blocking=True)
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    torch.cuda.synchronize()
    start.record()
    for _ in range(repeats):
        device.copy_(chunk, non_blocking=True)
    end.record()
    end.synchronize()
    return round(repeats * GIB / (start.elapsed_time(end) / 1000) / 1e9, 1)


def allocator(nbytes: int, threads: int) -> dict:
    began = time.perf_counter()
    if threads == 1:
        parts = [torch.empty(nbytes, dtype=torch.uint8, pin_memory=True)]
    else:
        with ThreadPoolExecutor(threads) as pool:
            size = nbytes // threads
            parts = list(
                pool.map(
                    lambda _: torch.empty(size, dtype=torch.uint8, pin_memory=True), range(threads)
                )
            )
    seconds = time.perf_counter() - began
    settings = os.environ.get("PYTORCH_CUDA_ALLOC_CONF", "")
    result = {"way": f"torch's pinned allocator ({settings or 'cudaHostAlloc'}), {threads} thread(s)", "seconds": round(seconds, 2),
              "gb_s_to_gpu": bandwidth(parts[0])}  # fmt: skip
    del parts
    return result


def registered(nbytes: int, huge: bool) -> dict:
    cudart = torch.cuda.cudart()
    began = time.perf_counter()
    area = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    if huge:
        area.madvise(mmap.MADV_HUGEPAGE)
    host = torch.frombuffer(area, dtype=torch.uint8)
    host.fill_(0)  # touched by torch's own threads
    touched = time.perf_counter()
    code = cudart.cudaHostRegister(host.data_ptr(), nbytes, 0)
    done = time.perf_counter()
    result = {"way": f"mmap{' + MADV_HUGEPAGE' if huge else ''}, touch, cudaHostRegister",
              "touch_s": round(touched - began, 2), "register_s": round(done - touched, 2),
              "seconds": round(done - began, 2), "register_code": int(code),
              "gb_s_to_gpu": bandwidth(host)}  # fmt: skip
    cudart.cudaHostUnregister(host.data_ptr())
    del host
    area.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gib", type=float, default=8)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    nbytes = int(args.gib * GIB)
    torch.cuda.init()
    thp = Path("/sys/kernel/mm/transparent_hugepage/enabled")
    print(json.dumps({"thp": thp.read_text().strip() if thp.exists() else None,
                      "torch_threads": torch.get_num_threads()}))  # fmt: skip
    for way in (
        lambda: allocator(nbytes, 1),
        lambda: allocator(nbytes, args.threads),
        lambda: registered(nbytes, huge=False),
        lambda: registered(nbytes, huge=True),
    ):
        print(json.dumps(way()), flush=True)


if __name__ == "__main__":
    main()

"""Byte ranges of files read straight into CPU tensors by a few threads at once.

One thread copies from the page cache at a few GB/s; loading copies 12 GB of float8 transformer
weights, and a new prompt reads T5's streamed blocks (4.1 GiB) before its first transformer step,
so the parts of each tensor are read in parallel (the read releases the GIL). Each file gets a
handle per thread, so no seek is shared.
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO

import torch

READ_THREADS = 4
READ_PART_MIN = 16 * 2**20


def read_exactly(file: IO[bytes], target: torch.Tensor) -> None:
    """Fill a contiguous uint8 CPU tensor from the file's position."""
    view = target.numpy().data
    done = 0
    while done < len(view):
        count = file.readinto(view[done:])  # type: ignore[attr-defined]
        if not count:
            raise OSError(f"{getattr(file, 'name', 'a file')} ended early")
        done += count


class PartReader:
    """Reads ranges of files into tensors with `threads` threads; `close` closes every handle."""

    def __init__(self, threads: int = READ_THREADS):
        self._threads = threads
        self._pool: ThreadPoolExecutor | None = None
        self._handles: dict[Path, queue.SimpleQueue[IO[bytes]]] = {}  # per file: one per thread
        self.opened: list[IO[bytes]] = []
        self._lock = threading.Lock()

    def open(self, path: Path) -> None:
        """Open the file's handles now (`read` does on first use): a file deleted afterwards
        (POSIX) is still read whole."""
        with self._lock:
            if path in self._handles:
                return
            handles: queue.SimpleQueue[IO[bytes]] = queue.SimpleQueue()
            for _ in range(self._threads):
                file = open(path, "rb", buffering=0)  # noqa: SIM115 - closed in close()
                self.opened.append(file)
                handles.put(file)
            self._handles[path] = handles

    def read(self, path: Path, offset: int, target: torch.Tensor) -> list[Future[None]]:
        """Queue the reads that fill `target` (contiguous, on the CPU) from `path` at `offset`."""
        self.open(path)
        data = target.reshape(-1).view(torch.uint8)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="majicflux-read")
        part = max(READ_PART_MIN, -(-data.numel() // self._threads))
        return [
            self._pool.submit(self._read_part, path, offset + start, data[start : start + part])
            for start in range(0, data.numel(), part)
        ]

    def _read_part(self, path: Path, offset: int, target: torch.Tensor) -> None:
        handles = self._handles[path]
        file = handles.get()
        try:
            file.seek(offset)
            read_exactly(file, target)
        finally:
            handles.put(file)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        with self._lock:
            for file in self.opened:
                file.close()
            self.opened = []
            self._handles = {}


def wait_all(futures: list[Future[None]]) -> None:
    """Wait for every read, then raise the first one's error, if any."""
    concurrent.futures.wait(futures)
    for future in futures:
        future.result()

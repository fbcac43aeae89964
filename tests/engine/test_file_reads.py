"""Byte ranges read straight into tensors by several threads (engine/file_reads.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from majicflux_desktop.engine import file_reads
from majicflux_desktop.engine.file_reads import PartReader, wait_all


def test_parts_read_by_threads_fill_the_tensor_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_reads, "READ_PART_MIN", 1000)  # many parts, several threads
    data = torch.randint(0, 256, (50_000,), dtype=torch.uint8)
    path = tmp_path / "weights.bin"
    path.write_bytes(b"header!!" + data.numpy().tobytes())
    reader = PartReader(threads=3)
    target = torch.empty(40_000, dtype=torch.float8_e4m3fn)  # any one-byte dtype, as packed
    futures = reader.read(path, 8 + 5_000, target)
    assert len(futures) == 3  # a part per thread
    wait_all(futures)
    assert torch.equal(target.view(torch.uint8), data[5_000:45_000])
    reader.close()
    reader.close()  # twice is harmless


def test_a_file_shorter_than_the_read_raises(tmp_path: Path) -> None:
    path = tmp_path / "cut.bin"
    path.write_bytes(b"\x01" * 100)
    reader = PartReader()
    with pytest.raises(OSError, match="ended early"):
        wait_all(reader.read(path, 50, torch.empty(100, dtype=torch.uint8)))
    reader.close()

"""Test helpers: real-layout safetensors headers over sparse files (no gigabytes written)."""

from __future__ import annotations

import json
import os
import struct
from datetime import datetime, timedelta, timezone
from pathlib import Path

NETBLOCK = Path(__file__).parent / "netblock"

SIZES = {"F8_E4M3": 1, "BF16": 2, "F16": 2, "F32": 4}


def write_header_only(
    path: Path,
    layout: dict[str, tuple[int, ...]],
    dtype: str = "BF16",
    truncate_to: int | None = None,
) -> Path:
    """A safetensors file with the real header and a sparse (all-zero) data section."""
    table: dict[str, object] = {}
    offset = 0
    for name, shape in sorted(layout.items()):
        count = 1
        for dim in shape:
            count *= dim
        table[name] = {
            "dtype": dtype,
            "shape": list(shape),
            "data_offsets": [offset, offset + count * SIZES[dtype]],
        }
        offset += count * SIZES[dtype]
    header = json.dumps(table).encode()
    header += b" " * (-len(header) % 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(header)))
        handle.write(header)
        handle.truncate(8 + len(header) + offset if truncate_to is None else truncate_to)
    return path


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for running the app in a subprocess: offline, offscreen, no user files."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(NETBLOCK), env.get("PYTHONPATH", "")]))
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


class Clock:
    """A clock that moves one second per reading, so every row has its own time."""

    def __init__(self, start: datetime = datetime(2026, 3, 1, 4, 5, 6, tzinfo=timezone.utc)):
        self.now = start
        self.step = timedelta(seconds=1)

    def __call__(self) -> datetime:
        moment = self.now
        self.now += self.step
        return moment

"""Test helpers: real-layout safetensors headers over sparse files (no gigabytes written)."""

from __future__ import annotations

import json
import os
import shutil
import struct
from datetime import datetime, timedelta, timezone
from pathlib import Path

NETBLOCK = Path(__file__).parent / "netblock"
CHECKOUT = Path(__file__).resolve().parents[1]

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


SHIPPED_TOKENIZERS = CHECKOUT / "majicflux_desktop" / "resources" / "tokenizers"


def copy_tokenizers(clip: Path | None, t5: Path | None, t5_files: tuple[str, ...] = ()) -> None:
    """FLUX's real tokenizer files (the copies shipped with the app) into the folders an install
    keeps them in. `t5_files` limits the T5 folder to these files (ComfyUI has no spiece.model)."""
    for source, target in ((SHIPPED_TOKENIZERS / "clip", clip), (SHIPPED_TOKENIZERS / "t5", t5)):
        if target is None:
            continue
        target.mkdir(parents=True, exist_ok=True)
        for file in source.iterdir():
            if file.name != "LICENSE" and (target != t5 or not t5_files or file.name in t5_files):
                shutil.copyfile(file, target / file.name)


def write_other_tokenizer(folder: Path) -> Path:
    """A byte-level BPE tokenizer that is not CLIP's (a GPT-2 or Qwen-like one, as ComfyUI's
    text_encoders folder holds): the same file names, another vocabulary."""
    folder.mkdir(parents=True, exist_ok=True)
    vocab = {f"tok{i}": i for i in range(1000)}
    (folder / "vocab.json").write_text(json.dumps(vocab), "utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\nt o\n", "utf-8")
    other = {"model": {"type": "BPE", "vocab": vocab, "merges": []}}
    (folder / "tokenizer.json").write_text(json.dumps(other), "utf-8")
    return folder


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for running the app in a subprocess: offline, offscreen, no user files."""
    env = dict(os.environ)
    # the checkout under test first: with another cwd, `-m majicflux_desktop…` would otherwise run
    # whatever copy the environment has installed
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(NETBLOCK), str(CHECKOUT), env.get("PYTHONPATH", "")])
    )
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

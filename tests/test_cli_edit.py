"""`majicflux generate --init-image …` in a subprocess, offline, as a user would run it."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import subprocess_env
from majicflux_desktop.core import metadata
from majicflux_desktop.core.edit import EditMode


def majicflux(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "majicflux_desktop.cli", *args],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )


def noise_picture(path: Path, width: int, height: int) -> Image.Image:
    picture = Image.fromarray(
        np.random.default_rng(1).integers(0, 256, (height, width, 3), dtype=np.uint8), "RGB"
    )
    picture.save(path)
    return picture


def rectangle_mask(path: Path, size: tuple[int, int], box: tuple[int, int, int, int]) -> None:
    mask = Image.new("L", size, 0)
    mask.paste(255, box)
    mask.save(path)


def huge_png(path: Path, width: int, height: int) -> None:
    """A PNG whose header claims `width`×`height` (a decompression bomb's shape), tiny on disk."""
    Image.new("L", (1, 1)).save(path)
    data = bytearray(path.read_bytes())
    data[16:24] = struct.pack(">II", width, height)  # IHDR's data starts after its length, type
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    path.write_bytes(bytes(data))


@pytest.mark.slow
def test_inpaint_from_files(tmp_path: Path) -> None:
    source = noise_picture(tmp_path / "source.png", 320, 240)
    rectangle_mask(tmp_path / "mask.png", (160, 120), (40, 30, 100, 70))  # half the size
    out = tmp_path / "inpainted.png"
    run = majicflux(
        "--data-dir", str(tmp_path / "data"), "generate", "--tiny", "--prompt", "a boat",
        "--steps", "4", "--seed", "9", "--init-image", str(tmp_path / "source.png"),
        "--mask", str(tmp_path / "mask.png"), "--strength", "0.8", "--out", str(out),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "the mask was scaled to the picture" in run.stderr
    assert "Repainted the" in run.stderr  # the masked area, at its own size
    made = Image.open(out)
    assert made.size == (320, 240)
    changed = np.any(np.asarray(made.convert("RGB")) != np.asarray(source), axis=2)
    assert changed[60:140, 80:200].mean() > 0.9  # the scaled mask, 80…200 × 60…140
    assert not changed[:40].any() and not changed[160:].any()  # past the feather: untouched
    read = metadata.read(out)
    assert read.request is not None and read.request.edit is not None
    assert read.request.edit.mode is EditMode.INPAINT
    assert read.request.edit.strength == 0.8
    stored = sorted((tmp_path / "data" / "sources").rglob("*.png"))
    assert len(stored) == 2  # the source and the mask, by content


@pytest.mark.slow
def test_upscale_from_a_file(tmp_path: Path) -> None:
    noise_picture(tmp_path / "small.png", 256, 192)
    out = tmp_path / "large.png"
    run = majicflux(
        "--data-dir", str(tmp_path / "data"), "generate", "--tiny", "--prompt", "a boat",
        "--steps", "4", "--seed", "9", "--init-image", str(tmp_path / "small.png"),
        "--upscale", "1.5", "--size", "1024x1024", "--out", str(out),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "works at 384×288 (set by the picture), not --size 1024×1024" in run.stderr
    assert Image.open(out).size == (384, 288)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "extra", "message"),
    [
        ("not an image", ["--init-image", "{notes}"], "is not a picture MajicFlux can read"),
        ("huge", ["--init-image", "{huge}"], "is 10000×10000 pixels, too large to use"),
        ("missing", ["--init-image", "{missing}"], "Cannot read"),
        (
            "empty mask",
            ["--init-image", "{source}", "--mask", "{empty}"],
            "The mask is empty",
        ),
        (
            "strength",
            ["--init-image", "{source}", "--strength", "1.5"],
            "Strength must be between 0.05 and 1.0 (got 1.5)",
        ),
        ("factor", ["--init-image", "{source}", "--upscale", "3"], "×1.5 or ×2 (got ×3.0)"),
        ("no source", ["--mask", "{empty}"], "need --init-image"),
        (
            "sides",
            ["--init-image", "{source}", "--outpaint", "1,2"],
            "--outpaint takes four numbers",
        ),
        (
            "keep",
            ["--init-image", "{wide}", "--resize", "keep"],
            "keeping its size works only from 256 to 2048",
        ),
    ],
)
def test_bad_edit_inputs_get_one_clear_line_and_write_nothing(
    tmp_path: Path, case: str, extra: list[str], message: str
) -> None:
    files = {
        "notes": tmp_path / "notes.png",
        "huge": tmp_path / "huge.png",
        "missing": tmp_path / "missing.png",
        "source": tmp_path / "source.png",
        "empty": tmp_path / "empty.png",
        "wide": tmp_path / "wide.png",
    }
    files["notes"].write_text("not a picture", "utf-8")
    huge_png(files["huge"], 10000, 10000)
    noise_picture(files["source"], 256, 256)
    Image.new("L", (256, 256), 0).save(files["empty"])
    Image.new("RGB", (2100, 300)).save(files["wide"])
    args = [part.format(**{k: str(v) for k, v in files.items()}) for part in extra]
    out = tmp_path / "o.png"
    data = tmp_path / "data"
    run = majicflux("--data-dir", str(data), "generate", "--tiny", "--prompt", "x", *args,
                    "--out", str(out))  # fmt: skip
    assert run.returncode != 0, case
    assert message in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert not out.exists() and not (data / "sources").exists()
    assert not (data / "demo-models").exists()  # refused before any model was touched

"""The `majicflux` command in a subprocess, offline, as a user would run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import subprocess_env
from majicflux_desktop.core import metadata


def majicflux(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "majicflux_desktop.cli", *args],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        timeout=300,
    )


def test_generate_tiny_writes_png_with_metadata(tmp_path: Path) -> None:
    out = tmp_path / "橘猫 out.png"
    run = majicflux(
        "--data-dir",
        str(tmp_path / "data"),
        "generate",
        "--prompt",
        "一只橘猫 a cat",
        "--tiny",
        "--size",
        "256x256",
        "--steps",
        "3",
        "--seed",
        "42",
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert f"saved {out} (seed 42" in run.stdout
    read = metadata.read(out)
    assert read.source == "MajicFlux"
    assert (
        read.request is not None
        and read.request.prompt == "一只橘猫 a cat"
        and read.request.seed == 42
    )
    assert read.metadata is not None and read.metadata.model == "tiny-random"
    assert not (tmp_path / "models").exists()  # nothing written relative to the working directory
    assert "┌" not in run.stdout + run.stderr  # diffsynth's banner went to the log


def test_random_seed_is_reported(tmp_path: Path) -> None:
    out = tmp_path / "r.png"
    run = majicflux(
        "--data-dir",
        str(tmp_path),
        "generate",
        "--prompt",
        "x",
        "--tiny",
        "--size",
        "256x256",
        "--steps",
        "1",
        "--out",
        str(out),
    )
    assert run.returncode == 0, run.stderr
    seed = int(run.stdout.split("(seed ")[1].split(",")[0])
    assert metadata.read(out).request.seed == seed  # type: ignore[union-attr]


def test_bad_input_exits_nonzero_with_one_line_each(tmp_path: Path) -> None:
    run = majicflux(
        "--data-dir",
        str(tmp_path),
        "generate",
        "--prompt",
        "x",
        "--tiny",
        "--size",
        "1000x256",
        "--steps",
        "0",
        "--out",
        str(tmp_path / "o.png"),
    )
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert lines == [
        "error: Width 1000 is not a multiple of 16. Use 1008.",
        "error: Steps must be between 1 and 100 (got 0).",
    ]
    assert not (tmp_path / "o.png").exists()


def test_missing_models_say_what_to_do(tmp_path: Path) -> None:
    run = majicflux(
        "generate", "--prompt", "x", "--models", str(tmp_path), "--out", str(tmp_path / "o.png")
    )
    assert run.returncode == 1
    assert "Model setup" in run.stderr and "Traceback" not in run.stderr


def test_models_check(tiny_models: Path, tmp_path: Path) -> None:
    ok = majicflux("models", "check", str(tiny_models))
    assert ok.returncode == 0 and "complete" in ok.stdout and "tiny random weights" in ok.stdout
    (tmp_path / "old.ckpt").write_bytes(b"\x80\x04pickle")
    missing = majicflux("models", "check", str(tmp_path))
    assert missing.returncode == 1
    assert (
        "MISSING" in missing.stdout
        and "majicflus_v134.safetensors from MAILAND/majicflus_v1" in missing.stdout
    )
    assert "old.ckpt" in missing.stdout and "only .safetensors" in missing.stdout


def test_doctor(tmp_path: Path) -> None:
    run = majicflux("--data-dir", str(tmp_path), "doctor")
    assert run.returncode == 0, run.stderr
    assert "GPU:" in run.stdout and "torch" in run.stdout and "auto plan:" in run.stdout

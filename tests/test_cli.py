"""The `majicflux` command in a subprocess, offline, as a user would run it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakehub import FakeHub, serve
from helpers import subprocess_env
from majicflux_desktop.core import metadata


@pytest.fixture(autouse=True)
def own_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands without --data-dir use the app's data folder: here a fresh one, not the user's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_doctor(tmp_path: Path) -> None:
    run = majicflux("--data-dir", str(tmp_path), "doctor")
    assert run.returncode == 0, run.stderr
    assert "GPU:" in run.stdout and "torch" in run.stdout and "auto plan:" in run.stdout
    assert "compiled maths: no, they need an NVIDIA GPU (setting: auto)" in run.stdout


def test_doctor_prints_the_ram_side_of_the_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The doctor through the CLI's entry, with the GPU reading of a 16 GB PC and a 12 GB card
    (this machine has no GPU), then of a 32 GB PC."""
    from majicflux_desktop.cli import main
    from majicflux_desktop.engine import memory
    from majicflux_desktop.engine.memory import GIB, MemoryReading

    def pc(ram: float, available: float) -> MemoryReading:
        used = int((ram - available) * GIB)
        return MemoryReading(True, "RTX 3060", 12 * GIB, GIB // 2, None, int(ram * GIB), used)

    class Probe:
        error = ""
        reading = pc(16, 11.5)

        def read(self) -> MemoryReading:
            return self.reading

    monkeypatch.setattr(memory, "VramProbe", Probe)
    assert main(["--data-dir", str(tmp_path), "doctor"]) == 0
    out = capsys.readouterr().out
    need = memory.predicted_host_gib("fp8-stream", int((11.5 - memory.HEADROOM) * GIB))
    assert "RAM: 16.0 GB total, 11.5 GB available" in out
    assert "auto plan: fp8-stream: 11.5 GB of VRAM free" in out
    assert (
        f"RAM for fp8-stream (10.6 GB): about {need:.1f} GB at peak, 11.5 GB available: fits" in out
    )
    Probe.reading = pc(16, 8)  # a browser and more open
    assert main(["--data-dir", str(tmp_path), "doctor"]) == 0
    out = capsys.readouterr().out
    assert (
        f"RAM for fp8-stream (10.6 GB): about {need:.1f} GB at peak, only 8.0 GB available" in out
    )
    assert f"close other programs to free {need - 8.0:.1f} GB of RAM" in out
    Probe.reading = pc(32, 24)
    assert main(["--data-dir", str(tmp_path), "doctor"]) == 0
    out = capsys.readouterr().out
    assert "(24.0 GB available)" in out and "GB at peak, 24.0 GB available: fits" in out


# -- LoRAs ----------------------------------------------------------------------------------------


def test_loras_list_shows_layouts_matches_and_refusals(tmp_path: Path) -> None:
    from majicflux_desktop.engine import tiny_loras

    folder = tmp_path / "loras"
    tiny_loras.kohya(folder / "style.safetensors")
    tiny_loras.lokr(folder / "sub" / "kron.safetensors")
    tiny_loras.sdxl(folder / "for-sdxl.safetensors")
    run = majicflux("loras", "list", str(folder), "--tiny-model", "--hashes")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    style = next(line for line in lines if "] style (" in line)
    assert "[     ok] style (kohya + LoRA, 7 of 8 layers, rank 4, " in style and "hash " in style
    assert (
        "trigger words: ohwx cat" in run.stdout and "applied to the transformer only" in run.stdout
    )
    assert "[     ok] kron (kohya + LoKr, 3 of 3 layers" in run.stdout
    assert "[refused] for-sdxl: " in run.stdout and "is a LoRA for SDXL" in run.stdout
    assert lines[-1] == "2 usable, 1 refused"
    real_size = majicflux("loras", "list", str(folder))  # against FLUX.1: the tiny files fit not
    assert "0 usable, 3 refused" in real_size.stdout and "sizes differ" in real_size.stdout


@pytest.mark.slow
def test_generate_with_a_lora_file_and_a_prompt_tag(tmp_path: Path) -> None:
    from majicflux_desktop.engine import tiny_loras

    out = tmp_path / "with-loras.png"
    own = tiny_loras.kohya(tmp_path / "elsewhere" / "my style.safetensors").path
    tiny_loras.peft(tmp_path / "data" / "demo-models" / "loras" / "tiny-peft.safetensors")
    run = majicflux(
        "--data-dir", str(tmp_path / "data"), "generate", "--tiny",
        "--prompt", "a cat <lora:tiny-peft:0.5>", "--lora", f"{own}:0.8",
        "--size", "256x256", "--steps", "2", "--seed", "7", "--out", str(out),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "lora: tiny-peft x0.5 (12 of 12 layers, hash " in run.stderr
    assert "lora: my style x0.8 (7 of 8 layers, hash " in run.stderr
    assert "applied to the transformer only" in run.stderr
    read = metadata.read(out)
    assert read.request is not None and read.request.prompt == "a cat"
    assert read.metadata is not None
    assert [(lora.name, lora.weight) for lora in read.metadata.loras] == [
        ("tiny-peft", 0.5),
        ("my style", 0.8),
    ]
    missing = majicflux(
        "--data-dir", str(tmp_path / "data"), "generate", "--tiny", "--prompt", "a",
        "--lora", "nowhere:1", "--size", "256x256", "--steps", "1", "--out", str(out),
    )  # fmt: skip
    assert missing.returncode == 1 and "“nowhere” is not in the LoRA folders" in missing.stderr


# -- models find / models download --------------------------------------------------------------


def test_models_find_reports_found_missing_and_wrong(tmp_path: Path) -> None:
    from helpers import write_header_only
    from majicflux_desktop.engine import catalog, layouts

    models = tmp_path / "ComfyUI" / "models"
    write_header_only(models / "unet/majicflus_v134.safetensors", layouts.flux_dit(), "F8_E4M3")
    write_header_only(models / "clip/clip_l.safetensors", layouts.clip_text(), "F16")
    t5 = catalog.t5_single_file(layouts.t5_encoder())
    write_header_only(models / "clip/t5xxl_fp16.safetensors", t5, "F16")
    write_header_only(models / "vae/ae.safetensors", layouts.flux_vae(), truncate_to=1_000_000)
    sdxl = {
        "model.diffusion_model.input_blocks.0.0.weight": (320, 4, 3, 3),
        "conditioner.embedders.1.x": (1,),
    }
    write_header_only(models / "checkpoints/sd_xl_base_1.0.safetensors", sdxl)
    data = tmp_path / "data"
    run = majicflux("--data-dir", str(data), "models", "find", str(models))
    assert run.returncode == 1, run.stderr
    out = run.stdout
    t5_line = f"[  found] T5-XXL text encoder: {models / 'clip/t5xxl_fp16.safetensors'} (as T5-XXL text encoder (single file))"  # fmt: skip
    assert t5_line in out
    assert "[  found] majicflus_v1 transformer (DiT)" in out
    # the truncated ae.safetensors is the VAE's wrong file, with how much is missing
    assert f"[  WRONG] VAE (autoencoder): {models / 'vae/ae.safetensors'}" in out
    assert "ae.safetensors is incomplete: " in out and "download it again" in out
    assert "[  found] CLIP tokenizer: the copy shipped with MajicFlux" in out
    assert "sd_xl_base_1.0.safetensors looks like a SDXL checkpoint" in out
    assert out.strip().splitlines()[-1] == (
        "incomplete: to fetch only what is missing, run `majicflux models download --only vae`"
    )
    missing = majicflux("models", "find", str(tmp_path / "nowhere"))
    assert missing.returncode != 0 and "is not a folder" in missing.stderr


def test_models_find_complete_tiny_set(tiny_models: Path) -> None:
    run = majicflux("models", "find", str(tiny_models))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "complete: MajicFlux can use these files in place" in run.stdout


@pytest.fixture
def served_hub() -> Iterator[FakeHub]:
    with serve(FakeHub()) as hub:
        yield hub


def download_command(hub, folder: Path, *extra: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [sys.executable, "-m", "majicflux_desktop.cli", "models", "download",
            "--source", hub.url, "--dir", str(folder), *extra]  # fmt: skip


def hub_env(hub) -> dict[str, str]:  # type: ignore[no-untyped-def]
    # majicflus comes from ModelScope even with a Hugging Face-style source: point that here too
    return subprocess_env(MODELSCOPE_ENDPOINT=hub.url, HF_TOKEN="")


@pytest.mark.slow
def test_models_download_from_a_mirror(served_hub, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "models"
    run = subprocess.run(
        download_command(served_hub, folder), env=hub_env(served_hub),
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert (
        f"downloading from 127.0.0.1:{served_hub.url.rsplit(':', 1)[1]} into {folder}" in run.stdout
    )
    assert "note: MAILAND/majicflus_v1 is not published on" in run.stdout
    assert "total " in run.stdout and "free on that drive" in run.stdout
    assert "done black-forest-labs/FLUX.1-dev/ae.safetensors" in run.stderr  # not a terminal
    assert run.stdout.strip().endswith(f"complete: {folder}")
    assert majicflux("models", "check", str(folder)).returncode == 0
    again = subprocess.run(
        download_command(served_hub, folder), env=hub_env(served_hub),
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip
    assert again.returncode == 0 and "all files are already there" in again.stdout


@pytest.mark.slow
def test_models_download_failure_is_one_line(served_hub, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    served_hub.gated["black-forest-labs/FLUX.1-dev"] = "hf_right"
    run = subprocess.run(
        download_command(served_hub, tmp_path, "--token", "hf_wrong"), env=hub_env(served_hub),
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip
    assert run.returncode == 1
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "refused your token" in errors[0]
    assert "Traceback" not in run.stderr


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_models_download_continues_after_the_process_was_stopped(
    served_hub,
    tmp_path: Path,
    how: str,  # type: ignore[no-untyped-def]
) -> None:
    import signal
    import time

    folder = tmp_path / "models"
    served_hub.throttle_s = 0.02  # ~800 KB/s: the VAE (3.5 MB) takes seconds
    process = subprocess.Popen(
        download_command(served_hub, folder, "--only", "vae"), env=hub_env(served_hub),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        # the Ctrl+C of a terminal, whatever this process was started with (SIGINT ignored is
        # inherited, and Python then ignores it too)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    part = folder / "black-forest-labs/FLUX.1-dev/ae.safetensors.part"
    deadline = time.monotonic() + 60
    while not (part.is_file() and part.stat().st_size > 100_000):
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.02)
    process.send_signal(getattr(signal, how))
    _, stderr = process.communicate(timeout=60)
    if how == "SIGINT":
        assert process.returncode == 130
        assert "Run the same command again to continue" in stderr
    else:
        assert process.returncode == -signal.SIGKILL
    kept = part.stat().st_size
    assert kept > 100_000 and not part.with_name("ae.safetensors").exists()
    served_hub.throttle_s = 0
    run = subprocess.run(
        download_command(served_hub, folder, "--only", "vae"), env=hub_env(served_hub),
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert (
        "still missing: Missing: majicflus_v1 transformer" in run.stdout
    )  # only the VAE was asked
    ae = part.with_name("ae.safetensors")  # and it is whole, continued from the part
    assert ae.read_bytes() == served_hub.repos["black-forest-labs/FLUX.1-dev"]["ae.safetensors"]
    assert served_hub.content_requests("ae.safetensors")[-1].headers["Range"] == f"bytes={kept}-"


@pytest.mark.slow
def test_loras_download_by_id_into_the_models_folders_loras_then_refusals(
    tmp_path: Path,
) -> None:
    from fakehub import HEONGSAM, HEONGSAM_FILE, lora_repos

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "majicflux_desktop.cli", "--data-dir", str(tmp_path / "data"),
             "loras", "download", *args],
            env=subprocess_env(MODELSCOPE_ENDPOINT=hub.url, MODELSCOPE_API_TOKEN=""),
            capture_output=True, text=True, encoding="utf-8", timeout=120,
        )  # fmt: skip

    with serve(FakeHub(repos=lora_repos())) as hub:
        done = run(HEONGSAM)
        assert done.returncode == 0, done.stderr
        loras = tmp_path / "data" / "models" / "loras"
        assert (loras / HEONGSAM_FILE).read_bytes() == hub.repos[HEONGSAM][HEONGSAM_FILE]
        assert f"looking up {HEONGSAM}" in done.stderr
        assert f"done {HEONGSAM}/{HEONGSAM_FILE}" in done.stderr  # progress: not a terminal
        assert f"ready: {loras / HEONGSAM_FILE} (kohya + LoRA, 2 of 2 layers, rank 4" in done.stdout

        hub.links["9"] = ("someone/two-styles", "ink.safetensors")
        elsewhere = tmp_path / "my loras"
        by_url = run(f"{hub.url}/dl/9", "--to", str(elsewhere))
        assert by_url.returncode == 0, by_url.stderr
        assert f"ready: {elsewhere / 'ink.safetensors'}" in by_url.stdout

        for address, words in [
            ("someone/sdxl-style", "a LoRA for SDXL, not for FLUX.1"),
            (f"{hub.url}/cdn/someone/pickled/style.ckpt", "style.ckpt is not a .safetensors file"),
            ("nobody/nothing", "There is no model nobody/nothing on ModelScope"),
        ]:
            refused = run(address, "--to", str(elsewhere))
            assert refused.returncode == 1, refused.stdout
            errors = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
            assert len(errors) == 1 and words in errors[0], refused.stderr
            assert "Traceback" not in refused.stderr
        assert sorted(p.name for p in elsewhere.iterdir()) == ["ink.safetensors"]

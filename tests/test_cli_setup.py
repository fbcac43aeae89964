"""The command line makes the app's choices (its settings, its model files) and finds bad places to
write before it works, in a subprocess as a user runs it."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import subprocess_env, write_header_only
from majicflux_desktop.core import metadata
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.core.settings import load_settings, save_settings
from majicflux_desktop.engine import catalog, layouts, scan, selection


def majicflux(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "majicflux_desktop.cli", *args],
        env=env or subprocess_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="surrogateescape",
        timeout=300,
    )


@pytest.fixture(autouse=True)
def own_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands without --data-dir use the app's data folder: here a fresh one, not the user's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


def one_error(run: subprocess.CompletedProcess[str]) -> str:
    """The single line a failure prints: no traceback, nothing else on stderr."""
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    [line] = [line for line in run.stderr.splitlines() if line.strip()]
    assert line.startswith("error: ")
    return line


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """A folder nobody may write into. Root ignores permission bits, so for root the folder is
    also made immutable, which the kernel refuses to root too."""
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    immutable = False
    if os.geteuid() == 0:
        immutable = (
            subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
        )
        if not immutable:
            folder.chmod(stat.S_IRWXU)
            pytest.skip("running as root without chattr: no folder is read-only")
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(stat.S_IRWXU)


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A real file system of `size` (a tmpfs) at `folder`, to fill up. Needs root."""
    folder.mkdir(parents=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


# -- the same files and settings as the app ---------------------------------------------------------


@pytest.mark.slow
def test_models_find_keeps_the_files_where_the_app_reads_them(
    tiny_models: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    run = majicflux("--data-dir", str(data), "models", "find", str(tiny_models))
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"kept in the settings ({data / 'settings.json'})" in run.stdout
    paths = AppPaths.portable(data)
    settings, notes = load_settings(paths.settings_file, paths)
    assert notes == []
    # what the window's "Use these files" stores: settings.model_files, by role, absolute paths
    assert dict(settings.model_files) == selection.chosen_files(scan.check(tiny_models))
    assert set(settings.model_files) == set(catalog.SPECS)  # the demo's own tokenizers included
    # and what the window's engine thread loads from them is what was found
    app_loads = selection.check(settings.models_dir, settings.model_files).paths()
    assert app_loads == scan.check(tiny_models).paths()
    check = majicflux("--data-dir", str(data), "models", "check")  # no folder: the app's files
    assert check.returncode == 0 and check.stdout.strip().endswith("complete")
    assert f"[     ok] majicflus_v1 transformer (DiT): {app_loads.dit}" in check.stdout
    again = majicflux("--data-dir", str(data), "models", "find", str(tiny_models))
    assert again.returncode == 0 and "kept in the settings" not in again.stdout  # nothing new


@pytest.mark.slow
def test_generate_and_doctor_use_the_saved_files_and_settings(
    tiny_models: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    paths = AppPaths.portable(data)
    chosen = selection.chosen_files(scan.check(tiny_models))
    settings, _ = load_settings(paths.settings_file, paths)
    save_settings(
        paths.settings_file,
        dataclasses.replace(
            settings, model_files=chosen, memory_plan="fp8", vram_budget_gb=6.0, fp8_matmul="off"
        ),
    )
    out = tmp_path / "cat.png"
    run = majicflux("--data-dir", str(data), "generate", "--prompt", "一只猫", "--size", "256x256",
                    "--steps", "1", "--seed", "7", "--out", str(out))  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "6 role(s) chosen in Model setup" in run.stderr
    assert f"saved {out} (seed 7" in run.stdout and "plan fp8" in run.stdout  # the saved plan
    read = metadata.read(out)
    assert read.metadata is not None and read.metadata.model == "tiny-random"
    assert not (data / "demo-models").exists()  # the kept files, not a demo set
    flagged = majicflux("--data-dir", str(data), "generate", "--prompt", "x", "--size", "256x256",
                        "--steps", "1", "--plan", "bf16", "--out", str(tmp_path / "b.png"))  # fmt: skip
    assert flagged.returncode == 0 and "plan bf16" in flagged.stdout  # a flag wins, for one run
    doctor = majicflux("--data-dir", str(data), "doctor")
    assert doctor.returncode == 0, doctor.stderr
    assert "plan: fp8, VRAM budget 6.0 GB" in doctor.stdout
    assert "setting: off" in doctor.stdout
    assert "6 role(s) chosen in Model setup): complete" in doctor.stdout
    assert "setting: auto" in majicflux("--data-dir", str(data), "doctor", "--fp8-matmul", "auto").stdout  # fmt: skip


def test_the_four_weight_files_alone_are_complete(tmp_path: Path) -> None:
    models = tmp_path / "models"
    write_header_only(models / "majicflus_v134.safetensors", layouts.flux_dit(), "F8_E4M3")
    write_header_only(models / "clip_l.safetensors", layouts.clip_text(), "F16")
    t5 = catalog.t5_single_file(layouts.t5_encoder())
    write_header_only(models / "t5xxl_fp16.safetensors", t5, "F16")
    write_header_only(models / "ae.safetensors", layouts.flux_vae())
    run = majicflux("--data-dir", str(tmp_path / "data"), "models", "check", str(models))
    assert run.returncode == 0, run.stdout
    assert "[     ok] T5 tokenizer: the copy shipped with MajicFlux" in run.stdout
    assert run.stdout.strip().splitlines()[-1] == "complete"


def test_models_check_on_a_file_says_it_is_not_a_folder(tmp_path: Path) -> None:
    file = write_header_only(tmp_path / "ae.safetensors", layouts.flux_vae())
    line = one_error(majicflux("--data-dir", str(tmp_path / "d"), "models", "check", str(file)))
    assert line == f"error: {file} is not a folder: it is a file. Give the folder that holds the model files."  # fmt: skip


def test_a_non_utf8_file_name_is_found_kept_and_read_back(tmp_path: Path) -> None:
    """A folder unpacked from a GBK archive on Linux: the names are bytes that are not UTF-8."""
    folder = tmp_path / "models"
    name = "模型".encode("gbk") + b".safetensors"  # b'\xc4\xa3\xd0\xcd.safetensors'
    try:
        path = Path(os.fsdecode(os.fsencode(folder) + b"/" + name))
        write_header_only(path, layouts.flux_vae())
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses file names that are not UTF-8")
    data = tmp_path / "data"
    run = majicflux("--data-dir", str(data), "models", "find", str(folder))
    assert "Traceback" not in run.stderr and run.returncode == 1, run.stderr
    assert f"[  found] VAE (autoencoder): {path}" in run.stdout  # printed as the same bytes
    paths = AppPaths.portable(data)
    json.loads(paths.settings_file.read_bytes().decode("utf-8"))  # still UTF-8 JSON
    settings, notes = load_settings(paths.settings_file, paths)
    assert notes == [] and settings.model_files["vae"] == (path,)
    assert os.fsencode(settings.model_files["vae"][0]).endswith(name)


# -- a bad --out is found before anything is loaded -------------------------------------------------


def generate_into(data: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return majicflux("--data-dir", str(data), "generate", "--prompt", "x", "--tiny",
                     "--size", "256x256", "--steps", "1", "--out", str(out))  # fmt: skip


@pytest.mark.parametrize("case", ["existing folder", "under a file", "long name", "read-only"])
def test_a_bad_out_is_refused_before_loading(tmp_path: Path, case: str) -> None:
    data = tmp_path / "data"
    target = tmp_path / "out"
    target.mkdir()
    stack = contextlib.ExitStack()
    if case == "existing folder":
        out, expected = target / "picture.png", f"{target / 'picture.png'} is a folder"
        out.mkdir()
    elif case == "under a file":
        (target / "notes.txt").write_text("x")
        out = target / "notes.txt" / "cat.png"
        expected = f"{target / 'notes.txt'} is a file, not a folder"
    elif case == "long name":  # 244 bytes fit, but not the 24 more of the temp file's name
        out = target / ("长" * 80 + ".png")
        expected = "is too long for this drive: it has 244 bytes, MajicFlux adds 24 while writing, and the drive takes at most 255. Shorten it by 13 bytes"
    else:
        out, expected = target / "cat.png", f"{target} cannot be written to (permission denied)"
        stack.enter_context(read_only(target))
    with stack:
        line = one_error(generate_into(data, out))
    assert expected in line
    assert not (data / "demo-models").exists()  # refused before the models were even written
    assert list(target.iterdir()) == ([out] if case == "existing folder" else [target / "notes.txt"] if case == "under a file" else [])  # fmt: skip


@pytest.mark.slow
def test_an_image_that_cannot_be_written_at_the_end_is_saved_in_the_output_folder(
    tmp_path: Path, tiny_models: Path
) -> None:
    """The drive fills up while generating: the check before passed (an empty file fits), the PNG
    does not. The image goes to the app's output folder and the command says where."""
    data = tmp_path / "data"
    with small_disk(tmp_path / "full", "8k") as disk:
        run = majicflux("--data-dir", str(data), "generate", "--prompt", "橘猫 on a sill",
                        "--models", str(tiny_models), "--size", "256x256", "--steps", "1",
                        "--seed", "5", "--out", str(disk / "cat.png"))  # fmt: skip
        assert list(disk.iterdir()) == []  # no half file, no temp file
    assert run.returncode == 1 and "Traceback" not in run.stderr
    [line] = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert f"The disk holding {disk} is full: cat.png could not be written" in line
    [saved] = (data / "images").glob("*/*.png")
    assert saved.name.endswith("-5-橘猫-on-a-sill.png")
    assert run.stdout.strip().startswith(f"saved {saved} instead (seed 5")
    assert metadata.read(saved).request.seed == 5  # type: ignore[union-attr]


@pytest.mark.slow
def test_the_demo_on_a_full_disk_says_the_disk_is_full(tmp_path: Path) -> None:
    with small_disk(tmp_path / "small", "64k") as disk:
        line = one_error(generate_into(disk / "data", tmp_path / "o.png"))
    assert "The disk holding" in line and "is full" in line and "Free up space" in line
    assert "Safetensor" not in line and "Error" not in line


# -- start-up faults: one line naming the folder and the fix -----------------------------------------


def test_a_data_folder_that_is_a_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.write_text("not a folder")
    line = one_error(majicflux("--data-dir", str(data), "models", "check"))
    assert f"{data} is a file, but MajicFlux keeps its settings" in line and "--data-dir" in line


def test_the_default_data_folder_that_is_a_file(tmp_path: Path) -> None:
    default = tmp_path / "xdg-data" / "MajicFlux"  # ~/.local/share/MajicFlux with XDG_DATA_HOME
    default.parent.mkdir()
    default.write_text("a file")
    line = one_error(majicflux("doctor"))
    assert f"{default} is a file" in line and "Rename or move that file" in line


def test_a_read_only_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with read_only(data):
        line = one_error(majicflux("--data-dir", str(data), "doctor"))
    assert f"MajicFlux cannot write to its data folder {data}" in line
    assert "--data-dir and a folder you can write to" in line


@pytest.mark.slow
def test_a_png_follows_the_umask(tmp_path: Path) -> None:
    env = subprocess_env()
    out = tmp_path / "cat.png"
    run = subprocess.run(
        [sys.executable, "-m", "majicflux_desktop.cli", "--data-dir", str(tmp_path / "data"),
         "generate", "--prompt", "x", "--tiny", "--size", "256x256", "--steps", "1",
         "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=300, preexec_fn=lambda: os.umask(0o002),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o664
    settings_mode = stat.S_IMODE((tmp_path / "data" / "demo-models" / "ae.safetensors").stat().st_mode)  # fmt: skip
    assert settings_mode == 0o664


@pytest.mark.slow
def test_files_downloaded_outside_the_models_folder_are_kept_for_the_app(tmp_path: Path) -> None:
    from fakehub import FakeHub, serve

    data, elsewhere = tmp_path / "data", tmp_path / "big-drive" / "flux"
    with serve(FakeHub()) as hub:
        env = subprocess_env(MODELSCOPE_ENDPOINT=hub.url, HF_TOKEN="")
        run = majicflux("--data-dir", str(data), "models", "download", "--source", hub.url,
                        "--dir", str(elsewhere), env=env)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert (
        f"kept in the settings ({data / 'settings.json'}): the files in {elsewhere}" in run.stdout
    )
    check = majicflux("--data-dir", str(data), "models", "check")  # the app's files, no folder
    assert check.returncode == 0 and check.stdout.strip().endswith("complete")
    assert f"majicflus_v1 transformer (DiT): {elsewhere}" in check.stdout

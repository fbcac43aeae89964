"""What compiled maths need besides torch: Triton, a C compiler and Python's headers.

The probe runs the real Triton (kernel compiled for an RTX 30 without a GPU) and the real C
compiler; the frozen app runs the same probe in its self-test (tests/packaging).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from majicflux_desktop.engine import compiled, toolchain

pytest.importorskip("triton")


def test_the_probe_compiles_a_kernel_and_builds_a_c_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRITON_CACHE_DIR", str(tmp_path))  # cold: really compiled, not read back
    done = toolchain.probe()
    assert done.kernel_bytes > 1000  # a cubin: LLVM and the bundled ptxas ran
    assert done.compiler == toolchain.c_compiler()  # the one Triton took (CC, or gcc or clang)
    assert f"for sm_{toolchain.PROBE_TARGET}" in done.text()
    assert any(tmp_path.rglob("*.cubin")) and any(tmp_path.rglob("majicflux_probe*"))


def test_everything_is_there_from_source() -> None:
    assert (toolchain.python_headers() / "Python.h").is_file()
    assert toolchain.problem() is None


def test_missing_python_headers_are_named_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(toolchain, "python_headers", lambda: tmp_path / "include")
    why = toolchain.problem()
    assert why is not None and why.english() == (
        f"Python's C headers are missing ({tmp_path / 'include'}); install Python's development "
        "files (python3-dev)"
    )
    monkeypatch.setattr(toolchain, "FROZEN", True)  # the bundle carries them: it is damaged
    why = toolchain.problem()
    assert why is not None and why.english().endswith("; reinstall MajicFlux")
    assert toolchain.missing_from_bundle() == str(tmp_path / "include" / "Python.h")


def test_no_c_compiler_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CC", "unset")
    monkeypatch.delenv("CC")
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no gcc, no clang
    assert toolchain.c_compiler() is None
    why = toolchain.problem()
    assert why is not None and "install gcc, or name one in the CC environment variable" in (
        why.english()
    )
    monkeypatch.setenv("CC", "/opt/my-cc")  # the user's choice is what Triton will take too
    assert toolchain.c_compiler() == "/opt/my-cc" and toolchain.problem() is None


def test_compiled_maths_on_a_gpu_say_why_not_when_the_toolchain_lacks_a_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch.utils._triton

    monkeypatch.setattr(torch.utils._triton, "has_triton", lambda: True)  # as on an NVIDIA GPU
    assert compiled.unavailable("cuda", "auto") is None
    monkeypatch.setenv("CC", "unset")
    monkeypatch.delenv("CC")
    monkeypatch.setenv("PATH", str(tmp_path))
    why = compiled.unavailable("cuda", "auto")
    assert why is not None and why.english().startswith("no C compiler was found")
    assert compiled.unavailable("cpu", "on") is None  # inductor's C++ path reports at the image


def test_the_frozen_windows_app_points_triton_windows_at_what_it_carries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """triton-windows looks for TinyCC and its CUDA files under site-packages, which a frozen
    app has not; the folder below is laid out as its wheel is (triton/runtime/tcc/tcc.exe,
    triton/backends/nvidia/{bin/ptxas.exe,include/cuda.h,lib/x64/cuda.lib})."""
    triton = windows_triton(tmp_path / "_internal", monkeypatch)
    monkeypatch.setenv("CUDA_PATH", r"C:\Program Files\NVIDIA GPU Computing Toolkit\CUDA\v12.1")
    toolchain.use_bundled()  # from source: nothing changes
    assert "CC" not in os.environ
    monkeypatch.setattr(toolchain, "FROZEN", True)
    toolchain.use_bundled()
    assert os.environ["CC"] == str(triton / "runtime" / "tcc" / "tcc.exe")
    assert os.environ["CUDA_PATH"] == str(triton / "backends" / "nvidia")
    assert toolchain.c_compiler() == os.environ["CC"] and toolchain.bundled_compiler()
    assert toolchain.missing_from_bundle() is None


def test_tinycc_and_a_folder_name_outside_the_code_page_say_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TinyCC opens files through narrow paths: on a Western Windows (cp1252) a Chinese user
    name in the data folder's path cannot reach it; compiled maths then stay off with the fix
    named, instead of failing at the first image."""
    windows_triton(tmp_path / "app", monkeypatch)
    monkeypatch.setenv("TRITON_CACHE_DIR", str(tmp_path / "Users" / "张三" / "cache" / "triton"))
    why = toolchain.problem(codec="cp1252")
    assert why is not None and "cannot read the folder" in why.english()
    assert "张三" in why.english() and "UTF-8" in why.english()
    assert toolchain.problem(codec="gbk") is None  # a Chinese Windows spells it
    monkeypatch.setenv("CC", "cl.exe")  # MSVC takes wide paths
    assert toolchain.problem(codec="cp1252") is None


def windows_triton(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A triton-windows folder as its wheel lays it out (TinyCC, the CUDA files), on Windows."""
    triton = folder / "triton"
    for part in ("runtime/tcc/tcc.exe", "backends/nvidia/bin/ptxas.exe"):
        (triton / part).parent.mkdir(parents=True, exist_ok=True)
        (triton / part).write_bytes(b"")
    monkeypatch.setattr(toolchain, "_triton_dir", lambda: triton)
    monkeypatch.setattr(toolchain, "WINDOWS", True)
    monkeypatch.setenv("CC", "unset")
    monkeypatch.delenv("CC")  # restored (to absent) after the test, whatever sets it meanwhile
    return triton

"""`--self-test` under what a windowed, frozen app meets, run as a user's machine would run it.

Every test runs the app from source; with MAJICFLUX_FROZEN_APP set to a built executable
(packaging/build.sh does that) the same tests run the frozen app too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import subprocess_env

ROOT = Path(__file__).resolve().parents[2]
FROZEN = os.environ.get("MAJICFLUX_FROZEN_APP")
AWKWARD = "麦橘 超然 MajicFlux 测试"  # spaces and Chinese characters in one folder name
TIMEOUT_S = 900


def app_command(kind: str, install: Path | None = None) -> list[str]:
    if kind == "frozen":
        assert FROZEN
        executable = Path(FROZEN)
        if install is not None:
            executable = install / executable.name
        return [str(executable)]
    return [sys.executable, "-m", "majicflux_desktop"]


@pytest.fixture(params=["source", pytest.param("frozen", marks=pytest.mark.frozen)])
def kind(request: pytest.FixtureRequest) -> str:
    if request.param == "frozen" and not FROZEN:
        pytest.skip("no frozen build (MAJICFLUX_FROZEN_APP); packaging/build.sh runs these")
    return str(request.param)


@pytest.fixture
def awkward_install(kind: str, tmp_path: Path) -> Iterator[tuple[Path | None, dict[str, str]]]:
    """The app installed under a path with spaces and Chinese characters.

    Source: a copy of the package and resources/, found first through PYTHONPATH. Frozen: the
    bundle folder renamed into such a path (a rename: gigabytes are not copied) and back after.
    """
    if kind == "source":
        install = tmp_path / AWKWARD / "app"
        shutil.copytree(
            ROOT / "majicflux_desktop",
            install / "majicflux_desktop",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        shutil.copytree(ROOT / "resources", install / "resources")
        yield None, {"PYTHONPATH": str(install)}
        return
    assert FROZEN
    bundle = Path(FROZEN).resolve().parent
    moved = bundle.parent / AWKWARD / bundle.name
    moved.parent.mkdir()
    os.rename(bundle, moved)
    try:
        yield moved, {}
    finally:
        os.rename(moved, bundle)
        moved.parent.rmdir()


def run_self_test(
    command: list[str], data_parent: Path, cwd: Path, extra_env: dict[str, str], **kwargs: object
) -> subprocess.CompletedProcess[bytes]:
    env = subprocess_env(**extra_env)
    if "PYTHONPATH" in extra_env:  # the copy first, then the network blocker
        env["PYTHONPATH"] = os.pathsep.join(
            [extra_env["PYTHONPATH"], subprocess_env()["PYTHONPATH"]]
        )
    env.pop("QT_QPA_PLATFORM")  # the self-test chooses offscreen itself
    return subprocess.run(
        [*command, "--self-test", "--data-dir", str(data_parent)],
        cwd=cwd,
        env=env,
        timeout=TIMEOUT_S,
        **kwargs,  # type: ignore[call-overload]
    )


@pytest.mark.slow
def test_self_test_passes_from_an_awkward_install_cwd_and_console(
    kind: str, awkward_install: tuple[Path | None, dict[str, str]], tmp_path: Path
) -> None:
    install, extra = awkward_install
    elsewhere = tmp_path / "somewhere else"
    elsewhere.mkdir()
    data_parent = tmp_path / "数据 data"
    # A Western Windows console: cp1252 cannot encode the Chinese text or diffsynth's box drawing.
    # (File names stay Unicode, as Windows' file APIs are: only the console is narrow.) A frozen
    # app ignores PYTHON* variables: it runs in UTF-8 mode, which the spec sets.
    extra = {**extra, "PYTHONIOENCODING": "cp1252", "PYTHONUTF8": "0"}
    run = run_self_test(
        app_command(kind, install), data_parent, elsewhere, extra, capture_output=True
    )
    out, err = run.stdout.decode("utf-8", "replace"), run.stderr.decode("utf-8", "replace")
    assert run.returncode == 0, f"{out}\n{err}"
    assert "PASSED" in out and "the PNG's metadata reads back" in out
    assert "自检" in out  # the console was switched to UTF-8, not left to drop the Chinese
    # what the frozen app does about compiled maths, and why (no GPU here: the blocks run as before)
    assert "compiled maths: off, the blocks run uncompiled: they need an NVIDIA GPU" in out
    # the GPU compiler itself works in the build: a kernel for an RTX 30 and a C launcher-like module
    assert "GPU compiler: Triton 3.8.0 compiled a test kernel for sm_86" in out
    assert "the LoRA fold kernel too" in out  # its source is in the bundle (Triton reads it)
    assert "built a C module against" in out
    if kind == "source":
        assert "console cp1252, UTF-8 mode 0" in out
    else:
        assert "UTF-8 mode 1" in out
    if install is not None:
        assert str(install) in out  # resources came from the renamed bundle
    elif kind == "source":
        assert AWKWARD in out
    assert list(data_parent.iterdir()) == []  # the temporary data folder is removed after a pass


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="inductor's C++ backend needs MSVC's cl there")
def test_compiled_maths_compile_the_blocks_in_the_build(kind: str, tmp_path: Path) -> None:
    """Compiled maths take the same path in the frozen app as from source: dynamo and inductor
    compile both kinds of transformer block (on this GPU-less machine with inductor's C++
    backend, against the headers the bundle carries), the kernels go to the data folder's cache,
    and the image is made with them."""
    run = run_self_test(
        [*app_command(kind), "--compiled-maths", "on", "--device", "cpu"],
        tmp_path,
        tmp_path,
        {},
        capture_output=True,
    )
    out, err = run.stdout.decode("utf-8", "replace"), run.stderr.decode("utf-8", "replace")
    assert run.returncode == 0, f"{out}\n{err}"
    assert "compiled maths: on" in out
    assert "compiled maths: 2 kinds of transformer block compiled" in out
    assert "PASSED" in out


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="closes the standard streams with POSIX calls")
def test_self_test_passes_without_stdout_and_stderr(kind: str, tmp_path: Path) -> None:
    # a windowed app on Windows starts with no standard streams: sys.stdout is None
    def close_stdio() -> None:
        os.close(1)
        os.close(2)

    run = run_self_test(
        app_command(kind), tmp_path, tmp_path, {}, stdin=subprocess.DEVNULL, preexec_fn=close_stdio
    )
    assert run.returncode == 0
    assert list(tmp_path.glob("majicflux-selftest-*")) == []


@pytest.mark.slow
def test_a_failure_exits_non_zero_with_the_reason_on_stderr_and_in_the_log(
    kind: str, tmp_path: Path
) -> None:
    run = run_self_test(
        app_command(kind),
        tmp_path,
        tmp_path,
        {"MAJICFLUX_SELFTEST_TIMEOUT": "0"},
        capture_output=True,
    )
    err = run.stderr.decode("utf-8", "replace")
    assert run.returncode == 1, err
    assert "self-test FAILED: timed out waiting for the engine to load" in err
    (kept,) = tmp_path.glob("majicflux-selftest-*")
    assert str(kept) in err
    log = (kept / "logs" / "majicflux.log").read_text("utf-8")
    assert "self-test FAILED: timed out" in log

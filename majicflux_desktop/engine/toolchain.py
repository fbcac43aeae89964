"""What compiled maths need besides torch, where the frozen app keeps it, and a probe that proves it.

On an NVIDIA GPU, torch.compile writes Triton kernels. Triton compiles them with LLVM and the
`ptxas` it carries, then builds a small C launcher per kernel signature. That build needs:

- a C compiler: gcc or clang on Linux; on Windows the TinyCC that triton-windows carries;
- Python's C headers (and on Windows Python's import library), found through `sysconfig`.

A frozen app answers sysconfig's paths under its `_internal` folder (sys.base_prefix). The bundle
puts the headers there (packaging/bundle_contents.py). triton-windows looks for its TinyCC and CUDA
files under site-packages, which a frozen app does not have; `use_bundled()` points it at them
(__main__ calls it first: triton-windows reads CUDA_PATH once, when Triton is imported).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message
from majicflux_desktop.core.paths import is_frozen

WINDOWS = sys.platform == "win32"
FROZEN = is_frozen()
ANSI = "mbcs"  # Windows' code page for programs that take narrow paths, as TinyCC does
PROBE_TARGET = 86  # sm_86, an RTX 30: compiling for it needs no GPU
_PROBE_C = r"""
#include <Python.h>
static PyObject* answer(PyObject* self, PyObject* args) { return PyLong_FromLong(42); }
static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "majicflux_probe", NULL, -1, methods};
PyMODINIT_FUNC PyInit_majicflux_probe(void) { return PyModule_Create(&module); }
"""


def _why(text: str, **params: object) -> Message:
    return Message("compiled", text, params)


def python_headers() -> Path:
    """Where Triton (and inductor's C++ backend) look for Python.h."""
    return Path(sysconfig.get_paths()["include"])


def _triton_dir() -> Path | None:
    spec = importlib.util.find_spec("triton")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _bundled_tcc() -> Path | None:
    triton = _triton_dir()
    tcc = triton / "runtime" / "tcc" / "tcc.exe" if triton else None
    return tcc if tcc is not None and tcc.is_file() else None


def c_compiler() -> str | None:
    """The C compiler Triton will use for its launchers, found in Triton's own order."""
    named = os.environ.get("CC")
    if named:
        return named
    if WINDOWS:
        tcc = _bundled_tcc()
        if tcc is not None:
            return str(tcc)
        names: tuple[str, ...] = ("cl", "gcc", "clang")
    else:
        names = ("gcc", "clang")
    return next((found for name in names if (found := shutil.which(name))), None)


def missing_from_bundle() -> str | None:
    """What of the compiler's parts the frozen app should carry is not there (None: all is)."""
    headers = python_headers() / "Python.h"
    if not headers.is_file():
        return str(headers)
    if WINDOWS and _bundled_tcc() is None:
        return "TinyCC (triton/runtime/tcc/tcc.exe)"
    return None


def bundled_compiler() -> bool:
    """Whether the C compiler is one the app carries (TinyCC): if it fails, the build is at
    fault, not the PC."""
    tcc = _bundled_tcc()
    return tcc is not None and c_compiler() == str(tcc)


def _triton_cache() -> Path:
    return Path(os.environ.get("TRITON_CACHE_DIR") or Path.home() / ".triton" / "cache")


def _unreadable_for_tcc(codec: str = ANSI) -> Path | None:
    """A folder TinyCC must read or write whose path this Windows' code page cannot spell
    (TinyCC takes narrow paths: a Chinese user name on a Western Windows, say)."""
    compiler = c_compiler()
    if compiler is None or Path(compiler).stem.lower() != "tcc":
        return None
    for folder in (python_headers(), _triton_dir(), _triton_cache()):
        if folder is None:
            continue
        try:
            str(folder).encode(codec)
        except UnicodeEncodeError:
            return folder
    return None


def problem(codec: str = ANSI) -> Message | None:
    """Why Triton could not build its launchers here (None: it can)."""
    headers = python_headers()
    if not (headers / "Python.h").is_file():
        if FROZEN:
            text = QT_TRANSLATE_NOOP(
                "compiled", "Python's C headers are missing ({folder}); reinstall MajicFlux"
            )
        else:
            text = QT_TRANSLATE_NOOP(
                "compiled",
                "Python's C headers are missing ({folder}); install Python's development "
                "files (python3-dev)",
            )
        return _why(text, folder=str(headers))
    if c_compiler() is None:
        return _why(
            QT_TRANSLATE_NOOP(
                "compiled",
                "no C compiler was found for the GPU compiler's launchers: install gcc, or name "
                "one in the CC environment variable",
            )
        )
    unreadable = _unreadable_for_tcc(codec) if WINDOWS else None
    if unreadable is not None:
        return _why(
            QT_TRANSLATE_NOOP(
                "compiled",
                "the GPU compiler's C compiler cannot read the folder {folder}: its name has "
                "characters outside this Windows' code page. Turn on \"Use Unicode UTF-8 for "
                "worldwide language support\" in Windows' region settings, or keep MajicFlux "
                "and its data in folders named in this Windows' language",
            ),
            folder=str(unreadable),
        )
    return None


def use_bundled() -> None:
    """In the frozen app on Windows, point triton-windows at the TinyCC and CUDA files it
    carries: it looks for them under site-packages, which the bundle does not have. A compiler
    the user named in CC is kept; the CUDA files are always the bundled ones, the set tested
    with this Triton (a CUDA Toolkit's older ptxas may not read its PTX). Call it before Triton
    is imported: triton-windows looks CUDA up once, at import."""
    if not (WINDOWS and FROZEN):
        return
    triton = _triton_dir()
    if triton is None:
        return
    tcc = _bundled_tcc()
    if tcc is not None:
        os.environ.setdefault("CC", str(tcc))
    cuda = triton / "backends" / "nvidia"
    if (cuda / "bin" / "ptxas.exe").is_file():
        os.environ["CUDA_PATH"] = str(cuda)


@dataclass(frozen=True)
class Probe:
    triton: str  # Triton's version
    kernel_bytes: int  # the size of the test kernel's cubin
    compiler: str  # the C compiler that built the test launcher

    def text(self) -> str:
        return (
            f"Triton {self.triton} compiled a test kernel for sm_{PROBE_TARGET} "
            f"({self.kernel_bytes} bytes of GPU code) and {Path(self.compiler).name} built a "
            f"C module against {python_headers()}"
        )


def probe() -> Probe:
    """Compile a small Triton kernel for an RTX 30 (no GPU needed: LLVM and ptxas run offline)
    and build and import a C module the way Triton builds its launchers. Raises what fails.

    This is the part of compiled maths a GPU-less machine can run: the self-test proves with it
    that a build carries a working GPU compiler (the packaging tests run it on the frozen app).
    """
    import triton
    import triton.language as tl
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource
    from triton.runtime.build import compile_module_from_src

    @triton.jit
    def double(x_ptr, n, BLOCK: tl.constexpr):
        i = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        inside = i < n
        tl.store(x_ptr + i, tl.load(x_ptr + i, mask=inside) * 2, mask=inside)

    source = ASTSource(
        fn=double,
        signature={"x_ptr": "*fp32", "n": "i32", "BLOCK": "constexpr"},
        constexprs={"BLOCK": 128},
    )
    kernel = triton.compile(source, target=GPUTarget("cuda", PROBE_TARGET, 32))
    compiler = c_compiler()
    if compiler is None:
        raise LauncherBuildFailed("no C compiler was found")
    try:
        module = compile_module_from_src(_PROBE_C, "majicflux_probe")
    except Exception as exc:
        raise LauncherBuildFailed(f"{Path(compiler).name}: {type(exc).__name__}: {exc}") from exc
    if module.answer() != 42:
        raise RuntimeError("the C module built but answered wrong")
    return Probe(triton.__version__, len(kernel.asm["cubin"]), compiler)


class LauncherBuildFailed(RuntimeError):
    """The C compiler did not build the probe's module (a PC's compiler may be broken)."""

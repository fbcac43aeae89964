"""What goes into the frozen app and what stays out: read by majicflux.spec, checked by the tests.

Kept apart from the spec so that the choices are plain, testable Python: each exclusion names the
reason it is safe (tests/packaging checks the app still runs with every excluded module absent).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_NAME = "MajicFlux"  # the executable, the bundle folder, the installer's AppName
PUBLISHER = "MajicFlux"
DESCRIPTION = "MajicFlux Desktop: offline FLUX image generator"

# The diffsynth models the app loads (engine/catalog.py: the transformer, CLIP-L, T5-XXL and the
# VAE). diffsynth imports each model class and state-dict converter by the dotted name its
# configs give, which PyInstaller cannot see.
DIFFSYNTH_MODEL_NAMES = (
    "flux_dit",
    "flux_text_encoder_clip",
    "flux_text_encoder_t5",
    "flux_vae_encoder",
    "flux_vae_decoder",
)
# transformers models kept in the bundle. The app itself imports no transformers (its tokenizers
# are engine/prompt_tokenizers.py's, its T5 encoder engine/t5.py's); diffsynth imports it where a
# name it asks for is not stood in for (engine/diffsynth_import.py), and would find these.
TRANSFORMERS_MODELS_KEPT = ("auto", "clip", "t5")

# module -> why the app never needs it. Absent modules are what the frozen app will meet; the test
# runs the self-test with all of them hidden.
EXCLUDED_MODULES: dict[str, str] = {
    "imageio_ffmpeg": "an ffmpeg executable for diffsynth's video pipelines",
    "tensorboard": "training dashboards",
    "torch.utils.tensorboard": "training dashboards",
    "tkinter": "another GUI toolkit (Tcl/Tk)",
    "_tkinter": "another GUI toolkit (Tcl/Tk)",
    "matplotlib": "plots (optional imports of torch and transformers)",
    "IPython": "notebooks (optional import)",
    "scipy": "optional import of transformers and torch",
    "sklearn": "optional import of transformers",
    "mypy": "type checker, seen through torch's optional imports",
    "pytest": "test runner",
    "_pytest": "test runner",
    "hypothesis": "test tool",
    "pip": "installer",
    "PyInstaller": "the build tool itself",
}
# diffsynth imports ModelScope for its hub client (modelscope.hub, modelscope.utils); the rest is
# ModelScope's own model zoo and training stack, 60 MB of modules the app never imports
MODELSCOPE_EXCLUDED = (
    "cli",
    "exporters",
    "fileio",
    "metrics",
    "models",
    "msdatasets",
    "ops",
    "outputs",
    "pipeline_inputs",
    "pipelines",
    "preprocessors",
    "server",
    "tools",
    "trainers",
)
# Qt modules of PySide6-Essentials the app does not import (it uses QtCore, QtGui, QtWidgets)
EXCLUDED_QT_MODULES = (
    "QtNetwork",
    "QtQml",
    "QtQuick",
    "QtQuickWidgets",
    "QtQuickControls2",
    "QtQuickTest",
    "QtOpenGL",
    "QtOpenGLWidgets",
    "QtSql",
    "QtTest",
    "QtDBus",
    "QtXml",
    "QtConcurrent",
    "QtPrintSupport",
    "QtUiTools",
    "QtDesigner",
    "QtHelp",
    "QtSvgWidgets",
    "QtNetworkAuth",
    "QtPdf",
    "QtPdfWidgets",
    "QtStateMachine",
    "QtGraphs",
    "QtCanvasPainter",
    "QtWebSockets",
)
# Packages whose test suites ship inside the wheel; the tests are never imported
TEST_SUITE_OWNERS = ("sympy", "pandas", "numpy", "networkx", "mpmath", "torch", "PIL", "modelscope")

# Files dropped after analysis, by path inside the bundle (fnmatch patterns). torch's hook already
# leaves out its C++ headers, CMake files and import libraries.
EXCLUDED_FILES = {
    "torch/bin/protoc*": "the protobuf compiler that ships in torch's wheel (for building torch)",
    # Triton ships (compiled maths, engine/toolchain.py); these parts of it never compile a kernel
    "triton/backends/nvidia/lib/cupti*": "CUPTI, for Triton's profiler (proton): never profiled",
    "triton/backends/nvidia/bin/cuobjdump*": "a CUDA binary dumper, for debugging kernels",
    "triton/backends/nvidia/bin/nvdisasm*": "a CUDA disassembler, for debugging kernels",
}
# Libraries shipped without their debug information (Linux: `strip --strip-debug` on a copy), the
# symbols stay: libtriton.so carries 270 MB of DWARF, half its size, that only a debugger reads
DEBUG_STRIPPED = ("triton/_C/libtriton.so",)
# Modules kept as source files beside their bytecode: Triton compiles a kernel from the source of
# its Python function (the self-test's probe kernel, engine/toolchain.py; the LoRA fold's)
SOURCE_MODULES = {
    "majicflux_desktop.engine.toolchain": "pyz+py",
    "majicflux_desktop.engine.lora_fold_triton": "pyz+py",
}


# Data inside the package, found by the code next to its modules: FLUX's tokenizers (MIT and
# Apache-2.0, each licence beside its files), so a models folder needs only the weight files.
PACKAGE_DATA = ("majicflux_desktop/resources/tokenizers",)


def package_data(root: Path = ROOT) -> list[tuple[str, str]]:
    """(file, its folder in the bundle) for every file under PACKAGE_DATA, at the same place
    relative to the package as in the source tree."""
    found = []
    for folder in PACKAGE_DATA:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                found.append((str(path), path.parent.relative_to(root).as_posix()))
    if not found:
        raise RuntimeError(f"no package data under {PACKAGE_DATA}: is the source tree complete?")
    return found


def compiler_files(windows: bool = sys.platform == "win32") -> list[tuple[str, str]]:
    """(file, its folder in the bundle) for what compiled maths need beside Triton.

    - Python's C headers, and on Windows its import library: Triton builds a C launcher for each
      kernel signature against them. It finds them through sysconfig, which in the frozen app
      answers paths under sys.base_prefix, the bundle's _internal folder: so they go there, at
      the same place relative to the prefix as in the build's Python.
    - On Linux, torch's C++ headers: inductor's CPU backend compiles against them, which is how
      the packaging tests prove compiled maths in the frozen app on a machine without a GPU
      (torch's hook leaves headers out; 63 MB). A Windows PC has no C++ compiler for that path.
    """
    import sysconfig

    base = Path(sys.base_prefix)
    paths = sysconfig.get_paths()
    include, platform = Path(paths["include"]), Path(paths["platinclude"])
    headers = {h.relative_to(include): h for h in include.rglob("*.h")}
    if platform != include:  # Debian's pyconfig.h in include/ points to the platform's own
        headers |= {h.relative_to(platform): h for h in platform.rglob("*.h")}
    if not headers:
        raise RuntimeError(f"Python's C headers are not in {include}: install them to build")
    destination = include.relative_to(base)
    found = [(str(h), (destination / r).parent.as_posix()) for r, h in sorted(headers.items())]
    if windows:
        library = base / "libs" / f"python{sys.version_info[0]}{sys.version_info[1]}.lib"
        if not library.is_file():
            raise RuntimeError(f"Python's import library {library} is missing")
        found.append((str(library), "libs"))
    else:
        import importlib.util

        spec = importlib.util.find_spec("torch")
        assert spec is not None and spec.origin is not None
        site = Path(spec.origin).parent.parent
        headers = sorted(p for p in (site / "torch" / "include").rglob("*") if p.is_file())
        found += [(str(h), h.parent.relative_to(site).as_posix()) for h in headers]
    return found


def without_debug_info(entry: tuple[str, str, str], work: Path) -> tuple[str, str, str]:
    """A binary entry of the analysis (destination, source, kind), pointed at a copy without
    debug information when it is one of DEBUG_STRIPPED."""
    import shutil
    import subprocess

    destination, source, kind = entry
    if destination.replace("\\", "/") not in DEBUG_STRIPPED:
        return entry
    strip = shutil.which("strip")
    if strip is None:
        raise RuntimeError(f"`strip` (binutils) is needed to ship {destination} at half its size")
    copy = work / "stripped" / destination
    copy.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([strip, "--strip-debug", "-o", str(copy), source], check=True)
    return destination, str(copy), kind


def distribution_of(package: str) -> str:
    """The installed distribution that provides an importable package (triton: "triton" on
    Linux, "triton-windows" on Windows)."""
    from importlib.metadata import packages_distributions

    names = packages_distributions().get(package)
    if not names:
        raise RuntimeError(f"{package} is not installed: install the build's tools (.[build])")
    return names[0]


def project_version(pyproject: Path = ROOT / "pyproject.toml") -> str:
    text = pyproject.read_text("utf-8")
    if sys.version_info >= (3, 11):
        import tomllib

        return str(tomllib.loads(text)["project"]["version"])
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if match is None:
        raise ValueError(f"no version in {pyproject}")
    return match.group(1)


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """Four numbers for Windows' file version (0.1.0rc1 -> 0, 1, 0, 0)."""
    numbers = [int(n) for n in re.findall(r"\d+", version.split("+")[0])[:3]]
    return (*numbers, 0, 0, 0, 0)[:4]  # type: ignore[return-value]


def _module_of(dotted: str) -> str:
    return dotted.rsplit(".", 1)[0]


def diffsynth_hidden_imports() -> list[str]:
    """The modules diffsynth imports by name for the app's models: classes, converters, and the
    layer classes its VRAM management swaps in."""
    from diffsynth.configs import MODEL_CONFIGS, VRAM_MANAGEMENT_MODULE_MAPS

    modules: set[str] = set()
    for config in MODEL_CONFIGS:
        if config["model_name"] not in DIFFSYNTH_MODEL_NAMES:
            continue
        for key in ("model_class", "state_dict_converter"):
            if config.get(key):
                modules.add(_module_of(config[key]))
        for source, target in VRAM_MANAGEMENT_MODULE_MAPS.get(config["model_class"], {}).items():
            modules.update((_module_of(source), _module_of(target)))
    missing = set(DIFFSYNTH_MODEL_NAMES) - {c["model_name"] for c in MODEL_CONFIGS}
    if missing:
        raise RuntimeError(f"diffsynth no longer knows the models {sorted(missing)}")
    return sorted(m for m in modules if m.split(".")[0] == "diffsynth")


def excluded_transformers_models() -> list[str]:
    import transformers.models

    folder = Path(transformers.models.__file__).parent
    names = sorted(p.name for p in folder.iterdir() if p.is_dir() and (p / "__init__.py").is_file())
    return [f"transformers.models.{n}" for n in names if n not in TRANSFORMERS_MODELS_KEPT]


def test_suites(owners: Iterable[str] = TEST_SUITE_OWNERS) -> list[str]:
    """Dotted names of the `tests` packages inside the given installed packages."""
    import importlib.util

    found = []
    for owner in owners:
        spec = importlib.util.find_spec(owner)
        if spec is None or not spec.submodule_search_locations:
            continue
        root = Path(next(iter(spec.submodule_search_locations)))
        for init in root.rglob("tests/__init__.py"):
            relative = init.parent.relative_to(root.parent)
            found.append(".".join(relative.parts))
    return sorted(found)


def excludes() -> list[str]:
    qt = [f"PySide6.{name}" for name in EXCLUDED_QT_MODULES]
    modelscope = [f"modelscope.{name}" for name in MODELSCOPE_EXCLUDED]
    transformers = excluded_transformers_models()
    return sorted({*EXCLUDED_MODULES, *qt, *modelscope, *transformers, *test_suites()})


def windows_version_file(version: str) -> str:
    """The text of a PyInstaller version-resource file (read on Windows only)."""
    numbers = numeric_version(version)
    strings = {
        "CompanyName": PUBLISHER,
        "FileDescription": DESCRIPTION,
        "FileVersion": version,
        "InternalName": APP_NAME,
        "LegalCopyright": "Apache-2.0",
        "OriginalFilename": f"{APP_NAME}.exe",
        "ProductName": APP_NAME,
        "ProductVersion": version,
    }
    table = ",\n            ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return f"""VSVersionInfo(
    ffi=FixedFileInfo(
        filevers={numbers},
        prodvers={numbers},
        mask=0x3F,
        flags=0x0,
        OS=0x40004,
        fileType=0x1,
        subtype=0x0,
        date=(0, 0),
    ),
    kids=[
        StringFileInfo([StringTable("040904B0", [
            {table},
        ])]),
        VarFileInfo([VarStruct("Translation", [0x0409, 1200])]),
    ],
)
"""


def make_ico(png: Path, ico: Path) -> Path:
    """The Windows icon, in the sizes Explorer and the taskbar ask for, from the app's PNG."""
    from PIL import Image

    ico.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(png) as image:
        image.convert("RGBA").save(
            ico, sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]
        )
    return ico


def _installed_size(module: str) -> int:
    """Bytes on disk of an installed module or package (0 if it is not installed here)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return 0
    if spec is None:
        return 0
    if spec.submodule_search_locations:
        folder = Path(next(iter(spec.submodule_search_locations)))
        return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    return Path(spec.origin).stat().st_size if spec.origin and Path(spec.origin).is_file() else 0


def _qt_size(name: str) -> int:
    """A Qt module: its Python binding and its Qt library, as PySide6-Essentials installs them."""
    import PySide6

    folder = Path(PySide6.__file__).parent
    files = [*folder.glob(f"{name}.*.so"), *folder.glob(f"{name}.pyd")]
    files += [*(folder / "Qt" / "lib").glob(f"libQt6{name[2:]}.so*")]
    files += [*folder.glob(f"Qt6{name[2:]}.dll")]
    return sum(f.stat().st_size for f in files if f.is_file())


def exclusion_savings() -> list[tuple[str, int, str]]:
    """(what, installed bytes, why) for everything left out: what each exclusion saved, measured
    as the size the excluded code has installed here (PyInstaller would have copied the binaries
    as they are and compressed the Python modules into its archive)."""
    rows = [(name, _installed_size(name), why) for name, why in EXCLUDED_MODULES.items()]
    rows.append(
        (
            f"{len(EXCLUDED_QT_MODULES)} Qt modules",
            sum(_qt_size(name) for name in EXCLUDED_QT_MODULES),
            "the app uses QtCore, QtGui and QtWidgets only",
        )
    )
    rows.append(
        (
            f"modelscope: {len(MODELSCOPE_EXCLUDED)} subpackages",
            sum(_installed_size(f"modelscope.{name}") for name in MODELSCOPE_EXCLUDED),
            "ModelScope's model zoo and training stack; only its hub client is used",
        )
    )
    models = excluded_transformers_models()
    rows.append(
        (
            f"transformers: {len(models)} model families",
            sum(_installed_size(name) for name in models),
            "the app uses T5, CLIP and the auto classes only",
        )
    )
    suites = test_suites()
    rows.append(
        (
            f"{len(suites)} test suites inside packages",
            sum(_installed_size(name) for name in suites),
            "never imported",
        )
    )
    for pattern, why in EXCLUDED_FILES.items():
        import torch

        site = Path(torch.__file__).parents[1]
        matched = [p for m in site.glob(pattern) for p in (m.rglob("*") if m.is_dir() else [m])]
        size = sum(f.stat().st_size for f in matched if f.is_file())
        rows.append((pattern, size, why))
    return sorted(rows, key=lambda row: -row[1])


if __name__ == "__main__":
    # packaging/build.sh: the version for the installer's /DAppVersion, and the report's table
    if sys.argv[1:] == ["version"]:
        print(project_version())
    elif sys.argv[1:] == ["savings"]:
        rows = exclusion_savings()
        for what, size, why in rows:
            print(f"  {size / 2**20:8.1f} MB  {what}: {why}")
        print(f"  {sum(r[1] for r in rows) / 2**20:8.1f} MB  in all (installed size left out)")
    else:
        sys.exit("usage: bundle_contents.py version|savings")

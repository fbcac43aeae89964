"""What can be checked here of the Windows build: the spec, the installer script, the workflow.

The Windows steps themselves (the CUDA torch from the PyTorch index, Inno Setup, installing and
uninstalling) run only on the GitHub Windows runner (.github/workflows/windows.yml).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from helpers import subprocess_env

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
ISS = PACKAGING / "majicflux.iss"
WORKFLOW = ROOT / ".github" / "workflows" / "windows.yml"


def load_contents() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bundle_contents", PACKAGING / "bundle_contents.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


contents = load_contents()


def pyproject_version() -> str:
    match = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    assert match
    return match.group(1)


def constraint(name: str) -> str:
    match = re.search(rf"^{name}==(\S+)$", (ROOT / "constraints.txt").read_text(), re.M)
    assert match, name
    return match.group(1)


# -- the version ---------------------------------------------------------------------------------
def test_the_build_takes_the_version_from_pyproject() -> None:
    run = subprocess.run(
        [sys.executable, str(PACKAGING / "bundle_contents.py"), "version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.strip() == pyproject_version()
    assert contents.numeric_version("1.2.3") == (1, 2, 3, 0)
    assert contents.numeric_version("0.4.0rc2+local") == (0, 4, 0, 0)


def test_the_installer_script_has_no_version_of_its_own() -> None:
    text = ISS.read_text("utf-8")
    assert "#ifndef AppVersion" in text and "#error" in text
    assert "AppVersion={#AppVersion}" in text
    code = [line for line in text.splitlines() if not line.lstrip().startswith(";")]
    assert not [line for line in code if pyproject_version() in line]
    build = (PACKAGING / "build.sh").read_text()
    assert 'VERSION=$("$PYTHON" packaging/bundle_contents.py version)' in build
    assert '"/DAppVersion=$VERSION" packaging/majicflux.iss' in build


# -- the installer script ------------------------------------------------------------------------
def iss_sections() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in ISS.read_text("utf-8").splitlines():
        stripped = line.strip()
        if re.fullmatch(r"\[\w+\]", stripped):
            current = stripped[1:-1]
            sections[current] = []
        elif current and stripped and not stripped.startswith(";"):
            sections[current].append(stripped)
    return sections


def iss_defines() -> dict[str, str]:
    return dict(re.findall(r'^#define (\w+) "([^"]*)"', ISS.read_text("utf-8"), re.M))


def iss_path(value: str) -> Path:
    for name, define in iss_defines().items():
        value = value.replace("{#" + name + "}", define)
    return (PACKAGING / value.replace("\\", "/")).resolve()


def setup_directives() -> dict[str, str]:
    return dict(line.split("=", 1) for line in iss_sections()["Setup"])


def test_the_installer_is_per_user_into_local_app_data_and_upgrades_in_place() -> None:
    setup = setup_directives()
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"] == r"{localappdata}\Programs\{#AppName}"
    assert iss_defines()["AppName"] == contents.APP_NAME
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["UsePreviousAppDir"] == "yes"
    # the old version's bundle goes before the new one is copied in
    assert r'Type: filesandordirs; Name: "{app}\_internal"' in iss_sections()["InstallDelete"]
    assert setup["DiskSpanning"] == "yes"  # the CUDA payload is over 2 GB


def test_the_installer_script_points_at_what_the_build_makes() -> None:
    files = iss_sections()["Files"]
    (source,) = [re.search(r'Source: "([^"]+)"', line).group(1) for line in files]  # type: ignore[union-attr]
    bundle = iss_path(source).parent
    assert bundle == ROOT / "dist" / contents.APP_NAME  # the spec's COLLECT name, build.sh's dist
    assert iss_defines()["AppExe"] == contents.APP_NAME + ".exe"
    # the icon is made by the spec from resources/icon.png, into build/
    assert iss_path(setup_directives()["SetupIconFile"]) == ROOT / "build" / "MajicFlux.ico"
    assert 'ROOT / "build" / "MajicFlux.ico"' in (PACKAGING / "majicflux.spec").read_text()
    assert (ROOT / "resources" / "icon.png").is_file()
    assert iss_path(setup_directives()["OutputDir"]) == ROOT / "dist"


def test_both_languages_have_their_messages() -> None:
    languages = iss_sections()["Languages"]
    assert any(line.startswith('Name: "en"') for line in languages)
    (chinese,) = [line for line in languages if line.startswith('Name: "chinesesimplified"')]
    files = re.search(r'MessagesFile: "([^"]+)"', chinese).group(1).split(",")  # type: ignore[union-attr]
    assert files[0] == "compiler:Default.isl"  # anything we did not translate shows in English
    isl = PACKAGING / files[1]
    raw = isl.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Inno Setup reads Unicode text only with a BOM
    text = raw.decode("utf-8-sig")
    assert "LanguageID=$0804" in text and "LanguageName=简体中文" in text
    chinese_names = set(re.findall(r"^(\w+)=", text, re.M))
    english_names = {m for m in re.findall(r"^en\.(\w+)=", ISS.read_text("utf-8"), re.M)}
    used = set(re.findall(r"\{cm:(\w+)", ISS.read_text("utf-8")))
    used |= set(re.findall(r"CustomMessage\('(\w+)'\)", ISS.read_text("utf-8")))
    in_default_isl = {"CreateDesktopIcon", "AdditionalIcons", "LaunchProgram"}
    for name in used:
        assert name in chinese_names, name
        assert name in english_names | in_default_isl, name
    for page in ("WizardSelectDir", "WizardSelectTasks", "WizardReady", "ConfirmUninstall"):
        assert page in chinese_names


def test_the_uninstaller_keeps_user_data_unless_asked() -> None:
    code = ISS.read_text("utf-8").split("[Code]", 1)[1]
    # the user's data in the app's default places (core/paths.py: platformdirs)
    assert r"{localappdata}\{#AppName}" in code and "CSIDL_MYPICTURES" in code
    # "No" is the default answer, so a silent uninstall keeps everything
    assert "MB_DEFBUTTON2, IDNO) = IDYES" in code
    assert "usPostUninstall" in code


# -- the workflow --------------------------------------------------------------------------------
def test_the_windows_workflow_parses_and_runs_every_step() -> None:
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers and "workflow_dispatch" in triggers
    (job,) = workflow["jobs"].values()
    assert job["runs-on"].startswith("windows")
    steps = job["steps"]
    uses = [step.get("uses", "") for step in steps]
    assert any(u.startswith("actions/checkout@") for u in uses)
    (python,) = [s for s in steps if s.get("uses", "").startswith("actions/setup-python@")]
    assert python["with"]["python-version"] == "3.11"
    scripts = "\n".join(step.get("run", "") for step in steps)
    for needed in (
        '--index-url "$TORCH_INDEX_URL" "$TORCH" "$TORCHVISION"',
        "innosetup-6.5.4.exe",
        "Get-FileHash",
        "packaging/build.sh --installer",
        "/VERYSILENT",
        "/CURRENTUSER",
        "--self-test",
        "unins000.exe",
    ):
        assert needed in scripts, needed
    uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
    setup_name = setup_directives()["OutputBaseFilename"].replace("{#AppName}", "MajicFlux")
    assert setup_name == "MajicFlux-{#AppVersion}-setup"
    assert "dist/MajicFlux-*-setup.exe" in uploads[0]["with"]["path"]
    assert "dist/MajicFlux-*-setup-*.bin" in uploads[0]["with"]["path"]


def test_the_windows_torch_is_the_pinned_pair_from_the_cuda_index() -> None:
    yaml = pytest.importorskip("yaml")
    env = yaml.safe_load(WORKFLOW.read_text("utf-8"))["env"]
    torch, cuda = env["TORCH"].removeprefix("torch==").split("+")
    vision, vision_cuda = env["TORCHVISION"].removeprefix("torchvision==").split("+")
    assert (torch, vision) == (constraint("torch"), constraint("torchvision"))
    assert cuda == vision_cuda and env["TORCH_INDEX_URL"].endswith("/whl/" + cuda)


# -- the spec ------------------------------------------------------------------------------------
class Recorder:
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]]

    def __init__(self) -> None:
        self.calls = []

    def stub(self, name: str) -> Any:
        recorder = self

        class Stub:
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                recorder.calls.append((name, args, kwargs))
                self.args, self.kwargs = args, kwargs
                self.pure, self.scripts = [], []
                self.binaries = [("torch/bin/protoc", "/x/protoc", "BINARY"), ("libc10.so", "", "")]
                self.datas = [(d, s, "DATA") for s, d in kwargs.get("datas", [])]

        return Stub

    def kwargs(self, name: str) -> dict[str, Any]:
        return next(kwargs for called, _, kwargs in self.calls if called == name)


@pytest.fixture(scope="module")
def spec_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Recorder, dict[str, Any]]:
    """Run the spec the way PyInstaller does, with its build steps recorded instead of run."""
    pytest.importorskip("PyInstaller")
    from majicflux_desktop.ui.common import translations

    for ts in (ROOT / "resources" / "i18n").glob("*.ts"):  # what scripts/build-translations does
        translations.compile_ts(ts, ts.with_suffix(".qm"))
    recorder = Recorder()
    namespace: dict[str, Any] = {
        "SPECPATH": str(PACKAGING),
        "workpath": str(tmp_path_factory.mktemp("work")),
        **{name: recorder.stub(name) for name in ("Analysis", "PYZ", "EXE", "COLLECT")},
    }
    source = (PACKAGING / "majicflux.spec").read_text("utf-8")
    saved_path = list(sys.path)
    try:
        exec(compile(source, "majicflux.spec", "exec"), namespace)
    finally:
        sys.path[:] = saved_path
    return recorder, namespace


@pytest.mark.slow
def test_the_spec_builds_a_windowed_one_folder_app_without_upx(
    spec_run: tuple[Recorder, dict[str, Any]],
) -> None:
    recorder, namespace = spec_run
    exe = recorder.kwargs("EXE")
    assert exe["console"] is False and exe["upx"] is False
    assert exe["exclude_binaries"] is True  # one folder: the libraries lie beside the executable
    assert exe["name"] == contents.APP_NAME
    assert recorder.kwargs("COLLECT")["upx"] is False
    assert recorder.kwargs("COLLECT")["name"] == contents.APP_NAME
    assert (ROOT / "build" / "MajicFlux.ico").is_file()
    # build tools dropped after analysis
    assert [b[0] for b in namespace["a"].binaries] == ["libc10.so"]


@pytest.mark.slow
def test_the_spec_carries_resources_translations_and_what_diffsynth_imports_by_name(
    spec_run: tuple[Recorder, dict[str, Any]],
) -> None:
    recorder, _ = spec_run
    analysis = recorder.kwargs("Analysis")
    bundled = {(Path(source).name, target) for source, target in analysis["datas"]}
    for name in ("icon.png", "icon.svg"):
        assert (name, "resources") in bundled
    for name in ("majicflux_zh_CN.qm", "majicflux_en.qm", "majicflux_zh_CN.ts"):
        assert (name, "resources/i18n") in bundled
    # the tokenizers shipped with the app, with their licences, where tokenizer_folders looks
    tokenizers = ROOT / "majicflux_desktop" / "resources" / "tokenizers"
    carried = {(Path(source), target) for source, target in analysis["datas"]}
    for folder, files in (
        ("clip", ("vocab.json", "merges.txt", "tokenizer_config.json", "LICENSE")),
        ("t5", ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "LICENSE")),
    ):
        for name in files:
            target = f"majicflux_desktop/resources/tokenizers/{folder}"
            assert (tokenizers / folder / name, target) in carried, (folder, name)
    from majicflux_desktop.engine import tokenizer_folders

    assert tokenizer_folders.SHIPPED["tokenizer_2"] == tokenizers / "t5"
    # importlib.metadata gives __version__ (an editable install's metadata is an .egg-info)
    assert any(re.fullmatch(r"majicflux_desktop.*\.(dist|egg)-info", name) for name, _ in bundled)
    hidden = set(analysis["hiddenimports"])
    for module in (
        "diffsynth.models.flux_dit",
        "diffsynth.models.flux_vae",
        "diffsynth.models.flux_text_encoder_t5",
        "diffsynth.utils.state_dict_converters.flux_dit",
        "diffsynth.utils.state_dict_converters.flux_vae",
        "majicflux_desktop.engine.tiny",
        "majicflux_desktop.selftest",
        "transformers.models.t5.modeling_t5",
    ):
        assert module in hidden, module
    operators = {Path(source).name for source, target in analysis["binaries"]}
    assert any(name.startswith("_C_stable") for name in operators)  # torchvision's operators
    excluded = set(analysis["excludes"])
    assert {"imageio_ffmpeg", "tkinter", "PySide6.QtNetwork"} <= excluded
    assert "transformers.models.t5" not in excluded and "transformers.models.llama" in excluded
    # compiled maths: Triton and what its launchers (and inductor's C++ backend) compile against
    assert not {"triton", "setuptools"} & excluded  # inductor's C++ backend imports setuptools
    assert any(re.fullmatch(r"triton-[\d.]+\.dist-info", name) for name, _ in bundled)  # backends
    import sysconfig

    headers = Path(sysconfig.get_paths()["include"]).relative_to(sys.base_prefix).as_posix()
    assert ("Python.h", headers) in bundled  # include/python3.11, or Include on Windows
    assert ("ptxas.exe" if sys.platform == "win32" else "ptxas", "triton/backends/nvidia/bin") in (
        bundled
    )
    assert ("cpp_prefix.h", "torch/include/torch/csrc/inductor") in bundled
    modes = analysis["module_collection_mode"]
    assert modes["majicflux_desktop.engine.toolchain"] == "pyz+py"  # the probe kernel's source


@pytest.mark.slow
def test_the_app_runs_with_every_excluded_module_absent(tmp_path: Path) -> None:
    # The frozen app meets the exclusions as missing modules; this finds a new import of one in
    # seconds instead of after a bundle build.
    absent = ",".join(contents.excludes())
    env = subprocess_env()
    env.pop("QT_QPA_PLATFORM")
    run = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("without_modules.py")),
            absent,
            "--",
            "--self-test",
            "--data-dir",
            str(tmp_path),
        ],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "PASSED" in run.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="binutils' strip: the Linux bundle")
def test_libtriton_ships_without_its_debug_information(tmp_path: Path) -> None:
    source = tmp_path / "lib.c"
    source.write_text("int answer(void) { return 42; }\n")
    library = tmp_path / "libtriton.so"
    subprocess.run(["gcc", "-g3", "-shared", "-fPIC", str(source), "-o", str(library)], check=True)
    entry = ("triton/_C/libtriton.so", str(library), "BINARY")
    destination, copy, kind = contents.without_debug_info(entry, tmp_path / "work")
    assert (destination, kind) == (entry[0], entry[2]) and Path(copy) != library

    def sections(path: str | Path) -> str:
        return subprocess.run(
            ["readelf", "-S", str(path)], check=True, capture_output=True, text=True
        ).stdout

    assert ".debug_info" not in sections(copy) and ".dynsym" in sections(copy)  # symbols stay
    assert ".debug_info" in sections(library)
    other = ("torch/lib/libc10.so", str(library), "BINARY")
    assert contents.without_debug_info(other, tmp_path / "work") == other


def test_windows_version_resource_and_icon(tmp_path: Path) -> None:
    made: dict[str, Any] = {}

    def record(name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
            made.setdefault(name, []).append((args, kwargs))
            return (name, args, kwargs)

        return call

    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct")
    namespace = {n: record(n) for n in (*names, "VarFileInfo", "VarStruct")}
    eval(contents.windows_version_file("0.4.2"), namespace)
    assert made["FixedFileInfo"][0][1]["filevers"] == (0, 4, 2, 0)
    strings = dict(args for args, _ in made["StringStruct"])
    assert strings["ProductVersion"] == "0.4.2" and strings["OriginalFilename"] == "MajicFlux.exe"

    from PIL import Image

    ico = contents.make_ico(ROOT / "resources" / "icon.png", tmp_path / "app.ico")
    with Image.open(ico) as image:
        assert (256, 256) in image.info["sizes"] and (16, 16) in image.info["sizes"]

"""Start-up: the window comes before torch; translations compile from the .ts sources."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ui_helpers import make_data_dir

from helpers import subprocess_env
from majicflux_desktop.ui.common import translations
from majicflux_desktop.ui.common.resources import translations_dir

SHOW_WINDOW_WITHOUT_TORCH = """
import sys
from PySide6.QtWidgets import QApplication
from majicflux_desktop.app import DesktopApp, Options
from majicflux_desktop.core.paths import AppPaths
app = QApplication([])
desktop = DesktopApp(app, AppPaths.portable(sys.argv[1]), Options(demo=True, device="cpu"))
window = desktop.start()
app.processEvents()
print("visible", window.isVisible(), "torch", "torch" in sys.modules, "diffsynth", "diffsynth" in sys.modules)
desktop.shutdown()
"""


def test_the_window_shows_before_torch_is_imported(tmp_path: Path, tiny_models: Path) -> None:
    folder = make_data_dir(tmp_path / "data", tiny_models)
    run = subprocess.run(
        [sys.executable, "-c", SHOW_WINDOW_WITHOUT_TORCH, str(folder)],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "visible True torch False diffsynth False" in run.stdout, run.stderr


def test_help_needs_no_qt() -> None:
    code = "import sys; from majicflux_desktop.__main__ import main\ntry: main(['--help'])\nexcept SystemExit: pass\nprint('qt', 'PySide6.QtWidgets' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "--data-dir" in run.stdout and "--demo" in run.stdout and "qt False" in run.stdout


def test_every_chinese_translation_is_filled_and_keeps_its_placeholders() -> None:
    import re

    table = translations.read_ts(translations_dir() / "majicflux_zh_CN.ts")
    assert len(table) > 300
    for (context, source), text in table.items():
        assert text.strip(), (context, source)
        assert sorted(re.findall(r"\{[^}]*\}", source)) == sorted(re.findall(r"\{[^}]*\}", text))
    assert table[("PromptPanel", "Generate")] == "开始生成"
    assert table[("request", "The prompt is empty. Describe the image you want.")]


def test_ts_compiles_to_qm_in_the_cache(tmp_path: Path) -> None:
    ts = translations_dir() / "majicflux_zh_CN.ts"
    qm = translations.compiled_qm(ts, tmp_path)
    assert qm is not None and qm.stat().st_size > 1000
    assert translations.compiled_qm(ts, tmp_path) == qm  # no second compile needed


def test_reading_ts_directly_keeps_untranslated_text(qapp) -> None:
    # The fallback when no .qm can be compiled (a frozen app without lrelease): English entries
    # are "unfinished" on purpose and must show their source text, never an empty string.
    from PySide6.QtCore import QCoreApplication

    translator = translations.TsTranslator(translations_dir() / "majicflux_en.ts")
    QCoreApplication.instance().installTranslator(translator)
    try:
        text = "Out of GPU memory with the {old} plan; switched to {new}, which uses less memory and is slower."
        assert QCoreApplication.translate("engine", text) == text
    finally:
        QCoreApplication.instance().removeTranslator(translator)


def start_app(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The app as a double-click starts it (offscreen), the error dialog replaced by its line."""
    return subprocess.run(
        [sys.executable, "-m", "majicflux_desktop", *args],
        env=subprocess_env(MAJICFLUX_NO_DIALOG="1", **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_data_folder_that_is_a_file_is_named_with_the_fix(tmp_path: Path) -> None:
    blocker = tmp_path / "MajicFlux data"
    blocker.write_text("not a folder")
    run = start_app("--data-dir", str(blocker))
    assert run.returncode == 1
    assert f"{blocker} is a file" in run.stderr and "Rename or move that file" in run.stderr
    assert "Traceback" not in run.stderr
    assert blocker.read_text() == "not a folder"  # left as it was


def test_the_default_data_folder_blocked_by_a_file_is_named_too(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".local/share").mkdir(parents=True)
    (home / ".local/share/MajicFlux").write_text("a file where the data folder goes")
    run = start_app(HOME=str(home), XDG_DATA_HOME=str(home / ".local/share"))
    assert run.returncode == 1
    assert str(home / ".local/share/MajicFlux") in run.stderr and "--data-dir" in run.stderr
    assert "Traceback" not in run.stderr

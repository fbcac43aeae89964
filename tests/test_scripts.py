"""scripts/app, run for real over a copy of the project with a stand-in Python and ldconfig."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
LINUX = pytest.mark.skipif(
    sys.platform != "linux",
    reason="the check is for Linux",
)

FAKE_PYTHON = """#!/usr/bin/env bash
# .venv/bin/python: records pip runs and installs a stand-in app; anything else is real Python
here="$(cd "$(dirname "$0")" && pwd)"
if [ "$1 $2" = "-m pip" ]; then
    echo "pip $*" >> "$here/../../pip.log"
    printf '#!/usr/bin/env bash\\necho "app started: $*"\\n' > "$here/majicflux-desktop"
    chmod +x "$here/majicflux-desktop"
    exit 0
fi
exec python3 "$@"
"""


def executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "app", root / "scripts" / "app")
    shutil.copy2(ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copy2(ROOT / "constraints.txt", root / "constraints.txt")
    executable(root / ".venv" / "bin" / "python", FAKE_PYTHON)
    return root


def run_app(project: Path, tmp_path: Path, libraries: list[str], **env: str) -> subprocess.CompletedProcess[str]:  # fmt: skip
    listing = "".join(f"\t{name} (libc6,x86-64) => /usr/lib/{name}\n" for name in libraries)
    fake_bin = tmp_path / "bin"
    executable(fake_bin / "ldconfig", f"#!/usr/bin/env bash\nprintf '%s' '{listing}'\n")
    environment = {**os.environ, "PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}", **env}
    environment.pop("QT_QPA_PLATFORM", None)
    environment.update(env)
    return subprocess.run(
        ["bash", str(project / "scripts" / "app"), "--demo"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def pip_runs(project: Path) -> int:
    log = project / "pip.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


ALL = ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"]


def test_pip_runs_once_and_again_only_when_the_requirements_change(
    project: Path, tmp_path: Path
) -> None:
    first = run_app(project, tmp_path, ALL)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "app started: --demo"
    assert pip_runs(project) == 1
    assert "installing MajicFlux and its dependencies" in first.stderr  # not minutes of silence
    assert "pip install --disable-pip-version-check --progress-bar on" in (project / "pip.log").read_text()  # fmt: skip
    second = run_app(project, tmp_path, ALL)
    assert second.returncode == 0 and second.stdout.strip() == "app started: --demo"
    assert pip_runs(project) == 1 and second.stderr == ""  # nothing changed: no pip
    with open(project / "constraints.txt", "a") as constraints:
        constraints.write("pillow==12.0.0\n")
    third = run_app(project, tmp_path, ALL)
    assert pip_runs(project) == 2 and "constraints.txt changed" in third.stderr
    (project / ".venv" / "bin" / "majicflux-desktop").unlink()  # an install cut short
    run_app(project, tmp_path, ALL)
    assert pip_runs(project) == 3


@LINUX
def test_missing_qt_libraries_are_named(project: Path, tmp_path: Path) -> None:
    run = run_app(project, tmp_path, ["libxcb-icccm.so.4"])
    assert run.returncode == 0 and "app started" in run.stdout  # a warning: Wayland may still work
    assert "missing: libxcb-cursor0 libxcb-keysyms1" in run.stderr
    assert "sudo apt install libxcb-cursor0 libxcb-keysyms1" in run.stderr
    assert "libxcb-icccm4" not in run.stderr
    complete = run_app(project, tmp_path, ALL)
    assert "missing" not in complete.stderr
    offscreen = run_app(project, tmp_path, [], QT_QPA_PLATFORM="offscreen")
    assert "missing" not in offscreen.stderr  # no window, no xcb

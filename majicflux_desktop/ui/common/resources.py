"""Where the app's resources (icon, translations) are: the source tree, or a frozen bundle.

A PyInstaller build carries `resources/` as data files (packaging/majicflux.spec): a one-folder
build unpacks nothing and puts them in its contents folder, which is `sys._MEIPASS`
(`_internal/` beside the executable since PyInstaller 6, the executable's own folder before).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtGui import QIcon

from majicflux_desktop.core.paths import is_frozen

_SOURCE_TREE = Path(__file__).resolve().parents[3] / "resources"


def bundle_dirs() -> list[Path]:
    """The frozen app's contents folders, most likely first; empty when running from source."""
    if not is_frozen():
        return []
    folders = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        folders.append(Path(bundle))
    executable = Path(sys.executable).resolve().parent
    folders += [executable / "_internal", executable]
    return folders


def resources_dir() -> Path:
    override = os.environ.get("MAJICFLUX_RESOURCES")
    candidates = [Path(override)] if override else []
    candidates += [folder / "resources" for folder in bundle_dirs()]
    candidates.append(_SOURCE_TREE)
    return next((c for c in candidates if c.is_dir()), _SOURCE_TREE)


def translations_dir() -> Path:
    return resources_dir() / "i18n"


def app_icon() -> QIcon:
    icon = QIcon()
    for name in ("icon.svg", "icon.png"):
        path = resources_dir() / name
        if path.is_file():
            icon.addFile(str(path))
    return icon

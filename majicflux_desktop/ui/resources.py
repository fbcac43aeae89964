"""Where the app's resources (icon, translations) are: the source tree, or a frozen bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtGui import QIcon

_SOURCE_TREE = Path(__file__).resolve().parents[2] / "resources"


def resources_dir() -> Path:
    override = os.environ.get("MAJICFLUX_RESOURCES")
    candidates = [Path(override)] if override else []
    bundle = getattr(sys, "_MEIPASS", None)  # PyInstaller unpacks data files here
    if bundle:
        candidates.append(Path(bundle) / "resources")
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

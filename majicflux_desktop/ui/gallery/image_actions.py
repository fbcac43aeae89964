"""What the gallery and the image view both do with one image: copy, show in its folder, export."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QCoreApplication, QProcess, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.library import ImageRecord
from majicflux_desktop.core.metadata import encode_png
from majicflux_desktop.core.paths import atomic_write_bytes

translate = QCoreApplication.translate


def copy_seed(record: ImageRecord) -> str:
    """Put the seed on the clipboard; returns the status line that says so."""
    QGuiApplication.clipboard().setText(str(record.seed))
    return translate("RecordActions", "Seed {seed} copied").format(seed=record.seed)


def copy_prompt(record: ImageRecord) -> str:
    QGuiApplication.clipboard().setText(record.prompt)
    return translate("RecordActions", "Prompt copied")


def reveal_in_folder(path: Path) -> bool:
    """Open the file's folder in the system's file manager, with the file selected where it can be.

    Windows Explorer and the macOS Finder can select a file; on Linux the folder opens (file
    managers disagree on how to be asked for more).
    """
    if path.exists():
        if sys.platform == "win32":
            native = os.path.normpath(path)
            started, _ = QProcess.startDetached("explorer.exe", ["/select,", native])
            if started:
                return True
        elif sys.platform == "darwin":
            started, _ = QProcess.startDetached("open", ["-R", str(path)])
            if started:
                return True
    folder = path.parent if path.parent.exists() else path.parent.parent
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def open_folder_message(record: ImageRecord) -> str:
    """Show the image's folder; returns a status line if that failed."""
    if not record.file.exists():
        return translate(
            "RecordActions",
            "The file “{path}” is missing: it was moved or deleted outside the app.",
        ).format(path=record.file)
    if reveal_in_folder(record.file):
        return ""
    return translate("RecordActions", "Could not open the folder “{folder}”.").format(
        folder=record.file.parent
    )


def export_without_metadata(parent: QWidget | None, record: ImageRecord) -> str:
    """Ask where, then write a copy of the image with no text chunks; returns a status line.

    The copy carries no prompt, seed or model: for sharing an image without its recipe.
    """
    suggested = record.file.with_name(f"{record.file.stem}-export.png")
    chosen, _ = QFileDialog.getSaveFileName(
        parent,
        translate("RecordActions", "Export without metadata"),
        str(suggested),
        translate("RecordActions", "PNG image (*.png)"),
    )
    if not chosen:
        return ""
    target = Path(chosen)
    if target.suffix.lower() != ".png":
        target = target.with_name(target.name + ".png")
    try:
        write_without_metadata(record.file, target)
    except (OSError, ValueError, UserError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return translate(
            "RecordActions",
            "Could not export to “{path}” ({reason}). Choose another folder or free some space.",
        ).format(path=target, reason=reason)
    return translate("RecordActions", "Exported without metadata to “{path}”").format(path=target)


def write_without_metadata(source: Path, target: Path) -> None:
    with Image.open(source) as image:
        image.load()
        data = encode_png(image, None)
    atomic_write_bytes(target, data)

"""Settings ▸ LoRA folders: the folders besides the models folder's own `loras` where LoRA files are
looked for, and the LoRA folders of a ComfyUI or Forge install that Model setup already knows.

Creators who use ComfyUI or Forge keep gigabytes of LoRAs there; using them in place saves copying
them (and the disk space twice over).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.engine.loras import LORA_FOLDER_NAMES


@dataclass(frozen=True)
class InstallFolder:
    """A LoRA folder of another app's install."""

    app: str  # "ComfyUI", "Forge / A1111"
    folder: Path


def _key(path: Path) -> str:
    return os.path.normcase(os.path.realpath(path))


def _install_kind(root: Path) -> str | None:
    if (root / "comfy").is_dir():
        return "ComfyUI"
    if (root / "webui.py").is_file() or (root / "modules").is_dir():
        return "Forge / A1111"
    return None


def install_lora_folders(
    model_files: Mapping[str, Sequence[Path]], exclude: Iterable[Path] = ()
) -> list[InstallFolder]:
    """The LoRA folders of the ComfyUI and Forge installs whose model files Model setup chose:
    ComfyUI's `models/loras`, Forge's and A1111's `models/Lora`, when they exist."""
    seen = {_key(path) for path in exclude}
    found: list[InstallFolder] = []
    for files in model_files.values():
        for file in files:
            models = next((p for p in Path(file).parents if p.name.casefold() == "models"), None)
            if models is None:
                continue
            kind = _install_kind(models.parent)
            names = {"ComfyUI": ("loras",), "Forge / A1111": ("Lora",)}.get(kind or "", ("loras", "Lora"))  # fmt: skip
            for name in names:
                folder = models / name
                if folder.is_dir() and _key(folder) not in seen:
                    seen.add(_key(folder))
                    found.append(InstallFolder(kind or ("ComfyUI" if name == "loras" else "Forge / A1111"), folder))  # fmt: skip
    return found


class LoraFolderList(QWidget):
    def __init__(
        self,
        folders: Sequence[Path],
        models_dir: Path,
        model_files: Mapping[str, Sequence[Path]],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setMaximumHeight(96)
        for folder in folders:
            self._add_item(folder)
        self.add_button = QPushButton(self.tr("Add folder…"))
        self.add_button.clicked.connect(self._browse)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.currentRowChanged.connect(lambda row: self.remove_button.setEnabled(row >= 0))
        self.remove_button.setEnabled(False)
        own = ", ".join(str(models_dir / name) for name in LORA_FOLDER_NAMES[:2])
        note = QLabel(
            self.tr(
                "Always looked in: {folders}. Add the LoRA folders of other apps here to use "
                "their LoRAs where they are."
            ).format(folders=own)
        )
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        note.setEnabled(False)
        exclude = [models_dir / name for name in LORA_FOLDER_NAMES]
        self.suggestions = install_lora_folders(model_files, exclude)
        self.offer_buttons: dict[Path, QPushButton] = {}
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        for suggestion in self.suggestions:
            layout.addLayout(self._offer(suggestion))
        layout.addWidget(note)
        self._update_offers()

    def folders(self) -> tuple[Path, ...]:
        return tuple(
            Path(self.list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.list.count())
        )

    def add_folder(self, folder: Path) -> None:
        if _key(folder) not in {_key(f) for f in self.folders()}:
            self._add_item(folder)
        self._update_offers()

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
        self._update_offers()

    def _add_item(self, folder: Path) -> None:
        item = QListWidgetItem(str(folder))
        item.setData(Qt.ItemDataRole.UserRole, str(folder))
        if not folder.is_dir():
            item.setToolTip(self.tr("This folder does not exist (now): no LoRA is found there."))
            item.setForeground(Qt.GlobalColor.gray)
        self.list.addItem(item)

    def _offer(self, suggestion: InstallFolder) -> QHBoxLayout:
        label = QLabel(
            self.tr("{app} install: {folder}").format(app=suggestion.app, folder=suggestion.folder)
        )
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        button = QPushButton(self.tr("Use these LoRAs"))
        button.setToolTip(
            self.tr("Look for LoRAs in this folder too; the files stay where they are")
        )
        button.clicked.connect(lambda: self.add_folder(suggestion.folder))
        self.offer_buttons[suggestion.folder] = button
        row = QHBoxLayout()
        row.addWidget(label, 1)
        row.addWidget(button)
        return row

    def _update_offers(self) -> None:
        chosen = {_key(f) for f in self.folders()}
        for folder, button in self.offer_buttons.items():
            used = _key(folder) in chosen
            button.setEnabled(not used)
            button.setText(self.tr("Added") if used else self.tr("Use these LoRAs"))

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a LoRA folder"))
        if folder:
            self.add_folder(Path(folder))

"""Settings: language, theme, folders, LoRA folders, memory plan and VRAM budget, float8 maths,
default parameters."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.request import (
    MAX_CFG,
    MAX_COUNT,
    MAX_GUIDANCE,
    MAX_STEPS,
    MIN_CFG,
    MIN_COUNT,
    MIN_GUIDANCE,
    MIN_STEPS,
)
from majicflux_desktop.core.settings import (
    ASPECT_RATIOS,
    MAX_VRAM_BUDGET_GB,
    MEMORY_PLANS,
    GenerationDefaults,
    Settings,
)
from majicflux_desktop.engine import memory
from majicflux_desktop.ui.common.plain_text import plain_tooltip
from majicflux_desktop.ui.common.translations import LANGUAGE_NAMES
from majicflux_desktop.ui.generate.size_picker import LONG_SIDES
from majicflux_desktop.ui.window.lora_folder_list import LoraFolderList


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self._settings = settings
        self.language = QComboBox()
        self.language.addItem(self.tr("Same as the system"), "auto")
        for code, name in LANGUAGE_NAMES.items():
            self.language.addItem(name, code)
        self.theme = QComboBox()
        self.theme.addItem(self.tr("Dark"), "dark")
        self.theme.addItem(self.tr("Light"), "light")
        self.output_dir = QLineEdit(str(settings.output_dir))
        self.models_dir = QLineEdit(str(settings.models_dir))
        self.plan = QComboBox()
        for name in MEMORY_PLANS:
            self.plan.addItem(
                self.tr("auto (the fastest that fits)") if name == "auto" else name, name
            )
            if name in memory.PLANS:
                summary = QCoreApplication.translate("plan", memory.PLANS[name].summary)
                self.plan.setItemData(self.plan.count() - 1, summary, Qt.ItemDataRole.ToolTipRole)
        self.auto_budget = QCheckBox(self.tr("Automatic (what the card has free)"))
        self.budget = QDoubleSpinBox()
        self.budget.setRange(0.5, MAX_VRAM_BUDGET_GB)
        self.budget.setSuffix(" GB")
        self.budget.setDecimals(1)
        self.budget.setToolTip(
            self.tr("How much GPU memory the fp8 and fp8-stream plans may use for model weights.")
        )
        self.auto_budget.toggled.connect(lambda auto: self.budget.setEnabled(not auto))
        self.fp8_matmul = QComboBox()
        self.fp8_matmul.addItem(self.tr("auto (where the GPU supports it)"), "auto")
        self.fp8_matmul.addItem(self.tr("off (always compute in bf16)"), "off")
        self.fp8_matmul.setToolTip(
            self.tr(
                "Float8 maths multiplies in float8 on GPUs that can (RTX 40xx, H100): faster, "
                "with a very small change in the images. Off computes in bf16."
            )
        )
        self.compiled_maths = QComboBox()
        self.compiled_maths.addItem(self.tr("auto (NVIDIA GPUs where the compiler works)"), "auto")
        self.compiled_maths.addItem(self.tr("off (never compile)"), "off")
        self.compiled_maths.setToolTip(  # rich text, so that Chinese wraps too
            plain_tooltip(
                self.tr(
                    "Compiled maths fuse the transformer's small steps into fewer GPU kernels: "
                    "about 1.8 times as fast where the model stays on the GPU (measured on an "
                    "H200), less where its blocks stream from RAM. The first image of each size "
                    "compiles once on this PC (tens of seconds); later ones, after a restart too, "
                    "reuse it. Images with LoRAs compile once more, and switching LoRAs then "
                    "compiles nothing; LoKr, LoHa or DoRA layers inside the transformer's blocks "
                    "make an image run uncompiled."
                )
            )
        )
        self.lora_folders = LoraFolderList(
            settings.lora_folders, settings.models_dir, settings.model_files
        )
        self._build_defaults(settings.generation)
        self._lay_out()
        self._show(settings)

    def _build_defaults(self, defaults: GenerationDefaults) -> None:
        self.steps = QSpinBox()
        self.steps.setRange(MIN_STEPS, MAX_STEPS)
        self.aspect = QComboBox()
        for aspect in ASPECT_RATIOS:
            self.aspect.addItem(aspect, aspect)
        self.long_side = QComboBox()
        for side in LONG_SIDES:
            self.long_side.addItem(str(side), side)
        self.guidance = QDoubleSpinBox()
        self.guidance.setRange(MIN_GUIDANCE, MAX_GUIDANCE)
        self.guidance.setSingleStep(0.5)
        self.cfg = QDoubleSpinBox()
        self.cfg.setRange(MIN_CFG, MAX_CFG)
        self.cfg.setSingleStep(0.5)
        self.count = QSpinBox()
        self.count.setRange(MIN_COUNT, MAX_COUNT)

    def _lay_out(self) -> None:
        general = QFormLayout()
        general.addRow(self.tr("Language"), self.language)
        general.addRow(self.tr("Theme"), self.theme)
        general.addRow(self.tr("Output folder"), self._folder_row(self.output_dir))
        note = QLabel(self.tr("A new output folder is used after a restart."))
        note.setEnabled(False)
        general.addRow("", note)
        models = QFormLayout()
        models.addRow(self.tr("Models folder"), self._folder_row(self.models_dir))
        models.addRow(self.tr("Memory plan"), self.plan)
        budget_row = QHBoxLayout()
        budget_row.addWidget(self.auto_budget)
        budget_row.addWidget(self.budget)
        models.addRow(self.tr("VRAM budget"), budget_row)
        models.addRow(self.tr("Float8 maths"), self.fp8_matmul)
        models.addRow(self.tr("Compiled maths"), self.compiled_maths)
        defaults = QFormLayout()
        defaults.addRow(self.tr("Steps"), self.steps)
        size_row = QHBoxLayout()
        size_row.addWidget(self.aspect)
        size_row.addWidget(self.long_side)
        defaults.addRow(self.tr("Size"), size_row)
        defaults.addRow(self.tr("Guidance"), self.guidance)
        defaults.addRow(self.tr("CFG scale"), self.cfg)
        defaults.addRow(self.tr("Count"), self.count)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        loras = QVBoxLayout()
        loras.addWidget(self.lora_folders)
        for title, form in (
            (self.tr("General"), general),
            (self.tr("Models and GPU memory"), models),
            (self.tr("LoRA folders"), loras),
            (self.tr("Default parameters"), defaults),
        ):
            box = QGroupBox(title)
            box.setLayout(form)
            layout.addWidget(box)
        layout.addWidget(buttons)

    def _folder_row(self, line: QLineEdit) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(line, 1)
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(lambda: self._browse(line))
        row.addWidget(browse)
        return row

    def _browse(self, line: QLineEdit) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder"), line.text())
        if folder:
            line.setText(folder)

    def _show(self, s: Settings) -> None:
        _select(self.language, s.language)
        _select(self.theme, s.theme)
        _select(self.plan, s.memory_plan)
        self.auto_budget.setChecked(s.vram_budget_gb is None)
        self.budget.setValue(s.vram_budget_gb or 8.0)
        self.budget.setEnabled(s.vram_budget_gb is not None)
        _select(self.fp8_matmul, s.fp8_matmul)
        _select(self.compiled_maths, s.compiled_maths)
        g = s.generation
        self.steps.setValue(g.steps)
        _select(self.aspect, g.aspect_ratio)
        _select(self.long_side, g.long_side)
        self.guidance.setValue(g.guidance)
        self.cfg.setValue(g.cfg_scale)
        self.count.setValue(g.count)

    def result_settings(self, current: Settings) -> Settings:
        """`current` (the settings as they are now) with what the user changed in the dialog.

        Only the fields edited here are taken: anything else that changed while the dialog was
        open (Model setup finishing a download, the seed lock) is kept, not reverted to the
        copy the dialog was opened with.
        """
        shown = self._settings
        generation = GenerationDefaults(
            steps=self.steps.value(),
            aspect_ratio=str(self.aspect.currentData()),
            long_side=int(self.long_side.currentData()),
            guidance=self.guidance.value(),
            cfg_scale=self.cfg.value(),
            count=self.count.value(),
        )
        edited = dataclasses.replace(
            shown,
            language=str(self.language.currentData()),
            theme=str(self.theme.currentData()),
            output_dir=_folder(self.output_dir, shown.output_dir),
            models_dir=_folder(self.models_dir, shown.models_dir),
            memory_plan=str(self.plan.currentData()),
            vram_budget_gb=None if self.auto_budget.isChecked() else self.budget.value(),
            fp8_matmul=str(self.fp8_matmul.currentData()),
            compiled_maths=str(self.compiled_maths.currentData()),
            generation=generation,
            lora_folders=self.lora_folders.folders(),
        )
        changes = {
            f.name: getattr(edited, f.name)
            for f in dataclasses.fields(edited)
            if getattr(edited, f.name) != getattr(shown, f.name)
        }
        return dataclasses.replace(current, **changes)


def _select(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)


def _folder(line: QLineEdit, fallback: Path) -> Path:
    text = line.text().strip()
    return Path(text).expanduser() if text else fallback

"""Image size: an aspect ratio at a chosen long side, or a custom width × height snapped to 16."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from majicflux_desktop.core.edit import MAX_SIDE, MIN_SIDE, SIDE_STEP, snap_to_step
from majicflux_desktop.core.settings import ASPECT_RATIOS

LONG_SIDES = (512, 768, 1024, 1280, 1536, 2048)
CUSTOM = "custom"


def preset_size(aspect: str, long_side: int) -> tuple[int, int]:
    a, b = (int(part) for part in aspect.split(":"))
    if a >= b:
        return snap_to_step(long_side), snap_to_step(round(long_side * b / a))
    return snap_to_step(round(long_side * a / b)), snap_to_step(long_side)


def find_preset(width: int, height: int) -> tuple[str, int] | None:
    for aspect in ASPECT_RATIOS:
        for long_side in LONG_SIDES:
            if preset_size(aspect, long_side) == (width, height):
                return aspect, long_side
    return None


@dataclass(frozen=True)
class SizeState:
    aspect: str  # an aspect ratio, or "custom"
    long_side: int
    width: int
    height: int


class SizePicker(QWidget):
    size_changed = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.aspect = QComboBox()
        for aspect in ASPECT_RATIOS:
            self.aspect.addItem(aspect, aspect)
        self.aspect.addItem(self.tr("Custom"), CUSTOM)
        self.aspect.setToolTip(self.tr("Aspect ratio (width : height)"))
        self.long_side = QComboBox()
        for side in LONG_SIDES:
            self.long_side.addItem(str(side), side)
        self.long_side.setToolTip(
            self.tr("Long side in pixels. 1024 is what the model knows best; larger is slower.")
        )
        self.width_spin, self.height_spin = self._side_spin(), self._side_spin()
        self.width_spin.setToolTip(self.tr("Width in pixels (a multiple of 16)"))
        self.height_spin.setToolTip(self.tr("Height in pixels (a multiple of 16)"))
        presets = QHBoxLayout()
        presets.setContentsMargins(0, 0, 0, 0)
        presets.addWidget(self.aspect, 1)
        presets.addWidget(self.long_side, 1)
        custom = QHBoxLayout()
        custom.setContentsMargins(0, 0, 0, 0)
        custom.addWidget(self.width_spin, 1)
        custom.addWidget(QLabel("×"))
        custom.addWidget(self.height_spin, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(presets)
        layout.addLayout(custom)
        self.aspect.currentIndexChanged.connect(self._preset_changed)
        self.long_side.currentIndexChanged.connect(self._preset_changed)
        self.width_spin.valueChanged.connect(self._custom_edited)
        self.height_spin.valueChanged.connect(self._custom_edited)
        self.set_preset("1:1", 1024)

    def _side_spin(self) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(MIN_SIDE, MAX_SIDE)
        spin.setSingleStep(SIDE_STEP)
        spin.setSuffix(" px")
        spin.setKeyboardTracking(False)
        return spin

    def image_size(self) -> tuple[int, int]:
        return self.width_spin.value(), self.height_spin.value()

    def preset(self) -> tuple[str, int]:
        """The aspect ratio ("custom" if none) and the long side."""
        return str(self.aspect.currentData()), int(self.long_side.currentData())

    def state(self) -> SizeState:
        return SizeState(*self.preset(), *self.image_size())

    def restore(self, state: SizeState) -> None:
        """Show exactly this: the same choice of ratio and long side, or the custom size."""
        self._select(self.long_side, state.long_side)
        if state.aspect == CUSTOM:
            self._select(self.aspect, CUSTOM)
            self.long_side.setEnabled(False)
            self._show(state.width, state.height)
        else:
            self.set_preset(state.aspect, state.long_side)

    def set_preset(self, aspect: str, long_side: int) -> None:
        self._select(self.aspect, aspect)
        self._select(self.long_side, long_side)
        self._preset_changed()

    def set_size(self, width: int, height: int) -> None:
        """Show a size: as its preset if it is one, else as a custom size."""
        width, height = snap_to_step(width), snap_to_step(height)
        preset = find_preset(width, height)
        if preset is not None:
            self.set_preset(*preset)
            return
        self._select(self.aspect, CUSTOM)
        self._show(width, height)

    def _select(self, combo: QComboBox, data: object) -> None:
        index = combo.findData(data)
        if index >= 0:
            combo.blockSignals(True)
            combo.setCurrentIndex(index)
            combo.blockSignals(False)

    def _preset_changed(self) -> None:
        aspect, long_side = self.preset()
        self.long_side.setEnabled(aspect != CUSTOM)
        if aspect != CUSTOM:
            self._show(*preset_size(aspect, long_side))

    def _custom_edited(self) -> None:
        width = snap_to_step(self.width_spin.value())
        height = snap_to_step(self.height_spin.value())
        preset = find_preset(width, height)
        if preset is None:
            self._select(self.aspect, CUSTOM)
            self.long_side.setEnabled(False)
        else:
            self._select(self.aspect, preset[0])
            self._select(self.long_side, preset[1])
            self.long_side.setEnabled(True)
        self._show(width, height)

    def _show(self, width: int, height: int) -> None:
        for spin, value in ((self.width_spin, width), (self.height_spin, height)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.size_changed.emit(width, height)

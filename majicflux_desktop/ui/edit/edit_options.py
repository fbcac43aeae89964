"""The settings of an edit: the mode, and for each mode only the controls that act in it.

Strength starts at the mode's default (`default_strength`) and follows the mode until the user
sets it; from then on it stays as set (↺ gives the default back).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.edit import (
    MAX_FEATHER,
    MAX_OUTPAINT,
    MAX_PADDING,
    MAX_STRENGTH,
    MIN_STRENGTH,
    UPSCALE_FACTORS,
    EditMode,
    InpaintArea,
    Resize,
)
from majicflux_desktop.core.edit_sizes import default_strength
from majicflux_desktop.ui.edit.style import CHOICE_BUTTONS

OUTPAINT_STEP = 64
OUTPAINT_QUICK = 256  # the "+256 on every side" button
STRENGTH_SCALE = 100  # the slider moves in hundredths


@dataclass(frozen=True)
class EditOptions:
    """Everything of an edit except its pictures."""

    mode: EditMode = EditMode.IMAGE_TO_IMAGE
    strength: float | None = None  # None: the mode's usual strength (`default_strength`)
    resize: Resize = Resize.FIT
    area: InpaintArea = InpaintArea.MASKED
    padding: int = 32
    feather: int = 8
    outpaint: tuple[int, int, int, int] = (0, 0, 0, 0)
    upscale: float = 2.0


class ModeBar(QWidget):
    """The mode buttons in one row, or in two when the column is too narrow for one (English
    names are long; the prompt panel's column is about 320 pixels wide)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet(CHOICE_BUTTONS)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(2)
        self._buttons: list[QToolButton] = []
        self._columns = 0

    def add(self, button: QToolButton) -> None:
        self._buttons.append(button)
        self._arrange(len(self._buttons))

    def one_row_width(self) -> int:
        hints = sum(button.minimumSizeHint().width() for button in self._buttons)
        return hints + self._grid.spacing() * (len(self._buttons) - 1)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        widest_pair = max(
            (a.minimumSizeHint().width() + b.minimumSizeHint().width() + self._grid.spacing())
            for a, b in zip(self._buttons[::2], self._buttons[1::2], strict=False)
        )
        return QSize(min(hint.width(), widest_pair), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(len(self._buttons) if event.size().width() >= self.one_row_width() else 2)

    def rows(self) -> int:
        return math.ceil(len(self._buttons) / max(1, self._columns))

    def _arrange(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for index, button in enumerate(self._buttons):
            self._grid.removeWidget(button)
            self._grid.addWidget(button, index // columns, index % columns)


class EditOptionsForm(QWidget):
    options_changed = Signal(EditOptions)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._strength_set_by_user = False
        self._quiet = False  # while the form is filled from code: one signal at the end
        self._build()
        self.set_options(EditOptions())

    # -- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.mode_buttons = QButtonGroup(self)
        self.mode_row = ModeBar()
        names = {
            EditMode.IMAGE_TO_IMAGE: (
                self.tr("Image to image"),
                self.tr("Repaint the whole picture; strength says how much changes"),
            ),
            EditMode.INPAINT: (self.tr("Inpaint"), self.tr("Repaint only the part you paint")),
            EditMode.OUTPAINT: (
                self.tr("Outpaint"),
                self.tr("Make the picture larger: paint new surroundings beyond its edges"),
            ),
            EditMode.UPSCALE: (
                self.tr("Upscale"),
                self.tr("Make the picture larger with new fine detail (up to 2048 pixels)"),
            ),
        }
        for index, mode in enumerate(EditMode):
            text, tip = names[mode]
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.setCheckable(True)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            self.mode_buttons.addButton(button, index)
            self.mode_row.add(button)
        self.mode_buttons.idToggled.connect(self._mode_toggled)

        self.strength_slider = QSlider(Qt.Orientation.Horizontal)
        self.strength_slider.setRange(
            round(MIN_STRENGTH * STRENGTH_SCALE), round(MAX_STRENGTH * STRENGTH_SCALE)
        )
        self.strength_spin = QDoubleSpinBox()
        self.strength_spin.setRange(MIN_STRENGTH, MAX_STRENGTH)
        self.strength_spin.setDecimals(2)
        self.strength_spin.setSingleStep(0.05)
        self.strength_reset = QToolButton()
        self.strength_reset.setText("↺")
        self.strength_reset.setToolTip(self.tr("Back to this mode's usual strength"))
        strength_tip = self.tr(
            "How much is repainted: low keeps more of the picture, 1 repaints it completely. "
            "About strength × steps steps run."
        )
        for widget in (self.strength_slider, self.strength_spin):
            widget.setToolTip(strength_tip)
        self.strength_slider.valueChanged.connect(
            lambda value: self.strength_spin.setValue(value / STRENGTH_SCALE)
        )
        self.strength_spin.valueChanged.connect(self._strength_edited)
        self.strength_reset.clicked.connect(self.reset_strength)
        strength_row = QHBoxLayout()
        strength_row.addWidget(self.strength_slider, 1)
        strength_row.addWidget(self.strength_spin)
        strength_row.addWidget(self.strength_reset)

        self.resize_combo = QComboBox()
        resize_items = (
            (Resize.FIT, self.tr("Fit into the size"), self.tr("All of the picture, scaled into the chosen size")),
            (Resize.FILL, self.tr("Fill the size"), self.tr("The chosen size covered; the picture's edges cropped")),
            (Resize.KEEP, self.tr("Keep the picture's size"), self.tr("The picture's own size, rounded to 16 pixels")),
        )  # fmt: skip
        for value, text, tip in resize_items:
            self.resize_combo.addItem(text, value)
            self.resize_combo.setItemData(
                self.resize_combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole
            )
        self.area_combo = QComboBox()
        self.area_combo.addItem(self.tr("Masked area, full resolution"), InpaintArea.MASKED)
        self.area_combo.addItem(self.tr("Whole picture"), InpaintArea.WHOLE)
        self.area_combo.setToolTip(
            self.tr(
                "Masked area: only the part around the mask is generated, at its full "
                "resolution (best for small fixes in large pictures). Whole picture: the whole "
                "picture is generated at up to 2048 pixels and only the mask is kept."
            )
        )
        self.padding_spin = _pixels(MAX_PADDING, 8)
        self.padding_spin.setToolTip(
            self.tr("Context around the mask that the model sees when it repaints the masked area")
        )
        self.feather_spin = _pixels(MAX_FEATHER, 1)
        self.feather_spin.setToolTip(
            self.tr("Pixels over which the repainted part blends into the picture")
        )
        self.outpaint_spins = tuple(_pixels(MAX_OUTPAINT, OUTPAINT_STEP) for _ in range(4))
        side_names = (self.tr("Left"), self.tr("Top"), self.tr("Right"), self.tr("Bottom"))
        self.outpaint_sides = QWidget()
        sides = QGridLayout(self.outpaint_sides)
        sides.setContentsMargins(0, 0, 0, 0)
        for index, (spin, name) in enumerate(zip(self.outpaint_spins, side_names, strict=True)):
            spin.setToolTip(
                self.tr("Pixels added on this side (0–{limit})").format(limit=MAX_OUTPAINT)
            )
            sides.addWidget(QLabel(name), index // 2, (index % 2) * 2)
            sides.addWidget(spin, index // 2, (index % 2) * 2 + 1)
        self.outpaint_more = QPushButton(
            self.tr("+{pixels} on every side").format(pixels=OUTPAINT_QUICK)
        )
        self.outpaint_more.clicked.connect(self.grow_every_side)
        self.outpaint_reset = QPushButton(self.tr("None"))
        self.outpaint_reset.setToolTip(self.tr("Add nothing on any side"))
        self.outpaint_reset.clicked.connect(lambda: self._set_sides((0, 0, 0, 0)))
        sides.addWidget(self.outpaint_more, 2, 0, 1, 3)
        sides.addWidget(self.outpaint_reset, 2, 3)
        self.mask_slot = QWidget()  # the panel puts its mask controls here (inpainting only)
        self.mask_slot_layout = QVBoxLayout(self.mask_slot)
        self.mask_slot_layout.setContentsMargins(0, 0, 0, 0)
        self.upscale_combo = QComboBox()
        for factor in UPSCALE_FACTORS:
            self.upscale_combo.addItem(f"× {factor:g}", factor)
        self.upscale_combo.setToolTip(self.tr("Upscaling stops at 2048 pixels on the long side"))

        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.addRow(self.mode_row)
        self.form.addRow(self.tr("Strength"), strength_row)
        self.form.addRow(self.tr("Resize"), self.resize_combo)
        self.form.addRow(self.tr("Mask"), self.mask_slot)
        self.form.addRow(self.tr("Area"), self.area_combo)
        self.form.addRow(self.tr("Padding"), self.padding_spin)
        self.form.addRow(self.tr("Feather"), self.feather_spin)
        self.form.addRow(self.outpaint_sides)  # the full width: four sides need the room
        self.form.addRow(self.tr("Factor"), self.upscale_combo)
        self._rows: dict[str, QWidget] = {
            "resize": self.resize_combo,
            "mask": self.mask_slot,
            "area": self.area_combo,
            "padding": self.padding_spin,
            "feather": self.feather_spin,
            "outpaint": self.outpaint_sides,
            "upscale": self.upscale_combo,
        }
        for combo in (self.resize_combo, self.area_combo, self.upscale_combo):
            combo.currentIndexChanged.connect(self._edited)
        for spin in (self.padding_spin, self.feather_spin, *self.outpaint_spins):
            spin.valueChanged.connect(self._edited)

    # -- values ---------------------------------------------------------------------------------

    def options(self) -> EditOptions:
        return EditOptions(
            mode=list(EditMode)[max(0, self.mode_buttons.checkedId())],
            strength=round(self.strength_spin.value(), 2),
            resize=Resize(self.resize_combo.currentData()),
            area=InpaintArea(self.area_combo.currentData()),
            padding=self.padding_spin.value(),
            feather=self.feather_spin.value(),
            outpaint=(
                self.outpaint_spins[0].value(),
                self.outpaint_spins[1].value(),
                self.outpaint_spins[2].value(),
                self.outpaint_spins[3].value(),
            ),
            upscale=float(self.upscale_combo.currentData()),
        )

    def set_options(self, options: EditOptions, strength_set_by_user: bool | None = None) -> None:
        """Show these options. A strength counts as the user's choice (it stays when the mode
        changes) when told so, or, when not told, if it differs from the mode's default."""
        self._quiet = True
        self.mode_buttons.button(list(EditMode).index(options.mode)).setChecked(True)
        _select(self.resize_combo, options.resize)
        _select(self.area_combo, options.area)
        _select(self.upscale_combo, options.upscale)
        self.padding_spin.setValue(options.padding)
        self.feather_spin.setValue(options.feather)
        self._set_sides(options.outpaint)
        usual = default_strength(options.mode)
        strength = usual if options.strength is None else options.strength
        self._show_strength(strength)
        if strength_set_by_user is None:
            strength_set_by_user = strength != usual
        self._strength_set_by_user = strength_set_by_user
        self._quiet = False
        self._show_mode_rows()
        self._edited()

    def set_mode(self, mode: EditMode) -> None:
        self.mode_buttons.button(list(EditMode).index(mode)).setChecked(True)

    def set_feather(self, pixels: int) -> None:
        self.feather_spin.setValue(pixels)

    def strength_set_by_user(self) -> bool:
        return self._strength_set_by_user

    def reset_strength(self) -> None:
        self._show_strength(default_strength(self.options().mode))
        self._strength_set_by_user = False
        self._edited()

    def grow_every_side(self) -> None:
        sides = self.options().outpaint
        self._set_sides(tuple(min(MAX_OUTPAINT, side + OUTPAINT_QUICK) for side in sides))

    # -- reacting -------------------------------------------------------------------------------

    def _mode_toggled(self, _index: int, checked: bool) -> None:
        if not checked or self._quiet:
            return
        if not self._strength_set_by_user:
            self._show_strength(default_strength(self.options().mode))
        self._show_mode_rows()
        self._edited()

    def _strength_edited(self, value: float) -> None:
        self.strength_slider.blockSignals(True)
        self.strength_slider.setValue(round(value * STRENGTH_SCALE))
        self.strength_slider.blockSignals(False)
        if not self._quiet:
            self._strength_set_by_user = True
            self._edited()

    def _show_strength(self, value: float) -> None:
        quiet, self._quiet = self._quiet, True
        self.strength_spin.setValue(value)
        self._quiet = quiet

    def _set_sides(self, sides: tuple[int, ...]) -> None:
        quiet, self._quiet = self._quiet, True
        for spin, value in zip(self.outpaint_spins, sides, strict=True):
            spin.setValue(value)
        self._quiet = quiet
        self._edited()

    def _show_mode_rows(self) -> None:
        options = self.options()
        mode = options.mode
        shown = {
            "resize": mode is EditMode.IMAGE_TO_IMAGE,
            "mask": mode is EditMode.INPAINT,
            "area": mode is EditMode.INPAINT,
            "padding": mode is EditMode.INPAINT and options.area is InpaintArea.MASKED,
            "feather": mode in (EditMode.INPAINT, EditMode.OUTPAINT),
            "outpaint": mode is EditMode.OUTPAINT,
            "upscale": mode is EditMode.UPSCALE,
        }
        for name, field in self._rows.items():
            self.form.setRowVisible(field, shown[name])

    def row_visible(self, name: str) -> bool:
        """Whether the control named so ("resize", "mask", "area", "padding", "feather",
        "outpaint", "upscale") is shown in the current mode."""
        return not self._rows[name].isHidden()

    def _edited(self) -> None:
        if self._quiet:
            return
        self._show_mode_rows()
        self.options_changed.emit(self.options())


def _pixels(limit: int, step: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, limit)
    spin.setSingleStep(step)
    spin.setSuffix(" px")
    spin.setKeyboardTracking(False)
    return spin


def _select(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)

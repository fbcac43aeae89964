"""The dialog where a mask is painted: the painter, its tools, and OK only for a usable mask."""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QImage, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.edit import MAX_FEATHER
from majicflux_desktop.ui.common import theme
from majicflux_desktop.ui.common.background import run_in_background
from majicflux_desktop.ui.edit.mask_document import MAX_BRUSH, MIN_BRUSH, Tool
from majicflux_desktop.ui.edit.mask_image import mask_from_pil, mask_to_pil
from majicflux_desktop.ui.edit.mask_painter import MaskPainter
from majicflux_desktop.ui.edit.picture_files import error_text, image_filter, read_picture_file
from majicflux_desktop.ui.edit.style import CHOICE_BUTTONS

SLIDER_STEPS = 200  # the size slider is logarithmic: 1 to 1000 px with as much room for 5 as 500


def slider_position(diameter: int) -> int:
    share = math.log(diameter / MIN_BRUSH) / math.log(MAX_BRUSH / MIN_BRUSH)
    return round(share * SLIDER_STEPS)


def slider_diameter(position: int) -> int:
    return round(MIN_BRUSH * (MAX_BRUSH / MIN_BRUSH) ** (position / SLIDER_STEPS))


class MaskDialog(QDialog):
    def __init__(
        self,
        picture: QImage,
        mask: QImage | None = None,
        feather: int = 8,
        padding: int | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Paint the mask"))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint)
        self.setSizeGripEnabled(True)
        self.resize(1100, 780)
        self.painter = MaskPainter(picture, mask)
        self.painter.set_feather(feather)
        self.painter.set_crop_padding(padding)
        self._build_tools()
        self._build_bottom()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self.tools)
        layout.addWidget(self.painter, 1)
        layout.addWidget(self.hint)
        layout.addLayout(self.bottom)
        self.painter.brush_size_changed.connect(self._show_brush_size)
        self.painter.tool_changed.connect(self._show_tool)
        self.painter.mask_edited.connect(self._show_status)
        self.painter.zoom_changed.connect(lambda _zoom: self._show_status())
        self._show_brush_size(self.painter.brush_size())
        self._show_status()
        self.painter.setFocus()

    # -- building -------------------------------------------------------------------------------

    def _action(
        self, text: str, tip: str, keys: tuple[str, ...] = (), checkable: bool = False
    ) -> QAction:
        action = QAction(text, self)
        shortcuts = [QKeySequence(key) for key in keys]
        action.setShortcuts(shortcuts)
        shown = " / ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in shortcuts)
        action.setToolTip(f"{tip} ({shown})" if shown else tip)
        action.setCheckable(checkable)
        self.addAction(action)  # its shortcut works anywhere in the dialog
        return action

    def _button(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go on reaching the painter
        return button

    def _build_tools(self) -> None:
        self.brush_action = self._action(
            self.tr("Brush"), self.tr("Paint what is to be repainted"), ("B",), checkable=True
        )
        self.eraser_action = self._action(
            self.tr("Eraser"), self.tr("Take parts out of the mask"), ("E",), checkable=True
        )
        tools = QActionGroup(self)
        for action, tool in ((self.brush_action, Tool.BRUSH), (self.eraser_action, Tool.ERASER)):
            tools.addAction(action)
            action.triggered.connect(lambda _checked=False, t=tool: self.painter.set_tool(t))
        self.brush_action.setChecked(True)
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(0, SLIDER_STEPS)
        self.size_slider.setFixedWidth(140)
        self.size_slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.size_spin = QSpinBox()
        self.size_spin.setRange(MIN_BRUSH, MAX_BRUSH)
        self.size_spin.setSuffix(" px")
        size_tip = self.tr("Brush size in picture pixels ([ smaller, ] larger)")
        for widget in (self.size_slider, self.size_spin):
            widget.setToolTip(size_tip)
        self.size_slider.valueChanged.connect(
            lambda position: self.painter.set_brush_size(slider_diameter(position))
        )
        self.size_spin.valueChanged.connect(self.painter.set_brush_size)
        self.feather_spin = QSpinBox()
        self.feather_spin.setRange(0, MAX_FEATHER)
        self.feather_spin.setSuffix(" px")
        self.feather_spin.setValue(self.painter.feather())
        self.feather_spin.setToolTip(
            self.tr(
                "Feather: how many pixels around the mask blend the new picture into the old. "
                "The soft edge of the overlay shows it."
            )
        )
        self.feather_spin.valueChanged.connect(self.painter.set_feather)
        self.invert_action = self._action(
            self.tr("Invert"), self.tr("Repaint everything except what is painted"), ("Ctrl+I",)
        )
        self.invert_action.triggered.connect(self.painter.invert)
        self.clear_action = self._action(self.tr("Clear"), self.tr("Empty the mask"), ("Delete",))
        self.clear_action.triggered.connect(self.painter.clear)
        self.undo_action = self._action(self.tr("Undo"), self.tr("Undo"), ("Ctrl+Z",))
        self.undo_action.triggered.connect(self.painter.undo)
        self.redo_action = self._action(
            self.tr("Redo"), self.tr("Redo"), ("Ctrl+Shift+Z", "Ctrl+Y")
        )
        self.redo_action.triggered.connect(self.painter.redo)
        stack = self.painter.document.undo_stack
        stack.canUndoChanged.connect(self.undo_action.setEnabled)
        stack.canRedoChanged.connect(self.redo_action.setEnabled)
        self.undo_action.setEnabled(stack.canUndo())
        self.redo_action.setEnabled(stack.canRedo())
        self.overlay_action = self._action(
            self.tr("Show mask"), self.tr("Show or hide the mask over the picture"), ("H",), True
        )
        self.overlay_action.setChecked(True)
        self.overlay_action.toggled.connect(self.painter.set_overlay_visible)
        self.fit_action = self._action(
            self.tr("Fit"), self.tr("Show the whole picture"), ("Ctrl+0",)
        )
        self.fit_action.triggered.connect(self.painter.fit)
        self.tools = QHBoxLayout()
        self.tools.setSpacing(4)
        self.setStyleSheet(CHOICE_BUTTONS)
        self.tools.addWidget(self._button(self.brush_action))
        self.tools.addWidget(self._button(self.eraser_action))
        self.tools.addSpacing(12)
        self.tools.addWidget(QLabel(self.tr("Size")))
        self.tools.addWidget(self.size_slider)
        self.tools.addWidget(self.size_spin)
        self.tools.addSpacing(12)
        self.tools.addWidget(QLabel(self.tr("Feather")))
        self.tools.addWidget(self.feather_spin)
        self.tools.addSpacing(12)
        for action in (self.invert_action, self.clear_action, self.undo_action, self.redo_action):
            self.tools.addWidget(self._button(action))
        self.tools.addStretch(1)
        self.tools.addWidget(self._button(self.overlay_action))
        self.tools.addWidget(self._button(self.fit_action))

    def _build_bottom(self) -> None:
        self.hint = QLabel(
            self.tr(
                "Paint over what is to be repainted. Left button: the tool · right button: the "
                "other tool · wheel: zoom · middle button or Space+drag: move · [ ]: brush size"
            )
        )
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        self.open_button = QPushButton(self.tr("Open mask…"))
        self.open_button.setToolTip(
            self.tr("Use a mask made elsewhere: white (or opaque) parts are repainted")
        )
        self.open_button.clicked.connect(self.choose_mask_file)
        self.save_button = QPushButton(self.tr("Save mask…"))
        self.save_button.setToolTip(self.tr("Save the mask as a PNG: white is repainted"))
        self.save_button.clicked.connect(self.choose_save_file)
        self.status = QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # it quotes file names
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.bottom = QHBoxLayout()
        self.bottom.addWidget(self.open_button)
        self.bottom.addWidget(self.save_button)
        self.bottom.addSpacing(12)
        self.bottom.addWidget(self.status)
        self.bottom.addWidget(self.message, 1)
        self.bottom.addWidget(self.buttons)

    # -- state shown ----------------------------------------------------------------------------

    def _show_brush_size(self, diameter: int) -> None:
        for widget, value in (
            (self.size_spin, diameter),
            (self.size_slider, slider_position(diameter)),
        ):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)

    def _show_tool(self, tool: Tool) -> None:
        (self.brush_action if tool is Tool.BRUSH else self.eraser_action).setChecked(True)

    def _show_status(self, share: float | None = None) -> None:
        if share is None:
            share = self.painter.document.coverage()
        self.status.setText(
            self.tr("Mask: {percent} of the picture · Zoom {zoom} %").format(
                percent=format_share(share), zoom=round(self.painter.zoom() * 100)
            )
        )
        if share > 0 and self.message.property("level") == "refused":
            self.show_message("")

    def show_message(self, text: str, level: str = "info") -> None:
        colour = theme.DANGER if level in ("error", "refused") else "palette(window-text)"
        self.message.setStyleSheet(f"color: {colour};")
        self.message.setProperty("level", level)
        self.message.setText(text)

    # -- results --------------------------------------------------------------------------------

    def mask_image(self) -> QImage:
        return self.painter.mask_image()

    def feather(self) -> int:
        return self.feather_spin.value()

    def accept(self) -> None:
        if self.painter.document.is_empty():
            self.show_message(
                self.tr(
                    "The mask is empty, so nothing would be repainted. Paint over the part of the "
                    "picture to repaint, or press Cancel."
                ),
                "refused",
            )
            self.painter.setFocus()
            return
        super().accept()

    def reject(self) -> None:
        if not self.painter.document.undo_stack.isClean() and not self._discard_confirmed():
            return
        super().reject()

    def _discard_confirmed(self) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Discard the mask?"),
            self.tr("Close without keeping the changes to the mask?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # `[` and `]` pressed while a button or the slider has focus still size the brush
        if event.key() in (Qt.Key.Key_BracketLeft, Qt.Key.Key_BracketRight):
            self.painter.keyPressEvent(event)
            return
        super().keyPressEvent(event)

    # -- mask files -----------------------------------------------------------------------------

    def choose_mask_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, self.tr("Open a mask"), "", image_filter())
        if chosen:
            self.open_mask_file(Path(chosen))

    def open_mask_file(self, path: Path) -> None:
        """Read a mask file off the UI thread; it replaces the mask as one undoable step."""
        self.show_message(self.tr("Reading “{name}”…").format(name=path.name))
        run_in_background(lambda: read_picture_file(path), self._mask_read, self._mask_failed)

    def _mask_read(self, image: Image.Image) -> None:
        width, height = self.painter.picture.width(), self.painter.picture.height()
        mask, scaled = mask_from_pil(image, (width, height))
        self.painter.document.replace(mask, self.tr("Open mask"))
        note = ""
        if scaled:
            note = self.tr(
                "The mask was {mask_width}×{mask_height} pixels and the picture is "
                "{width}×{height}; the mask was scaled to the picture."
            ).format(mask_width=image.width, mask_height=image.height, width=width, height=height)
        self.show_message(note)

    def _mask_failed(self, exc: Exception) -> None:
        self.show_message(error_text(exc), "error")

    def choose_save_file(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the mask"), "mask.png", self.tr("PNG pictures (*.png)")
        )
        if chosen:
            self.save_mask_file(Path(chosen))

    def save_mask_file(self, path: Path) -> bool:
        if not path.suffix:
            path = path.with_suffix(".png")
        try:
            mask_to_pil(self.mask_image()).save(path, "PNG")
        except OSError as exc:
            self.show_message(
                self.tr("The mask could not be saved to “{path}” ({reason}).").format(
                    path=path, reason=exc.strerror or type(exc).__name__
                ),
                "error",
            )
            return False
        self.show_message(self.tr("Saved “{name}”.").format(name=path.name))
        return True


def format_share(share: float) -> str:
    """A share of the picture as a percentage people can read: 0 %, <0.1 %, 12.3 %, 100 %."""
    if share <= 0:
        return "0 %"
    if share < 0.001:
        return "<0.1 %"
    return f"{share * 100:.1f} %".replace(".0 %", " %")

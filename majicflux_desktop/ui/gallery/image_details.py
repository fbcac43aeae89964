"""The image view beside the gallery: the selected image, large, with every parameter and what
can be done with it (re-roll, reuse, favourite, copy, open its folder, full view)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.library import ImageRecord
from majicflux_desktop.ui.gallery import image_actions
from majicflux_desktop.ui.gallery.image_canvas import ImageCanvas, ImageFileLoader
from majicflux_desktop.ui.gallery.parameters import ParameterPanel, summary

REROLL_CHOICES = (2, 4, 8)


def tool_button(parent: QWidget, text: str, tooltip: str = "") -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tooltip)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


class ImageDetails(QWidget):
    """The selected image, large, with every parameter and what can be done with it."""

    reroll_requested = Signal(object, int)
    reuse_seed_requested = Signal(object)
    reuse_all_requested = Signal(object)
    use_as_source_requested = Signal(object)
    image_requested = Signal(int)  # select this image (the one the shown image was made from)
    family_requested = Signal(int)  # show this image's family in the gallery
    viewer_requested = Signal(object)
    favourite_toggled = Signal(object, bool)
    status_message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._record: ImageRecord | None = None
        self.has_children: Callable[[int], bool] = lambda _image_id: False  # the library's answer
        self._previewing = False
        self._token = 0
        self.loader = ImageFileLoader(self)
        self.loader.loaded.connect(self._loaded)
        loader = self.loader
        self.destroyed.connect(lambda *_: loader.shutdown())
        self.canvas = ImageCanvas(self)
        self.canvas.double_clicked.connect(self._request_viewer)
        self.parameters = ParameterPanel(self)
        self.parameters.image_link_activated.connect(self.image_requested)
        self.parameters.family_link_activated.connect(self.family_requested)
        self.summary = QLabel(self)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The summary gives way when the window is narrow (it repeats the parameters beside it):
        # it must not push the prompt panel aside when an image is selected.
        policy = self.summary.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
        self.summary.setSizePolicy(policy)
        self._build_buttons()
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.canvas)
        splitter.addWidget(self.parameters)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([640, 280])
        splitter.setChildrenCollapsible(False)
        bar = QHBoxLayout()
        for button in (self.reroll, self.reuse_seed, self.reuse_all, self.use_as_source):
            bar.addWidget(button)
        bar.addSpacing(12)
        bar.addWidget(self.summary, 1)
        for button in (
            self.favourite,
            self.copy,
            self.open_folder,
            self.full_view,
        ):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter, 1)
        layout.addLayout(bar)
        self.show_record(None)

    def current_record(self) -> ImageRecord | None:
        return self._record

    def show_record(self, record: ImageRecord | None) -> None:
        self._previewing = False
        self._record = record
        self.canvas.set_badge("")
        self.parameters.show_record(record, record is not None and self.has_children(record.id))
        self._enable(record is not None)
        if record is None:
            self._token = 0
            self.summary.setText("")
            self.canvas.set_image(None, self.tr("Select an image in the gallery to see it here."))
            return
        self.summary.setText(summary(record))
        self.summary.setToolTip(summary(record))
        self.favourite.setChecked(record.favourite)
        if not record.file.exists():
            self._token = 0
            self.canvas.set_image(None, self._missing_text(record))
            return
        self._token = self.loader.load(record.file)

    @property
    def showing_preview(self) -> bool:
        return self._previewing

    def show_preview(self, image: QImage) -> None:
        """A live, low-resolution look at the image being made, enlarged smoothly."""
        self._previewing = True
        self._record = None
        self._token = 0
        self._enable(False)
        self.summary.setText(self.tr("Generating…"))
        self.parameters.show_message(self.tr("Generating…"))
        self.canvas.set_image(image)
        self.canvas.set_badge(self.tr("Generating…"))

    # -- building -------------------------------------------------------------------------------

    def _build_buttons(self) -> None:
        self.reroll = tool_button(
            self, self.tr("Re-roll"), self.tr("Same parameters, new random seed (Ctrl+R)")
        )
        self.reroll.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        menu = QMenu(self.reroll)
        for count in REROLL_CHOICES:
            action = menu.addAction(self.tr("Re-roll ×{n}").format(n=count))
            action.setData(count)
            action.triggered.connect(lambda _=False, n=count: self._emit_reroll(n))
        self.reroll.setMenu(menu)
        self.reroll.clicked.connect(lambda: self._emit_reroll(1))
        self.reuse_seed = tool_button(
            self,
            self.tr("Reuse seed"),
            self.tr("Put this seed into the prompt panel (Ctrl+Shift+R)"),
        )
        self.reuse_seed.clicked.connect(lambda: self._emit(self.reuse_seed_requested))
        self.reuse_all = tool_button(
            self,
            self.tr("Reuse all parameters"),
            self.tr("Put the prompt, seed and every setting into the prompt panel"),
        )
        self.reuse_all.clicked.connect(lambda: self._emit(self.reuse_all_requested))
        self.use_as_source = tool_button(
            self,
            self.tr("Use as source"),
            self.tr("Start from this image: image to image, inpaint, outpaint or upscale (Ctrl+I)"),
        )
        self.use_as_source.clicked.connect(lambda: self._emit(self.use_as_source_requested))
        self.favourite = tool_button(self, "☆", self.tr("Favourite"))
        self.favourite.setCheckable(True)
        self.favourite.toggled.connect(lambda on: self.favourite.setText("★" if on else "☆"))
        self.favourite.clicked.connect(self._favourite_clicked)
        # Copying has one button with a menu: the bar must fit beside the prompt panel and the
        # queue on a 1366-pixel screen.
        self.copy = tool_button(self, self.tr("Copy"), self.tr("Copy the seed or the prompt"))
        self.copy.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        copy_menu = QMenu(self.copy)
        self.copy_seed = copy_menu.addAction(self.tr("Copy seed"))
        self.copy_seed.triggered.connect(lambda: self._status(image_actions.copy_seed))
        self.copy_prompt = copy_menu.addAction(self.tr("Copy prompt"))
        self.copy_prompt.triggered.connect(lambda: self._status(image_actions.copy_prompt))
        self.copy.setMenu(copy_menu)
        self.open_folder = tool_button(self, self.tr("Open folder"))
        self.open_folder.clicked.connect(lambda: self._status(image_actions.open_folder_message))
        self.full_view = tool_button(
            self, self.tr("Full view"), self.tr("Open in the viewer (F11)")
        )
        self.full_view.clicked.connect(self._request_viewer)

    def _enable(self, enabled: bool) -> None:
        for button in (
            self.reroll,
            self.reuse_seed,
            self.reuse_all,
            self.use_as_source,
            self.favourite,
            self.copy,
            self.open_folder,
            self.full_view,
        ):
            button.setEnabled(enabled)

    # -- reactions ------------------------------------------------------------------------------

    def _loaded(self, token: int, image: object) -> None:
        if token != self._token or self._record is None:
            return
        if isinstance(image, QImage):
            self.canvas.set_image(image)
        else:
            self.canvas.set_image(None, self._missing_text(self._record))

    def _missing_text(self, record: ImageRecord) -> str:
        if record.file.exists():
            return self.tr("This file cannot be read as an image:\n{path}").format(path=record.file)
        return self.tr(
            "The file is missing: it was moved or deleted outside the app.\n{path}"
        ).format(path=record.file)

    def _emit(self, signal: SignalInstance) -> None:
        if self._record is not None:
            signal.emit(self._record)

    def _emit_reroll(self, count: int) -> None:
        if self._record is not None:
            self.reroll_requested.emit(self._record, count)

    def _request_viewer(self) -> None:
        self._emit(self.viewer_requested)

    def _favourite_clicked(self, checked: bool) -> None:
        if self._record is not None:
            self.favourite_toggled.emit(self._record, checked)

    def _status(self, action: Callable[[ImageRecord], str]) -> None:
        if self._record is not None:
            message = action(self._record)
            if message:
                self.status_message.emit(message)

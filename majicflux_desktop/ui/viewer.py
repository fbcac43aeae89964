"""The image view beside the gallery (`ImageDetails`) and the full-window viewer (`ViewerWindow`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QCloseEvent, QColor, QImage, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.library import ImageRecord, Library
from majicflux_desktop.ui import record_actions
from majicflux_desktop.ui.image_view import ImageCanvas, ImageFileLoader
from majicflux_desktop.ui.record_info import ParameterPanel, summary

REROLL_CHOICES = (2, 4, 8)
VIEWER_BACKGROUND = QColor(17, 17, 19)

Neighbour = Callable[[int, int], "ImageRecord | None"]  # (image id, ±1) -> the next image


def _button(parent: QWidget, text: str, tooltip: str = "") -> QToolButton:
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
    viewer_requested = Signal(object)
    favourite_toggled = Signal(object, bool)
    status_message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._record: ImageRecord | None = None
        self._token = 0
        self.loader = ImageFileLoader(self)
        self.loader.loaded.connect(self._loaded)
        loader = self.loader
        self.destroyed.connect(lambda *_: loader.shutdown())
        self.canvas = ImageCanvas(self)
        self.canvas.double_clicked.connect(self._request_viewer)
        self.parameters = ParameterPanel(self)
        self.summary = QLabel(self)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._build_buttons()
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.canvas)
        splitter.addWidget(self.parameters)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([640, 280])
        splitter.setChildrenCollapsible(False)
        bar = QHBoxLayout()
        for button in (self.reroll, self.reuse_seed, self.reuse_all):
            bar.addWidget(button)
        bar.addSpacing(12)
        bar.addWidget(self.summary, 1)
        for button in (
            self.favourite,
            self.copy_seed,
            self.copy_prompt,
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
        self._record = record
        self.canvas.set_badge("")
        self.parameters.show_record(record)
        self._enable(record is not None)
        if record is None:
            self._token = 0
            self.summary.setText("")
            self.canvas.set_image(None, self.tr("Select an image in the gallery to see it here."))
            return
        self.summary.setText(summary(record))
        self.favourite.setChecked(record.favourite)
        if not record.file.exists():
            self._token = 0
            self.canvas.set_image(None, self._missing_text(record))
            return
        self._token = self.loader.load(record.file)

    def show_preview(self, image: QImage) -> None:
        """A live, low-resolution look at the image being made, enlarged smoothly."""
        self._record = None
        self._token = 0
        self._enable(False)
        self.summary.setText(self.tr("Generating…"))
        self.parameters.show_message(self.tr("Generating…"))
        self.canvas.set_image(image)
        self.canvas.set_badge(self.tr("Generating…"))

    # -- building -------------------------------------------------------------------------------

    def _build_buttons(self) -> None:
        self.reroll = _button(
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
        self.reuse_seed = _button(
            self,
            self.tr("Reuse seed"),
            self.tr("Put this seed into the prompt panel (Ctrl+Shift+R)"),
        )
        self.reuse_seed.clicked.connect(lambda: self._emit(self.reuse_seed_requested))
        self.reuse_all = _button(
            self,
            self.tr("Reuse all parameters"),
            self.tr("Put the prompt, seed and every setting into the prompt panel"),
        )
        self.reuse_all.clicked.connect(lambda: self._emit(self.reuse_all_requested))
        self.favourite = _button(self, "☆", self.tr("Favourite"))
        self.favourite.setCheckable(True)
        self.favourite.toggled.connect(lambda on: self.favourite.setText("★" if on else "☆"))
        self.favourite.clicked.connect(self._favourite_clicked)
        self.copy_seed = _button(self, self.tr("Copy seed"))
        self.copy_seed.clicked.connect(lambda: self._status(record_actions.copy_seed))
        self.copy_prompt = _button(self, self.tr("Copy prompt"))
        self.copy_prompt.clicked.connect(lambda: self._status(record_actions.copy_prompt))
        self.open_folder = _button(self, self.tr("Open folder"))
        self.open_folder.clicked.connect(lambda: self._status(record_actions.open_folder_message))
        self.full_view = _button(self, self.tr("Full view"), self.tr("Open in the viewer (F11)"))
        self.full_view.clicked.connect(self._request_viewer)

    def _enable(self, enabled: bool) -> None:
        for button in (
            self.reroll,
            self.reuse_seed,
            self.reuse_all,
            self.favourite,
            self.copy_seed,
            self.copy_prompt,
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


class ViewerWindow(QWidget):
    """One image filling the window: fit, 1:1 and wheel zoom, drag to pan, arrows to move on."""

    current_changed = Signal(object)  # ImageRecord: the viewer moved to another image

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.library = library
        self.setWindowTitle(self.tr("MajicFlux — Viewer"))
        self._record: ImageRecord | None = None
        self._neighbour: Neighbour | None = None
        self._token = 0
        self.loader = ImageFileLoader(self)
        self.loader.loaded.connect(self._loaded)
        loader = self.loader
        self.destroyed.connect(lambda *_: loader.shutdown())
        self.canvas = ImageCanvas(self, interactive=True, background=VIEWER_BACKGROUND)
        self.canvas.zoom_changed.connect(self._show_zoom)
        self.canvas.double_clicked.connect(self._toggle_fit)
        self.parameters = ParameterPanel(self)
        self.parameters.setMinimumWidth(280)
        self.parameters.hide()
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # it shows the prompt
        self.zoom_label = QLabel(self)
        self.fit_button = _button(self, self.tr("Fit"), self.tr("Fit to window (F)"))
        self.fit_button.clicked.connect(self.canvas.fit)
        self.actual_button = _button(self, "1:1", self.tr("Actual size (1)"))
        self.actual_button.clicked.connect(self.canvas.actual_size)
        self.info_button = _button(self, self.tr("Parameters"), self.tr("Show the parameters (I)"))
        self.info_button.setCheckable(True)
        self.info_button.toggled.connect(self.parameters.setVisible)
        self.close_button = _button(self, self.tr("Close"), self.tr("Close the viewer (Esc)"))
        self.close_button.clicked.connect(self.close)
        hint = QLabel(
            self.tr(
                "← → previous / next · wheel: zoom · drag: pan · F: fit · 1: actual size · I: parameters · Esc: close"
            ),
            self,
        )
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        for widget in (
            self.zoom_label,
            self.fit_button,
            self.actual_button,
            self.info_button,
            self.close_button,
        ):
            top.addWidget(widget)
        middle = QHBoxLayout()
        middle.setSpacing(0)
        middle.addWidget(self.canvas, 1)
        middle.addWidget(self.parameters)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        layout.addWidget(hint)
        self._add_keys()

    def current_record(self) -> ImageRecord | None:
        return self._record

    def open_record(
        self, record: ImageRecord, neighbour: Neighbour | None = None, *, full_screen: bool = True
    ) -> None:
        """Show `record`; `neighbour(image_id, delta)` gives the images the arrows move to."""
        self._neighbour = neighbour
        self._show(record)
        if full_screen:
            self.showFullScreen()
        else:
            self.show()
        self.raise_()
        self.activateWindow()

    def open_ids(self, ids: Sequence[int], current_id: int, *, full_screen: bool = True) -> bool:
        """Show the image `current_id`; the arrows move through `ids` in their order."""
        order = list(ids)
        record = self.library.image(current_id)
        if record is None:
            return False

        def neighbour(image_id: int, delta: int) -> ImageRecord | None:
            if image_id not in order:
                return None
            target = order.index(image_id) + delta
            return self.library.image(order[target]) if 0 <= target < len(order) else None

        self.open_record(record, neighbour, full_screen=full_screen)
        return True

    def step(self, delta: int) -> bool:
        """Move `delta` images on in the gallery's order; False at either end."""
        if self._record is None or self._neighbour is None:
            return False
        record = self._neighbour(self._record.id, delta)
        if record is None:
            return False
        self._show(record)
        self.current_changed.emit(record)
        return True

    # -- keys -----------------------------------------------------------------------------------

    def _add_keys(self) -> None:
        keys: list[tuple[str | QKeySequence.StandardKey, Callable[[], object]]] = [
            ("Left", lambda: self.step(-1)),
            ("Right", lambda: self.step(1)),
            ("Esc", self.close),
            ("F", self.canvas.fit),
            ("1", self.canvas.actual_size),
            ("+", lambda: self.canvas.zoom_by(1.25)),
            ("=", lambda: self.canvas.zoom_by(1.25)),
            ("-", lambda: self.canvas.zoom_by(0.8)),
            ("I", self.info_button.toggle),
            ("F11", self._toggle_full_screen),
        ]
        for keys_text, slot in keys:
            action = QAction(self)
            action.setShortcut(QKeySequence(keys_text))
            action.triggered.connect(lambda _=False, s=slot: s())
            self.addAction(action)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._token = 0
        super().closeEvent(event)

    # -- showing --------------------------------------------------------------------------------

    def _show(self, record: ImageRecord) -> None:
        self._record = record
        self.title.setText(f"{summary(record)}  —  {record.prompt[:120]}")
        self.parameters.show_record(record)
        if not record.file.exists():
            self._token = 0
            self.canvas.set_image(
                None,
                self.tr(
                    "The file is missing: it was moved or deleted outside the app.\n{path}"
                ).format(path=record.file),
            )
            return
        self._token = self.loader.load(record.file)

    def _loaded(self, token: int, image: object) -> None:
        if token != self._token:
            return
        if isinstance(image, QImage):
            self.canvas.set_image(image)
        else:
            self.canvas.set_image(None, self.tr("This file cannot be read as an image."))

    def _show_zoom(self, zoom: float) -> None:
        self.zoom_label.setText(f"{zoom * 100:.0f} %")

    def _toggle_fit(self) -> None:
        if self.canvas.fitting():
            self.canvas.actual_size()
        else:
            self.canvas.fit()

    def _toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

"""The full-window viewer: one image, fit or 1:1, wheel zoom, drag to pan, arrows to move on."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QColor, QImage, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.library import ImageRecord
from majicflux_desktop.core.store.records import ImageRecordStore
from majicflux_desktop.ui.gallery.image_canvas import ImageCanvas, ImageFileLoader
from majicflux_desktop.ui.gallery.image_details import tool_button
from majicflux_desktop.ui.gallery.parameters import ParameterPanel, summary

VIEWER_BACKGROUND = QColor(17, 17, 19)

Neighbour = Callable[[int, int], "ImageRecord | None"]  # (image id, ±1) -> the next image


class ViewerWindow(QWidget):
    """One image filling the window: fit, 1:1 and wheel zoom, drag to pan, arrows to move on."""

    current_changed = Signal(object)  # ImageRecord: the viewer moved to another image

    def __init__(self, records: ImageRecordStore, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.records = records
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
        self.fit_button = tool_button(self, self.tr("Fit"), self.tr("Fit to window (F)"))
        self.fit_button.clicked.connect(self.canvas.fit)
        self.actual_button = tool_button(self, "1:1", self.tr("Actual size (1)"))
        self.actual_button.clicked.connect(self.canvas.actual_size)
        self.info_button = tool_button(
            self, self.tr("Parameters"), self.tr("Show the parameters (I)")
        )
        self.info_button.setCheckable(True)
        self.info_button.toggled.connect(self.parameters.setVisible)
        self.close_button = tool_button(self, self.tr("Close"), self.tr("Close the viewer (Esc)"))
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
        record = self.records.image(current_id)
        if record is None:
            return False

        def neighbour(image_id: int, delta: int) -> ImageRecord | None:
            if image_id not in order:
                return None
            target = order.index(image_id) + delta
            return self.records.image(order[target]) if 0 <= target < len(order) else None

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

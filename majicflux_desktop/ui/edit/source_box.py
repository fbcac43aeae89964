"""The source picture's place in the edit panel: its thumbnail, name and size, and the ways to
set it (Open…, Paste, a drop on the thumbnail) or remove it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent, QImage, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from majicflux_desktop.ui.common.plain_text import plain_tooltip
from majicflux_desktop.ui.edit.picture_files import picture_in

THUMBNAIL_BOX = QSize(96, 96)


class DropTarget(QLabel):
    """A thumbnail that takes a dropped picture file or image."""

    file_dropped = Signal(Path)
    image_dropped = Signal(QImage)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setFixedSize(THUMBNAIL_BOX)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setObjectName("editDropTarget")
        self._dragging = False
        self._style()

    def _style(self) -> None:
        border = "palette(highlight)" if self._dragging else "palette(mid)"
        self.setStyleSheet(
            f"#editDropTarget {{ border: 1px dashed {border}; border-radius: 4px;"
            " color: palette(placeholder-text); background: palette(base); }"
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if picture_in(event.mimeData()) is not None:
            self._dragging = True
            self._style()
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._dragging = False
        self._style()

    def dropEvent(self, event: QDropEvent) -> None:
        self._dragging = False
        self._style()
        picture = picture_in(event.mimeData())
        if isinstance(picture, Path):
            self.file_dropped.emit(picture)
        elif isinstance(picture, QImage):
            self.image_dropped.emit(picture)
        else:
            return
        event.acceptProposedAction()


class SourceBox(QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.thumbnail = DropTarget()
        self.name = QLabel()
        self.name.setTextFormat(Qt.TextFormat.PlainText)  # file names are not markup
        self.name.setWordWrap(True)
        self.size_label = QLabel()
        self.size_label.setStyleSheet("color: palette(placeholder-text);")
        self.open_button = QPushButton(self.tr("Open…"))
        self.open_button.setToolTip(self.tr("Choose a picture file to edit"))
        self.paste_button = QPushButton(self.tr("Paste"))
        self.paste_button.setToolTip(self.tr("Edit the picture on the clipboard"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setToolTip(self.tr("Remove the source picture: generate from text only"))
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.paste_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.name)
        text.addWidget(self.size_label)
        text.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.thumbnail, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(text, 1)
        layout = QVBoxLayout(self)  # the buttons below: the prompt panel's column is narrow
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addLayout(buttons)
        self.show_empty()

    def show_empty(self) -> None:
        self.thumbnail.setPixmap(QPixmap())
        self.thumbnail.setText(self.tr("Drop a picture here"))
        self.name.setText(self.tr("No source picture"))
        self.name.setToolTip("")
        self.size_label.setText(
            self.tr("Open one, paste one, or use a gallery picture as the source.")
        )
        self.size_label.setWordWrap(True)
        self.remove_button.setVisible(False)

    def show_loading(self, name: str) -> None:
        self.name.setText(name)
        self.size_label.setText(self.tr("Reading the picture…"))

    def show_picture(self, thumbnail: QImage, name: str, width: int, height: int) -> None:
        pixmap = QPixmap.fromImage(thumbnail).scaled(
            THUMBNAIL_BOX - QSize(4, 4),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.thumbnail.setText("")
        self.thumbnail.setPixmap(pixmap)
        self.name.setText(name)
        self.name.setToolTip(plain_tooltip(name))
        self.size_label.setText(
            self.tr("{width} × {height} pixels").format(width=width, height=height)
        )
        self.remove_button.setVisible(True)

"""The mask in the edit panel: "Paint mask…", a small preview over the picture, its coverage."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from majicflux_desktop.ui.edit.mask_dialog import format_share
from majicflux_desktop.ui.edit.mask_painter import OVERLAY_COLOUR, OVERLAY_OPACITY

PREVIEW_BOX = QSize(72, 72)


def mask_preview(thumbnail: QImage, mask: QImage | None) -> QImage:
    """The thumbnail with the mask over it in the painter's colours."""
    preview = thumbnail.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    if mask is None:
        return preview
    small = mask.scaled(
        preview.size(),
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    tint = QImage(preview.size(), QImage.Format.Format_ARGB32_Premultiplied)
    tint.fill(Qt.GlobalColor.transparent)
    painter = QPainter(tint)
    painter.drawImage(0, 0, small)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(tint.rect(), OVERLAY_COLOUR)
    painter.end()
    painter = QPainter(preview)
    painter.setOpacity(OVERLAY_OPACITY + 0.2)  # a small preview needs a stronger tint to read
    painter.drawImage(0, 0, tint)
    painter.end()
    return preview


class MaskRow(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.paint_button = QPushButton(self.tr("Paint mask…"))
        self.paint_button.setToolTip(self.tr("Paint over the part of the picture to repaint"))
        self.preview = QLabel()
        self.preview.setFixedSize(PREVIEW_BOX)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("border: 1px solid palette(mid); border-radius: 3px;")
        self.coverage = QLabel()
        self.coverage.setWordWrap(True)
        text = QVBoxLayout()
        text.setSpacing(4)
        text.addWidget(self.paint_button, 0, Qt.AlignmentFlag.AlignLeft)
        text.addWidget(self.coverage)
        text.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview)
        layout.addLayout(text, 1)

    def show_mask(self, thumbnail: QImage | None, mask: QImage | None, share: float) -> None:
        if thumbnail is None:
            self.preview.setPixmap(QPixmap())
        else:
            pixmap = QPixmap.fromImage(mask_preview(thumbnail, mask)).scaled(
                PREVIEW_BOX - QSize(2, 2),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            self.preview.setPixmap(pixmap)
        if mask is None or share <= 0:
            self.coverage.setText(self.tr("No mask yet"))
            self.paint_button.setText(self.tr("Paint mask…"))
        else:
            self.coverage.setText(
                self.tr("Repaints {percent} of the picture").format(percent=format_share(share))
            )
            self.paint_button.setText(self.tr("Edit mask…"))

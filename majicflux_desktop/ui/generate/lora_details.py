"""The picker's details: what a LoRA file is (picture, trigger words, base model, rank, size,
layout, layers matched, file) or why it cannot be used; its star and the button that adds it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.units import format_bytes
from majicflux_desktop.engine.lora_files import LoraFile
from majicflux_desktop.ui.common import theme
from majicflux_desktop.ui.common.lora_catalog import refusal

DETAIL_SIDE = 176


class LoraDetails(QFrame):
    add_requested = Signal()
    star_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.file: LoraFile | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.preview = QLabel()
        self.preview.setFixedSize(DETAIL_SIDE, DETAIL_SIDE)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setStyleSheet(f"color: {theme.DANGER};")
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QFormLayout()
        self.facts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.facts.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self._fact_labels: dict[str, QLabel] = {}
        for key, label in (
            ("trigger", self.tr("Trigger words")),
            ("tags", self.tr("Frequent tags")),
            ("base", self.tr("Base model")),
            ("rank", self.tr("Rank")),
            ("size", self.tr("Size")),
            ("layout", self.tr("Layout")),
            ("layers", self.tr("Layers matched")),
            ("file", self.tr("File")),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._fact_labels[key] = value
            self.facts.addRow(label, value)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        self.notes.setStyleSheet(f"color: {theme.WARNING};")
        self.star_button = QToolButton()
        self.star_button.setCheckable(True)
        self.star_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.star_button.clicked.connect(self.star_requested)
        self.add_button = QPushButton(self.tr("Add to the prompt"))
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_requested)
        head = QVBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.subtitle)
        head.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(head, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.star_button)
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.problem)
        layout.addLayout(self.facts)
        layout.addWidget(self.notes)
        layout.addStretch(1)
        layout.addLayout(buttons)

    def show_file(
        self,
        file: LoraFile | None,
        picture: QPixmap | None = None,
        star: str = "",
        in_stack: bool | None = None,
    ) -> None:
        """`star`: "on", "off", "pending" (being hashed) or "" (refused); `in_stack`: whether
        the stack holds it and has it on (None: not in the stack)."""
        self.file = file
        self.setEnabled(file is not None)
        if file is None:
            self.title.setText("")
            self.subtitle.setText("")
            self.problem.hide()
            self.preview.clear()
            for value in self._fact_labels.values():
                value.setText("")
            self.add_button.setEnabled(False)
            self.star_button.setEnabled(False)
            return
        if picture is not None:
            self.preview.setPixmap(picture)
        self.title.setText(file.name)
        self.subtitle.setText(file.title if file.title and file.title != file.name else "")
        self.subtitle.setVisible(bool(self.subtitle.text()))
        self.problem.setText(
            ""
            if file.problem is None
            else self.tr("Cannot be used: {reason}").format(reason=refusal(file))
        )
        self.problem.setVisible(file.problem is not None)
        facts = self._fact_labels
        none = "—"
        facts["trigger"].setText(", ".join(file.trigger_words) or none)
        facts["tags"].setText(", ".join(file.frequent_tags) or none)
        facts["base"].setText(file.base_model or none)
        facts["rank"].setText(str(file.rank) if file.rank else none)
        facts["size"].setText(format_bytes(file.size))
        facts["layout"].setText(file.layout or none)
        facts["layers"].setText(
            self.tr("{matched} of {total}").format(
                matched=file.layers_matched, total=file.layers_total
            )
        )
        facts["file"].setText(str(file.path))
        self.notes.setText("\n".join(note.text() for note in file.notes))
        self.notes.setVisible(bool(file.notes))
        self.star_button.setEnabled(star in ("on", "off"))
        self.star_button.setChecked(star == "on")
        self.star_button.setText(
            ("★ " if star == "on" else "☆ ") + self.tr("Favourite")
            if star != "pending"
            else self.tr("Reading the file…")
        )
        self.star_button.setToolTip(
            self.tr("Keep this LoRA at the top of the list")
            if file.ok
            else self.tr("A LoRA that cannot be used cannot be a favourite")
        )
        self.add_button.setEnabled(file.ok and in_stack is not True)
        self.add_button.setText(
            self.tr("Add to the prompt")
            if in_stack is None
            else self.tr("Turn on in the prompt")
            if in_stack is False
            else self.tr("Already in the prompt")
        )

    def show_error(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

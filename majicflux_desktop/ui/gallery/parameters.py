"""An image's parameters as a person reads them: a one-line summary and the full list."""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, QDateTime, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from majicflux_desktop.core.edit import EditMode, InpaintArea
from majicflux_desktop.core.library import ImageRecord
from majicflux_desktop.ui.edit.panel_text import edit_summary

translate = QCoreApplication.translate
GIB = 1024**3


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return translate("RecordInfo", "{seconds} s").format(seconds=f"{seconds:.1f}")
    minutes, rest = divmod(round(seconds), 60)
    return translate("RecordInfo", "{minutes} min {seconds} s").format(
        minutes=minutes, seconds=f"{rest:02d}"
    )


def vram_text(peak_bytes: int | None) -> str:
    if peak_bytes is None:
        return "—"
    return translate("RecordInfo", "{gb} GB").format(gb=f"{peak_bytes / GIB:.1f}")


def created_text(record: ImageRecord) -> str:
    # Year first in every language: unambiguous, and it sorts the way people scan a history.
    moment = QDateTime.fromSecsSinceEpoch(int(record.created_at.timestamp()))
    return moment.toString("yyyy-MM-dd HH:mm")


def summary(record: ImageRecord) -> str:
    """`Seed 123 · 20 steps · 1024×1024 · 4.8 s · peak 7.3 GB`: what the image view shows first."""
    parts = [
        translate("RecordInfo", "Seed {seed}").format(seed=record.seed),
        translate("RecordInfo", "{steps} steps").format(steps=record.steps),
        f"{record.width}×{record.height}",
    ]
    if record.duration_s is not None:
        parts.append(duration_text(record.duration_s))
    if record.peak_vram_bytes is not None:
        parts.append(
            translate("RecordInfo", "peak {vram}").format(vram=vram_text(record.peak_vram_bytes))
        )
    return " · ".join(parts)


def parameter_rows(record: ImageRecord) -> list[tuple[str, str]]:
    """(label, value) for every parameter, in the order the prompt panel shows them."""
    request, meta = record.request, record.meta
    return [
        (translate("RecordInfo", "Prompt"), record.prompt),
        (translate("RecordInfo", "Negative prompt"), record.negative_prompt or "—"),
        (translate("RecordInfo", "Seed"), str(record.seed)),
        (translate("RecordInfo", "Steps"), str(record.steps)),
        (translate("RecordInfo", "Size"), f"{record.width} × {record.height}"),
        (translate("RecordInfo", "Guidance"), f"{request.guidance:g}"),
        (translate("RecordInfo", "CFG scale"), f"{request.cfg_scale:g}"),
        *lora_rows(record),
        *edit_rows(record),
        (translate("RecordInfo", "Model"), meta.model or "—"),
        (translate("RecordInfo", "Model hash"), meta.model_hash or "—"),
        (translate("RecordInfo", "Memory plan"), meta.plan or "—"),
        (translate("RecordInfo", "Duration"), duration_text(record.duration_s)),
        (translate("RecordInfo", "Peak VRAM"), vram_text(record.peak_vram_bytes)),
        (translate("RecordInfo", "Created"), created_text(record)),
        (translate("RecordInfo", "File"), str(record.file)),  # last: see `_is_file_row`
    ]


def lora_rows(record: ImageRecord) -> list[tuple[str, str]]:
    """The LoRAs the image was made with, one a line: name, weight, hash (as applied; an image
    saved before the engine reported them: as the request named them)."""
    applied = [
        (lora.name, lora.weight, lora.autov2, f"{lora.layers_matched}/{lora.layers_total}")
        for lora in record.meta.loras
    ]
    named = [(u.name, u.weight, u.autov2, "") for u in record.request.loras if u.enabled]
    lines = []
    for name, weight, short, layers in applied or named:
        line = f"{name} ×{weight:g}"
        if short:
            line += " · " + translate("RecordInfo", "hash {hash}").format(hash=short)
        if layers:
            line += " · " + translate("RecordInfo", "{layers} layers").format(layers=layers)
        lines.append(line)
    return [(translate("RecordInfo", "LoRAs"), "\n".join(lines))] if lines else []


def edit_rows(record: ImageRecord) -> list[tuple[str, str]]:
    """What the image was made from and how (an edit), or nothing (text to image)."""
    edit = record.request.edit
    if edit is None:
        return []
    source = edit.source
    rows = [
        (translate("RecordInfo", "Edit"), edit_summary(edit)),
        (
            translate("RecordInfo", "Source"),
            translate("RecordInfo", "{width}×{height} · hash {hash}").format(
                width=source.width, height=source.height, hash=source.sha256[:10]
            ),
        ),
    ]
    if edit.mode is EditMode.INPAINT:
        area = (
            translate("RecordInfo", "masked area at full resolution, padding {padding} px")
            if edit.area is InpaintArea.MASKED
            else translate("RecordInfo", "whole picture")
        ).format(padding=edit.padding)
        feather = translate("RecordInfo", "feather {feather} px").format(feather=edit.feather)
        rows.append((translate("RecordInfo", "Mask"), f"{area} · {feather}"))
    return rows


IMAGE_LINK, FAMILY_LINK = "image:", "family:"


def lineage_html(record: ImageRecord, has_children: bool) -> str:
    """The line above the parameters: what the image was made from (a link to it) and a link
    to its family (escaped: nothing here comes from the user but numbers and translations)."""
    edit = record.request.edit
    parts = []
    if edit is not None and record.parent_id is not None:
        link = f"<a href='{IMAGE_LINK}{record.parent_id}'>#{record.parent_id}</a>"
        parts.append(
            html.escape(translate("RecordInfo", "Made from {image} ({how})."))
            .replace("{image}", link)
            .replace("{how}", html.escape(edit_summary(edit)))
        )
    elif edit is not None and edit.parent_image is not None:
        parts.append(
            html.escape(
                translate(
                    "RecordInfo", "Made from #{id}, which is no longer in the library ({how})."
                ).format(id=edit.parent_image, how=edit_summary(edit))
            )
        )
    elif edit is not None:
        parts.append(
            html.escape(
                translate("RecordInfo", "Made from a picture opened from a file ({how}).").format(
                    how=edit_summary(edit)
                )
            )
        )
    if record.parent_id is not None or has_children:
        text = html.escape(translate("RecordInfo", "Show its family"))
        parts.append(f"<a href='{FAMILY_LINK}{record.id}'>{text}</a>")
    return " ".join(parts)


LONG_ROWS = 2  # prompt and negative prompt: label above, text below, full width
BREAK = "\u200b"  # zero-width space: lets a long path wrap at its separators


def breakable_path(path: str) -> str:
    """The path with break chances after / \\ - _ (Qt would not wrap “2026-11-20/120900-…”)."""
    for separator in "/\\-_":
        path = path.replace(separator, separator + BREAK)
    return path


class ParameterPanel(QScrollArea):
    """Every parameter of one image, selectable so any value can be copied by hand, under the
    line that links to what it was made from."""

    image_link_activated = Signal(int)  # the image this one was made from
    family_link_activated = Signal(int)  # show this image's family

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(self)
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(8, 8, 8, 8)
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(12)
        self._grid.setVerticalSpacing(4)
        self._grid.setColumnStretch(1, 1)
        self._message = QLabel(body)
        self._message.setWordWrap(True)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._labels: list[QLabel] = []
        self._shown = 0  # rows in use (records with LoRAs or an edit have more)
        self._values: list[QLabel] = []
        self.lineage = QLabel(body)
        self.lineage.setWordWrap(True)
        self.lineage.setTextFormat(Qt.TextFormat.RichText)  # built by `lineage_html`, escaped
        self.lineage.linkActivated.connect(self._link)
        self._layout.addWidget(self._message)
        self._layout.addWidget(self.lineage)
        self._layout.addLayout(self._grid)
        self._layout.addStretch(1)
        self.setWidget(body)
        self.show_message("")

    def values(self) -> dict[str, str]:
        return {
            label.text(): value.text().replace(BREAK, "")
            for label, value in zip(self._labels[: self._shown], self._values, strict=False)
        }

    def show_record(self, record: ImageRecord | None, has_children: bool = False) -> None:
        if record is None:
            self.show_message("")
            return
        self.lineage.setText(lineage_html(record, has_children))
        self.lineage.setVisible(bool(self.lineage.text()))
        rows = parameter_rows(record)
        self._ensure_rows(len(rows))
        self._shown = len(rows)
        for i, (label, value) in enumerate(rows):
            is_file = i == len(rows) - 1
            self._labels[i].setText(label)
            self._values[i].setText(breakable_path(value) if is_file else value)
            self._values[i].setToolTip(value if is_file else "")
            # A copied path must not carry the invisible break marks: the tooltip has it whole.
            self._values[i].setTextInteractionFlags(
                Qt.TextInteractionFlag.NoTextInteraction
                if is_file
                else Qt.TextInteractionFlag.TextSelectableByMouse
            )
        self._message.hide()
        self._set_rows_visible(True)

    def show_message(self, text: str) -> None:
        """Replace the parameters with a line (“Generating…”, or nothing)."""
        self._message.setText(text)
        self._message.setVisible(bool(text))
        self.lineage.hide()
        self._set_rows_visible(False)

    def _link(self, target: str) -> None:
        for prefix, signal in (
            (IMAGE_LINK, self.image_link_activated),
            (FAMILY_LINK, self.family_link_activated),
        ):
            if target.startswith(prefix):
                signal.emit(int(target.removeprefix(prefix)))

    def _ensure_rows(self, count: int) -> None:
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
        while len(self._labels) < count:
            i = len(self._labels)
            label = QLabel(self.widget())
            label.setStyleSheet(f"color: {muted.name()};")
            value = QLabel(self.widget())
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.PlainText)
            # A long path has nowhere to wrap: let it be clipped (the tooltip holds all of it)
            # rather than widen the panel.
            policy = value.sizePolicy()
            policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
            value.setSizePolicy(policy)
            if i < LONG_ROWS:
                # Prompts get the whole width: they are what people read and copy.
                self._grid.addWidget(label, 2 * i, 0, 1, 2)
                self._grid.addWidget(value, 2 * i + 1, 0, 1, 2)
                if i == 0:
                    font = QFont(value.font())
                    font.setPointSizeF(font.pointSizeF() * 1.1)
                    value.setFont(font)
            else:
                row = LONG_ROWS * 2 + i
                self._grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
                self._grid.addWidget(value, row, 1)
            self._labels.append(label)
            self._values.append(value)

    def _set_rows_visible(self, visible: bool) -> None:
        for i, (label, value) in enumerate(zip(self._labels, self._values, strict=True)):
            label.setVisible(visible and i < self._shown)
            value.setVisible(visible and i < self._shown)

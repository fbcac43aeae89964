"""An edit's lines of text: the sizes it works at and delivers, the panel's messages, and the
short description the queue and the image details show."""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication

from majicflux_desktop.core.edit import Edit, EditMode
from majicflux_desktop.core.edit_sizes import Size
from majicflux_desktop.ui.common import theme
from majicflux_desktop.ui.edit.edit_draft import EditSizing

translate = QCoreApplication.translate
LEVEL_COLOURS = {"error": theme.DANGER, "warning": theme.WARNING}


def _size(size: Size) -> str:
    return f"{size[0]}×{size[1]}"


def sizes_text(sizing: EditSizing) -> str:
    """One line: what the model generates and the image the user gets ("" when the edit cannot
    be made: its problems say why)."""
    if sizing.work is None or sizing.output is None:
        return ""
    result = _size(sizing.output)
    if sizing.masked_area and sizing.area is not None and sizing.area_work is not None:
        return translate(
            "edit_sizes",
            "Repaints the {area} pixels around the mask at {work} · result {result}",
        ).format(area=_size(sizing.area), work=_size(sizing.area_work), result=result)
    if sizing.masked_area:
        return translate(
            "edit_sizes",
            "Repaints the area around the mask at its own resolution · result {result}",
        ).format(result=result)
    line = translate("edit_sizes", "Works at {work} · result {result}").format(
        work=_size(sizing.work), result=result
    )
    if sizing.follows_chosen:
        line += " " + translate("edit_sizes", "(the size chosen above)")
    if sizing.upscale_lowered_to is not None:
        line += " " + translate(
            "edit_sizes", "(×{factor:.2f}: upscaling stops at 2048 pixels on the long side)"
        ).format(factor=sizing.upscale_lowered_to)
    return line


def message_html(problems: list[str], note: tuple[str, str] | None) -> str:
    """Problems in red, then the latest note (info, warning or error); escaped: notes quote
    file names."""
    lines = [f"<span style='color:{theme.DANGER}'>{html.escape(text)}</span>" for text in problems]
    if note is not None:
        text, level = note
        colour = LEVEL_COLOURS.get(level)
        escaped = html.escape(text)
        lines.append(f"<span style='color:{colour}'>{escaped}</span>" if colour else escaped)
    return "<br>".join(lines)


def mode_name(mode: EditMode) -> str:
    return {
        EditMode.IMAGE_TO_IMAGE: translate("edit_text", "Image to image"),
        EditMode.INPAINT: translate("edit_text", "Inpaint"),
        EditMode.OUTPAINT: translate("edit_text", "Outpaint"),
        EditMode.UPSCALE: translate("edit_text", "Upscale"),
    }[mode]


def edit_summary(edit: Edit) -> str:
    """`Upscale ×2 · strength 0.35`: the mode and what acts in it."""
    parts = [mode_name(edit.mode)]
    if edit.mode is EditMode.UPSCALE:
        parts[0] += f" ×{edit.upscale:g}"
    if edit.mode is EditMode.OUTPAINT:
        left, top, right, bottom = edit.outpaint
        parts.append(
            translate("edit_text", "+{left} ←, +{top} ↑, +{right} →, +{bottom} ↓ px").format(
                left=left, top=top, right=right, bottom=bottom
            )
        )
    parts.append(translate("edit_text", "strength {value}").format(value=f"{edit.strength:.2f}"))
    return " · ".join(parts)

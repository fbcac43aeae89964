"""A file dropped on the window: read its generation parameters, or say why not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QImageReader

from majicflux_desktop.core import metadata
from majicflux_desktop.core.request import GenerationRequest

translate = QCoreApplication.translate


@dataclass(frozen=True)
class DropOutcome:
    request: GenerationRequest | None
    message: str
    level: str  # info, warning or error


def read_dropped(path: Path) -> DropOutcome:
    name = path.name
    if not path.is_file():
        return DropOutcome(
            None,
            translate("drop", "“{name}” is not a file. Drop a PNG image.").format(name=name),
            "error",
        )
    if not QImageReader(str(path)).canRead():  # by content, not by name
        return DropOutcome(
            None,
            translate(
                "drop",
                "“{name}” is not an image. Drop a PNG made by MajicFlux, A1111/Forge or ComfyUI "
                "to reuse its parameters.",
            ).format(name=name),
            "error",
        )
    result = metadata.read(path)
    notes = " ".join(note.text() for note in result.notes)
    if result.request is None:
        text = translate(
            "drop",
            "“{name}” carries no generation parameters; only PNGs made by MajicFlux, "
            "A1111/Forge, ComfyUI, InvokeAI or Fooocus do.",
        ).format(name=name)
        return DropOutcome(None, f"{text} {notes}".strip(), "warning")
    text = translate("drop", "Parameters read from “{name}” ({source}).").format(
        name=name, source=result.source
    )
    if not notes:
        return DropOutcome(result.request, text, "info")
    could_not = translate("drop", "Notes:")
    return DropOutcome(result.request, f"{text} {could_not} {notes}", "warning")


def read_pasted_text(text: str) -> DropOutcome:
    result = metadata.read_parameters_text(text)
    notes = " ".join(note.text() for note in result.notes)
    if result.request is None:
        return DropOutcome(None, notes, "warning")
    message = translate("drop", "Parameters pasted ({source}).").format(source=result.source)
    return DropOutcome(result.request, f"{message} {notes}".strip(), "warning" if notes else "info")

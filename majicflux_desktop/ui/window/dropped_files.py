"""A file dropped on the window: read its generation parameters, or say why not; its LoRAs are
looked for in the LoRA folders, and one that is not there is named."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QImageReader

from majicflux_desktop.core import metadata
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.ui.common.lora_catalog import LoraResolution, MissingLora

translate = QCoreApplication.translate


@dataclass(frozen=True)
class DropOutcome:
    request: GenerationRequest | None
    message: str
    level: str  # info, warning or error


def is_picture(path: Path) -> bool:
    """A file Qt can read as a picture, by its content (not its name)."""
    return path.is_file() and QImageReader(str(path)).canRead()


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


def with_lora_resolution(
    outcome: DropOutcome, resolution: LoraResolution, folders: str
) -> DropOutcome:
    """The outcome with the LoRAs found in the folders (in the file's order, under the names
    their files have now) and a sentence for each that was left out; the rest always loads."""
    assert outcome.request is not None
    found = {f.asked: f.use for f in resolution.found}
    loras = tuple(found[use] for use in outcome.request.loras if use in found)
    request = dataclasses.replace(outcome.request, loras=loras)
    if not resolution.missing:
        return DropOutcome(request, outcome.message, outcome.level)
    sentences = [_left_out(missing, folders) for missing in resolution.missing]
    level = "error" if outcome.level == "error" else "warning"
    return DropOutcome(request, " ".join([outcome.message, *sentences]), level)


def _left_out(missing: MissingLora, folders: str) -> str:
    use = missing.use
    if missing.problem is not None:
        return translate(
            "drop",
            "LoRA “{name}” cannot be used ({reason}); the other parameters were loaded.",
        ).format(name=use.name, reason=missing.problem.text())
    if use.sha256:
        return translate(
            "drop",
            "LoRA “{name}” (hash {hash}) is not in your LoRA folders; the other parameters "
            "were loaded. To use it, put its file in {folders} and drop or paste the image again.",
        ).format(name=use.name, hash=use.autov2, folders=folders)
    return translate(
        "drop",
        "LoRA “{name}” is not in your LoRA folders; the other parameters were loaded. To use "
        "it, put its file in {folders} and drop or paste the image again.",
    ).format(name=use.name, folders=folders)

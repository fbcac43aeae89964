"""The LoRAs of the prompt panel's request: the stack's rows merged with the `<lora:…>` tags typed
in the prompt, each with its file's hash when it is known, and what is wrong with any of them."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication

from majicflux_desktop.core.request import LoraUse
from majicflux_desktop.ui.common.lora_catalog import LoraCatalog, refusal

translate = QCoreApplication.translate


def merged(stack: Sequence[LoraUse], tagged: Sequence[LoraUse]) -> tuple[LoraUse, ...]:
    """The stack's LoRAs, then those only the prompt names. A tag for a LoRA of the stack sets its
    weight and turns it on: what is typed is what the user means now."""
    uses = {use.name.casefold(): use for use in stack}
    for tag in tagged:
        key = tag.name.casefold()
        row = uses.get(key)
        uses[key] = tag if row is None else LoraUse(row.name, tag.weight, row.sha256, True)
    return tuple(uses.values())


def with_known_hashes(uses: Sequence[LoraUse], catalog: LoraCatalog) -> tuple[LoraUse, ...]:
    """Each LoRA with its file's SHA-256 where that is known without reading the file, so that
    the image records it and a re-roll finds the file by hash (the engine fills in the rest)."""
    filled = []
    for use in uses:
        file = None if use.sha256 else catalog.find_known(use)
        known = catalog.known_hash(file) if file is not None and file.ok else ""
        filled.append(LoraUse(use.name, use.weight, known, use.enabled) if known else use)
    return tuple(filled)


def issues(uses: Sequence[LoraUse], catalog: LoraCatalog) -> list[str]:
    """Why LoRAs that are on cannot be used, in words that name the fix; nothing while the
    folders are still being read (the engine still checks when the image is made)."""
    listing = catalog.listing
    if not listing.scanned:
        return []
    found: list[str] = []
    for use in uses:
        if not use.enabled:
            continue
        file = catalog.find_known(use)
        if file is None and use.sha256 and catalog.resolving(use.sha256):
            continue  # its hash is being looked for among files not hashed before
        if file is None:
            near = close_name(use.name, [f.name for f in listing.usable])
            template = (
                translate(
                    "LoraChecks",
                    "LoRA “{name}” is not in your LoRA folders ({folders}). Put the file there or "
                    "check the name: did you mean “{near}”?",
                )
                if near
                else translate(
                    "LoraChecks",
                    "LoRA “{name}” is not in your LoRA folders ({folders}). Put the file there or "
                    "check the name.",
                )
            )
            found.append(template.format(name=use.name, folders=listing.folders_text(), near=near))
        elif file.problem is not None:
            found.append(
                translate("LoraChecks", "LoRA “{name}” cannot be used: {reason}").format(
                    name=use.name, reason=refusal(file)
                )
            )
    return found


def close_name(name: str, names: Sequence[str]) -> str | None:
    """The usable LoRA whose name is nearest a mistyped one (watercolour for watercolor)."""
    folded = {n.casefold(): n for n in names}
    near = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.75)
    return folded[near[0]] if near else None

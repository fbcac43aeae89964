"""When a folder holds several usable files for one role: which one is used, and why not the others.

A ComfyUI folder often holds a bf16 and a float8 transformer, or two majicflus versions. The order:
real weights before the tiny demo ones; the file MajicFlux is made for before other layouts that
work (majicflus before FLUX.1-dev); the newer majicflus (from the version in its name: the tensor
layout is the same for every version); for the transformer float8 before bf16 (the memory plans
store it in float8 anyway, and a float8 file is half the bytes to read and hold); for T5 full
precision before float8 (T5 is small next to the transformer, and precision shows in how prompts
are read); then the file nearer the top of the folder. Every other candidate is kept with the
reason it lost, for Model setup to offer as a choice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message
from majicflux_desktop.engine.catalog import DIT, SPECS, T5, Identity, model_name


@dataclass(frozen=True)
class Candidate:
    paths: tuple[Path, ...]  # one file, or the parts of a sharded T5
    identity: Identity  # for parts: that of the whole model

    @property
    def where(self) -> str:
        return str(self.paths[0]) if len(self.paths) == 1 else str(self.paths[0].parent)


@dataclass(frozen=True)
class Alternative:
    """A usable file (or set of parts) for a role that was not chosen, and why."""

    paths: tuple[Path, ...]
    found_as: str  # what it is, untranslated: catalog.model_name(found_as) shows it
    dtypes: frozenset[str]
    tiny: bool
    why_not: Message


_VERSION = re.compile(r"majicflus.*?v(\d+(?:[._]\d+)*)", re.IGNORECASE)
VERSION_PARTS = 6


def majicflus_version(path: Path) -> tuple[int, ...] | None:
    """The version in a majicflus file name: "majicflus_v134" is 1.3.4, "majicflus_v1.4" 1.4.

    Undotted digits are read one by one, as majicflus names its releases (v134 after v1).
    """
    match = _VERSION.search(path.stem)
    if match is None:
        return None
    text = match.group(1)
    parts = re.split(r"[._]", text) if re.search(r"[._]", text) else list(text)
    return tuple(int(part) for part in parts)


def _version_label(version: tuple[int, ...] | None) -> str:
    return "?" if version is None else "v" + ".".join(str(part) for part in version)


def _stored_in_float8(candidate: Candidate) -> bool:
    # float8 files keep a few small tensors (norms, biases) in a wider type
    return any(dtype.startswith("F8") for dtype in candidate.identity.dtypes)


def _dtype_label(candidate: Candidate) -> str:
    return ", ".join(sorted(candidate.identity.dtypes)).replace("F8_E4M3", "float8").lower()


def _message(template: str, chosen: Candidate, other: Candidate, **params: object) -> Message:
    return Message(
        "catalog",
        template,
        {
            "file": other.where,
            "chosen": chosen.where,
            "found": model_name(other.identity.name),
            **params,
        },
    )


KeyOf = Callable[[Candidate], object]
ReasonOf = Callable[[Candidate, Candidate], Message]


def _tiny_reason(chosen: Candidate, other: Candidate) -> Message:
    return _message(
        QT_TRANSLATE_NOOP(
            "catalog",
            "{file} holds tiny random weights (the demo model); {chosen} is the real model.",
        ),
        chosen,
        other,
    )


def _layout_reason(chosen: Candidate, other: Candidate) -> Message:
    return _message(
        QT_TRANSLATE_NOOP(
            "catalog",
            "{file} is a {found}; {chosen} is the {expected} MajicFlux is made for, so it is used.",
        ),
        chosen,
        other,
        expected=SPECS[other.identity.role or DIT].label,
    )


def _version_key(candidate: Candidate) -> tuple[int, ...]:
    if candidate.identity.layout_hash != SPECS[DIT].layout_hash:
        return ()
    version = majicflus_version(candidate.paths[0])
    if version is None:
        return (1,)  # after every version that can be read
    padded = (version + (0,) * VERSION_PARTS)[:VERSION_PARTS]
    return (0, *(-part for part in padded))  # newest first


def _version_reason(chosen: Candidate, other: Candidate) -> Message:
    versions = {
        "version": _version_label(majicflus_version(other.paths[0])),
        "chosen_version": _version_label(majicflus_version(chosen.paths[0])),
    }
    if majicflus_version(other.paths[0]) is None:
        template = QT_TRANSLATE_NOOP(
            "catalog",
            "The name of {file} does not say which majicflus version it is; {chosen} is "
            "majicflus {chosen_version}, so it is used.",
        )
    else:
        template = QT_TRANSLATE_NOOP(
            "catalog",
            "{file} is majicflus {version}; {chosen} is the newer majicflus {chosen_version}.",
        )
    return _message(template, chosen, other, **versions)


def _float8_reason(chosen: Candidate, other: Candidate) -> Message:
    return _message(
        QT_TRANSLATE_NOOP(
            "catalog",
            "{file} is stored in {dtype}; {chosen} holds the same model in float8, which MajicFlux "
            "prefers for the transformer: half the bytes to read and keep in memory, and the "
            "memory plans store the transformer in float8 anyway.",
        ),
        chosen,
        other,
        dtype=_dtype_label(other),
    )


def _precision_reason(chosen: Candidate, other: Candidate) -> Message:
    return _message(
        QT_TRANSLATE_NOOP(
            "catalog",
            "{file} is stored in float8; {chosen} keeps full precision, which MajicFlux prefers "
            "for the text encoder: it reads prompts more faithfully.",
        ),
        chosen,
        other,
    )


def _place_key(candidate: Candidate) -> tuple[int, str]:
    return len(candidate.paths[0].parts), str(candidate.paths[0])


def _place_reason(chosen: Candidate, other: Candidate) -> Message:
    return _message(
        QT_TRANSLATE_NOOP(
            "catalog",
            "{file} is the same kind of file as {chosen}; the one nearer the top of the folder is "
            "used.",
        ),
        chosen,
        other,
    )


def _criteria(role: str) -> list[tuple[KeyOf, ReasonOf]]:
    spec_hash = SPECS[role].layout_hash
    tiny: tuple[KeyOf, ReasonOf] = (lambda c: c.identity.tiny, _tiny_reason)
    place: tuple[KeyOf, ReasonOf] = (_place_key, _place_reason)
    if role == T5:
        return [tiny, (_stored_in_float8, _precision_reason), place]
    layout: tuple[KeyOf, ReasonOf] = (
        lambda c: c.identity.layout_hash != spec_hash and not c.identity.tiny,
        _layout_reason,
    )
    if role == DIT:
        float8: tuple[KeyOf, ReasonOf] = (lambda c: not _stored_in_float8(c), _float8_reason)
        return [tiny, layout, (_version_key, _version_reason), float8, place]
    return [tiny, layout, place]


def rank(role: str, candidates: Sequence[Candidate]) -> tuple[Candidate, list[Alternative]] | None:
    """The candidate to use for `role`, and the others with the reason each was not chosen."""
    if not candidates:
        return None
    criteria = _criteria(role)
    ordered = sorted(candidates, key=lambda c: tuple(key(c) for key, _ in criteria))
    chosen, *others = ordered
    alternatives = []
    for other in others:
        reason = next((why for key, why in criteria if key(chosen) != key(other)), _place_reason)
        alternatives.append(
            Alternative(
                other.paths,
                other.identity.name,
                other.identity.dtypes,
                other.identity.tiny,
                reason(chosen, other),
            )
        )
    return chosen, alternatives

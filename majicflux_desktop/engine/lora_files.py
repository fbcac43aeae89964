"""What one LoRA file is: its layout, how much of it fits our transformer, why it is refused, and
what its metadata says (trigger words, base model, rank) - from the header alone, no torch.

Finding LoRA files in folders, hashing them and resolving a request's LoRAs is loras.py.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, Message, UserError
from majicflux_desktop.engine import catalog, lora_families, lora_keys, lora_match
from majicflux_desktop.engine.lora_keys import TargetModel
from majicflux_desktop.engine.lora_match import LayerMatch, Matching

PREVIEW_SUFFIXES = (".preview.png", ".png", ".preview.jpg", ".jpg", ".preview.jpeg", ".jpeg",
                    ".preview.webp", ".webp")  # fmt: skip
FREQUENT_TAGS = 8
EXAMPLES = 3  # layer names quoted in a message


@dataclass(frozen=True)
class LoraFile:
    """One LoRA file as the picker shows it, and as the engine applies it (`layers`)."""

    path: Path
    size: int
    mtime_ns: int
    schemes: tuple[str, ...] = ()  # naming: "kohya", "diffusers/PEFT", "BFL/ComfyUI", ...
    kinds: tuple[str, ...] = ()  # "LoRA", "LoKr", "LoHa", "full", "bias", "DoRA"
    layers_matched: int = 0
    layers_total: int = 0  # every LoRA layer in the file, text-encoder layers included
    text_encoder_layers: int = 0
    rank: int | None = None  # the most common rank of its layers
    trigger_words: tuple[str, ...] = ()  # as the trainer recorded them
    frequent_tags: tuple[str, ...] = ()  # the training captions' most frequent tags
    base_model: str = ""
    title: str = ""
    preview: Path | None = None
    notes: tuple[Message, ...] = ()
    problem: Message | None = None  # why it cannot be used; None if it can
    layers: tuple[LayerMatch, ...] = field(default=(), repr=False)

    @property
    def name(self) -> str:
        """The stem, as `<lora:name:weight>` names it."""
        return self.path.stem

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def layout(self) -> str:
        """How the file is written, for people: "kohya LoRA", "diffusers/PEFT LoRA + DoRA"."""
        return " + ".join(filter(None, (", ".join(self.schemes), " + ".join(self.kinds))))


def _message(template: str, path: Path, **params: object) -> Message:
    return Message("loras", template, {"file": str(path), **params})


def identify(
    path: str | os.PathLike[str],
    target: TargetModel = lora_keys.FLUX,
    siblings: Collection[str] | None = None,
) -> LoraFile:
    """The file as a LoRA for `target`, read from its header; refused files carry `problem`.

    `siblings`: the names of the files in its folder, if known (saves a look for the preview).
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        stat = None
    size, mtime = (stat.st_size, stat.st_mtime_ns) if stat is not None else (0, 0)
    preview = find_preview(path, siblings)
    try:
        header = catalog.read_header(path)  # Model setup's own checks: suffix, size, header
    except UserError as exc:
        return LoraFile(path, size, mtime, preview=preview, problem=exc.message)
    matching = lora_match.match(header.tensors, header.metadata, target)
    meta = header.metadata
    found = LoraFile(
        path,
        size,
        mtime,
        schemes=tuple(sorted(matching.schemes)),
        kinds=tuple(k for k in (*lora_match.KINDS, "DoRA") if k in matching.kinds),
        layers_matched=len(matching.matched),
        layers_total=matching.total,
        text_encoder_layers=matching.text_encoder,
        rank=_rank(matching, meta),
        trigger_words=trigger_words(meta),
        frequent_tags=frequent_tags(meta),
        base_model=base_model(meta),
        title=meta.get("modelspec.title") or meta.get("ss_output_name", ""),
        preview=preview,
        layers=tuple(matching.matched),
    )
    problem = _refusal(path, header.tensors, matching, target)
    if problem is not None:
        return dataclasses.replace(found, problem=problem, layers=())
    return dataclasses.replace(found, notes=_notes(path, matching))


def _refusal(
    path: Path,
    tensors: Mapping[str, tuple[str, tuple[int, ...]]],
    matching: Matching,
    target: TargetModel,
) -> Message | None:
    family = lora_families.other_family(tensors, target)
    if matching.total == 0:
        what = catalog.guess_family(dict((k, s) for k, (_, s) in tensors.items()))
        return _message(
            QT_TRANSLATE_NOOP(
                "loras",
                "{file} holds no LoRA layers{what}. Put only LoRA files in the LoRA folders; "
                "model files go where Model setup finds them.",
            ),
            path,
            what="" if not what or what == "LoRA" else f" (it looks like a {what})",
        )
    if family:
        return _message(
            QT_TRANSLATE_NOOP(
                "loras",
                "{file} is a LoRA for {family}, not for FLUX.1. MajicFlux can only use LoRAs made "
                "for FLUX.1 (dev); download the FLUX.1 version of this LoRA if there is one.",
            ),
            path,
            family=Message("loras", family),
        )
    if matching.matched:
        return None
    if matching.transformer_total == 0:
        return _message(
            QT_TRANSLATE_NOOP(
                "loras",
                "{file} changes only the text encoders (layers: {count}). MajicFlux applies LoRAs "
                "to the transformer only, so this file would have no effect; use a LoRA trained "
                "on the FLUX.1 transformer.",
            ),
            path,
            count=matching.text_encoder,
        )
    if matching.wrong_shape:
        return _message(
            QT_TRANSLATE_NOOP(
                "loras",
                "{file}: 0 of {total} layers matched this transformer. The layer names are "
                "FLUX's, but their sizes differ ({examples}): it was made for a model of another "
                "size. Use a LoRA made for FLUX.1 (dev).",
            ),
            path,
            total=matching.transformer_total,
            examples=_examples(matching.wrong_shape),
        )
    if matching.unsupported:
        return _message(
            QT_TRANSLATE_NOOP(
                "loras",
                "{file}: 0 of {total} layers can be applied: they are of a kind MajicFlux does "
                "not apply (incomplete, or a convolution-only LyCORIS type: {examples}). Use a "
                "LoRA, LoKr, LoHa or DoRA file for FLUX.1.",
            ),
            path,
            total=matching.transformer_total,
            examples=_examples(matching.unsupported),
        )
    return _message(
        QT_TRANSLATE_NOOP(
            "loras",
            "{file}: 0 of {total} layers matched this transformer's layers (unknown names such "
            "as {examples}). It is not a FLUX.1 LoRA, or it is written in a layout MajicFlux "
            "does not know.",
        ),
        path,
        total=matching.transformer_total,
        examples=_examples(matching.unknown),
    )


def _notes(path: Path, matching: Matching) -> tuple[Message, ...]:
    notes = []
    if matching.text_encoder:
        notes.append(
            _message(
                QT_TRANSLATE_NOOP(
                    "loras",
                    "{file} also changes the text encoders (layers: {count}); it is applied to the "
                    "transformer only.",
                ),
                path,
                count=matching.text_encoder,
            )
        )
    skipped = matching.wrong_shape + matching.unknown + matching.unsupported
    if skipped:
        notes.append(
            _message(
                QT_TRANSLATE_NOOP(
                    "loras",
                    "{file}: {matched} of {total} transformer layers matched; the others "
                    "({examples}) are not applied.",
                ),
                path,
                matched=len(matching.matched),
                total=matching.transformer_total,
                examples=_examples(skipped),
            )
        )
    return tuple(notes)


def _examples(names: list[str]) -> str:
    shown = ", ".join(sorted(names)[:EXAMPLES])
    return shown + (", …" if len(names) > EXAMPLES else "")


def _rank(matching: Matching, metadata: Mapping[str, str]) -> int | None:
    ranks = Counter(layer.rank for layer in matching.matched if layer.rank > 0)
    if ranks:
        return ranks.most_common(1)[0][0]
    try:
        return int(metadata["ss_network_dim"])
    except (KeyError, ValueError):
        return None


# -- metadata --------------------------------------------------------------------------------------

_TRIGGER_KEYS = ("modelspec.trigger_phrase", "ss_trigger_words", "trigger_words", "trigger_word")
_BASE_MODEL_KEYS = ("ss_base_model_version", "modelspec.architecture", "ss_sd_model_name")


def trigger_words(metadata: Mapping[str, str]) -> tuple[str, ...]:
    """Trigger words as the trainer recorded them (a JSON list or comma-separated text)."""
    words: list[str] = []
    for key in _TRIGGER_KEYS:
        raw = metadata.get(key, "").strip()
        if not raw:
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        items = value if isinstance(value, list) else str(value).split(",")
        for item in items:
            word = str(item).strip()
            if word and word not in words:
                words.append(word)
    return tuple(words)


def frequent_tags(metadata: Mapping[str, str], count: int = FREQUENT_TAGS) -> tuple[str, ...]:
    """The most frequent caption tags of kohya's training set (`ss_tag_frequency`)."""
    try:
        datasets = json.loads(metadata.get("ss_tag_frequency", "") or "{}")
    except ValueError:
        return ()
    totals: Counter[str] = Counter()
    if isinstance(datasets, dict):
        for tags in datasets.values():
            if isinstance(tags, dict):
                for tag, times in tags.items():
                    if isinstance(times, int | float) and str(tag).strip():
                        totals[str(tag).strip()] += int(times)
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return tuple(tag for tag, _ in ranked[:count])


def base_model(metadata: Mapping[str, str]) -> str:
    for key in _BASE_MODEL_KEYS:
        value = metadata.get(key, "").strip()
        if value:
            return value
    return ""


def find_preview(path: Path, siblings: Collection[str] | None = None) -> Path | None:
    """The picture saved beside the file (`name.png`, `name.preview.png`, as Forge and the
    Civitai helpers save them)."""
    for suffix in PREVIEW_SUFFIXES:
        candidate = path.with_name(path.stem + suffix)
        if siblings is not None:
            if candidate.name in siblings:
                return candidate
        elif candidate.is_file():
            return candidate
    return None

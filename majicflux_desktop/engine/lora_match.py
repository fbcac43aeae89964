"""Each layer of a LoRA file matched against our transformer: which slot it writes, of which
kind it is (LoRA, LoKr, LoHa, full difference, DoRA magnitude), its rank, and where its scale
comes from (a `.alpha` tensor, PEFT's metadata, or neither). Shapes are checked here, so a layer
that names one of our modules but has another size is told apart from one we do not know.

Imports no torch: it reads the tensor table of a header.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from majicflux_desktop.engine.lora_keys import (
    Shape,
    Slot,
    TargetModel,
    find_slot,
    is_text_encoder,
    linears,
    split_key,
    transformer_path,
)

LORA, LOKR, LOHA, FULL, BIAS = "LoRA", "LoKr", "LoHa", "full", "bias"
KINDS = (LORA, LOKR, LOHA, FULL, BIAS)


@dataclass(frozen=True)
class LayerMatch:
    """One layer of the file, where it writes, and which of the file's tensors make it."""

    source: str  # the module path as the file names it
    kind: str  # LORA, LOKR, LOHA, FULL or BIAS
    slot: Slot
    tensors: tuple[tuple[str, str], ...]  # (role, tensor name)
    rank: int  # LoRA rank (LoKr/LoHa: the factorisation's rank; 0 when there is none)
    alpha_key: str = ""  # the layer's `.alpha` tensor, if it has one
    metadata_alpha: float | None = None  # from PEFT's metadata when there is no `.alpha`
    rslora: bool = False  # PEFT's rank-stabilised scale: alpha / sqrt(rank)
    magnitude: str = ""  # DoRA: "out" (one per output row) or "in" (one per input column)

    def tensor(self, role: str) -> str | None:
        return dict(self.tensors).get(role)


@dataclass
class Matching:
    """A file's layers against the transformer: what matched, what did not and why."""

    matched: list[LayerMatch] = field(default_factory=list)
    text_encoder: int = 0  # layers for a text encoder (not applied)
    wrong_shape: list[str] = field(default_factory=list)  # named like ours, sized otherwise
    unknown: list[str] = field(default_factory=list)  # names that are not ours
    unsupported: list[str] = field(default_factory=list)  # ours, of a kind we cannot apply
    schemes: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)  # LORA, LOKR, ... and "DoRA"
    paths: list[str] = field(default_factory=list)  # every layer's path, for the family guess

    @property
    def total(self) -> int:
        return (
            len(self.matched)
            + self.text_encoder
            + len(self.wrong_shape)
            + len(self.unknown)
            + len(self.unsupported)
        )

    @property
    def transformer_total(self) -> int:
        return self.total - self.text_encoder


def match(
    tensors: Mapping[str, tuple[str, Shape]],
    metadata: Mapping[str, str],
    target: TargetModel,
) -> Matching:
    """Each LoRA layer of a file (its tensor table) matched to the transformer's slots."""
    groups: dict[str, dict[str, str]] = {}
    for key in tensors:
        parsed = split_key(key)
        if parsed is not None:
            path, role = parsed
            groups.setdefault(path, {})[role] = key
    peft = peft_config(metadata)
    result = Matching()
    for path, roles in groups.items():
        result.paths.append(path)
        if is_text_encoder(path):
            result.text_encoder += 1
            continue
        found = find_slot(path, target)
        if found is None:
            result.unknown.append(path)
            continue
        slot, scheme = found
        shapes = {role: tensors[key][1] for role, key in roles.items()}
        kind, rank, problem = _layer_kind(shapes, slot, target)
        if kind is None:
            (result.wrong_shape if problem == "shape" else result.unsupported).append(path)
            continue
        magnitude = _magnitude_axis(shapes.get("magnitude"), slot, target)
        if magnitude is None:
            result.wrong_shape.append(path)
            continue
        inner, _ = transformer_path(path)
        result.matched.append(
            LayerMatch(
                source=path,
                kind=kind,
                slot=slot,
                tensors=tuple(sorted(roles.items())),
                rank=rank,
                alpha_key=roles.get("alpha", ""),
                metadata_alpha=None if "alpha" in roles else peft.alpha_for(inner),
                rslora=peft.rslora,
                magnitude=magnitude,
            )
        )
        result.schemes.add(scheme)
        result.kinds.add(kind)
        if magnitude:
            result.kinds.add("DoRA")
    return result


def _layer_kind(
    shapes: Mapping[str, Shape], slot: Slot, target: TargetModel
) -> tuple[str | None, int, str]:
    """(kind, rank, "") for a layer that fits `slot`, else (None, 0, "shape" or "kind")."""
    rows = slot.row_count(target)
    columns = linears(target)[slot.module][1]
    if "down" in shapes or "up" in shapes:
        down, up = shapes.get("down"), shapes.get("up")
        if down is None or up is None or "mid" in shapes:
            return None, 0, "kind"  # half a LoRA, or a convolution's Tucker middle
        fits = len(down) == 2 and len(up) == 2 and down[0] == up[1]
        fits = fits and down[1] == columns and up[0] == rows
        return (LORA, down[0], "") if fits else (None, 0, "shape")
    if any(role.startswith("lokr_") for role in shapes):
        return _lokr_kind(shapes, rows, columns)
    if any(role.startswith("hada_") for role in shapes):
        names = ("hada_w1_a", "hada_w1_b", "hada_w2_a", "hada_w2_b")
        if "hada_t1" in shapes or "hada_t2" in shapes or not all(n in shapes for n in names):
            return None, 0, "kind"
        w1a, w1b, w2a, w2b = (shapes[n] for n in names)
        fits = all(len(s) == 2 for s in (w1a, w1b, w2a, w2b))
        fits = fits and w1a[0] == w2a[0] == rows and w1b[1] == w2b[1] == columns
        fits = fits and w1a[1] == w1b[0] and w2a[1] == w2b[0]
        return (LOHA, w1b[0], "") if fits else (None, 0, "shape")
    if "diff" in shapes:
        return (FULL, 0, "") if shapes["diff"] == (rows, columns) else (None, 0, "shape")
    if "diff_b" in shapes:
        return (BIAS, 0, "") if shapes["diff_b"] == (rows,) else (None, 0, "shape")
    return None, 0, "kind"  # an alpha or a magnitude alone


def _lokr_kind(shapes: Mapping[str, Shape], rows: int, columns: int) -> tuple[str | None, int, str]:
    if "lokr_t2" in shapes:
        return None, 0, "kind"  # Tucker decomposition: convolutions only

    def factor(name: str) -> tuple[Shape | None, int]:
        if name in shapes:
            return shapes[name], 0
        a, b = shapes.get(name + "_a"), shapes.get(name + "_b")
        if a is None or b is None or len(a) != 2 or len(b) != 2 or a[1] != b[0]:
            return None, 0
        return (a[0], b[1]), b[0]

    (w1, rank1), (w2, rank2) = factor("lokr_w1"), factor("lokr_w2")
    if w1 is None or w2 is None or len(w1) != 2 or len(w2) != 2:
        return None, 0, "kind"
    if w1[0] * w2[0] != rows or w1[1] * w2[1] != columns:
        return None, 0, "shape"
    return LOKR, rank2 or rank1, ""


def _magnitude_axis(shape: Shape | None, slot: Slot, target: TargetModel) -> str | None:
    """ "" without DoRA, "out" or "in" by the magnitude's shape, None if it fits neither."""
    if shape is None:
        return ""
    rows = slot.row_count(target)
    columns = linears(target)[slot.module][1]
    if shape in ((rows,), (rows, 1)):
        return "out"
    if shape == (1, columns):
        return "in"
    return None


# -- PEFT's configuration in the file's metadata ---------------------------------------------------


@dataclass(frozen=True)
class PeftConfig:
    """The LoRA scale settings diffusers writes into `lora_adapter_metadata` (PEFT's LoraConfig)."""

    alpha: float | None = None
    alpha_pattern: tuple[tuple[str, float], ...] = ()
    rslora: bool = False

    def alpha_for(self, module: str) -> float | None:
        """PEFT's rule: a pattern matches the module's name or its end after a dot."""
        for pattern, alpha in self.alpha_pattern:
            try:
                if re.fullmatch(rf"(.*\.)?(?:{pattern})", module):
                    return alpha
            except re.error:
                if module == pattern or module.endswith("." + pattern):
                    return alpha
        return self.alpha


PEFT_METADATA_KEY = "lora_adapter_metadata"


def peft_config(metadata: Mapping[str, str]) -> PeftConfig:
    raw = metadata.get(PEFT_METADATA_KEY)
    if not raw:
        return PeftConfig()
    try:
        config = json.loads(raw)
    except ValueError:
        return PeftConfig()
    if not isinstance(config, dict):
        return PeftConfig()
    # A pipeline's save writes "transformer.lora_alpha"; a model's save writes "lora_alpha".
    flat = {
        str(key).removeprefix("transformer."): value
        for key, value in config.items()
        if not str(key).startswith(("text_encoder", "te."))
    }
    if isinstance(flat.get("transformer"), dict):
        flat = {**flat, **flat["transformer"]}
    alpha = _number(flat.get("lora_alpha"))
    pattern = flat.get("alpha_pattern")
    patterns: list[tuple[str, float]] = []
    if isinstance(pattern, dict):
        for name, value in pattern.items():
            number = _number(value)
            if number is not None:
                patterns.append((str(name).removeprefix("transformer."), number))
    return PeftConfig(alpha, tuple(patterns), bool(flat.get("use_rslora", False)))


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None

"""Which layer of our transformer each layer of a LoRA file changes, from the tensor names alone.

LoRA files for FLUX come in several naming schemes (kohya/sd-scripts, diffusers/PEFT, BFL/ComfyUI,
XLabs, DiffSynth's own) and several kinds of layer (LoRA, LyCORIS LoKr and LoHa, full
differences, DoRA magnitudes). Every layer is mapped here to one *slot*: a Linear of diffsynth's
`FluxDiT` by its module name, and the rows of its output the layer writes. diffsynth fuses q, k and
v (and, in single blocks, the MLP's input projection) into one Linear, so a LoRA trained on a
separate `to_q` writes only a slice of that Linear's output.

Imports no torch: the LoRA list and `majicflux loras list` read headers only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from majicflux_desktop.engine import layouts

Shape = tuple[int, ...]

# -- our transformer -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetModel:
    """The transformer LoRAs are matched against (FLUX.1's sizes, or the tiny test model's)."""

    dim: int = 3072
    double_blocks: int = 19
    single_blocks: int = 38
    context_dim: int = 4096
    pooled_dim: int = 768
    latent_dim: int = 64
    frequency_dim: int = 256


FLUX = TargetModel()
TINY = TargetModel(
    **{k: v for k, v in layouts.TINY_DIT.items() if k not in ("head_dim",)}  # type: ignore[arg-type]
)


def target_for(tiny: bool) -> TargetModel:
    return TINY if tiny else FLUX


@lru_cache(maxsize=4)
def linears(target: TargetModel) -> dict[str, tuple[int, int]]:
    """diffsynth FluxDiT's Linear modules: name -> (out_features, in_features)."""
    d = target.dim
    found = {
        "x_embedder": (d, target.latent_dim),
        "context_embedder": (d, target.context_dim),
        "time_embedder.timestep_embedder.0": (d, target.frequency_dim),
        "time_embedder.timestep_embedder.2": (d, d),
        "guidance_embedder.timestep_embedder.0": (d, target.frequency_dim),
        "guidance_embedder.timestep_embedder.2": (d, d),
        "pooled_text_embedder.0": (d, target.pooled_dim),
        "pooled_text_embedder.2": (d, d),
        "final_norm_out.linear": (2 * d, d),
        "final_proj_out": (target.latent_dim, d),
    }
    for i in range(target.double_blocks):
        for side in "ab":
            found[f"blocks.{i}.attn.{side}_to_qkv"] = (3 * d, d)
            found[f"blocks.{i}.attn.{side}_to_out"] = (d, d)
            found[f"blocks.{i}.ff_{side}.0"] = (4 * d, d)
            found[f"blocks.{i}.ff_{side}.2"] = (d, 4 * d)
            found[f"blocks.{i}.norm1_{side}.linear"] = (6 * d, d)
    for i in range(target.single_blocks):
        found[f"single_blocks.{i}.to_qkv_mlp"] = (7 * d, d)
        found[f"single_blocks.{i}.proj_out"] = (d, 5 * d)
        found[f"single_blocks.{i}.norm.linear"] = (3 * d, d)
    return found


@dataclass(frozen=True)
class Slot:
    """Where a LoRA layer writes: a Linear of FluxDiT, and which rows of its output.

    `roll`: the layer's rows are in another order (diffusers' final norm puts scale before
    shift, BFL and diffsynth shift before scale): its output is rolled by this many rows.
    """

    module: str
    rows: tuple[int, int] | None = None  # None: all of them
    roll: int = 0

    def row_count(self, target: TargetModel) -> int:
        if self.rows is not None:
            return self.rows[1] - self.rows[0]
        return linears(target)[self.module][0]


# Per block: (BFL name, diffusers name, XLabs name, diffsynth module, which third/sevenths).
# A part is (start, stop) in units of `dim`; None is the whole output.
_DOUBLE: tuple[tuple[str, str, str, str, tuple[int, int] | None], ...] = (
    ("img_attn.qkv", "", "processor.qkv_lora1", "attn.a_to_qkv", None),
    ("", "attn.to_q", "", "attn.a_to_qkv", (0, 1)),
    ("", "attn.to_k", "", "attn.a_to_qkv", (1, 2)),
    ("", "attn.to_v", "", "attn.a_to_qkv", (2, 3)),
    ("txt_attn.qkv", "", "processor.qkv_lora2", "attn.b_to_qkv", None),
    ("", "attn.add_q_proj", "", "attn.b_to_qkv", (0, 1)),
    ("", "attn.add_k_proj", "", "attn.b_to_qkv", (1, 2)),
    ("", "attn.add_v_proj", "", "attn.b_to_qkv", (2, 3)),
    ("img_attn.proj", "attn.to_out.0", "processor.proj_lora1", "attn.a_to_out", None),
    ("txt_attn.proj", "attn.to_add_out", "processor.proj_lora2", "attn.b_to_out", None),
    ("img_mlp.0", "ff.net.0.proj", "", "ff_a.0", None),
    ("img_mlp.2", "ff.net.2", "", "ff_a.2", None),
    ("txt_mlp.0", "ff_context.net.0.proj", "", "ff_b.0", None),
    ("txt_mlp.2", "ff_context.net.2", "", "ff_b.2", None),
    ("img_mod.lin", "norm1.linear", "", "norm1_a.linear", None),
    ("txt_mod.lin", "norm1_context.linear", "", "norm1_b.linear", None),
)
_SINGLE: tuple[tuple[str, str, str, str, tuple[int, int] | None], ...] = (
    ("linear1", "", "", "to_qkv_mlp", None),
    ("", "", "processor.qkv_lora", "to_qkv_mlp", (0, 3)),
    ("", "attn.to_q", "", "to_qkv_mlp", (0, 1)),
    ("", "attn.to_k", "", "to_qkv_mlp", (1, 2)),
    ("", "attn.to_v", "", "to_qkv_mlp", (2, 3)),
    ("", "proj_mlp", "", "to_qkv_mlp", (3, 7)),
    ("linear2", "proj_out", "processor.proj_lora", "proj_out", None),
    ("modulation.lin", "norm.linear", "", "norm.linear", None),
)
_GLOBAL: tuple[tuple[str, str, str], ...] = (  # BFL, diffusers, diffsynth
    ("img_in", "x_embedder", "x_embedder"),
    ("txt_in", "context_embedder", "context_embedder"),
    ("time_in.in_layer", "time_text_embed.timestep_embedder.linear_1", "time_embedder.timestep_embedder.0"),
    ("time_in.out_layer", "time_text_embed.timestep_embedder.linear_2", "time_embedder.timestep_embedder.2"),
    ("guidance_in.in_layer", "time_text_embed.guidance_embedder.linear_1", "guidance_embedder.timestep_embedder.0"),
    ("guidance_in.out_layer", "time_text_embed.guidance_embedder.linear_2", "guidance_embedder.timestep_embedder.2"),
    ("vector_in.in_layer", "time_text_embed.text_embedder.linear_1", "pooled_text_embedder.0"),
    ("vector_in.out_layer", "time_text_embed.text_embedder.linear_2", "pooled_text_embedder.2"),
    ("final_layer.linear", "proj_out", "final_proj_out"),
    ("final_layer.adaLN_modulation.1", "", "final_norm_out.linear"),
)  # fmt: skip

# Naming schemes, as shown to people.
KOHYA, PEFT, BFL, XLABS, DIFFSYNTH = "kohya", "diffusers/PEFT", "BFL/ComfyUI", "XLabs", "DiffSynth"


@lru_cache(maxsize=4)
def slot_names(target: TargetModel) -> dict[str, tuple[Slot, str]]:
    """Every module path a LoRA may name (dotted), with its slot and naming scheme."""
    d = target.dim
    names: dict[str, tuple[Slot, str]] = {}

    def add(name: str, slot: Slot, scheme: str) -> None:
        if name in names:
            if names[name][0] != slot:
                raise AssertionError(f"{name} maps to two slots")
            return  # the same module under two schemes' names: the first scheme names it
        names[name] = (slot, scheme)

    def rows(part: tuple[int, int] | None) -> tuple[int, int] | None:
        return None if part is None else (part[0] * d, part[1] * d)

    for blocks, table, bfl_prefix, diffusers_prefix, ours in (
        (target.double_blocks, _DOUBLE, "double_blocks", "transformer_blocks", "blocks"),
        (target.single_blocks, _SINGLE, "single_blocks", "single_transformer_blocks", "single_blocks"),
    ):  # fmt: skip
        for i in range(blocks):
            for bfl, diffusers, xlabs, module, part in table:
                slot = Slot(f"{ours}.{i}.{module}", rows(part))
                if bfl:
                    add(f"{bfl_prefix}.{i}.{bfl}", slot, BFL)
                if xlabs:
                    add(f"{bfl_prefix}.{i}.{xlabs}", slot, XLABS)
                if diffusers:
                    add(f"{diffusers_prefix}.{i}.{diffusers}", slot, PEFT)
                if part is None:
                    add(f"{ours}.{i}.{module}", slot, DIFFSYNTH)
    for bfl, diffusers, ours in _GLOBAL:
        add(bfl, Slot(ours), BFL)
        if diffusers:
            add(diffusers, Slot(ours), PEFT)
        add(ours, Slot(ours), DIFFSYNTH)
    add("norm_out.linear", Slot("final_norm_out.linear", roll=d), PEFT)
    return names


@lru_cache(maxsize=4)
def underscored_names(target: TargetModel) -> dict[str, tuple[Slot, str]]:
    """The same paths as kohya writes them (`lora_unet_double_blocks_0_img_attn_qkv`), lower case."""
    return {
        name.replace(".", "_").lower(): (slot, KOHYA if scheme in (BFL, PEFT) else scheme)
        for name, (slot, scheme) in slot_names(target).items()
    }


# -- the tensors of a LoRA file --------------------------------------------------------------------

# Role of a tensor by the end of its name. ".lora.down.weight" before ".down.weight": it ends so too.
_ROLES: tuple[tuple[str, str], ...] = (
    (".lora_down.weight", "down"), (".lora_up.weight", "up"), (".lora_mid.weight", "mid"),
    (".lora_A.weight", "down"), (".lora_B.weight", "up"), (".lora_B.bias", "diff_b"),
    (".lora.down.weight", "down"), (".lora.up.weight", "up"),
    (".down.weight", "down"), (".up.weight", "up"),
    (".lora_magnitude_vector.weight", "magnitude"), (".lora_magnitude_vector", "magnitude"),
    (".dora_scale", "magnitude"), (".alpha", "alpha"),
    (".lokr_w1_a", "lokr_w1_a"), (".lokr_w1_b", "lokr_w1_b"), (".lokr_w1", "lokr_w1"),
    (".lokr_w2_a", "lokr_w2_a"), (".lokr_w2_b", "lokr_w2_b"), (".lokr_w2", "lokr_w2"),
    (".lokr_t2", "lokr_t2"),
    (".hada_w1_a", "hada_w1_a"), (".hada_w1_b", "hada_w1_b"), (".hada_w2_a", "hada_w2_a"),
    (".hada_w2_b", "hada_w2_b"), (".hada_t1", "hada_t1"), (".hada_t2", "hada_t2"),
    (".diff_b", "diff_b"), (".diff", "diff"),
)  # fmt: skip
_ADAPTER_NAME = re.compile(r"\.default(?=\.weight$)")  # PEFT's `lora_A.default.weight`

_TEXT_ENCODER_PREFIXES = (
    "lora_te", "text_encoder", "te1.", "te2.", "te.", "clip_l.", "clip_g.", "t5xxl.",
    "lora_clip", "cond_stage_model.", "conditioner.",
)  # fmt: skip
_KOHYA_PREFIXES = ("lora_unet_", "lora_transformer_", "lora_flux_")
_DOTTED_PREFIXES = (
    "base_model.model.", "model.diffusion_model.", "diffusion_model.", "transformer.", "unet.",
    "pipe.dit.", "dit.", "model.",
)  # fmt: skip


def split_key(key: str) -> tuple[str, str] | None:
    """(module path, role) of a tensor name, or None if it is no LoRA tensor."""
    key = _ADAPTER_NAME.sub("", key)
    for suffix, role in _ROLES:
        if key.endswith(suffix):
            return key[: -len(suffix)], role
    return None


def is_text_encoder(path: str) -> bool:
    return path.lower().startswith(_TEXT_ENCODER_PREFIXES)


def transformer_path(path: str) -> tuple[str, bool]:
    """The path without the prefixes trainers put before the transformer's module names, and
    whether it is kohya's underscored form."""
    for prefix in _KOHYA_PREFIXES:
        if path.startswith(prefix):
            return path[len(prefix) :], True
    stripped = True
    while stripped:
        stripped = False
        for prefix in _DOTTED_PREFIXES:
            if path.startswith(prefix):
                path, stripped = path[len(prefix) :], True
    return path, False


def find_slot(path: str, target: TargetModel) -> tuple[Slot, str] | None:
    inner, underscored = transformer_path(path)
    if underscored:
        return underscored_names(target).get(inner.lower())
    return slot_names(target).get(inner)


# -- matching a file against the transformer -------------------------------------------------------

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

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

import re
from dataclasses import dataclass
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
TINY = TargetModel(**{k: v for k, v in layouts.TINY_DIT.items() if k != "head_dim"})


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

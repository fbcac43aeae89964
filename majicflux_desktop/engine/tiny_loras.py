"""Tiny LoRA files in the real key layouts of each trainer, at the tiny transformer's sizes.

Each writer also returns what the file should do to the transformer: per diffsynth module, the
dense change of its weight at weight 1 (`TinyLora.deltas`), or DoRA's magnitude and direction.
Those references are written here by hand from each format's own conventions, not with the
tables of lora_keys.py, so tests compare two independent readings of the same file.

Files for other model families (SD 1.5, SDXL, SD3, Qwen-Image) carry those families' key patterns
with small shapes; they exist to be refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors.torch import save_file

from majicflux_desktop.engine import layouts

D = layouts.TINY_DIT["dim"]  # 64
CONTEXT = layouts.TINY_DIT["context_dim"]
POOLED = layouts.TINY_DIT["pooled_dim"]


@dataclass
class TinyLora:
    path: Path
    deltas: dict[str, torch.Tensor] = field(default_factory=dict)  # module -> (out, in), float32
    # DoRA: module -> (sΔ dense, magnitude, axis "out"/"in"); rows are the module's whole output
    dora: dict[str, tuple[torch.Tensor, torch.Tensor, str]] = field(default_factory=dict)


SHAPES = {  # diffsynth FluxDiT Linear -> (out, in), tiny sizes
    "x_embedder": (D, 64),
    "pooled_text_embedder.0": (D, POOLED),
    "time_embedder.timestep_embedder.0": (D, 256),
    "final_norm_out.linear": (2 * D, D),
    **{f"blocks.{i}.attn.{s}_to_qkv": (3 * D, D) for i in range(2) for s in "ab"},
    **{f"blocks.{i}.attn.{s}_to_out": (D, D) for i in range(2) for s in "ab"},
    **{f"blocks.{i}.ff_{s}.0": (4 * D, D) for i in range(2) for s in "ab"},
    **{f"blocks.{i}.ff_{s}.2": (D, 4 * D) for i in range(2) for s in "ab"},
    **{f"blocks.{i}.norm1_{s}.linear": (6 * D, D) for i in range(2) for s in "ab"},
    **{f"single_blocks.{i}.to_qkv_mlp": (7 * D, D) for i in range(2)},
    **{f"single_blocks.{i}.proj_out": (D, 5 * D) for i in range(2)},
    **{f"single_blocks.{i}.norm.linear": (3 * D, D) for i in range(2)},
}


class _Writer:
    def __init__(self, path: Path, seed: int):
        self.path = path
        self.tensors: dict[str, torch.Tensor] = {}
        self.generator = torch.Generator().manual_seed(seed)
        self.result = TinyLora(path)

    def random(self, *shape: int, scale: float = 1.0) -> torch.Tensor:
        # Rounded to bf16 here, so the file and the reference hold the same numbers.
        return (torch.randn(shape, generator=self.generator) * scale).bfloat16().float()

    def pair(self, out: int, inp: int, rank: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.random(rank, inp, scale=inp**-0.5), self.random(out, rank, scale=rank**-0.5)

    def add_delta(self, module: str, delta: torch.Tensor, rows: slice = slice(None)) -> None:
        full = self.result.deltas.setdefault(module, torch.zeros(SHAPES[module]))
        full[rows] += delta

    def lora(
        self,
        names: tuple[str, str],
        module: str,
        rows: slice = slice(None),
        rank: int = 4,
        alpha: float | None = None,
        alpha_key: str = "",
        file_scale: float = 1.0,
    ) -> None:
        """A down/up pair written under `names`; `file_scale` is what metadata makes of it."""
        count = len(range(*rows.indices(SHAPES[module][0])))
        down, up = self.pair(count, SHAPES[module][1], rank)
        self.tensors[names[0]], self.tensors[names[1]] = down, up
        scale = file_scale
        if alpha is not None:
            self.tensors[alpha_key] = torch.tensor(alpha)
            scale = alpha / rank
        self.add_delta(module, scale * up @ down, rows)

    def save(self, metadata: dict[str, str] | None = None) -> TinyLora:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        save_file(
            {k: v.bfloat16().contiguous() for k, v in self.tensors.items()},
            str(self.path),
            metadata=metadata,
        )
        return self.result


def kohya(path: Path, seed: int = 1, text_encoder: bool = True) -> TinyLora:
    """sd-scripts: `lora_unet_<BFL name with _>.lora_down/lora_up/alpha`, alphas per layer."""
    w = _Writer(path, seed)
    for name, module, rank, alpha in (
        ("double_blocks_0_img_attn_qkv", "blocks.0.attn.a_to_qkv", 4, 2.0),
        ("double_blocks_1_txt_attn_proj", "blocks.1.attn.b_to_out", 4, 8.0),
        ("double_blocks_0_img_mlp_0", "blocks.0.ff_a.0", 2, 1.0),
        ("double_blocks_1_txt_mod_lin", "blocks.1.norm1_b.linear", 4, 4.0),
        ("single_blocks_1_linear1", "single_blocks.1.to_qkv_mlp", 4, 4.0),
        ("single_blocks_0_linear2", "single_blocks.0.proj_out", 4, 16.0),
        ("final_layer_adaLN_modulation_1", "final_norm_out.linear", 4, 4.0),
    ):
        key = f"lora_unet_{name}"
        w.lora((f"{key}.lora_down.weight", f"{key}.lora_up.weight"), module, rank=rank,
               alpha=alpha, alpha_key=f"{key}.alpha")  # fmt: skip
    if text_encoder:
        key = "lora_te1_text_model_encoder_layers_0_self_attn_q_proj"
        w.tensors[f"{key}.lora_down.weight"] = w.random(4, 32)
        w.tensors[f"{key}.lora_up.weight"] = w.random(32, 4)
        w.tensors[f"{key}.alpha"] = torch.tensor(4.0)
    tags = {"10_ohwx cat": {"ohwx": 40, "cat": 38, "sitting": 5}, "5_dog": {"dog": 9, "cat": 3}}
    return w.save(
        {
            "ss_tag_frequency": json.dumps(tags),
            "ss_base_model_version": "flux1",
            "ss_network_dim": "4",
            "ss_output_name": "tiny kohya",
            "modelspec.trigger_phrase": "ohwx cat",
        }
    )


def peft(path: Path, seed: int = 2, prefix: str = "transformer.", metadata: bool = True) -> TinyLora:  # fmt: skip
    """diffusers/PEFT: `transformer.<diffusers name>.lora_A/lora_B.weight`; alpha only in the
    `lora_adapter_metadata` JSON (lora_alpha 8 at rank 4, proj_mlp's alpha 2 by alpha_pattern)."""
    w = _Writer(path, seed)
    alpha, pattern = (8.0, {"proj_mlp": 2.0}) if metadata else (4.0, {})
    for name, module, rows in (
        ("transformer_blocks.0.attn.to_q", "blocks.0.attn.a_to_qkv", slice(0, D)),
        ("transformer_blocks.0.attn.to_k", "blocks.0.attn.a_to_qkv", slice(D, 2 * D)),
        ("transformer_blocks.0.attn.to_v", "blocks.0.attn.a_to_qkv", slice(2 * D, 3 * D)),
        ("transformer_blocks.1.attn.add_k_proj", "blocks.1.attn.b_to_qkv", slice(D, 2 * D)),
        ("transformer_blocks.0.ff_context.net.2", "blocks.0.ff_b.2", slice(None)),
        ("transformer_blocks.1.norm1.linear", "blocks.1.norm1_a.linear", slice(None)),
        ("single_transformer_blocks.0.attn.to_v", "single_blocks.0.to_qkv_mlp", slice(2 * D, 3 * D)),
        ("single_transformer_blocks.1.proj_mlp", "single_blocks.1.to_qkv_mlp", slice(3 * D, 7 * D)),
        ("single_transformer_blocks.1.proj_out", "single_blocks.1.proj_out", slice(None)),
        ("x_embedder", "x_embedder", slice(None)),
        ("time_text_embed.text_embedder.linear_1", "pooled_text_embedder.0", slice(None)),
    ):  # fmt: skip
        layer_alpha = pattern.get(name.rsplit(".", 1)[-1], alpha)
        key = prefix + name
        w.lora((f"{key}.lora_A.weight", f"{key}.lora_B.weight"), module, rows,
               file_scale=layer_alpha / 4)  # fmt: skip
    # diffusers' final norm writes (scale, shift), diffsynth's (shift, scale): halves swapped
    down, up = w.pair(2 * D, D, 4)
    w.tensors[f"{prefix}norm_out.linear.lora_A.weight"] = down
    w.tensors[f"{prefix}norm_out.linear.lora_B.weight"] = up
    delta = alpha / 4 * up @ down
    w.add_delta("final_norm_out.linear", torch.cat([delta[D:], delta[:D]]))
    config = {"transformer.r": 4, "transformer.lora_alpha": alpha,
              "transformer.alpha_pattern": pattern, "transformer.use_dora": False}  # fmt: skip
    return w.save({"lora_adapter_metadata": json.dumps(config)} if metadata else None)


def peft_q_v_only(path: Path, seed: int = 3) -> TinyLora:
    """diffusers names without the `transformer.` prefix, training q and v but not k."""
    w = _Writer(path, seed)
    for name, module, rows in (
        ("transformer_blocks.0.attn.to_q", "blocks.0.attn.a_to_qkv", slice(0, D)),
        ("transformer_blocks.0.attn.to_v", "blocks.0.attn.a_to_qkv", slice(2 * D, 3 * D)),
        ("transformer_blocks.1.attn.add_q_proj", "blocks.1.attn.b_to_qkv", slice(0, D)),
        ("transformer_blocks.1.attn.add_v_proj", "blocks.1.attn.b_to_qkv", slice(2 * D, 3 * D)),
        ("single_transformer_blocks.1.attn.to_q", "single_blocks.1.to_qkv_mlp", slice(0, D)),
        ("single_transformer_blocks.1.attn.to_v", "single_blocks.1.to_qkv_mlp", slice(2 * D, 3 * D)),
    ):  # fmt: skip
        w.lora((f"{name}.lora_A.weight", f"{name}.lora_B.weight"), module, rows, rank=2)
    return w.save()


def bfl(path: Path, seed: int = 4, spelling: tuple[str, str] = ("lora_A", "lora_B")) -> TinyLora:
    """BFL/ComfyUI: `diffusion_model.<BFL name>.lora_A/lora_B.weight` (or lora_down/lora_up)."""
    w = _Writer(path, seed)
    for name, module, alpha in (
        ("double_blocks.0.img_attn.qkv", "blocks.0.attn.a_to_qkv", 8.0),
        ("double_blocks.1.txt_mlp.0", "blocks.1.ff_b.0", None),
        ("single_blocks.1.modulation.lin", "single_blocks.1.norm.linear", 2.0),
        ("single_blocks.0.linear1", "single_blocks.0.to_qkv_mlp", None),
        ("img_in", "x_embedder", None),
        ("time_in.in_layer", "time_embedder.timestep_embedder.0", 4.0),
    ):
        key = f"diffusion_model.{name}"
        w.lora((f"{key}.{spelling[0]}.weight", f"{key}.{spelling[1]}.weight"), module,
               alpha=alpha, alpha_key=f"{key}.alpha")  # fmt: skip
    return w.save()


def xlabs(path: Path, seed: int = 5) -> TinyLora:
    """XLabs: `double_blocks.N.processor.qkv_lora1.down/up.weight` (1 image, 2 text), no alpha."""
    w = _Writer(path, seed)
    for name, module, rows in (
        ("double_blocks.0.processor.qkv_lora1", "blocks.0.attn.a_to_qkv", slice(None)),
        ("double_blocks.0.processor.proj_lora1", "blocks.0.attn.a_to_out", slice(None)),
        ("double_blocks.1.processor.qkv_lora2", "blocks.1.attn.b_to_qkv", slice(None)),
        ("double_blocks.1.processor.proj_lora2", "blocks.1.attn.b_to_out", slice(None)),
        ("single_blocks.1.processor.qkv_lora", "single_blocks.1.to_qkv_mlp", slice(0, 3 * D)),
        ("single_blocks.0.processor.proj_lora", "single_blocks.0.proj_out", slice(None)),
    ):
        w.lora((f"{name}.down.weight", f"{name}.up.weight"), module, rows)
    return w.save()


def lokr(path: Path, seed: int = 6) -> TinyLora:
    """LyCORIS LoKr under kohya names: full factors, and low-rank factorisations of w1 or w2."""
    w = _Writer(path, seed)

    def kron(module: str, w1: torch.Tensor, w2: torch.Tensor, scale: float) -> None:
        w.add_delta(module, scale * torch.kron(w1, w2))

    key = "lora_unet_double_blocks_0_img_attn_proj"  # 64x64 = kron(8x8, 8x8), no factorisation
    w1, w2 = w.random(8, 8, scale=0.3), w.random(8, 8, scale=0.3)
    w.tensors |= {f"{key}.lokr_w1": w1, f"{key}.lokr_w2": w2, f"{key}.alpha": torch.tensor(99.0)}
    kron("blocks.0.attn.a_to_out", w1, w2, 1.0)  # no factorisation: alpha is not used
    key = "lora_unet_single_blocks_0_linear1"  # 448x64 = kron(4x4, 112x16), w2 of rank 2
    w1, w2a, w2b = (
        w.random(4, 4, scale=0.5),
        w.random(112, 2, scale=0.5),
        w.random(2, 16, scale=0.5),
    )
    w.tensors |= {f"{key}.lokr_w1": w1, f"{key}.lokr_w2_a": w2a, f"{key}.lokr_w2_b": w2b,
                  f"{key}.alpha": torch.tensor(1.0)}  # fmt: skip
    kron("single_blocks.0.to_qkv_mlp", w1, w2a @ w2b, 1.0 / 2)
    key = "lora_unet_double_blocks_1_img_mlp_2"  # 64x256 = kron(8x16 of rank 2, 8x16)
    w1a, w1b, w2 = w.random(8, 2, scale=0.5), w.random(2, 16, scale=0.5), w.random(8, 16, scale=0.3)
    w.tensors |= {f"{key}.lokr_w1_a": w1a, f"{key}.lokr_w1_b": w1b, f"{key}.lokr_w2": w2,
                  f"{key}.alpha": torch.tensor(4.0)}  # fmt: skip
    kron("blocks.1.ff_a.2", w1a @ w1b, w2, 4.0 / 2)
    return w.save()


def lokr_outside_the_blocks(path: Path, seed: int = 10) -> TinyLora:
    """LoKr on the image embedder only (x_embedder, 64x64 = kron(8x8, 8x8)): a hook on a layer
    that compiled maths leave uncompiled."""
    w = _Writer(path, seed)
    key = "lora_unet_img_in"
    w1, w2 = w.random(8, 8, scale=0.3), w.random(8, 8, scale=0.3)
    w.tensors |= {f"{key}.lokr_w1": w1, f"{key}.lokr_w2": w2}
    w.add_delta("x_embedder", torch.kron(w1, w2))
    return w.save()


def loha(path: Path, seed: int = 7) -> TinyLora:
    """LyCORIS LoHa: (w1_a w1_b) ∘ (w2_a w2_b) · alpha / rank."""
    w = _Writer(path, seed)
    for name, module, rank, alpha in (
        ("double_blocks_1_img_attn_qkv", "blocks.1.attn.a_to_qkv", 2, 1.0),
        ("single_blocks_1_linear2", "single_blocks.1.proj_out", 3, 6.0),
    ):
        key = f"lora_unet_{name}"
        out, inp = SHAPES[module]
        parts = {
            "hada_w1_a": w.random(out, rank, scale=0.7), "hada_w1_b": w.random(rank, inp, scale=0.7),
            "hada_w2_a": w.random(out, rank, scale=0.7), "hada_w2_b": w.random(rank, inp, scale=0.7),
        }  # fmt: skip
        w.tensors |= {f"{key}.{role}": value for role, value in parts.items()}
        w.tensors[f"{key}.alpha"] = torch.tensor(alpha)
        product = (parts["hada_w1_a"] @ parts["hada_w1_b"]) * (parts["hada_w2_a"] @ parts["hada_w2_b"])  # fmt: skip
        w.add_delta(module, alpha / rank * product)
    return w.save()


def dora(path: Path, seed: int = 8) -> TinyLora:
    """DoRA: kohya/LyCORIS `dora_scale` per output row and per input column; PEFT's
    `lora_magnitude_vector`."""
    w = _Writer(path, seed)
    for key, module, shape, axis in (
        ("lora_unet_double_blocks_0_img_attn_qkv", "blocks.0.attn.a_to_qkv", (3 * D, 1), "out"),
        ("lora_unet_single_blocks_1_linear2", "single_blocks.1.proj_out", (1, 5 * D), "in"),
        ("transformer.transformer_blocks.1.attn.to_out.0", "blocks.1.attn.a_to_out", (D,), "out"),
    ):
        out, inp = SHAPES[module]
        down, up = w.pair(out, inp, 4)
        magnitude = (1 + 0.2 * torch.randn(shape, generator=w.generator)).bfloat16().float()
        if key.startswith("transformer."):
            w.tensors |= {f"{key}.lora_A.weight": down, f"{key}.lora_B.weight": up,
                          f"{key}.lora_magnitude_vector": magnitude}  # fmt: skip
            scale = 1.0
        else:
            w.tensors |= {f"{key}.lora_down.weight": down, f"{key}.lora_up.weight": up,
                          f"{key}.alpha": torch.tensor(2.0), f"{key}.dora_scale": magnitude}  # fmt: skip
            scale = 2.0 / 4
        w.result.dora[module] = (scale * up @ down, magnitude.flatten(), axis)
    return w.save()


def diffsynth(path: Path, seed: int = 9) -> TinyLora:
    """DiffSynth-Studio's own training: PEFT on diffsynth's module names (`lora_A.default`)."""
    w = _Writer(path, seed)
    for name in ("blocks.0.attn.b_to_qkv", "blocks.1.ff_a.0", "single_blocks.0.to_qkv_mlp"):
        w.lora((f"{name}.lora_A.default.weight", f"{name}.lora_B.default.weight"), name)
    return w.save()


WRITERS: dict[str, Callable[[Path], TinyLora]] = {
    "kohya": kohya,
    "peft": peft,
    "peft-no-prefix": lambda p: peft(p, prefix="", metadata=False),
    "peft-q-v": peft_q_v_only,
    "bfl": bfl,
    "bfl-down-up": lambda p: bfl(p, spelling=("lora_down", "lora_up")),
    "xlabs": xlabs,
    "lokr": lokr,
    "loha": loha,
    "dora": dora,
    "diffsynth": diffsynth,
}


def write_all(folder: Path) -> dict[str, TinyLora]:
    """One file per layout in `folder`, named after the layout."""
    return {name: write(folder / f"tiny-{name}.safetensors") for name, write in WRITERS.items()}


# -- LoRAs of other families and of nothing: to be refused -----------------------------------------


def _plain(path: Path, pairs: dict[str, tuple[int, int]], **extra: torch.Tensor) -> Path:
    """Rank-1 pairs `name -> (out, in)` under kohya (`lora_down`) or PEFT (`lora_A`) suffixes
    as the name says."""
    tensors: dict[str, torch.Tensor] = dict(extra)
    for name, (out, inp) in pairs.items():
        down, up = ("lora_A", "lora_B") if "lora_unet" not in name and "lora_te" not in name else ("lora_down", "lora_up")  # fmt: skip
        tensors[f"{name}.{down}.weight"] = torch.zeros(1, inp, dtype=torch.bfloat16)
        tensors[f"{name}.{up}.weight"] = torch.zeros(out, 1, dtype=torch.bfloat16)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path))
    return path


def sd15(path: Path) -> Path:
    return _plain(path, {
        "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k": (320, 768),
        "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q": (320, 320),
        "lora_te_text_model_encoder_layers_0_self_attn_q_proj": (768, 768),
    })  # fmt: skip


def sdxl(path: Path) -> Path:
    return _plain(path, {
        "lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k": (640, 2048),
        "lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q": (640, 640),
        "lora_te1_text_model_encoder_layers_0_self_attn_q_proj": (768, 768),
        "lora_te2_text_model_encoder_layers_0_self_attn_q_proj": (1280, 1280),
    })  # fmt: skip


def sd3(path: Path) -> Path:
    return _plain(path, {
        "transformer.transformer_blocks.0.attn.to_q": (1536, 1536),
        "transformer.transformer_blocks.0.attn.add_q_proj": (1536, 1536),
        "transformer.transformer_blocks.0.ff.net.0.proj": (6144, 1536),
    })  # fmt: skip


def qwen_image(path: Path) -> Path:
    return _plain(path, {
        "transformer_blocks.0.attn.to_q": (3072, 3072),
        "transformer_blocks.0.img_mlp.net.0.proj": (12288, 3072),
        "transformer_blocks.0.txt_mod.1": (18432, 3072),
    })  # fmt: skip


def full_size_flux(path: Path) -> Path:
    """A FLUX.1 LoRA at FLUX.1's real sizes: no layer fits the tiny transformer."""
    return _plain(path, {
        "lora_unet_double_blocks_0_img_attn_qkv": (9216, 3072),
        "lora_unet_single_blocks_0_linear2": (3072, 15360),
    })  # fmt: skip


def unknown_names(path: Path) -> Path:
    return _plain(path, {"encoder.mystery_block.0.proj": (16, 16), "decoder.other.1": (8, 8)})


def text_encoder_only(path: Path) -> Path:
    return _plain(path, {"lora_te1_text_model_encoder_layers_0_self_attn_q_proj": (32, 32)})

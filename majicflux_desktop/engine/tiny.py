"""Tiny random-weight FLUX models in the real file layouts, loadable through the real code path.

diffsynth's model classes hard-code their sizes, so each tiny model is a subclass with small sizes.
`register()` tells diffsynth their layout hashes (as it knows the real ones), so
`FluxImagePipeline.from_pretrained(ModelConfig(path=...))` loads them exactly like real downloads.
They draw noise, not pictures: the demo mode labels them as random weights.
"""

from __future__ import annotations

import threading
from pathlib import Path

import torch

# isort: off
import majicflux_desktop.engine.diffsynth_import  # noqa: F401  before any diffsynth import

# isort: on
from diffsynth.configs import MODEL_CONFIGS, VRAM_MANAGEMENT_MODULE_MAPS
from diffsynth.models.flux_dit import (
    AdaLayerNormContinuous,
    FluxDiT,
    FluxJointTransformerBlock,
    FluxSingleTransformerBlock,
    RoPEEmbedding,
)
from diffsynth.models.flux_text_encoder_clip import CLIPEncoderLayer, FluxTextEncoderClip
from diffsynth.models.flux_vae import (
    DownSampler,
    FluxVAEDecoder,
    FluxVAEEncoder,
    ResnetBlock,
    UpSampler,
    VAEAttentionBlock,
)
from diffsynth.models.general_modules import TimestepEmbeddings
from safetensors.torch import save as safetensors_bytes

from majicflux_desktop.core.paths import atomic_write_bytes
from majicflux_desktop.core.writable import write_problem
from majicflux_desktop.engine import layouts
from majicflux_desktop.engine.t5 import T5Encoder
from majicflux_desktop.engine.tiny_tokenizers import write_tokenizers

DIT = layouts.TINY_DIT
CLIP = layouts.TINY_CLIP
T5 = layouts.TINY_T5
VAE_CHANNELS = layouts.TINY_VAE["channels"]
GROUPS = layouts.TINY_VAE_GROUPS


class TinyFluxDiT(FluxDiT):
    def __init__(
        self, disable_guidance_embedder: bool = False, input_dim: int = 64, num_blocks: int = 2
    ):
        torch.nn.Module.__init__(self)
        dim, heads = DIT["dim"], DIT["dim"] // DIT["head_dim"]
        self.pos_embedder = RoPEEmbedding(dim, 10000, list(layouts.TINY_DIT_ROPE_AXES))
        self.time_embedder = TimestepEmbeddings(256, dim)
        self.guidance_embedder = None if disable_guidance_embedder else TimestepEmbeddings(256, dim)
        self.pooled_text_embedder = torch.nn.Sequential(
            torch.nn.Linear(DIT["pooled_dim"], dim), torch.nn.SiLU(), torch.nn.Linear(dim, dim)
        )
        self.context_embedder = torch.nn.Linear(DIT["context_dim"], dim)
        self.x_embedder = torch.nn.Linear(input_dim, dim)
        self.blocks = torch.nn.ModuleList(
            [FluxJointTransformerBlock(dim, heads) for _ in range(DIT["double_blocks"])]
        )
        self.single_blocks = torch.nn.ModuleList(
            [FluxSingleTransformerBlock(dim, heads) for _ in range(DIT["single_blocks"])]
        )
        self.final_norm_out = AdaLayerNormContinuous(dim)
        self.final_proj_out = torch.nn.Linear(dim, 64)
        self.input_dim = input_dim


class _TinyClipLayer(CLIPEncoderLayer):
    def __init__(self, embed_dim: int, intermediate_size: int):
        super().__init__(embed_dim, intermediate_size, num_heads=2, head_dim=embed_dim // 2)


class TinyClipTextEncoder(FluxTextEncoderClip):
    def __init__(self) -> None:
        super().__init__(
            embed_dim=CLIP["dim"],
            vocab_size=CLIP["vocab"],
            max_position_embeddings=77,
            num_encoder_layers=0,
            encoder_intermediate_size=CLIP["ffn_dim"],
        )
        self.encoders = torch.nn.ModuleList(
            [_TinyClipLayer(CLIP["dim"], CLIP["ffn_dim"]) for _ in range(CLIP["layers"])]
        )


class TinyT5TextEncoder(T5Encoder):
    def __init__(self) -> None:
        super().__init__(**T5)


def _vae_decoder_blocks(c: int) -> list[torch.nn.Module]:
    top = 4 * c
    res = lambda i, o: ResnetBlock(i, o, groups=GROUPS, eps=1e-6)  # noqa: E731
    return [
        res(top, top), VAEAttentionBlock(1, top, top, 1, norm_num_groups=GROUPS, eps=1e-6), res(top, top),
        res(top, top), res(top, top), res(top, top), UpSampler(top),
        res(top, top), res(top, top), res(top, top), UpSampler(top),
        res(top, 2 * c), res(2 * c, 2 * c), res(2 * c, 2 * c), UpSampler(2 * c),
        res(2 * c, c), res(c, c), res(c, c),
    ]  # fmt: skip


def _vae_encoder_blocks(c: int) -> list[torch.nn.Module]:
    top = 4 * c
    res = lambda i, o: ResnetBlock(i, o, groups=GROUPS, eps=1e-6)  # noqa: E731
    down = lambda ch: DownSampler(ch, padding=0, extra_padding=True)  # noqa: E731
    return [
        res(c, c), res(c, c), down(c),
        res(c, 2 * c), res(2 * c, 2 * c), down(2 * c),
        res(2 * c, top), res(top, top), down(top),
        res(top, top), res(top, top),
        res(top, top), VAEAttentionBlock(1, top, top, 1, norm_num_groups=GROUPS, eps=1e-6), res(top, top),
    ]  # fmt: skip


class TinyVAEDecoder(FluxVAEDecoder):
    def __init__(self, use_conv_attention: bool = True):
        torch.nn.Module.__init__(self)
        c = VAE_CHANNELS
        self.scaling_factor, self.shift_factor = 0.3611, 0.1159
        self.conv_in = torch.nn.Conv2d(16, 4 * c, kernel_size=3, padding=1)
        self.blocks = torch.nn.ModuleList(_vae_decoder_blocks(c))
        self.conv_norm_out = torch.nn.GroupNorm(num_channels=c, num_groups=GROUPS, eps=1e-6)
        self.conv_act = torch.nn.SiLU()
        self.conv_out = torch.nn.Conv2d(c, 3, kernel_size=3, padding=1)


class TinyVAEEncoder(FluxVAEEncoder):
    def __init__(self, use_conv_attention: bool = True):
        torch.nn.Module.__init__(self)
        c = VAE_CHANNELS
        self.scaling_factor, self.shift_factor = 0.3611, 0.1159
        self.conv_in = torch.nn.Conv2d(3, c, kernel_size=3, padding=1)
        self.blocks = torch.nn.ModuleList(_vae_encoder_blocks(c))
        self.conv_norm_out = torch.nn.GroupNorm(num_channels=4 * c, num_groups=GROUPS, eps=1e-6)
        self.conv_act = torch.nn.SiLU()
        self.conv_out = torch.nn.Conv2d(4 * c, 32, kernel_size=3, padding=1)


_HERE = "majicflux_desktop.engine.tiny."
_CONVERTERS = "diffsynth.utils.state_dict_converters."
_REGISTRY = [
    ("dit", "flux_dit", "TinyFluxDiT", "flux_dit.FluxDiTStateDictConverter", "diffsynth.models.flux_dit.FluxDiT"),
    ("clip", "flux_text_encoder_clip", "TinyClipTextEncoder",
     "flux_text_encoder_clip.FluxTextEncoderClipStateDictConverter",
     "diffsynth.models.flux_text_encoder_clip.FluxTextEncoderClip"),
    ("t5", "flux_text_encoder_t5", "TinyT5TextEncoder", "flux_text_encoder_t5.FluxTextEncoderT5StateDictConverter",
     "diffsynth.models.flux_text_encoder_t5.FluxTextEncoderT5"),
    ("vae", "flux_vae_encoder", "TinyVAEEncoder", "flux_vae.FluxVAEEncoderStateDictConverter",
     "diffsynth.models.flux_vae.FluxVAEEncoder"),
    ("vae", "flux_vae_decoder", "TinyVAEDecoder", "flux_vae.FluxVAEDecoderStateDictConverter",
     "diffsynth.models.flux_vae.FluxVAEDecoder"),
]  # fmt: skip
_register_lock = threading.Lock()


def register() -> None:
    """Teach diffsynth the tiny layouts (idempotent)."""
    hashes = {role: layouts.layout_hash(layout) for role, layout in layouts.tiny_layouts().items()}
    with _register_lock:
        present = {(c["model_hash"], c["model_name"]) for c in MODEL_CONFIGS}
        for role, model_name, cls, converter, real_class in _REGISTRY:
            if (hashes[role], model_name) not in present:
                MODEL_CONFIGS.append(
                    {
                        "model_hash": hashes[role],
                        "model_name": model_name,
                        "model_class": _HERE + cls,
                        "state_dict_converter": _CONVERTERS + converter,
                    }
                )
            VRAM_MANAGEMENT_MODULE_MAPS.setdefault(
                _HERE + cls, VRAM_MANAGEMENT_MODULE_MAPS[real_class]
            )


def _random_tensor(name: str, shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    if name.endswith(
        ("norm.weight", "norm1.weight", "norm2.weight", ".scale", "norm_out.weight")
    ) or ("layer_norm" in name and name.endswith("weight")):
        return torch.ones(shape)
    if name.endswith(".bias"):
        return torch.zeros(shape)
    fan_in = 1
    for dim in shape[1:]:
        fan_in *= dim
    return torch.randn(shape, generator=generator) / max(fan_in, 1) ** 0.5


def _write(
    path: Path, layout: layouts.Layout, dtype: torch.dtype, generator: torch.Generator
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {
        name: _random_tensor(name, shape, generator).to(dtype).contiguous()
        for name, shape in sorted(layout.items())
    }
    # serialized here and written by us: a full disk is then an OSError saying so, where
    # safetensors' own writer raises its SafetensorError
    try:
        atomic_write_bytes(path, safetensors_bytes(tensors))
    except OSError as exc:
        raise write_problem(path, exc) from exc


DIT_FILE = "majicflus_v1-tiny-random.safetensors"
CLIP_FILE = "text_encoder/model.safetensors"
T5_FILES = (
    "text_encoder_2/model-00001-of-00002.safetensors",
    "text_encoder_2/model-00002-of-00002.safetensors",
)
VAE_FILE = "ae.safetensors"
MARKER = "TINY-RANDOM-WEIGHTS.txt"


def write_models(folder: Path, seed: int = 0, dit_dtype: torch.dtype = torch.float8_e4m3fn) -> Path:
    """Write the tiny model set (weights + tokenizers) into `folder`; returns `folder`.

    The DiT is stored in float8_e4m3fn like the real majicflus file; the rest in bf16.
    Deterministic for a given seed. Skips the work if the folder is already complete.
    """
    folder = Path(folder)
    marker = folder / MARKER
    if marker.is_file() and marker.read_text("utf-8").strip() == f"seed={seed} dit={dit_dtype}":
        return folder
    generator = torch.Generator().manual_seed(seed)
    tiny = layouts.tiny_layouts()
    try:
        _write(folder / DIT_FILE, tiny["dit"], dit_dtype, generator)
        _write(folder / CLIP_FILE, tiny["clip"], torch.bfloat16, generator)
        for path, part in zip(T5_FILES, layouts.split_t5_shards(tiny["t5"]), strict=True):
            _write(folder / path, part, torch.bfloat16, generator)
        _write(folder / VAE_FILE, tiny["vae"], torch.bfloat16, generator)
        write_tokenizers(folder)
        marker.write_text(f"seed={seed} dit={dit_dtype}\n", "utf-8")
    except OSError as exc:  # a full disk, a read-only data folder: said in words, with the fix
        where = Path(exc.filename) if isinstance(exc.filename, str) else folder / MARKER
        raise write_problem(where, exc) from exc
    return folder

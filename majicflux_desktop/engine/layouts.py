"""The tensor layouts (names and shapes) of the model files, as the real downloads have them.

Each function rebuilds one file's layout from its architecture; with the default arguments the
layout hashes to the value diffsynth uses to recognise the real file (checked in tests). Smaller
arguments give the same names with small shapes: the tiny test models. Benchmarks write random
weights in these layouts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

Shape = tuple[int, ...]
Layout = dict[str, Shape]

DIT_PREFIX = "model.diffusion_model."


def layout_hash(layout: Mapping[str, Shape | list[int]]) -> str:
    """diffsynth's model-type hash: md5 over the sorted "name:shape" and "name" strings."""
    keys: list[str] = []
    for name, shape in layout.items():
        keys.append(name + ":" + "_".join(str(d) for d in shape))
        keys.append(name)
    keys.sort()
    return hashlib.md5(",".join(keys).encode("utf-8")).hexdigest()


def flux_dit(
    prefix: str = DIT_PREFIX,
    dim: int = 3072,
    double_blocks: int = 19,
    single_blocks: int = 38,
    head_dim: int = 128,
    context_dim: int = 4096,
    pooled_dim: int = 768,
    frequency_dim: int = 256,
    latent_dim: int = 64,
) -> Layout:
    """The BFL FLUX.1 transformer (majicflus_v134 adds the `model.diffusion_model.` prefix)."""
    layout: Layout = {}

    def linear(name: str, out_features: int, in_features: int) -> None:
        layout[f"{prefix}{name}.weight"] = (out_features, in_features)
        layout[f"{prefix}{name}.bias"] = (out_features,)

    def qk_norm(name: str) -> None:
        layout[f"{prefix}{name}.query_norm.scale"] = (head_dim,)
        layout[f"{prefix}{name}.key_norm.scale"] = (head_dim,)

    linear("img_in", dim, latent_dim)
    for embedder in ("time_in", "guidance_in"):
        linear(f"{embedder}.in_layer", dim, frequency_dim)
        linear(f"{embedder}.out_layer", dim, dim)
    linear("vector_in.in_layer", dim, pooled_dim)
    linear("vector_in.out_layer", dim, dim)
    linear("txt_in", dim, context_dim)
    linear("final_layer.linear", latent_dim, dim)
    linear("final_layer.adaLN_modulation.1", 2 * dim, dim)
    for block in range(double_blocks):
        for stream in ("img", "txt"):
            base = f"double_blocks.{block}.{stream}_"
            linear(base + "mod.lin", 6 * dim, dim)
            linear(base + "attn.qkv", 3 * dim, dim)
            qk_norm(base + "attn.norm")
            linear(base + "attn.proj", dim, dim)
            linear(base + "mlp.0", 4 * dim, dim)
            linear(base + "mlp.2", dim, 4 * dim)
    for block in range(single_blocks):
        base = f"single_blocks.{block}."
        linear(base + "linear1", 7 * dim, dim)
        linear(base + "linear2", dim, 5 * dim)
        qk_norm(base + "norm")
        linear(base + "modulation.lin", 3 * dim, dim)
    return layout


def clip_text(
    dim: int = 768, ffn_dim: int = 3072, layers: int = 12, vocab: int = 49408, positions: int = 77
) -> Layout:
    """FLUX.1-dev `text_encoder/model.safetensors` (Hugging Face CLIPTextModel, CLIP-L)."""
    layout: Layout = {}
    text = "text_model."

    def affine(name: str, out_features: int, in_features: int | None = None) -> None:
        layout[name + ".weight"] = (
            (out_features,) if in_features is None else (out_features, in_features)
        )
        layout[name + ".bias"] = (out_features,)

    layout[text + "embeddings.token_embedding.weight"] = (vocab, dim)
    layout[text + "embeddings.position_embedding.weight"] = (positions, dim)
    for index in range(layers):
        base = f"{text}encoder.layers.{index}."
        for projection in ("q_proj", "k_proj", "v_proj", "out_proj"):
            affine(base + "self_attn." + projection, dim, dim)
        affine(base + "layer_norm1", dim)
        affine(base + "layer_norm2", dim)
        affine(base + "mlp.fc1", ffn_dim, dim)
        affine(base + "mlp.fc2", dim, ffn_dim)
    affine(text + "final_layer_norm", dim)
    return layout


def t5_encoder(
    dim: int = 4096,
    ffn_dim: int = 10240,
    layers: int = 24,
    heads: int = 64,
    head_dim: int = 64,
    vocab: int = 32128,
    buckets: int = 32,
) -> Layout:
    """FLUX.1-dev `text_encoder_2/` (T5 v1.1 XXL encoder; the two shards together)."""
    inner = heads * head_dim
    layout: Layout = {"shared.weight": (vocab, dim)}
    for index in range(layers):
        base = f"encoder.block.{index}.layer."
        for projection in ("q", "k", "v"):
            layout[f"{base}0.SelfAttention.{projection}.weight"] = (inner, dim)
        layout[f"{base}0.SelfAttention.o.weight"] = (dim, inner)
        if index == 0:
            layout[f"{base}0.SelfAttention.relative_attention_bias.weight"] = (buckets, heads)
        layout[f"{base}0.layer_norm.weight"] = (dim,)
        layout[f"{base}1.DenseReluDense.wi_0.weight"] = (ffn_dim, dim)
        layout[f"{base}1.DenseReluDense.wi_1.weight"] = (ffn_dim, dim)
        layout[f"{base}1.DenseReluDense.wo.weight"] = (dim, ffn_dim)
        layout[f"{base}1.layer_norm.weight"] = (dim,)
    layout["encoder.final_layer_norm.weight"] = (dim,)
    return layout


T5_SHARD_SPLIT = 12  # blocks 0..11 and the embedding in shard 1 (about 5 GB), the rest in shard 2


def split_t5_shards(layout: Layout) -> tuple[Layout, Layout]:
    first: Layout = {}
    second: Layout = {}
    for name, shape in layout.items():
        parts = name.split(".")
        block = int(parts[2]) if parts[:2] == ["encoder", "block"] else -1
        in_second = block >= T5_SHARD_SPLIT or name == "encoder.final_layer_norm.weight"
        (second if in_second else first)[name] = shape
    return first, second


def flux_vae(
    channels: int = 128,
    multipliers: tuple[int, ...] = (1, 2, 4, 4),
    latent: int = 16,
    resnets: int = 2,
) -> Layout:
    """FLUX.1-dev `ae.safetensors` (the BFL autoencoder: encoder and decoder)."""
    layout: Layout = {}

    def conv(name: str, out_ch: int, in_ch: int, kernel: int = 3) -> None:
        layout[name + ".weight"] = (out_ch, in_ch, kernel, kernel)
        layout[name + ".bias"] = (out_ch,)

    def norm(name: str, ch: int) -> None:
        layout[name + ".weight"] = (ch,)
        layout[name + ".bias"] = (ch,)

    def resnet(name: str, in_ch: int, out_ch: int) -> None:
        norm(name + ".norm1", in_ch)
        conv(name + ".conv1", out_ch, in_ch)
        norm(name + ".norm2", out_ch)
        conv(name + ".conv2", out_ch, out_ch)
        if in_ch != out_ch:
            conv(name + ".nin_shortcut", out_ch, in_ch, 1)

    def middle(side: str, ch: int) -> None:
        resnet(f"{side}.mid.block_1", ch, ch)
        norm(f"{side}.mid.attn_1.norm", ch)
        for projection in ("q", "k", "v", "proj_out"):
            conv(f"{side}.mid.attn_1.{projection}", ch, ch, 1)
        resnet(f"{side}.mid.block_2", ch, ch)

    top = channels * multipliers[-1]
    conv("encoder.conv_in", channels, 3)
    current = channels
    for level, multiplier in enumerate(multipliers):
        for index in range(resnets):
            resnet(f"encoder.down.{level}.block.{index}", current, channels * multiplier)
            current = channels * multiplier
        if level != len(multipliers) - 1:
            conv(f"encoder.down.{level}.downsample.conv", current, current)
    middle("encoder", top)
    norm("encoder.norm_out", top)
    conv("encoder.conv_out", 2 * latent, top)
    conv("decoder.conv_in", top, latent)
    middle("decoder", top)
    current = top
    for level in reversed(range(len(multipliers))):
        for index in range(resnets + 1):
            resnet(f"decoder.up.{level}.block.{index}", current, channels * multipliers[level])
            current = channels * multipliers[level]
        if level != 0:
            conv(f"decoder.up.{level}.upsample.conv", current, current)
    norm("decoder.norm_out", channels)
    conv("decoder.conv_out", 3, channels)
    return layout


# -- the tiny random-weight models (tests, demo, CI smoke) -----------------------------------------
# Same names as the real files, small shapes. Sizes are fixed so each tiny file has a known layout.

TINY_DIT = dict(
    dim=64, double_blocks=2, single_blocks=2, head_dim=32, context_dim=32, pooled_dim=32
)
TINY_DIT_ROPE_AXES = (8, 12, 12)  # sums to head_dim, as (16, 56, 56) does for 128
TINY_CLIP = dict(dim=32, ffn_dim=64, layers=2, vocab=514)  # 2 x 256 byte symbols + 2 specials
TINY_T5 = dict(dim=32, ffn_dim=64, layers=2, heads=2, head_dim=16, vocab=192)
TINY_VAE = dict(channels=16)
TINY_VAE_GROUPS = 8


def tiny_layouts() -> dict[str, Layout]:
    return {
        "dit": flux_dit(**TINY_DIT),  # type: ignore[arg-type]
        "clip": clip_text(**TINY_CLIP),
        "t5": t5_encoder(**TINY_T5),
        "vae": flux_vae(**TINY_VAE),  # type: ignore[arg-type]
    }

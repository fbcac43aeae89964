"""FLUX's second text encoder, T5 v1.1 XXL's encoder, in torch alone (issue 16 §2).

diffsynth's `FluxTextEncoderT5` is transformers' `T5EncoderModel`, whose module imports 1,350
more modules than the engine needs (dynamo, torch.distributed's tensors, sympy): 1.4 s on this
project's 2-core CI machine and several seconds on the GPU machine's host, on the way from
double-click to the first image. This is the same network, with the same module names, so the
same state dict, the same streaming of its blocks and the same numbers: the tests compare it
with transformers' class bit for bit (on the CPU; on a GPU both call the same kernels). diffsynth builds it in place of its own
(engine/diffsynth_import.py).

It is the encoder of FLUX's T5 only: gated-GELU feed-forward, bidirectional relative position
buckets computed by the first block and shared by all, no attention mask (diffsynth pads every
prompt to its full length and attends to the padding, as FLUX was trained), eval mode (no
dropout).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional

# The sizes of FLUX.1-dev's text_encoder_2 (google/t5-v1_1-xxl).
XXL = dict(dim=4096, ffn_dim=10240, layers=24, heads=64, head_dim=64, vocab=32128)


class T5LayerNorm(nn.Module):
    """RMS norm without a bias, its mean square taken in float32."""

    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.variance_epsilon = eps

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        variance = hidden.to(torch.float32).pow(2).mean(-1, keepdim=True)
        hidden = hidden * torch.rsqrt(variance + self.variance_epsilon)
        if self.weight.dtype in (torch.float16, torch.bfloat16):
            hidden = hidden.to(self.weight.dtype)
        return self.weight * hidden


def gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    """T5's "gelu_new", written out as transformers writes it (not `gelu(approximate="tanh")`,
    whose float32 results differ in the last bit)."""
    return (
        0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))
    )


class T5DenseGatedActDense(nn.Module):
    def __init__(self, dim: int, ffn_dim: int):
        super().__init__()
        self.wi_0 = nn.Linear(dim, ffn_dim, bias=False)
        self.wi_1 = nn.Linear(dim, ffn_dim, bias=False)
        self.wo = nn.Linear(ffn_dim, dim, bias=False)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        hidden = gelu_tanh(self.wi_0(hidden)) * self.wi_1(hidden)
        weight = self.wo.weight
        # as transformers does: the product in the output weight's dtype (an int8 weight excepted)
        if (
            isinstance(weight, torch.Tensor)
            and hidden.dtype != weight.dtype
            and weight.dtype != torch.int8
        ):
            hidden = hidden.to(weight.dtype)
        return self.wo(hidden)


class T5LayerFF(nn.Module):
    def __init__(self, dim: int, ffn_dim: int, eps: float):
        super().__init__()
        self.DenseReluDense = T5DenseGatedActDense(dim, ffn_dim)
        self.layer_norm = T5LayerNorm(dim, eps)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return hidden + self.DenseReluDense(self.layer_norm(hidden))


def relative_position_buckets(
    length: int, device: torch.device, buckets: int, max_distance: int
) -> torch.Tensor:
    """Bidirectional T5 buckets of `key - query` for every query and key position: half the
    buckets for each direction, exact below a quarter of them, logarithmic up to `max_distance`."""
    positions = torch.arange(length, dtype=torch.long, device=device)
    relative = positions[None, :] - positions[:, None]
    half = buckets // 2
    result = (relative > 0).to(torch.long) * half
    relative = torch.abs(relative)
    exact = half // 2
    large = exact + (
        torch.log(relative.float() / exact) / math.log(max_distance / exact) * (half - exact)
    ).to(torch.long)
    large = torch.min(large, torch.full_like(large, half - 1))
    return result + torch.where(relative < exact, relative, large)


class T5Attention(nn.Module):
    """Self-attention without the 1/√d scale (T5's is in its weights), the position bias added to
    the scores."""

    def __init__(
        self, dim: int, heads: int, head_dim: int, buckets: int, max_distance: int, bias: bool
    ):
        super().__init__()
        self.head_dim = head_dim
        self.buckets, self.max_distance = buckets, max_distance
        inner = heads * head_dim
        self.q = nn.Linear(dim, inner, bias=False)
        self.k = nn.Linear(dim, inner, bias=False)
        self.v = nn.Linear(dim, inner, bias=False)
        self.o = nn.Linear(inner, dim, bias=False)
        if bias:
            self.relative_attention_bias = nn.Embedding(buckets, heads)

    def position_bias(self, length: int, device: torch.device) -> torch.Tensor:
        """(1, heads, length, length), from this (the first) block's bias table."""
        table = self.relative_attention_bias
        bucket = relative_position_buckets(length, device, self.buckets, self.max_distance)
        return table(bucket).permute([2, 0, 1]).unsqueeze(0)

    def forward(
        self, hidden: torch.Tensor, position_bias: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        batch, length = hidden.shape[:2]
        shape = (batch, length, -1, self.head_dim)
        q = self.q(hidden).view(shape).transpose(1, 2)
        k = self.k(hidden).view(shape).transpose(1, 2)
        v = self.v(hidden).view(shape).transpose(1, 2)
        if position_bias is None:
            position_bias = self.position_bias(length, q.device)
        out = functional.scaled_dot_product_attention(
            q, k, v, attn_mask=position_bias.contiguous(), dropout_p=0.0, scale=1.0
        )
        out = out.transpose(1, 2).contiguous().reshape(batch, length, -1).contiguous()
        return self.o(out), position_bias


class T5LayerSelfAttention(nn.Module):
    def __init__(self, attention: T5Attention, dim: int, eps: float):
        super().__init__()
        self.SelfAttention = attention
        self.layer_norm = T5LayerNorm(dim, eps)

    def forward(
        self, hidden: torch.Tensor, position_bias: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        out, position_bias = self.SelfAttention(self.layer_norm(hidden), position_bias)
        return hidden + out, position_bias


class T5Block(nn.Module):
    def __init__(self, attention: T5Attention, dim: int, ffn_dim: int, eps: float):
        super().__init__()
        self.layer = nn.ModuleList(
            [T5LayerSelfAttention(attention, dim, eps), T5LayerFF(dim, ffn_dim, eps)]
        )

    def forward(
        self, hidden: torch.Tensor, position_bias: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        hidden, position_bias = self.layer[0](hidden, position_bias)
        if hidden.dtype == torch.float16:  # as transformers does, for float16 weights
            hidden = _clamp_float16(hidden)
        hidden = self.layer[1](hidden)
        if hidden.dtype == torch.float16:
            hidden = _clamp_float16(hidden)
        return hidden, position_bias


def _clamp_float16(hidden: torch.Tensor) -> torch.Tensor:
    """Infinities back into float16's range (a little inside it if there were any)."""
    top = torch.finfo(hidden.dtype).max
    limit = torch.where(torch.isinf(hidden).any(), top - 1000, top)
    return torch.clamp(hidden, min=-limit, max=limit)


class T5Stack(nn.Module):
    def __init__(
        self, embed_tokens: nn.Embedding, blocks: list[T5Block], final_layer_norm: T5LayerNorm
    ):
        super().__init__()
        self.embed_tokens = embed_tokens
        self.block = nn.ModuleList(blocks)
        self.final_layer_norm = final_layer_norm

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        hidden = self.embed_tokens(input_ids)
        position_bias = None
        for block in self.block:
            hidden, position_bias = block(hidden, position_bias)
        return self.final_layer_norm(hidden)


class T5Encoder(nn.Module):
    """The encoder of a gated-GELU T5 (v1.1) model, with `T5EncoderModel`'s parameter names:
    `shared` and `encoder.embed_tokens` are one table, tied as transformers ties them (diffsynth
    assigns both from the file's `shared.weight` when it loads). Called with token ids, it returns
    the last hidden states, as diffsynth's FLUX pipeline expects of its T5."""

    def __init__(
        self,
        dim: int,
        ffn_dim: int,
        layers: int,
        heads: int,
        head_dim: int,
        vocab: int,
        buckets: int = 32,
        max_distance: int = 128,
        eps: float = 1e-6,
    ):
        super().__init__()
        self.shared = nn.Embedding(vocab, dim)
        blocks = [
            T5Block(
                T5Attention(dim, heads, head_dim, buckets, max_distance, bias=index == 0),
                dim,
                ffn_dim,
                eps,
            )
            for index in range(layers)
        ]
        self.encoder = T5Stack(nn.Embedding(vocab, dim), blocks, T5LayerNorm(dim, eps))
        self.encoder.embed_tokens.weight = self.shared.weight
        self.eval()

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.encoder(input_ids)


class FluxT5Encoder(T5Encoder):
    """FLUX.1's T5-XXL encoder (diffsynth builds its model classes without arguments)."""

    def __init__(self) -> None:
        super().__init__(**XXL)

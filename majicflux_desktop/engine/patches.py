"""What MajicFlux changes in diffsynth 2.1.12, each in one place and for a stated reason.

- CPU shims: diffsynth calls `torch.cpu.empty_cache` / `mem_get_info`, which torch lacks.
- The prompt cache: re-rolls and batches skip both text encoders.
- Chunked VAE attention: the decoder's one attention layer in query chunks (same result, an
  eighth of the memory at 1024²).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import torch


def install_cpu_shims() -> None:
    # diffsynth calls these for its device type; the CPU module lacks them.
    if not hasattr(torch.cpu, "empty_cache"):
        torch.cpu.empty_cache = lambda: None  # type: ignore[attr-defined]
    if not hasattr(torch.cpu, "mem_get_info"):

        def mem_get_info(device: object = None) -> tuple[int, int]:
            import psutil

            ram = psutil.virtual_memory()
            return ram.available, ram.total

        torch.cpu.mem_get_info = mem_get_info  # type: ignore[attr-defined]


def install_prompt_cache(pipe: Any, size: int = 8) -> None:
    """Replace diffsynth's prompt unit by one that remembers recent prompts' embeddings.

    A re-roll or a batch of the same prompt then skips both text encoders entirely.
    """
    from diffsynth.pipelines.flux_image import FluxImageUnit_PromptEmbedder

    class CachedPromptEmbedder(FluxImageUnit_PromptEmbedder):
        def __init__(self) -> None:
            super().__init__()
            self.cache: OrderedDict[tuple[str, int], dict[str, Any]] = OrderedDict()
            self.hits = 0

        def process(self, pipe: Any, prompt: str, t5_sequence_length: int, positive: bool) -> dict:
            key = (prompt, t5_sequence_length)
            if key in self.cache:
                self.cache.move_to_end(key)
                self.hits += 1
                return self.cache[key]
            result = super().process(pipe, prompt, t5_sequence_length, positive)
            self.cache[key] = result
            while len(self.cache) > size:
                self.cache.popitem(last=False)
            return result

    pipe.units = [
        CachedPromptEmbedder() if isinstance(unit, FluxImageUnit_PromptEmbedder) else unit
        for unit in pipe.units
    ]


def lean_vae_attention(decoder: Any) -> None:
    """Let the VAE's single attention layer attend in query chunks (same result, less memory).

    At 1024x1024 its 16k x 16k attention matrix takes 1 GiB at once (head size 512 has no
    flash kernel); in chunks of 4096 queries it takes 128 MiB.
    """
    from diffsynth.models.flux_vae import ConvAttention

    for module in decoder.modules():
        if type(module) is ConvAttention:
            module.__class__ = ChunkedConvAttention


def _chunked_attention_class() -> type:
    from diffsynth.models.flux_vae import ConvAttention
    from einops import rearrange

    class Chunked(ConvAttention):
        CHUNK = 4096

        def forward(
            self, hidden_states: Any, encoder_hidden_states: Any = None, attn_mask: Any = None
        ) -> Any:
            if (
                hidden_states.shape[1] <= self.CHUNK
                or encoder_hidden_states is not None
                or attn_mask is not None
            ):
                return super().forward(hidden_states, encoder_hidden_states, attn_mask)
            batch = hidden_states.shape[0]
            conv_input = rearrange(hidden_states, "B L C -> B C L 1")

            def project(layer: Any) -> Any:
                out = rearrange(layer(conv_input)[:, :, :, 0], "B C L -> B L C")
                return out.view(batch, -1, self.num_heads, self.head_dim).transpose(1, 2)

            q, k, v = project(self.to_q), project(self.to_k), project(self.to_v)
            attended = torch.cat(
                [
                    torch.nn.functional.scaled_dot_product_attention(
                        q[:, :, i : i + self.CHUNK], k, v
                    )
                    for i in range(0, q.shape[2], self.CHUNK)
                ],
                dim=2,
            )
            attended = (
                attended.transpose(1, 2)
                .reshape(batch, -1, self.num_heads * self.head_dim)
                .to(q.dtype)
            )
            out = self.to_out(rearrange(attended, "B L C -> B C L 1"))
            return rearrange(out[:, :, :, 0], "B C L -> B L C")

    return Chunked


ChunkedConvAttention = _chunked_attention_class()

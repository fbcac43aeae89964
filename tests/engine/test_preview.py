"""Live previews: every step's on the CPU, and on a GPU without waiting for it."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from majicflux_desktop.engine.preview import LivePreviews, latent_preview

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs an NVIDIA GPU")


def latents(seed: int, device: str = "cpu") -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(1, 16, 24, 40, generator=generator).to(device, torch.bfloat16)


def test_on_the_cpu_each_steps_preview_is_handed_over_at_once() -> None:
    got: list[tuple[int, Image.Image]] = []
    previews = LivePreviews(lambda step, image: got.append((step, image)))
    for step in range(3):
        previews.step(step, latents(step))
        assert [s for s, _ in got] == list(range(step + 1))
    assert got[2][1].size == (40, 24)
    assert np.array_equal(np.asarray(got[2][1]), np.asarray(latent_preview(latents(2))))


@needs_cuda
def test_on_a_gpu_a_preview_never_waits_and_arrives_once_copied() -> None:
    got: list[tuple[int, Image.Image]] = []
    previews = LivePreviews(lambda step, image: got.append((step, image)))
    first, second = latents(1, "cuda"), latents(2, "cuda")
    previews.step(0, first)  # the map's factors go to the GPU once, here
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")  # any wait for the GPU now raises
    try:
        torch.cuda._sleep(100_000_000)  # the GPU is busy for a while (tens of ms)
        previews.step(1, second)  # hands over step 0 (landed); step 1's copy waits behind
        previews.step(2, first)  # step 1's copy has not landed: step 2 makes none
        assert [step for step, _ in got] == [0]
    finally:
        torch.cuda.set_sync_debug_mode("default")
    torch.cuda.synchronize()
    previews.hand_over_landed()
    assert [step for step, _ in got] == [0, 1]
    cpu = np.asarray(latent_preview(second.cpu()), dtype=int)
    assert np.abs(np.asarray(got[1][1], dtype=int) - cpu).max() <= 1  # GPU and CPU rounding

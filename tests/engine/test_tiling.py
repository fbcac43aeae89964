"""Tiling from the job's real size: the decisions for the real model's figures under small
budgets (arithmetic, no GPU), and their application in the real pipeline on the tiny model."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
import torch

from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.engine import layouts, memory, tiling
from majicflux_desktop.engine.memory import GIB
from majicflux_desktop.engine.pipeline import Engine


def _numel(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


def planned_for_the_real_model(budget: int | None) -> tiling.StreamedMemory:
    """What placement.stream_pipeline plans for majicflus_v1 (float8 transformer, T5 in
    float8, float8 maths) at 1024², from the real files' layouts."""
    dit = layouts.flux_dit()
    blocks: dict[str, int] = {}
    rest = 0
    for name, shape in dit.items():
        parts = name.removeprefix(layouts.DIT_PREFIX).split(".")
        if parts[0] in ("double_blocks", "single_blocks") and len(shape) == 2:
            key = ".".join(parts[:2])
            blocks[key] = blocks.get(key, 0) + _numel(shape)
        else:
            rest += _numel(shape)
    dit_units = list(blocks.values())  # one byte an element
    assert len(dit_units) == 57
    t5_numels, t5_fixed = memory.t5_sizes(layouts.t5_encoder())
    clip = sum(_numel(s) for s in layouts.clip_text().values())
    vae = layouts.flux_vae()
    decoder = sum(_numel(s) for name, s in vae.items() if name.startswith("decoder."))
    encoder = sum(_numel(s) for name, s in vae.items() if name.startswith("encoder."))
    fixed = 2 * (rest + clip + decoder) + t5_fixed  # the encoder visits: not resident
    space = memory.workspace(fixed, dit_units, t5_numels, t5_numels, budget, fp8_matmul=True)
    residency = memory.plan_residency(budget, space, dit_units, t5_numels)
    return tiling.StreamedMemory(space, dit_units, t5_numels, residency, 2 * encoder)


@pytest.mark.parametrize("budget_gib", [8, 4])
def test_2048_square_under_small_budgets_is_tiled_to_fit(budget_gib: int) -> None:
    budget = budget_gib * GIB
    planned = planned_for_the_real_model(budget)
    assert planned.residency.predicted_peak <= budget  # 1024² fits as planned
    at_1024 = tiling.choose_tiling(1024, 1024, budget, planned.peak)
    assert at_1024.dit_tile == 0 and at_1024.fits
    whole = planned.peak(
        tiling.Activations(
            tiling.dit_activations(2048, 2048),
            tiling.decode_activations(2048, 2048, tiled=False),
            tiling.encode_activations(2048, 2048, tiled=False),
        )
    )
    assert whole > budget  # the real size would not fit whole with this residency
    chosen = tiling.choose_tiling(2048, 2048, budget, planned.peak, encodes=True)
    assert chosen.fits and chosen.predicted_peak is not None
    assert chosen.predicted_peak <= budget
    assert chosen.decode_tiled and chosen.encode_tiled
    assert chosen.dit_tile == 128 and chosen.dit_tiles == 9  # 1024² tiles, overlapping by half
    note = chosen.note()
    assert note is not None and "9 overlapping tiles of 1024×1024" in note.text()
    text_to_image = tiling.choose_tiling(2048, 2048, budget, planned.peak)
    assert text_to_image.dit_tile == 128 and text_to_image.fits
    assert not text_to_image.encode_tiled  # nothing to encode


def test_the_encoder_visits_and_costs_no_resident_block_at_8_gb() -> None:
    planned = planned_for_the_real_model(8 * GIB)
    assert sum(planned.residency.dit) == 12  # as bench/README measured before edits existed
    assert planned.encoder_bytes == pytest.approx(65.4 * 2**20, rel=0.01)
    text_to_image = tiling.choose_tiling(1024, 1024, 8 * GIB, planned.peak)
    assert text_to_image == tiling.Tiling(
        1024, 1024, predicted_peak=planned.residency.predicted_peak, budget=8 * GIB
    )  # text to image at the planned size: nothing changes


def test_the_prediction_grows_with_the_real_token_count() -> None:
    planned = planned_for_the_real_model(8 * GIB)
    at_1024 = tiling.choose_tiling(1024, 1024, None, None)
    assert at_1024.predicted_peak is None  # no budget, nothing predicted, nothing tiled
    peaks = {}
    for side in (1024, 1536):
        acts = tiling.Activations(tiling.dit_activations(side, side), 0, 0)
        peaks[side] = planned.peak(acts)
    extra_tokens = (1536 // 16) ** 2 - (1024 // 16) ** 2
    expected = memory.DIT_ACTIVATION_PER_1K_TOKENS * extra_tokens / 1024
    assert peaks[1536] - peaks[1024] == pytest.approx(expected, rel=0.01)


def test_the_vae_is_tiled_before_the_transformer() -> None:
    # 8 GB, 1152²: tiling the VAE frees more than the transformer's activations grow.
    planned = planned_for_the_real_model(8 * GIB)
    chosen = tiling.choose_tiling(1152, 1152, 8 * GIB, planned.peak, encodes=True)
    assert chosen.dit_tile == 0 and chosen.decode_tiled and chosen.encode_tiled and chosen.fits
    # 20 GB (every block resident): even 2048² keeps the transformer whole.
    roomy = planned_for_the_real_model(20 * GIB)
    assert all(roomy.residency.dit)
    chosen = tiling.choose_tiling(2048, 2048, 20 * GIB, roomy.peak)
    assert chosen.dit_tile == 0 and chosen.decode_tiled and chosen.fits


def test_budgets_under_5_gb_decode_in_tiles_whatever_the_prediction() -> None:
    def roomy(activations: tiling.Activations) -> int:
        return 0

    assert tiling.choose_tiling(1024, 1024, 4 * GIB, roomy).decode_tiled
    assert not tiling.choose_tiling(512, 512, 4 * GIB, roomy).decode_tiled
    assert not tiling.choose_tiling(1024, 1024, 8 * GIB, roomy).decode_tiled


def test_a_resident_plan_tiles_only_what_the_card_lacks() -> None:
    peak = tiling.resident_peak("bf16")
    assert peak(tiling.Activations(0, memory.vae_activation_bytes(1024, 1024), 0)) == (
        pytest.approx(memory.PEAK_AT_1024["bf16"] * GIB, abs=1)
    )
    assert tiling.choose_tiling(2048, 2048, 79 * GIB, peak).summary().count("whole") == 3
    forty = tiling.choose_tiling(2048, 2048, 39 * GIB, peak)
    assert forty.decode_tiled and forty.dit_tile == 0 and forty.fits


def test_nothing_fits_gives_the_smallest_tiles_and_says_it_does_not_fit() -> None:
    chosen = tiling.choose_tiling(2048, 2048, 1 * GIB, lambda activations: 2 * GIB)
    assert chosen.dit_tile == 64 and not chosen.fits


@pytest.mark.parametrize(("length", "tile"), [(256, 128), (144, 128), (200, 96), (130, 64)])
def test_tile_starts_are_diffsynths_tiled_transformers(length: int, tile: int) -> None:
    from diffsynth.pipelines.flux_image import FastTileWorker

    seen: list[tuple[int, int]] = []

    def forward(top: int, bottom: int, left: int, right: int) -> torch.Tensor:
        seen.append((top, left))
        return torch.zeros(1, 1, bottom - top, right - left)

    FastTileWorker().tiled_forward(forward, torch.zeros(1, 1, length, tile), tile, tile // 2)
    assert [top for top, _ in seen] == tiling.tile_starts(length, tile, tile // 2)


def test_vae_tiles_cover_sizes_diffsynths_tiler_leaves_as_nan() -> None:
    from diffsynth.models.flux_vae import TileWorker

    def upscale(x: torch.Tensor) -> torch.Tensor:  # a decoder's shape: × 8, other channels
        return torch.cat([x, -x], dim=1).repeat_interleave(8, -1).repeat_interleave(8, -2)

    latents = torch.randn(1, 3, 144, 112)  # 1152×896 pixels
    plain = TileWorker().tiled_forward(upscale, latents, 64, 32, tile_device="cpu")
    assert plain.isnan().any()  # its Unfold drops the last 16 rows and columns
    out = tiling.tiled_run(upscale, latents, 64, 32, 8)
    assert out.shape == (1, 6, 1152, 896)
    assert torch.allclose(out, upscale(latents), atol=1e-5)  # a blend of equal tiles
    encoded = tiling.tiled_run(lambda x: x[..., ::8, ::8], out, 512, 256, 1 / 8)
    assert torch.allclose(encoded, upscale(latents)[..., ::8, ::8], atol=1e-5)


@pytest.mark.slow
def test_a_tiled_decode_of_an_odd_size_matches_the_whole_one(tiny_paths) -> None:
    # 640×528: 80×66 latents, lengths diffsynth's tiler (64 with a stride of 32) leaves partly
    # uncovered. Budgets under 5 GB decode in tiles.
    request = GenerationRequest("a tree", seed=12, width=640, height=528, steps=1)
    images, tiled = [], []
    for budget in (None, 4 * GIB):
        engine = Engine(device="cpu")
        engine.load(tiny_paths, "fp8", budget_bytes=budget)
        engine.pipe.vae_decoder.register_forward_pre_hook(
            lambda module, args, kwargs: tiled.append(bool(kwargs.get("tiled"))), with_kwargs=True
        )
        images.append(np.asarray(engine.generate(request).image).astype(int))
    assert tiled == [False, True]
    whole, tiles = images
    assert np.abs(whole - tiles).mean() < 3 and not np.array_equal(whole, tiles)
    assert np.abs(whole[-16:] - tiles[-16:]).mean() < 3  # the edges too: no NaN stripe
    assert np.abs(whole[:, -16:] - tiles[:, -16:]).mean() < 3


def test_the_loaded_plan_tiles_the_transformer_for_a_job_larger_than_planned(tiny_paths) -> None:
    # The tiny model's blocks are small, so what counts is the real model's activations per
    # token: a 2 GB budget holds a 1024² step whole, not a 1152² one.
    engine = Engine(device="cpu")
    engine.loras.reserve_bytes = 0  # no room set aside for LoRAs: the budget is the steps' alone
    engine.load(tiny_paths, "fp8", budget_bytes=2 * GIB)
    assert engine.tiling_for(1024, 1024).dit_tile == 0
    chosen = engine.tiling_for(1152, 1152)
    assert chosen.dit_tile == 128 and chosen.dit_tiles == 4 and chosen.fits
    assert chosen.predicted_peak is not None and chosen.predicted_peak <= 2 * GIB


@pytest.mark.slow
def test_a_tiled_transformer_runs_once_per_tile_and_step(engine: Engine, monkeypatch) -> None:
    request = GenerationRequest("a", seed=3, width=768, height=512, steps=2)
    whole = np.asarray(engine.generate(request).image).astype(int)
    decided = tiling.Tiling(768, 512, dit_tile=64, budget=GIB)  # 96×64 latents: 2 tiles
    monkeypatch.setattr(engine, "tiling_for", lambda width, height, encodes=False: decided)
    passes: list[int] = []
    hook = engine.pipe.dit.x_embedder.register_forward_hook(lambda *args: passes.append(1))
    try:
        result = engine.generate(request)
    finally:
        hook.remove()
    assert len(passes) == 2 * 2  # every step ran the transformer once per tile
    tiles = np.asarray(result.image).astype(int)
    assert tiles.shape == whole.shape and not np.array_equal(tiles, whole)
    assert "2 overlapping tiles of 512×512" in result.notes[-1].text()
    assert engine.pipe.model_fn.__name__ == "model_fn_flux_image"  # the wrapper is gone again


@pytest.mark.slow
def test_our_vae_tiles_match_diffsynths_where_its_tiles_cover(engine: Engine) -> None:
    """On sizes diffsynth's tiler covers, the same tiles give nearly its result, and no farther
    from the whole encode or decode than its own."""

    def apart(a: torch.Tensor, b: torch.Tensor) -> float:
        return float((a - b).norm() / b.norm())

    generator = torch.Generator().manual_seed(0)
    encoder, decoder = engine.pipe.vae_encoder, engine.pipe.vae_decoder
    cases = [
        (encoder, torch.rand(1, 3, 768, 512, generator=generator) * 2 - 1, 512, 256, 1 / 8),
        (decoder, torch.randn(1, 16, 96, 64, generator=generator), 64, 32, 8),
    ]
    with torch.no_grad():
        for module, sample, tile, stride, scale in cases:
            whole = type(module).forward(module, sample)
            theirs = type(module).forward(
                module, sample, tiled=True, tile_size=tile, tile_stride=stride
            )
            plain = functools.partial(type(module).forward, module)
            ours = tiling.tiled_run(plain, sample, tile, stride, scale)
            assert ours.shape == whole.shape
            assert apart(ours, theirs) < 0.05
            assert apart(ours, whole) <= apart(theirs, whole)

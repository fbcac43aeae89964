"""The real diffsynth pipeline, end to end, on the tiny random-weight model (CPU)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.core.results import Cancelled, Phase, Progress
from majicflux_desktop.engine import memory
from majicflux_desktop.engine.pipeline import Engine

SMALL = dict(width=256, height=256, steps=4)


def pixels(result) -> np.ndarray:
    return np.asarray(result.image)


def test_generates_an_image_with_timings(engine: Engine) -> None:
    result = engine.generate(GenerationRequest("a cat 橘猫", seed=1, **SMALL))
    image = pixels(result)
    assert image.shape == (256, 256, 3)
    assert image.std() > 1  # not a blank frame
    assert result.seed == 1 and result.plan == "bf16"
    t = result.timings
    assert t.total >= t.text_encode + t.denoise + t.decode > 0 and t.steps == 4
    assert t.seconds_per_step == pytest.approx(t.denoise / 4)
    assert result.peak_vram_bytes is None  # CPU
    assert result.model_name == "tiny-random" and result.model_hash


def test_same_seed_same_pixels_other_seed_other_pixels(engine: Engine) -> None:
    request = GenerationRequest("a lighthouse", seed=123, **SMALL)
    first, second = engine.generate(request), engine.generate(request)
    assert np.array_equal(pixels(first), pixels(second))
    other = engine.generate(request.with_seed(124))
    assert not np.array_equal(pixels(first), pixels(other))


def test_a_random_seed_is_chosen_once_per_image_and_recorded(engine: Engine) -> None:
    job = GenerationRequest("a lighthouse", count=2, **SMALL)
    with pytest.raises(ValueError, match="single_images"):
        engine.generate(job)  # the seed rule lives in single_images, not in the engine
    first, second = job.single_images()
    result = engine.generate(first)
    assert result.seed == first.seed and first.seed != second.seed
    again = engine.generate(GenerationRequest("a lighthouse", seed=result.seed, **SMALL))
    assert np.array_equal(pixels(result), pixels(again))


def test_progress_covers_encoding_every_step_and_decoding(engine: Engine) -> None:
    calls: list[Progress] = []
    engine.generate(GenerationRequest("a", seed=3, **SMALL), on_progress=calls.append)
    assert [(p.phase, p.step, p.total) for p in calls] == [
        (Phase.ENCODING, 0, 4),
        *((Phase.DENOISING, step, 4) for step in range(4)),
        (Phase.DECODING, 4, 4),
    ]
    assert all(p.eta_s is not None and p.eta_s >= 0 for p in calls[1:])


def test_eta_of_the_first_step_includes_the_decode_of_the_previous_run(engine: Engine) -> None:
    request = GenerationRequest("a", seed=3, width=272, height=256, steps=2)
    before = engine.generate(request)
    calls: list[Progress] = []
    engine.generate(request, on_progress=calls.append)
    assert calls[0].phase is Phase.ENCODING and calls[0].eta_s == pytest.approx(
        before.timings.total
    )
    first_step = calls[1]
    expected = before.timings.seconds_per_step * 2 + before.timings.decode
    assert first_step.eta_s == pytest.approx(expected)


def test_cancel_stops_within_a_step_and_the_next_run_is_identical(engine: Engine) -> None:
    request = GenerationRequest("a harbour at dawn", seed=99, width=256, height=256, steps=8)
    fresh = engine.generate(request)
    cancel = threading.Event()
    seen: list[int] = []

    def on_progress(progress: Progress) -> None:
        if progress.phase is Phase.DENOISING:
            seen.append(progress.step)
            if progress.step == 3:
                cancel.set()

    with pytest.raises(Cancelled):
        engine.generate(request, on_progress=on_progress, cancel=cancel)
    assert seen == [0, 1, 2, 3]  # step 3 was announced, step 4 never ran
    assert np.array_equal(pixels(engine.generate(request)), pixels(fresh))


def test_cancel_before_start(engine: Engine) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        engine.generate(GenerationRequest("a", seed=1, **SMALL), cancel=cancel)


def test_preview_images_arrive_per_step(engine: Engine) -> None:
    previews = []
    engine.generate(
        GenerationRequest("a", seed=5, **SMALL),
        on_preview=lambda step, image: previews.append(image),
    )
    assert len(previews) == 4
    assert previews[-1].size == (32, 32)  # latent resolution; the UI scales it
    assert "step" not in engine.pipe.__dict__  # the wrapper is gone again


def test_cfg_and_negative_prompt_change_the_image(engine: Engine) -> None:
    base = GenerationRequest("a cat", seed=8, **SMALL)
    with_negative = GenerationRequest(
        "a cat", negative_prompt="dog", cfg_scale=3.0, seed=8, **SMALL
    )
    assert not np.array_equal(pixels(engine.generate(base)), pixels(engine.generate(with_negative)))


def test_non_square_sizes(engine: Engine) -> None:
    result = engine.generate(GenerationRequest("a", seed=1, width=384, height=256, steps=2))
    assert result.image.size == (384, 256)


@pytest.mark.slow
def test_prints_of_diffsynth_stay_out_of_the_console(tiny_paths, capfd) -> None:
    engine = Engine(device="cpu")
    engine.load(tiny_paths, "fp8")
    engine.generate(GenerationRequest("a", seed=1, width=264 - 8, height=256, steps=1))
    out, err = capfd.readouterr()
    assert "Loading models" not in out + err and "DiffSynth" not in out + err


@pytest.mark.slow
@pytest.mark.parametrize("plan", list(memory.PLANS))
def test_every_plan_runs_on_cpu_and_gives_the_same_image(tiny_paths, plan: str) -> None:
    reference = Engine(device="cpu")
    reference.load(tiny_paths, "bf16")
    request = GenerationRequest("a tree", seed=11, **SMALL)
    expected = pixels(reference.generate(request))
    engine = Engine(device="cpu")
    report = engine.load(tiny_paths, plan, budget_bytes=0)
    assert report.plan == plan and engine.model_name == "tiny-random"
    image = pixels(engine.generate(request))
    if plan == "fp8-stream":
        # T5 is stored in float8 too: close to bf16, not equal.
        difference = np.abs(image.astype(int) - expected.astype(int))
        assert 0 < difference.mean() < 10
        assert np.corrcoef(image.ravel(), expected.ravel())[0, 1] > 0.95
    else:
        # The tiny DiT file is float8 like the real one, so bf16 and fp8 plans see the same weights.
        assert np.array_equal(image, expected)


@pytest.mark.slow
def test_small_budgets_decode_in_tiles_with_the_same_picture(tiny_paths) -> None:
    # At 1024x1024 the VAE's whole-image activations (2.1 GB) would not fit a 4 GB budget.
    request = GenerationRequest("a tree", seed=12, width=1024, height=1024, steps=1)
    images, tiled = [], []
    for budget in (None, 4 * memory.GIB):
        engine = Engine(device="cpu")
        engine.load(tiny_paths, "fp8", budget_bytes=budget)
        engine.pipe.vae_decoder.register_forward_pre_hook(
            lambda module, args, kwargs: tiled.append(bool(kwargs.get("tiled"))), with_kwargs=True
        )
        images.append(pixels(engine.generate(request)).astype(int))
    assert tiled == [False, True]
    whole, tiles = images
    assert np.abs(whole - tiles).mean() < 3 and not np.array_equal(whole, tiles)


@pytest.mark.slow
def test_out_of_memory_falls_back_once_and_says_so(tiny_paths, monkeypatch) -> None:
    monkeypatch.setenv("MAJICFLUX_INJECT_OOM", "bf16")
    engine = Engine(device="cpu")
    engine.load(tiny_paths, "bf16")
    result = engine.generate(GenerationRequest("a", seed=1, **SMALL))
    assert result.plan == "fp8" and engine.plan == "fp8"
    assert "Out of GPU memory with the bf16 plan; switched to fp8" in result.notes[0].text()


@pytest.mark.slow
def test_out_of_memory_when_nothing_fits_names_card_plan_and_size(tiny_paths, monkeypatch) -> None:
    monkeypatch.setenv("MAJICFLUX_INJECT_OOM", "fp8-offload,fp8-stream")
    engine = Engine(device="cpu")
    engine.load(tiny_paths, "fp8-offload")
    with pytest.raises(UserError) as info:
        engine.generate(GenerationRequest("a", seed=1, **SMALL))
    text = info.value.text()
    assert "fp8-stream" in text and "256×256" in text and "GB" in text and "smaller size" in text
    assert engine.plan == "fp8-stream" and "the one that needs least" in text
    assert "pick the fp8-stream plan" not in text  # it has it already
    monkeypatch.delenv("MAJICFLUX_INJECT_OOM")  # the other program let go of the GPU
    assert pixels(engine.generate(GenerationRequest("a", seed=1, **SMALL))).std() > 1


def test_load_refuses_pickles_before_diffsynth_sees_them(tiny_paths, tmp_path: Path) -> None:
    import dataclasses
    import pickle

    evil = tmp_path / "majicflus.ckpt"
    evil.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(UserError, match=r"only \.safetensors"):
        Engine(device="cpu").load(dataclasses.replace(tiny_paths, dit=evil), "bf16")


@pytest.mark.slow
def test_a_plan_that_does_not_load_falls_back_and_says_so(tiny_paths, monkeypatch) -> None:
    monkeypatch.setenv("MAJICFLUX_INJECT_OOM", "load:bf16")
    engine = Engine(device="cpu")
    report = engine.load(tiny_paths, "bf16")
    assert report.plan == "fp8" and engine.plan == "fp8"
    assert "switched to fp8" in report.notes[0].text()
    assert pixels(engine.generate(GenerationRequest("a", seed=1, **SMALL))).std() > 1


@pytest.mark.slow
def test_when_nothing_loads_the_message_names_the_fix(tiny_paths, monkeypatch) -> None:
    plans = ",".join(f"load:{plan}" for plan in memory.PLANS)
    monkeypatch.setenv("MAJICFLUX_INJECT_OOM", plans)
    engine = Engine(device="cpu")
    with pytest.raises(UserError, match="do not fit this card") as info:
        engine.load(tiny_paths, "bf16")
    assert "VRAM budget in Settings" in info.value.text()


def test_a_repeated_prompt_skips_both_text_encoders_and_gives_the_same_image(
    engine: Engine,
) -> None:
    calls: list[str] = []
    encoders = {"clip": engine.pipe.text_encoder_1, "t5": engine.pipe.text_encoder_2}
    hooks = [
        module.register_forward_hook(lambda *args, name=name: calls.append(name))
        for name, module in encoders.items()
    ]
    try:
        request = GenerationRequest("a prompt only this test uses 只此一次", seed=7, **SMALL)
        first = engine.generate(request)
        assert set(calls) == {"clip", "t5"}
        calls.clear()
        again = engine.generate(request)
        assert calls == []
        assert np.array_equal(pixels(first), pixels(again))
        engine.generate(request.with_seed(8))  # a re-roll: another seed, the same prompt
        assert calls == []
        engine.generate(GenerationRequest("another prompt 另一个", seed=7, **SMALL))
        assert set(calls) == {"clip", "t5"}
    finally:
        for hook in hooks:
            hook.remove()


def test_t5_streamed_from_its_file_gives_the_same_image_and_the_file_is_kept(
    tiny_paths, tmp_path: Path, monkeypatch
) -> None:
    from majicflux_desktop.engine import placement

    request = GenerationRequest("a tree", seed=11, **SMALL)
    in_memory = Engine(device="cpu")
    in_memory.load(tiny_paths, "fp8-stream", budget_bytes=0)
    expected = pixels(in_memory.generate(request))
    cache = tmp_path / "cache"
    engine = Engine(device="cpu")
    engine.weight_cache_dir = cache
    engine.load(tiny_paths, "fp8-stream", budget_bytes=0)
    t5 = [u for u in engine.streamer.units if u.model == "t5"]
    assert t5 and all(u.spilled >= 0 and u.storage.device.type == "meta" for u in t5)
    assert np.array_equal(pixels(engine.generate(request)), expected)
    # a new prompt reads the file again
    other = GenerationRequest("a river", seed=11, **SMALL)
    assert np.array_equal(pixels(engine.generate(other)), pixels(in_memory.generate(other)))
    (written,) = cache.glob("t5-*.safetensors")
    stamp = written.stat().st_mtime_ns
    engine.unload()
    unread: list[str] = []
    load = placement.DiskWeights.load

    def reading(self, module, recurse=True, linear_weights=True):  # type: ignore[no-untyped-def]
        if not linear_weights:
            unread.append(type(module).__name__)
        return load(self, module, recurse, linear_weights)

    monkeypatch.setattr(placement.DiskWeights, "load", reading)
    again = Engine(device="cpu")
    again.weight_cache_dir = cache
    again.load(tiny_paths, "fp8-stream", budget_bytes=0)
    assert written.stat().st_mtime_ns == stamp  # the next start reads it, does not write it
    # nor the T5 blocks' Linear weights in the model files (the transformer's are read apart)
    assert unread.count("T5Block") == 2
    assert np.array_equal(pixels(again.generate(request)), expected)
    # a changed T5 file is packed and written again, under another name
    os.utime(tiny_paths.t5[0], ns=(stamp, stamp + 10**9))
    again.unload()
    third = Engine(device="cpu")
    third.weight_cache_dir = cache
    third.load(tiny_paths, "fp8-stream", budget_bytes=0)
    (rewritten,) = cache.glob("t5-*.safetensors")
    assert rewritten != written


@pytest.mark.slow
@pytest.mark.parametrize("plan", ["fp8", "fp8-stream"])
def test_weights_read_block_by_block_give_the_image_of_a_whole_model_load(
    tiny_paths, plan: str, monkeypatch
) -> None:
    from majicflux_desktop.engine import placement

    request = GenerationRequest("a tree", seed=11, **SMALL)
    whole = Engine(device="cpu")
    whole.lean_load = False
    whole.load(tiny_paths, plan, budget_bytes=0)
    read: list[str] = []
    load = placement.DiskWeights.load

    def reading(self, module, recurse=True, linear_weights=True):  # type: ignore[no-untyped-def]
        if recurse:
            read.append(type(module).__name__)
        return load(self, module, recurse, linear_weights)

    monkeypatch.setattr(placement.DiskWeights, "load", reading)
    lean = Engine(device="cpu")
    lean.load(tiny_paths, plan, budget_bytes=0)
    # each transformer and T5 block was read on its own, as it was packed
    assert (
        read
        == ["FluxJointTransformerBlock"] * 2 + ["FluxSingleTransformerBlock"] * 2 + ["T5Block"] * 2
    )
    for engine in (whole, lean):
        assert not any(p.is_meta for p in engine.pipe.dit.parameters() if p is not None)
    assert np.array_equal(pixels(lean.generate(request)), pixels(whole.generate(request)))


def test_a_load_reports_its_phases_in_order(tiny_paths) -> None:
    """bench.case records them: where a streamed load's seconds go (issue 16, section 2)."""
    report = Engine(device="cpu").load(tiny_paths, "fp8-stream", budget_bytes=0)
    assert [name for name, _ in report.phases] == [
        "diffsynth built the models",
        "transformer read and packed",
        "T5 built",
        "T5 read and packed",
        "CLIP and VAE placed, workspace taken",
        "patches",
        "LoRA hooks and the model's fingerprint",
        "compiled maths set up",
    ]
    assert all(seconds >= 0 for _, seconds in report.phases)
    assert sum(seconds for _, seconds in report.phases) <= report.seconds + 0.01
    resident = Engine(device="cpu").load(tiny_paths, "bf16")
    assert [name for name, _ in resident.phases] == [
        "diffsynth built the models",
        "patches",
        "LoRA hooks and the model's fingerprint",
        "compiled maths set up",
    ]


def test_the_transformers_float8_weights_go_from_the_file_straight_into_their_place(
    tiny_paths, monkeypatch
) -> None:
    """One copy, by several threads, instead of diffsynth's read, clone and the packing copy; the
    images of every plan stay the same (test_every_plan_runs_on_cpu_and_gives_the_same_image)."""
    from majicflux_desktop.engine import placement

    direct: list[str] = []
    loaded: list[str] = []
    read, load = placement.DiskWeights.read, placement.DiskWeights.load

    def reading(self, linear, target):  # type: ignore[no-untyped-def]
        queued = read(self, linear, target)
        direct.append(self.names[id(linear)]) if queued is not None else None
        return queued

    def loading(self, module, recurse=True, linear_weights=True):  # type: ignore[no-untyped-def]
        if isinstance(module, torch.nn.Linear):
            loaded.append(self.names[id(module)])
        return load(self, module, recurse, linear_weights)

    monkeypatch.setattr(placement.DiskWeights, "read", reading)
    monkeypatch.setattr(placement.DiskWeights, "load", loading)
    engine = Engine(device="cpu")
    engine.load(tiny_paths, "fp8-stream", budget_bytes=0)
    dit = engine.pipe.dit
    linears = [
        m for block in [*dit.blocks, *dit.single_blocks] for m in block.modules()
        if isinstance(m, torch.nn.Linear)
    ]  # fmt: skip
    assert len([name for name in direct if "blocks" in name]) == len(linears)
    assert not [name for name in loaded if "blocks" in name]  # T5's bf16 weights: cast on load
    assert any(name.startswith("encoder.block") for name in loaded)


def test_resident_t5_blocks_come_from_its_file_at_a_later_start(
    tiny_paths, tmp_path: Path, monkeypatch
) -> None:
    """A budget that keeps T5's blocks on the GPU (the 12 GB plan keeps most) reads them from the
    file written at the first start, not cast again from the model files."""
    from majicflux_desktop.engine import placement

    request = GenerationRequest("a hill", seed=12, **SMALL)
    first = Engine(device="cpu")
    first.weight_cache_dir = tmp_path / "cache"
    first.load(tiny_paths, "fp8-stream")  # no budget on the CPU: every block resident
    assert all(u.resident for u in first.streamer.units)
    expected = pixels(first.generate(request))
    first.unload()
    linears_loaded: list[str] = []
    load = placement.DiskWeights.load

    def loading(self, module, recurse=True, linear_weights=True):  # type: ignore[no-untyped-def]
        parts = module.modules() if recurse else [module]
        if linear_weights and any(isinstance(m, torch.nn.Linear) for m in parts):
            linears_loaded.append(self.names[id(module)])
        return load(self, module, recurse, linear_weights)

    monkeypatch.setattr(placement.DiskWeights, "load", loading)
    later = Engine(device="cpu")
    later.weight_cache_dir = tmp_path / "cache"
    later.load(tiny_paths, "fp8-stream")
    assert not [name for name in linears_loaded if name.startswith("encoder.block")]
    t5 = [u for u in later.streamer.units if u.model == "t5"]
    assert t5 and all(u.resident and u.spilled == -1 for u in t5)
    assert np.array_equal(pixels(later.generate(request)), expected)

"""LoRAs through the real diffsynth pipeline on the tiny model (CPU, float32).

References are made the other way: each tiny file's weight change (written by tiny_loras from the
format's own conventions) is merged into a copy of the transformer's weights, and the side branches
must give that image.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import torch

from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.request import GenerationRequest, LoraUse
from majicflux_desktop.engine import memory, tiny_loras
from majicflux_desktop.engine.pipeline import Engine
from majicflux_desktop.engine.tiny_loras import TinyLora

SMALL = dict(width=256, height=256, steps=2)
PROMPT = "a lighthouse on a cliff"


@pytest.fixture(scope="module")
def lora_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, TinyLora]]:
    folder = tmp_path_factory.mktemp("loras")
    refs = tiny_loras.write_all(folder)
    tiny_loras.sdxl(folder / "sdxl.safetensors")
    return folder, refs


@pytest.fixture(scope="module")
def engine(tiny_paths, lora_dir) -> Engine:
    engine = Engine(device="cpu")
    engine.load(tiny_paths, "bf16")
    engine.set_lora_folders([lora_dir[0]])
    return engine


@pytest.fixture(scope="module")
def plain(engine: Engine) -> np.ndarray:
    """The picture of `request()` without LoRAs."""
    return pixels(engine, request())


def request(*loras: tuple[str, float], prompt: str = PROMPT) -> GenerationRequest:
    uses = tuple(LoraUse(f"tiny-{name}", weight) for name, weight in loras)
    return GenerationRequest(prompt, seed=5, loras=uses, **SMALL)  # type: ignore[arg-type]


def pixels(engine: Engine, req: GenerationRequest) -> np.ndarray:
    return np.asarray(engine.generate(req).image).astype(int)


@contextmanager
def merged(engine: Engine, stack: Sequence[tuple[TinyLora, float]]) -> Iterator[None]:
    """The LoRAs merged into the transformer's float32 weights (DoRA against the base weight)."""
    modules = dict(engine.pipe.dit.named_modules())
    saved: dict[str, torch.Tensor] = {}
    try:
        with torch.no_grad():
            for lora, weight in stack:
                for name, delta in lora.deltas.items():
                    w = modules[name].weight
                    saved.setdefault(name, w.detach().clone())
                    w += weight * delta
                for name, (delta, magnitude, axis) in lora.dora.items():
                    w = modules[name].weight
                    base = saved.setdefault(name, w.detach().clone())
                    direction = base + delta
                    if axis == "out":
                        decomposed = magnitude[:, None] * direction / direction.norm(dim=1, keepdim=True)  # fmt: skip
                    else:
                        decomposed = magnitude[None, :] * direction / direction.norm(dim=0, keepdim=True)  # fmt: skip
                    w += weight * (decomposed - base)
        yield
    finally:
        with torch.no_grad():
            for name, weight_before in saved.items():
                modules[name].weight.copy_(weight_before)


def assert_same_picture(side: np.ndarray, reference: np.ndarray) -> None:
    """Float32 side branches against merged weights: the sums differ in rounding only."""
    difference = np.abs(side - reference)
    assert difference.max() <= 2 and difference.mean() < 0.02, (difference.max(), difference.mean())


@pytest.mark.slow
@pytest.mark.parametrize("layout", list(tiny_loras.WRITERS))
def test_each_layout_changes_the_image_as_its_merged_weights_do(
    engine: Engine, lora_dir, plain: np.ndarray, layout: str
) -> None:
    refs = lora_dir[1]
    with_lora = pixels(engine, request((layout, 0.7)))
    assert np.abs(with_lora - plain).mean() > 2  # visibly changed
    with merged(engine, [(refs[layout], 0.7)]):
        reference = pixels(engine, request())
    assert_same_picture(with_lora, reference)


def test_a_stack_of_six_equals_their_changes_merged_together(engine: Engine, lora_dir) -> None:
    refs = lora_dir[1]
    stack = [("kohya", 0.8), ("peft", -0.5), ("lokr", 1.3), ("loha", 0.6), ("dora", -1.2),
             ("peft-q-v", 2.0)]  # fmt: skip
    side = pixels(engine, request(*stack))
    with merged(engine, [(refs[name], weight) for name, weight in stack]):
        reference = pixels(engine, request())
    assert_same_picture(side, reference)
    without_one = pixels(engine, request(*stack[:-1]))
    assert np.abs(side - without_one).mean() > 1


def test_weight_zero_and_disabled_give_exactly_the_lora_free_image(
    engine: Engine, plain: np.ndarray
) -> None:
    engine.generate(request(("kohya", 1.0)))  # on, then off again
    off = (LoraUse("tiny-kohya", 0.0), LoraUse("tiny-peft", 1.0, enabled=False))
    result = engine.generate(GenerationRequest(PROMPT, seed=5, loras=off, **SMALL))  # type: ignore[arg-type]
    assert np.array_equal(np.asarray(result.image).astype(int), plain) and result.loras == ()
    assert engine.loras.stack is not None and engine.loras.stack.changed_modules == []


def test_q_v_only_lora_leaves_k_alone(engine: Engine) -> None:
    engine.generate(request(("peft-q-v", 1.0)))
    assert engine.loras.stack is not None
    patches = engine.loras.stack.patches()["tiny-peft-q-v"]
    fused = [p.rows for p in patches if p.module == "blocks.0.attn.a_to_qkv"]
    assert sorted(fused) == [(0, 64), (128, 192)]  # type: ignore[type-var]


@pytest.mark.slow
def test_per_layer_alpha_and_peft_metadata_alpha_scale_the_layers(engine: Engine, lora_dir) -> None:
    # The same tensors without the metadata (alpha 8 at rank 4 -> 2x, proj_mlp's alpha 2 ->
    # 0.5x) must give another picture; the reference with the metadata's scales is the test above.
    folder = lora_dir[0]
    tiny_loras.peft(folder / "tiny-peft-bare.safetensors", metadata=False)
    engine.loras.index.scan()  # type: ignore[union-attr]
    with_metadata = pixels(engine, request(("peft", 1.0)))
    bare = pixels(engine, request(("peft-bare", 1.0)))
    assert np.abs(with_metadata - bare).mean() > 1
    with merged(engine, [(lora_dir[1]["peft"], 1.0)]):
        assert_same_picture(with_metadata, pixels(engine, request()))
    applied = engine.generate(request(("kohya", 1.0))).loras[0]
    assert (applied.layers_matched, applied.layers_total) == (7, 8)


def test_switching_loras_never_reloads_the_model_or_reencodes_the_prompt(
    engine: Engine, lora_dir
) -> None:
    pipe = engine.pipe
    parameters = {name: (p, p.detach().clone()) for name, p in pipe.dit.named_parameters()}
    encoded: list[str] = []
    hooks = [
        module.register_forward_hook(lambda *args, name=name: encoded.append(name))
        for name, module in (("clip", pipe.text_encoder_1), ("t5", pipe.text_encoder_2))
    ]
    try:
        prompt = {"prompt": "a prompt only the switching test uses"}
        plain = pixels(engine, request(**prompt))
        assert set(encoded) == {"clip", "t5"}
        encoded.clear()
        conversions = engine.loras.cache.conversions
        times = []
        for stack in ([("kohya", 1.0)], [("kohya", 0.4)], [("kohya", 0.4), ("dora", 1.0)],
                      [("lokr", -1.0)], [("kohya", 1.0)]):  # fmt: skip
            started = time.perf_counter()
            engine.generate(request(*stack, **prompt))
            times.append(engine.loras.stack.last_apply_s)  # type: ignore[union-attr]
            assert time.perf_counter() - started > times[-1]
        assert encoded == []  # the prompt cache held across every LoRA change
        assert engine.loras.cache.conversions - conversions <= 3  # each file converted once
        assert max(times) < 0.5, times
        after = pixels(engine, request(**prompt))
        assert np.array_equal(after, plain)  # the LoRAs came off
        assert engine.pipe is pipe
        for name, (parameter, before) in parameters.items():
            now = dict(pipe.dit.named_parameters())[name]
            assert now is parameter and torch.equal(now, before), name
    finally:
        for hook in hooks:
            hook.remove()


def test_a_missing_or_refused_lora_fails_the_image_and_the_next_one_is_clean(
    engine: Engine, plain: np.ndarray
) -> None:
    engine.generate(request(("kohya", 1.0)))
    with pytest.raises(UserError, match="“tiny-gone” is not in the LoRA folders"):
        engine.generate(request(("kohya", 1.0), ("gone", 1.0)))
    assert engine.loras.stack.changed_modules == []  # type: ignore[union-attr]
    refused = GenerationRequest(PROMPT, seed=5, loras=(LoraUse("sdxl"),), **SMALL)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="is a LoRA for SDXL"):
        engine.generate(refused)
    assert np.array_equal(pixels(engine, request()), plain)


def test_a_lora_is_found_by_its_hash_under_another_name(engine: Engine, lora_dir) -> None:
    index = engine.loras.index
    assert index is not None
    digest = index.sha256(lora_dir[0] / "tiny-xlabs.safetensors")
    use = LoraUse("xlabs style v1", 1.0, sha256=digest[:10])
    result = engine.generate(GenerationRequest(PROMPT, seed=5, loras=(use,), **SMALL))  # type: ignore[arg-type]
    assert result.loras[0].name == "tiny-xlabs" and result.loras[0].sha256 == digest
    assert np.array_equal(np.asarray(result.image).astype(int), pixels(engine, request(("xlabs", 1.0))))  # fmt: skip
    # the request as made carries the full hash: a re-roll or a reuse finds this file first
    assert result.request.loras == (LoraUse("xlabs style v1", 1.0, sha256=digest),)


def test_the_request_made_records_each_applied_loras_hash(engine: Engine, lora_dir) -> None:
    index = engine.loras.index
    assert index is not None
    off = LoraUse("tiny-peft", 1.0, enabled=False)
    made = engine.generate(
        GenerationRequest(PROMPT, seed=5, loras=(LoraUse("tiny-kohya", 0.5), off), **SMALL)  # type: ignore[arg-type]
    ).request
    kohya = index.sha256(lora_dir[0] / "tiny-kohya.safetensors")
    assert made.loras == (LoraUse("tiny-kohya", 0.5, kohya), off)  # one that is off: as it was


@pytest.mark.slow
def test_an_index_made_elsewhere_is_the_one_the_engine_resolves_in(
    tiny_paths, lora_dir, tmp_path: Path
) -> None:
    """The app makes one index for the window and the engine; its hashes are shared."""
    from majicflux_desktop.engine.loras import HashCache, LoraIndex

    shared = LoraIndex([lora_dir[0]], tiny=True, hash_cache=HashCache(tmp_path))
    engine = Engine(device="cpu")
    engine.use_lora_index(shared)
    engine.load(tiny_paths, "bf16")
    assert engine.loras.index is shared and shared.tiny
    result = engine.generate(request(("peft", 1.0)))
    digest = result.loras[0].sha256
    assert shared.hashes.known(lora_dir[0] / "tiny-peft.safetensors") == digest


def test_one_file_under_two_names_adds_its_weights(engine: Engine, lora_dir) -> None:
    copy = lora_dir[0] / "tiny-kohya-copy.safetensors"
    copy.write_bytes((lora_dir[0] / "tiny-kohya.safetensors").read_bytes())
    engine.loras.index.scan()  # type: ignore[union-attr]
    both = pixels(engine, request(("kohya", 0.5), ("kohya-copy", 0.25)))
    assert np.array_equal(both, pixels(engine, request(("kohya", 0.75))))
    copy.unlink()
    engine.loras.index.scan()  # type: ignore[union-attr]


def test_text_encoder_parts_are_noted_on_the_image(engine: Engine) -> None:
    result = engine.generate(request(("kohya", 1.0)))
    assert any("applied to the transformer only" in note.text() for note in result.notes)


STACK = (("kohya", 0.9), ("dora", 1.0), ("lokr", 0.8), ("loha", -0.7), ("peft-q-v", 1.1))


@pytest.mark.slow
@pytest.mark.parametrize("plan", ["fp8", "fp8-offload"])
def test_every_plan_gives_the_bf16_plans_picture_with_loras(
    tiny_paths, lora_dir, engine: Engine, plan: str
) -> None:
    other = Engine(device="cpu")
    other.load(tiny_paths, plan)
    other.set_lora_folders([lora_dir[0]])
    image, reference = pixels(other, request(*STACK)), pixels(engine, request(*STACK))
    if plan == "fp8":  # its blocks are upcast at each run: plain LoRAs are folded into the
        # upcast weights (lora_fold), the same sum rounded in another order
        assert other.streamer is not None and other.streamer.stats["folds"] > 0
        assert np.abs(image - reference).max() <= 1 and (image != reference).mean() < 1e-3
    else:
        assert np.array_equal(image, reference)


@pytest.mark.slow
@pytest.mark.parametrize("int8", [False, True], ids=["full-pairs", "int8-pairs"])
def test_a_lora_on_streamed_blocks_gives_what_it_gives_on_resident_ones(
    tiny_paths, lora_dir, monkeypatch: pytest.MonkeyPatch, int8: bool
) -> None:
    """Also with the LoRA pairs in int8, as on a GPU whose budget streams blocks."""
    # The budget decides the residency. The planned VAE decode (larger than the tiny
    # transformer's blocks) must not depend on it: no tiled decode, whatever the budget.
    monkeypatch.setattr(memory, "TILED_DECODE_BELOW", 0)
    resident = Engine(device="cpu")
    resident.loras.int8_pairs = int8
    resident.load(tiny_paths, "fp8-stream")
    assert resident.streamer is not None and all(resident.streamer.residency.dit)  # type: ignore[attr-defined]
    everything = resident.streamer.residency.predicted_peak  # type: ignore[attr-defined]
    t5 = sum(u.nbytes for u in resident.streamer.units if u.model == "t5")
    streamed = Engine(device="cpu")  # transformer blocks are kept before T5's: one must go
    streamed.loras.int8_pairs = int8
    streamed.load(tiny_paths, "fp8-stream", budget_bytes=everything - t5 - 1)
    assert streamed.loras.stack is not None and streamed.loras.stack.int8 == int8
    mask = streamed.streamer.residency.dit  # type: ignore[union-attr]
    assert any(mask) and not all(mask)  # some blocks stream, some stay
    for each in (resident, streamed):
        each.set_lora_folders([lora_dir[0]])
    before = streamed.streamer.stats["copies"]  # type: ignore[union-attr]
    image = pixels(streamed, request(*STACK))
    assert streamed.streamer.stats["copies"] > before  # type: ignore[union-attr]
    # on the CPU every block is upcast at each run: plain pairs are folded into the weights
    assert streamed.streamer.stats["folds"] > 0  # type: ignore[union-attr]
    held = {
        pair[1].dtype
        for module in streamed.pipe.dit.modules()
        for pair in module.__dict__.get("lora_pairs", ())
    }
    assert held == {torch.int8 if int8 else torch.float32}
    assert np.array_equal(image, pixels(resident, request(*STACK)))
    assert not np.array_equal(image, pixels(streamed, request()))


@pytest.mark.slow
def test_folded_loras_switch_between_images_and_come_off_exactly(tiny_paths, lora_dir) -> None:
    """Where blocks are upcast at each run (every block on the CPU; bf16 maths on a GPU), plain
    LoRAs are added to the upcast weights (lora_fold): the side branches' picture but for
    rounding; after a switch the picture a fresh engine makes with the new stack, and without
    LoRAs the LoRA-free one, exactly (the stored weights are never changed)."""
    engines = [Engine(device="cpu"), Engine(device="cpu"), Engine(device="cpu")]
    engines[2].loras.fold = False
    for each in engines:
        each.load(tiny_paths, "fp8-stream")
        each.set_lora_folders([lora_dir[0]])
    engine, fresh, side = engines
    assert engine.streamer is not None
    plain = pixels(engine, request())
    first = pixels(engine, request(("kohya", 0.9)))
    assert engine.streamer.stats["folds"] > 0
    switched = (("peft-q-v", 1.1), ("kohya", -0.4))
    second = pixels(engine, request(*switched))
    assert not np.array_equal(second, first) and not np.array_equal(second, plain)
    assert np.array_equal(second, pixels(fresh, request(*switched)))
    assert np.abs(second - pixels(side, request(*switched))).max() <= 1
    assert side.streamer is not None and side.streamer.stats["folds"] == 0
    assert np.array_equal(pixels(engine, request()), plain)


@pytest.mark.slow
def test_int8_pairs_give_the_full_pairs_picture_but_for_rounding(tiny_paths, lora_dir) -> None:
    """A plan that streams blocks on a GPU holds its LoRA pairs in int8: half the bytes, so a
    block more stays resident, or half as much rides the bus with the streamed ones. Its picture
    is the full pairs' but for their rounding: far nearer to it than to the LoRA-free picture
    (the tiny model's LoRAs change it far more than real ones do), and the LoRA-free picture
    comes back exactly after."""
    engines = {}
    for int8 in (False, True):
        engines[int8] = Engine(device="cpu")
        engines[int8].loras.int8_pairs = int8
        engines[int8].load(tiny_paths, "fp8-stream")
        engines[int8].set_lora_folders([lora_dir[0]])
    plain = pixels(engines[False], request())
    full = pixels(engines[False], request(*STACK))
    rounded = pixels(engines[True], request(*STACK))
    rounding, effect = np.abs(rounded - full).mean(), np.abs(full - plain).mean()
    assert 0 < rounding < effect / 20, (rounding, effect)
    assert np.array_equal(pixels(engines[True], request()), plain)


@pytest.mark.slow
def test_the_memory_plan_counts_the_loras(tiny_paths, lora_dir) -> None:
    plain, reserving = Engine(device="cpu"), Engine(device="cpu")
    plain.loras.reserve_bytes = 0
    reserving.loras.reserve_bytes = 3 * 2**20
    for engine in (plain, reserving):
        engine.load(tiny_paths, "fp8-stream")
        engine.set_lora_folders([lora_dir[0]])
    peaks = [e.streamer.residency.predicted_peak for e in (plain, reserving)]  # type: ignore[union-attr]
    assert peaks[1] - peaks[0] == 3 * 2**20
    plain.generate(request(("kohya", 1.0), ("loha", 1.0)))
    file_bytes = sum(
        tensor.numel() * 4  # float32 on the CPU
        for name in ("kohya", "loha")
        for tensor in _converted(plain, name)
    )
    assert plain.loras.nbytes == file_bytes > 0
    assert plain.loras.planned_bytes == file_bytes  # above the (zero) reserve: counted as is
    assert (
        memory.LORA_RESERVE > 0 and Engine(device="cpu").loras.planned_bytes == memory.LORA_RESERVE
    )


def _converted(engine: Engine, name: str) -> list[torch.Tensor]:
    assert engine.loras.stack is not None
    return [t for patch in engine.loras.stack.patches()[f"tiny-{name}"] for t in patch.tensors()]


@pytest.mark.slow
def test_loras_beyond_the_reserve_stream_resident_blocks_and_the_budget_holds(
    tiny_paths, lora_dir, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan left no room for LoRAs and the budget is exactly what everything resident
    needs: applying LoRAs moves resident transformer blocks to host memory (they stream from
    then on) until the predicted peak is within the budget again. Nothing is reloaded and the
    picture is the one an unconstrained engine makes."""
    monkeypatch.setattr(memory, "TILED_DECODE_BELOW", 0)
    free = Engine(device="cpu")
    free.loras.reserve_bytes = 0
    free.load(tiny_paths, "fp8-stream")
    free.set_lora_folders([lora_dir[0]])
    tight = Engine(device="cpu")
    tight.loras.reserve_bytes = 0
    everything = free.streamer.residency.predicted_peak  # type: ignore[union-attr]
    tight.load(tiny_paths, "fp8-stream", budget_bytes=everything)
    tight.set_lora_folders([lora_dir[0]])
    streamer = tight.streamer
    assert streamer is not None and all(streamer.residency.dit)  # type: ignore[attr-defined]
    weights = {id(p) for p in tight.pipe.dit.parameters()}
    image = pixels(tight, request(*STACK))
    mask = streamer.residency.dit  # type: ignore[attr-defined]
    assert not all(mask) and any(mask)  # some blocks made room, the rest stayed
    assert streamer.residency.predicted_peak <= everything  # type: ignore[attr-defined]
    assert streamer.planned.space.loras > 0  # type: ignore[attr-defined]  # counted from now on
    assert tight.streamer is streamer and {id(p) for p in tight.pipe.dit.parameters()} == weights
    assert np.array_equal(image, pixels(free, request(*STACK)))
    assert np.array_equal(pixels(tight, request()), pixels(free, request()))  # LoRA-free again


@pytest.mark.slow
@pytest.mark.parametrize("int8", [False, True], ids=["full-pairs", "int8-pairs"])
def test_loras_with_no_room_even_when_every_block_streams_wait_in_host_memory(
    tiny_paths, lora_dir, monkeypatch: pytest.MonkeyPatch, int8: bool
) -> None:
    """A budget so small that streaming every block leaves no room for the LoRAs (a 4 GB card
    with a large stack): the LoRAs wait in host memory, count nothing against the card, and
    the picture is still the one an unconstrained engine makes. A stack that fits again goes
    back on the card."""
    monkeypatch.setattr(memory, "TILED_DECODE_BELOW", 0)
    free = Engine(device="cpu")
    free.loras.int8_pairs = int8
    free.loras.fold = False  # side branches, as host-memory pairs are (never folded): exact
    free.load(tiny_paths, "fp8-stream")
    free.set_lora_folders([lora_dir[0]])
    tight = Engine(device="cpu")
    tight.loras.int8_pairs = int8
    tight.loras.reserve_bytes = 0
    tight.load(tiny_paths, "fp8-stream", budget_bytes=1)
    tight.set_lora_folders([lora_dir[0]])
    streamer = tight.streamer
    assert streamer is not None and not any(streamer.residency.dit)  # type: ignore[attr-defined]
    plain = (("kohya", 0.9), ("peft-q-v", 1.1))  # low-rank pairs only: none stays on the card
    image = pixels(tight, request(*plain))
    everywhere = pixels(free, request(*plain))
    stack = tight.loras.stack
    assert stack is not None and stack.on_host
    # what it counts on the card: the streamed blocks' pairs on it at once (here, with few
    # blocks, all of them), never more than the whole stack
    assert 0 < tight.loras.nbytes <= free.loras.nbytes
    assert stack.changed_modules  # the LoRAs are on, from host memory
    # their pairs went along with the blocks' copies, into the Linears: no hook (compilable)
    assert streamer.stats["rides"] > 0 and not stack.hooked and streamer.stats["folds"] == 0
    assert np.array_equal(image, everywhere)
    tight.budget_bytes = None  # room again (a plan without a budget): the stack leaves the host
    # and, on the GPU now, is folded into the upcast weights: the same sum, rounded otherwise
    again = pixels(tight, request(("kohya", 0.5)))
    assert streamer.stats["folds"] > 0
    assert np.abs(again - pixels(free, request(("kohya", 0.5)))).max() <= 1
    assert not stack.on_host and tight.loras.nbytes > 0


def test_loras_read_ahead_of_the_image_are_not_read_again(tiny_paths, lora_dir) -> None:
    """The window hands the engine the stack as it changes: the files are read and converted
    while the engine is idle, and the image that uses them converts nothing (its first step
    does not wait for the files). Unknown names are left for the image to name."""
    engine = Engine(device="cpu")
    engine.load(tiny_paths, "bf16")
    engine.set_lora_folders([lora_dir[0]])
    wanted = request(("kohya", 0.9), ("loha", 0.5)).loras
    unknown = LoraUse("no-such-lora", 1.0)
    assert engine.loras.prefetch((*wanted, unknown)) == 2
    assert engine.loras.prefetch(wanted) == 0  # already read
    before = engine.loras.cache.conversions
    image = pixels(engine, request(("kohya", 0.9), ("loha", 0.5)))
    assert engine.loras.cache.conversions == before
    fresh = Engine(device="cpu")
    fresh.load(tiny_paths, "bf16")
    fresh.set_lora_folders([lora_dir[0]])
    assert np.array_equal(image, pixels(fresh, request(("kohya", 0.9), ("loha", 0.5))))

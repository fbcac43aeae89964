"""Compiled transformer blocks (engine/compiled.py) through the real pipeline on the tiny model.

On the CPU, torch compiles with its C++ backend (the same dynamo and inductor as Triton on a GPU):
each test starts from an empty compiler cache of its own, so what is measured is a first compile.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from majicflux_desktop.core.request import GenerationRequest, LoraUse
from majicflux_desktop.core.results import Cancelled, Phase, Progress
from majicflux_desktop.engine import tiny_loras
from majicflux_desktop.engine.pipeline import Engine

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def own_compiler_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(tmp_path / "inductor"))
    torch._dynamo.reset()  # nothing compiled by an earlier test in this process


def engine(tiny_paths, mode: str, record: Path | None = None, fold: bool = True) -> Engine:
    made = Engine(device="cpu", compile_maths=mode)
    made.compile_record = record
    made.loras.fold = fold
    made.load(tiny_paths, "fp8-stream")
    return made


def make(made: Engine, request: GenerationRequest) -> tuple[np.ndarray, list[Progress], object]:
    seen: list[Progress] = []
    result = made.generate(request, on_progress=seen.append)
    return np.asarray(result.image).astype(int), seen, result


def test_compiled_blocks_make_the_eager_picture_and_the_window_hears_of_the_compile(
    tiny_paths, tmp_path: Path
) -> None:
    request = GenerationRequest("a cat", seed=3, steps=3, width=256, height=256)
    eager, _, _ = make(engine(tiny_paths, "off"), request)
    record = tmp_path / "sizes.json"
    made = engine(tiny_paths, "on", record)
    assert made.compiled is not None and made.compile_note is None

    picture, seen, result = make(made, request)
    # Fused kernels round differently: the same picture, within a level of 255.
    assert np.abs(picture - eager).max() <= 2
    assert np.abs(picture - eager).mean() < 0.05
    phases = [(p.phase, p.step, p.total) for p in seen]
    first_step = phases.index((Phase.DENOISING, 0, 3))
    # inside the first step: the double blocks' graph, then the single blocks'
    assert phases[first_step + 1 : first_step + 3] == [
        (Phase.COMPILING, 0, 2),
        (Phase.COMPILING, 1, 2),
    ]
    assert phases[first_step + 3] == (Phase.DENOISING, 1, 3)
    timings = result.timings  # type: ignore[attr-defined]
    assert timings.compiling > 0.5  # seconds: a compilation, not a step
    assert timings.seconds_per_step * timings.steps < timings.compiling  # the ETA leaves it out
    assert len(json.loads(record.read_text())) == 2

    again, seen, result = make(made, request)
    assert np.array_equal(again, picture)
    assert {p.phase for p in seen} == {Phase.ENCODING, Phase.DENOISING, Phase.DECODING}
    assert result.timings.compiling == 0  # type: ignore[attr-defined]

    # Another start on this machine: the record says the kernels are cached, so "preparing".
    made.unload()
    later, seen, _ = make(engine(tiny_paths, "on", record), request)
    assert np.array_equal(later, picture)
    assert [p.phase for p in seen if p.phase in (Phase.COMPILING, Phase.PREPARING)] == [
        Phase.PREPARING,
        Phase.PREPARING,
    ]


def test_the_apps_first_image_after_a_load_runs_eagerly_and_the_next_one_compiles(
    tiny_paths,
) -> None:
    """The app keeps the compiler's import and tracing off the path to its first image."""
    request = GenerationRequest("a fox", seed=9, steps=2, width=192, height=192)
    eager, _, _ = make(engine(tiny_paths, "off"), request)
    made = Engine(device="cpu", compile_maths="on")
    made.compile_after_first_image = True
    report = made.load(tiny_paths, "fp8-stream")
    assert report.compiled and made.compiled is None  # on, from the next image
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):  # a request that made nothing is not the first image
        made.generate(request, cancel=cancel)

    first, seen, result = make(made, request)
    assert np.array_equal(first, eager)  # the eager blocks, exactly
    assert not [p for p in seen if p.phase in (Phase.COMPILING, Phase.PREPARING)]
    assert result.timings.compiling == 0  # type: ignore[attr-defined]

    second, seen, result = make(made, request)
    assert made.compiled is not None
    assert [p.phase for p in seen if p.phase is Phase.COMPILING] == [Phase.COMPILING] * 2
    assert result.timings.compiling > 0  # type: ignore[attr-defined]
    assert np.abs(second - eager).max() <= 2 and np.abs(second - eager).mean() < 0.05

    made.load(tiny_paths, "fp8-stream")  # a new load: its first image is eager again
    again, seen, _ = make(made, request)
    assert np.array_equal(again, eager)
    assert not [p for p in seen if p.phase in (Phase.COMPILING, Phase.PREPARING)]


def test_a_compiler_that_does_not_start_after_the_first_image_is_said_with_the_next(
    tiny_paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from majicflux_desktop.engine import compiled

    def broken() -> None:
        raise ImportError("no module named triton")

    request = GenerationRequest("a fox", seed=9, steps=2, width=192, height=192)
    eager, _, _ = make(engine(tiny_paths, "off"), request)
    made = Engine(device="cpu", compile_maths="on")
    made.compile_after_first_image = True
    made.load(tiny_paths, "fp8-stream")
    monkeypatch.setattr(compiled, "_configure", broken)
    make(made, request)
    second, _, result = make(made, request)
    assert np.array_equal(second, eager) and made.compiled is None
    notes = [note.text() for note in result.notes]  # type: ignore[attr-defined]
    assert notes == [
        "Faster compiled maths do not work on this PC (the compiler did not start (ImportError: "
        "no module named triton)); images are made the usual way. Turn compiled maths off in "
        "Settings to skip the attempt."
    ]
    third, _, result = make(made, request)  # said once
    assert np.array_equal(third, eager) and not result.notes  # type: ignore[attr-defined]
    report = made.load(tiny_paths, "fp8-stream")  # a later load does not try again
    assert not report.compiled and report.compile_note is not None
    assert "the compiler did not start" in report.compile_note.english()
    make(made, request)
    fifth, _, result = make(made, request)
    assert np.array_equal(fifth, eager) and not result.notes  # type: ignore[attr-defined]


def test_without_a_compiler_the_blocks_run_as_before_and_the_image_says_why(tiny_paths) -> None:
    import torch._inductor.config

    request = GenerationRequest("a dog", seed=4, steps=2, width=192, height=192)
    eager, _, _ = make(engine(tiny_paths, "off"), request)
    # config.patch: monkeypatch's undo would delete the key from torch's config
    with torch._inductor.config.patch({"cpp.cxx": ("/nonexistent/c++",)}):
        made = engine(tiny_paths, "on")
        picture, _, result = make(made, request)
        assert np.array_equal(picture, eager)  # the eager blocks, exactly
        assert made.compiled is not None and made.compiled.failure
        notes = [note.text() for note in result.notes]  # type: ignore[attr-defined]
        assert any("compiled maths do not work on this PC" in note for note in notes), notes
        # said once: the next image is made eagerly without trying again
        again, _, result = make(made, request)
    assert np.array_equal(again, eager)
    assert not [n for n in result.notes if "compiled" in n.text()]  # type: ignore[attr-defined]


def test_plain_loras_compile_once_and_switching_them_compiles_nothing(
    tiny_paths, tmp_path: Path
) -> None:
    """A first image with LoRAs compiles the blocks with their pairs (the window hears of it);
    another stack on the same layers, of another rank and other weights, runs the same graphs.
    LoRAs that need hooks (LoKr) in the blocks make their image eagerly: exactly the eager
    picture; a hook outside the blocks leaves them compiled."""
    from torch._dynamo.utils import counters

    folder = tmp_path / "loras"
    tiny_loras.kohya(folder / "tiny-kohya.safetensors")
    tiny_loras.kohya(folder / "tiny-other.safetensors", seed=11)
    tiny_loras.lokr(folder / "tiny-lokr.safetensors")
    tiny_loras.peft_q_v_only(folder / "tiny-peft-q-v.safetensors")
    tiny_loras.lokr_outside_the_blocks(folder / "tiny-lokr-embedder.safetensors")

    def with_loras(*loras: tuple[str, float]) -> GenerationRequest:
        uses = tuple(LoraUse(f"tiny-{name}", weight) for name, weight in loras)
        return GenerationRequest("a boat", seed=6, steps=2, width=256, height=256, loras=uses)

    stacks = [
        (("kohya", 0.8),),
        (("kohya", -0.5), ("other", 1.2)),
        (("lokr", 0.9),),
        (("peft-q-v", 1.1),),
        (("kohya", 0.8), ("lokr-embedder", 1.0)),
    ]
    # As with float8 maths on a GPU: the blocks run their stored weights, so the pairs are side
    # branches of the Linears (on the CPU the blocks are upcast, and would fold them: lora_fold).
    reference = engine(tiny_paths, "off", fold=False)
    reference.set_lora_folders([folder])
    eager = [make(reference, with_loras(*stack))[0] for stack in stacks]
    made = engine(tiny_paths, "on", fold=False)
    made.set_lora_folders([folder])
    make(made, with_loras())  # the LoRA-free graphs

    picture, seen, result = make(made, with_loras(*stacks[0]))
    assert np.abs(picture - eager[0]).max() <= 2 and np.abs(picture - eager[0]).mean() < 0.05
    assert [p.phase for p in seen if p.phase in (Phase.COMPILING, Phase.PREPARING)]
    assert result.timings.compiling > 0  # type: ignore[attr-defined]
    graphs = counters["stats"]["unique_graphs"]

    picture, seen, result = make(made, with_loras(*stacks[1]))  # twice the rank, other weights
    assert np.abs(picture - eager[1]).max() <= 2 and np.abs(picture - eager[1]).mean() < 0.05
    assert not [p for p in seen if p.phase in (Phase.COMPILING, Phase.PREPARING)]
    assert result.timings.compiling == 0  # type: ignore[attr-defined]
    assert counters["stats"]["unique_graphs"] == graphs

    picture, _, _ = make(made, with_loras(*stacks[2]))  # a hook: the blocks run eagerly
    assert np.array_equal(picture, eager[2])
    assert counters["stats"]["unique_graphs"] == graphs

    # a hook outside the blocks (LoKr on the image embedder) leaves them compiled
    picture, seen, _ = make(made, with_loras(*stacks[4]))
    assert made.loras.stack is not None and "x_embedder" in made.loras.stack.changed_modules
    assert not made.loras.hooked
    assert np.abs(picture - eager[4]).max() <= 2 and np.abs(picture - eager[4]).mean() < 0.05
    assert np.abs(eager[4] - eager[0]).max() > 2  # the embedder's LoKr is in the picture
    assert not [p for p in seen if p.phase in (Phase.COMPILING, Phase.PREPARING)]
    assert counters["stats"]["unique_graphs"] == graphs

    # q and v rows of fused Linears: a pair per row range, compiled as well
    picture, seen, _ = make(made, with_loras(*stacks[3]))
    assert np.abs(picture - eager[3]).max() <= 2 and np.abs(picture - eager[3]).mean() < 0.05
    assert [p for p in seen if p.phase is Phase.COMPILING]  # another layout: new graphs


def test_loras_of_an_eager_first_image_are_marked_when_the_blocks_compile(
    tiny_paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's first image runs eagerly, without importing the compiler, so its LoRA pairs
    are not marked as of any rank; they are when the blocks compile, and another rank after
    that compiles nothing."""
    from torch._dynamo.utils import counters

    from majicflux_desktop.engine import lora_apply

    folder = tmp_path / "loras"
    tiny_loras.kohya(folder / "tiny-kohya.safetensors")
    tiny_loras.kohya(folder / "tiny-other.safetensors", seed=11)

    def with_loras(*loras: tuple[str, float]) -> GenerationRequest:
        uses = tuple(LoraUse(f"tiny-{name}", weight) for name, weight in loras)
        return GenerationRequest("a boat", seed=6, steps=2, width=256, height=256, loras=uses)

    made = Engine(device="cpu", compile_maths="on")
    made.compile_after_first_image = True
    made.loras.fold = False  # side branches in the Linears, as with float8 maths on a GPU
    made.load(tiny_paths, "fp8-stream")
    made.set_lora_folders([folder])
    # this test process imported dynamo long ago; the app's first image has not
    monkeypatch.setattr(lora_apply, "_compiler_imported", lambda: False)
    make(made, with_loras(("kohya", 0.8)))
    monkeypatch.undo()
    _, seen, result = make(made, with_loras(("kohya", 0.8)))  # the same pairs, now compiled
    assert made.compiled is not None and result.timings.compiling > 0  # type: ignore[attr-defined]
    graphs = counters["stats"]["unique_graphs"]
    _, seen, result = make(made, with_loras(("kohya", -0.5), ("other", 1.2)))  # twice the rank
    assert not [p for p in seen if p.phase in (Phase.COMPILING, Phase.PREPARING)]
    assert counters["stats"]["unique_graphs"] == graphs


def test_folded_loras_run_the_lora_free_graphs(tiny_paths, tmp_path: Path) -> None:
    """Blocks upcast at each run (bf16 maths; every block on the CPU) take their LoRAs in the
    upcast weights (lora_fold): the Linears stay plain, so a LoRA image compiles nothing."""
    from torch._dynamo.utils import counters

    folder = tmp_path / "loras"
    tiny_loras.kohya(folder / "tiny-kohya.safetensors")
    request = GenerationRequest(
        "a kite", seed=7, steps=2, width=256, height=256, loras=(LoraUse("tiny-kohya", 0.9),)
    )
    reference = engine(tiny_paths, "off", fold=False)  # side branches, eagerly
    reference.set_lora_folders([folder])
    eager, _, _ = make(reference, request)
    made = engine(tiny_paths, "on")
    made.set_lora_folders([folder])
    make(made, replace(request, loras=()))  # the LoRA-free graphs
    graphs = counters["stats"]["unique_graphs"]

    picture, seen, result = make(made, request)
    assert made.streamer is not None and made.streamer.stats["folds"] > 0
    assert not [p for p in seen if p.phase in (Phase.COMPILING, Phase.PREPARING)]
    assert result.timings.compiling == 0  # type: ignore[attr-defined]
    assert counters["stats"]["unique_graphs"] == graphs
    assert np.abs(picture - eager).max() <= 2 and np.abs(picture - eager).mean() < 0.05


@pytest.mark.parametrize("int8", [False, True], ids=["full-pairs", "int8-pairs"])
def test_loras_without_room_on_the_gpu_ride_with_their_blocks_into_compiled_code(
    tiny_paths, tmp_path: Path, int8: bool
) -> None:
    """A budget that leaves the LoRAs no room: every block streams and the pairs go along with
    each block's copy into its Linears, where the compiled blocks use them (no hook); int8
    pairs too, with their scales."""
    folder = tmp_path / "loras"
    tiny_loras.kohya(folder / "tiny-kohya.safetensors")
    request = GenerationRequest(
        "a kite", seed=7, steps=2, width=256, height=256, loras=(LoraUse("tiny-kohya", 0.9),)
    )
    reference = Engine(device="cpu", compile_maths="off")
    reference.loras.int8_pairs = int8
    reference.load(tiny_paths, "fp8-stream")
    reference.set_lora_folders([folder])
    eager, _, _ = make(reference, request)
    made = Engine(device="cpu", compile_maths="on")
    made.loras.int8_pairs = int8
    made.loras.reserve_bytes = 0
    made.load(tiny_paths, "fp8-stream", budget_bytes=1)
    made.set_lora_folders([folder])

    picture, _, result = make(made, request)
    stack, streamer = made.loras.stack, made.streamer
    assert stack is not None and stack.on_host and not stack.hooked
    assert streamer is not None and streamer.stats["rides"] > 0
    assert result.timings.compiling > 0  # type: ignore[attr-defined]
    assert np.abs(picture - eager).max() <= 2 and np.abs(picture - eager).mean() < 0.05


def test_off_and_cpu_auto_leave_the_blocks_alone(tiny_paths) -> None:
    for mode, why in (("off", "off in Settings"), ("auto", "they need an NVIDIA GPU")):
        made = engine(tiny_paths, mode)
        assert made.compiled is None
        assert made.compile_note is not None and made.compile_note.english() == why

"""The block streamer on the CPU: the same bookkeeping as on the GPU, with copies in line."""

from __future__ import annotations

import copy
import threading

import pytest
import torch

from majicflux_desktop.engine import memory
from majicflux_desktop.engine.streaming import FP8, BlockStreamer, Fp8Linear, PinnedArena


class Block(torch.nn.Module):
    def __init__(self, width: int = 32):
        super().__init__()
        self.norm = torch.nn.LayerNorm(width)
        self.up = torch.nn.Linear(width, 4 * width)
        self.down = torch.nn.Linear(4 * width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.down(torch.nn.functional.gelu(self.up(self.norm(x))))


class Stack(torch.nn.Module):
    def __init__(self, blocks: int, width: int = 32, seed: int = 0):
        super().__init__()
        torch.manual_seed(seed)
        self.blocks = torch.nn.ModuleList(Block(width) for _ in range(blocks))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return x


def float8_model(blocks: int = 6, seed: int = 0) -> Stack:
    """Linear weights in float8 as in the majicflus file; the rest bf16."""
    model = Stack(blocks, seed=seed)
    for module in model.modules():
        if isinstance(module, torch.nn.Linear):
            module.weight = torch.nn.Parameter(module.weight.detach().to(FP8), requires_grad=False)
    return model


def reference(model: Stack, x: torch.Tensor) -> torch.Tensor:
    plain = copy.deepcopy(model)
    for module in plain.modules():
        for name, param in list(module._parameters.items()):
            module._parameters[name] = torch.nn.Parameter(param.detach().to(torch.bfloat16))
    with torch.no_grad():
        return plain(x)


def streamed(model: Stack, resident: list[bool], storage=FP8) -> BlockStreamer:
    streamer = BlockStreamer("cpu", copy_ahead=3)
    streamer.add_model("m", list(model.blocks), storage, resident)
    streamer.allocate()
    streamer.install()
    return streamer


@pytest.mark.parametrize(
    "resident",
    [[True] * 6, [False] * 6, [True, False, False, True, False, True], [False, True] * 3],
    ids=["all-resident", "all-streamed", "mixed", "alternating"],
)
def test_streamed_blocks_compute_exactly_what_resident_bf16_blocks_compute(resident) -> None:
    model = float8_model()
    x = torch.randn(2, 5, 32, dtype=torch.bfloat16)
    expected = reference(model, x)
    streamer = streamed(model, resident)
    with torch.no_grad():
        for _ in range(3):  # three denoising steps: the lookahead wraps around
            assert torch.equal(model(x), expected)
    assert streamer.stats["restarts"] == 1  # only the very first block: the cycle never broke
    assert streamer.stats["late_copies"] <= 1
    assert streamer.stats["copies"] >= 3 * resident.count(False)


def test_copies_run_ahead_of_the_compute() -> None:
    model = float8_model(8)
    streamer = streamed(model, [False] * 8)
    x = torch.randn(1, 3, 32, dtype=torch.bfloat16)
    with torch.no_grad():
        for _ in range(2):
            model(x)
    # After the first block every copy was issued before its block was reached.
    assert streamer.stats["late_copies"] == 1
    assert streamer.stats["copies"] >= 16


def test_an_interrupted_pass_restarts_cleanly() -> None:
    model = float8_model()
    x = torch.randn(1, 4, 32, dtype=torch.bfloat16)
    expected = reference(model, x)
    streamed(model, [False, True] * 3)
    with torch.no_grad():
        h = x
        for block in list(model.blocks)[:3]:  # cancelled mid-step
            h = block(h)
        assert torch.equal(model(x), expected)


def test_two_models_share_the_workspace() -> None:
    first, second = float8_model(4, seed=1), float8_model(3, seed=2)
    x = torch.randn(1, 4, 32, dtype=torch.bfloat16)
    expected_first, expected_second = reference(first, x), reference(second, x)
    streamer = BlockStreamer("cpu")
    streamer.add_model("first", list(first.blocks), FP8, [False, True, False, False])
    streamer.add_model("second", list(second.blocks), FP8, [False, False, True])
    streamer.allocate()
    streamer.install()
    with torch.no_grad():
        for _ in range(2):
            assert torch.equal(first(x), expected_first)
            assert torch.equal(second(x), expected_second)


def test_release_frees_the_workspace_and_it_comes_back() -> None:
    model = float8_model()
    x = torch.randn(1, 4, 32, dtype=torch.bfloat16)
    expected = reference(model, x)
    streamer = streamed(model, [False] * 6)
    with torch.no_grad():
        model(x)
        streamer.release()
        assert not streamer.holds_workspace
        assert all(block.up.weight is None for block in model.blocks)
        assert torch.equal(model(x), expected)


def test_wide_weights_are_stored_as_row_scaled_float8() -> None:
    # Rows of very different size: an unscaled float8 cast flushes the small ones towards zero.
    torch.manual_seed(3)
    weight = torch.randn(64, 32) * torch.logspace(-4, 0, 64)[:, None]
    x = torch.randn(8, 32, dtype=torch.bfloat16)
    exact = x.float() @ weight.t()

    def per_row_error(out: torch.Tensor) -> float:
        return float(((out.float() - exact).norm(dim=0) / exact.norm(dim=0)).mean())

    unscaled = x @ weight.to(FP8).to(torch.bfloat16).t()
    block = torch.nn.Sequential(torch.nn.Linear(32, 64, bias=False))
    block[0].weight = torch.nn.Parameter(weight.to(torch.bfloat16), requires_grad=False)
    model = torch.nn.ModuleList([block])
    streamer = BlockStreamer("cpu")
    streamer.add_model("m", list(model), FP8, [True])
    streamer.allocate()
    streamer.install()
    with torch.no_grad():
        scaled = block(x)
    assert per_row_error(scaled) < 0.05
    assert per_row_error(unscaled) > 5 * per_row_error(scaled)


def test_float8_maths_matches_exact_maths_on_the_same_weights() -> None:
    # Float8 maths runs on Ada/Hopper GPUs; torch's CPU _scaled_mm runs the same code here.
    torch.manual_seed(5)
    linear = torch.nn.Linear(64, 48)
    weight = (torch.randn(48, 64) * 0.05).to(FP8)
    row_scale = torch.rand(48, 1) + 0.5
    linear.__class__ = Fp8Linear
    linear._parameters["weight"] = weight
    linear.bias = torch.nn.Parameter(linear.bias.detach().bfloat16(), requires_grad=False)
    linear.weight_scale = row_scale.t().contiguous()
    # Rows of every magnitude, one of zeros, one far beyond float8's range (448).
    x = torch.randn(2, 6, 64) * torch.tensor([1e-3, 1.0, 30.0, 0.0, 5e4, 1.0]).view(1, 6, 1)
    x = x.bfloat16()
    exact = x.float() @ (weight.float() * row_scale).t() + linear.bias.float()
    with torch.no_grad():
        out = linear(x)
    assert out.shape == (2, 6, 48) and out.dtype == torch.bfloat16
    assert torch.isfinite(out).all()
    error = (out.float() - exact).norm(dim=-1) / exact.norm(dim=-1)
    assert float(error.max()) < 0.06  # float8 activations carry 3 mantissa bits: ~3% per row
    assert float(error.mean()) > 1e-4  # it did quantise (bf16 maths would be ~0.2%)


def test_float8_maths_is_used_only_where_it_runs(monkeypatch) -> None:
    from majicflux_desktop.engine import streaming

    assert not streaming.fp8_matmul_supported("cpu")  # a GPU feature
    assert streaming.scaled_mm_runs(torch.device("cpu"))  # the probe's own call is sound

    def missing_kernel(*args, **kwargs):
        raise RuntimeError("Row-wise scaling is not supported on this device")

    monkeypatch.setattr(torch, "_scaled_mm", missing_kernel)
    assert not streaming.scaled_mm_runs(torch.device("cpu"))


def test_bf16_storage_streams_without_upcast() -> None:
    model = Stack(4, seed=4)
    x = torch.randn(1, 3, 32, dtype=torch.bfloat16)
    expected = reference(model, x)
    streamer = streamed(model, [True, False, False, True], storage=torch.bfloat16)
    with torch.no_grad():
        assert torch.equal(model(x), expected)
    assert streamer.stats["upcasts"] >= 2  # streamed blocks are copied into a slot


def test_pinned_arena_packs_blocks_in_order_without_overlap() -> None:
    arena = PinnedArena(pin=False)
    sizes = [340, 141, 141, 340, 900, 141]
    arena.reserve(sizes)
    views = [arena.take(size, torch.uint8) for size in sizes]
    for view, size in zip(views, sizes, strict=True):
        view.fill_(size % 251)
    assert [int(v[0]) for v in views] == [size % 251 for size in sizes]
    assert arena.nbytes <= 2 * sum(sizes)


def test_residency_prefers_large_blocks_and_respects_the_budget() -> None:
    mb = 2**20
    space = memory.Workspace(
        fixed=1000 * mb, dit_slots=0, dit_staging=4 * 340 * mb, t5_slots=770 * mb,
        t5_staging=4 * 193 * mb, dit_activations=610 * mb, vae_activations=2130 * mb,
    )  # fmt: skip
    dit = [340 * mb] * 19 + [141 * mb] * 38
    t5 = [193 * mb] * 24
    assert memory.plan_residency(None, space, dit, t5).dit == [True] * 57
    tight = memory.plan_residency(7000 * mb, space, dit, t5)
    assert tight.predicted_peak <= 7000 * mb
    chosen = [size for size, keep in zip(dit, tight.dit, strict=True) if keep]
    assert chosen and set(chosen) == {340 * mb}  # double blocks first
    assert 7000 * mb - tight.predicted_peak < 340 * mb  # leftovers hold at most a T5 block or two
    roomy = memory.plan_residency(12000 * mb, space, dit, t5)
    assert sum(roomy.dit) > sum(tight.dit) and roomy.predicted_peak <= 12000 * mb
    nothing = memory.plan_residency(1000 * mb, space, dit, t5)
    assert not any(nothing.dit) and not any(nothing.t5)


def spilled(model: Stack, resident: list[bool], path, key: str = "k") -> BlockStreamer:
    streamer = BlockStreamer("cpu", copy_ahead=3)
    streamer.add_model("m", list(model.blocks), FP8, resident, spill=(path, key))
    streamer.allocate()
    streamer.install()
    return streamer


def test_spilled_blocks_are_read_from_their_file_and_compute_the_same(tmp_path) -> None:
    model = float8_model()
    x = torch.randn(2, 5, 32, dtype=torch.bfloat16)
    expected = reference(model, x)
    path = tmp_path / "t5-k.safetensors"
    streamer = spilled(model, [True, False, False, True, False, False], path)
    streamed_units = [u for u in streamer.units if not u.resident]
    assert all(u.spilled >= 0 and u.storage.device.type == "meta" for u in streamed_units)
    assert path.stat().st_size > sum(u.nbytes for u in streamed_units)
    with torch.no_grad():
        for _ in range(3):
            assert torch.equal(model(x), expected)
    # the file is a safetensors file of byte tensors: what was stored, bit for bit
    from safetensors import safe_open

    with safe_open(str(path), "pt") as stored:
        assert sorted(stored.keys()) == [f"block.{i}" for i in range(6)]
        assert stored.get_tensor("block.1").numel() == streamed_units[0].nbytes
    streamer.close()


def test_a_spill_file_is_reused_for_its_key_and_written_again_for_another(tmp_path) -> None:
    path = tmp_path / "t5-k.safetensors"
    first = spilled(float8_model(), [False] * 6, path)
    first.close()
    written = path.stat().st_mtime_ns
    model = float8_model()
    x = torch.randn(1, 3, 32, dtype=torch.bfloat16)
    expected = reference(model, x)
    second = spilled(model, [False] * 6, path)  # same key: the file is used as it is
    assert path.stat().st_mtime_ns == written
    with torch.no_grad():
        assert torch.equal(model(x), expected)
    second.close()
    other = tmp_path / "t5-other.safetensors"
    spilled(float8_model(seed=3), [False] * 6, other, key="other").close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t5-other.safetensors"]  # one kept


@pytest.mark.parametrize("damage", ["truncated", "other-key", "garbage"])
def test_a_damaged_spill_file_is_written_again(tmp_path, damage) -> None:
    path = tmp_path / "t5-k.safetensors"
    spilled(float8_model(), [False] * 6, path).close()
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[:-100])
    elif damage == "other-key":
        path.write_bytes(data.replace(b'"key": "k"', b'"key": "j"'))
    else:
        path.write_bytes(b"\xff" * 64)
    model = float8_model()
    x = torch.randn(1, 3, 32, dtype=torch.bfloat16)
    expected = reference(model, x)
    streamer = spilled(model, [False] * 6, path)
    assert path.read_bytes() == data
    with torch.no_grad():
        assert torch.equal(model(x), expected)
    streamer.close()


def test_blocks_stay_in_memory_when_the_spill_file_cannot_be_written(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    model = float8_model()
    x = torch.randn(1, 3, 32, dtype=torch.bfloat16)
    expected = reference(model, x)
    streamer = spilled(model, [False] * 6, blocker / "t5-k.safetensors")
    assert all(u.spilled == -1 and u.storage.device.type == "cpu" for u in streamer.units)
    with torch.no_grad():
        assert torch.equal(model(x), expected)


def test_another_residency_reads_the_same_spill_file(tmp_path) -> None:
    path = tmp_path / "t5-k.safetensors"
    spilled(float8_model(), [True, True, False, False, False, False], path).close()
    written = path.stat().st_mtime_ns
    model = float8_model()
    x = torch.randn(1, 3, 32, dtype=torch.bfloat16)
    expected = reference(model, x)
    streamer = spilled(model, [False, False, False, True, False, False], path)
    assert path.stat().st_mtime_ns == written
    with torch.no_grad():
        assert torch.equal(model(x), expected)
    streamer.close()


def test_spilled_blocks_read_in_parts_by_threads_compute_the_same(tmp_path, monkeypatch) -> None:
    from majicflux_desktop.engine import file_reads

    monkeypatch.setattr(file_reads, "READ_PART_MIN", 1000)  # tiny blocks: several parts each
    model = float8_model()
    x = torch.randn(2, 5, 32, dtype=torch.bfloat16)
    expected = reference(model, x)
    streamer = spilled(model, [False] * 6, tmp_path / "t5-k.safetensors")
    assert streamer.units[0].nbytes > 3 * 1000
    threads: set[str] = set()
    read_part = streamer._reader._read_part

    def reading(path, offset, target):  # type: ignore[no-untyped-def]
        threads.add(threading.current_thread().name)
        return read_part(path, offset, target)

    monkeypatch.setattr(streamer._reader, "_read_part", reading)
    with torch.no_grad():
        for _ in range(2):
            assert torch.equal(model(x), expected)
    assert len(threads) > 1
    streamer.close()
    assert not streamer._reader.opened


def no_load(block, linear_weights=True) -> None:  # type: ignore[no-untyped-def]
    """The test models' weights are in memory already (placement.DiskWeights reads them)."""


def test_the_first_start_writes_each_block_as_it_is_packed(tmp_path, monkeypatch) -> None:
    from majicflux_desktop.engine import streaming

    written: list[int] = []
    write = streaming.SpillWriter.write

    def writing(self, block):  # type: ignore[no-untyped-def]
        # every block packed before this one is out of memory already
        written.append(sum(1 for u in streamer.units if u.spilled >= 0))
        return write(self, block)

    monkeypatch.setattr(streaming.SpillWriter, "write", writing)
    model = float8_model()
    x = torch.randn(1, 3, 32, dtype=torch.bfloat16)
    expected = reference(model, x)
    path = tmp_path / "t5-k.safetensors"
    streamer = BlockStreamer("cpu", copy_ahead=3)
    added = streamer.add_model(
        "m", list(model.blocks), FP8, [True] + [False] * 5, load=no_load, spill=(path, "k")
    )
    assert len(written) == 6
    assert all(u.spilled >= 0 and u.storage.is_meta for u in added[1:]) and added[0].resident
    assert streaming.spill_offsets(path, "k", [u.nbytes for u in added]) is not None
    streamer.allocate()
    streamer.install()
    with torch.no_grad():
        assert torch.equal(model(x), expected)
    streamer.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t5-k.safetensors"]  # no part left


def test_a_pass_reads_each_spilled_block_once(tmp_path) -> None:
    model = float8_model(8)
    x = torch.randn(1, 3, 32, dtype=torch.bfloat16)
    streamer = spilled(model, [False] * 8, tmp_path / "t5-k.safetensors")
    with torch.no_grad():
        for passes in (1, 2):
            model(x)
            # no read ahead into a next pass (T5 runs once per new prompt)
            assert streamer.stats["copies"] == 8 * passes
    streamer.close()


def test_a_spill_file_deleted_while_open_is_still_read(tmp_path) -> None:
    model = float8_model()
    x = torch.randn(1, 3, 32, dtype=torch.bfloat16)
    expected = reference(model, x)
    path = tmp_path / "t5-k.safetensors"
    streamer = spilled(model, [False] * 6, path)
    path.unlink()  # another process cleaning up, or the user emptying the cache (POSIX)
    with torch.no_grad():
        assert torch.equal(model(x), expected)
    streamer.close()


def test_a_spill_file_cut_short_while_open_names_the_file_and_the_fix(tmp_path) -> None:
    from majicflux_desktop.core.i18n import UserError

    model = float8_model()
    path = tmp_path / "t5-k.safetensors"
    streamer = spilled(model, [False] * 6, path)
    with open(path, "r+b") as file:
        file.truncate(200)
    with torch.no_grad(), pytest.raises(UserError) as caught:
        model(torch.randn(1, 3, 32, dtype=torch.bfloat16))
    text = caught.value.text()
    assert str(path) in text and "Restart MajicFlux" in text
    streamer.close()


@pytest.mark.parametrize(
    "header", [b"[]", b'{"__metadata__": 3}', b'{"__metadata__": {}, "block.0": 7}']
)
def test_odd_spill_headers_are_written_again(tmp_path, header: bytes) -> None:
    import struct

    path = tmp_path / "t5-k.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header)
    (tmp_path / "t5-old.safetensors.123-abc.part").write_bytes(b"left by a killed write")
    model = float8_model()
    x = torch.randn(1, 3, 32, dtype=torch.bfloat16)
    expected = reference(model, x)
    streamer = spilled(model, [False] * 6, path)
    with torch.no_grad():
        assert torch.equal(model(x), expected)
    streamer.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t5-k.safetensors"]


def test_without_room_for_the_spill_file_blocks_stay_in_memory(tmp_path, monkeypatch) -> None:
    import shutil

    from majicflux_desktop.engine import streaming

    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(streaming.shutil, "disk_usage", lambda _: usage._replace(free=10**6))
    model = float8_model()
    x = torch.randn(1, 3, 32, dtype=torch.bfloat16)
    expected = reference(model, x)
    path = tmp_path / "t5-k.safetensors"
    streamer = BlockStreamer("cpu", copy_ahead=3)
    streamer.add_model("m", list(model.blocks), FP8, [False] * 6, load=no_load, spill=(path, "k"))
    streamer.allocate()
    streamer.install()
    assert not path.exists() and all(u.spilled == -1 for u in streamer.units)
    with torch.no_grad():
        assert torch.equal(model(x), expected)


def test_a_disk_that_fills_up_while_writing_gives_a_message_and_leaves_no_part(
    tmp_path, monkeypatch
) -> None:
    from majicflux_desktop.core.i18n import UserError
    from majicflux_desktop.engine import streaming

    def full(self, block):  # type: ignore[no-untyped-def]
        self.abort()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(streaming.SpillWriter, "write", full)
    model = float8_model()
    path = tmp_path / "t5-k.safetensors"
    streamer = BlockStreamer("cpu", copy_ahead=3)
    with pytest.raises(UserError) as caught:
        streamer.add_model(
            "m", list(model.blocks), FP8, [False] * 6, load=no_load, spill=(path, "k")
        )
    assert str(path) in caught.value.text() and "Free some space" in caught.value.text()
    assert list(tmp_path.iterdir()) == []

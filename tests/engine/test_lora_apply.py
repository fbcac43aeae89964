"""Side branches on the Linear kinds the CPU plans never build: float8 maths (`Fp8Linear`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from majicflux_desktop.engine import lora_files
from majicflux_desktop.engine.lora_apply import LoraStack
from majicflux_desktop.engine.lora_keys import TINY
from majicflux_desktop.engine.streaming import FP8, Fp8Linear


def tiny_image_input_lora(path: Path, dora: bool) -> lora_files.LoraFile:
    """A kohya LoRA on the image input projection (64 -> 64 in the tiny transformer)."""
    generator = torch.Generator().manual_seed(11)
    tensors = {
        "lora_unet_img_in.lora_down.weight": torch.randn(4, 64, generator=generator) / 8,
        "lora_unet_img_in.lora_up.weight": torch.randn(64, 4, generator=generator) / 2,
        "lora_unet_img_in.alpha": torch.tensor(2.0),
    }
    if dora:
        tensors["lora_unet_img_in.dora_scale"] = 1 + 0.2 * torch.randn(64, 1, generator=generator)
    save_file(tensors, str(path))
    file = lora_files.identify(path, TINY)
    assert file.ok and file.layers_matched == 1
    return file


def transformer_with(linear: torch.nn.Linear) -> torch.nn.Module:
    model = torch.nn.Module()
    model.x_embedder = linear
    return model


def float8_linear(row_scale: torch.Tensor) -> tuple[Fp8Linear, torch.nn.Linear]:
    """An Fp8Linear and the plain Linear that holds the weight it multiplies by."""
    torch.manual_seed(3)
    fp8 = Fp8Linear(64, 64)
    stored = (torch.randn(64, 64) * 0.1).to(FP8)
    fp8._parameters["weight"] = stored  # type: ignore[assignment]
    fp8.weight_scale = row_scale.t().contiguous()
    plain = torch.nn.Linear(64, 64)
    with torch.no_grad():
        plain.weight.copy_(stored.float() * row_scale)
        plain.bias.copy_(fp8.bias)
    return fp8, plain


@pytest.mark.parametrize("dora", [False, True], ids=["lora", "dora"])
def test_a_float8_maths_linear_gets_the_branch_of_its_dequantised_weight(
    tmp_path: Path, dora: bool
) -> None:
    file = tiny_image_input_lora(tmp_path / "img-in.safetensors", dora)
    row_scale = torch.rand(64, 1) + 0.5
    fp8, plain = float8_linear(row_scale)
    x = torch.randn(2, 10, 64)
    changes = []
    for linear in (fp8, plain):
        stack = LoraStack(transformer_with(linear), "cpu", torch.float32)
        with torch.no_grad():
            before = linear(x)
            stack.apply([(file, "sha-of-img-in", 0.8)])
            after = linear(x)
            stack.clear()
            assert torch.equal(linear(x), before)  # off again: the module's own output
        changes.append(after - before)
    if not dora:
        # A LoRA's branch reads only the input: the same whatever the base maths.
        assert torch.allclose(changes[0], changes[1], atol=1e-6)
    else:
        # DoRA scales the base output by norms of the *dequantised* weight: with float8
        # activations (3 mantissa bits) the base output itself differs by a few percent; norms
        # of the stored float8 values without their row scales would be off by up to 50%.
        error = (changes[0] - changes[1]).norm() / changes[1].norm()
        assert float(error) < 0.06


def test_loras_on_some_rows_of_a_fused_linear_hold_only_those_rows(tmp_path: Path) -> None:
    """PEFT LoRAs train q, k and v apart, on rows of one fused Linear: each row range gets its own
    pair, as large as the file's tensors (no zero-filled columns for the rows it leaves alone),
    and the output changes on those rows only, as the merged weights would change it."""
    from majicflux_desktop.engine.lora_apply import Patch, _Branches, grouped_pairs

    torch.manual_seed(5)
    linear = torch.nn.Linear(8, 12)
    q = Patch("x", (0, 4), down=torch.randn(2, 8), up=torch.randn(4, 2))
    v = Patch("x", (8, 12), down=torch.randn(3, 8), up=torch.randn(4, 3))
    pairs = grouped_pairs([(q, 0.5), (v, -1.0)], torch.device("cpu"), torch.float32)
    held = sum(t.numel() for _, *pair in pairs for t in pair if t is not None)
    assert [rows for rows, *_ in pairs] == [(0, 4), (8, 12)]
    assert held == sum(p.down.numel() + p.up.numel() for p in (q, v))  # type: ignore[union-attr]
    x = torch.randn(5, 8)
    with torch.no_grad():
        before = linear(x)
        _Branches().set(linear, pairs, None, False, [])
        after = linear(x)
    merged = torch.zeros(12, 8)
    merged[0:4] += 0.5 * q.up @ q.down  # type: ignore[operator]
    merged[8:12] += -1.0 * v.up @ v.down  # type: ignore[operator]
    assert torch.allclose(after - before, x @ merged.t(), atol=1e-5)
    assert torch.equal(after[:, 4:8], before[:, 4:8])  # k's rows untouched


def test_int8_pairs_keep_each_ranks_largest_value_to_seven_bits() -> None:
    """int8 pairs (the streamed plans'): each rank's down column and up row scaled by its own
    largest magnitude, so a rank of tiny values next to a rank of large ones keeps its
    precision, and a rank of zeros (the padding of a rank-1 pair) stays zeros."""
    from majicflux_desktop.engine.lora_apply import Patch, _Branches, grouped_pairs, int8_pair

    torch.manual_seed(7)
    down = torch.randn(3, 16) * torch.tensor([[1.0], [1e-4], [30.0]])  # ranks far apart
    up = torch.randn(24, 3) * torch.tensor([[1e-3, 5.0, 1.0]])
    patch = Patch("x", None, down=down, up=up)
    (rows, q_down, q_up, scale), = grouped_pairs([(patch, 0.7)], torch.device("cpu"), torch.float32, int8=True)  # fmt: skip
    assert rows is None and q_down.dtype == q_up.dtype == torch.int8 and scale is not None
    assert q_down.abs().amax(dim=0).tolist() == [127] * 3  # every rank uses its 8 bits
    dequantised = (q_up.float() * scale).t() @ q_down.float().t()
    exact = 0.7 * up @ down
    for rank in range(3):  # each rank's product within its own rounding, however small
        one = torch.outer(up[:, rank], down[rank]) * 0.7
        got = torch.outer(q_up[rank].float(), q_down[:, rank].float()) * scale[rank]
        assert torch.allclose(got, one, rtol=0, atol=float(one.abs().max()) * 0.01)
    assert torch.allclose(dequantised, exact, rtol=0, atol=float(exact.abs().max()) * 0.01)
    zeros = int8_pair((None, torch.zeros(16, 2), torch.zeros(2, 24), None))
    assert all(torch.equal(t.float(), torch.zeros_like(t.float())) for t in zeros[1:3])
    assert torch.all(torch.isfinite(zeros[3]))  # type: ignore[arg-type]

    linear = torch.nn.Linear(16, 24)
    x = torch.randn(5, 16)
    with torch.no_grad():
        before = linear(x)
        _Branches().set(linear, grouped_pairs([(patch, 0.7)], torch.device("cpu"), torch.float32, int8=True), False, False, [])  # fmt: skip
        change = linear(x) - before
    wanted = x @ exact.t()
    assert float((change - wanted).norm() / wanted.norm()) < 0.01


@pytest.mark.parametrize(
    ("device", "budget", "resident_share", "chosen", "int8"),
    [
        ("cuda", 8 * 2**30, 10 / 57, None, True),  # the 8 GB plan: the bus sets the step
        ("cuda", 4 * 2**30, 0.0, None, True),  # 4 GB: every block streams
        ("cuda", 12 * 2**30, 29 / 57, None, False),  # 12 GB: most stay, compute sets the step
        ("cuda", None, None, None, False),  # nothing streams
        ("cpu", 2**30, 0.0, None, False),  # no bus
        ("cpu", None, None, True, True),  # chosen (tests, the benchmark)
        ("cuda", 8 * 2**30, 10 / 57, False, False),
    ],
)
def test_int8_pairs_where_the_plan_keeps_few_blocks_on_the_gpu(
    device: str, budget: int | None, resident_share: float | None, chosen: bool | None, int8: bool
) -> None:
    from majicflux_desktop.engine.lora_engine import EngineLoras

    loras = EngineLoras()
    loras.int8_pairs = chosen
    loras.attach(torch.nn.Linear(4, 4), device, torch.bfloat16, False, budget, resident_share)
    assert loras.stack is not None and loras.stack.int8 is int8

"""engine/t5.py is transformers' T5 encoder, number for number, and diffsynth builds it."""

from __future__ import annotations

import pytest
import torch
from transformers import T5Config, T5EncoderModel

from majicflux_desktop.engine import layouts
from majicflux_desktop.engine.t5 import XXL, FluxT5Encoder, T5Encoder

SIZES = dict(dim=32, ffn_dim=64, layers=3, heads=2, head_dim=16, vocab=192)


def transformers_t5() -> T5EncoderModel:
    """transformers' class with random weights, as diffsynth configured it (gated GELU)."""
    config = T5Config(
        d_model=SIZES["dim"],
        d_ff=SIZES["ffn_dim"],
        d_kv=SIZES["head_dim"],
        num_heads=SIZES["heads"],
        num_layers=SIZES["layers"],
        vocab_size=SIZES["vocab"],
        feed_forward_proj="gated-gelu",
        dense_act_fn="gelu_new",
        dropout_rate=0.1,  # FLUX's config; inactive in eval mode
    )
    model = T5EncoderModel(config).eval()
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.3)
    return model


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
def test_it_gives_transformers_numbers_bit_for_bit(dtype: torch.dtype) -> None:
    reference = transformers_t5()
    ours = T5Encoder(**SIZES)
    ours.load_state_dict(reference.state_dict(), strict=True)
    assert ours.encoder.embed_tokens.weight is ours.shared.weight  # one table, as there
    reference.to(dtype)
    ours.to(dtype)
    generator = torch.Generator().manual_seed(1)
    # 300 tokens: distances past the buckets' 128, in both directions
    for length in (1, 7, 77, 300):
        ids = torch.randint(0, SIZES["vocab"], (2, length), generator=generator)
        with torch.no_grad():
            expected = reference(input_ids=ids).last_hidden_state
            got = ours(ids)
        assert got.dtype == dtype
        assert torch.equal(got, expected), (dtype, length)


def same_weights() -> tuple[T5EncoderModel, T5Encoder]:
    reference = transformers_t5()
    ours = T5Encoder(**SIZES)
    ours.load_state_dict(reference.state_dict(), strict=True)
    return reference, ours


def test_float16_overflow_is_clamped_as_transformers_clamps_it() -> None:
    reference, ours = same_weights()
    for model in (reference, ours):
        with torch.no_grad():  # feed-forward outputs far past float16's 65504
            model.encoder.block[0].layer[1].DenseReluDense.wo.weight.mul_(6e4)
        model.half()
    ids = torch.randint(0, SIZES["vocab"], (1, 20), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        expected = reference(input_ids=ids).last_hidden_state
        attended, _ = ours.encoder.block[0].layer[0](ours.encoder.embed_tokens(ids), None)
        unclamped = ours.encoder.block[0].layer[1](attended)
        got = ours(ids)
    assert torch.isinf(unclamped).any()  # the case the clamp is for
    assert torch.isfinite(got).all() and torch.equal(got, expected)


def test_a_float32_output_projection_gets_float32_input_as_there() -> None:
    """transformers keeps T5's `wo` in float32 when it loads a model in half precision."""
    reference, ours = same_weights()
    for model in (reference, ours):
        model.to(torch.bfloat16)
        for block in model.encoder.block:
            block.layer[1].DenseReluDense.wo.float()
    ids = torch.randint(0, SIZES["vocab"], (1, 30), generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        assert torch.equal(ours(ids), reference(input_ids=ids).last_hidden_state)


def test_a_change_in_any_weight_changes_the_output() -> None:
    """The comparison above would pass for a network that ignored some of its weights."""
    model = T5Encoder(**SIZES)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.normal_(0, 0.3)
    ids = torch.randint(0, SIZES["vocab"], (1, 40))
    with torch.no_grad():
        before = model(ids)
        for name, parameter in model.named_parameters():
            saved = parameter.clone()
            parameter.mul_(1.5)
            assert not torch.equal(model(ids), before), name
            parameter.copy_(saved)


def test_the_flux_class_has_the_layout_of_flux_t5_files() -> None:
    with torch.device("meta"):
        model = FluxT5Encoder()
    shapes = {name: tuple(t.shape) for name, t in model.state_dict().items()}
    expected = layouts.t5_encoder()
    # diffsynth's converter adds the encoder's copy of the shared table
    expected = {**expected, "encoder.embed_tokens.weight": expected["shared.weight"]}
    assert shapes == expected
    assert XXL["layers"] == 24


def test_diffsynth_builds_it_in_place_of_its_own() -> None:
    import majicflux_desktop.engine.diffsynth_import  # noqa: F401  # isort: skip
    from diffsynth.configs import VRAM_MANAGEMENT_MODULE_MAPS
    from diffsynth.models.flux_text_encoder_t5 import FluxTextEncoderT5

    assert FluxTextEncoderT5 is FluxT5Encoder
    module_map = VRAM_MANAGEMENT_MODULE_MAPS[
        "diffsynth.models.flux_text_encoder_t5.FluxTextEncoderT5"
    ]
    assert not any(name.startswith("transformers.") for name in module_map)

from __future__ import annotations

import pytest

from majicflux_desktop.core.edit import Edit, EditMode, StoredImage, snap_to_step
from majicflux_desktop.core.i18n import set_translator
from majicflux_desktop.core.request import (
    MAX_SEED,
    GenerationRequest,
    LoraUse,
    RequestError,
    clean_text,
    estimate_t5_tokens,
)


def fields(request: GenerationRequest) -> set[str]:
    return {p.field for p in request.problems()}


def test_defaults_are_valid() -> None:
    request = GenerationRequest("a cat on a windowsill")
    assert request.problems() == []
    assert (request.width, request.height, request.steps, request.guidance) == (1024, 1024, 20, 3.5)


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"prompt": "   "}, "prompt", "empty"),
        ({"width": 1000}, "width", "Use 1008"),
        ({"height": 2064}, "height", "256–2048"),
        ({"width": 128}, "width", "256–2048"),
        ({"steps": 0}, "steps", "between 1 and 100"),
        ({"steps": 101}, "steps", "between 1 and 100"),
        ({"seed": -1}, "seed", "0 to 4294967295"),
        ({"seed": MAX_SEED + 1}, "seed", "random seed"),
        ({"guidance": 25.0}, "guidance", "3.5 is typical"),
        ({"cfg_scale": 0.5}, "cfg_scale", "1 turns it off"),
        ({"count": 0}, "count", "between 1 and 64"),
        ({"prompt": "x" * 10_001}, "prompt", "Shorten it"),
    ],
)
def test_bad_values_get_messages_that_name_the_fix(kwargs, field, words) -> None:
    request = GenerationRequest(**{"prompt": "a cat", **kwargs})
    problems = [p for p in request.problems() if p.field == field]
    assert problems, request.problems()
    assert words in problems[0].message.text()
    with pytest.raises(RequestError):
        request.checked()


def test_limits_themselves_are_allowed() -> None:
    for kwargs in (
        {"width": 256, "height": 2048},
        {"steps": 1},
        {"steps": 100},
        {"seed": 0},
        {"seed": MAX_SEED},
    ):
        assert GenerationRequest("a", **kwargs).problems() == []


def test_text_is_cleaned_of_controls_and_lone_surrogates() -> None:
    raw = "a\x00 cat\x07\r\non \ud800 a mat\u200b"
    request = GenerationRequest(raw)
    assert request.prompt == "a cat\non ? a mat"
    request.prompt.encode("utf-8")  # storable everywhere
    assert clean_text("e\u0301") == "é"  # NFC


def test_any_script_is_kept() -> None:
    prompt = "橘猫 🐱 in a 京都 street, مرحبا, שלום"
    assert GenerationRequest(prompt).prompt == prompt


def test_long_prompt_warns_about_t5_limit() -> None:
    long = GenerationRequest("a red apple on a table, " * 120)
    assert any("512" in w.message.text() for w in long.warnings())
    assert not any("512" in w.message.text() for w in GenerationRequest("a cat").warnings())


def test_cjk_counts_about_one_token_per_character() -> None:
    assert estimate_t5_tokens("猫" * 600) >= 600
    chinese = GenerationRequest("一只橘猫坐在窗台上，阳光明媚")
    assert any("English" in w.message.text() for w in chinese.warnings())


def test_negative_prompt_without_cfg_warns() -> None:
    warnings = GenerationRequest("a cat", negative_prompt="blurry").warnings()
    assert any(w.field == "negative_prompt" for w in warnings)
    assert not any(
        w.field == "negative_prompt"
        for w in GenerationRequest("a cat", negative_prompt="blurry", cfg_scale=3.0).warnings()
    )


def test_messages_use_the_installed_translator() -> None:
    set_translator(lambda context, text: "提示词为空。" if "empty" in text else text)
    try:
        assert GenerationRequest("").problems()[0].message.text() == "提示词为空。"
    finally:
        set_translator(None)


def test_fixed_seed_gives_consecutive_seeds_per_image() -> None:
    images = list(GenerationRequest("a", seed=MAX_SEED - 1, count=3).single_images())
    assert [r.seed for r in images] == [MAX_SEED - 1, MAX_SEED, 0]
    assert all(r.count == 1 for r in images)


def test_no_seed_gives_independent_random_seeds() -> None:
    seeds = [r.seed for r in GenerationRequest("a", count=8).single_images()]
    assert all(isinstance(s, int) and 0 <= s <= MAX_SEED for s in seeds)
    assert len(set(seeds)) > 1


def test_lora_and_edit_fields_are_checked_with_the_rest() -> None:
    source = StoredImage("a" * 64, 512, 512)
    loras = tuple(LoraUse(f"style{i}") for i in range(7))
    fields = {p.field for p in GenerationRequest("a", loras=loras).problems()}
    assert fields == {"loras"}  # seven is one too many
    bad_weight = GenerationRequest("a", loras=(LoraUse("x", weight=2.5), LoraUse("X")))
    texts = [p.message.text() for p in bad_weight.problems()]
    assert any("between -2.0 and 2.0" in t for t in texts) and any("twice" in t for t in texts)
    inpaint = Edit(EditMode.INPAINT, source, strength=1.5)
    fields = {p.field for p in GenerationRequest("a", edit=inpaint).problems()}
    assert fields == {"strength", "mask"}
    outpaint = Edit(EditMode.OUTPAINT, source, outpaint=(0, 0, 0, 0))
    assert {p.field for p in GenerationRequest("a", edit=outpaint).problems()} == {"outpaint"}
    upscale = Edit(EditMode.UPSCALE, source, strength=0.35, upscale=3.0)
    assert {p.field for p in GenerationRequest("a", edit=upscale).problems()} == {"upscale"}
    fine = Edit(EditMode.INPAINT, source, 0.5, mask=StoredImage("b" * 64, 512, 512))
    request = GenerationRequest("a", width=512, height=512, loras=(LoraUse("x", 0.5),), edit=fine)
    assert request.problems() == []  # an inpaint works at its picture's size


def test_snap_to_step() -> None:
    assert snap_to_step(1000) == 1008
    assert snap_to_step(10) == 256
    assert snap_to_step(5000) == 2048

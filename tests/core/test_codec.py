"""The one serializer: every stored and written form of a request goes through it."""

from __future__ import annotations

import json

import pytest

from majicflux_desktop.core import codec
from majicflux_desktop.core.edit import Edit, EditMode, InpaintArea, Resize, StoredImage
from majicflux_desktop.core.metadata import ImageMetadata
from majicflux_desktop.core.request import GenerationRequest, LoraUse
from majicflux_desktop.core.results import AppliedLora

FULL = GenerationRequest(
    "橘猫 on a windowsill",
    "模糊",
    seed=5,
    steps=8,
    width=512,
    height=768,
    guidance=4.0,
    cfg_scale=2.0,
    count=3,
    loras=(LoraUse("旗袍 style", 0.8, "a" * 64), LoraUse("detail", -1.5, enabled=False)),
    edit=Edit(
        EditMode.INPAINT,
        StoredImage("b" * 64, 640, 480),
        strength=0.45,
        mask=StoredImage("c" * 64, 640, 480),
        resize=Resize.FILL,
        area=InpaintArea.WHOLE,
        padding=48,
        feather=12,
        parent_image=123,
    ),
)


def test_a_request_with_every_field_round_trips() -> None:
    text = codec.dumps(FULL)
    assert codec.loads(GenerationRequest, text) == FULL
    data = json.loads(text)
    assert data["version"] == GenerationRequest.VERSION
    assert data["edit"]["mode"] == "inpaint" and data["loras"][0]["name"] == "旗袍 style"
    assert "橘猫" in text  # written as UTF-8, not escaped


def test_metadata_round_trips_with_its_request_and_loras() -> None:
    meta = ImageMetadata(
        FULL.with_seed(5),
        model="majicflus_v134",
        peak_vram_bytes=7_784_628_224,
        loras=(AppliedLora("旗袍 style", "a" * 64, 0.8, 494, 494),),
    )
    assert ImageMetadata.from_json(meta.to_json()) == meta


def test_a_version_1_request_is_upgraded() -> None:
    old = {"prompt": "cat", "seed": 3, "count": 2, "steps": 20}  # 0.1.0's job rows
    request = codec.decode(GenerationRequest, old)
    assert (request.prompt, request.seed, request.count) == ("cat", 3, 2)
    assert request.loras == () and request.edit is None


def test_a_newer_version_is_refused_not_misread() -> None:
    with pytest.raises(codec.DecodeError, match="newer"):
        codec.decode(GenerationRequest, {"prompt": "cat", "version": 99})


def test_unknown_keys_are_ignored() -> None:
    data = {**json.loads(codec.dumps(FULL)), "from_the_future": [1, 2]}
    assert codec.decode(GenerationRequest, data) == FULL


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("steps", "twenty"),
        ("seed", 1.5),
        ("guidance", float("nan")),
        ("loras", [{"weight": 1}]),
        ("edit", {"mode": "paint-by-numbers", "source": {}}),
        ("count", True),
    ],
)
def test_a_bad_value_raises_when_strict_and_falls_back_when_lenient(
    field: str, value: object
) -> None:
    data = {**json.loads(codec.dumps(FULL)), field: value}
    with pytest.raises(codec.DecodeError):
        codec.decode(GenerationRequest, data)
    issues: list[codec.Issue] = []
    lenient = codec.decode(GenerationRequest, data, issues)
    assert [issue.field for issue in issues] == [field]
    default = getattr(GenerationRequest("x"), field)
    assert getattr(lenient, field) == default
    assert lenient.prompt == FULL.prompt  # the rest is kept


def test_a_required_field_missing_is_an_error_even_when_lenient() -> None:
    with pytest.raises(codec.DecodeError):
        codec.decode(GenerationRequest, {"seed": 3}, [])

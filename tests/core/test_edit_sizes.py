"""The sizes an edit works at and delivers, and the request's check of them (no pixels)."""

from __future__ import annotations

import pytest

from majicflux_desktop.core.edit import (
    DEFAULT_UPSCALE_STRENGTH,
    Edit,
    EditMode,
    Resize,
    StoredImage,
)
from majicflux_desktop.core.edit_sizes import default_strength, fit_work_size, steps_run
from majicflux_desktop.core.edit_sizes import edit_sizes as sizes_of
from majicflux_desktop.core.request import GenerationRequest, RequestError


def source(width: int, height: int) -> StoredImage:
    return StoredImage("a" * 64, width, height)


def request(edit: Edit, width: int, height: int, **kwargs: object) -> GenerationRequest:
    return GenerationRequest("a cat", width=width, height=height, edit=edit, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("size", "work"),
    [
        ((1000, 750), (1008, 752)),  # snapped, aspect kept
        ((4032, 3024), (2048, 1536)),  # a phone photo: down to 2048 on the long side
        ((300, 200), (384, 256)),  # small: up to 256 on the short side
        ((5000, 100), (2048, 256)),  # beyond 8:1 the sides are clamped
    ],
)
def test_fit_work_size(size: tuple[int, int], work: tuple[int, int]) -> None:
    assert fit_work_size(*size) == work


def test_sizes_per_mode() -> None:
    def edit_sizes(edit: Edit, chosen: tuple[int, int]) -> tuple[tuple[int, int], ...] | None:
        sizes = sizes_of(edit, chosen)
        return None if sizes is None else (sizes.work, sizes.output)

    photo = source(1000, 750)
    img2img = Edit(EditMode.IMAGE_TO_IMAGE, photo, resize=Resize.FILL)
    assert edit_sizes(img2img, (768, 512)) == ((768, 512), (768, 512))  # the user's choice
    keep = Edit(EditMode.IMAGE_TO_IMAGE, photo, resize=Resize.KEEP)
    assert edit_sizes(keep, (768, 512)) == ((1008, 752), (1008, 752))
    inpaint = Edit(EditMode.INPAINT, photo, mask=source(1000, 750))
    assert edit_sizes(inpaint, (0, 0)) == ((1008, 752), (1000, 750))  # the exact picture back
    outpaint = Edit(EditMode.OUTPAINT, photo, outpaint=(100, 0, 100, 50))
    assert edit_sizes(outpaint, (0, 0)) == ((1200, 800), (1200, 800))
    twice = Edit(EditMode.UPSCALE, source(500, 375), upscale=2.0)
    assert edit_sizes(twice, (0, 0)) == ((1008, 752), (1000, 750))
    largest = Edit(EditMode.UPSCALE, photo, upscale=2.0)  # 2000 pixels: within 2048
    assert edit_sizes(largest, (0, 0)) == ((2000, 1504), (2000, 1500))
    big = Edit(EditMode.UPSCALE, source(1536, 1024), upscale=2.0)  # stops at 2048
    assert edit_sizes(big, (0, 0)) == ((2048, 1360), (2048, 1365))


def test_a_request_of_another_size_is_refused_with_the_right_size() -> None:
    inpaint = Edit(EditMode.INPAINT, source(1000, 750), mask=source(1000, 750))
    with pytest.raises(RequestError) as info:
        request(inpaint, 1024, 1024).checked()
    assert "works at 1008×752, not 1024×1024" in str(info.value)
    assert request(inpaint, 1008, 752).problems() == []


def test_keep_and_upscale_refuse_pictures_they_cannot_use() -> None:
    huge = Edit(EditMode.IMAGE_TO_IMAGE, source(3000, 2000), resize=Resize.KEEP)
    problems = request(huge, 1024, 1024).problems()
    assert [p.field for p in problems] == ["resize"]
    assert "Choose Fit or Fill" in problems[0].message.text()
    done = Edit(EditMode.UPSCALE, source(2048, 1024), upscale=1.5)
    problems = request(done, 1024, 1024).problems()
    assert [p.field for p in problems] == ["upscale"]
    assert "already 2048×1024" in problems[0].message.text()


def test_strength_out_of_range_is_refused_before_sizes() -> None:
    edit = Edit(EditMode.UPSCALE, source(512, 512), strength=1.5, upscale=3.0)
    fields = [p.field for p in request(edit, 256, 256).problems()]
    assert fields == ["strength", "upscale"]  # no size complaint on top of broken fields


@pytest.mark.parametrize(
    ("steps", "strength", "run"), [(20, 0.35, 7), (20, 1.0, 20), (20, 0.05, 1), (8, 0.5, 4)]
)
def test_steps_run_are_about_strength_times_steps(steps: int, strength: float, run: int) -> None:
    assert steps_run(steps, strength) == run


def test_default_strengths() -> None:
    assert default_strength(EditMode.UPSCALE) == DEFAULT_UPSCALE_STRENGTH
    assert default_strength(EditMode.OUTPAINT) > default_strength(EditMode.INPAINT)

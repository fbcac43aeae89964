"""Edit modes through the real diffsynth pipeline on the tiny random-weight model (CPU).

The tiny model draws noise, so these tests check what an edit guarantees whatever the weights:
sizes, steps, reproducibility, and that what must stay the original's stays it byte for byte.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from majicflux_desktop.core.edit import Edit, EditMode, InpaintArea, Resize
from majicflux_desktop.core.edit_sizes import edit_sizes
from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.core.request import GenerationRequest, RequestError
from majicflux_desktop.core.results import Cancelled, Phase, Progress
from majicflux_desktop.core.store.sources import SourceStore
from majicflux_desktop.engine import edit as edit_plan
from majicflux_desktop.engine import masks
from majicflux_desktop.engine.pipeline import Engine


@pytest.fixture
def store(tmp_path: Path) -> SourceStore:
    return SourceStore(tmp_path / "sources")


def photo(width: int, height: int, seed: int = 0) -> Image.Image:
    """A smooth picture with some grain: gradients the VAE and the resizes keep recognisable."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([x * 255 / width, y * 255 / height, (x + y) * 127 / (width + height)], axis=2)
    rgb = rgb + rng.normal(0, 12, rgb.shape)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")


def mask_picture(width: int, height: int, box: tuple[int, int, int, int]) -> Image.Image:
    pixels = np.zeros((height, width), np.uint8)
    left, top, right, bottom = box
    pixels[top:bottom, left:right] = 255
    return Image.fromarray(pixels, "L")


def edit_request(
    edit: Edit, steps: int = 8, seed: int = 5, chosen: tuple[int, int] = (256, 256)
) -> GenerationRequest:
    sizes = edit_sizes(edit, chosen)
    assert sizes is not None
    width, height = sizes.work
    return GenerationRequest(
        "a harbour", seed=seed, steps=steps, width=width, height=height, edit=edit
    ).checked()


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image).astype(np.int16)


def beyond(mask: np.ndarray, feather: int) -> np.ndarray:
    """Pixels farther than `feather` (in any direction, as a square) from the mask."""
    grown = mask.copy()
    for _ in range(feather):
        tall = grown.copy()
        tall[1:] |= grown[:-1]
        tall[:-1] |= grown[1:]
        wide = tall.copy()
        wide[:, 1:] |= tall[:, :-1]
        wide[:, :-1] |= tall[:, 1:]
        grown = wide
    return ~grown


# -- image to image --------------------------------------------------------------------------------


def test_image_to_image_is_reproducible_and_strength_changes_it(engine: Engine, store) -> None:
    source = store.put(photo(320, 256))
    request = edit_request(Edit(EditMode.IMAGE_TO_IMAGE, source, strength=0.6))
    first = engine.generate(request, pictures=store.open)
    again = engine.generate(request, pictures=store.open)
    assert first.image.size == (256, 256)
    assert np.array_equal(pixels(first.image), pixels(again.image))
    stronger = edit_request(Edit(EditMode.IMAGE_TO_IMAGE, source, strength=0.9))
    assert not np.array_equal(
        pixels(first.image), pixels(engine.generate(stronger, pictures=store.open).image)
    )
    other = store.put(photo(320, 256, seed=1))
    from_other = edit_request(Edit(EditMode.IMAGE_TO_IMAGE, other, strength=0.6))
    assert not np.array_equal(
        pixels(first.image), pixels(engine.generate(from_other, pictures=store.open).image)
    )


@pytest.mark.parametrize(("strength", "run"), [(0.25, 2), (0.5, 4), (1.0, 8)])
def test_steps_run_scale_with_strength(engine: Engine, store, strength: float, run: int) -> None:
    source = store.put(photo(256, 256))
    calls: list[Progress] = []
    result = engine.generate(
        edit_request(Edit(EditMode.IMAGE_TO_IMAGE, source, strength=strength), steps=8),
        on_progress=calls.append,
        pictures=store.open,
    )
    assert [(p.phase, p.step, p.total) for p in calls] == [
        (Phase.ENCODING, 0, run),
        *((Phase.DENOISING, step, run) for step in range(run)),
        (Phase.DECODING, run, run),
    ]
    assert result.timings.steps == run


@pytest.mark.slow
def test_a_low_strength_ends_nearer_the_source_latents(engine: Engine, store) -> None:
    source = store.put(photo(256, 256))
    seen: dict[str, torch.Tensor] = {}
    hooks = [
        engine.pipe.vae_encoder.register_forward_hook(
            lambda module, args, output: seen.update(source=output.detach().clone())
        ),
        engine.pipe.vae_decoder.register_forward_pre_hook(
            lambda module, args: seen.update(final=args[0].detach().clone())
        ),
    ]
    distance = {}
    try:
        for strength in (0.1, 0.9):
            edit = Edit(EditMode.IMAGE_TO_IMAGE, source, strength=strength)
            engine.generate(edit_request(edit, steps=10), pictures=store.open)
            change = (seen["final"] - seen["source"]).norm() / seen["source"].norm()
            distance[strength] = float(change)
    finally:
        for hook in hooks:
            hook.remove()
    assert distance[0.1] < distance[0.9] / 2


def test_fit_fill_and_keep(store) -> None:
    halves = np.zeros((256, 512, 3), np.uint8)  # red | blue, a green band along the top
    halves[:, :256] = (255, 0, 0)
    halves[:, 256:] = (0, 0, 255)
    halves[:32] = (0, 255, 0)
    source = store.put(Image.fromarray(halves, "RGB"))
    red, green, blue = (255, 0, 0), (0, 255, 0), (0, 0, 255)

    def start(resize: Resize, size: tuple[int, int]) -> np.ndarray:
        edit = Edit(EditMode.IMAGE_TO_IMAGE, source, resize=resize)
        request = edit_request(edit, chosen=size)
        plan = edit_plan.prepare(request, store.open)
        assert plan.init_image.size == plan.work_size == plan.output_size
        return pixels(plan.init_image)

    fit = start(Resize.FIT, (256, 256))  # all of it, 256×128, in the middle (rows 64–192)
    assert tuple(fit[70, 128]) == green and tuple(fit[150, 5]) == red
    assert tuple(fit[150, 250]) == blue
    assert fit[:60].sum(axis=2).min() > 100  # above it a blurred copy, not a black bar
    fill = start(Resize.FILL, (256, 256))  # the centre 256×256 at full height
    assert tuple(fill[10, 128]) == green and tuple(fill[70, 5]) == red
    assert tuple(fill[70, 250]) == blue
    odd = store.put(Image.fromarray(np.full((260, 300, 3), 90, np.uint8), "RGB"))
    keep = Edit(EditMode.IMAGE_TO_IMAGE, odd, resize=Resize.KEEP)
    plan = edit_plan.prepare(edit_request(keep), store.open)
    assert plan.work_size == (304, 256)  # its own size, snapped to 16
    with pytest.raises(RequestError, match="works at 304×256"):
        GenerationRequest("a", width=256, height=256, edit=keep).checked()


# -- inpainting ------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("area", [InpaintArea.WHOLE, InpaintArea.MASKED])
def test_inpaint_keeps_every_pixel_past_the_feather(engine: Engine, store, area) -> None:
    original = photo(400, 300)  # not a multiple of 16: the output is still exactly this size
    box = (150, 100, 230, 160)
    mask = pixels(mask_picture(400, 300, box)) > 0
    edit = Edit(
        EditMode.INPAINT,
        store.put(original),
        strength=0.8,
        mask=store.put(mask_picture(400, 300, box), mode="L"),
        area=area,
        feather=8,
    )
    result = engine.generate(edit_request(edit), pictures=store.open)
    assert result.image.size == (400, 300)
    out, before = pixels(result.image), pixels(original)
    changed = np.any(out != before, axis=2)
    assert not changed[beyond(mask, 8)].any()  # byte-identical past the feather
    assert changed[mask].mean() > 0.9  # and the masked area was repainted
    assert changed[~mask & ~beyond(mask, 8)].any()  # the feather blends
    again = engine.generate(edit_request(edit), pictures=store.open)
    assert np.array_equal(out, pixels(again.image))


@pytest.mark.slow
def test_masked_area_is_generated_at_the_crops_own_size(engine: Engine, store) -> None:
    # A 64×48 mask in a 1024×768 picture: the crop is the mask, its feather (8) and padding
    # (32) on each side, 144×128 pixels, generated at 512 on its long side: 512×448 (144 × 3.56
    # and 128 × 3.56 = 455, snapped), not at the picture's 1024×768.
    original = photo(1024, 768)
    edit = Edit(
        EditMode.INPAINT,
        store.put(original),
        mask=store.put(mask_picture(1024, 768, (600, 500, 664, 548)), mode="L"),
        area=InpaintArea.MASKED,
    )
    request = edit_request(edit, steps=4)  # strength 0.6: 2 steps run
    assert (request.width, request.height) == (1024, 768)
    previews: list[tuple[int, int]] = []
    result = engine.generate(
        request, pictures=store.open, on_preview=lambda step, image: previews.append(image.size)
    )
    assert previews == [(512 // 8, 448 // 8)] * 2  # the latents the transformer worked on
    assert result.image.size == (1024, 768)
    assert "Repainted the 144×128 pixels around the mask at 512×448" in result.notes[0].text()
    changed = np.any(pixels(result.image) != pixels(original), axis=2)
    rows, columns = np.nonzero(changed)
    assert (rows.min(), rows.max(), columns.min(), columns.max()) == (492, 555, 592, 671)


def test_outside_the_mask_the_latents_are_the_sources(engine: Engine, store) -> None:
    """Our masked-latent blend: after the last step the unmasked latents are exactly the
    source's, the masked ones the model's."""
    edit = Edit(
        EditMode.INPAINT,
        store.put(photo(256, 256)),
        strength=0.7,
        mask=store.put(mask_picture(256, 256, (64, 64, 160, 128)), mode="L"),
        area=InpaintArea.WHOLE,
        feather=0,
    )
    seen: dict[str, torch.Tensor] = {}
    hooks = [
        engine.pipe.vae_encoder.register_forward_hook(
            lambda module, args, output: seen.update(source=output.detach().clone())
        ),
        engine.pipe.vae_decoder.register_forward_pre_hook(
            lambda module, args: seen.update(final=args[0].detach().clone())
        ),
    ]
    try:
        engine.generate(edit_request(edit), pictures=store.open)
    finally:
        for hook in hooks:
            hook.remove()
    cells = torch.zeros(32, 32, dtype=torch.bool)
    cells[8:16, 8:20] = True  # pixels 64..128 × 64..160 in latent cells of 8
    same = (seen["final"] == seen["source"]).all(dim=1)[0]
    assert same[~cells].all()
    assert not same[cells].any()


def test_a_mask_of_another_size_is_scaled_and_said(engine: Engine, store) -> None:
    original = photo(400, 300)
    edit = Edit(
        EditMode.INPAINT,
        store.put(original),
        mask=store.put(mask_picture(200, 150, (75, 50, 115, 80)), mode="L"),
        area=InpaintArea.WHOLE,
    )
    result = engine.generate(edit_request(edit, steps=2), pictures=store.open)
    assert result.notes[0].text() == (
        "The mask was 200×150 pixels and the picture 400×300; the mask was scaled to the picture."
    )
    scaled = pixels(mask_picture(400, 300, (150, 100, 230, 160))) > 0
    changed = np.any(pixels(result.image) != pixels(original), axis=2)
    assert not changed[beyond(scaled, 8 + 1)].any() and changed[scaled].mean() > 0.9


def test_an_empty_mask_is_refused_before_anything_runs(engine: Engine, store) -> None:
    edit = Edit(
        EditMode.INPAINT,
        store.put(photo(256, 256)),
        mask=store.put(Image.new("L", (256, 256), 0), mode="L"),
    )
    calls: list[Progress] = []
    with pytest.raises(UserError, match="The mask is empty") as info:
        engine.generate(edit_request(edit), pictures=store.open, on_progress=calls.append)
    assert "white repaints" in info.value.text()
    assert calls == []


def test_a_mask_with_transparency_repaints_only_opaque_white() -> None:
    layer = np.zeros((4, 4, 4), np.uint8)
    layer[..., :3] = 255  # white everywhere, but only one pixel is opaque
    layer[1, 2, 3] = 255
    mask, note = masks.binary_mask(Image.fromarray(layer, "RGBA"), (4, 4))
    assert note is None and mask.sum() == 1 and mask[1, 2]


# -- outpainting and upscaling ---------------------------------------------------------------------


def test_outpaint_grows_as_asked_and_keeps_the_original(engine: Engine, store) -> None:
    original = photo(256, 192)
    edit = Edit(EditMode.OUTPAINT, store.put(original), strength=0.9, outpaint=(64, 0, 32, 48))
    result = engine.generate(edit_request(edit), pictures=store.open)
    assert result.image.size == (256 + 64 + 32, 192 + 48)
    out = pixels(result.image)
    kept = out[0 : 192 - 8, 64 + 8 : 64 + 256 - 8]  # the original region past the feather
    assert np.array_equal(kept, pixels(original)[: 192 - 8, 8 : 256 - 8])
    assert out[:, :64].std() > 1 and out[192:].std() > 1  # the new area is painted
    start = pixels(edit_plan.outpaint_start(original, (64, 0, 32, 48)))
    assert np.array_equal(start[:192, 64:320], pixels(original))  # the start keeps it too
    assert start[:, :60].std() > 1  # edges stretched and blurred, not a flat colour


@pytest.mark.parametrize(("factor", "size"), [(2.0, (512, 384)), (1.5, (384, 288))])
def test_upscale(engine: Engine, store, factor: float, size: tuple[int, int]) -> None:
    edit = Edit(EditMode.UPSCALE, store.put(photo(256, 192)), strength=0.35, upscale=factor)
    calls: list[Progress] = []
    result = engine.generate(
        edit_request(edit, steps=20), pictures=store.open, on_progress=calls.append
    )
    assert result.image.size == size
    assert calls[-1] == Progress(Phase.DECODING, 7, 7, calls[-1].eta_s)  # 0.35 × 20 steps


def test_upscale_stops_at_2048_and_says_so(store) -> None:
    edit = Edit(EditMode.UPSCALE, store.put(photo(1536, 1024)), upscale=2.0)
    plan = edit_plan.prepare(edit_request(edit), store.open)
    assert plan.output_size == (2048, 1365) and plan.work_size == (2048, 1360)
    assert "Upscaled ×1.33 instead of ×2.0" in plan.notes[0].text()


# -- running alongside previews, cancel and every memory plan --------------------------------------


@pytest.mark.slow
def test_previews_and_cancel_work_during_an_inpaint(engine: Engine, store) -> None:
    edit = Edit(
        EditMode.INPAINT,
        store.put(photo(256, 256)),
        strength=1.0,
        mask=store.put(mask_picture(256, 256, (32, 32, 96, 96)), mode="L"),
        area=InpaintArea.WHOLE,
    )
    request = edit_request(edit, steps=6)
    previews: list[int] = []
    fresh = engine.generate(
        request, pictures=store.open, on_preview=lambda step, image: previews.append(step)
    )
    assert previews == list(range(6))
    assert "step" not in engine.pipe.__dict__  # both wrappers gone
    cancel = threading.Event()

    def on_progress(progress: Progress) -> None:
        if progress.phase is Phase.DENOISING and progress.step == 2:
            cancel.set()

    with pytest.raises(Cancelled):
        engine.generate(request, pictures=store.open, on_progress=on_progress, cancel=cancel)
    again = engine.generate(request, pictures=store.open)
    assert np.array_equal(pixels(again.image), pixels(fresh.image))


@pytest.mark.slow
@pytest.mark.parametrize("plan", ["fp8-stream", "fp8-offload"])
def test_other_memory_plans_keep_the_encoder_and_edit(tiny_paths, store, plan: str) -> None:
    engine = Engine(device="cpu")
    engine.load(tiny_paths, plan, budget_bytes=0 if plan == "fp8-stream" else None)
    assert engine.pipe.vae_encoder is not None
    original = photo(256, 256)
    mask = mask_picture(256, 256, (96, 96, 160, 160))
    edit = Edit(
        EditMode.INPAINT,
        store.put(original),
        mask=store.put(mask, mode="L"),
        area=InpaintArea.WHOLE,
    )
    result = engine.generate(edit_request(edit, steps=2), pictures=store.open)
    changed = np.any(pixels(result.image) != pixels(original), axis=2)
    masked = pixels(mask) > 0
    assert changed[masked].mean() > 0.9 and not changed[beyond(masked, 8)].any()


# -- mask geometry (no model) ----------------------------------------------------------------------


def test_the_feather_is_exactly_one_on_the_mask_and_zero_past_it() -> None:
    mask = np.zeros((60, 80), bool)
    mask[0:20, 0:30] = True  # touching the picture's top and left edges
    alpha, box = masks.feathered(mask, 8)
    assert (box.left, box.top, box.right, box.bottom) == (0, 0, 38, 28)
    assert (alpha[:20, :30] == 1.0).all()  # the edge pixels too: the mask goes on beyond them
    assert (alpha[:, 30:] < 1).all() and (alpha[20:] < 1).all()
    assert alpha[:20, 37].max() > 0 and alpha[27, :30].max() > 0  # 8 pixels out: still blending
    assert 0 < alpha[10, 34] < 1 and alpha[10, 31] > alpha[10, 36]  # falling outwards
    hard, _ = masks.feathered(mask, 0)
    assert np.array_equal(hard, mask[:20, :30].astype(np.float32))


def test_a_thin_masked_area_is_widened_for_context_not_stretched() -> None:
    mask = np.zeros((1000, 1200), bool)
    mask[500:502, 300:900] = True  # a 600×2 scratch
    box, work = edit_plan.masked_area(mask, feather=8, padding=32)
    assert (box.width, box.height) == (680, 256)  # 600 + 2×40 wide; 82 high widened to 256
    assert box.top <= 500 and box.bottom >= 502
    assert work == (688, 256)  # its own pixels (680 → 688), no upscale needed
    corner = np.zeros((300, 400), bool)
    corner[0:10, 390:400] = True  # a small mark in the top-right corner
    box, work = edit_plan.masked_area(corner, feather=8, padding=32)
    assert box.right == 400 and box.top == 0  # kept inside the picture
    assert max(work) == 512 and min(work) >= 256  # a small area is generated at 512

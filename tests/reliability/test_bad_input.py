"""Bad input: prompts, sizes, steps and seeds at and beyond their limits, typed into the prompt
panel of the real window (what the user sees) and given to the engine directly."""

from __future__ import annotations

import time

import pytest
from ui_helpers import Launch, window_of

from majicflux_desktop.app import DesktopApp
from majicflux_desktop.core import metadata
from majicflux_desktop.core.library import ImageQuery, ImageRecord, Library
from majicflux_desktop.core.request import (
    MAX_PROMPT_CHARS,
    MAX_SEED,
    GenerationRequest,
    RequestError,
)
from majicflux_desktop.engine.pipeline import Engine

ODD_PROMPTS = {
    "control characters": ("a cat\x00\x07\x1b[31m on a\u200b mat\r\nline two", "a cat[31m on a mat\nline two"),
    "unpaired surrogates": ("half \ud83d moon \udc31 cat", "half  moon  cat"),  # Qt drops them
    "right-to-left": ("قطة على السجادة، שטיח", "قطة على السجادة، שטיח"),
    "emoji": ("🐱‍👤 ninja cat 🚀🌕 with 👩🏽‍🚀", "🐱‍👤 ninja cat 🚀🌕 with 👩🏽‍🚀"),
    "Chinese and English": ("一只橘猫 a ginger cat 在窗台上 on the sill", "一只橘猫 a ginger cat 在窗台上 on the sill"),
}  # fmt: skip


def type_into_panel(desktop: DesktopApp, prompt: str, **values: int) -> None:
    panel = window_of(desktop).prompt_panel
    panel.prompt.setPlainText(prompt)
    panel.size_picker.set_size(values.get("width", 256), values.get("height", 256))
    panel.steps.setValue(values.get("steps", 1))
    panel.count.setValue(values.get("count", 1))
    panel.lock.setChecked(True)
    panel.seed.setText(str(values.get("seed", 1)))


def generate_from_panel(qtbot, desktop: DesktopApp) -> list[ImageRecord]:
    saved: list[ImageRecord] = []
    desktop.worker.image_saved.connect(saved.append)
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=60_000):
        assert window_of(desktop).prompt_panel.try_generate()
    qtbot.waitUntil(lambda: len(saved) == window_of(desktop).prompt_panel.count.value())
    return saved


def test_empty_and_huge_prompts_are_refused_in_the_panel(qtbot, launch: Launch, data_dir) -> None:
    """An empty prompt and a 100,000-character one: Generate does nothing but say why, in red
    under the panel ("The prompt is empty…", "…Shorten it to at most 10000…"); the window answers
    at once and nothing is queued."""
    desktop = launch(data_dir, wait=False)
    panel = window_of(desktop).prompt_panel
    for prompt, words in (("", "The prompt is empty"), ("  \n\t ", "The prompt is empty"),
                          ("a cat " * 16_667, f"Shorten it to at most {MAX_PROMPT_CHARS}")):  # fmt: skip
        started = time.perf_counter()
        type_into_panel(desktop, prompt)
        assert not panel.try_generate()
        assert time.perf_counter() - started < 3
        assert words in panel.messages.text() and panel.messages.isVisible()
    assert desktop.library.jobs.jobs() == []


@pytest.mark.slow
def test_odd_prompts_generate_and_round_trip(qtbot, launch: Launch, data_dir) -> None:
    """Control characters, unpaired surrogates, right-to-left text, emoji, Chinese with English:
    each image is made; the gallery, the file name, the PNG metadata and the search all carry the
    prompt as typed, minus only invisible control characters and halves of characters."""
    desktop = launch(data_dir)
    for case, (typed, kept) in ODD_PROMPTS.items():
        type_into_panel(desktop, typed)
        (record,) = generate_from_panel(qtbot, desktop)
        assert record.prompt == kept, case
        assert record.file.is_file() and record.file.name.endswith(".png")
        read = metadata.read(record.file)
        assert read.source == "MajicFlux" and read.request is not None
        assert read.request.prompt == kept, case
        word = max(kept.split(), key=len)
        assert record.id in [
            r.id for r in desktop.library.records.images(ImageQuery(search=word))
        ], case
    assert window_of(desktop).gallery.model.rowCount() == len(ODD_PROMPTS)


@pytest.mark.slow
def test_seeds_at_the_edges(qtbot, launch: Launch, data_dir) -> None:
    """Seed 0 is a seed like any other (not "random"); 4294967295 works and its next image wraps
    to 0; 4294967296 is refused in the panel with the allowed range; "-1" cannot be typed."""
    desktop = launch(data_dir)
    panel = window_of(desktop).prompt_panel
    type_into_panel(desktop, "seed zero", seed=0)
    (zero,) = generate_from_panel(qtbot, desktop)
    assert zero.seed == 0 and "-0-" in zero.file.name
    assert metadata.read(zero.file).request.seed == 0  # type: ignore[union-attr]
    type_into_panel(desktop, "the last seed", seed=MAX_SEED, count=2)
    assert [r.seed for r in generate_from_panel(qtbot, desktop)] == [MAX_SEED, 0]
    type_into_panel(desktop, "beyond", seed=MAX_SEED + 1)
    assert not panel.try_generate()
    assert "The seed must be a whole number from 0 to 4294967295" in panel.messages.text()
    panel.seed.clear()
    qtbot.keyClicks(panel.seed, "-1")
    assert panel.seed.text() == "1"  # the field takes digits only
    assert len(desktop.library.jobs.jobs()) == 2


@pytest.mark.slow
def test_sizes_and_steps_beyond_the_limits_are_clamped_in_the_panel(
    qtbot, launch: Launch, data_dir
) -> None:
    """Whatever is typed, the panel offers only what can be made: steps 0 → 1, 1000 → 100;
    a size of 10×10 → 256×256, 99999 → 2048, 1000 → 1008 (a multiple of 16). An image at the
    longest side, 2048×256, is made."""
    desktop = launch(data_dir)
    panel = window_of(desktop).prompt_panel
    panel.prompt.setPlainText("a size test")
    for typed, shown in ((0, 1), (1000, 100), (-5, 1)):
        panel.steps.setValue(typed)
        assert panel.steps.value() == shown
    for typed, shown in (((10, 10), (256, 256)), ((99_999, 99_999), (2048, 2048)),
                         ((1000, 250), (1008, 256))):  # fmt: skip
        panel.size_picker.set_size(*typed)
        assert panel.size_picker.image_size() == shown
        assert panel.request().problems() == []
    type_into_panel(desktop, "a long banner", width=2048, height=256)
    (banner,) = generate_from_panel(qtbot, desktop)
    assert (banner.width, banner.height) == (2048, 256)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"width": 255}, "Width 255 is outside 256–2048 pixels"),
        ({"height": 2064}, "Height 2064 is outside 256–2048 pixels"),
        ({"width": 1000}, "Width 1000 is not a multiple of 16. Use 1008."),
        ({"steps": 0}, "Steps must be between 1 and 100 (got 0)"),
        ({"steps": 101}, "Steps must be between 1 and 100 (got 101)"),
        ({"seed": -1}, "The seed must be a whole number from 0 to 4294967295 (got -1)"),
        ({"seed": 2**32}, "The seed must be a whole number from 0 to 4294967295 (got 4294967296)"),
        ({"seed": 2**70}, "(got 1180591620717411303424)"),
        ({"prompt": "x" * 100_000}, "The prompt is 100000 characters long"),
        ({"prompt": "\x00\x01\u200b"}, "The prompt is empty"),
        ({"guidance": float("nan")}, "Guidance must be between 0.0 and 20.0"),
        ({"count": 0}, "Count must be between 1 and 64 (got 0)"),
    ],
)
def test_the_queue_refuses_bad_requests_before_storing_them(
    library: Library, changes: dict[str, object], words: str
) -> None:
    """The same limits hold below the window (the queue is the one gate every request passes,
    from the panel, a re-roll, a dropped PNG or the CLI): a bad request is refused with the
    message the panel shows, and nothing is stored."""
    values: dict[str, object] = {"prompt": "a cat", "width": 256, "height": 256, "steps": 1}
    values.update(changes)
    with pytest.raises(RequestError) as refused:
        library.jobs.enqueue(GenerationRequest(**values))  # type: ignore[arg-type]
    assert words in str(refused.value)
    assert library.jobs.jobs() == []


def test_the_engine_makes_images_at_the_lower_limits(engine: Engine) -> None:
    """1 step at 256×256, seed 0 and seed 4294967295, a 10,000-character prompt (the longest
    allowed; the text encoders read their first tokens), lone surrogates (from the CLI or a PNG:
    they become "?", so the prompt can be stored and encoded): each image is made."""
    assert GenerationRequest("half \ud83d moon").prompt == "half ? moon"
    assert engine.generate(GenerationRequest("\udc31", seed=1, steps=1, width=256, height=256))
    for seed, prompt in ((0, "a cat"), (MAX_SEED, "a cat " * 1666)):
        request = GenerationRequest(prompt, seed=seed, steps=1, width=256, height=256)
        result = engine.generate(request)
        assert result.image.size == (256, 256) and result.seed == seed

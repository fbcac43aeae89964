"""Edits in the real window: a gallery image or a dropped file as the source, the mask painted in
the painter, the queue, the lineage link and the family filter, re-roll and reuse all, a language
switch; the real tiny pipeline makes every picture."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPointF, Qt
from test_edit_widgets import stroke
from ui_helpers import Launch, drop, window_of

from majicflux_desktop.app import DesktopApp
from majicflux_desktop.core.edit import EditMode, InpaintArea
from majicflux_desktop.core.library import ImageRecord
from majicflux_desktop.ui.gallery.parameters import FAMILY_LINK, IMAGE_LINK
from majicflux_desktop.ui.window.main_window import MainWindow

TIMEOUT_MS = 60_000


def small_prompt(window: MainWindow, text: str) -> None:
    panel = window.prompt_panel
    panel.prompt.setPlainText(text)
    panel.size_picker.set_size(256, 256)
    panel.steps.setValue(2)
    panel.lock.setChecked(False)


def generate(qtbot, desktop: DesktopApp, window: MainWindow) -> ImageRecord:
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=TIMEOUT_MS) as done:
        assert window.prompt_panel.try_generate(), window.prompt_panel.messages.text()
    return done.args[1]


def source_ready(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.prompt_panel.edit_panel.has_source(), timeout=10_000)
    qtbot.waitUntil(lambda: not window.prompt_panel.edit_panel.loading(), timeout=10_000)


def select_mode(window: MainWindow, mode: EditMode) -> None:
    form = window.prompt_panel.edit_panel.form
    form.mode_buttons.button(list(EditMode).index(mode)).click()
    assert form.options().mode is mode


def test_a_gallery_image_as_source_makes_an_edit_linked_to_it(
    qtbot, launch: Launch, data_dir: Path
) -> None:
    desktop = launch(data_dir)
    window = window_of(desktop)
    small_prompt(window, "a lighthouse at dusk")
    original = generate(qtbot, desktop, window)
    qtbot.waitUntil(lambda: window.gallery.current_record() is not None)
    assert window.gallery.current_record().id == original.id
    assert not window.details.use_as_source.isHidden()
    window.prompt_panel.prompt.clear()  # an empty prompt takes the image's own
    window.gallery.commands.use_as_source.trigger()  # Ctrl+I
    source_ready(qtbot, window)
    panel = window.prompt_panel
    assert panel.prompt.toPlainText() == "a lighthouse at dusk"
    assert panel.edit_panel.source_info().parent_image == original.id
    assert panel.edit_panel.options().mode is EditMode.IMAGE_TO_IMAGE
    assert panel.size_picker.isEnabled()  # image to image: the chosen size (the source's shape)
    assert panel.size_picker.image_size() == (256, 256)
    panel.edit_panel.form.strength_spin.setValue(0.5)
    panel.steps.setValue(4)

    qtbot.mouseClick(window.queue.pause_button, Qt.MouseButton.LeftButton)
    assert panel.try_generate()
    row = window.queue.row_texts()[0]  # the queued job, above the finished one
    assert "Image to image · strength 0.50" in row
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=TIMEOUT_MS) as done:
        qtbot.mouseClick(window.queue.pause_button, Qt.MouseButton.LeftButton)
    edited: ImageRecord = done.args[1]
    edit = edited.request.edit
    assert edit is not None and edit.mode is EditMode.IMAGE_TO_IMAGE and edit.strength == 0.5
    assert edited.parent_id == original.id and edit.parent_image == original.id
    assert desktop.library.sources.has(edit.source)  # kept in the library, not the file

    # the details link back to the picture it was made from, and to its family
    qtbot.waitUntil(lambda: window.details.current_record().id == edited.id)
    lineage = window.details.parameters.lineage
    assert lineage.isVisibleTo(window) and f"#{original.id}" in lineage.text()
    assert "Image to image · strength 0.50" in window.details.parameters.values()["Edit"]
    lineage.linkActivated.emit(f"{IMAGE_LINK}{original.id}")
    assert window.gallery.current_record().id == original.id
    assert window.details.current_record().id == original.id
    small_prompt(window, "an unrelated picture")
    panel.edit_panel.clear()
    unrelated = generate(qtbot, desktop, window)
    assert unrelated.parent_id is None and unrelated.request.edit is None
    window.gallery.select_image(original.id)
    assert "Show its family" in window.details.parameters.lineage.text()  # it has a child
    window.details.parameters.lineage.linkActivated.emit(f"{FAMILY_LINK}{original.id}")
    shown = {record.id for record in window.gallery.model.records()}
    assert shown == {original.id, edited.id}
    assert window.gallery.family_filter.isVisibleTo(window)
    window.gallery.family_filter.click()
    assert {r.id for r in window.gallery.model.records()} == {original.id, edited.id, unrelated.id}


@pytest.mark.slow
def test_an_inpaint_painted_in_the_window_is_rerolled_and_reused_with_its_mask(
    qtbot, launch: Launch, data_dir: Path, tmp_path: Path
) -> None:
    """A dropped photo (a PNG without parameters) becomes the source; the mask is painted in the
    painter with the mouse; the photo is deleted while the job waits (the stored copy is used);
    pixels far from the mask are the photo's own; re-roll keeps the edit; reuse all brings the
    source, the mask and the strength back."""
    desktop = launch(data_dir)
    window = window_of(desktop)
    small_prompt(window, "a red door")
    photo = tmp_path / "photo.png"
    pixels = np.random.default_rng(3).integers(0, 255, (256, 256, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(photo)
    drop(window, photo)  # no parameters: no question, it is the source
    source_ready(qtbot, window)
    assert "photo.png" in window.notices.texts()[-1]
    panel = window.prompt_panel
    select_mode(window, EditMode.INPAINT)
    form = panel.edit_panel.form
    form.set_options(dataclasses.replace(form.options(), area=InpaintArea.WHOLE))
    assert panel.edit_panel.problems()  # no mask yet: said in the panel
    assert not panel.try_generate()

    panel.edit_panel.mask_row.paint_button.click()
    dialog = panel.edit_panel.mask_dialog
    assert dialog is not None
    dialog.resize(700, 600)
    qtbot.waitExposed(dialog)
    painter = dialog.painter
    painter.set_brush_size(40)
    centre = painter.widget_point(QPointF(128, 128)).toPoint()
    below = painter.widget_point(QPointF(128, 150)).toPoint()
    stroke(qtbot, painter, [centre, below])
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(
            dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
    mask = panel.edit_panel.mask_image()
    assert mask is not None and not panel.edit_panel.problems()
    assert not panel.size_picker.isEnabled()  # inpainting works at the picture's size

    qtbot.mouseClick(window.queue.pause_button, Qt.MouseButton.LeftButton)
    assert panel.try_generate()
    photo.unlink()  # the stored copy is what the job reads
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=TIMEOUT_MS) as done:
        qtbot.mouseClick(window.queue.pause_button, Qt.MouseButton.LeftButton)
    first: ImageRecord = done.args[1]
    edit = first.request.edit
    assert edit is not None and edit.mode is EditMode.INPAINT and edit.mask is not None
    assert first.parent_id is None and (first.width, first.height) == (256, 256)
    made = np.asarray(Image.open(first.file).convert("RGB"))
    assert np.array_equal(made[:40, :40], pixels[:40, :40])  # far from the mask: the photo
    assert not np.array_equal(made[118:138, 118:138], pixels[118:138, 118:138])

    with qtbot.waitSignal(desktop.worker.job_finished, timeout=TIMEOUT_MS) as again:
        window.reroll(first)
    second: ImageRecord = again.args[1]
    assert second.seed != first.seed
    assert second.request.edit == edit  # the same source, mask and strength

    panel.edit_panel.clear()
    assert not panel.edit_panel.has_source()
    window.reuse_all(first)
    source_ready(qtbot, window)
    assert panel.edit_panel.options().mode is EditMode.INPAINT
    assert panel.edit_panel.options().strength == edit.strength
    restored = panel.edit_panel.mask_image()
    assert restored is not None
    assert panel.request().seed == first.seed
    assert panel.edit_panel.edit(desktop.library.sources) == edit  # the very same pictures


@pytest.mark.slow
def test_a_png_with_parameters_asks_and_the_source_survives_a_language_switch(
    qtbot, launch: Launch, data_dir: Path, tmp_path: Path
) -> None:
    from test_window import a1111_png

    desktop = launch(data_dir)
    window = window_of(desktop)
    window.prompt_panel.prompt.setPlainText("my own words")
    png = a1111_png(tmp_path / "fox.png")
    drop(window, png, answer="cancel")
    assert not window.prompt_panel.edit_panel.has_source()
    assert window.prompt_panel.prompt.toPlainText() == "my own words"  # cancel: nothing taken
    drop(window, png, answer="source")
    source_ready(qtbot, window)
    assert window.prompt_panel.prompt.toPlainText() == "my own words"  # only the picture
    assert window.prompt_panel.edit_panel.source_info().name == "fox.png"
    notice = window.notices.notices()[-1]
    assert notice.action_button is not None  # undo the drop in one step
    qtbot.mouseClick(notice.action_button, Qt.MouseButton.LeftButton)
    assert not window.prompt_panel.edit_panel.has_source()
    drop(window, png, answer="source")
    source_ready(qtbot, window)
    select_mode(window, EditMode.UPSCALE)
    window.language_chosen.emit("zh_CN")
    zh = window_of(desktop)
    assert zh is not window
    edit_panel = zh.prompt_panel.edit_panel
    assert edit_panel.has_source() and edit_panel.source_info().name == "fox.png"
    assert edit_panel.options().mode is EditMode.UPSCALE
    assert zh.prompt_panel.edit_title.text() == "源图"
    assert not zh.prompt_panel.size_picker.isEnabled()  # the upscale sets the size

"""The edit panel on real picture files and a real SourceStore: modes, sizes, storing, reuse."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from majicflux_desktop.core.edit import Edit, EditMode, InpaintArea, Resize, StoredImage
from majicflux_desktop.core.edit_sizes import default_strength, edit_sizes
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.core.store.sources import SourceStore
from majicflux_desktop.ui.edit.edit_options import EditOptions
from majicflux_desktop.ui.edit.edit_panel import EditPanel, SourceInfo
from majicflux_desktop.ui.edit.mask_document import Tool
from majicflux_desktop.ui.edit.mask_image import mask_array, mask_from_array

LOAD_MS = 10_000


@pytest.fixture
def panel(qtbot: QtBot) -> EditPanel:
    widget = EditPanel()
    qtbot.addWidget(widget)
    widget.resize(380, 600)
    widget.show()
    return widget


@pytest.fixture
def sources(tmp_path: Path) -> SourceStore:
    return SourceStore(tmp_path / "sources")


def photo(width: int = 1000, height: int = 700) -> Image.Image:
    """A picture whose every pixel differs from its neighbours, so a lost or shifted pixel shows."""
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.stack([x % 256, y % 256, (x * 7 + y * 3) % 256], axis=-1).astype(np.uint8)
    return Image.fromarray(pixels)


def saved(tmp_path: Path, image: Image.Image, name: str = "photo.png") -> Path:
    path = tmp_path / name
    image.save(path)
    return path


def load(qtbot: QtBot, panel: EditPanel, picture: object, **kwargs: object) -> None:
    with qtbot.waitSignal(panel.source_changed, timeout=LOAD_MS):
        panel.set_source(picture, **kwargs)  # type: ignore[arg-type]


def failure(qtbot: QtBot, panel: EditPanel, picture: object) -> str:
    with qtbot.waitSignal(panel.load_failed, timeout=LOAD_MS) as failed:
        panel.set_source(picture)  # type: ignore[arg-type]
    return str(failed.args[0])


def block_mask(width: int, height: int, box: tuple[int, int, int, int]) -> QImage:
    values = np.zeros((height, width), np.uint8)
    left, top, right, bottom = box
    values[top:bottom, left:right] = 255
    return mask_from_array(values)


def drag_enter(mime: QMimeData) -> QDragEnterEvent:
    return QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )


def accepted(target: QWidget, event: QDragEnterEvent) -> bool:
    QApplication.sendEvent(target, event)
    return event.isAccepted()


def bomb_header(width: int, height: int) -> bytes:
    """A PNG that claims a huge size: only its header is real (a decompression bomb's signature)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


# -- no source, sources of every kind, bad files ------------------------------------------------------


def test_without_a_source_the_panel_stands_aside(panel: EditPanel, sources: SourceStore) -> None:
    assert not panel.has_source() and panel.edit(sources) is None and panel.problems() == []
    assert panel.work_size((768, 512)) == (768, 512)
    assert panel.form.isHidden() and panel.source_box.remove_button.isHidden()


def test_a_file_becomes_the_source_read_off_the_ui_thread(
    qtbot: QtBot, panel: EditPanel, tmp_path: Path
) -> None:
    with qtbot.waitSignal(panel.source_changed, timeout=LOAD_MS) as changed:
        panel.set_source(saved(tmp_path, photo()), parent_image=7)
        assert panel.loading() and "still being read" in panel.problems()[0]
    info = changed.args[0]
    assert (info.name, info.width, info.height, info.parent_image) == ("photo.png", 1000, 700, 7)
    assert not panel.loading() and not panel.form.isHidden()
    assert "1000 × 700" in panel.source_box.size_label.text()
    with qtbot.waitSignal(panel.source_removed):
        panel.source_box.remove_button.click()
    assert not panel.has_source() and panel.form.isHidden()


def test_pictures_in_memory_the_clipboard_and_drops_are_sources_too(
    qtbot: QtBot, panel: EditPanel, tmp_path: Path
) -> None:
    load(qtbot, panel, photo(300, 200), parent_image=3)
    assert panel.source_info() == SourceInfo("Picture", 300, 200, 3)
    image = QImage(320, 240, QImage.Format.Format_ARGB32)
    image.fill(QColor(10, 200, 30, 255))
    QGuiApplication.clipboard().setImage(image)
    with qtbot.waitSignal(panel.source_changed, timeout=LOAD_MS) as pasted:
        panel.source_box.paste_button.click()
    assert (pasted.args[0].width, pasted.args[0].height) == (320, 240)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(saved(tmp_path, photo(64, 48), "dropped.png")))])
    target = panel.source_box.thumbnail
    words = QMimeData()
    words.setText("a ginger cat")
    assert not accepted(target, drag_enter(words))  # not a picture: refused
    assert accepted(target, drag_enter(mime))  # as a drag arrives, then drops
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(panel.source_changed, timeout=LOAD_MS) as dropped:
        QApplication.sendEvent(target, drop)
    assert dropped.args[0].name == "dropped.png"
    QGuiApplication.clipboard().setText("no picture here")
    with qtbot.waitSignal(panel.load_failed) as empty:
        panel.paste()
    assert "clipboard holds no picture" in empty.args[0]
    assert panel.source_info().name == "dropped.png"  # type: ignore[union-attr]


def test_bad_files_say_why_and_keep_the_source_that_was_there(
    qtbot: QtBot, panel: EditPanel, tmp_path: Path
) -> None:
    load(qtbot, panel, saved(tmp_path, photo()))
    notes = tmp_path / "notes.png"
    notes.write_text("a shopping list, not a picture")
    assert "“notes.png” is not a picture MajicFlux can read" in failure(qtbot, panel, notes)
    large = tmp_path / "large.png"
    large.write_bytes(bomb_header(9000, 9000))  # past our limit: refused from its header
    message = failure(qtbot, panel, large)
    assert "“large.png” is 9000×9000 pixels, too large to use" in message
    assert message in panel.messages.text()  # shown in the panel
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(bomb_header(60_000, 60_000))  # past Pillow's own limit too
    assert "“bomb.png” is far larger than 8192×8192 pixels" in failure(qtbot, panel, bomb)
    gone = failure(qtbot, panel, tmp_path / "missing.png")
    assert "“missing.png” cannot be read" in gone
    huge = QImage(9000, 8000, QImage.Format.Format_RGB32)
    assert "9000×8000 pixels, too large" in failure(qtbot, panel, huge)
    assert panel.source_info().name == "photo.png"  # type: ignore[union-attr]


# -- modes: controls, strength, sizes --------------------------------------------------------------


SHOWN = {
    EditMode.IMAGE_TO_IMAGE: {"resize"},
    EditMode.INPAINT: {"mask", "area", "padding", "feather"},
    EditMode.OUTPAINT: {"feather", "outpaint"},
    EditMode.UPSCALE: {"upscale"},
}


def test_each_mode_shows_only_its_controls_and_its_usual_strength(
    qtbot: QtBot, panel: EditPanel, tmp_path: Path
) -> None:
    load(qtbot, panel, saved(tmp_path, photo()))
    for mode, wanted in SHOWN.items():
        panel.form.set_mode(mode)
        shown = {name for name in SHOWN_NAMES if panel.form.row_visible(name)}
        assert shown == wanted, mode
        assert panel.options().strength == default_strength(mode)
    panel.form.set_mode(EditMode.INPAINT)
    panel.form.area_combo.setCurrentIndex(panel.form.area_combo.findData(InpaintArea.WHOLE))
    assert not panel.form.row_visible("padding")  # the whole picture has no crop to pad


SHOWN_NAMES = ("resize", "mask", "area", "padding", "feather", "outpaint", "upscale")


def test_the_panel_fits_the_prompt_panels_column_in_every_mode(
    qtbot: QtBot, panel: EditPanel, tmp_path: Path
) -> None:
    load(qtbot, panel, saved(tmp_path, photo()))
    bar = panel.form.mode_row
    for mode in EditMode:
        panel.form.set_mode(mode)
        assert panel.minimumSizeHint().width() <= 320, mode  # the column is 340 wide
    bar.resize(bar.one_row_width() - 1, bar.height())
    assert bar.rows() == 2  # too narrow for one row: the mode buttons take two
    bar.resize(bar.one_row_width(), bar.height())
    assert bar.rows() == 1


def test_a_strength_the_user_set_stays_across_modes_until_reset(
    qtbot: QtBot, panel: EditPanel, tmp_path: Path
) -> None:
    load(qtbot, panel, saved(tmp_path, photo()))
    panel.form.set_mode(EditMode.UPSCALE)
    assert panel.options().strength == 0.35
    panel.form.strength_slider.setValue(50)
    assert panel.options().strength == 0.5 and panel.form.strength_set_by_user()
    panel.form.set_mode(EditMode.OUTPAINT)
    assert panel.options().strength == 0.5
    panel.form.strength_reset.click()
    assert panel.options().strength == default_strength(EditMode.OUTPAINT) == 0.9
    panel.form.set_mode(EditMode.IMAGE_TO_IMAGE)
    assert panel.options().strength == default_strength(EditMode.IMAGE_TO_IMAGE)


CASES = [
    EditOptions(EditMode.IMAGE_TO_IMAGE, resize=Resize.FIT),
    EditOptions(EditMode.IMAGE_TO_IMAGE, resize=Resize.FILL),
    EditOptions(EditMode.IMAGE_TO_IMAGE, resize=Resize.KEEP),
    EditOptions(EditMode.INPAINT, area=InpaintArea.WHOLE),
    EditOptions(EditMode.INPAINT, area=InpaintArea.MASKED),
    EditOptions(EditMode.OUTPAINT, outpaint=(256, 0, 128, 64)),
    EditOptions(EditMode.UPSCALE, upscale=1.5),
    EditOptions(EditMode.UPSCALE, upscale=2.0),
]


@pytest.mark.parametrize("options", CASES, ids=lambda o: f"{o.mode.value}")
def test_the_work_and_output_sizes_are_core_edit_sizes(
    qtbot: QtBot, panel: EditPanel, tmp_path: Path, options: EditOptions
) -> None:
    load(qtbot, panel, saved(tmp_path, photo(1000, 700)))
    panel.set_mask(block_mask(1000, 700, (100, 100, 300, 250)))
    chosen = (1024, 768)
    with qtbot.waitSignal(panel.size_changed, check_params_cb=lambda s: s.work is not None):
        panel.set_chosen_size(*chosen)
        panel.set_options(options)
    stand_in = StoredImage("0" * 64, 1000, 700)
    expected = edit_sizes(
        Edit(
            options.mode,
            stand_in,
            resize=options.resize,
            area=options.area,
            outpaint=options.outpaint,
            upscale=options.upscale,
        ),
        chosen,
    )
    assert expected is not None
    assert panel.work_size(chosen) == expected.work
    sizing = panel.sizing()
    assert sizing is not None and (sizing.work, sizing.output) == (expected.work, expected.output)
    line = panel.sizes_label.text()
    assert f"{expected.output[0]}×{expected.output[1]}" in line
    if options.mode is EditMode.INPAINT and options.area is InpaintArea.MASKED:
        assert sizing.area == (200 + 2 * (8 + 32), 150 + 2 * (8 + 32))  # mask + feather + padding
        assert "around the mask" in line
    else:
        assert f"{expected.work[0]}×{expected.work[1]}" in line
    assert sizing.follows_chosen == (
        options.mode is EditMode.IMAGE_TO_IMAGE and options.resize is not Resize.KEEP
    )


def test_what_must_be_fixed_is_said_in_the_panel(
    qtbot: QtBot, panel: EditPanel, tmp_path: Path
) -> None:
    load(qtbot, panel, saved(tmp_path, photo(3000, 2000)))
    panel.set_options(EditOptions(EditMode.IMAGE_TO_IMAGE, resize=Resize.KEEP))
    assert "keeping its size works only from 256 to 2048" in panel.problems()[0]
    panel.set_options(EditOptions(EditMode.INPAINT))
    assert panel.problems() == [
        "Inpainting needs a mask: paint over the part of the picture to repaint."
    ]
    assert "needs a mask" in panel.messages.text()
    panel.set_options(EditOptions(EditMode.OUTPAINT, outpaint=(0, 0, 0, 0)))
    assert "at least one side" in panel.problems()[0]
    load(qtbot, panel, saved(tmp_path, photo(2048, 1024), "wide.png"))
    panel.set_options(EditOptions(EditMode.UPSCALE, upscale=2.0))
    assert "already 2048×1024" in panel.problems()[0]
    panel.set_options(EditOptions(EditMode.IMAGE_TO_IMAGE))
    assert panel.problems() == []


# -- the mask ------------------------------------------------------------------------------------


def test_painting_in_the_dialog_gives_the_panel_its_mask(
    qtbot: QtBot, panel: EditPanel, tmp_path: Path
) -> None:
    load(qtbot, panel, saved(tmp_path, photo(400, 300)))
    panel.form.set_mode(EditMode.INPAINT)
    assert panel.mask_row.coverage.text() == "No mask yet"
    dialog = panel.paint_mask()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.feather_spin.setValue(20)
    dialog.painter.document.begin_stroke(Tool.BRUSH, 40, QPointF(100, 100))
    dialog.painter.document.stroke_to(QPointF(300, 100))
    dialog.painter.document.end_stroke()
    with qtbot.waitSignal(panel.changed):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    mask = panel.mask_image()
    assert mask is not None and mask_array(mask)[100, 200] == 255
    assert panel.options().feather == 20  # the feather chosen while painting
    assert "Repaints" in panel.mask_row.coverage.text() and panel.problems() == []
    again = panel.paint_mask()  # the mask comes back to be edited
    assert again is not None and mask_array(again.mask_image())[100, 200] == 255
    again.painter.clear()
    again.painter.document.undo_stack.clear()
    again.reject()


def test_a_mask_of_another_size_is_scaled_and_said(
    qtbot: QtBot, panel: EditPanel, tmp_path: Path
) -> None:
    load(qtbot, panel, saved(tmp_path, photo(400, 300)))
    half = Image.new("L", (200, 150), 0)
    half.paste(255, (50, 50, 100, 100))
    panel.set_mask(half)
    mask = panel.mask_image()
    assert mask is not None and (mask.width(), mask.height()) == (400, 300)
    assert mask_array(mask)[150, 150] == 255 and mask_array(mask)[50, 50] == 0
    assert "The mask was 200×150 pixels and the picture is 400×300" in panel.messages.text()
    panel.set_mask(Image.new("L", (400, 300), 0))  # an empty mask is no mask
    assert panel.mask_image() is None


def test_a_new_source_keeps_a_mask_that_fits_and_drops_one_that_does_not(
    qtbot: QtBot, panel: EditPanel, tmp_path: Path
) -> None:
    load(qtbot, panel, saved(tmp_path, photo(400, 300)))
    panel.set_mask(block_mask(400, 300, (10, 10, 50, 50)))
    load(qtbot, panel, saved(tmp_path, photo(400, 300).rotate(180), "result.png"))
    assert panel.mask_image() is not None and "kept" in panel.messages.text()
    load(qtbot, panel, saved(tmp_path, photo(500, 300), "wider.png"))
    assert panel.mask_image() is None and "another size" in panel.messages.text()


# -- storing and reusing -----------------------------------------------------------------------


def test_edit_stores_the_source_and_mask_with_the_same_pixels(
    qtbot: QtBot, panel: EditPanel, sources: SourceStore, tmp_path: Path
) -> None:
    picture = photo(640, 480)
    load(qtbot, panel, saved(tmp_path, picture), parent_image=42)
    panel.set_options(EditOptions(EditMode.INPAINT, strength=0.7, feather=12, padding=64))
    panel.set_mask(block_mask(640, 480, (100, 120, 300, 260)))
    edit = panel.edit(sources)
    assert edit is not None and edit.mask is not None
    assert (edit.mode, edit.strength, edit.feather, edit.padding, edit.parent_image) == (
        EditMode.INPAINT, 0.7, 12, 64, 42
    )  # fmt: skip
    assert np.array_equal(np.asarray(sources.open(edit.source)), np.asarray(picture))
    stored_mask = sources.open(edit.mask)
    assert stored_mask.mode == "L" and stored_mask.size == (640, 480)
    assert np.array_equal(np.asarray(stored_mask), mask_array(panel.mask_image()))  # type: ignore[arg-type]
    width, height = panel.work_size((1024, 1024))
    request = GenerationRequest("a red door", width=width, height=height, edit=edit)
    assert request.problems() == []
    assert panel.edit(sources) == edit  # the same pixels: the same pictures
    panel.form.set_mode(EditMode.IMAGE_TO_IMAGE)
    plain = panel.edit(sources)
    assert plain is not None and plain.mask is None and plain.feather == Edit.feather


def test_reuse_all_parameters_brings_back_source_mask_and_settings(
    qtbot: QtBot, sources: SourceStore, tmp_path: Path
) -> None:
    first, second = EditPanel(), EditPanel()
    qtbot.addWidget(first)
    qtbot.addWidget(second)
    load(qtbot, first, saved(tmp_path, photo(512, 384)), parent_image=9)
    first.set_options(EditOptions(EditMode.INPAINT, strength=0.45, area=InpaintArea.WHOLE))
    first.set_mask(block_mask(512, 384, (0, 0, 128, 384)))
    edit = first.edit(sources)
    assert edit is not None
    second.set_options(EditOptions(EditMode.UPSCALE))
    with qtbot.waitSignal(second.source_changed, timeout=LOAD_MS):
        second.restore(edit, sources)
    assert second.edit(sources) == edit
    assert np.array_equal(mask_array(second.mask_image()), mask_array(first.mask_image()))  # type: ignore[arg-type]
    assert second.form.strength_set_by_user()  # 0.45 was chosen: another mode keeps it
    second.form.set_mode(EditMode.IMAGE_TO_IMAGE)
    assert second.options().strength == 0.45


def test_reusing_an_edit_whose_picture_is_gone_says_so_and_leaves_no_other_source(
    qtbot: QtBot, panel: EditPanel, sources: SourceStore, tmp_path: Path
) -> None:
    load(qtbot, panel, saved(tmp_path, photo(320, 240)))
    edit = panel.edit(sources)
    assert edit is not None
    sources.path(edit.source.sha256).unlink()
    with qtbot.waitSignal(panel.load_failed, timeout=LOAD_MS) as failed:
        panel.restore(edit, sources)
    assert (
        "no longer in the library" in failed.args[0] and "Choose the source again" in failed.args[0]
    )
    assert not panel.has_source() and panel.edit(sources) is None


def test_a_stored_mask_of_another_size_comes_back_scaled_and_said(
    qtbot: QtBot, panel: EditPanel, sources: SourceStore
) -> None:
    source = sources.put(photo(400, 300))
    small = Image.new("L", (100, 75), 0)
    small.paste(255, (0, 0, 50, 75))
    mask = sources.put(small, mode="L")
    edit = Edit(EditMode.INPAINT, source, mask=mask)
    with qtbot.waitSignal(panel.source_changed, timeout=LOAD_MS):
        panel.restore(edit, sources)
    restored = panel.mask_image()
    assert restored is not None and (restored.width(), restored.height()) == (400, 300)
    assert mask_array(restored)[150, 100] == 255 and mask_array(restored)[150, 300] == 0
    assert "The mask was 100×75 pixels" in panel.messages.text()


def test_a_mask_with_transparency_is_stored_as_the_engine_reads_it(
    qtbot: QtBot, panel: EditPanel, sources: SourceStore, tmp_path: Path
) -> None:
    load(qtbot, panel, saved(tmp_path, photo(200, 100)))
    panel.form.set_mode(EditMode.INPAINT)
    painted = Image.new("RGBA", (200, 100), (255, 255, 255, 0))  # white, but transparent
    painted.paste((255, 255, 255, 255), (20, 20, 60, 60))
    panel.set_mask(painted)
    edit = panel.edit(sources)
    assert edit is not None and edit.mask is not None
    stored = np.asarray(sources.open(edit.mask))
    assert stored[40, 40] == 255 and stored[80, 150] == 0


def test_prepare_stores_the_source_off_the_ui_thread_for_edit_to_find(
    qtbot: QtBot, panel: EditPanel, sources: SourceStore, tmp_path: Path, monkeypatch
) -> None:
    load(qtbot, panel, saved(tmp_path, photo(600, 400)))
    with qtbot.waitSignal(panel.source_stored, timeout=LOAD_MS) as stored:
        panel.prepare(sources)
    assert sources.has(stored.args[0])
    stored_put = sources.put

    def refuse(*args: object, **kwargs: object) -> StoredImage:
        raise AssertionError("edit() encoded the source again")

    monkeypatch.setattr(sources, "put", refuse)
    edit = panel.edit(sources)
    assert edit is not None and edit.source == stored.args[0]
    sources.path(edit.source.sha256).unlink()  # gone from the store: stored again
    monkeypatch.setattr(sources, "put", stored_put)
    again = panel.edit(sources)
    assert again == edit and sources.has(again.source)

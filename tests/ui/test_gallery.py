"""The gallery on a real library of real PNGs: thumbnails, search, favourites, actions, trash."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QModelIndex, QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QGuiApplication, QPixmap
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from majicflux_desktop.core import metadata
from majicflux_desktop.core.library import ImageQuery, ImageRecord, Library
from majicflux_desktop.core.metadata import ImageMetadata, encode_png
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.ui.gallery import image_actions as record_actions
from majicflux_desktop.ui.gallery.gallery_model import RECORD_ROLE, THUMBNAIL_ROLE, GalleryModel
from majicflux_desktop.ui.gallery.gallery_panel import GalleryPanel
from majicflux_desktop.ui.gallery.thumbnails import ThumbnailCache, TileState

# (prompt, colour) in the order the images are made: the last one is the newest.
PICTURES = [
    ("一只橘猫坐在窗台上，阳光明媚", "orange"),
    ("山水画，水墨风格，远山", "grey"),
    ("a ginger cat on a windowsill", "yellow"),
    ("赛博朋克城市夜景，霓虹灯", "purple"),
    ("portrait of an old fisherman", "blue"),
]
FIRST_SEED = 1000


def meta_for(prompt: str, seed: int) -> ImageMetadata:
    request = GenerationRequest(prompt, negative_prompt="模糊，低质量", seed=seed, steps=20)
    return ImageMetadata(
        request=request,
        model="majicflus_v134",
        model_hash="3394f306c4cb",
        plan="fp8",
        app_version="0.1.0",
        duration_s=4.8,
        peak_vram_bytes=7_838_315_315,
    )


def save_picture(library: Library, prompt: str, seed: int, colour: str = "orange") -> ImageRecord:
    meta = meta_for(prompt, seed)
    png = encode_png(Image.new("RGB", (96, 64), colour), meta)
    return library.save_image(None, png, meta)


def fill(library: Library, pictures: list[tuple[str, str]] = PICTURES) -> Library:
    for i, (prompt, colour) in enumerate(pictures):
        save_picture(library, prompt, FIRST_SEED + i, colour)
    return library


@pytest.fixture
def library(library: Library) -> Library:
    """The shared empty library (tests/conftest.py), with the pictures above in it."""
    return fill(library)


@pytest.fixture
def panel(qtbot: QtBot, library: Library, tmp_path: Path) -> GalleryPanel:
    panel = GalleryPanel(library.records, library, tmp_path / "thumbnails")
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is panel)
    return panel


def seeds(panel: GalleryPanel) -> list[int]:
    return [record.seed for record in panel.model.records()]


def thumbnail(panel: GalleryPanel, row: int) -> object:
    return panel.model.index(row).data(THUMBNAIL_ROLE)


def wait_for_thumbnails(qtbot: QtBot, panel: GalleryPanel) -> None:
    rows = range(panel.model.rowCount())
    qtbot.waitUntil(lambda: all(thumbnail(panel, r) is not TileState.LOADING for r in rows))


def tile_centre(panel: GalleryPanel, row: int) -> QPoint:
    return panel.view.visualRect(panel.model.index(row)).center()


def click_tile(qtbot: QtBot, panel: GalleryPanel, row: int) -> None:
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=tile_centre(panel, row))


def menu_action(panel: GalleryPanel, name: str) -> QMenu:
    record = panel.current_record()
    assert record is not None
    menu = panel.context_menu(record)
    action = next(a for a in menu.actions() if a.objectName() == name)
    action.trigger()
    return menu


def search_for(qtbot: QtBot, panel: GalleryPanel, text: str, rows: int) -> None:
    panel.search.clear()
    if text.isascii():
        qtbot.keyClicks(panel.search, text)
    else:
        panel.search.insert(text)  # as an input method commits it: QTest types Latin-1 only
    qtbot.waitUntil(lambda: panel.model.query.search == text and panel.model.rowCount() == rows)


def png_chunk_types(path: Path) -> list[bytes]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    types, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        types.append(data[offset + 4 : offset + 8])
        offset += 12 + length
    return types


# -- showing ----------------------------------------------------------------------------------------


def test_thumbnails_appear_newest_first_with_their_seeds(
    qtbot: QtBot, panel: GalleryPanel, tmp_path: Path
) -> None:
    assert seeds(panel) == [1004, 1003, 1002, 1001, 1000]
    # the seed and the start of the prompt: two prompts with one seed must not look alike
    assert panel.model.index(0).data(Qt.ItemDataRole.DisplayRole) == "1004 · portrait of a…"
    wait_for_thumbnails(qtbot, panel)
    assert all(isinstance(thumbnail(panel, r), QPixmap) for r in range(5))
    assert len(list((tmp_path / "thumbnails").rglob("*.jpg"))) == 5
    # What is painted is the picture: the blue image (newest) fills the first tile's centre.
    shot = panel.view.viewport().grab().toImage()
    centre = panel.view.visualRect(panel.model.index(0)).center()
    pixel = QColor(shot.pixel(centre.x(), centre.y() - 10))
    assert pixel.blue() > 200 and pixel.red() < 60
    assert "5" in panel.count.text()


def test_the_disk_cache_serves_a_second_panel(
    qtbot: QtBot, panel: GalleryPanel, library: Library, tmp_path: Path
) -> None:
    wait_for_thumbnails(qtbot, panel)
    again = GalleryPanel(library.records, library, tmp_path / "thumbnails")
    qtbot.addWidget(again)
    again.show()
    wait_for_thumbnails(qtbot, again)
    stats = again.thumbnails.loader.stats
    assert (stats.disk_hits, stats.made) == (5, 0)


def test_sort_oldest_first(qtbot: QtBot, panel: GalleryPanel) -> None:
    panel.sort.setCurrentIndex(1)
    assert seeds(panel) == [1000, 1001, 1002, 1003, 1004]


def test_an_empty_library_teaches_how_to_start(qtbot: QtBot, tmp_path: Path) -> None:
    library = Library(tmp_path / "empty" / "library.sqlite3", tmp_path / "empty" / "images")
    panel = GalleryPanel(library.records, library, tmp_path / "thumbnails")
    qtbot.addWidget(panel)
    panel.show()
    assert panel.pages.currentWidget() is panel.empty
    assert "Ctrl+Enter" in panel.empty.text()
    library.close()


# -- finding ----------------------------------------------------------------------------------------


def test_search_finds_chinese_words_of_any_length_and_english(
    qtbot: QtBot, panel: GalleryPanel
) -> None:
    search_for(qtbot, panel, "猫", 1)  # one character: the LIKE fallback
    assert seeds(panel) == [1000]
    search_for(qtbot, panel, "水墨风", 1)  # three: the trigram index
    assert seeds(panel) == [1001]
    search_for(qtbot, panel, "CAT", 1)
    assert seeds(panel) == [1002]
    search_for(qtbot, panel, "低质量", 5)  # negative prompts are searched too
    search_for(qtbot, panel, "独角兽", 0)
    assert panel.pages.currentWidget() is panel.empty
    assert "独角兽" in panel.empty.text()
    panel.search.clear()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 5)
    assert panel.pages.currentWidget() is panel.view


def test_ctrl_f_focuses_the_search(qtbot: QtBot, panel: GalleryPanel) -> None:
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(panel.search.hasFocus)


def test_favourites_filter(qtbot: QtBot, panel: GalleryPanel, library: Library) -> None:
    panel.favourites.setChecked(True)
    assert panel.model.rowCount() == 0
    assert "favourite" in panel.empty.text().lower()
    panel.favourites.setChecked(False)
    click_tile(qtbot, panel, 2)
    with qtbot.waitSignal(panel.favourite_toggled) as toggled:
        menu_action(panel, "favourite")
    assert toggled.args[0].seed == 1002 and toggled.args[1] is True
    assert library.records.image(toggled.args[0].id).favourite
    panel.favourites.setChecked(True)
    assert seeds(panel) == [1002]
    assert panel.model.records()[0].favourite


# -- selecting and acting ---------------------------------------------------------------------------


def test_clicking_a_tile_emits_its_record(qtbot: QtBot, panel: GalleryPanel) -> None:
    with qtbot.waitSignal(panel.selection_changed) as selected:
        click_tile(qtbot, panel, 1)
    assert isinstance(selected.args[0], ImageRecord)
    assert selected.args[0].seed == 1003
    assert panel.current_record() == selected.args[0]


def test_double_click_and_enter_ask_for_the_viewer(qtbot: QtBot, panel: GalleryPanel) -> None:
    click_tile(qtbot, panel, 3)  # a double click's first press; QTest sends only the second
    with qtbot.waitSignal(panel.viewer_requested) as opened:
        qtbot.mouseDClick(
            panel.view.viewport(), Qt.MouseButton.LeftButton, pos=tile_centre(panel, 3)
        )
    assert opened.args[0].seed == 1001
    with qtbot.waitSignal(panel.viewer_requested) as opened:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert opened.args[0].seed == 1001


def test_reroll_and_reuse_emit_the_selected_record(qtbot: QtBot, panel: GalleryPanel) -> None:
    click_tile(qtbot, panel, 0)
    with qtbot.waitSignal(panel.reroll_requested) as reroll:
        qtbot.keyClick(panel.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert (reroll.args[0].seed, reroll.args[1]) == (1004, 1)
    with qtbot.waitSignal(panel.reuse_seed_requested) as reuse:
        qtbot.keyClick(
            panel.view,
            Qt.Key.Key_R,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert reuse.args[0].seed == 1004
    click_tile(qtbot, panel, 4)
    with qtbot.waitSignal(panel.reroll_requested) as reroll:
        menu_action(panel, "reroll_many")
    assert (reroll.args[0].seed, reroll.args[1]) == (1000, 4)
    with qtbot.waitSignal(panel.reuse_all_requested) as reuse_all:
        menu_action(panel, "reuse_all")
    assert reuse_all.args[0].request.prompt == PICTURES[0][0]


def test_copy_seed_and_prompt(qtbot: QtBot, panel: GalleryPanel) -> None:
    click_tile(qtbot, panel, 4)
    with qtbot.waitSignal(panel.status_message):
        menu_action(panel, "copy_seed")
    assert QGuiApplication.clipboard().text() == "1000"
    menu_action(panel, "copy_prompt")
    assert QGuiApplication.clipboard().text() == PICTURES[0][0]


def test_open_folder_opens_the_images_folder(
    qtbot: QtBot, panel: GalleryPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    click_tile(qtbot, panel, 0)
    menu_action(panel, "open_folder")
    record = panel.current_record()
    assert record is not None
    assert [Path(url.toLocalFile()) for url in opened] == [record.file.parent]


def test_delete_moves_to_trash_and_ctrl_z_brings_it_back(
    qtbot: QtBot, panel: GalleryPanel, library: Library
) -> None:
    click_tile(qtbot, panel, 1)
    record = panel.current_record()
    assert record is not None and record.file.exists()
    with qtbot.waitSignal(panel.status_message) as status:
        qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert "Ctrl+Z" in status.args[0]
    assert not record.path.exists()
    trashed = library.records.image(record.id)
    assert trashed is not None and trashed.trashed and trashed.file.exists()
    assert seeds(panel) == [1004, 1002, 1001, 1000]
    assert panel.current_record() is not None and panel.current_record().seed == 1002
    qtbot.keyClick(panel.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert record.path.exists()
    assert seeds(panel) == [1004, 1003, 1002, 1001, 1000]
    assert panel.current_record() is not None and panel.current_record().id == record.id


def test_export_without_metadata_writes_a_clean_png(
    qtbot: QtBot, panel: GalleryPanel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "shared" / "clean"
    target.parent.mkdir()
    monkeypatch.setattr(
        record_actions.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "")
    )
    click_tile(qtbot, panel, 0)
    record = panel.current_record()
    assert record is not None
    assert b"iTXt" in png_chunk_types(record.file)
    with qtbot.waitSignal(panel.status_message):
        menu_action(panel, "export")
    written = target.with_name("clean.png")
    types = png_chunk_types(written)
    assert not {b"tEXt", b"iTXt", b"zTXt"} & set(types)
    assert metadata.read(written).request is None
    with Image.open(written) as copy, Image.open(record.file) as original:
        assert copy.tobytes() == original.tobytes()


def test_a_missing_or_broken_file_shows_a_tile_not_an_error(
    qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    records = library.records.images()
    records[0].file.unlink()
    records[1].file.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    panel = GalleryPanel(library.records, library, tmp_path / "thumbnails")
    qtbot.addWidget(panel)
    panel.show()
    wait_for_thumbnails(qtbot, panel)
    assert thumbnail(panel, 0) is TileState.MISSING
    assert thumbnail(panel, 1) is TileState.UNREADABLE
    assert isinstance(thumbnail(panel, 2), QPixmap)
    assert not panel.view.viewport().grab().isNull()  # painting the problem tiles works
    assert not panel.model.mimeData([panel.model.index(0)]).hasUrls()


def test_a_tile_drags_out_as_its_file(panel: GalleryPanel) -> None:
    index = panel.model.index(0)
    mime = panel.model.mimeData([index])
    assert [Path(url.toLocalFile()) for url in mime.urls()] == [index.data(RECORD_ROLE).file]
    assert panel.model.flags(index) & Qt.ItemFlag.ItemIsDragEnabled


# -- new images -------------------------------------------------------------------------------------


def test_a_new_image_comes_first_and_is_selected(
    qtbot: QtBot, panel: GalleryPanel, library: Library
) -> None:
    click_tile(qtbot, panel, 0)
    new = save_picture(library, "一只柴犬在雪地里奔跑", 2000, "white")
    with qtbot.waitSignal(panel.selection_changed) as selected:
        panel.add_record(new)
    assert seeds(panel)[0] == 2000
    assert selected.args[0].id == new.id
    wait_for_thumbnails(qtbot, panel)
    assert isinstance(thumbnail(panel, 0), QPixmap)


def test_a_new_image_leaves_a_browsing_user_where_they_are(
    qtbot: QtBot, panel: GalleryPanel, library: Library
) -> None:
    click_tile(qtbot, panel, 3)
    new = save_picture(library, "一只柴犬在雪地里奔跑", 2000)
    panel.add_record(new)
    assert seeds(panel)[0] == 2000
    assert panel.current_record() is not None and panel.current_record().seed == 1001


def test_a_new_image_that_does_not_match_the_search_stays_out(
    qtbot: QtBot, panel: GalleryPanel, library: Library
) -> None:
    search_for(qtbot, panel, "猫", 1)
    panel.add_record(save_picture(library, "一只柴犬在雪地里奔跑", 2000))
    panel.add_record(save_picture(library, "两只小猫", 2001))
    assert seeds(panel) == [2001, 1000]


# -- paging -----------------------------------------------------------------------------------------


def test_the_model_fetches_pages_and_skips_rows_it_already_has(
    qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    cache = ThumbnailCache(tmp_path / "thumbnails", 64)
    model = GalleryModel(library.records, cache, page_size=2)
    model.reload()
    assert [r.seed for r in model.records()] == [1004, 1003]
    assert model.canFetchMore(QModelIndex())
    # The worker saved an image whose add_record has not arrived: the next page overlaps.
    late = save_picture(library, "迟到的图片", 3000)
    model.fetchMore(QModelIndex())
    assert [r.seed for r in model.records()] == [1004, 1003, 1002]
    assert model.insert(late) == 0
    assert model.find_row(library.records.images(ImageQuery(newest_first=False))[0].id) == 5
    assert not model.canFetchMore(QModelIndex())
    assert model.total == 6
    cache.shutdown()


def test_select_image_and_neighbours_reach_beyond_the_first_page(
    qtbot: QtBot, panel: GalleryPanel, library: Library
) -> None:
    panel.model.page_size = 2
    panel.refresh()
    assert panel.model.rowCount() == 2
    oldest = library.records.images(ImageQuery(newest_first=False))[0]
    assert panel.select_image(oldest.id)
    assert panel.current_record() is not None and panel.current_record().id == oldest.id
    before = panel.neighbour(oldest.id, -1)
    assert before is not None and before.seed == 1001
    assert panel.neighbour(oldest.id, 1) is None

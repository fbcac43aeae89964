"""The image view and the full-window viewer on a real library of real PNGs."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from test_gallery import PICTURES, fill

from majicflux_desktop.core.library import ImageQuery, ImageRecord, Library
from majicflux_desktop.ui.gallery.gallery_panel import GalleryPanel
from majicflux_desktop.ui.gallery.image_details import ImageDetails
from majicflux_desktop.ui.gallery.viewer import ViewerWindow


@pytest.fixture
def library(library: Library) -> Library:
    """The shared empty library (tests/conftest.py), with the gallery's pictures in it."""
    return fill(library)


@pytest.fixture
def newest(library: Library) -> ImageRecord:
    return library.records.images()[0]


@pytest.fixture
def details(qtbot: QtBot) -> ImageDetails:
    details = ImageDetails()
    qtbot.addWidget(details)
    details.resize(900, 600)
    details.show()
    qtbot.waitExposed(details)
    return details


def shown(canvas_owner: ImageDetails | ViewerWindow) -> QImage | None:
    return canvas_owner.canvas.image()


def activate(qtbot: QtBot, window: ViewerWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


# -- the image view beside the gallery --------------------------------------------------------------


def test_details_show_the_image_and_every_parameter(
    qtbot: QtBot, details: ImageDetails, newest: ImageRecord
) -> None:
    details.show_record(newest)
    qtbot.waitUntil(lambda: shown(details) is not None)
    image = shown(details)
    assert image is not None and (image.width(), image.height()) == (96, 64)
    values = details.parameters.values()
    assert values["Prompt"] == PICTURES[-1][0]
    assert values["Negative prompt"] == "模糊，低质量"
    assert values["Seed"] == str(newest.seed)
    assert values["Steps"] == "20"
    assert values["Size"] == "1024 × 1024"
    assert values["Model"] == "majicflus_v134"
    assert values["Model hash"] == "3394f306c4cb"
    assert values["Memory plan"] == "fp8"
    assert values["Duration"] == "4.8 s"
    assert values["Peak VRAM"] == "7.3 GB"
    assert values["File"] == str(newest.file)
    assert str(newest.seed) in details.summary.text()
    # Fitted and crisp: the picture fills the canvas's width, in its own colour.
    shot = details.canvas.grab().toImage()
    centre = details.canvas.rect().center()
    assert QColor(shot.pixel(centre.x(), centre.y())).blue() > 200
    assert details.canvas.image_rect().width() == pytest.approx(details.canvas.width(), abs=1)


def test_details_buttons_emit_the_record(
    qtbot: QtBot, details: ImageDetails, newest: ImageRecord
) -> None:
    details.show_record(newest)
    with qtbot.waitSignal(details.reroll_requested) as reroll:
        details.reroll.click()
    assert reroll.args == [newest, 1]
    four = next(a for a in details.reroll.menu().actions() if a.data() == 4)
    with qtbot.waitSignal(details.reroll_requested) as reroll:
        four.trigger()
    assert reroll.args == [newest, 4]
    with qtbot.waitSignal(details.reuse_seed_requested) as reuse:
        details.reuse_seed.click()
    assert reuse.args == [newest]
    with qtbot.waitSignal(details.reuse_all_requested) as reuse_all:
        details.reuse_all.click()
    assert reuse_all.args == [newest]
    with qtbot.waitSignal(details.favourite_toggled) as favourite:
        details.favourite.click()
    assert favourite.args == [newest, True]
    assert details.favourite.text() == "★"
    with qtbot.waitSignal(details.viewer_requested):
        details.full_view.click()
    details.copy_seed.trigger()
    assert QGuiApplication.clipboard().text() == str(newest.seed)
    details.copy_prompt.trigger()
    assert QGuiApplication.clipboard().text() == newest.prompt


def test_details_without_a_record_or_file_say_so(
    qtbot: QtBot, details: ImageDetails, newest: ImageRecord
) -> None:
    assert not details.reroll.isEnabled()
    assert "gallery" in details.canvas.message
    newest.file.unlink()
    details.show_record(newest)
    assert shown(details) is None
    assert "missing" in details.canvas.message
    assert details.parameters.values()["Seed"] == str(newest.seed)


def test_a_live_preview_is_enlarged_and_marked_generating(
    qtbot: QtBot, details: ImageDetails, newest: ImageRecord
) -> None:
    details.show_record(newest)
    preview = QImage(32, 32, QImage.Format.Format_RGB32)
    preview.fill(QColor("red"))
    details.show_preview(preview)
    assert details.current_record() is None
    assert shown(details) is preview
    assert details.canvas.zoom() > 10  # 32 px filling a canvas hundreds of pixels tall
    assert details.canvas.badge == "Generating…"
    assert not details.reroll.isEnabled()
    # A stale load of the previous record must not replace the preview: let it finish and arrive.
    details.loader.wait_done()
    QApplication.processEvents()
    assert shown(details) is preview


def test_details_and_gallery_share_the_favourite(
    qtbot: QtBot, details: ImageDetails, library: Library, tmp_path: Path
) -> None:
    panel = GalleryPanel(library.records, library, tmp_path / "thumbnails")
    qtbot.addWidget(panel)
    panel.selection_changed.connect(details.show_record)
    details.favourite_toggled.connect(lambda r, on: panel.set_favourite(r.id, on))
    newest = library.records.images()[0]
    panel.select_image(newest.id)
    assert details.current_record() == newest
    details.favourite.click()
    assert library.records.image(newest.id).favourite
    assert details.current_record() is not None and details.current_record().favourite


# -- the full-window viewer ------------------------------------------------------------------------


@pytest.fixture
def gallery(qtbot: QtBot, library: Library, tmp_path: Path) -> GalleryPanel:
    panel = GalleryPanel(library.records, library, tmp_path / "thumbnails")
    qtbot.addWidget(panel)
    return panel


@pytest.fixture
def viewer(qtbot: QtBot, library: Library) -> ViewerWindow:
    viewer = ViewerWindow(library.records)
    qtbot.addWidget(viewer)
    viewer.resize(800, 600)
    return viewer


def test_arrows_move_through_the_gallerys_order(
    qtbot: QtBot, viewer: ViewerWindow, gallery: GalleryPanel
) -> None:
    order = gallery.model.records()
    viewer.open_record(order[1], gallery.neighbour, full_screen=False)
    qtbot.waitExposed(viewer)
    activate(qtbot, viewer)
    qtbot.waitUntil(lambda: shown(viewer) is not None)
    with qtbot.waitSignal(viewer.current_changed) as moved:
        qtbot.keyClick(viewer, Qt.Key.Key_Right)
    assert moved.args[0] == order[2]
    qtbot.keyClick(viewer, Qt.Key.Key_Left)
    qtbot.keyClick(viewer, Qt.Key.Key_Left)
    assert viewer.current_record() == order[0]
    assert not viewer.step(-1)  # the newest image is the first: nothing before it
    assert viewer.current_record() == order[0]


def test_open_ids_follows_the_given_order(
    qtbot: QtBot, viewer: ViewerWindow, library: Library
) -> None:
    ids = [r.id for r in library.records.images(ImageQuery(newest_first=False))]
    assert viewer.open_ids(ids, ids[-2], full_screen=False)
    assert viewer.step(1)
    assert viewer.current_record() is not None and viewer.current_record().id == ids[-1]
    assert not viewer.step(1)


def test_zoom_fit_actual_size_wheel_and_pan(
    qtbot: QtBot, viewer: ViewerWindow, newest: ImageRecord
) -> None:
    viewer.open_record(newest, full_screen=False)
    qtbot.waitExposed(viewer)
    activate(qtbot, viewer)
    qtbot.waitUntil(lambda: shown(viewer) is not None)
    canvas = viewer.canvas
    assert canvas.fitting() and canvas.zoom() > 1  # a 96 px image fills the window
    qtbot.keyClick(viewer, Qt.Key.Key_1)
    assert not canvas.fitting() and canvas.zoom() == 1.0
    assert viewer.zoom_label.text() == "100 %"
    wheel_zoom(canvas, notches=3)
    assert canvas.zoom() == pytest.approx(1.25**3)
    canvas.set_zoom(20.0)
    before = canvas.image_rect()
    drag(qtbot, canvas, QPoint(-80, -40))
    after = canvas.image_rect()
    assert (after.left() - before.left(), after.top() - before.top()) == (-80, -40)
    qtbot.keyClick(viewer, Qt.Key.Key_F)
    assert canvas.fitting()
    qtbot.keyClick(viewer, Qt.Key.Key_I)
    assert viewer.parameters.isVisible()
    assert viewer.parameters.values()["Seed"] == str(newest.seed)
    qtbot.keyClick(viewer, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not viewer.isVisible())


def wheel_zoom(canvas: QWidget, notches: int) -> None:
    centre = QPointF(canvas.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(canvas.mapToGlobal(canvas.rect().center())),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(canvas, event)


def drag(qtbot: QtBot, widget: QWidget, by: QPoint) -> None:
    start = widget.rect().center()
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(widget, start + by)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=start + by)

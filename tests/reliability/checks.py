"""What "nothing was lost" means, checked the same way after every fault."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtCore import Qt
from ui_helpers import window_of

from majicflux_desktop.app import DesktopApp
from majicflux_desktop.core import metadata
from majicflux_desktop.core.metadata import ImageMetadata
from majicflux_desktop.core.paths import is_stale_temp_file
from majicflux_desktop.core.store.files import pngs_under
from majicflux_desktop.core.store.jobs import JobState
from majicflux_desktop.ui.common.notices import Notice


def assert_nothing_lost(qtbot, desktop: DesktopApp, rows_before: list[dict[str, Any]]) -> None:
    """Every image reported before the fault is in the library and the gallery with its file and
    metadata; every row has a whole file; every image file has a row; no half-written file is left.
    """
    library = desktop.library
    records = {record.id: record for record in library.records.images(limit=100_000)}
    for row in rows_before:
        record = records[row["id"]]
        assert record.meta == ImageMetadata.from_json(row["metadata"])  # every parameter kept
    for record in records.values():
        assert record.file.is_file(), record.file
        with Image.open(record.file) as image:
            image.load()  # the whole file decodes: not a partial write
        read = metadata.read(record.file)
        assert read.source == "MajicFlux" and read.request is not None
        assert (read.request.seed, read.request.prompt) == (record.seed, record.prompt)
    assert library.missing_files() == []
    assert set(pngs_under(library.output_dir, skip=library.trash_dir)) == {
        r.path for r in records.values()
    }  # no image file the gallery does not show
    assert half_written(desktop) == []
    window = window_of(desktop)
    qtbot.waitUntil(lambda: window.gallery.model.rowCount() == len(records))


def half_written(desktop: DesktopApp) -> list[Path]:
    """Temp files of unfinished writes in the data folder and anywhere in the output folder."""
    found = [p for p in desktop.paths.data_dir.iterdir() if is_stale_temp_file(p.name)]
    for root, _, names in os.walk(desktop.library.output_dir):
        found += [Path(root) / name for name in names if is_stale_temp_file(name)]
    return found


def notice_with(desktop: DesktopApp, words: str) -> Notice:
    notices = window_of(desktop).notices.notices()
    found = [n for n in notices if words in n.text]
    assert found, [n.text for n in notices]
    return found[0]


def resume_from_notice(qtbot, desktop: DesktopApp, job_id: int) -> None:
    """Press the start-up notice's Resume button and wait for the job to finish."""
    notice = notice_with(desktop, "did not finish")
    assert notice.action_button is not None
    qtbot.mouseClick(notice.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: desktop.library.jobs.job(job_id).state is JobState.FINISHED,  # type: ignore[union-attr]
        timeout=60_000,
    )

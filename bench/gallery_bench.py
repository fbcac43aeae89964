"""How fast the gallery opens and scrolls on a library of 10,000 images (CPU only, no GPU needed).

    QT_QPA_PLATFORM=offscreen python -m bench.gallery_bench [--rows 10000] [--dir DIR]

Builds the library through the real API (small PNGs with our metadata, taken in by
`Library.adopt_orphans`), then drives the real `GalleryPanel`: time to construct it and paint the
first screen, time for the visible thumbnails to arrive (cold, then from the disk cache), a scroll
through the whole list a screen at a time (every page fetched from the library on the way), and
the cost of one thumbnail: made from a 1024×1024 PNG, read back from the disk cache, or served
from memory. Prints a table; the numbers are wall-clock milliseconds on this machine.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from majicflux_desktop.core.library import ImageQuery

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image, ImageDraw
from PySide6.QtWidgets import QApplication

from majicflux_desktop.core.library import Library
from majicflux_desktop.core.metadata import ImageMetadata, encode_png
from majicflux_desktop.core.request import GenerationRequest
from majicflux_desktop.ui.gallery.gallery_model import THUMBNAIL_ROLE
from majicflux_desktop.ui.gallery.gallery_panel import GalleryPanel
from majicflux_desktop.ui.gallery.thumbnails import TileState, make_thumbnail

SUBJECTS = [
    "一只橘猫坐在窗台上",
    "山水画，水墨风格",
    "赛博朋克城市夜景",
    "a ginger cat",
    "misty mountains",
]
WINDOW = (1280, 800)
LARGE_SAMPLES = 40
WHEEL_NOTCHES = 300
Row = tuple[str, float, str]


def write_pngs(folder: Path, rows: int, side: int) -> None:
    rng = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for index in range(rows):
        created = start + timedelta(minutes=index)
        request = GenerationRequest(rng.choice(SUBJECTS), seed=index)
        meta = ImageMetadata(
            request, model="majicflus_v134", plan="fp8", created=created.isoformat()
        )
        picture = Image.new("RGB", (side, side), tuple(rng.randrange(256) for _ in range(3)))
        ImageDraw.Draw(picture).ellipse((side // 4, side // 4, side * 3 // 4, side * 3 // 4))
        day = folder / f"{created:%Y-%m-%d}"
        day.mkdir(parents=True, exist_ok=True)
        (day / f"{created:%H%M%S}-{index}.png").write_bytes(encode_png(picture, meta))


def pump(app: QApplication, until: Callable[[], bool], timeout_s: float = 60.0) -> float:
    began = time.perf_counter()
    while not until():
        app.processEvents()
        if time.perf_counter() - began > timeout_s:
            raise TimeoutError("the gallery did not settle")
        time.sleep(0.001)
    return time.perf_counter() - began


def visible_rows(panel: GalleryPanel) -> list[int]:
    view = panel.view
    rect = view.viewport().rect()
    return [
        row
        for row in range(panel.model.rowCount())
        if view.visualRect(panel.model.index(row)).intersects(rect)
    ]


def visible_thumbnails_ready(panel: GalleryPanel) -> bool:
    rows = visible_rows(panel)
    states = [panel.model.index(r).data(THUMBNAIL_ROLE) for r in rows]
    return bool(rows) and all(state is not TileState.LOADING for state in states)


def open_panel(app: QApplication, library: Library, thumbs: Path) -> tuple[GalleryPanel, float]:
    began = time.perf_counter()
    panel = GalleryPanel(library, thumbs)
    panel.resize(*WINDOW)
    panel.show()
    app.processEvents()
    panel.view.viewport().repaint()
    return panel, time.perf_counter() - began


def scroll_step(app: QApplication, panel: GalleryPanel, pixels: int) -> float:
    """One frame of scrolling: move, then let Qt paint and take in the thumbnails that arrived."""
    began = time.perf_counter()
    bar = panel.view.verticalScrollBar()
    bar.setValue(bar.value() + pixels)
    app.processEvents()
    return time.perf_counter() - began


def scroll_through(app: QApplication, panel: GalleryPanel) -> tuple[list[float], int]:
    """One screen per step to the end, fetching pages on the way; per-step wall times."""
    bar = panel.view.verticalScrollBar()
    steps: list[float] = []
    while True:
        steps.append(scroll_step(app, panel, bar.pageStep()))
        if bar.value() >= bar.maximum() and not panel.model.canFetchMore():
            return steps, panel.model.rowCount()


def wheel_through(app: QApplication, panel: GalleryPanel, notches: int) -> list[float]:
    """Mouse-wheel notches (three lines each, as Qt scrolls a view) from the top down."""
    bar = panel.view.verticalScrollBar()
    bar.setValue(0)
    app.processEvents()
    return [scroll_step(app, panel, 3 * bar.singleStep()) for _ in range(notches)]


def thumbnail_costs(folder: Path) -> list[Row]:
    sources = folder / "large"
    sources.mkdir()
    rng = random.Random(3)
    files = []
    for index in range(LARGE_SAMPLES):
        # Noise compresses like a real generated image does (a few MB), unlike flat colour.
        noise = Image.effect_noise((1024, 1024), 60).convert("RGB")
        tint = Image.new("RGB", (1024, 1024), tuple(rng.randrange(256) for _ in range(3)))
        path = sources / f"{index}.png"
        path.write_bytes(encode_png(Image.blend(noise, tint, 0.5), None))
        files.append(path)
    cache = folder / "large-thumbs"
    cold = [_timed(lambda p=p, i=i: make_thumbnail(i, p, cache)) for i, p in enumerate(files)]
    warm = [_timed(lambda p=p, i=i: make_thumbnail(i, p, cache)) for i, p in enumerate(files)]
    size_mb = statistics.mean(p.stat().st_size for p in files) / 1e6
    return [
        (f"thumbnail made from a 1024² PNG ({size_mb:.1f} MB), median", _ms(cold), "cold"),
        ("thumbnail read from the disk cache, median", _ms(warm), "disk hit"),
    ]


def _timed(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def _ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def _percentile_ms(seconds: list[float], percent: int) -> float:
    return statistics.quantiles(seconds, n=100)[percent - 1] * 1000


def run(folder: Path, rows: int) -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    output_dir, db = folder / "images", folder / "data" / "library.sqlite3"
    began = time.perf_counter()
    write_pngs(output_dir, rows, side=192)
    library = Library(db, output_dir)
    adopted = len(library.adopt_orphans().adopted)
    print(
        f"built a library of {adopted} images in {time.perf_counter() - began:.1f} s",
        file=sys.stderr,
    )
    results: list[Row] = []
    thumbs = folder / "thumbnails"

    panel, opened = open_panel(app, library, thumbs)
    results.append(
        (
            "open: construct + first page + first paint",
            opened * 1000,
            f"{panel.model.rowCount()} rows",
        )
    )
    cold = pump(app, lambda: visible_thumbnails_ready(panel))
    results.append(
        ("first screen of thumbnails, cold cache", cold * 1000, f"{len(visible_rows(panel))} tiles")
    )
    steps, total = scroll_through(app, panel)
    results.append(
        ("scroll one screen, median (pages fetched on the way)", _ms(steps), f"{len(steps)} steps")
    )
    results.append(("scroll one screen, worst", max(steps) * 1000, ""))
    results.append(("scroll through every image", sum(steps) * 1000, f"{total} rows"))
    pump(app, panel.thumbnails.loader.idle, timeout_s=300)
    stats = panel.thumbnails.loader.stats
    results.append(("thumbnails made while scrolling (others skipped)", float(stats.made), "count"))
    panel.thumbnails.clear()  # the wheel pass reads from the disk cache, as after a restart
    notches = wheel_through(app, panel, WHEEL_NOTCHES)
    results.append(
        (
            "wheel notch, median (disk-cached thumbnails arriving)",
            _ms(notches),
            f"{len(notches)} notches",
        )
    )
    results.append(("wheel notch, 95th percentile", _percentile_ms(notches, 95), ""))
    results.append(("wheel notch, worst", max(notches) * 1000, ""))
    panel.shutdown()
    panel.deleteLater()
    app.processEvents()

    again, reopened = open_panel(app, library, thumbs)
    results.append(("open again: construct + first page + first paint", reopened * 1000, ""))
    warm = pump(app, lambda: visible_thumbnails_ready(again))
    results.append(("first screen of thumbnails, disk cache", warm * 1000, ""))
    oldest = library.records.images(ImageQuery(newest_first=False), limit=1)[0]
    jump = _timed(lambda: again.select_image(oldest.id))
    results.append(("jump to the oldest image (fetches every page)", jump * 1000, ""))
    memory = _timed(
        lambda: [again.model.index(r).data(THUMBNAIL_ROLE) for r in range(200)] and None
    )
    results.append(
        (
            "200 thumbnails served from memory (LRU)",
            memory * 1000,
            f"{again.thumbnails.memory_hits} hits",
        )
    )
    again.shutdown()
    results.extend(thumbnail_costs(folder))
    library.close()
    print_table(results, rows)


def print_table(results: list[Row], rows: int) -> None:
    width = max(len(name) for name, _, _ in results)
    print(
        f"gallery: {rows} images, window {WINDOW[0]}×{WINDOW[1]}, Qt platform {QApplication.platformName()}"
    )
    print(f"{'measure':<{width}}  {'ms':>9}  note")
    print(f"{'-' * width}  {'-' * 9}  ----")
    for name, value, note in results:
        print(f"{name:<{width}}  {value:>9.1f}  {note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, help="build here (default: a temporary folder)")
    args = parser.parse_args()
    if args.dir is not None:
        run(args.dir, args.rows)
        return 0
    with tempfile.TemporaryDirectory(prefix="gallery-bench-") as folder:
        run(Path(folder), args.rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

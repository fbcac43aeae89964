"""How fast the gallery's queries are on a library of 10,000 images (CPU only, no GPU needed).

    python -m bench.library_bench [--rows 10000] [--repeat 30] [--dir DIR]

Builds the library through the real API: it writes small PNGs with our metadata into the output
folder and lets `Library.adopt_orphans` take them in (the path a rebuilt, damaged library takes),
then times each query the gallery runs and prints the median in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from PIL import Image

from majicflux_desktop.core.library import ImageQuery, Library
from majicflux_desktop.core.metadata import ImageMetadata, encode_png
from majicflux_desktop.core.request import GenerationRequest

SUBJECTS = [
    "一只橘猫坐在窗台上",
    "山水画，水墨风格",
    "赛博朋克城市夜景",
    "穿汉服的少女",
    "a ginger cat on a windowsill",
    "portrait of an old fisherman",
    "misty mountains at dawn",
    "a red sports car in the rain",
]
DETAILS = ["阳光明媚", "电影质感", "超写实", "8k", "soft light", "highly detailed", "bokeh", "胶片"]


def random_prompt(rng: random.Random) -> str:
    return "，".join([rng.choice(SUBJECTS), *rng.sample(DETAILS, 3)])


def write_pngs(output_dir: Path, rows: int, rng: random.Random) -> None:
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    pixels = Image.new("RGB", (8, 8), "orange")
    for index in range(rows):
        created = start + timedelta(minutes=index * 3 + rng.randrange(3))
        request = GenerationRequest(random_prompt(rng), "模糊, low quality", seed=index)
        meta = ImageMetadata(
            request, model="majicflus_v134", plan="fp8", created=created.isoformat()
        )
        folder = output_dir / f"{created:%Y-%m-%d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{created:%H%M%S}-{index}.png").write_bytes(encode_png(pixels, meta))


def median_ms(call: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    result = call()  # warm the page cache and SQLite's statement cache, as a running app has
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), result


def size(result: Any) -> int:
    return result if isinstance(result, int) else len(result)


def run(folder: Path, rows: int, repeat: int) -> None:
    rng = random.Random(1234)
    db_path, output_dir = folder / "data" / "library.sqlite3", folder / "images"
    began = time.perf_counter()
    write_pngs(output_dir, rows, rng)
    print(f"wrote {rows} PNGs in {time.perf_counter() - began:.1f} s", file=sys.stderr)

    lib = Library(db_path, output_dir)
    began = time.perf_counter()
    adopted = len(lib.adopt_orphans().adopted)
    build_s = time.perf_counter() - began
    for record in lib.records.images(limit=rows)[::20]:
        lib.records.set_favourite(record.id, True)
    lib.close()
    print(f"adopted {adopted} images in {build_s:.1f} s", file=sys.stderr)

    def reopen() -> int:
        Library(db_path, output_dir).close()
        return 1

    lib = Library(db_path, output_dir)
    cases: list[tuple[str, Callable[[], Any], int]] = [
        ("first page, newest first (200)", lambda: lib.records.images(limit=200), repeat),
        (
            "page deep in the list (offset 9000)",
            lambda: lib.records.images(limit=200, offset=9000),
            repeat,
        ),
        ("count all", lambda: lib.records.count(), repeat),
        (
            "FTS search, Chinese “橘猫坐” (200)",
            lambda: lib.records.images(ImageQuery(search="橘猫坐")),
            repeat,
        ),
        (
            "FTS count, Chinese “橘猫坐”",
            lambda: lib.records.count(ImageQuery(search="橘猫坐")),
            repeat,
        ),
        (
            "FTS search, English “windowsill”",
            lambda: lib.records.images(ImageQuery(search="windowsill")),
            repeat,
        ),
        (
            "FTS search, two words",
            lambda: lib.records.images(ImageQuery(search="fisherman 电影质感")),
            repeat,
        ),
        (
            "LIKE fallback, 1 char “猫” (200)",
            lambda: lib.records.images(ImageQuery(search="猫")),
            repeat,
        ),
        ("LIKE count, 1 char “猫”", lambda: lib.records.count(ImageQuery(search="猫")), repeat),
        (
            "favourites only (200)",
            lambda: lib.records.images(ImageQuery(favourites_only=True)),
            repeat,
        ),
        ("favourites count", lambda: lib.records.count(ImageQuery(favourites_only=True)), repeat),
        ("one image by id", lambda: [lib.records.image(rows // 2)], repeat),
        ("open library (migrate + quick_check)", reopen, max(3, repeat // 3)),
        ("adopt_orphans, nothing new (start-up)", lambda: lib.adopt_orphans().adopted, 3),
        ("missing_files (stat every file)", lib.missing_files, 3),
    ]
    width = max(len(name) for name, _, _ in cases)
    print(
        f"library: {rows} images, SQLite {sqlite_version()}, median of the runs after one warm-up"
    )
    print(f"{'query':<{width}}  {'median ms':>10}  {'rows':>6}")
    print(f"{'-' * width}  {'-' * 10}  {'-' * 6}")
    for name, call, times in cases:
        ms, result = median_ms(call, times)
        print(f"{name:<{width}}  {ms:>10.2f}  {size(result):>6}")
    print(f"{'build: adopt_orphans of all PNGs':<{width}}  {build_s * 1000:>10.0f}  {adopted:>6}")
    lib.close()


def sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--dir", type=Path, help="build here (default: a temporary folder)")
    args = parser.parse_args()
    if args.dir is not None:
        run(args.dir, args.rows, args.repeat)
        return 0
    with tempfile.TemporaryDirectory(prefix="library-bench-") as folder:
        run(Path(folder), args.rows, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

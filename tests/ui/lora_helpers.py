"""Tiny LoRA files for the window's tests: real layouts at the tiny transformer's sizes
(engine/tiny_loras.py), with the metadata a trainer writes, and a catalog over a folder of them."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import shiboken6
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from majicflux_desktop.engine import tiny_loras
from majicflux_desktop.engine.loras import HashCache, LoraIndex
from majicflux_desktop.ui.common.lora_catalog import LoraCatalog

KOHYA = "tiny-kohya"  # trigger words "ohwx cat", title "tiny kohya"
PEFT = "tiny-peft"  # no trigger words
INK = "水墨山水"  # Chinese name, title and trigger words
SDXL = "sdxl-style"  # refused: made for SDXL


def relabel(path: Path, **metadata: str) -> None:
    """Rewrite a safetensors file's metadata (what a trainer records), keeping its tensors."""
    with safe_open(str(path), "pt") as handle:
        kept = dict(handle.metadata() or {})
    kept.update(metadata)
    save_file(load_file(str(path)), str(path), metadata=kept)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def lora_originals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lora-originals")
    tiny_loras.kohya(folder / f"{KOHYA}.safetensors")
    tiny_loras.peft(folder / f"{PEFT}.safetensors")
    ink = folder / f"{INK}.safetensors"
    tiny_loras.peft(ink, seed=11)
    relabel(ink, **{"modelspec.title": "水墨山水 Ink landscape",
                    "modelspec.trigger_phrase": "shuimo, 水墨画"})  # fmt: skip
    tiny_loras.sdxl(folder / f"{SDXL}.safetensors")
    return folder


def copy_loras(originals: Path, folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names or [p.stem for p in originals.glob("*.safetensors")]:
        shutil.copy2(originals / f"{name}.safetensors", folder / f"{name}.safetensors")
    return folder


@pytest.fixture
def catalogs(qtbot) -> Iterator[Callable[[Path, Path], LoraCatalog]]:
    """Make catalogs over `models_dir/loras` as the app does, after their first scan.

    Each is destroyed on the UI thread when the test ends: a QObject without a parent left to
    Python's garbage collector may be collected on a background thread, which Qt does not allow
    (its file watcher and timers belong to the UI thread). The app's catalog has a parent.
    """
    made: list[LoraCatalog] = []

    def make(models_dir: Path, data_dir: Path) -> LoraCatalog:
        index = LoraIndex(tiny=True, hash_cache=HashCache(data_dir))
        catalog = LoraCatalog(index, models_dir)
        made.append(catalog)
        with qtbot.waitSignal(catalog.scanned, timeout=20_000):
            catalog.rescan()
        return catalog

    yield make
    for catalog in made:
        shiboken6.delete(catalog)

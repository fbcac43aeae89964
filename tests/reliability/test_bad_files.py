"""Bad files: model files that are not what they claim, and PNGs dropped with hostile metadata.

A model file is refused from its header alone, before anything loads it, with a message naming
the file and the fix; a dropped PNG is read without trusting anything in it. The app stays usable.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import shutil
import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTreeWidget, QWidget
from ui_helpers import Launch, answer_drop_question, make_data_dir, small_request, window_of

from helpers import write_header_only
from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.engine import tiny
from majicflux_desktop.engine.pipeline import Engine
from majicflux_desktop.engine.scan import ModelPaths
from majicflux_desktop.ui.worker import EngineState

MARKER = "unpickled.txt"


class Payload:
    """What a malicious checkpoint does when unpickled: here, only leave a marker file."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.write_text, (self.folder / MARKER, "code ran"))


def pickled(path: Path) -> None:
    path.write_bytes(pickle.dumps({"state_dict": Payload(path.parent)}))


def truncated(path: Path, good: Path) -> None:
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])


BadFile = Callable[[Path, Path], Path]  # (folder, a good VAE file) -> the bad file


def _write(name: str, data: bytes) -> BadFile:
    def make(folder: Path, good: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    return make


def _pickle_named(name: str) -> BadFile:
    def make(folder: Path, good: Path) -> Path:
        pickled(folder / name)
        return folder / name

    return make


def _truncated(folder: Path, good: Path) -> Path:
    truncated(folder / "ae.safetensors", good)
    return folder / "ae.safetensors"


def _other_architecture(folder: Path, good: Path) -> Path:
    sdxl = {
        "model.diffusion_model.input_blocks.0.0.weight": (320, 4, 3, 3),
        "conditioner.embedders.1.model.ln_final.weight": (1280,),
    }
    return write_header_only(folder / "ae.safetensors", sdxl, "F16")


def _folder(folder: Path, good: Path) -> Path:
    (folder / "ae.safetensors").mkdir()
    return folder / "ae.safetensors"


TERABYTES = struct.pack("<Q", 3 << 40) + b'{"a": 1}'
NOT_JSON = struct.pack("<Q", 24) + b"this is not json at all!" + bytes(64)
BAD_FILES: dict[str, tuple[BadFile, str]] = {
    "pickle .ckpt": (_pickle_named("ae.ckpt"), "Download the .safetensors version"),
    "pickle .bin": (_pickle_named("ae.bin"), "can run code when opened"),
    "pickle .pt": (_pickle_named("ae.pt"), "is not a .safetensors file"),
    "pickle renamed .safetensors": (_pickle_named("ae.safetensors"), "Download it again"),
    "truncated": (_truncated, "is incomplete"),
    "header claims terabytes": (
        _write("ae.safetensors", TERABYTES),
        "its header claims 3298534883328 bytes",
    ),
    "header not JSON": (_write("ae.safetensors", NOT_JSON), "unreadable header"),
    "another architecture": (_other_architecture, "looks like a SDXL checkpoint"),
    "empty": (_write("ae.safetensors", b""), "is empty or cut off. Download it again."),
    "a folder": (_folder, "is a folder, not a model file"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_the_engine_refuses_a_bad_file_before_loading(
    tiny_paths: ModelPaths, tmp_path: Path, case: str
) -> None:
    """Given directly to the engine as the VAE: refused with a message naming the file and what
    to do; a pickle's code never runs (nothing is unpickled)."""
    make, words = BAD_FILES[case]
    bad = make(tmp_path, tiny_paths.vae)
    with pytest.raises(UserError) as refused:
        Engine(device="cpu").load(dataclasses.replace(tiny_paths, vae=bad), "bf16")
    assert str(bad) in refused.value.text() and words in refused.value.text()
    assert not (tmp_path / MARKER).exists()


def page_text(widget: QWidget) -> str:
    """Everything a person can read on a page: labels, table cells and their tooltips."""
    texts = [label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget)]
    for table in widget.findChildren(QTreeWidget):
        for row in range(table.topLevelItemCount()):
            item = table.topLevelItem(row)
            for column in range(item.columnCount()):
                texts += [item.text(column), item.toolTip(column)]
    return "\n".join(texts)


def test_the_window_shows_each_bad_file_with_its_fix_and_recovers(
    qtbot, launch: Launch, tmp_path: Path, tiny_models: Path
) -> None:
    """The models folder holds a bad file where the VAE should be, case after case. The user sees
    the model setup page naming the file and the fix, never a traceback; once the right file is
    back, "check again" loads the models and an image is made."""
    models = tmp_path / "models"
    shutil.copytree(tiny_models, models)
    good = tmp_path / "ae.safetensors"
    shutil.move(models / tiny.VAE_FILE, good)
    folder = make_data_dir(tmp_path / "data", tiny_models)
    settings = {"schema_version": 1, "language": "en", "models_dir": str(models)}
    (folder / "settings.json").write_text(json.dumps(settings), "utf-8")
    desktop = launch(folder, demo=False)
    window = window_of(desktop)
    for case, (make, words) in BAD_FILES.items():
        bad = make(models, good)
        with qtbot.waitSignal(desktop.worker.models_checked, timeout=30_000) as checked:
            desktop.load_models()
        assert not checked.args[0].complete, case
        qtbot.waitUntil(lambda: window.engine_state is EngineState.MISSING)
        assert window.pages.currentWidget() is not window.workspace
        page = window.pages.currentWidget()
        # the page shows the new report when its words and the file appear in it
        qtbot.waitUntil(lambda: str(bad) in page_text(page) and words in page_text(page))  # noqa: B023
        shutil.rmtree(bad) if bad.is_dir() else bad.unlink()
    assert not (models / MARKER).exists()
    shutil.copy(good, models / tiny.VAE_FILE)
    desktop.load_models()
    qtbot.waitUntil(lambda: window.engine_state is EngineState.READY, timeout=60_000)
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=30_000):
        window.enqueue(small_request("after the bad files", seed=3))


# -- PNGs dropped on the window ---------------------------------------------------------------------


def png_with(path: Path, chunks: dict[str, str], compress: bool = False) -> Path:
    info = PngImagePlugin.PngInfo()
    for key, value in chunks.items():
        info.add_text(key, value, zip=compress)
    Image.new("RGB", (8, 8), "red").save(path, "PNG", pnginfo=info)
    return path


def png_claiming_size(path: Path, width: int, height: int) -> Path:
    """A PNG header announcing a giant image (a decompression bomb), with almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )  # fmt: skip
    return path


HOSTILE_A1111 = (
    "<img src='/dev/zero'><b>bold</b> a cat\x00\x1b[2J" + "x" * 20_000 + "\n"
    "Negative prompt: <script>alert(1)</script>\n"
    "Steps: -5, Seed: 1e400, Size: 99999x-1, CFG scale: NaN, Model: \"<img src='/dev/zero'>\""
)
COMFY_LOOP = {
    "1": {"class_type": "KSampler", "inputs": {"positive": ["2", 0], "seed": ["1", 0]}},
    "2": {"class_type": "ConditioningCombine", "inputs": {"conditioning_1": ["2", 0]}},
}


def dropped_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, words the notice must contain)."""
    broken = png_with(folder / "cut.png", {"parameters": "a cat\nSteps: 4, Seed: 1, Size: 512x512"})
    broken.write_bytes(broken.read_bytes()[:40])
    return {
        "broken PNG": (broken, "“cut.png”"),
        "not an image": (folder / "notes.png", "is not an image"),
        "10 MB text chunk": (
            png_with(folder / "huge.png", {"parameters": "a" * 10_000_000}),
            "Ignored the oversized text block “parameters”",
        ),
        "deeply nested JSON": (
            png_with(folder / "deep.png", {"majicflux": "[" * 200_000}, compress=True),
            "The MajicFlux parameters in this file are damaged",
        ),
        "hostile A1111": (
            png_with(folder / "hostile.png", {"parameters": HOSTILE_A1111}),
            "Could not use seed = 1e400",
        ),
        "ComfyUI loop": (
            png_with(folder / "loop.png", {"prompt": json.dumps(COMFY_LOOP)}),
            "no prompt text we could find",
        ),
        "decompression bomb": (
            png_claiming_size(folder / "bomb.png", 60_000, 60_000),
            "“bomb.png”",
        ),
    }


@pytest.mark.slow
def test_dropped_pngs_with_bad_metadata_are_ignored_safely_with_a_note(
    qtbot, launch: Launch, data_dir: Path, tmp_path: Path
) -> None:
    """Broken, huge (a 10 MB text chunk), hostile (HTML, control characters, absurd numbers,
    deep nesting, a link loop) and bomb-sized PNGs dropped on the window: each gives a note in
    plain text (HTML shown as text, never rendered) within a second or two; unusable values are
    replaced by defaults; the prompt panel never holds a value it would refuse silently."""
    (tmp_path / "notes.png").write_text("not an image at all")
    desktop = launch(data_dir, wait=False)
    window = window_of(desktop)
    shown: dict[str, str] = {}
    for case, (path, words) in dropped_files(tmp_path).items():
        started = time.perf_counter()
        window.take_dropped(path)
        answer_drop_question(window, "parameters")
        # a picture without parameters becomes the source, read in the background: a broken
        # one's notice comes when the read fails
        qtbot.waitUntil(
            lambda words=words: any(words in n.text for n in window.notices.notices()[-2:]),
            timeout=5000,
        )
        assert time.perf_counter() - started < 5, case
        notice = next(n for n in reversed(window.notices.notices()) if words in n.text)
        shown[case] = notice.text
        assert notice.label.textFormat() == Qt.TextFormat.PlainText
        request = window.prompt_panel.request()
        assert all(p.field == "prompt" for p in request.problems()), (case, request)
    assert "<img src='/dev/zero'>" in shown["hostile A1111"]  # shown as text, not loaded
    assert os.path.getsize(tmp_path / "huge.png") > 10_000_000

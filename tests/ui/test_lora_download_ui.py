"""The picker's Download… dialog against the hub on 127.0.0.1: a LoRA downloaded by ModelScope
model id appears selected in the picker; a refusal is shown in the dialog; a cancel keeps the part."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lora_helpers import KOHYA, catalogs, copy_loras, lora_originals
from PySide6.QtCore import Qt

from fakehub import FakeHub, lora_repos, serve
from majicflux_desktop.engine import tiny_loras
from majicflux_desktop.ui.common.lora_catalog import LoraCatalog
from majicflux_desktop.ui.generate.lora_download import LoraDownloadDialog
from majicflux_desktop.ui.generate.lora_picker import LoraPicker, LoraPreferences

__all__ = ["catalogs", "lora_originals"]  # fixtures

TINY_REPO, TINY_FILE = "someone/tiny-style", "tiny-style.safetensors"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeHub]:
    tiny_loras.kohya(tmp_path / TINY_FILE, seed=21)
    repos = {**lora_repos(), TINY_REPO: {TINY_FILE: (tmp_path / TINY_FILE).read_bytes()}}
    with serve(FakeHub(repos=repos)) as state:
        monkeypatch.setenv("MODELSCOPE_ENDPOINT", state.url)
        monkeypatch.delenv("MODELSCOPE_API_TOKEN", raising=False)
        yield state


@pytest.fixture
def picker(qtbot, catalogs, lora_originals: Path, tmp_path: Path) -> LoraPicker:
    models = tmp_path / "models"
    copy_loras(lora_originals, models / "loras", KOHYA)
    catalog: LoraCatalog = catalogs(models, tmp_path / "data")
    shown = LoraPicker(catalog, LoraPreferences())
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitUntil(lambda: not catalog.scanning)
    return shown


def open_dialog(qtbot, picker: LoraPicker, address: str) -> LoraDownloadDialog:
    qtbot.mouseClick(picker.download_button, Qt.MouseButton.LeftButton)
    dialog = picker.download_dialog
    assert dialog is not None and dialog.isVisible()
    assert "DonRat/MAJICFLUS_SuperChinesestyleheongsam" in dialog.address.placeholderText()
    assert dialog.folder.currentData() == str(picker.catalog.listing.primary)
    dialog.address.setText(address)
    return dialog


def test_a_lora_downloaded_by_model_id_is_listed_and_selected_in_the_picker(
    qtbot, hub: FakeHub, picker: LoraPicker
) -> None:
    picker.search.setText("no such thing")
    dialog = open_dialog(qtbot, picker, TINY_REPO)
    with qtbot.waitSignal(dialog.downloaded, timeout=20_000) as downloaded:
        qtbot.mouseClick(dialog.download_button, Qt.MouseButton.LeftButton)
    target = picker.catalog.listing.primary / TINY_FILE  # type: ignore[operator]
    assert downloaded.args == [target]
    assert target.read_bytes() == hub.repos[TINY_REPO][TINY_FILE]
    qtbot.waitUntil(lambda: picker.current_file() is not None
                    and picker.current_file().path == target, timeout=20_000)  # fmt: skip
    qtbot.waitUntil(lambda: picker.download_dialog is None)  # closed and deleted
    assert picker.search.text() == ""  # the new LoRA is not hidden by the search typed before
    assert [f.name for f in picker.file_rows()] == ["tiny-kohya", "tiny-style"]
    assert picker.current_file().ok  # type: ignore[union-attr]
    assert picker.details.isVisible()


def test_a_refused_lora_is_explained_in_the_dialog_and_not_kept(
    qtbot, hub: FakeHub, picker: LoraPicker
) -> None:
    dialog = open_dialog(qtbot, picker, "someone/sdxl-style")
    with qtbot.waitSignal(dialog.service.failed, timeout=20_000):
        qtbot.mouseClick(dialog.download_button, Qt.MouseButton.LeftButton)
    assert "a LoRA for SDXL, not for FLUX.1" in dialog.error_text
    assert "deleted again" in dialog.error_text
    assert dialog.isVisible() and dialog.download_button.isEnabled()
    assert dialog.close_button.text() == "Close"
    folder = picker.catalog.listing.primary
    assert folder is not None and sorted(p.name for p in folder.iterdir()) == [f"{KOHYA}.safetensors"]  # fmt: skip

    dialog.address.setText("https://example.com/style.ckpt")
    with qtbot.waitSignal(dialog.service.failed, timeout=20_000):
        qtbot.keyClick(dialog.address, Qt.Key.Key_Return)
    assert "style.ckpt is not a .safetensors file" in dialog.error_text


def test_cancel_stops_the_download_and_keeps_the_part(
    qtbot, hub: FakeHub, picker: LoraPicker
) -> None:
    hub.faults[TINY_FILE] = [("stall", 4096)]
    dialog = open_dialog(qtbot, picker, TINY_REPO)
    qtbot.mouseClick(dialog.download_button, Qt.MouseButton.LeftButton)
    assert dialog.close_button.text() == "Cancel" and not dialog.address.isEnabled()
    assert hub.stalled.wait(20)
    with qtbot.waitSignal(dialog.service.failed, timeout=20_000):
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert "cancelled" in dialog.error_text and dialog.isVisible()
    folder = picker.catalog.listing.primary
    assert folder is not None and (folder / f"{TINY_FILE}.part").is_file()
    assert not (folder / TINY_FILE).exists()

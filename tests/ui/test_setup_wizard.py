"""Model setup in the real window: use existing files, download from a hub on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton
from ui_helpers import Launch, small_request, wait_ready, window_heard_all, window_of

from fakehub import FLUX, FakeHub, repos_from_folder, serve
from helpers import write_header_only
from majicflux_desktop.app import DesktopApp
from majicflux_desktop.core.paths import AppPaths
from majicflux_desktop.core.settings import load_settings
from majicflux_desktop.core.units import format_bytes
from majicflux_desktop.engine import catalog, download, layouts, scan
from majicflux_desktop.ui.common import theme
from majicflux_desktop.ui.setup import downloads
from majicflux_desktop.ui.setup import existing_files as setup_existing
from majicflux_desktop.ui.setup.download_page import DownloadPage
from majicflux_desktop.ui.setup.downloads import Phase
from majicflux_desktop.ui.window.main_window import MainWindow
from majicflux_desktop.ui.worker import EngineState

SDXL = {
    "model.diffusion_model.input_blocks.0.0.weight": (320, 4, 3, 3),
    "conditioner.embedders.1.model.ln_final.weight": (1280,),
}


@pytest.fixture
def hub(tiny_models: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    """Both sources point at it; it serves the tiny model set, so a download really loads."""
    with serve(FakeHub(repos=repos_from_folder(tiny_models))) as state:
        monkeypatch.setenv("MODELSCOPE_ENDPOINT", state.url)
        monkeypatch.setenv("HF_ENDPOINT", state.url)
        monkeypatch.delenv("HF_TOKEN", raising=False)
        yield state


def start_without_models(qtbot, launch: Launch, folder: Path) -> DesktopApp:
    folder.mkdir(parents=True, exist_ok=True)
    settings = folder / "settings.json"
    if not settings.exists():
        settings.write_text(json.dumps({"schema_version": 1, "language": "en"}), "utf-8")
    desktop = launch(folder, demo=False, wait=False)
    window = window_of(desktop)
    qtbot.waitUntil(lambda: window.engine_state is EngineState.MISSING, timeout=20_000)
    assert window.pages.currentWidget() is window.setup_wizard
    return desktop


def click(qtbot, button: QPushButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def choose_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(folder))


def scan_existing(qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    choose_folder(monkeypatch, folder)
    click(qtbot, window.setup_wizard.existing_choice)
    page = window.setup_wizard.existing
    assert window.setup_wizard.stack.currentWidget() is page
    qtbot.waitUntil(lambda: page.result is not None and not page.scanning, timeout=20_000)


# -- use existing files ---------------------------------------------------------------------------


def test_existing_files_show_what_is_found_missing_and_wrong(
    qtbot, launch: Launch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = tmp_path / "ComfyUI/models"
    write_header_only(models / "unet/majicflus_v134.safetensors", layouts.flux_dit(), "F8_E4M3")
    write_header_only(models / "clip/clip_l.safetensors", layouts.clip_text(), "F16")
    first, _ = layouts.split_t5_shards(layouts.t5_encoder())
    write_header_only(models / "t5/model-00001-of-00002.safetensors", first)  # the other is lost
    write_header_only(models / "vae/ae.safetensors", layouts.flux_vae(), truncate_to=4_000_000)
    write_header_only(models / "checkpoints/sd_xl_base_1.0.safetensors", SDXL)
    window = window_of(start_without_models(qtbot, launch, tmp_path / "data"))
    scan_existing(qtbot, window, monkeypatch, tmp_path / "ComfyUI")

    page = window.setup_wizard.existing
    rows = {row[1]: row for row in page.report.row_texts()}
    dit, clip = rows["majicflus_v1 transformer (DiT)"], rows["CLIP-L text encoder"]
    assert dit[0] == "found" and dit[2] == str(models / "unet/majicflus_v134.safetensors")
    assert dit[3].endswith("GB")  # the size the header promises (a sparse file here)
    assert clip[0] == "found"
    assert rows["T5-XXL text encoder"][0] == "wrong"
    # the VAE with the right name but cut off is named as wrong, not passed over as missing
    vae = rows["VAE (autoencoder)"]
    assert vae[0] == "wrong" and vae[2] == str(models / "vae/ae.safetensors")
    # the tokenizers that ship with the app serve a ComfyUI folder's weights
    assert rows["CLIP tokenizer"][:3:2] == ["found", "shipped with MajicFlux"]
    assert rows["T5 tokenizer"][:3:2] == ["found", "shipped with MajicFlux"]
    details = page.report.details.text()
    assert page.report.details.isVisible()
    assert "incomplete: found 1 part(s)" in details and "Download the missing part" in details
    assert "ae.safetensors is incomplete: 156.1 MB short of 159.9 MB" in details
    assert "download it again" in details and "SDXL checkpoint" in details
    assert "4 of 6 required files found" in page.status.text()
    assert not page.use_button.isEnabled()

    click(qtbot, page.download_button)  # only what is missing, the rest stays where it is
    download_page = window.setup_wizard.download
    assert window.setup_wizard.stack.currentWidget() is download_page
    assert download_page.roles == ("t5", "vae")
    assert "Only the files still missing: T5-XXL text encoder" in download_page.scope.text()
    assert download_page.keep == {
        "dit": (models / "unet/majicflus_v134.safetensors",),
        "clip": (models / "clip/clip_l.safetensors",),
    }


@pytest.mark.slow
def test_two_transformers_are_offered_with_why_and_the_pick_is_kept(
    qtbot, launch: Launch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bf16 and a float8 majicflus in one folder: the float8 one is taken, the other offered in
    its row with the reason; picking it is what "Use these files" keeps."""
    models = tmp_path / "ComfyUI/models"
    fp8 = write_header_only(
        models / "unet/majicflus_v134.safetensors", layouts.flux_dit(), "F8_E4M3"
    )
    bf16 = write_header_only(models / "unet/majicflus_v134_bf16.safetensors", layouts.flux_dit())
    write_header_only(models / "clip/clip_l.safetensors", layouts.clip_text(), "F16")
    for index, part in enumerate(layouts.split_t5_shards(layouts.t5_encoder()), start=1):
        write_header_only(models / f"t5/model-0000{index}-of-00002.safetensors", part)
    write_header_only(models / "vae/ae.safetensors", layouts.flux_vae())
    data = tmp_path / "data"
    window = window_of(start_without_models(qtbot, launch, data))
    scan_existing(qtbot, window, monkeypatch, tmp_path / "ComfyUI")
    page = window.setup_wizard.existing
    choice = page.report.choices["dit"]
    assert [choice.itemData(i) for i in range(choice.count())] == [(fp8,), (bf16,)]
    why = str(choice.itemData(1, Qt.ItemDataRole.ToolTipRole))
    assert "float8" in why  # says why the bf16 file was not taken
    assert "More than one usable file was found" in page.report.details.text()
    choice.activated.emit(1)  # the user picks the bf16 file
    assert page.result is not None and page.result.chosen["dit"] == (bf16,)
    page.use_requested.disconnect()  # these are sparse stand-ins: loading them would fill the RAM
    with qtbot.waitSignal(page.use_requested, timeout=10_000) as used:
        click(qtbot, page.use_button)
    assert used.args[0]["dit"] == (bf16,)  # what the settings will keep


@pytest.mark.slow
def test_the_demos_tiny_files_found_as_existing_files_are_a_warning_not_a_success(
    qtbot, launch: Launch, tmp_path: Path, tiny_models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = window_of(start_without_models(qtbot, launch, tmp_path / "data"))
    scan_existing(qtbot, window, monkeypatch, tiny_models)
    page = window.setup_wizard.existing
    assert "tiny random-weight files: they make noise" in page.status.text()
    assert "Everything is there" not in page.status.text()
    assert theme.WARNING in page.status.styleSheet()
    weights = [row for row in page.report.row_texts() if "tokenizer" not in row[1]]
    assert weights and all(row[0] == "demo only" for row in weights)


@pytest.mark.slow
def test_tiny_models_as_existing_files_load_and_generate(
    qtbot, launch: Launch, tmp_path: Path, tiny_models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    desktop = start_without_models(qtbot, launch, data)
    window = window_of(desktop)
    scan_existing(qtbot, window, monkeypatch, tiny_models)
    page = window.setup_wizard.existing
    # the demo's files are usable (with a warning): the whole path loads and generates
    assert all(row[0] in ("found", "demo only") for row in page.report.row_texts())
    click(qtbot, page.use_button)
    wait_ready(qtbot, desktop)
    assert window.pages.currentWidget() is window.workspace and not desktop.demo
    # used in place: nothing copied into the models folder, the paths kept in the settings
    assert not (data / "models").exists() or not any((data / "models").iterdir())
    saved, _ = load_settings(AppPaths.portable(data).settings_file, AppPaths.portable(data))
    assert saved.model_files["dit"] == (scan.check(tiny_models).paths().dit,)
    assert set(saved.model_files) == set(catalog.SPECS)
    with qtbot.waitSignal(desktop.worker.job_finished, timeout=30_000) as done:
        window.enqueue(small_request("from files used in place", seed=3))
    assert done.args[1].seed == 3

    window.show_model_setup()  # from the menu: it stays, says all is there, and lets one leave
    wizard = window.setup_wizard
    qtbot.waitUntil(lambda: wizard.status.text() == "All model files are there.")
    window_heard_all(qtbot, desktop)
    assert window.pages.currentWidget() is wizard
    click(qtbot, wizard.leave_button)
    assert window.pages.currentWidget() is window.workspace


# -- download -------------------------------------------------------------------------------------


def open_download(qtbot, window: MainWindow) -> DownloadPage:
    click(qtbot, window.setup_wizard.download_choice)
    assert window.setup_wizard.stack.currentWidget() is window.setup_wizard.download
    return window.setup_wizard.download


def check_plan(qtbot, window: MainWindow) -> None:
    page = window.setup_wizard.download
    click(qtbot, page.check_button)
    qtbot.waitUntil(
        lambda: (
            page.service.phase is Phase.IDLE
            and (page.summary is not None or page.message.isVisible())
        ),
        timeout=20_000,
    )


def inside(window: MainWindow, name: str) -> bool:
    """The download is in the middle of `name`, with some bytes of it on disk."""
    progress = window.setup_wizard.download.service.last_progress
    current = None if progress is None else progress.current_file
    return current is not None and current.file.path == name and current.done_bytes > 0


@pytest.mark.slow
def test_download_shows_progress_pauses_resumes_and_loads(
    qtbot, launch: Launch, tmp_path: Path, hub: FakeHub
) -> None:
    data = tmp_path / "data"
    desktop = start_without_models(qtbot, launch, data)
    window = window_of(desktop)
    page = open_download(qtbot, window)
    assert page.modelscope.isChecked() and not page.licence.isVisible()
    assert page.folder.text() == str(data / "models")
    check_plan(qtbot, window)
    summary = page.summary_text.text()
    assert "13 files" in summary and "from ModelScope" in summary
    assert "Free on that drive" in summary and str(data / "models") in summary
    assert page.progress.file_states() == ["waiting"] * 13

    hub.throttle_s = 0.02  # about 1 MB/s: time to pause in the middle of the VAE
    click(qtbot, page.start_button)
    qtbot.waitUntil(lambda: inside(window, "ae.safetensors"), timeout=20_000)
    assert "done, verified" in page.progress.file_states()
    assert " of " in page.progress.totals.text() and page.progress.overall.value() > 0
    click(qtbot, page.pause_button)
    assert page.pause_button.text() == "Resume"
    qtbot.waitUntil(lambda: "paused" in page.progress.file_states(), timeout=10_000)
    part = data / "models" / FLUX / "ae.safetensors.part"
    kept = part.stat().st_size
    qtbot.wait(500)
    assert part.stat().st_size == kept > 0  # nothing moves while paused
    assert "paused" in page.progress.totals.text()
    hub.throttle_s = 0
    click(qtbot, page.pause_button)
    wait_ready(qtbot, desktop)  # downloaded, verified, loaded
    ranges = [r.headers.get("Range") for r in hub.content_requests("ae.safetensors")]
    assert ranges[0] is None and ranges[-1] is not None  # resumed, not restarted
    assert desktop.settings.models_dir == data / "models" and not desktop.settings.model_files
    assert scan.check(data / "models").complete
    assert window.pages.currentWidget() is window.workspace


@pytest.mark.slow
def test_cancel_keeps_the_part_and_a_restart_resumes_it(
    qtbot, launch: Launch, tmp_path: Path, hub: FakeHub
) -> None:
    data = tmp_path / "data"
    window = window_of(start_without_models(qtbot, launch, data))
    page = open_download(qtbot, window)
    check_plan(qtbot, window)
    hub.throttle_s = 0.02
    click(qtbot, page.start_button)
    qtbot.waitUntil(lambda: inside(window, "ae.safetensors"), timeout=20_000)
    click(qtbot, page.cancel_button)
    qtbot.waitUntil(lambda: page.service.phase is Phase.IDLE, timeout=10_000)
    qtbot.waitUntil(lambda: "Download cancelled" in page.message.text())
    ae = data / "models" / FLUX / "ae.safetensors"
    assert not ae.exists() and ae.with_name("ae.safetensors.part").stat().st_size > 0
    states = dict(
        zip([f.path for f in page.summary.plan.files], page.progress.file_states(), strict=True)
    )
    assert states["majicflus_v134.safetensors"] == "done, verified"
    assert states["ae.safetensors"] == "waiting"  # not done: its bytes are only a .part
    assert not scan.check(data / "models").roles["vae"].ok
    kept = download.interrupted_bytes(data / "models")
    window.close()

    window = window_of(start_without_models(qtbot, launch, data))  # after the app was closed
    wizard = window.setup_wizard
    qtbot.waitUntil(lambda: wizard.interrupted.isVisible(), timeout=10_000)
    assert "already downloaded" in wizard.interrupted.text()
    open_download(qtbot, window)
    hub.throttle_s = 0
    check_plan(qtbot, window)
    shown = format_bytes(kept)
    assert f"Resuming: {shown} already downloaded." in wizard.download.summary_text.text()
    assert "majicflus_v1" not in " ".join(
        f.path for f in wizard.download.summary.plan.files if not f.present
    )


@pytest.mark.slow
def test_gated_repository_explains_the_licence_and_takes_a_token(
    qtbot, launch: Launch, tmp_path: Path, hub: FakeHub
) -> None:
    hub.gated[FLUX] = "hf_good"
    window = window_of(start_without_models(qtbot, launch, tmp_path / "data"))
    page = open_download(qtbot, window)
    page.huggingface.setChecked(True)
    assert page.licence.isVisible() and "Non-Commercial License" in page.licence.text()
    check_plan(qtbot, window)
    message = page.message.text()
    assert page.summary is None and page.message.isVisible()
    for words in ("gated repository", "accept", "licence", "token", "ModelScope"):
        assert words in message
    assert not page.start_button.isEnabled()
    qtbot.keyClicks(page.token, "hf_good")
    check_plan(qtbot, window)
    assert page.summary is not None and not page.message.isVisible()
    assert page.start_button.isEnabled()
    assert "its files come from ModelScope" in page.summary_text.text()


@pytest.mark.slow
def test_not_enough_disk_space_is_said_before_any_byte(
    qtbot, launch: Launch, tmp_path: Path, hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = window_of(start_without_models(qtbot, launch, tmp_path / "data"))
    usage = type("Usage", (), {"total": 10**12, "used": 0, "free": 1000})
    monkeypatch.setattr(download.shutil, "disk_usage", lambda path: usage)
    page = open_download(qtbot, window)
    check_plan(qtbot, window)
    assert "Not enough free space" in page.message.text()
    assert "choose a models folder on another drive" in page.message.text()
    assert not page.start_button.isEnabled()
    assert not [s for s in hub.seen if s.path.startswith("/cdn/")]


@pytest.mark.slow
def test_a_download_goes_on_while_the_window_changes_language(
    qtbot, launch: Launch, tmp_path: Path, hub: FakeHub
) -> None:
    desktop = start_without_models(qtbot, launch, tmp_path / "data")
    window = window_of(desktop)
    open_download(qtbot, window)
    check_plan(qtbot, window)
    hub.throttle_s = 0.01
    click(qtbot, window.setup_wizard.download.start_button)
    qtbot.waitUntil(lambda: inside(window, "ae.safetensors"), timeout=20_000)
    window.language_chosen.emit("zh_CN")
    chinese = window_of(desktop)
    assert chinese is not window
    page = chinese.setup_wizard.download
    assert chinese.setup_wizard.stack.currentWidget() is page
    qtbot.waitUntil(lambda: "下载中" in page.progress.file_states(), timeout=10_000)
    assert not page.check_button.isEnabled() and page.cancel_button.isEnabled()
    hub.throttle_s = 0
    wait_ready(qtbot, desktop)
    assert chinese.pages.currentWidget() is chinese.workspace


def split_models(tiny_models: Path, models: Path, picked: Path) -> None:
    """The tiny set split in three: the DiT in `picked`, the VAE nowhere, the rest in `models`."""
    shutil.copytree(tiny_models, models)
    picked.mkdir(parents=True)
    dit = scan.check(models).paths().dit
    shutil.move(dit, picked / dit.name)
    (models / "ae.safetensors").unlink()


@pytest.mark.slow
def test_files_found_before_are_kept_when_the_rest_goes_to_another_folder(
    qtbot,
    launch: Launch,
    tmp_path: Path,
    tiny_models: Path,
    hub: FakeHub,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data, picked, elsewhere = tmp_path / "data", tmp_path / "picked", tmp_path / "elsewhere"
    split_models(tiny_models, data / "models", picked)
    desktop = start_without_models(qtbot, launch, data)
    window = window_of(desktop)
    scan_existing(qtbot, window, monkeypatch, picked)
    click(qtbot, window.setup_wizard.existing.download_button)
    page = window.setup_wizard.download
    assert page.roles == ("vae",)
    page.folder.setText(str(elsewhere))  # not the models folder that serves CLIP, T5, tokenizers
    check_plan(qtbot, window)
    click(qtbot, page.start_button)
    qtbot.waitUntil(lambda: desktop.settings.models_dir == elsewhere, timeout=20_000)
    served = desktop.settings.model_files
    assert set(served) == {"dit", "clip", "t5", "tokenizer", "tokenizer_2"}
    assert served["dit"] == (picked / scan.check(tiny_models).paths().dit.name,)
    assert served["clip"] == (data / "models/text_encoder/model.safetensors",)
    assert all(path.is_absolute() for paths in served.values() for path in paths)
    wait_ready(qtbot, desktop)
    assert (elsewhere / FLUX / "ae.safetensors").is_file()


@pytest.mark.slow
def test_a_rebuilt_window_keeps_the_files_found_and_the_pause(
    qtbot,
    launch: Launch,
    tmp_path: Path,
    tiny_models: Path,
    hub: FakeHub,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data, picked = tmp_path / "data", tmp_path / "picked"
    split_models(tiny_models, tmp_path / "unused", picked)  # only the DiT is found: picked
    desktop = start_without_models(qtbot, launch, data)
    window = window_of(desktop)
    scan_existing(qtbot, window, monkeypatch, picked)
    click(qtbot, window.setup_wizard.existing.download_button)
    page = window.setup_wizard.download
    roles, keep = page.roles, page.keep
    assert set(keep) == {"dit"}
    check_plan(qtbot, window)
    hub.throttle_s = 0.02
    click(qtbot, page.start_button)
    qtbot.waitUntil(lambda: inside(window, "ae.safetensors"), timeout=20_000)
    click(qtbot, page.pause_button)
    qtbot.waitUntil(lambda: "paused" in page.progress.file_states(), timeout=10_000)

    window.language_chosen.emit("zh_CN")
    chinese = window_of(desktop)
    assert chinese is not window
    page = chinese.setup_wizard.download
    assert (page.roles, page.keep) == (roles, keep)
    assert page.pause_button.isChecked() and page.service.paused
    assert page.pause_button.text() != "Pause"  # says Resume, in Chinese
    hub.throttle_s = 0
    click(qtbot, page.pause_button)
    wait_ready(qtbot, desktop)
    assert desktop.settings.model_files == keep
    assert desktop.settings.models_dir == data / "models"


@pytest.mark.slow
def test_a_hugging_face_token_is_not_sent_to_modelscope(
    qtbot, launch: Launch, tmp_path: Path, hub: FakeHub
) -> None:
    window = window_of(start_without_models(qtbot, launch, tmp_path / "data"))
    page = open_download(qtbot, window)
    assert not page.token.isEnabled()  # ModelScope, the default
    page.huggingface.setChecked(True)
    assert page.token.isEnabled()
    qtbot.keyClicks(page.token, "hf_secret")
    page.modelscope.setChecked(True)
    assert not page.token.isEnabled()
    assert page.request().token is None
    check_plan(qtbot, window)
    assert page.summary is not None
    listings = [s for s in hub.seen if "/repo/files" in s.path]
    assert listings and not any("Authorization" in s.headers for s in listings)
    assert not any("hf_secret" in str(s.headers) for s in hub.seen)


@pytest.mark.slow
def test_a_relative_save_to_folder_is_refused(
    qtbot, launch: Launch, tmp_path: Path, hub: FakeHub
) -> None:
    data = tmp_path / "data"
    window = window_of(start_without_models(qtbot, launch, data))
    page = open_download(qtbot, window)
    page.folder.setText("models-here")
    click(qtbot, page.check_button)
    assert page.service.phase is Phase.IDLE and page.message.isVisible()
    assert "“models-here” is not a full path" in page.message.text()
    assert str(data / "models") in page.message.text()  # an example of a full path
    assert not hub.seen


@pytest.mark.slow
def test_a_malformed_mirror_address_is_said_on_check(
    qtbot, launch: Launch, tmp_path: Path, hub: FakeHub
) -> None:
    window = window_of(start_without_models(qtbot, launch, tmp_path / "data"))
    page = open_download(qtbot, window)
    qtbot.keyClicks(page.mirror_url, "https://[x")
    assert page.mirror.isChecked()
    click(qtbot, page.check_button)
    assert page.message.isVisible()
    assert "https://[x is not a valid web address" in page.message.text()


@pytest.mark.slow
def test_unexpected_setup_errors_name_the_step_not_an_image(
    qtbot, launch: Launch, tmp_path: Path, hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = window_of(start_without_models(qtbot, launch, tmp_path / "data"))

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a bug")

    with monkeypatch.context() as patch:
        patch.setattr(setup_existing.selection, "use_existing", broken)
        choose_folder(patch, tmp_path)
        click(qtbot, window.setup_wizard.existing_choice)
        existing = window.setup_wizard.existing
        qtbot.waitUntil(lambda: not existing.scanning, timeout=20_000)
    text = existing.status.text()
    assert "The folder could not be scanned: something unexpected went wrong" in text
    assert "ValueError" not in text  # the log has the class name, the window has words
    assert "Help ▸ Open log folder" in text and "image" not in text

    click(qtbot, existing.back_button)
    page = open_download(qtbot, window)
    check_plan(qtbot, window)
    monkeypatch.setattr(downloads.Downloader, "run", broken)
    click(qtbot, page.start_button)
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=20_000)
    text = page.message.text()
    assert "The download stopped." in text and "ValueError" not in text
    assert "Help ▸ Open log folder" in text and "image" not in text


@pytest.mark.slow
def test_check_again_reloads_after_a_failed_load(qtbot, launch: Launch, data_dir: Path) -> None:
    desktop = launch(data_dir)  # the demo: ready
    window = window_of(desktop)
    window.show_model_setup()
    wizard = window.setup_wizard
    with qtbot.assertNotEmitted(wizard.recheck_requested):  # a click answers at once
        click(qtbot, wizard.recheck_button)  # the engine runs: only a fresh look
    desktop.worker.engine_state_changed.emit(EngineState.FAILED, "Out of GPU memory")
    qtbot.waitUntil(lambda: window.engine_state is EngineState.FAILED)
    window.show_model_setup()
    with qtbot.waitSignal(wizard.recheck_requested, timeout=1000):
        click(qtbot, wizard.recheck_button)
    wait_ready(qtbot, desktop)  # loaded again


@pytest.mark.slow
def test_closing_during_a_stalled_download_stops_at_once(
    qtbot, launch: Launch, tmp_path: Path, hub: FakeHub
) -> None:
    data = tmp_path / "data"
    desktop = start_without_models(qtbot, launch, data)
    window = window_of(desktop)
    open_download(qtbot, window)
    check_plan(qtbot, window)
    hub.faults["ae.safetensors"] = [("stall", 16384)]
    click(qtbot, window.setup_wizard.download.start_button)
    assert hub.stalled.wait(20)
    service = desktop.downloads
    closing, heard = False, []

    def hear(name: str) -> None:
        if closing:
            heard.append(name)

    for name in ("phase_changed", "planned", "progressed", "finished", "failed"):
        getattr(service, name).connect(
            lambda *args, n=name: hear(n), Qt.ConnectionType.DirectConnection
        )
    qtbot.wait(300)  # the download thread is blocked in a read now, for up to the 30 s timeout
    closing, started = True, time.monotonic()
    assert service.shutdown()
    assert time.monotonic() - started < 3
    assert heard == []  # nothing said to windows that may be gone
    part = data / "models" / FLUX / "ae.safetensors.part"
    assert part.stat().st_size == 16384  # kept, to continue next time

"""Photograph Model setup on an X display, in English and Chinese: docs/screenshots/06, 08–11.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_setup.py docs/screenshots

"Use existing files" scans a ComfyUI-like tree of real-layout header files at their real sizes
(sparse: nothing is written but the headers). "Download" fetches from a ModelScope-shaped hub
started here on 127.0.0.1 that serves zeros at the real sizes, slowly enough to be seen, with a
`.part` left by an "earlier run" so the resume shows. Nothing leaves this computer.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from screenshot_tour import pause, place, shoot, wait_for  # the same camera as the tour

from helpers import write_header_only
from majicflux_desktop.app import DesktopApp, Options
from majicflux_desktop.core.logs import setup_logging
from majicflux_desktop.core.paths import AppPaths, atomic_write_bytes
from majicflux_desktop.engine import catalog, download, layouts
from majicflux_desktop.engine.transfer import PartFile
from majicflux_desktop.ui.worker import EngineState

GB, MB = 1024**3, 1024**2
PUBLISHED = {  # the sizes the hubs list for the real files, roughly
    (catalog.MODELSCOPE_MAJICFLUS, "majicflus_v134.safetensors"): int(11.9 * GB),
    (catalog.FLUX_DEV, "text_encoder/model.safetensors"): 235 * MB,
    (catalog.FLUX_DEV, "text_encoder_2/model-00001-of-00002.safetensors"): int(4.65 * GB),
    (catalog.FLUX_DEV, "text_encoder_2/model-00002-of-00002.safetensors"): int(4.22 * GB),
    (catalog.FLUX_DEV, "ae.safetensors"): 320 * MB,
    (catalog.FLUX_DEV, "tokenizer/vocab.json"): 1_059_962,
    (catalog.FLUX_DEV, "tokenizer/merges.txt"): 524_619,
    (catalog.FLUX_DEV, "tokenizer_2/spiece.model"): 791_656,
    (catalog.FLUX_DEV, "tokenizer_2/tokenizer.json"): 2_424_064,
    (catalog.FLUX_DEV, "tokenizer_2/tokenizer_config.json"): 20_817,
    (catalog.FLUX_DEV, "tokenizer_2/special_tokens_map.json"): 2_543,
}
SMALL_FILE_BYTES = 705  # the other tokenizer files: a few hundred bytes of JSON
RESUMED_BYTES = int(3.1 * GB)
SEND_BLOCK, SEND_PAUSE_S = 256 * 1024, 0.006  # about 40 MB/s


def published_files() -> dict[tuple[str, str], int]:
    files = {
        (spec.repo, path): SMALL_FILE_BYTES for spec in catalog.REQUIRED for path in spec.files
    }
    return {**files, **PUBLISHED}


class ZerosHub(http.server.BaseHTTPRequestHandler):
    """ModelScope's listing and file URLs (hub.py), serving zeros: enough to watch a download."""

    files = published_files()

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        repo = re.fullmatch(r"/api/v1/models/([^/]+/[^/]+)/repo(/files)?", url.path)
        if url.path.startswith("/api/models/"):
            self.gated()  # Hugging Face's answer to FLUX.1-dev without an accepted licence
        elif repo is None:
            self.send_error(404)
        elif repo.group(2):
            self.listing(repo.group(1))
        else:
            self.content(self.files[(repo.group(1), query["FilePath"])])

    def gated(self) -> None:
        self.send_response(401)
        self.send_header("X-Error-Code", "GatedRepo")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def listing(self, repo: str) -> None:
        entries = [
            {"Path": path, "Type": "blob", "Size": size, "Sha256": "0" * 64}
            for (owner, path), size in self.files.items()
            if owner == repo
        ]
        body = json.dumps({"Code": 200, "Data": {"Files": entries}, "Success": True}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def content(self, size: int) -> None:
        start = int(re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", "bytes=0-")).group(1))  # type: ignore[union-attr]
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        self.send_header("Content-Length", str(size - start))
        self.end_headers()
        block = bytes(SEND_BLOCK)
        for offset in range(start, size, SEND_BLOCK):
            try:
                self.wfile.write(block[: min(SEND_BLOCK, size - offset)])
            except OSError:
                return
            time.sleep(SEND_PAUSE_S)


def serve_hub() -> str:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ZerosHub)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def comfyui_tree(root: Path) -> Path:
    """What a ComfyUI user has: the four weights in their usual folders, no tokenizers (ComfyUI
    keeps those in its code), and files that are not what they seem."""
    models = root / "models"
    write_header_only(models / "unet/majicflus_v134.safetensors", layouts.flux_dit(), "F8_E4M3")
    write_header_only(models / "clip/clip_l.safetensors", layouts.clip_text(), "F16")
    t5 = catalog.t5_single_file(layouts.t5_encoder())
    write_header_only(models / "clip/t5xxl_fp8_e4m3fn.safetensors", t5, "F8_E4M3")
    write_header_only(models / "vae/ae.safetensors", layouts.flux_vae())
    sdxl = {
        "model.diffusion_model.input_blocks.0.0.weight": (320, 4, 3, 3),
        "conditioner.embedders.1.model.ln_final.weight": (1280,),
    }
    write_header_only(models / "checkpoints/sd_xl_base_1.0.safetensors", sdxl)
    write_header_only(
        models / "vae/flux_ae_copy.safetensors", layouts.flux_vae(), truncate_to=60_000_000
    )
    (models / "unet/flux1-dev-Q4_0.gguf").write_bytes(b"GGUF" + bytes(60))
    return root


def leave_a_part(models: Path) -> None:
    """What an interrupted run leaves: the transformer's first 3.1 GB as a `.part` (sparse)."""
    plan = download.fetch_plan(models, download.modelscope(), roles=("dit",))
    file = plan.files[0]
    file.part.parent.mkdir(parents=True, exist_ok=True)
    with open(file.part, "wb") as handle:
        handle.truncate(RESUMED_BYTES)
    atomic_write_bytes(file.state_file, json.dumps(PartFile.identity(file)).encode())


def tour(out: Path, language: str, names: dict[str, str]) -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    data = Path(tempfile.mkdtemp(prefix=f"majicflux-setup-{language}-"))
    (data / "settings.json").write_text(json.dumps({"schema_version": 1, "language": language}))
    tree = comfyui_tree(data.parent / f"{data.name}-ComfyUI")
    leave_a_part(data / "models")
    desktop = DesktopApp(app, AppPaths.portable(data), Options(demo=False))
    window = desktop.start()
    place(window)
    wait_for(lambda: window.engine_state is EngineState.MISSING)
    wizard = window.setup_wizard
    wait_for(lambda: wizard.interrupted.isVisible())
    if "start" in names:
        shoot(out, names["start"])

    wizard.stack.setCurrentWidget(wizard.existing)
    wizard.existing.scan_folder(tree)
    wait_for(lambda: wizard.existing.result is not None)
    shoot(out, names["existing"])

    wizard.show_download()
    page = wizard.download
    page.check()
    wait_for(lambda: page.summary is not None)
    page.start()
    wait_for(lambda: (page.service.last_progress or _NO_SPEED).bytes_per_second is not None)
    pause(3.0)  # a steady speed and ETA
    shoot(out, names["download"])
    page.service.cancel()
    wait_for(lambda: not page.service.busy)
    if "gated" in names:
        page.huggingface.setChecked(True)
        page.check()
        wait_for(lambda: page.message.isVisible())
        shoot(out, names["gated"])
    window.close()
    desktop.shutdown()
    for folder in (data, tree):
        shutil.rmtree(folder, ignore_errors=True)


class _NoSpeed:
    bytes_per_second = None


_NO_SPEED = _NoSpeed()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    hub = serve_hub()
    os.environ["MODELSCOPE_ENDPOINT"] = hub
    os.environ["HF_ENDPOINT"] = hub
    os.environ.pop("HF_TOKEN", None)
    setup_logging(Path(tempfile.mkdtemp(prefix="majicflux-setup-log-")) / "tour.log")
    tour(
        out,
        "en",
        {
            "start": "06-models-missing.png",
            "existing": "08-setup-existing-en.png",
            "download": "10-setup-download-en.png",
            "gated": "12-setup-gated-en.png",
        },
    )
    tour(
        out,
        "zh_CN",
        {"existing": "09-setup-existing-zh.png", "download": "11-setup-download-zh.png"},
    )


if __name__ == "__main__":
    main()

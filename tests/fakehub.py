"""A model hub on 127.0.0.1 that speaks both real API shapes (ModelScope, Hugging Face), with
scripted faults: the download tests and the setup wizard's tests download from it."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import random
import re
import struct
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from majicflux_desktop.engine import catalog, layouts, tiny_tokenizers
from majicflux_desktop.engine.hub import HUGGINGFACE, MODELSCOPE, Source

SIZES = {"F8_E4M3": 1, "BF16": 2}
FLUX, MAJIC = catalog.FLUX_DEV, catalog.MODELSCOPE_MAJICFLUS


def safetensors_bytes(layout: layouts.Layout, dtype: str, seed: int) -> bytes:
    """A real safetensors file: the header of `layout` and random data (values do not matter)."""
    table, offset = {}, 0
    for name, shape in sorted(layout.items()):
        count = SIZES[dtype]
        for dim in shape:
            count *= dim
        table[name] = {
            "dtype": dtype,
            "shape": list(shape),
            "data_offsets": [offset, offset + count],
        }
        offset += count
    header = json.dumps(table).encode()
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + random.Random(seed).randbytes(offset)


def tiny_repos() -> dict[str, dict[str, bytes]]:
    tiny = layouts.tiny_layouts()
    first, second = layouts.split_t5_shards(tiny["t5"])
    flux = {
        "text_encoder/model.safetensors": safetensors_bytes(tiny["clip"], "BF16", 1),
        "text_encoder_2/model-00001-of-00002.safetensors": safetensors_bytes(first, "BF16", 2),
        "text_encoder_2/model-00002-of-00002.safetensors": safetensors_bytes(second, "BF16", 3),
        "ae.safetensors": safetensors_bytes(tiny["vae"], "BF16", 4),
        "README.md": b"# not downloaded\n",
    }
    # the demo's tokenizers, which go with tiny weights; the files they lack are small stand-ins
    with tempfile.TemporaryDirectory() as folder:
        tiny_tokenizers.write_tokenizers(Path(folder))
        for spec in (catalog.SPECS["tokenizer"], catalog.SPECS["tokenizer_2"]):
            for path in spec.files:
                local = Path(folder, path)
                if local.is_file():
                    flux[path] = local.read_bytes()
                elif path.endswith(".json"):
                    flux[path] = b'{"of": "%s"}' % path.encode()
                else:
                    flux[path] = b"x" * 999
    majic = {"majicflus_v134.safetensors": safetensors_bytes(tiny["dit"], "F8_E4M3", 5)}
    return {FLUX: flux, MAJIC: majic}


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


@dataclass
class FakeHub:
    """Both hubs' URL shapes over one in-memory set of repositories, with faults on demand.

    `faults[path]` is a queue consumed by the content requests of that file: ("drop", n) sends
    n bytes then closes, ("corrupt",) flips a byte, ("status", code) answers with an error,
    ("ignore_range",) answers 200 to a Range request, ("body", data) sends other bytes,
    ("stall", n) sends n bytes then nothing more (the connection stays open), ("hang",) never
    answers; `hang_listings` makes every file listing hang. A stall sets `stalled` and lasts
    until `release` is set (when the hub stops).
    """

    repos: dict[str, dict[str, bytes]] = field(default_factory=tiny_repos)
    faults: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    listed: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> listing overrides
    gated: dict[str, str] = field(default_factory=dict)  # repo -> the token that opens it
    page_size: int = 1000
    hang_listings: bool = False
    throttle_s: float = 0.0  # per 16 KiB of content, to let a test interrupt a transfer
    seen: list[Seen] = field(default_factory=list)
    served: dict[str, int] = field(default_factory=dict)  # content bytes sent per file path
    # /dl/<key> -> (repo, path): served with Content-Disposition, as Civitai's download links are
    links: dict[str, tuple[str, str]] = field(default_factory=dict)
    stalled: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def content_requests(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith("/cdn/") and s.path.endswith(path)]

    def modelscope(self) -> Source:
        return Source(MODELSCOPE, self.url, "ModelScope")

    def huggingface(self) -> Source:
        return Source(HUGGINGFACE, self.url, "Hugging Face")


def make_handler(hub: FakeHub) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            hub.seen.append(Seen(urllib.parse.unquote(url.path), dict(self.headers.items())))
            routes: list[tuple[str, Callable[..., None]]] = [
                (r"/api/v1/models/([^/]+/[^/]+)/repo/files", self.modelscope_listing),
                (r"/api/v1/models/([^/]+/[^/]+)/repo", self.modelscope_file),
                (r"/api/models/([^/]+/[^/]+)/tree/main", self.hf_listing),
                (r"/([^/]+/[^/]+)/resolve/main/(.+)", self.hf_file),
                (r"/cdn/([^/]+/[^/]+)/(.+)", self.content),
                (r"/dl/(.+)", self.link),
                (r"/page/(.*)", self.page),
            ]
            for pattern, route in routes:
                match = re.fullmatch(pattern, urllib.parse.unquote(url.path))
                if match:
                    # the CDN serves signed URLs: no token there, as on the real hubs
                    if pattern.startswith(("/cdn/", "/dl/", "/page/")) or self.allowed(
                        match.group(1)
                    ):
                        route(query, *match.groups())
                    return
            self.send_error(404)

        def allowed(self, repo: str) -> bool:
            if repo not in hub.gated:
                return True
            given = self.headers.get("Authorization", "")
            if given == f"Bearer {hub.gated[repo]}":
                return True
            self.send_response(403 if given else 401)
            self.send_header("X-Error-Code", "GatedRepo")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return False

        def send_json(self, body: object, extra: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def entries(self, repo: str) -> Iterator[tuple[str, bytes, dict[str, Any]]]:
            for path, data in sorted(hub.repos.get(repo, {}).items()):
                yield path, data, hub.listed.get(path, {})

        def modelscope_listing(self, query: dict[str, str], repo: str) -> None:
            assert query == {"Revision": "master", "Recursive": "True"}
            if repo not in hub.repos:
                self.send_error(404)
                return
            if hub.hang_listings:
                self.stall()
                return
            files = [{"Name": "text_encoder", "Path": "text_encoder", "Type": "tree", "Size": 0}]
            for path, data, extra in self.entries(repo):
                sha = extra.get("sha256", hashlib.sha256(data).hexdigest())
                size = extra.get("size", len(data))
                files.append({"Name": path.rsplit("/", 1)[-1], "Path": path, "Type": "blob", "Size": size, "Sha256": sha, "IsLFS": path.endswith(".safetensors")})  # fmt: skip
            self.send_json({"Code": 200, "Data": {"Files": files}, "Success": True})

        def hf_listing(self, query: dict[str, str], repo: str) -> None:
            assert query.get("recursive") == "true"
            if hub.hang_listings:
                self.stall()
                return
            entries: list[dict[str, Any]] = [{"type": "directory", "path": "tokenizer", "oid": "0", "size": 0}]  # fmt: skip
            for path, data, extra in self.entries(repo):
                size = extra.get("size", len(data))
                entry: dict[str, Any] = {"type": "file", "path": path, "size": size, "oid": git_blob_sha1(data)}  # fmt: skip
                if path.endswith(".safetensors"):
                    sha = extra.get("sha256", hashlib.sha256(data).hexdigest())
                    entry["lfs"] = {"oid": sha, "size": size, "pointerSize": 134}
                entries.append(entry)
            start = int(query.get("cursor", 0))
            page = entries[start : start + hub.page_size]
            extra_headers = {}
            if start + hub.page_size < len(entries):
                cursor = start + hub.page_size
                extra_headers["Link"] = f'<{hub.url}/api/models/{repo}/tree/main?recursive=true&cursor={cursor}>; rel="next"'  # fmt: skip
            self.send_json(page, extra_headers)

        def modelscope_file(self, query: dict[str, str], repo: str) -> None:
            self.redirect_to_cdn(repo, query["FilePath"])

        def hf_file(self, query: dict[str, str], repo: str, path: str) -> None:
            if path.endswith(".safetensors"):
                self.redirect_to_cdn(repo, path)
            else:
                self.content(query, repo, path)  # git files come straight from the hub

        def redirect_to_cdn(self, repo: str, path: str) -> None:
            # another host name for the same server: the client must not send the token there
            port = urllib.parse.urlsplit(hub.url).port
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{port}/cdn/{repo}/{urllib.parse.quote(path)}")  # fmt: skip
            self.send_header("Content-Length", "0")
            self.end_headers()

        def link(self, query: dict[str, str], key: str) -> None:
            repo, path = hub.links[key]
            name = urllib.parse.quote(path.rsplit("/", 1)[-1])
            self.content(
                query, repo, path, {"Content-Disposition": f"attachment; filename*=UTF-8''{name}"}
            )

        def page(self, query: dict[str, str], _rest: str) -> None:
            data = b"<!doctype html><title>A model page</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def content(
            self, query: dict[str, str], repo: str, path: str, extra: dict[str, str] | None = None
        ) -> None:
            data = hub.repos[repo][path]
            fault = hub.faults.get(path, []).pop(0) if hub.faults.get(path) else ("none",)
            if fault[0] == "hang":
                self.stall()
                return
            if fault[0] == "status":
                self.send_response(fault[1])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if fault[0] == "corrupt":
                data = data[:-100] + bytes([data[-100] ^ 0xFF]) + data[-99:]
            if fault[0] == "body":
                data = fault[1]
            start, end = 0, len(data)
            match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
            if match and fault[0] != "ignore_range":
                start = int(match.group(1))
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                end = min(end, int(match.group(2)) + 1) if match.group(2) else end
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{end - 1}/{len(data)}")
            else:
                self.send_response(200)
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(end - start))
            self.end_headers()
            body = data[start:end]
            if fault[0] in ("drop", "stall"):
                body = body[: fault[1]]
            for offset in range(0, len(body), 16384):
                if hub.throttle_s:
                    time.sleep(hub.throttle_s)
                try:
                    self.wfile.write(body[offset : offset + 16384])
                except OSError:
                    return
                hub.served[path] = hub.served.get(path, 0) + len(body[offset : offset + 16384])
            if fault[0] == "stall":
                self.wfile.flush()
                self.stall()
            self.close_connection = True

        def stall(self) -> None:
            hub.stalled.set()
            hub.release.wait(60)

    return Handler


@contextlib.contextmanager
def serve(hub: FakeHub) -> Iterator[FakeHub]:
    """Serve `hub` on a free port of 127.0.0.1 until the block ends."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(hub))
    server.daemon_threads = True
    hub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield hub
    finally:
        hub.release.set()
        server.shutdown()
        server.server_close()


def repos_from_folder(models: Path) -> dict[str, dict[str, bytes]]:
    """The hub's repositories made of a tiny model set on disk (engine/tiny.py), so a download
    from the hub can really be loaded. Files the tiny set lacks are small stand-ins."""
    from majicflux_desktop.engine import scan

    paths = scan.check(models).paths()
    weights = {
        "text_encoder/model.safetensors": paths.clip,
        "ae.safetensors": paths.vae,
        **dict(zip(catalog.SPECS["t5"].files, paths.t5, strict=True)),
    }
    flux = {name: path.read_bytes() for name, path in weights.items()}
    for role, folder in (("tokenizer", paths.tokenizer_clip), ("tokenizer_2", paths.tokenizer_t5)):
        for name in catalog.SPECS[role].files:
            local = folder / name.split("/", 1)[1]
            flux[name] = local.read_bytes() if local.is_file() else b"{}"
    majic = {"majicflus_v134.safetensors": paths.dit.read_bytes()}
    return {FLUX: flux, MAJIC: majic}


# -- LoRA repositories ---------------------------------------------------------------------------

HEONGSAM = "DonRat/MAJICFLUS_SuperChinesestyleheongsam"  # DiffSynth-Studio's majicflus LoRA
HEONGSAM_FILE = "麦橘超国风旗袍.safetensors"


def flux_lora_bytes(blocks: int = 2, rank: int = 4, seed: int = 1) -> bytes:
    """A kohya LoRA at FLUX.1's real sizes (image attention of the first double blocks)."""
    layout: layouts.Layout = {}
    for block in range(blocks):
        name = f"lora_unet_double_blocks_{block}_img_attn_qkv"
        layout[f"{name}.lora_down.weight"] = (rank, 3072)
        layout[f"{name}.lora_up.weight"] = (9216, rank)
    return safetensors_bytes(layout, "BF16", seed)


def sdxl_lora_bytes() -> bytes:
    name = "lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k"
    layout = {f"{name}.lora_down.weight": (1, 2048), f"{name}.lora_up.weight": (640, 1)}
    return safetensors_bytes(layout, "BF16", 7)


def not_a_lora_bytes() -> bytes:
    """A safetensors file of full weights, no LoRA pair in it (a VAE's first layers)."""
    layout = {"encoder.conv_in.weight": (128, 3, 3, 3), "encoder.conv_in.bias": (128,)}
    return safetensors_bytes(layout, "BF16", 9)


def lora_repos() -> dict[str, dict[str, bytes]]:
    """LoRA repositories as ModelScope holds them: one LoRA with its model card, several in one,
    one for another family, one with only a pickle, one with no LoRA at all."""
    return {
        HEONGSAM: {
            HEONGSAM_FILE: flux_lora_bytes(),
            "README.md": b"# majicflus LoRA\n",
            "configuration.json": b'{"framework": "pytorch"}',
        },
        "someone/two-styles": {
            "ink.safetensors": flux_lora_bytes(seed=2),
            "v2/watercolour.safetensors": flux_lora_bytes(blocks=1, seed=3),
        },
        "someone/sdxl-style": {"sdxl-style.safetensors": sdxl_lora_bytes()},
        "someone/pickled": {"style.ckpt": b"PK\x03\x04 a pickle", "README.md": b"#\n"},
        "someone/a-vae": {"vae.safetensors": not_a_lora_bytes()},
    }

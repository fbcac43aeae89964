"""LoRA downloads by ModelScope model id or by a file's address, against the hub on 127.0.0.1."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakehub import HEONGSAM, HEONGSAM_FILE, FakeHub, lora_repos, serve
from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.engine import lora_download
from majicflux_desktop.engine.lora_address import parse_address
from majicflux_desktop.engine.transfer import (
    DownloadCancelled,
    DownloadControl,
    Progress,
    RetryPolicy,
)


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    with serve(FakeHub(repos=lora_repos())) as state:
        monkeypatch.setenv("MODELSCOPE_ENDPOINT", state.url)
        monkeypatch.delenv("MODELSCOPE_API_TOKEN", raising=False)
        yield state


def fetch(text: str, folder: Path, **options: object) -> lora_download.DownloadedLora:
    return lora_download.download(text, folder, chunk_bytes=8192, sleep=lambda _: None, **options)  # type: ignore[arg-type]


def refusal(text: str, folder: Path, **options: object) -> str:
    with pytest.raises(UserError) as caught:
        fetch(text, folder, **options)
    return caught.value.text()


def parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


# -- what the user types, understood without the network ------------------------------------------


@pytest.mark.parametrize(
    ("text", "repo", "path", "url"),
    [
        (HEONGSAM, HEONGSAM, "", ""),
        (f"  {HEONGSAM}/  ", HEONGSAM, "", ""),
        (
            "someone/two-styles/v2/watercolour.safetensors",
            "someone/two-styles",
            "v2/watercolour.safetensors",
            "",
        ),
        (f"https://modelscope.cn/models/{HEONGSAM}", HEONGSAM, "", ""),
        (f"modelscope.cn/models/{HEONGSAM}/files", HEONGSAM, "", ""),
        ("https://huggingface.co/a/b/blob/main/x.safetensors", "a/b", "x.safetensors", ""),
        (
            "https://example.com/files/x.safetensors?sig=1",
            "",
            "",
            "https://example.com/files/x.safetensors?sig=1",
        ),
    ],
)
def test_addresses_are_understood_without_the_network(
    text: str, repo: str, path: str, url: str
) -> None:
    address = parse_address(text)
    assert (address.repo, address.path, address.url) == (repo, path, url)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "Type a ModelScope model id"),
        ("just-a-name", "neither a ModelScope model id nor a web address"),
        ("C:\\loras\\x.safetensors", "copy it into the LoRA folder"),
        ("ftp://example.com/x.safetensors", "is not a valid web address"),
        ("https://example.com/style.ckpt", "style.ckpt is not a .safetensors file"),
        ("someone/two-styles/style.pt", "style.pt is not a .safetensors file"),
    ],
)
def test_wrong_addresses_are_refused_before_any_request(text: str, words: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_address(text)
    assert words in caught.value.text()


# -- downloads ---------------------------------------------------------------------------------------


def test_a_modelscope_id_downloads_the_lora_checked_against_the_hubs_hash(
    hub: FakeHub, tmp_path: Path
) -> None:
    folder = tmp_path / "models" / "loras"
    seen: list[Progress] = []
    done = fetch(HEONGSAM, folder, on_progress=seen.append)
    data = hub.repos[HEONGSAM][HEONGSAM_FILE]
    assert done.path == folder / HEONGSAM_FILE
    assert done.path.read_bytes() == data
    assert done.lora.ok and done.lora.layers_matched == 2 and not done.already_there
    assert parts(folder) == [HEONGSAM_FILE]  # no .part, no sidecar, no README
    assert seen[-1].done_bytes == seen[-1].total_bytes == len(data)
    # the same id again: the file there is the hub's (same SHA-256), nothing is fetched
    sent = hub.served[HEONGSAM_FILE]
    again = fetch(HEONGSAM, folder)
    assert again.already_there and hub.served[HEONGSAM_FILE] == sent


def test_a_repository_of_several_loras_needs_the_file_named(hub: FakeHub, tmp_path: Path) -> None:
    text = refusal("someone/two-styles", tmp_path)
    assert "holds 2 LoRA files" in text and "someone/two-styles/ink.safetensors" in text
    done = fetch("someone/two-styles/watercolour.safetensors", tmp_path)
    assert done.path == tmp_path / "watercolour.safetensors"
    assert done.path.read_bytes() == hub.repos["someone/two-styles"]["v2/watercolour.safetensors"]


def test_a_direct_link_downloads_under_the_servers_file_name(hub: FakeHub, tmp_path: Path) -> None:
    hub.links["123"] = ("someone/two-styles", "ink.safetensors")
    done = fetch(f"{hub.url}/dl/123?type=Model", tmp_path)
    assert done.path == tmp_path / "ink.safetensors"
    assert done.path.read_bytes() == hub.repos["someone/two-styles"]["ink.safetensors"]
    assert parts(tmp_path) == ["ink.safetensors"]


def test_a_different_file_of_the_same_name_is_kept_and_the_new_one_numbered(
    hub: FakeHub, tmp_path: Path
) -> None:
    (tmp_path / HEONGSAM_FILE).write_bytes(b"the user's own file")
    done = fetch(HEONGSAM, tmp_path)
    assert done.path.name == HEONGSAM_FILE.replace(".safetensors", "-2.safetensors")
    assert (tmp_path / HEONGSAM_FILE).read_bytes() == b"the user's own file"


def test_an_interrupted_download_continues_from_its_part_file(hub: FakeHub, tmp_path: Path) -> None:
    data = hub.repos[HEONGSAM][HEONGSAM_FILE]
    hub.faults[HEONGSAM_FILE] = [("drop", 65536)]
    text = refusal(HEONGSAM, tmp_path, retry=RetryPolicy(attempts=1))
    assert "127.0.0.1" in text or "localhost" in text  # the host that stopped answering
    assert parts(tmp_path) == [f"{HEONGSAM_FILE}.part", f"{HEONGSAM_FILE}.part.json"]
    assert (tmp_path / f"{HEONGSAM_FILE}.part").stat().st_size == 65536

    done = fetch(HEONGSAM, tmp_path)
    assert done.path.read_bytes() == data
    last = hub.content_requests(HEONGSAM_FILE)[-1]
    assert last.headers.get("Range") == "bytes=65536-"
    assert hub.served[HEONGSAM_FILE] == len(data)  # 65536 before, the rest after: nothing twice
    assert parts(tmp_path) == [HEONGSAM_FILE]


def test_a_cancel_during_a_stalled_read_leaves_the_part_to_continue(
    hub: FakeHub, tmp_path: Path
) -> None:
    control = DownloadControl()
    hub.faults[HEONGSAM_FILE] = [("stall", 32768)]

    part = tmp_path / f"{HEONGSAM_FILE}.part"

    def cancel_when_stalled() -> None:
        assert hub.stalled.wait(10)
        deadline = time.monotonic() + 10
        while not (part.is_file() and part.stat().st_size) and time.monotonic() < deadline:
            time.sleep(0.01)  # the bytes sent before the stall reach the part
        control.cancel()

    canceller = threading.Thread(target=cancel_when_stalled)
    canceller.start()
    with pytest.raises(DownloadCancelled):
        fetch(HEONGSAM, tmp_path, control=control)
    canceller.join()
    kept = part.stat().st_size
    assert 0 < kept <= 32768
    assert parts(tmp_path) == [f"{HEONGSAM_FILE}.part", f"{HEONGSAM_FILE}.part.json"]
    assert fetch(HEONGSAM, tmp_path).path.read_bytes() == hub.repos[HEONGSAM][HEONGSAM_FILE]
    assert hub.content_requests(HEONGSAM_FILE)[-1].headers.get("Range") == f"bytes={kept}-"


# -- refusals ----------------------------------------------------------------------------------------


def test_a_ckpt_link_is_refused_without_downloading(hub: FakeHub, tmp_path: Path) -> None:
    hub.links["7"] = ("someone/pickled", "style.ckpt")
    text = refusal(f"{hub.url}/cdn/someone/pickled/style.ckpt", tmp_path)
    assert "style.ckpt is not a .safetensors file" in text and "can run code" in text
    assert not hub.content_requests("style.ckpt")
    # a link that does not say .ckpt, whose server names the file so
    text = refusal(f"{hub.url}/dl/7", tmp_path)
    assert "style.ckpt is not a .safetensors file" in text
    assert hub.served.get("style.ckpt", 0) <= 1  # the one-byte probe of its headers at most
    assert parts(tmp_path) == []


def test_a_repository_of_pickles_only_is_refused(hub: FakeHub, tmp_path: Path) -> None:
    text = refusal("someone/pickled", tmp_path)
    assert "holds no .safetensors file, only style.ckpt" in text
    assert parts(tmp_path) == []


def test_a_safetensors_file_that_is_no_lora_is_deleted_with_the_reason(
    hub: FakeHub, tmp_path: Path
) -> None:
    text = refusal("someone/a-vae", tmp_path)
    assert "vae.safetensors was downloaded but cannot be used, so it was deleted again" in text
    assert "LoRA" in text.split("deleted again.", 1)[1]  # then why: it is not a LoRA
    assert parts(tmp_path) == []


def test_an_sdxl_lora_is_deleted_naming_its_family(hub: FakeHub, tmp_path: Path) -> None:
    text = refusal("someone/sdxl-style", tmp_path)
    assert "sdxl-style.safetensors was downloaded but cannot be used" in text
    assert "a LoRA for SDXL, not for FLUX.1" in text
    assert parts(tmp_path) == []


def test_an_unknown_model_id_says_so(hub: FakeHub, tmp_path: Path) -> None:
    text = refusal("nobody/no-such-lora", tmp_path)
    assert "There is no model nobody/no-such-lora on ModelScope" in text
    assert lora_download.EXAMPLE_ID in text
    assert parts(tmp_path) == []


def test_a_missing_link_and_a_web_page_are_refused_with_the_fix(
    hub: FakeHub, tmp_path: Path
) -> None:
    text = refusal(f"{hub.url}/nothing/here.safetensors", tmp_path)
    assert "Nothing was found at" in text and "HTTP 404" in text
    text = refusal(f"{hub.url}/page/a-lora", tmp_path)
    assert "is a web page, not a file" in text


def test_a_wrong_hash_is_never_given_the_lora_name(hub: FakeHub, tmp_path: Path) -> None:
    hub.faults[HEONGSAM_FILE] = [("corrupt",), ("corrupt",)]
    text = refusal(HEONGSAM, tmp_path)
    assert "SHA-256" in text
    assert HEONGSAM_FILE not in parts(tmp_path)
    sha = hashlib.sha256(hub.repos[HEONGSAM][HEONGSAM_FILE]).hexdigest()
    assert fetch(HEONGSAM, tmp_path).lora.ok and sha  # a clean try after that works
